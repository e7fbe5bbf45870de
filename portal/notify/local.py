"""A sender for development and tests: every message is appended to `notifications.jsonl` in the instance folder."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path

from portal.notify import OutgoingMessage

FILE_NAME = "notifications.jsonl"


class RecordingSender:
    """Records instead of sending; the file is the "phone" a developer or a test reads the SMS from."""

    def __init__(self, *, instance_dir: str) -> None:
        self.path = Path(instance_dir) / FILE_NAME

    def send(self, message: OutgoingMessage) -> None:
        entry = {
            "id": message.id,
            "channel": message.channel,
            "recipient": message.recipient,
            "body": message.body,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def recorded(instance_dir: str) -> list[dict]:
    """Everything the RecordingSender wrote, oldest first."""
    path = Path(instance_dir) / FILE_NAME
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
