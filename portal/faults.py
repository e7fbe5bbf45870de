"""Named fault points for crash tests: the process dies at the point named in PORTAL_FAULT_AT, as a kill -9 would.

Off unless the variable is set; the crash tests start a real gunicorn with it and check that a dossier is
either wholly committed or not there at all, and that a retry files it once.
"""

from __future__ import annotations

import os


def fault_point(name: str) -> None:
    if os.environ.get("PORTAL_FAULT_AT") == name:
        os._exit(137)
