"""A citizen files a birth registration through the web pages: errors, uploads kept, check page, one dossier."""

from __future__ import annotations

import io
import re
import threading

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Attachment, Dossier, DossierEvent, Draft
from tests.factories import applicant, birth_data, certified_copy_data, flatten, form_fields, tiny_pdf, typed_form

FORM_URL = "/thu-tuc/1.001193/nop-ho-so"
COPY_URL = "/thu-tuc/2.000815/nop-ho-so"
CODE_RE = re.compile(r"H60\.22\.5-\d{6}-\d{4,}")


def _fill(client, *, data=None, person=None, files=None, action="continue"):
    page = client.get(FORM_URL)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True))
    flatten("applicant", person if person is not None else applicant(), fields)
    flatten("data", data if data is not None else birth_data(), fields)
    fields["_action"] = action
    payload = fields.to_dict(flat=False)
    for key, (content, name) in (files or {}).items():
        payload[key] = (io.BytesIO(content), name)
    return client.post(FORM_URL, data=payload, content_type="multipart/form-data")


def _dossier_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Dossier))


def test_citizen_files_birth_registration_and_gets_code_and_receipt(app, client, sample_procedures):
    response = _fill(client, files={"file-giay_chung_sinh": (tiny_pdf(), "Giấy chứng sinh.pdf")})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    check = client.get(response.headers["Location"])
    text = check.get_data(as_text=True)
    assert check.status_code == 200
    assert "Trần Minh Đức" in text and "Giấy chứng sinh.pdf" in text and "Nam" in text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    confirm_url = re.search(r'<form method="post" action="([^"]+)"', text).group(1)
    filed = client.post(confirm_url, data={"csrf_token": csrf})
    assert filed.status_code == 303
    confirmation = client.get(filed.headers["Location"])
    page = confirmation.get_data(as_text=True)
    code = CODE_RE.search(page).group(0)
    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        assert dossier.status == "submitted"
        assert dossier.data["child"]["full_name"] == "Trần Minh Đức"
        assert dossier.applicant["phone"] == "0912345678"
        assert [a.original_name for a in dossier.attachments] == ["Giấy chứng sinh.pdf"]
        assert [e.kind for e in dossier.events] == ["submitted"]
        receipt_token = dossier.receipt_token
    receipt = client.get(f"/ho-so/{receipt_token}/bien-nhan.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    receipt_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(receipt.data)).pages)
    assert code in receipt_text
    assert "Trần Minh Đức" in receipt_text
    # identity numbers are masked on paper, the applicant's and those in the answers alike
    assert "008195001234" not in receipt_text and "008090004321" not in receipt_text
    assert "********1234" in receipt_text and "********4321" in receipt_text


def test_errors_are_listed_at_once_and_nothing_typed_or_uploaded_is_lost(app, client, sample_procedures):
    data = birth_data()
    data["child"]["full_name"] = ""
    data["mother"]["id_number"] = "12345"
    response = _fill(
        client,
        data=data,
        person=applicant(phone="12"),
        files={"file-giay_chung_sinh": (tiny_pdf(), "chung-sinh.pdf")},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'class="error-summary"' in html
    summary = html.split('class="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'href="#data-child-full_name"' in summary
    assert 'href="#data-mother-id_number"' in summary
    assert 'href="#applicant-phone"' in summary
    assert "Nhập họ, chữ đệm và tên của trẻ" in summary
    assert "^[0-9]" not in html  # never a pattern shown to a citizen
    assert 'value="12345"' in html and "Trần Văn Ệ" in html  # typed values are kept
    assert "chung-sinh.pdf" in html  # the upload survived the error
    # fixing only the fields, without sending the file again, is enough to go on
    fields = form_fields(html)
    fields["data-child-full_name"] = "Trần Minh Đức"
    fields["data-mother-id_number"] = "008195001234"
    fields["applicant-phone"] = "+84 912 345 678"
    fields["_action"] = "continue"
    fixed = client.post(FORM_URL, data=fields.to_dict(flat=False), content_type="multipart/form-data")
    assert fixed.status_code == 303, fixed.get_data(as_text=True)[:3000]


def test_missing_required_document_is_named(client, sample_procedures):
    response = _fill(client)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#file-giay_chung_sinh"' in html
    assert "Đính kèm Giấy chứng sinh" in html


def test_spoofed_upload_gets_a_clear_message_and_keeps_answers(client, sample_procedures):
    response = _fill(client, files={"file-giay_chung_sinh": (b"<html><script>alert(1)</script></html>", "cccd.jpg")})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'href="#file-giay_chung_sinh"' in html
    assert "Trần Minh Đức" in html


def _check_page(client):
    response = _fill(client, files={"file-giay_chung_sinh": (tiny_pdf(), "cs.pdf")})
    assert response.status_code == 303
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)
    return re.search(r'<form method="post" action="([^"]+)"', text).group(1), csrf


def test_double_submit_files_one_dossier(app, client, sample_procedures):
    url, csrf = _check_page(client)
    first = client.post(url, data={"csrf_token": csrf})
    second = client.post(url, data={"csrf_token": csrf})
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert _dossier_count(app) == 1


def test_two_concurrent_submits_of_one_form_file_one_dossier(app, sample_procedures):
    client = app.test_client()
    url, csrf = _check_page(client)
    cookie = client.get_cookie("session").value
    locations, errors = [], []
    barrier = threading.Barrier(2)

    def submit():
        other = app.test_client()
        other.set_cookie("session", cookie)
        barrier.wait()
        try:
            locations.append(other.post(url, data={"csrf_token": csrf}).headers.get("Location"))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(locations)) == 1 and locations[0]
    assert _dossier_count(app) == 1


def test_add_and_remove_rows_of_a_repeatable_group_without_javascript(client, sample_procedures):
    page = client.get("/thu-tuc/1.004222/nop-ho-so").get_data(as_text=True)
    add = re.search(r'name="_action" value="(add:[^"]+)"', page)
    assert add, "the household members group has an add button"
    fields = form_fields(page)
    fields["_action"] = add.group(1)
    added = client.post(
        "/thu-tuc/1.004222/nop-ho-so", data=fields.to_dict(flat=False), content_type="multipart/form-data"
    )
    html = added.get_data(as_text=True)
    assert added.status_code == 200
    assert 'class="error-summary"' not in html  # adding a row is not a validation
    remove = re.search(r'name="_action" value="(remove:[^"]+)"', html)
    assert remove
    fields = form_fields(html)
    rows_before = len(re.findall(r'value="remove:', html))
    fields["_action"] = remove.group(1)
    removed = client.post(
        "/thu-tuc/1.004222/nop-ho-so", data=fields.to_dict(flat=False), content_type="multipart/form-data"
    ).get_data(as_text=True)
    assert len(re.findall(r'value="remove:', removed)) == rows_before - 1


def test_lost_session_rerenders_the_form_with_everything_typed(app, sample_procedures):
    client = app.test_client()
    fields = typed_form(client, FORM_URL, data=birth_data(), person=applicant())
    fresh = app.test_client()  # the session cookie is gone: the CSRF token no longer matches
    response = fresh.post(FORM_URL, data=fields.to_dict(flat=False), content_type="multipart/form-data")
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Trần Minh Đức" in html and "Phiên làm việc đã hết hạn" in html
    assert re.search(r'name="csrf_token" value="[^"]+"', html)


def test_lookup_shows_status_but_no_personal_data(app, client, sample_procedures):
    url, csrf = _check_page(client)
    client.post(url, data={"csrf_token": csrf})
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        code = dossier.code
    page = client.get(f"/tra-cuu?ma={code}").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    found = client.post("/tra-cuu", data={"csrf_token": csrf, "ma": code, "sdt": "0912 345 678"})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and code in html and "Đăng ký khai sinh" in html
    assert "008195001234" not in html and "Nguyễn Thị Ánh" not in html and "Đồng Mừng" not in html
    wrong = client.post("/tra-cuu", data={"csrf_token": csrf, "ma": code, "sdt": "0987654321"})
    assert (
        wrong.status_code == 404 and code not in wrong.get_data(as_text=True).split("<main", 1)[1].split('name="ma"')[0]
    )


@pytest.mark.parametrize("path", ["/", "/thu-tuc/1.001193", FORM_URL, "/tra-cuu"])
def test_pages_switch_to_english(client, sample_procedures, path):
    assert '<html lang="vi">' in client.get(path).get_data(as_text=True)
    html = client.get(path + "?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html and "Tiếng Việt" in html
    assert '<html lang="en">' in client.get(path).get_data(as_text=True)  # the cookie keeps English


def test_unknown_procedure_is_a_friendly_404(client, sample_procedures):
    response = client.get("/thu-tuc/9.999999/nop-ho-so")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_attachments_move_from_draft_to_dossier(app, client, sample_procedures):
    url, csrf = _check_page(client)
    client.post(url, data={"csrf_token": csrf})
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        assert attachment.dossier_id is not None and attachment.draft_id is None
        assert db.session.scalar(select(func.count()).select_from(DossierEvent)) == 1


def _branch_of(html: str, field: str) -> str:
    """The opening tag of the conditional block that holds the field."""
    before = html[: html.index(f'for="{field}"')]
    return before[before.rindex('<fieldset class="fe-when"') :].split(">", 1)[0]


def _post_page(client, html: str, values: dict, action: str = "continue"):
    """Post a page of the form as a browser would, with `values` typed over what it shows."""
    fields = form_fields(html)
    for name, value in values.items():
        fields.poplist(name)
        fields[name] = value
    fields["_action"] = action
    url = re.search(r'<form method="post"[^>]*action="([^"]+)"', html).group(1).replace("&amp;", "&")
    return client.post(url, data=fields.to_dict(flat=False), content_type="multipart/form-data")


def _copy_step(client, step: int) -> str:
    """The certified copy form (2.000815) at `step`, the steps before it filled with valid answers."""
    html = client.get(COPY_URL).get_data(as_text=True)
    answers = certified_copy_data()
    steps = [
        flatten("applicant", applicant(), form_fields("")).to_dict(),
        {
            "data-document_name": answers["document_name"],
            "data-origin-__alt": "0",
            "data-origin-issuer": answers["origin"]["issuer"],
        },
    ]
    for values in steps[: step - 1]:
        moved = _post_page(client, html, values)
        assert moved.status_code == 303, moved.get_data(as_text=True)[:3000]
        html = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert f"Bước {step}/3" in html
    return html


def test_update_button_shows_the_branch_that_now_applies_without_validating(client, sample_procedures):
    page = _copy_step(client, 3)
    assert "hidden disabled" in _branch_of(page, "data-delivery_address")  # by post only
    updated = _post_page(client, page, {"data-delivery": "buu_dien"}, action="update")
    html = updated.get_data(as_text=True)
    assert updated.status_code == 200
    assert 'class="error-summary"' not in html  # an update is not a validation
    assert "hidden" not in _branch_of(html, "data-delivery_address")
    label = html[html.index('for="data-delivery_address"') :].split("</label>", 1)[0]
    assert "không bắt buộc" not in label  # required now that it applies


def test_update_button_swaps_the_alternative_without_validating(client, sample_procedures):
    page = _copy_step(client, 2)
    assert "hidden disabled" not in _branch_of(page, "data-origin-issuer")  # issued in Vietnam, at first
    assert "hidden disabled" in _branch_of(page, "data-origin-issuing_country")
    updated = _post_page(client, page, {"data-origin-__alt": "1"}, action="update")
    html = updated.get_data(as_text=True)
    assert updated.status_code == 200
    assert 'class="error-summary"' not in html
    assert "hidden disabled" in _branch_of(html, "data-origin-issuer")
    assert "hidden" not in _branch_of(html, "data-origin-issuing_country")
    label = html[html.index('for="data-origin-issuing_country"') :].split("</label>", 1)[0]
    assert "không bắt buộc" not in label  # required in the alternative picked


def test_a_step_left_empty_speaks_of_the_alternative_picked_and_files_only_its_answers(app, client, sample_procedures):
    page = _copy_step(client, 2)
    empty = _post_page(client, page, {"data-document_name": "Bằng thạc sĩ", "data-origin-__alt": "1"})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 200
    errors = re.findall(r'<p class="fe-error"[^>]*>(.*?)</p>', html)
    assert any("Nhập tên nước đã cấp bản chính" in e for e in errors), errors
    assert any("Chọn tình trạng hợp pháp hóa lãnh sự" in e for e in errors), errors
    assert not any("cơ quan, tổ chức đã cấp" in e for e in errors), errors
    # the summary at the top says the same and links to the fields on the page, not to the hidden ones
    summary = html[html.index('class="error-summary"') :].split("</div>", 1)[0]
    assert 'href="#data-origin-issuing_country"' in summary and "Nhập tên nước đã cấp bản chính" in summary
    assert "data-origin-issuer" not in summary and "cơ quan, tổ chức đã cấp" not in summary
    # a forged answer for the alternative not picked (its block is posted by no browser) is dropped
    moved = _post_page(
        client,
        html,
        {
            "data-origin-issuer": "Sở Tư pháp",
            "data-origin-issuing_country": "Nhật Bản",
            "data-origin-legalisation": "duoc_mien",
        },
    )
    assert moved.status_code == 303 and "buoc=3" in moved.headers["Location"]
    token = re.search(r"ho-so-tam=([^&]+)", moved.headers["Location"]).group(1)
    with app.app_context():
        draft = db.session.scalar(select(Draft).where(Draft.token == token))
        assert draft.data["origin"] == {"issuing_country": "Nhật Bản", "legalisation": "duoc_mien"}
