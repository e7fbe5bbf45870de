"""Settings read from the environment, with defaults that run on a fresh machine."""

from __future__ import annotations

import os
from pathlib import Path
from typing import ClassVar

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = Path(os.environ.get("PORTAL_INSTANCE_DIR", ROOT / "instance"))


def _default_database_url() -> str:
    return f"sqlite:///{INSTANCE / 'portal.db'}"


class Config:
    """Defaults for a local run; every value can be overridden by an environment variable of the same name."""

    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-change-me")
    #: the folder for the SQLite file, uploads and rendered receipts (outside the web root)
    INSTANCE_DIR = str(INSTANCE)
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", _default_database_url())
    SQLALCHEMY_ENGINE_OPTIONS: ClassVar[dict] = {}
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    #: seconds an SQLite writer waits for the write lock before the request answers 503 (Retry-After)
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", 5))
    #: electronic id of the receiving agency (Decision 20/2020/QĐ-TTg); it starts every dossier code
    AGENCY_ID = os.environ.get("AGENCY_ID", "H60.22.5")
    #: the receiving unit and its parent body, printed in the header of official slips
    AGENCY_NAME = os.environ.get("AGENCY_NAME", "Bộ phận Tiếp nhận và Trả kết quả UBND xã Mỹ Bằng")
    AGENCY_PARENT = os.environ.get("AGENCY_PARENT", "ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG")
    AGENCY_PLACE = os.environ.get("AGENCY_PLACE", "Mỹ Bằng")
    #: where uploaded files live: outside the web root, named by UUID
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR", str(INSTANCE / "uploads"))
    #: a request body larger than this is refused with 413 before it is read
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", 40 * 1024 * 1024))
    MAX_FORM_MEMORY_SIZE = 500_000
    MAX_FORM_PARTS = 1000
    #: the largest JSON body the API parses, and its deepest nesting
    MAX_JSON_BYTES = int(os.environ.get("MAX_JSON_BYTES", 1024 * 1024))
    MAX_JSON_DEPTH = int(os.environ.get("MAX_JSON_DEPTH", 64))
    #: files per dossier, whatever the documents allow
    MAX_FILES_PER_DOSSIER = int(os.environ.get("MAX_FILES_PER_DOSSIER", 20))
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")
    WTF_CSRF_TIME_LIMIT = None  # a citizen may take an hour on a form; the token is bound to the session instead
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("SESSION_COOKIE_SECURE", "0") == "1"
    #: base URL printed in the receipt's QR code; empty means the request's own host
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")
    #: seconds a receipt may take to render before the confirmation says "being prepared"
    RECEIPT_TIMEOUT = float(os.environ.get("RECEIPT_TIMEOUT", 20))
    #: days a draft stays resumable after its last save; housekeeping deletes it afterwards
    DRAFT_LIFETIME_DAYS = int(os.environ.get("DRAFT_LIFETIME_DAYS", 30))
    #: resume attempts allowed per session and per client address in RESUME_WINDOW_SECONDS (AU-01, DP-01)
    RESUME_MAX_ATTEMPTS = int(os.environ.get("RESUME_MAX_ATTEMPTS", 10))
    RESUME_WINDOW_SECONDS = int(os.environ.get("RESUME_WINDOW_SECONDS", 15 * 60))
    #: "module:Class" of the notification sender; the default records messages in the instance folder
    NOTIFY_SENDER = os.environ.get("NOTIFY_SENDER", "portal.notify.local:RecordingSender")
    #: try to deliver a request's messages right after its commit (a failure there never fails the request;
    #: `flask notifications send` run from cron delivers whatever is left)
    NOTIFY_AFTER_REQUEST = os.environ.get("NOTIFY_AFTER_REQUEST", "1") == "1"
    #: attempts before a message is marked failed, and the first retry delay (doubled after each failure)
    NOTIFY_MAX_ATTEMPTS = int(os.environ.get("NOTIFY_MAX_ATTEMPTS", 5))
    NOTIFY_RETRY_SECONDS = int(os.environ.get("NOTIFY_RETRY_SECONDS", 60))


class TestConfig(Config):
    TESTING = True
    WTF_CSRF_ENABLED = True
    SECRET_KEY = "test-secret"
