"""SQLAlchemy models, one module per aggregate."""

from portal.models import guards  # noqa: F401  (registers the write-once rules)
from portal.models.dossier import (
    Attachment,
    Channel,
    Dossier,
    DossierEvent,
    DossierSequence,
    DossierStatus,
    Draft,
    IdempotencyRecord,
)
from portal.models.notification import Notification, NotificationChannel, NotificationStatus
from portal.models.procedure import FormVersion, Procedure
from portal.models.throttle import Throttle

__all__ = [
    "Attachment",
    "Channel",
    "Dossier",
    "DossierEvent",
    "DossierSequence",
    "DossierStatus",
    "Draft",
    "FormVersion",
    "IdempotencyRecord",
    "Notification",
    "NotificationChannel",
    "NotificationStatus",
    "Procedure",
    "Throttle",
]
