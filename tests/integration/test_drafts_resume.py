"""Resumable drafts: the code shown and sent by SMS once, the outbox and its retries, resuming on another device."""

from __future__ import annotations

import io
import re
from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Attachment, Dossier, Draft, Notification
from portal.models.types import utcnow
from portal.notify.local import recorded
from tests.factories import applicant, birth_data, flatten, form_fields, tiny_pdf

FORM_URL = "/thu-tuc/1.001193/nop-ho-so"
SHOWN_CODE = re.compile(r'class="resume-code">([3479ACDEFHJKMNPRTWXY]{4}-[3479ACDEFHJKMNPRTWXY]{4})<')
GENERIC_REFUSAL = "Không tìm thấy bản nháp với mã và số điện thoại này"


class FailingSender:
    """An SMS gateway that is down."""

    def __init__(self, *, instance_dir: str) -> None:
        pass

    def send(self, message) -> None:
        raise ConnectionError("gateway 0912345678 unreachable")


def _fill(client, *, data=None, person=None, files=None):
    page = client.get(FORM_URL)
    assert page.status_code == 200
    fields = form_fields(page.get_data(as_text=True))
    flatten("applicant", person if person is not None else applicant(), fields)
    flatten("data", data if data is not None else birth_data(), fields)
    fields["_action"] = "continue"
    payload = fields.to_dict(flat=False)
    for key, (content, name) in (files or {}).items():
        payload[key] = (io.BytesIO(content), name)
    return client.post(FORM_URL, data=payload, content_type="multipart/form-data")


def _continue(client, html: str, **changes):
    """Post the page back as the browser would, with some fields changed: the same draft is saved again."""
    fields = form_fields(html)
    for name, value in changes.items():
        fields[name] = value
    fields["_action"] = "continue"
    return client.post(FORM_URL, data=fields.to_dict(flat=False), content_type="multipart/form-data")


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _resume(client, code: str, phone: str):
    page = client.get("/tiep-tuc").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    return client.post("/tiep-tuc", data={"csrf_token": csrf, "ma": code, "sdt": phone})


def _started_draft(client) -> tuple[str, str]:
    """A draft with a file whose form still has a problem (so the form page comes back): (its code, the page)."""
    data = birth_data()
    data["child"]["full_name"] = ""
    response = _fill(client, data=data, files={"file-giay_chung_sinh": (tiny_pdf(), "Giấy chứng sinh.pdf")})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return SHOWN_CODE.search(html).group(1), html


def _started_draft_with_code(app, client) -> str:
    return _started_draft(client)[0]


def test_first_save_shows_the_code_and_queues_exactly_one_sms(app, client, runner, sample_procedures):
    app.config["NOTIFY_AFTER_REQUEST"] = False
    code, html = _started_draft(client)
    again = _continue(client, html, **{"data-child-full_name": "Trần Minh Đức"})
    assert again.status_code == 303
    check = client.get(again.headers["Location"]).get_data(as_text=True)
    assert code in check and "Mã tiếp tục" in check
    with app.app_context():
        outbox = db.session.scalars(select(Notification)).all()
        assert len(outbox) == 1 and outbox[0].status == "pending" and outbox[0].channel == "sms"
        assert db.session.scalar(select(Draft.resume_code_hash)) not in (None, code)
    assert recorded(app.instance_path) == []

    result = runner.invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    assert "1 sent" in result.output
    messages = recorded(app.instance_path)
    assert len(messages) == 1
    assert messages[0]["recipient"] == "0912345678"
    assert code in messages[0]["body"] and "/tiep-tuc" in messages[0]["body"]
    assert messages[0]["body"].isascii() and len(messages[0]["body"]) <= 160
    assert runner.invoke(args=["notifications", "send"]).output.startswith("0 sent")
    assert len(recorded(app.instance_path)) == 1
    # sent messages hold the code in clear: they are purged after a while, pending ones never
    assert "0 finished" in runner.invoke(args=["notifications", "purge", "--days", "1"]).output
    with app.app_context():
        db.session.scalar(select(Notification)).created_at = utcnow() - timedelta(days=2)
        db.session.commit()
    assert "1 finished" in runner.invoke(args=["notifications", "purge", "--days", "1"]).output
    assert _count(app, Notification) == 0


def test_no_code_without_a_valid_mobile_number(app, client, sample_procedures):
    response = _fill(client, person=applicant(phone="12"))
    assert response.status_code == 200
    assert not SHOWN_CODE.search(response.get_data(as_text=True))
    assert _count(app, Notification) == 0


def test_form_page_states_until_when_the_draft_is_kept(app, client, sample_procedures):
    response = _fill(client, person=applicant(phone="12"))
    day = (utcnow() + timedelta(days=30, hours=7)).strftime("%d/%m/%Y")
    assert f"Bản nháp được lưu đến ngày {day}" in response.get_data(as_text=True)


def test_sms_goes_out_right_after_the_request_by_default(app, client, sample_procedures):
    code = _started_draft_with_code(app, client)
    messages = recorded(app.instance_path)
    assert len(messages) == 1 and code in messages[0]["body"]


def test_a_failing_sender_is_retried_with_backoff_then_marked_failed(app, client, sample_procedures):
    app.config["NOTIFY_SENDER"] = f"{__name__}:FailingSender"
    response = _fill(client, files={"file-giay_chung_sinh": (tiny_pdf(), "cs.pdf")})
    assert response.status_code == 303  # the gateway being down never fails the citizen's request
    from portal.services.notifications import deliver_with_settings

    with app.app_context():
        row = db.session.scalar(select(Notification))
        assert row.status == "pending" and row.attempts == 1
        assert "ConnectionError" in row.last_error and "0912345678" not in row.last_error
        due = row.next_attempt_at
        assert deliver_with_settings(now=due - timedelta(seconds=1)).retrying == 0  # not before the backoff
        delays = []
        for attempt in range(2, 6):
            report = deliver_with_settings(now=due)
            row = db.session.scalar(select(Notification).execution_options(populate_existing=True))
            assert row.attempts == attempt
            if attempt < 5:
                assert report.retrying == 1 and row.status == "pending"
                delays.append(row.next_attempt_at - due)
                due = row.next_attempt_at
            else:
                assert report.failed == 1 and row.status == "failed"
        assert delays == [timedelta(seconds=120), timedelta(seconds=240), timedelta(seconds=480)]
        assert deliver_with_settings(now=due + timedelta(days=1)).failed == 0


def test_resume_on_another_device_brings_back_everything_and_files_one_dossier(app, client, sample_procedures):
    code = _started_draft_with_code(app, client)
    other = app.test_client()
    typed = code.lower().replace("-", " ")
    response = _resume(other, typed, "+84 912 345 678")
    assert response.status_code == 303
    # the birth form is filled in steps: 1 applicant, 2 requester, 3 child, 4 parents and the upload; the
    # draft goes on where something is still missing: the child's name, on step 3
    token = re.search(r"ho-so-tam=([^&]+)", response.headers["Location"]).group(1)
    assert "buoc=3" in response.headers["Location"]
    page = other.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Bệnh viện Đa khoa tỉnh Tuyên Quang" in html and code in html
    assert 'class="error-summary"' not in html  # nothing said yet: she has not pressed anything
    draft_url = f"{FORM_URL}?ho-so-tam={token}"
    first = other.get(draft_url + "&buoc=1").get_data(as_text=True)
    assert "Nguyễn Thị Ánh" in first
    last = other.get(draft_url + "&buoc=4").get_data(as_text=True)
    assert "Trần Văn Ệ" in last and "Giấy chứng sinh.pdf" in last
    fields = form_fields(html)
    fields["data-child-full_name"] = "Trần Minh Đức"
    fields["_action"] = "continue"
    step = other.post(FORM_URL + "?buoc=3", data=fields.to_dict(flat=False), content_type="multipart/form-data")
    assert step.status_code == 303 and "buoc=4" in step.headers["Location"], step.get_data(as_text=True)[:2000]
    fields = form_fields(other.get(step.headers["Location"]).get_data(as_text=True))
    fields["_action"] = "continue"
    saved = other.post(FORM_URL + "?buoc=4", data=fields.to_dict(flat=False), content_type="multipart/form-data")
    assert saved.status_code == 303, saved.get_data(as_text=True)[:2000]
    check = other.get(saved.headers["Location"]).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', check).group(1)
    confirm_url = re.search(r'<form method="post" action="([^"]+)"', check).group(1)
    first = other.post(confirm_url, data={"csrf_token": csrf})
    assert first.status_code == 303
    # the first device submits the same draft too: still one dossier
    first_check = client.get(saved.headers["Location"])
    assert first_check.status_code == 303 and first_check.headers["Location"] == first.headers["Location"]
    assert _count(app, Dossier) == 1
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert dossier.data["child"]["full_name"] == "Trần Minh Đức"
        assert [a.original_name for a in dossier.attachments] == ["Giấy chứng sinh.pdf"]
    assert _count(app, Notification) == 1
    # a filed draft is not resumable any more
    assert _resume(app.test_client(), code, "0912345678").status_code == 404


def test_a_corrected_mobile_number_gets_a_new_code_and_the_old_one_stops(app, client, sample_procedures):
    app.config["NOTIFY_AFTER_REQUEST"] = False
    old_code, html = _started_draft(client)
    corrected = _continue(client, html, **{"applicant-phone": "0987 654 321"})
    new_page = corrected.get_data(as_text=True)
    if corrected.status_code == 303:
        new_page = client.get(corrected.headers["Location"]).get_data(as_text=True)
    new_code = SHOWN_CODE.search(new_page).group(1)
    assert new_code != old_code
    with app.app_context():
        outbox = db.session.scalars(select(Notification).order_by(Notification.id)).all()
        assert [n.recipient for n in outbox] == ["0912345678", "0987654321"]
        assert new_code in outbox[1].body and old_code not in outbox[1].body
    # saving again with the same number sends nothing more
    _continue(client, new_page)
    assert _count(app, Notification) == 2
    assert _resume(app.test_client(), old_code, "0987654321").status_code == 404
    assert _resume(app.test_client(), old_code, "0912345678").status_code == 404
    assert _resume(app.test_client(), new_code, "0987654321").status_code == 303


def test_a_resumed_draft_with_nothing_missing_opens_on_the_check_page(app, client, sample_procedures):
    response = _fill(client, files={"file-giay_chung_sinh": (tiny_pdf(), "Giấy chứng sinh.pdf")})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    code = SHOWN_CODE.search(client.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    resumed = _resume(app.test_client(), code, "0912345678")
    assert resumed.status_code == 303 and resumed.headers["Location"].endswith("/kiem-tra")


def test_wrong_phone_or_wrong_code_get_the_same_generic_answer(app, client, sample_procedures):
    code = _started_draft_with_code(app, client)
    wrong_code = "ACDE-7K4M" if code != "ACDE-7K4M" else "ACDE-7K4N"
    answers = [
        _resume(app.test_client(), code, "0987654321"),
        _resume(app.test_client(), wrong_code, "0912345678"),
        _resume(app.test_client(), "not a code", "0912345678"),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404]
    texts = [a.get_data(as_text=True) for a in answers]
    assert all(GENERIC_REFUSAL in t for t in texts)
    assert "Trần" not in "".join(texts)


def test_an_expired_draft_cannot_be_resumed_and_housekeeping_deletes_it(app, client, runner, sample_procedures):
    code = _started_draft_with_code(app, client)
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        draft.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    response = _resume(app.test_client(), code, "0912345678")
    assert response.status_code == 404 and GENERIC_REFUSAL in response.get_data(as_text=True)
    assert _count(app, Attachment) == 1
    result = runner.invoke(args=["maintenance", "collect-drafts"])
    assert result.exit_code == 0, result.output
    assert "1 expired draft(s) removed" in result.output
    assert _count(app, Draft) == 0 and _count(app, Attachment) == 0


def test_saving_pushes_the_expiry_back(app, client, sample_procedures):
    _code, html = _started_draft(client)
    with app.app_context():
        draft = db.session.scalar(select(Draft))
        draft.expires_at = utcnow() + timedelta(days=1)
        db.session.commit()
    _continue(client, html)
    with app.app_context():
        assert db.session.scalar(select(Draft.expires_at)) > utcnow() + timedelta(days=29)
    assert _count(app, Draft) == 1


def test_too_many_attempts_get_429_even_with_the_right_code(app, client, sample_procedures):
    code = _started_draft_with_code(app, client)
    guesser = app.test_client()
    for _ in range(10):
        assert _resume(guesser, "ACDE-7K4M", "0912345678").status_code == 404
    blocked = _resume(guesser, code, "0912345678")
    assert blocked.status_code == 429
    assert "quá nhiều lần" in blocked.get_data(as_text=True)
    # a new cookie does not help: the address is counted too
    assert _resume(app.test_client(), code, "0912345678").status_code == 429


def test_phone_and_code_stay_out_of_the_logs(app, client, sample_procedures, caplog):
    caplog.set_level("INFO", logger="portal")
    code = _started_draft_with_code(app, client)
    _resume(app.test_client(), code, "0987654321")
    _resume(app.test_client(), code, "0912345678")
    text = "\n".join(record.getMessage() + str(record.__dict__) for record in caplog.records)
    assert "0912345678" not in text and "0987654321" not in text and code not in text
