"""RL-03 for real: a gunicorn worker dies (os._exit, as kill -9) at a fault point mid-filing, then the retry.

Invariant: each 2xx is exactly one committed dossier with its file; a crash leaves nothing half-written
(at most an orphan file that the daily collection removes); the retry with the same Idempotency-Key files once.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Attachment, Dossier
from tests.conftest import FORMS_DIR, ROOT, build_app
from tests.factories import applicant, birth_data, tiny_pdf

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start_gunicorn(instance: Path, fault: str | None) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    env = {**os.environ, "PORTAL_INSTANCE_DIR": str(instance), "SECRET_KEY": "crash-test"}
    env.pop("PORTAL_FAULT_AT", None)
    if fault:
        env["PORTAL_FAULT_AT"] = fault
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", "1", "-b", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return process, port
        if process.poll() is not None:
            raise RuntimeError(process.stderr.read().decode())
        time.sleep(0.1)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)
    process.stderr.close()


def _post(port: int, key: str) -> tuple[int, dict, dict]:
    boundary = uuid.uuid4().hex
    payload = json.dumps({"applicant": applicant(), "data": birth_data()}, ensure_ascii=False)
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n{payload}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="giay_chung_sinh"; filename="cs.pdf"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + tiny_pdf()
        + f"\r\n--{boundary}--\r\n".encode()
    )
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(
            "POST",
            "/api/v1/procedures/1.001193/dossiers",
            body=body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}", "Idempotency-Key": key},
        )
        response = conn.getresponse()
        return response.status, json.loads(response.read()), dict(response.getheaders())
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("fault", "committed"), [("after_file_write", False), ("before_commit", False), ("after_commit", True)]
)
def test_worker_killed_mid_filing_then_retry_files_exactly_once(tmp_path, fault, committed):
    instance = tmp_path / "instance"
    app = build_app(f"sqlite:///{instance / 'portal.db'}", tmp_path)
    with app.app_context():
        db.create_all()
    assert app.test_cli_runner().invoke(args=["forms", "import", str(FORMS_DIR)]).exit_code == 0

    process, port = _start_gunicorn(instance, fault)
    try:
        with pytest.raises((http.client.RemoteDisconnected, ConnectionError)):
            _post(port, "retry-me")  # the worker dies: the answer never comes
    finally:
        _stop(process)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == int(committed)
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == int(committed)

    process, port = _start_gunicorn(instance, None)
    try:
        status, body, headers = _post(port, "retry-me")
    finally:
        _stop(process)
    assert status == 201, body
    assert (headers.get("Idempotent-Replayed") == "true") == committed
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dossier)) == 1
        dossier = db.session.scalar(select(Dossier))
        assert dossier.code == body["code"] and len(dossier.attachments) == 1

        from portal.services.uploads import collect_orphans

        collect_orphans(upload_dir=app.config["UPLOAD_DIR"], now=datetime.now(UTC) + timedelta(hours=25))
        db.session.commit()
        on_disk = [p for p in Path(app.config["UPLOAD_DIR"]).rglob("*") if p.is_file()]
        assert len(on_disk) == 1  # only the filed dossier's file is left
        db.engine.dispose()
