"""Resumable drafts: resume codes (issued, hashed, checked), expiry, and deleting what has expired (ADR 0004)."""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from datetime import datetime, timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.forms_engine.identity import PHONE_PATTERN, normalise_phone
from portal.models import Attachment, Draft, Notification
from portal.models.types import utcnow

#: no 0/O/Q, 1/I/L, 2/Z, 5/S, 6/G, 8/B, U/V: 20 symbols that survive a phone screen, handwriting and reading aloud
ALPHABET = "3479ACDEFHJKMNPRTWXY"
CODE_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—_.]+")
_MOBILE = re.compile(PHONE_PATTERN)
_ISSUE_TRIES = 5


def generate_code() -> str:
    """A fresh random code, 8 symbols of ALPHABET (about 34.6 bits), ungrouped."""
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """ "ABCDEFGH" -> "ABCD-EFGH", the way it is shown and sent."""
    half = CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_code(text: str) -> str | None:
    """What the citizen typed -> the bare code, or None when it cannot be one.

    Case, spaces, dashes and full-width letters are forgiven; any symbol outside the alphabet is not.
    """
    value = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    if len(value) != CODE_LENGTH or any(ch not in ALPHABET for ch in value):
        return None
    return value


def code_hash(code: str, secret: str | bytes) -> str:
    """Keyed hash of a bare code: a copy of the table alone does not give the codes away."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, b"draft-resume:" + code.encode("ascii"), hashlib.sha256).hexdigest()


def mobile_of(draft: Draft) -> str | None:
    """The applicant's mobile number in national form, if the draft holds a valid one."""
    phone = (draft.applicant or {}).get("phone")
    if not isinstance(phone, str):
        return None
    phone = normalise_phone(phone)
    return phone if _MOBILE.fullmatch(phone) else None


def refresh_expiry(draft: Draft, *, lifetime_days: int, now: datetime | None = None) -> None:
    """Push the draft's expiry back to a full lifetime from now (every save does)."""
    draft.expires_at = (now or utcnow()) + timedelta(days=lifetime_days)


def issue_resume_code(draft: Draft, *, secret: str | bytes, again: bool = False) -> str | None:
    """Give the draft its resume code, once: the bare code when it was issued now, else None (flushes).

    Issued only when the draft holds a valid mobile number, since the code alone does not resume it.
    `again` draws a new code in place of the old one (the old one stops working).
    The hash is unique: a collision (rare, ~35 bits) draws again.
    """
    if (draft.resume_code_hash is not None and not again) or mobile_of(draft) is None:
        return None
    for _ in range(_ISSUE_TRIES):
        code = generate_code()
        digest = code_hash(code, secret)
        if db.session.scalar(select(Draft.id).where(Draft.resume_code_hash == digest)) is None:
            draft.resume_code_hash = digest
            db.session.flush()
            return code
    raise RuntimeError("could not draw an unused resume code")


def find_resumable(*, code: str, phone: str, secret: str | bytes, now: datetime | None = None) -> Draft | None:
    """The live, unfiled draft whose code and applicant phone both match; None otherwise, whatever the reason."""
    bare = normalise_code(code)
    wanted_phone = normalise_phone(phone or "")
    if bare is None or not wanted_phone:
        return None
    draft = db.session.scalar(select(Draft).where(Draft.resume_code_hash == code_hash(bare, secret)))
    if draft is None or draft.dossier_id is not None or draft.expires_at <= (now or utcnow()):
        return None
    if not secrets.compare_digest((mobile_of(draft) or "").encode(), wanted_phone.encode()):
        return None
    return draft


def delete_expired(*, upload_dir: str | os.PathLike[str], now: datetime | None = None) -> int:
    """Delete drafts past their expiry, with the uploads they still hold (files go at commit); returns how many."""
    from portal.services.uploads import delete_attachment

    expired = db.session.scalars(select(Draft).where(Draft.expires_at <= (now or utcnow()))).all()
    for draft in expired:
        for attachment in db.session.scalars(select(Attachment).where(Attachment.draft_id == draft.id)):
            delete_attachment(attachment, upload_dir)
        db.session.delete(draft)
    db.session.flush()
    return len(expired)


def resume_sms_text(code: str, resume_url: str) -> str:
    """Plain ASCII Vietnamese: one SMS segment on any phone, and read the same on every handset."""
    return f"Ma tiep tuc ho so: {format_code(code)}. Nhap ma nay va so dien thoai tai {resume_url} de dien tiep."


def issue_and_send_code(draft: Draft, *, secret: str | bytes, resume_url: str):
    """Issue the draft's resume code if it has none yet and queue it by SMS to the applicant's mobile (flushes).

    Returns (bare code, queued Notification) when a code was issued now, else (None, None).
    """
    from portal.models import NotificationChannel
    from portal.services.notifications import queue

    mobile = mobile_of(draft)
    # The citizen corrected the mobile number after the code went out: the old number never gets to use
    # it (resuming needs the draft's number), so the new number gets a new code.
    moved = draft.resume_code_hash is not None and mobile is not None and _code_sent_to(draft) not in (None, mobile)
    code = issue_resume_code(draft, secret=secret, again=moved)
    if code is None:
        return None, None
    notification = queue(
        channel=NotificationChannel.SMS,
        recipient=mobile or "",
        body=resume_sms_text(code, resume_url),
        dedup_key=_resume_dedup_key(draft),
    )
    return code, notification


def _code_sent_to(draft: Draft) -> str | None:
    """The number the draft's current code was queued for; None once the outbox row is purged.

    Looked up by its exact dedup key (unique, so indexed): this runs on every save of a draft with a code."""
    keys = [_resume_dedup_key(draft), f"draft-resume:{draft.id}"]  # the second: codes queued before keys had a hash
    return db.session.scalar(
        select(Notification.recipient).where(Notification.dedup_key.in_(keys)).order_by(Notification.id.desc()).limit(1)
    )


def _resume_dedup_key(draft: Draft) -> str:
    """One SMS per code: a re-issued code is a new message."""
    return f"draft-resume:{draft.id}:{(draft.resume_code_hash or '')[:16]}"
