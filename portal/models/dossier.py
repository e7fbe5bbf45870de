"""Dossiers (hồ sơ), their attachments, their append-only event log, and the daily code sequence."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import ClassVar

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import JSONDoc, UTCDateTime, utcnow


class DossierStatus(StrEnum):
    SUBMITTED = "submitted"
    RECEIVED = "received"
    SUPPLEMENT_REQUESTED = "supplement_requested"
    REFUSED = "refused"
    IN_PROCESS = "in_process"
    DELAYED = "delayed"
    STOPPED = "stopped"
    REJECTED = "rejected"
    RESULT_READY = "result_ready"
    RETURNED = "returned"
    WITHDRAWN = "withdrawn"


class Channel(StrEnum):
    WEB = "web"
    API = "api"
    DESK = "desk"


class Dossier(db.Model):
    __tablename__ = "dossier"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: mã hồ sơ, `<agency id>-YYMMDD-NNNN`
    code: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    #: the form version in force when the dossier was filed; its receipt always renders with it
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    status: Mapped[str] = mapped_column(String(32), default=DossierStatus.SUBMITTED, index=True)
    channel: Mapped[str] = mapped_column(String(16), default=Channel.WEB)
    agency_id: Mapped[str] = mapped_column(String(64))
    #: the standard applicant block: full_name, phone, email, id_number, address, filed_by
    applicant: Mapped[dict] = mapped_column(JSONDoc)
    #: the applicant's phone in national form (0xxxxxxxxx); it proves the right to look the dossier up
    applicant_phone: Mapped[str] = mapped_column(String(20), index=True)
    #: the e-Form answers, validated against the version's schema
    data: Mapped[dict] = mapped_column(JSONDoc)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: unguessable token in the receipt URL, so the link alone opens the PDF
    receipt_token: Mapped[str] = mapped_column(String(64), unique=True)
    #: the web draft or API idempotency scope it came from; unique so a double submit files once
    submission_key: Mapped[str | None] = mapped_column(String(200), unique=True, nullable=True)
    #: optimistic lock: a stale write raises instead of overwriting a colleague's change
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}

    procedure = relationship("Procedure")
    form_version = relationship("FormVersion")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="dossier", order_by="Attachment.id")
    events: Mapped[list[DossierEvent]] = relationship(back_populates="dossier", order_by="DossierEvent.id")


class Attachment(db.Model):
    """An uploaded file. It belongs to a draft until the dossier is filed, then to the dossier."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: random public id; the file on disk is named by it, never by the citizen's file name
    uid: Mapped[str] = mapped_column(String(36), unique=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), nullable=True, index=True)
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("draft.id"), nullable=True, index=True)
    #: which of the procedure's documents this file is
    document_key: Mapped[str] = mapped_column(String(64))
    #: the citizen's file name, NFC, control characters removed; for display and download only
    original_name: Mapped[str] = mapped_column(String(255))
    #: type found by reading the content
    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dossier: Mapped[Dossier | None] = relationship(back_populates="attachments")
    draft = relationship("Draft", back_populates="attachments")


class DossierEvent(db.Model):
    """Everything that happens to a dossier, in order; rows are only ever added."""

    __tablename__ = "dossier_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    #: status after the event
    status: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: who acted: "citizen", "api", or a staff account's e-mail
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict] = mapped_column(JSONDoc, default=dict)

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class DossierSequence(db.Model):
    """The last number handed out per agency and day; incremented in the filing transaction."""

    __tablename__ = "dossier_sequence"

    agency_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


def _default_draft_expiry() -> datetime:
    # the filing view sets DRAFT_LIFETIME_DAYS on every save; this only covers drafts made elsewhere
    return utcnow() + timedelta(days=30)


class Draft(db.Model):
    """A form being filled in the browser: answers and uploads kept between pages, keyed by a random token."""

    __tablename__ = "draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"))
    form_version_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    applicant: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    data: Mapped[dict] = mapped_column(JSONDoc, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: set when the draft was filed; a second confirm finds the dossier through it
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossier.id"), nullable=True)
    #: HMAC-SHA256 (under SECRET_KEY) of the resume code; NULL until a valid mobile number was saved (ADR 0004)
    resume_code_hash: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    #: after this the draft can no longer be resumed, and housekeeping deletes it; pushed back on every save
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, default=_default_draft_expiry, index=True)

    procedure = relationship("Procedure")
    form_version = relationship("FormVersion")
    attachments: Mapped[list[Attachment]] = relationship(back_populates="draft", order_by="Attachment.id")


class IdempotencyRecord(db.Model):
    """The first answer to an API request with an Idempotency-Key, replayed on retry."""

    __tablename__ = "idempotency_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: procedure code + the client's key
    scope_key: Mapped[str] = mapped_column(String(300), unique=True)
    #: sha256 of the request body, so the same key with another body is refused
    request_digest: Mapped[str] = mapped_column(String(64))
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict] = mapped_column(JSONDoc)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
