"""Sending notifications: the message handed to a sender, the Sender interface, and the configured sender."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """What a sender gets: one message for one recipient on one channel ("sms" or "email")."""

    id: int
    channel: str
    recipient: str
    body: str


class Sender(Protocol):
    """Delivers one message or raises; whatever it raises counts as a failed attempt, to be retried."""

    def send(self, message: OutgoingMessage) -> None: ...


def load_sender(dotted: str, *, instance_dir: str) -> Sender:
    """The sender named by NOTIFY_SENDER ("package.module:Class"), built with the instance folder."""
    module_name, _, attribute = dotted.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"NOTIFY_SENDER must look like 'package.module:Class', not {dotted!r}")
    factory = getattr(importlib.import_module(module_name), attribute)
    return factory(instance_dir=instance_dir)
