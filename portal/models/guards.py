"""Rows that must never change once written: published form versions and dossier events.

The ORM refuses updates and deletes of them, so a bug cannot quietly rewrite what a dossier was filed under
or what happened to it (database-level triggers for the audit trail come with the staff workflow).
"""

from __future__ import annotations

from sqlalchemy import event

from portal.models.dossier import DossierEvent
from portal.models.procedure import FormVersion


class ImmutableRowError(RuntimeError):
    """An attempt to change or remove a row that is written once."""


def _refuse(action: str):
    def listener(mapper, connection, target) -> None:
        raise ImmutableRowError(f"{type(target).__name__} rows are never {action}")

    return listener


for _model in (FormVersion, DossierEvent):
    event.listen(_model, "before_update", _refuse("updated"))
    event.listen(_model, "before_delete", _refuse("deleted"))
