"""Threats of design/threats.md owned by the intake issue that need the whole app: XS, PD-02, UP-08, RL-03…06."""

from __future__ import annotations

import copy
import errno
import io
import json
import logging
import re
import sqlite3
import threading
import time
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select, text

from portal.extensions import db
from portal.models import Attachment, Dossier, Draft
from tests.conftest import FORMS_DIR, build_app
from tests.factories import applicant, birth_data, flatten, form_fields, tiny_pdf, typed_form

XSS = '<img src=x onerror=alert(1)>"><svg onload=alert(2)><a href="javascript:alert(3)">x</a>'
BIRTH = "/api/v1/procedures/1.001193/dossiers"
FORM_URL = "/thu-tuc/1.001193/nop-ho-so"


def _hostile_definition() -> dict:
    """The birth form with script in every piece of admin-authored text."""
    doc = json.loads((FORMS_DIR / "1.001193.json").read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    meta = doc["procedure"]
    meta["name"] += XSS
    meta["description"] = XSS
    meta["field"] = XSS
    meta["result"] = XSS
    meta["documents"][0]["name"] += XSS
    schema = doc["schema"]
    schema["properties"]["child"]["title"] = XSS
    schema["properties"]["child"]["properties"]["full_name"]["title"] = XSS
    schema["properties"]["child"]["properties"]["full_name"]["description"] = XSS
    schema["properties"]["child"]["properties"]["sex"]["oneOf"][0]["title"] = XSS
    doc["uiSchema"]["child"]["full_name"]["ui:placeholder"] = XSS
    doc["uiSchema"]["child"]["full_name"]["ui:help"] = XSS
    doc["uiSchema"]["child"]["full_name"]["ui:errorMessages"]["required"] = XSS
    return doc


class _ActiveMarkup(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "svg" or (tag == "img" and dict(attrs).get("src") == "x"):
            self.found.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"{tag}[{name}=javascript:]")


def _assert_no_markup(html: str) -> None:
    """Parsed as a browser would: no element, event handler or javascript: URL came from the text."""
    parser = _ActiveMarkup()
    parser.feed(html)
    assert parser.found == []


def _walk_filing(client, person=None, data=None):
    page = client.get(FORM_URL)
    fields = form_fields(page.get_data(as_text=True))
    flatten("applicant", person or applicant(), fields)
    flatten("data", data or birth_data(), fields)
    fields["_action"] = "continue"
    payload = fields.to_dict(flat=False)
    payload["file-giay_chung_sinh"] = (io.BytesIO(tiny_pdf()), "cs.pdf")
    return client.post(FORM_URL, data=payload, content_type="multipart/form-data")


def test_xs01_admin_text_is_escaped_on_every_page_and_csp_is_sent(app, client, tmp_path):
    path = tmp_path / "1.001193.json"
    path.write_text(json.dumps(_hostile_definition(), ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["forms", "import", str(path)])
    assert result.exit_code == 0, result.output
    pages = [client.get("/"), client.get("/?q=khai"), client.get("/thu-tuc/1.001193"), client.get(FORM_URL)]
    data = birth_data()
    data["child"]["full_name"] = ""
    pages.append(_walk_filing(client, data=data))  # the error page shows the admin's error message
    for response in pages:
        html = response.get_data(as_text=True)
        assert "alert(1)" in html  # the text is there, as text
        _assert_no_markup(html)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert client.get("/api/v1/procedures/1.001193").get_json()["name"].endswith(XSS)


def test_xs02_citizen_text_is_escaped_on_check_confirmation_and_receipt(app, client, sample_procedures):
    data = birth_data()
    data["child"]["full_name"] = '"><svg onload=alert(2)>'
    data["child"]["place_of_birth"] = XSS
    response = _walk_filing(client, person=applicant(address=XSS), data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    check = client.get(response.headers["Location"]).get_data(as_text=True)
    _assert_no_markup(check)
    assert "&lt;svg onload=alert(2)&gt;" in check
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', check).group(1)
    url = re.search(r'<form method="post" action="([^"]+)"', check).group(1)
    confirmation = client.get(client.post(url, data={"csrf_token": csrf}).headers["Location"])
    _assert_no_markup(confirmation.get_data(as_text=True))
    with app.app_context():
        token = db.session.scalar(select(Dossier.receipt_token))
    pdf = client.get(f"/ho-so/{token}/bien-nhan.pdf").data
    assert b"/EmbeddedFile" not in pdf and b"/JavaScript" not in pdf


def test_xs03_logs_are_one_json_line_per_event_without_id_or_phone(app, client, sample_procedures, caplog):
    person = applicant(full_name="Lê Văn Tám\r\nINFO login ok admin", id_number="008195001234")
    with caplog.at_level(logging.INFO, logger="portal"):
        response = client.post(
            BIRTH,
            data={
                "payload": json.dumps({"applicant": person, "data": birth_data()}, ensure_ascii=False),
                "giay_chung_sinh": (io.BytesIO(tiny_pdf()), "cs.pdf"),
            },
            content_type="multipart/form-data",
        )
    assert response.status_code == 201
    from portal.logs import JsonFormatter

    lines = [JsonFormatter().format(record) for record in caplog.records]
    assert any(json.loads(line).get("event") == "dossier_filed" for line in lines)
    for line in lines:
        assert "\n" not in line and "\r" not in line
        assert not re.search(r"[0-9]{9,}", line), line
        json.loads(line)
    assert JsonFormatter().format(logging.makeLogRecord({"msg": "cccd 008195001234 sdt 0912 345 678"})).count("*") >= 15


def test_pd02_a_hanging_renderer_answers_503_and_the_dossier_is_kept(app, client, sample_procedures, monkeypatch):
    import portal.receipts.pdf as pdf_module

    filed = client.post(
        BIRTH,
        data={
            "payload": json.dumps({"applicant": applicant(), "data": birth_data()}, ensure_ascii=False),
            "giay_chung_sinh": (io.BytesIO(tiny_pdf()), "cs.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert filed.status_code == 201
    release = threading.Event()

    def hang(*args, **kwargs):
        release.wait(5)
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf_module, "render_receipt_pdf", hang)
    app.config["RECEIPT_TIMEOUT"] = 0.3
    url = filed.get_json()["receipt_url"].replace("http://localhost", "")
    pending = client.get(url)
    release.set()
    assert pending.status_code == 503 and pending.headers["Retry-After"]
    assert "đang được chuẩn bị" in pending.get_data(as_text=True)
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
    time.sleep(0.2)
    app.config["RECEIPT_TIMEOUT"] = 60
    assert client.get(url).status_code == 200


def test_up08_a_cut_upload_is_400_and_leaves_no_file(app, client, sample_procedures):
    boundary = "cut"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n'
        f"{json.dumps({'applicant': applicant(), 'data': birth_data()})}\r\n"
        f'--{boundary}\r\nContent-Disposition: form-data; name="giay_chung_sinh"; filename="scan.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode() + tiny_pdf()[:200]
    response = client.post(
        BIRTH,
        input_stream=io.BytesIO(body),
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(body) + 4000),
        },
    )
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
    from pathlib import Path

    stored = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
    assert stored == []


@pytest.mark.parametrize("fault_at", ["after_file_write", "before_commit", "at_commit"])
def test_rl03_a_crash_mid_submit_leaves_nothing_half_written_and_the_retry_files_once(
    app, client, sample_procedures, monkeypatch, fault_at
):
    import portal.blueprints.api.routes as routes
    import portal.services.dossiers as dossiers

    def boom(*args, **kwargs):
        raise RuntimeError(f"injected fault {fault_at}")

    if fault_at == "after_file_write":
        monkeypatch.setattr(dossiers, "next_sequence", boom)
    elif fault_at == "before_commit":
        monkeypatch.setattr(routes, "_created", boom)
    else:

        def failing_commit():
            db.session.rollback()
            raise RuntimeError("connection lost at commit")

        monkeypatch.setattr(db.session, "commit", failing_commit)
    body = {"payload": json.dumps({"applicant": applicant(), "data": birth_data()}, ensure_ascii=False)}
    headers = {"Idempotency-Key": f"fault-{fault_at}"}
    failed = client.post(
        BIRTH,
        data={**body, "giay_chung_sinh": (io.BytesIO(tiny_pdf()), "cs.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert failed.status_code == 500 and failed.is_json
    monkeypatch.undo()
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
    from pathlib import Path

    assert [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()] == []
    retry = client.post(
        BIRTH,
        data={**body, "giay_chung_sinh": (io.BytesIO(tiny_pdf()), "cs.pdf")},
        content_type="multipart/form-data",
        headers=headers,
    )
    assert retry.status_code == 201
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_rl04_durability_settings(app):
    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        else:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert conn.execute(text("SHOW fsync")).scalar() == "on"


def test_rl05_a_held_lock_answers_503_with_everything_typed(tmp_path):
    app = build_app(f"sqlite:///{tmp_path / 'busy.db'}", tmp_path, SQLITE_BUSY_TIMEOUT=0.5)
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["forms", "import", str(FORMS_DIR)]).exit_code == 0
    client = app.test_client()
    fields = typed_form(client, FORM_URL, data=birth_data(), person=applicant())
    path = str(tmp_path / "busy.db")
    holder = sqlite3.connect(path, timeout=1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.post(FORM_URL, data=fields.to_dict(flat=False), content_type="multipart/form-data")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    html = response.get_data(as_text=True)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert "Trần Minh Đức" in html and "008195001234" in html
    assert waited < 5  # the configured wait, not a hang
    retry = client.post(FORM_URL, data=fields.to_dict(flat=False), content_type="multipart/form-data")
    assert retry.status_code in (200, 303)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Draft)) == 1
        db.engine.dispose()


def test_rl06_disk_full_on_upload_is_507_and_nothing_is_kept(app, client, sample_procedures, monkeypatch):
    import portal.services.uploads as uploads

    def full_disk(path, content):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(uploads, "_write_atomically", full_disk)
    response = client.post(
        BIRTH,
        data={
            "payload": json.dumps({"applicant": applicant(), "data": birth_data()}, ensure_ascii=False),
            "giay_chung_sinh": (io.BytesIO(tiny_pdf()), "cs.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 507 and response.is_json
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 0
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_up08_orphan_uploads_are_collected_by_the_daily_command(app, client, sample_procedures):
    from datetime import UTC, datetime, timedelta

    page = client.get(FORM_URL).get_data(as_text=True)
    fields = form_fields(page)
    fields["_action"] = "continue"
    payload = fields.to_dict(flat=False)
    payload["file-giay_chung_sinh"] = (io.BytesIO(tiny_pdf()), "cs.pdf")
    client.post(FORM_URL, data=payload, content_type="multipart/form-data")  # a draft with one upload
    with app.app_context():
        attachment = db.session.scalar(select(Attachment))
        attachment.draft_id = None  # as if its draft were gone
        attachment.created_at = datetime.now(UTC) - timedelta(hours=30)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["maintenance", "collect-uploads"])
    assert result.exit_code == 0 and result.output.startswith("1 ")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
