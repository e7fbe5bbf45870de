"""Structured logs: one JSON object per line, with identity and phone numbers masked (Decree 13/2023)."""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime

from flask import Flask

# 9 or more digits in a row, optionally +84/spaced/dotted: identity numbers, phone numbers, bank accounts
_LONG_NUMBER = re.compile(r"(?<![0-9])(?:\+?84[ .]?)?[0-9](?:[ .]?[0-9]){8,}(?![0-9])", re.ASCII)


def mask_personal_numbers(text: str) -> str:
    """Keep the last three digits so a clerk can still tell two log lines apart."""

    def _mask(match: re.Match[str]) -> str:
        digits = re.sub(r"[^0-9]", "", match.group(0))
        return "*" * (len(digits) - 3) + digits[-3:]

    return _LONG_NUMBER.sub(_mask, text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal_numbers(record.getMessage()),
        }
        for key in ("event", "dossier", "procedure", "endpoint", "status"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = mask_personal_numbers(str(value))
        if record.exc_info:
            entry["error"] = mask_personal_numbers(self.formatException(record.exc_info))
        # json.dumps escapes CR/LF, so a name typed as "\r\nINFO login ok" cannot forge a second line
        return json.dumps(entry, ensure_ascii=False)


def init_app(app: Flask) -> None:
    logger = logging.getLogger("portal")
    if not any(isinstance(h.formatter, JsonFormatter) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logger.addHandler(handler)
    logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
