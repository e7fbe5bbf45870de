"""Procedures (thủ tục hành chính) and their immutable published form versions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import JSONDoc, UTCDateTime, utcnow


class Procedure(db.Model):
    __tablename__ = "procedure"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: national procedure code (mã TTHC), used in URLs and the API
    code: Mapped[str] = mapped_column(String(32), unique=True)
    #: copies of the current version's catalogue fields, so the catalogue needs no JSON parsing
    name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(200), default="")
    #: name and sector folded (no accents, lower case, đ→d) for accent-insensitive search
    search_text: Mapped[str] = mapped_column(Text, default="")
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("form_version.id", use_alter=True, name="fk_procedure_current_version"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    current_version: Mapped[FormVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True, lazy="joined"
    )
    versions: Mapped[list[FormVersion]] = relationship(
        back_populates="procedure", foreign_keys="FormVersion.procedure_id", order_by="FormVersion.number"
    )


class FormVersion(db.Model):
    """One published version of a procedure definition file; never changed once written."""

    __tablename__ = "form_version"
    __table_args__ = (UniqueConstraint("procedure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    #: 1, 2, 3… per procedure
    number: Mapped[int] = mapped_column(Integer)
    #: the whole definition file as imported: procedure, schema, uiSchema, translations
    definition: Mapped[dict] = mapped_column(JSONDoc)
    #: sha256 of the canonical JSON of the parts that make a new version (schema, uiSchema, documents…)
    digest: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="versions", foreign_keys=[procedure_id])

    @property
    def meta(self) -> dict:
        return self.definition["procedure"]

    @property
    def schema(self) -> dict:
        return self.definition["schema"]

    @property
    def ui_schema(self) -> dict:
        return self.definition.get("uiSchema") or {}

    @property
    def translations(self) -> dict:
        return self.definition.get("translations") or {}

    @property
    def documents(self) -> list[dict]:
        return self.meta.get("documents") or []
