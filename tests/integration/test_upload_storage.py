"""Storing, deleting, collecting and downloading uploads through the service on a real app and SQLite.

Covers UP-03 (download headers, payload gone), UP-06 (names), UP-08/RL-03 (atomic writes, rollback, orphans).
"""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pikepdf
import pytest
from flask import Flask, abort, current_app
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.extensions import db
from portal.models import Attachment, Dossier, Draft, FormVersion, Procedure
from portal.services import uploads
from portal.services.uploads import (
    UploadRejected,
    attachment_path,
    collect_orphans,
    delete_attachment,
    send_attachment,
    store_upload,
)
from tests.conftest import build_app

UUID_NAME = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
SCRIPT = b"<script>alert(document.cookie)</script>"
CCCD = {"key": "cccd", "name": "Căn cước công dân", "max_mb": 5, "multiple": False}
PAPERS = {"key": "giay_to", "name": "Giấy tờ khác", "multiple": True}


# --- files made in code -----------------------------------------------------------------------------------


def photo(color: str = "red", *, gps: bool = True, trailing: bytes = b"") -> bytes:
    exif = Image.Exif()
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (21.0, 1.0, 30.0), 3: "E", 4: (105.0, 50.0, 12.0)})
    out = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(out, "JPEG", exif=exif)
    return out.getvalue() + trailing


def pdf(pages: int = 1) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def upload(content: bytes, name: str = "cccd.jpg") -> FileStorage:
    return FileStorage(stream=io.BytesIO(content), filename=name, content_type="image/jpeg")


# --- app and rows -----------------------------------------------------------------------------------------


def _download(uid: str):
    attachment = db.session.scalar(select(Attachment).where(Attachment.uid == uid))
    if attachment is None:
        abort(404)
    return send_attachment(attachment, current_app.config["UPLOAD_DIR"])


@pytest.fixture
def upload_app(tmp_path: Path) -> Iterator[Flask]:
    app = build_app("sqlite:///" + str(tmp_path / "t.db"), tmp_path, UPLOAD_DIR=str(tmp_path / "up"))
    # a stand-in for the real download views, which add their access checks around send_attachment
    app.add_url_rule("/_test/tep/<uid>", "test_download", _download)
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def ctx(upload_app: Flask) -> Iterator[Flask]:
    with upload_app.app_context():
        yield upload_app


@pytest.fixture
def upload_dir(upload_app: Flask) -> Path:
    return Path(upload_app.config["UPLOAD_DIR"])


def make_draft() -> Draft:
    procedure = Procedure(code=f"1.{uuid.uuid4().hex[:6]}", name="Đăng ký khai sinh")
    db.session.add(procedure)
    db.session.flush()
    version = FormVersion(
        procedure_id=procedure.id,
        number=1,
        definition={"procedure": {"code": procedure.code, "documents": [CCCD, PAPERS]}, "schema": {}},
        digest="0" * 64,
    )
    db.session.add(version)
    db.session.flush()
    draft = Draft(token=uuid.uuid4().hex, procedure_id=procedure.id, form_version_id=version.id)
    db.session.add(draft)
    db.session.flush()
    return draft


def make_dossier(draft: Draft) -> Dossier:
    dossier = Dossier(
        code=f"H60.22.5-260213-{uuid.uuid4().hex[:4]}",
        procedure_id=draft.procedure_id,
        form_version_id=draft.form_version_id,
        agency_id="H60.22.5",
        applicant={"full_name": "Nguyễn Thị Ánh"},
        applicant_phone="0912345678",
        data={},
        receipt_token=uuid.uuid4().hex,
    )
    db.session.add(dossier)
    db.session.flush()
    return dossier


def download(app: Flask, uid: str, **headers: str):
    response = app.test_client().get(f"/_test/tep/{uid}", headers=headers)
    response.get_data()  # buffer the body, so the file it streams from can be closed at once
    response.close()
    return response


def files_on_disk(root: Path) -> list[Path]:
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def attachment_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment))


# --- storing ----------------------------------------------------------------------------------------------


def test_upload_is_stored_under_a_uuid_with_its_row(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    att = store_upload(
        file_storage=upload(pdf(2), "Đơn đề nghị.pdf"), document=CCCD, draft=draft, upload_dir=upload_dir
    )
    assert att.id is not None
    assert UUID_NAME.fullmatch(att.uid)
    path = attachment_path(att, upload_dir)
    assert path == upload_dir / att.uid[:2] / att.uid
    assert path.read_bytes() == pdf(2)
    assert att.original_name == "Đơn đề nghị.pdf"
    assert att.mime_type == "application/pdf"
    assert att.size == len(pdf(2))
    assert att.draft_id == draft.id and att.dossier_id is None
    assert att.document_key == "cccd"
    assert files_on_disk(upload_dir) == [path]  # no temporary file left beside it


@pytest.mark.parametrize(
    ("name", "display"),
    [
        ("../../etc/passwd", "passwd.jpg"),
        ("a\x00.php.jpg", "a.php.jpg"),
        ("đơn.jpg", "đơn.jpg"),
        ("cccd\r\nX-Injected: 1.jpg", "cccd X-Injected: 1.jpg"),
        ("...", "tep-dinh-kem.jpg"),
        ("Giấy tờ " * 40 + ".jpg", None),
        ("Nguye\u0302\u0303n.jpg", "Nguyễn.jpg"),
    ],
)
def test_hostile_names_are_cleaned_never_used_on_disk_and_download_fine(
    upload_app: Flask, upload_dir: Path, name: str, display: str | None
) -> None:
    with upload_app.app_context():
        att = store_upload(file_storage=upload(photo(), name), document=CCCD, upload_dir=upload_dir)
        db.session.commit()
        uid, stored_name = att.uid, att.original_name
    if display is not None:
        assert stored_name == display
    assert len(stored_name) <= 120 and stored_name.endswith(".jpg")
    assert [path.name for path in files_on_disk(upload_dir)] == [uid]
    response = download(upload_app, uid)
    assert response.status_code == 200
    assert unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1]) == stored_name


def test_failure_between_write_and_rename_leaves_no_file_and_no_row(
    ctx: Flask, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = make_draft()

    def crash(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(uploads.os, "replace", crash)
    with pytest.raises(OSError):
        store_upload(file_storage=upload(photo()), document=CCCD, draft=draft, upload_dir=upload_dir)
    assert files_on_disk(upload_dir) == []
    assert attachment_count() == 0


def test_failure_to_add_the_row_removes_the_written_file(
    ctx: Flask, upload_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = make_draft()

    def broken_flush(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr(db.session, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        store_upload(file_storage=upload(photo()), document=CCCD, draft=draft, upload_dir=upload_dir)
    assert files_on_disk(upload_dir) == []


def test_the_service_flushes_and_a_rollback_takes_the_file_away(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    db.session.commit()
    att = store_upload(file_storage=upload(photo()), document=CCCD, draft=draft, upload_dir=upload_dir)
    path = attachment_path(att, upload_dir)
    assert path.exists()
    db.session.rollback()
    assert attachment_count() == 0
    assert not path.exists()


def test_a_request_that_ends_without_commit_takes_the_file_away(upload_app: Flask, upload_dir: Path) -> None:
    with upload_app.app_context():
        att = store_upload(file_storage=upload(photo()), document=CCCD, upload_dir=upload_dir)
        path = attachment_path(att, upload_dir)
        assert path.exists()
    # the app context ended (Flask-SQLAlchemy removed the session) without a commit
    assert not path.exists()
    with upload_app.app_context():
        assert attachment_count() == 0


def test_a_committed_upload_stays(upload_app: Flask, upload_dir: Path) -> None:
    with upload_app.app_context():
        att = store_upload(file_storage=upload(photo()), document=CCCD, upload_dir=upload_dir)
        path = attachment_path(att, upload_dir)
        db.session.commit()
    assert path.exists()
    with upload_app.app_context():
        assert attachment_count() == 1


def test_delete_removes_the_file_only_after_commit(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    att = store_upload(file_storage=upload(photo()), document=CCCD, draft=draft, upload_dir=upload_dir)
    db.session.commit()
    path = attachment_path(att, upload_dir)

    delete_attachment(att, upload_dir)
    assert path.exists()
    db.session.rollback()
    assert path.exists() and attachment_count() == 1  # the rolled-back delete kept row and file together

    delete_attachment(db.session.scalar(select(Attachment)), upload_dir)
    db.session.commit()
    assert not path.exists() and attachment_count() == 0


def test_a_retried_upload_of_the_same_file_returns_the_same_row(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    first = store_upload(file_storage=upload(photo()), document=PAPERS, draft=draft, upload_dir=upload_dir)
    again = store_upload(file_storage=upload(photo()), document=PAPERS, draft=draft, upload_dir=upload_dir)
    assert again.uid == first.uid
    assert len(files_on_disk(upload_dir)) == 1


def test_single_file_document_replaces_the_drafts_previous_file(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    old = store_upload(file_storage=upload(photo("red")), document=CCCD, draft=draft, upload_dir=upload_dir)
    db.session.commit()
    old_path = attachment_path(old, upload_dir)
    new = store_upload(file_storage=upload(photo("blue")), document=CCCD, draft=draft, upload_dir=upload_dir)
    db.session.commit()
    assert db.session.scalars(select(Attachment.uid)).all() == [new.uid]
    assert not old_path.exists()


def test_a_refused_replacement_keeps_the_previous_file(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    old = store_upload(file_storage=upload(photo()), document=CCCD, draft=draft, upload_dir=upload_dir)
    db.session.commit()
    with pytest.raises(UploadRejected):
        store_upload(file_storage=upload(b"<html>", "cccd.jpg"), document=CCCD, draft=draft, upload_dir=upload_dir)
    assert db.session.scalars(select(Attachment.uid)).all() == [old.uid]
    assert attachment_path(old, upload_dir).exists()


def test_multiple_document_keeps_every_file(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    for color in ("red", "green", "blue"):
        store_upload(file_storage=upload(photo(color)), document=PAPERS, draft=draft, upload_dir=upload_dir)
    assert attachment_count() == 3


def test_file_quota_refuses_the_file_past_the_limit_and_writes_nothing(ctx: Flask, upload_dir: Path) -> None:
    draft = make_draft()
    for color in ("red", "green"):
        store_upload(
            file_storage=upload(photo(color)),
            document=PAPERS,
            draft=draft,
            upload_dir=upload_dir,
            max_files=2,
        )
    with pytest.raises(UploadRejected) as caught:
        store_upload(
            file_storage=upload(photo("blue")),
            document=PAPERS,
            draft=draft,
            upload_dir=upload_dir,
            max_files=2,
        )
    assert caught.value.code == "quota"
    assert len(files_on_disk(upload_dir)) == 2


class CountingStream(io.BytesIO):
    """Counts what was read, and hands out at most `step` bytes per read like a slow socket."""

    def __init__(self, data: bytes, step: int | None = None) -> None:
        super().__init__(data)
        self.consumed = 0
        self.step = step

    def read(self, size: int | None = -1) -> bytes:
        if self.step is not None and (size is None or size < 0 or size > self.step):
            size = self.step
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def test_oversize_upload_is_refused_after_reading_just_past_the_limit(ctx: Flask, upload_dir: Path) -> None:
    stream = CountingStream(photo() + b"\x00" * (6 * 1024 * 1024))
    with pytest.raises(UploadRejected) as caught:
        store_upload(file_storage=FileStorage(stream, "cccd.jpg"), document=CCCD, upload_dir=upload_dir)
    assert caught.value.code == "too_large"
    assert stream.consumed == 5 * 1024 * 1024 + 1
    assert files_on_disk(upload_dir) == []


def test_short_reads_still_collect_the_whole_file(ctx: Flask, upload_dir: Path) -> None:
    content = pdf(3)
    att = store_upload(
        file_storage=FileStorage(CountingStream(content, step=100), "scan.pdf"),
        document=CCCD,
        upload_dir=upload_dir,
    )
    assert attachment_path(att, upload_dir).read_bytes() == content


@pytest.mark.parametrize("content", [b"", pdf()[:300]], ids=["nothing_arrived", "cut_short"])
def test_an_upload_that_did_not_fully_arrive_is_refused(ctx: Flask, upload_dir: Path, content: bytes) -> None:
    with pytest.raises(UploadRejected) as caught:
        store_upload(file_storage=FileStorage(io.BytesIO(content), "scan.pdf"), document=CCCD, upload_dir=upload_dir)
    assert caught.value.code in {"empty", "corrupt"}
    assert files_on_disk(upload_dir) == [] and attachment_count() == 0


# --- downloading ------------------------------------------------------------------------------------------


def test_download_is_an_inert_attachment_with_the_payload_and_gps_gone(upload_app: Flask, upload_dir: Path) -> None:
    with upload_app.app_context():
        att = store_upload(
            file_storage=upload(photo(trailing=SCRIPT), "Ảnh CCCD mặt trước.jpg"),
            document=CCCD,
            upload_dir=upload_dir,
        )
        db.session.commit()
        uid = att.uid
    response = download(upload_app, uid)
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "no-store" in response.headers["Cache-Control"]
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="Anh CCCD mat truoc.jpg"; ')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Ảnh CCCD mặt trước.jpg"
    assert response.data == (upload_dir / uid[:2] / uid).read_bytes()
    assert b"<script" not in response.data
    assert not Image.open(io.BytesIO(response.data)).getexif()


def test_download_survives_a_stored_name_with_crlf(upload_app: Flask, upload_dir: Path) -> None:
    with upload_app.app_context():
        att = store_upload(file_storage=upload(pdf(), "don.pdf"), document=CCCD, upload_dir=upload_dir)
        # a row written before names were cleaned, or by another system
        att.original_name = 'đơn\r\n"gấp"\x00.pdf'
        db.session.commit()
        uid = att.uid
    response = download(upload_app, uid)
    assert response.status_code == 200
    assert "\n" not in response.headers["Content-Disposition"]
    assert response.mimetype == "application/pdf"


def test_download_supports_ranges_for_resuming_on_a_weak_link(upload_app: Flask, upload_dir: Path) -> None:
    with upload_app.app_context():
        att = store_upload(file_storage=upload(pdf(), "don.pdf"), document=CCCD, upload_dir=upload_dir)
        db.session.commit()
        uid, content = att.uid, attachment_path(att, upload_dir).read_bytes()
    response = download(upload_app, uid, Range="bytes=10-19")
    assert response.status_code == 206
    assert response.data == content[10:20]


def test_download_of_a_missing_file_is_404_not_500(upload_app: Flask, upload_dir: Path) -> None:
    with upload_app.app_context():
        att = store_upload(file_storage=upload(pdf(), "don.pdf"), document=CCCD, upload_dir=upload_dir)
        db.session.commit()
        uid = att.uid
        attachment_path(att, upload_dir).unlink()
    assert download(upload_app, uid).status_code == 404


def test_attachment_path_refuses_a_uid_that_is_not_a_uuid(upload_dir: Path) -> None:
    with pytest.raises(ValueError):
        attachment_path(Attachment(uid="../../etc/passwd"), upload_dir)


# --- orphans ----------------------------------------------------------------------------------------------


def test_orphans_older_than_a_day_are_collected_and_nothing_else(ctx: Flask, upload_dir: Path) -> None:
    now = datetime(2026, 2, 13, 9, 0, tzinfo=UTC)
    old, recent = now - timedelta(hours=25), now - timedelta(hours=23)
    open_draft = make_draft()
    filed_draft = make_draft()
    dossier = make_dossier(filed_draft)
    filed_draft.dossier_id = dossier.id

    def stored(color: str, created_at: datetime, **owner: object) -> Attachment:
        att = store_upload(file_storage=upload(photo(color)), document=PAPERS, upload_dir=upload_dir, **owner)
        att.created_at = created_at
        return att

    keep = [
        stored("red", old, draft=open_draft),  # a citizen still filling the form
        stored("green", old, dossier=dossier),  # filed
        stored("blue", recent),  # uploaded through the API a moment ago, not linked yet
    ]
    collect = [
        stored("white", old),  # uploaded, never linked
        stored("black", old, draft=filed_draft),  # left behind on a draft that was filed
    ]
    db.session.commit()

    shard = upload_dir / "ab"
    shard.mkdir(parents=True, exist_ok=True)
    stray_old = shard / "ab000000-0000-4000-8000-000000000001"
    stray_recent = shard / "ab000000-0000-4000-8000-000000000002"
    temp_old = shard / ".ab000000-0000-4000-8000-000000000003.x1y2.part"
    not_ours = upload_dir / "README.txt"
    for path in (stray_old, stray_recent, temp_old, not_ours):
        path.write_bytes(b"x")
    for path in (stray_old, temp_old, not_ours):
        os.utime(path, (old.timestamp(), old.timestamp()))
    os.utime(stray_recent, (recent.timestamp(), recent.timestamp()))
    collected_paths = [attachment_path(att, upload_dir) for att in collect]
    kept_paths = [attachment_path(att, upload_dir) for att in keep]

    assert collect_orphans(upload_dir=str(upload_dir), now=now) == 2 + 2
    db.session.commit()

    assert sorted(db.session.scalars(select(Attachment.uid))) == sorted(att.uid for att in keep)
    assert not any(path.exists() for path in [*collected_paths, stray_old, temp_old])
    assert all(path.exists() for path in [*kept_paths, stray_recent, not_ours])
    assert collect_orphans(upload_dir=str(upload_dir), now=now) == 0


def test_orphan_collection_uses_24_hours_by_default(ctx: Flask, upload_dir: Path) -> None:
    att = store_upload(file_storage=upload(photo()), document=PAPERS, upload_dir=upload_dir)
    db.session.commit()
    assert collect_orphans(upload_dir=str(upload_dir), now=att.created_at + timedelta(hours=23)) == 0
    assert collect_orphans(upload_dir=str(upload_dir), now=att.created_at + timedelta(hours=25)) == 1
