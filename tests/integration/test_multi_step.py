"""The birth form (ui:pages) filled one step per request, without JavaScript: check, back, change, confirm."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Dossier
from tests.factories import applicant, birth_data, flatten, form_fields, tiny_pdf

FORM_URL = "/thu-tuc/1.001193/nop-ho-so"


def _post_step(client, url: str, html: str, *, data=None, person=None, action="continue", files=None):
    fields = form_fields(html)
    if person is not None:
        flatten("applicant", person, fields)
    if data is not None:
        for key in data:
            for name in [k for k in fields if k.startswith(f"data-{key}-") or k == f"data-{key}"]:
                fields.poplist(name)
        flatten("data", data, fields)
    fields["_action"] = action
    payload = fields.to_dict(flat=False)
    for key, (content, name) in (files or {}).items():
        payload[key] = (io.BytesIO(content), name)
    action_url = re.search(r'<form method="post"[^>]*action="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert action_url.startswith(url)
    return client.post(action_url, data=payload, content_type="multipart/form-data")


def _step(client, location: str) -> str:
    page = client.get(location)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_walk_every_step_with_a_mistake_back_and_change_then_file_one_dossier(app, client, sample_procedures):
    full = birth_data()
    # step 1: the applicant only
    html = _step(client, FORM_URL)
    assert "Bước 1/4: Người yêu cầu" in html
    assert 'name="applicant-phone"' in html and 'name="data-child-full_name"' not in html
    assert "Quay lại" not in html
    moved = _post_step(client, FORM_URL, html, person=applicant())
    assert moved.status_code == 303 and "buoc=2" in moved.headers["Location"]
    # a later step cannot be skipped by going to the check page
    token = re.search(r"ho-so-tam=([^&]+)", moved.headers["Location"]).group(1)
    early = client.get(f"/ho-so-tam/{token}/kiem-tra")
    assert early.status_code == 303 and "buoc=2" in early.headers["Location"]
    told = _step(client, early.headers["Location"])
    assert 'href="#data-requester_relationship' in told  # the step says what it still needs

    # step 2: the requester's relationship
    html = _step(client, moved.headers["Location"])
    assert "Bước 2/4: Người đi đăng ký" in html and 'name="applicant-phone"' not in html
    moved = _post_step(client, FORM_URL, html, data={"requester_relationship": full["requester_relationship"]})
    assert moved.status_code == 303 and "buoc=3" in moved.headers["Location"]

    # step 3: the child, with a mistake: the error is shown on this step only
    html = _step(client, moved.headers["Location"])
    assert "Bước 3/4: Người được khai sinh" in html
    child = dict(full["child"], full_name="")
    wrong = _post_step(client, FORM_URL, html, data={"child": child})
    text = wrong.get_data(as_text=True)
    assert wrong.status_code == 200
    assert 'href="#data-child-full_name"' in text and "Nhập họ, chữ đệm và tên của trẻ" in text
    assert "data-mother" not in text and "applicant-phone" not in text  # other steps' problems wait
    assert "Bệnh viện Đa khoa tỉnh Tuyên Quang" in text or full["child"]["place_of_birth"] in text
    moved = _post_step(client, FORM_URL, text, data={"child": full["child"]})
    assert moved.status_code == 303 and "buoc=4" in moved.headers["Location"]

    # step 4: parents and the upload; "Quay lại" keeps what was typed here and goes to step 3
    html = _step(client, moved.headers["Location"])
    assert "Bước 4/4: Cha, mẹ" in html and 'name="file-giay_chung_sinh"' in html
    back = _post_step(
        client,
        FORM_URL,
        html,
        data={k: full[k] for k in ("mother", "father_known", "father")},
        action="back",
    )
    assert back.status_code == 303 and "buoc=3" in back.headers["Location"]
    child_page = _step(client, back.headers["Location"])
    assert full["child"]["full_name"] in child_page and "Quay lại" in child_page
    html = _step(client, back.headers["Location"].replace("buoc=3", "buoc=4"))
    assert full["mother"]["full_name"] in html and full["father"]["id_number"] in html
    done = _post_step(client, FORM_URL, html, files={"file-giay_chung_sinh": (tiny_pdf(), "Giấy chứng sinh.pdf")})
    assert done.status_code == 303 and "/kiem-tra" in done.headers["Location"], done.get_data(as_text=True)[:3000]

    # check your answers: each step under its title with its own change link
    check = _step(client, done.headers["Location"])
    for title in ("Người yêu cầu", "Người đi đăng ký", "Người được khai sinh", "Cha, mẹ", "Giấy chứng sinh.pdf"):
        assert title in check
    for n in (2, 3, 4):
        assert f"buoc={n}" in check
    assert check.index("Người được khai sinh") < check.index(full["child"]["full_name"]) < check.index("Cha, mẹ")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', check).group(1)
    confirm_url = re.search(r'<form method="post" action="([^"]+)"', check).group(1)
    filed = client.post(confirm_url, data={"csrf_token": csrf})
    assert filed.status_code == 303
    assert client.post(confirm_url, data={"csrf_token": csrf}).headers["Location"] == filed.headers["Location"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
        dossier = db.session.scalar(select(Dossier))
        assert dossier.data["child"] == full["child"]
        assert dossier.data["mother"]["full_name"] == full["mother"]["full_name"]
        assert dossier.applicant["phone"] == "0912345678"
        assert [a.original_name for a in dossier.attachments] == ["Giấy chứng sinh.pdf"]


def test_later_steps_need_a_draft_and_one_page_forms_have_no_steps(client, sample_procedures):
    assert client.get(FORM_URL + "?buoc=3").status_code == 303
    html = client.get("/thu-tuc/1.004222/nop-ho-so").get_data(as_text=True)
    assert "Bước" not in html and "Quay lại" not in html
