"""Filing dossiers: checking a submission whole, numbering it, recording it, and finding it again."""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select, text

from portal.extensions import db
from portal.forms_engine.identity import normalise_id_number, normalise_phone
from portal.forms_engine.text import nfc
from portal.models import Attachment, Channel, Dossier, DossierEvent, DossierStatus, FormVersion
from portal.receipts.codes import format_dossier_code, parse_dossier_code
from portal.services.forms import applicant_spec, spec_for
from portal.services.identity import identity_problems

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

_MISSING_DOCUMENT = {
    "vi": "Đính kèm {name}",
    "en": "Attach {name}",
}
_TOO_MANY_FILES = {
    "vi": "Chỉ đính kèm một tệp cho {name}",
    "en": "Attach only one file for {name}",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a submission, addressed by a JSON Pointer into the request body."""

    pointer: str
    keyword: str
    message: str
    field_id: str | None = None


def normalise_text_tree(value: Any) -> Any:
    """NFC every string, trimmed, so that "Nguyễn" typed on any keyboard is stored one way."""
    if isinstance(value, str):
        return nfc(value).strip()
    if isinstance(value, list):
        return [normalise_text_tree(v) for v in value]
    if isinstance(value, dict):
        return {nfc(str(k)): normalise_text_tree(v) for k, v in value.items()}
    return value


def normalise_applicant(raw: Mapping[str, Any]) -> dict[str, Any]:
    """The applicant block as stored: NFC text, national phone form, bare 12-digit id; empty keys dropped."""
    applicant = {k: v for k, v in normalise_text_tree(dict(raw)).items() if v not in ("", None, {})}
    if isinstance(applicant.get("phone"), str):
        applicant["phone"] = normalise_phone(applicant["phone"])
    if isinstance(applicant.get("id_number"), str):
        applicant["id_number"] = normalise_id_number(applicant["id_number"])
    helper = applicant.get("filed_by")
    if isinstance(helper, dict):
        helper = {k: v for k, v in helper.items() if v not in ("", None)}
        if isinstance(helper.get("phone"), str):
            helper["phone"] = normalise_phone(helper["phone"])
        if helper:
            applicant["filed_by"] = helper
        else:
            applicant.pop("filed_by")
    return applicant


def check_submission(
    *,
    version: FormVersion,
    applicant: Mapping[str, Any],
    data: Mapping[str, Any],
    file_counts: Mapping[str, int],
    locale: str,
) -> list[Problem]:
    """Every problem at once: applicant block, e-Form data, and the documents the procedure requires."""
    problems: list[Problem] = []
    for error in applicant_spec(locale).validate(dict(applicant), prefix="applicant"):
        problems.append(Problem("/applicant" + error.pointer, error.keyword, error.message, error.field_id))
    for error in spec_for(version, locale).validate(dict(data), prefix="data"):
        problems.append(Problem("/data" + error.pointer, error.keyword, error.message, error.field_id))
    flagged = {p.pointer for p in problems}
    for part, document in (("/applicant", applicant), ("/data", data)):
        for pointer, message in identity_problems(document, locale):
            if part + pointer not in flagged:
                problems.append(
                    Problem(part + pointer, "id_number", message, (part + pointer).strip("/").replace("/", "-"))
                )
    lang = "en" if locale == "en" else "vi"
    for doc in version.documents:
        count = file_counts.get(doc["key"], 0)
        if doc.get("required", True) and count == 0:
            problems.append(
                Problem(
                    f"/{doc['key']}",
                    "required",
                    _MISSING_DOCUMENT[lang].format(name=doc["name"]),
                    f"file-{doc['key']}",
                )
            )
        if not doc.get("multiple", False) and count > 1:
            problems.append(
                Problem(
                    f"/{doc['key']}",
                    "maxItems",
                    _TOO_MANY_FILES[lang].format(name=doc["name"]),
                    f"file-{doc['key']}",
                )
            )
    return problems


def next_sequence(*, agency_id: str, day: date) -> int:
    """Take the next number of the agency's daily sequence inside the current transaction.

    One atomic upsert: PostgreSQL row-locks it until commit, SQLite runs writers one at a time
    (BEGIN IMMEDIATE), so two concurrent filings never see the same number.
    """
    row = db.session.execute(
        text(
            "INSERT INTO dossier_sequence (agency_id, day, last_value) VALUES (:agency, :day, 1) "
            "ON CONFLICT (agency_id, day) DO UPDATE SET last_value = dossier_sequence.last_value + 1 "
            "RETURNING last_value"
        ),
        {"agency": agency_id, "day": day},
    ).one()
    return int(row[0])


def file_dossier(
    *,
    version: FormVersion,
    applicant: Mapping[str, Any],
    data: Mapping[str, Any],
    channel: Channel,
    agency_id: str,
    submission_key: str | None,
    attachments: Iterable[Attachment] = (),
    actor: str = "citizen",
    now: datetime | None = None,
) -> Dossier:
    """Record a checked submission as a new dossier with its code, attachments and first event (flushes)."""
    from portal.models.types import utcnow

    submitted_at = now or utcnow()
    local_day = submitted_at.astimezone(LOCAL_TZ).date()
    sequence = next_sequence(agency_id=agency_id, day=local_day)
    dossier = Dossier(
        code=format_dossier_code(agency_id, local_day, sequence),
        procedure_id=version.procedure_id,
        form_version_id=version.id,
        status=DossierStatus.SUBMITTED,
        channel=channel,
        agency_id=agency_id,
        applicant=dict(applicant),
        applicant_phone=applicant["phone"],
        data=dict(data),
        submitted_at=submitted_at,
        receipt_token=secrets.token_urlsafe(24),
        submission_key=submission_key,
    )
    db.session.add(dossier)
    for attachment in attachments:
        attachment.dossier = dossier
        attachment.draft_id = None
    db.session.add(
        DossierEvent(
            dossier=dossier,
            kind="submitted",
            status=DossierStatus.SUBMITTED,
            at=submitted_at,
            actor=actor,
            details={"channel": str(channel), "form_version": version.number},
        )
    )
    db.session.flush()
    return dossier


def dossier_by_submission_key(key: str) -> Dossier | None:
    return db.session.scalar(select(Dossier).where(Dossier.submission_key == key))


def dossier_by_receipt_token(token: str) -> Dossier | None:
    if not token or len(token) > 64:
        return None
    return db.session.scalar(select(Dossier).where(Dossier.receipt_token == token))


def lookup_dossier(*, code: str, phone: str) -> Dossier | None:
    """The dossier whose code and applicant phone both match; the legacy code form is accepted too."""
    parsed = parse_dossier_code(code or "")
    if parsed is None:
        return None
    normalised_phone = normalise_phone(phone or "")
    if not normalised_phone:
        return None
    candidates = {nfc(code).strip().upper()}
    if not parsed.legacy:
        candidates.add(format_dossier_code(parsed.agency_id, parsed.day, parsed.sequence))
    dossier = db.session.scalar(select(Dossier).where(Dossier.code.in_(candidates)))
    if dossier is None:
        # a legacy code orders the agency groups differently; day and sequence with the phone still identify it
        suffix = f"%-{parsed.day:%y%m%d}-{parsed.sequence:04d}"
        dossier = db.session.scalar(
            select(Dossier).where(Dossier.code.like(suffix), Dossier.applicant_phone == normalised_phone)
        )
    if dossier is None or not secrets.compare_digest(dossier.applicant_phone, normalised_phone):
        return None
    return dossier
