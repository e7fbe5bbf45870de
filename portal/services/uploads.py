"""Storing citizen uploads: checked by portal.uploads, written atomically under a UUID, one row each.

Files live under ``<upload_dir>/<uid[:2]>/<uid>``, outside the web root and never under the citizen's name.
Rows are flushed, never committed. Files follow the transaction: a new file is removed again when the
transaction that created its row ends without a commit, and a deleted row's file goes only after the
commit, so a rollback never leaves a row without its file. A crash in between leaves at most a file without
a row, which collect_orphans removes a day later.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any

from flask import Response, send_file
from sqlalchemy import event, or_, select
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.datastructures import FileStorage
from werkzeug.exceptions import NotFound

from portal.extensions import db
from portal.models import Attachment, Dossier, Draft
from portal.uploads import (
    SUPPORTED,
    UploadRejected,
    check_quota,
    content_disposition,
    inspect_upload,
    normalize_accept,
)

__all__ = [
    "UploadRejected",
    "attachment_path",
    "check_quota",
    "collect_orphans",
    "count_attachments",
    "delete_attachment",
    "document_limits",
    "send_attachment",
    "store_upload",
]

#: per-file limit when a document entry gives no max_mb (procedure-definition.md)
DEFAULT_MAX_MB = 10
ORPHAN_AGE = timedelta(hours=24)

_CHUNK = 64 * 1024
_TEMP_SUFFIX = ".part"
_UID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_SHARD = re.compile(r"[0-9a-f]{2}")
_LEDGER = "portal.uploads.files"
# SQLite allows 32766 bound parameters since 3.32, older builds 999
_IN_BATCH = 500


# --- files that follow the transaction ------------------------------------------------------------------


def _ledger() -> dict[str, list[Path]]:
    session = db.session()
    ledger = session.info.get(_LEDGER)
    if ledger is None:
        ledger = {"created": [], "deleted": []}
        session.info[_LEDGER] = ledger
        event.listen(session, "after_commit", _after_commit)
        event.listen(session, "after_transaction_end", _after_transaction_end)
    return ledger


def _after_commit(session: Session) -> None:
    ledger = session.info.get(_LEDGER)
    if not ledger:
        return
    for path in ledger["deleted"]:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    ledger["created"].clear()
    ledger["deleted"].clear()


def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    # after_commit has already emptied the ledger when the outer transaction committed; anything left here
    # belongs to a transaction that rolled back or was closed unfinished (e.g. at app-context teardown)
    if transaction.parent is not None or transaction.nested:
        return
    ledger = session.info.get(_LEDGER)
    if not ledger:
        return
    for path in ledger["created"]:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
    ledger["created"].clear()
    ledger["deleted"].clear()


# --- paths and writing ----------------------------------------------------------------------------------


def _path_for(uid: str, upload_dir: str | os.PathLike[str]) -> Path:
    if not _UID.fullmatch(uid):
        # the uid comes from our own uuid4(), so anything else means a tampered or foreign row
        raise ValueError("attachment uid is not a UUID")
    return Path(upload_dir) / uid[:2] / uid


def attachment_path(att: Attachment, upload_dir: str | os.PathLike[str]) -> Path:
    """Where the attachment's file is on disk; ValueError if its uid is not a UUID."""
    return _path_for(att.uid, upload_dir)


def _fsync_directory(directory: Path) -> None:
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:  # Windows cannot open a directory; its rename is durable enough for us
        return
    descriptor = os.open(directory, os.O_RDONLY | flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_atomically(path: Path, content: bytes) -> None:
    """Temporary file beside the target, fsync, rename: the final name is either whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=_TEMP_SUFFIX)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp_name)
        raise
    # the rename itself must reach the disk, or a power cut could bring back the old directory entry
    _fsync_directory(path.parent)


def _read_capped(stream: IO[bytes], limit: int) -> bytes:
    """At most `limit` bytes; a stream that ends early (a cut upload) just gives fewer."""
    chunks: list[bytes] = []
    total = 0
    while total < limit:
        chunk = stream.read(min(_CHUNK, limit - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


# --- storing --------------------------------------------------------------------------------------------


def document_limits(document: Mapping[str, Any]) -> tuple[frozenset[str], int]:
    """(accepted MIME types, max bytes) for a procedure's `documents` entry, with the documented defaults."""
    max_mb = document.get("max_mb")
    if isinstance(max_mb, bool) or not isinstance(max_mb, int | float) or max_mb <= 0:
        max_mb = DEFAULT_MAX_MB
    return normalize_accept(document.get("accept")), int(max_mb * 1024 * 1024)


def _owned(draft: Draft | None, dossier: Dossier | None) -> list[Attachment]:
    if (draft is not None and draft.id is None) or (dossier is not None and dossier.id is None):
        db.session.flush()
    conditions = []
    if draft is not None:
        conditions.append(Attachment.draft_id == draft.id)
    if dossier is not None:
        conditions.append(Attachment.dossier_id == dossier.id)
    if not conditions:
        return []
    return list(db.session.scalars(select(Attachment).where(or_(*conditions)).order_by(Attachment.id)))


def count_attachments(*, draft: Draft | None = None, dossier: Dossier | None = None) -> int:
    """Files already attached to a draft or dossier, for check_quota."""
    return len(_owned(draft, dossier))


def store_upload(
    *,
    file_storage: FileStorage,
    document: Mapping[str, Any],
    draft: Draft | None = None,
    dossier: Dossier | None = None,
    upload_dir: str | os.PathLike[str],
    max_files: int | None = None,
) -> Attachment:
    """Check an uploaded file against its `documents` entry, store it and add its Attachment row (flushed).

    - Reads at most max_mb + 1 byte, so an oversize file is refused without holding it all.
    - Re-sending the same file for the same document of the same draft or dossier returns the row
      already there (a retry over a weak link must not duplicate it).
    - For a document with `multiple: false`, a new file on a draft replaces the draft's previous one.
    - `max_files` (MAX_FILES_PER_DOSSIER) caps the files of the draft or dossier.
    - With neither draft nor dossier the row is free-standing until the caller links it, and is
      collected after 24 h otherwise.

    Raises UploadRejected (see inspect_upload, plus "quota"); OSError when the disk fails (nothing is left
    behind).
    """
    accept, max_bytes = document_limits(document)
    content = _read_capped(file_storage.stream, max_bytes + 1)
    checked = inspect_upload(content, declared_name=file_storage.filename or "", accept=accept, max_bytes=max_bytes)
    digest = hashlib.sha256(checked.content).hexdigest()
    key = str(document["key"])

    owned = _owned(draft, dossier)
    same_document = [att for att in owned if att.document_key == key]
    for att in same_document:
        if att.sha256 == digest:
            return att
    replaced = same_document if draft is not None and not document.get("multiple", False) else []
    if max_files is not None:
        check_quota(len(owned) - len(replaced), 1, max_files)

    uid = str(uuid.uuid4())
    path = _path_for(uid, upload_dir)
    _write_atomically(path, checked.content)
    try:
        for att in replaced:
            delete_attachment(att, upload_dir)
        attachment = Attachment(
            uid=uid,
            draft=draft,
            dossier=dossier,
            document_key=key,
            original_name=checked.display_name,
            mime_type=checked.mime_type,
            size=checked.size,
            sha256=digest,
        )
        db.session.add(attachment)
        db.session.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    _ledger()["created"].append(path)
    return attachment


def delete_attachment(att: Attachment, upload_dir: str | os.PathLike[str]) -> None:
    """Delete the row now (flushed) and its file once the transaction commits; a rollback keeps both."""
    path = attachment_path(att, upload_dir)
    db.session.delete(att)
    db.session.flush()
    _ledger()["deleted"].append(path)


# --- garbage collection ---------------------------------------------------------------------------------


def _older(path: Path, cutoff: datetime) -> bool:
    try:
        return path.stat().st_mtime < cutoff.timestamp()
    except FileNotFoundError:
        return False


def collect_orphans(
    *, upload_dir: str | os.PathLike[str], older_than: timedelta = ORPHAN_AGE, now: datetime | None = None
) -> int:
    """Remove what no dossier and no open draft holds, once older than `older_than`; returns how many.

    Counts each orphan row (its file goes when the caller commits) plus each file on disk that has no row
    (removed at once, as are temporary files left by a crash mid-write). A filed draft no longer counts as
    open: a file the filing did not move onto the dossier is an orphan.
    """
    now = now or datetime.now(UTC)
    cutoff = now - older_than
    open_drafts = select(Draft.id).where(Draft.dossier_id.is_(None))
    orphans = db.session.scalars(
        select(Attachment).where(
            Attachment.dossier_id.is_(None),
            Attachment.created_at < cutoff,
            or_(Attachment.draft_id.is_(None), Attachment.draft_id.not_in(open_drafts)),
        )
    ).all()
    pending = {att.uid for att in orphans}
    for att in orphans:
        delete_attachment(att, upload_dir)
    removed = len(orphans)

    root = Path(upload_dir)
    if not root.is_dir():
        return removed
    candidates: dict[str, Path] = {}
    for shard in root.iterdir():
        if not shard.is_dir() or not _SHARD.fullmatch(shard.name):
            continue
        for path in shard.iterdir():
            name = path.name
            if name.startswith(".") and name.endswith(_TEMP_SUFFIX):
                if _older(path, cutoff):
                    path.unlink(missing_ok=True)
                    removed += 1
            elif _UID.fullmatch(name) and name[:2] == shard.name and name not in pending:
                candidates[name] = path
    uids = list(candidates)
    known: set[str] = set()
    for start in range(0, len(uids), _IN_BATCH):
        batch = uids[start : start + _IN_BATCH]
        known.update(db.session.scalars(select(Attachment.uid).where(Attachment.uid.in_(batch))))
    for uid, path in candidates.items():
        # the age check protects a file whose row is being written by a request that has not committed yet
        if uid not in known and _older(path, cutoff):
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- downloading ----------------------------------------------------------------------------------------


def send_attachment(att: Attachment, upload_dir: str | os.PathLike[str]) -> Response:
    """The file as a download that no browser will render or run; 404 (NotFound) if the file is gone.

    Call it from a view, after the access check: it needs the request for Range and ETag handling.
    """
    try:
        path = attachment_path(att, upload_dir)
    except ValueError as error:
        raise NotFound() from error
    if not path.is_file():
        raise NotFound()
    mimetype = att.mime_type if att.mime_type in SUPPORTED else "application/octet-stream"
    response = send_file(path, mimetype=mimetype, conditional=True, etag=att.sha256 or True)
    # built here, not by send_file(download_name=…): that raises on a CR/LF in a stored name (a 500)
    response.headers["Content-Disposition"] = content_disposition(att.original_name or "")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
    # scans of identity papers must not stay in a shared kiosk's or a proxy's cache
    response.headers["Cache-Control"] = "private, no-store"
    return response
