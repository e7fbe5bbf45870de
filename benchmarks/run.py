#!/usr/bin/env python3
"""Benchmarks of the intake portal, in one run: page weight, filing throughput, receipt render time.

    python3 benchmarks/run.py [--json FILE|-] [--requests 300] [--clients 4] [--renders 15] [--no-browser]
                              [--pages-only]

1. Page weight: every e-Form page of forms_schemas/ and of the react-jsonschema-form playground samples
   (../shared/conformance/rjsf-samples/, imported through tests/rjsf_samples.py) loaded in headless Chromium;
   each response gzipped at level 6 and summed (budget: 30 kB for the birth registration form and for the
   heaviest sample form).
2. Filing throughput: the portal under `gunicorn -w 2 --threads 1` (sync workers) on a fresh SQLite file,
   dossiers filed through the API by a few client threads, next to a bare Flask endpoint under the same
   gunicorn command; every answer must be 201 and the database must hold exactly that many dossiers.
3. Receipt render time: median of N renders of a typical receipt next to a one-line document.

Only 127.0.0.1 is contacted; everything started here (gunicorn, Chromium, the temporary folder) is stopped
or removed before the script exits, also on error or Ctrl-C. Exit status: 0 when every check passed,
1 when a check failed (an answer other than 201, a count mismatch, a page that did not load), 2 when the
benchmark could not run (gunicorn did not start, the database could not be prepared).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parent.parent
FORMS_DIR = ROOT / "forms_schemas"
MAIN_PROCEDURE = "1.001193"  # birth registration: the page with a budget, and the procedure filed in the load
FORM_PATH = "/thu-tuc/{code}/nop-ho-so"
PAGE_BUDGET_BYTES = 30_000  # 30 kB gzip, HTML and everything it loads
GZIP_LEVEL = 6
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HOST = "127.0.0.1"
REQUEST_TIMEOUT_S = 30.0
WARMUP_REQUESTS = 8
# per load run: requests still unsent by then are not sent, and the run is marked incomplete
LOAD_BUDGET_S = 75.0
RENDER_BUDGET_S = 60.0
MAX_ASSETS = 60  # the HTML-parsing fallback fetches at most this many assets per page


class BenchmarkError(Exception):
    """The benchmark could not run (as opposed to a check that failed)."""


# --- pure helpers (tests/unit/test_benchmarks_smoke.py) -----------------------------------------------------


def gzip_size(data: bytes, level: int = GZIP_LEVEL) -> int:
    """Bytes on the wire for `data` gzipped at `level`, as a server would send it (fixed mtime)."""
    return len(gzip.compress(data, compresslevel=level, mtime=0))


def page_weight(bodies: list[bytes], level: int = GZIP_LEVEL) -> int:
    """Sum of the gzip sizes of every response a page loads (each compressed on its own, like HTTP does)."""
    return sum(gzip_size(body, level) for body in bodies)


def kb(n_bytes: float) -> str:
    """`12.3 kB` (1 kB = 1000 bytes)."""
    return f"{n_bytes / 1000:.1f} kB"


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        rel = a.get("rel", "").lower().split()
        if tag == "link" and a.get("href") and {"stylesheet", "icon", "preload", "modulepreload"} & set(rel):
            self.urls.append(("stylesheet" if "stylesheet" in rel else "other", a["href"]))
        elif tag == "script" and a.get("src"):
            self.urls.append(("script", a["src"]))
        elif tag in ("img", "source", "input") and a.get("src"):
            self.urls.append(("image", a["src"]))


def asset_urls(html: str, base_url: str) -> list[tuple[str, str]]:
    """(kind, absolute URL) of the stylesheets, scripts, images and preloads an HTML page references.

    `data:` URIs are left out (they are part of the page already); each URL appears once, in page order.
    """
    parser = _AssetLinks()
    parser.feed(html)
    parser.close()
    seen: set[str] = set()
    out = []
    for kind, ref in parser.urls:
        if ref.strip().lower().startswith("data:"):
            continue
        url = urljoin(base_url, ref.strip()).split("#")[0]
        if url not in seen:
            seen.add(url)
            out.append((kind, url))
    return out


_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def css_urls(css: str, base_url: str) -> list[str]:
    """Absolute URLs a stylesheet loads (url(...) and @import "..."), without data: URIs, each once."""
    seen: set[str] = set()
    out = []
    for match in _CSS_URL.finditer(_CSS_COMMENT.sub("", css)):
        ref = (match.group(2) or match.group(4) or "").strip()
        if not ref or ref.lower().startswith("data:"):
            continue
        url = urljoin(base_url, ref).split("#")[0]
        if url not in seen:
            seen.add(url)
            out.append(url)
    return out


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation between closest ranks; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def multipart_body(
    fields: list[tuple[str, str]], files: list[tuple[str, str, str, bytes]], boundary: str
) -> tuple[bytes, str]:
    """A multipart/form-data body (RFC 7578, UTF-8 names) and its Content-Type header value."""

    def quoted(text: str) -> str:
        return text.replace("\\", "\\\\").replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")

    chunks: list[bytes] = []
    for name, value in fields:
        chunks.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{quoted(name)}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
        )
    for name, filename, content_type, content in files:
        head = (
            f"--{boundary}\r\nContent-Disposition: form-data; "
            f'name="{quoted(name)}"; filename="{quoted(filename)}"\r\nContent-Type: {content_type}\r\n\r\n'
        )
        chunks.append(head.encode() + content + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/form-data; boundary={boundary}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# --- the portal under gunicorn ------------------------------------------------------------------------------


def bench_env(tmp: Path) -> dict[str, str]:
    """The portal's settings for this run: everything in the temporary folder, nothing from the caller's."""
    env = dict(os.environ)
    env.update(
        PORTAL_INSTANCE_DIR=str(tmp / "instance"),
        DATABASE_URL=f"sqlite:///{tmp / 'instance' / 'portal.db'}",
        UPLOAD_DIR=str(tmp / "instance" / "uploads"),
        SECRET_KEY="benchmark-only-" + uuid.uuid4().hex,
        PUBLIC_BASE_URL="",
        PYTHONUNBUFFERED="1",
    )
    return env


def _run_step(args: list[str], env: dict[str, str], what: str, timeout: float = 120) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchmarkError(f"{what} took more than {timeout:.0f} s") from error


_CREATE_ALL = (
    "import portal.models\n"
    "from portal import create_app\n"
    "from portal.extensions import db\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    db.create_all()\n"
)


def prepare_database(env: dict[str, str], tmp: Path) -> str:
    """Schema by `flask db upgrade` (db.create_all() when migrations are missing or fail), then the samples.

    Returns how the schema was made, for the report.
    """
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    schema = "flask db upgrade"
    if not (ROOT / "migrations" / "env.py").exists():
        schema = "db.create_all() (fallback: no migrations/ folder yet)"
    else:
        upgrade = _run_step([*flask, "db", "upgrade"], env, "flask db upgrade")
        if upgrade.returncode != 0:
            last = (upgrade.stderr.strip().splitlines() or ["no output"])[-1]
            schema = f"db.create_all() (fallback: `flask db upgrade` failed: {last[:160]})"
    if schema != "flask db upgrade":
        for suffix in ("", "-wal", "-shm", "-journal"):  # start again from nothing after a half-done upgrade
            (tmp / "instance" / f"portal.db{suffix}").unlink(missing_ok=True)
        created = _run_step([sys.executable, "-c", _CREATE_ALL], env, "db.create_all()")
        if created.returncode != 0:
            raise BenchmarkError(f"db.create_all() failed:\n{created.stderr[-3000:]}")
    imported = _run_step([*flask, "forms", "import", str(FORMS_DIR)], env, "flask forms import")
    if imported.returncode != 0:
        raise BenchmarkError(f"flask forms import forms_schemas failed:\n{imported.stderr[-3000:]}")
    return schema


@dataclass
class SampleForms:
    """The rjsf playground samples published for this run: code -> label, and those import refuses."""

    labels: dict[str, str] = field(default_factory=dict)
    refused: dict[str, str] = field(default_factory=dict)  # module -> the first import error


def prepare_rjsf_samples(env: dict[str, str], tmp: Path) -> SampleForms:
    """Publish every rjsf sample the importer accepts with `flask forms import`, as an admin would.

    Import is all or nothing, so a sample the checks refuse (tests/integration/test_rjsf_samples_in_portal.py
    lists which, and why) is left out and named in the report instead of stopping the run.
    """
    sys.path.insert(0, str(ROOT))
    from portal.forms_engine.definition import check_definition
    from tests.rjsf_samples import SAMPLES_DIR, load_samples, write_definitions

    if not SAMPLES_DIR.is_dir():
        return SampleForms(refused={"(all)": f"{SAMPLES_DIR} not found"})
    forms = SampleForms()
    accepted = []
    for sample in load_samples():
        errors = [p for p in check_definition(sample.definition, source=sample.file_name) if p.severity == "error"]
        if errors:
            forms.refused[sample.module] = f"{errors[0].pointer}: {errors[0].message}"
        else:
            accepted.append(sample)
            forms.labels[sample.code] = f"{sample.module} “{sample.name}”"
    folder = tmp / "rjsf-samples"
    write_definitions(accepted, folder)
    flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
    imported = _run_step([*flask, "forms", "import", str(folder)], env, "flask forms import (rjsf samples)")
    if imported.returncode != 0:
        raise BenchmarkError(f"flask forms import of the rjsf samples failed:\n{imported.stderr[-3000:]}")
    return forms


class Gunicorn:
    """`gunicorn -w 2 --threads 1` (sync workers) in its own process group, stopped as a group."""

    def __init__(self, app_spec: str, env: dict[str, str], tmp: Path, name: str) -> None:
        self.app_spec, self.env, self.tmp, self.name = app_spec, env, tmp, name
        self.port = free_port()
        self.log_path = tmp / f"gunicorn-{name}.log"
        self.proc: subprocess.Popen | None = None
        self.display = f"gunicorn -w 2 --threads 1 -k sync -b {HOST}:<port> {app_spec}"
        self.command = [
            sys.executable, "-m", "gunicorn",
            "-w", "2", "--threads", "1", "-k", "sync",
            "-b", f"{HOST}:{self.port}",
            "--timeout", "60", "--graceful-timeout", "5",
            "--no-control-socket", "--worker-tmp-dir", str(tmp),
            "--log-level", "info",
            self.app_spec,
        ]  # fmt: skip

    def start(self, ready_path: str, timeout_s: float = 40.0) -> None:
        log(f"starting gunicorn ({self.name}) on {HOST}:{self.port}")
        with open(self.log_path, "wb") as out:
            self.proc = subprocess.Popen(
                self.command, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise BenchmarkError(
                    f"gunicorn ({self.name}) exited with status {self.proc.returncode} before answering:\n"
                    + self.log_tail()
                )
            if self._answers(ready_path) and self.log_text().count("Booting worker") >= 2:
                return
            time.sleep(0.2)
        raise BenchmarkError(
            f"gunicorn ({self.name}) did not answer on {HOST}:{self.port} within {timeout_s:.0f} s:\n" + self.log_tail()
        )

    def _answers(self, path: str) -> bool:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
        try:
            conn.request("GET", path)
            conn.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, n_chars: int = 4000) -> str:
        text = self.log_text()
        return text[-n_chars:] if text else "(gunicorn wrote nothing)"

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)  # the group of the master we started: master and workers
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
        # the workers are in the same group; make sure none outlives the master
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)


# --- 1. page weight -----------------------------------------------------------------------------------------


@dataclass
class Resource:
    url: str
    kind: str
    status: int | None
    raw_bytes: int
    gzip_bytes: int


@dataclass
class PageResult:
    code: str
    path: str
    resources: list[Resource] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # requests without an answer (blocked, refused…)

    @property
    def gzip_bytes(self) -> int:
        return sum(r.gzip_bytes for r in self.resources)

    @property
    def raw_bytes(self) -> int:
        return sum(r.raw_bytes for r in self.resources)

    @property
    def requests(self) -> int:
        return len(self.resources) + len(self.failed)

    @property
    def problems(self) -> list[str]:
        bad = [f"{r.status} {urlsplit(r.url).path}" for r in self.resources if r.status is None or r.status >= 400]
        return bad + [f"failed {urlsplit(u).path}" for u in self.failed]


def procedure_codes() -> list[str]:
    codes = []
    for path in sorted(FORMS_DIR.glob("*.json")):
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            codes.append(str(json.loads(path.read_text(encoding="utf-8"))["procedure"]["code"]))
    if MAIN_PROCEDURE in codes:  # the budgeted page first
        codes.remove(MAIN_PROCEDURE)
        codes.insert(0, MAIN_PROCEDURE)
    return codes


def weigh_pages_in_chromium(port: int, codes: list[str]) -> list[PageResult]:
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    def local_only(route: Any) -> None:
        parts = urlsplit(route.request.url)
        same_server = parts.scheme == "http" and parts.hostname == HOST and parts.port == port
        if same_server or parts.scheme in ("data", "blob"):
            route.continue_()
        else:
            route.abort("blockedbyclient")

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, timeout=30_000)
        try:
            for code in codes:
                path = FORM_PATH.format(code=code)
                result = PageResult(code, path)
                context = browser.new_context(locale="vi-VN")  # a fresh context: an empty cache per page
                try:
                    # nothing leaves the machine: a request to any other origin is aborted and reported
                    context.route("**/*", local_only)
                    page = context.new_page()
                    page.set_default_timeout(20_000)
                    responses: list = []
                    failed: list[str] = []
                    page.on("response", _appender(responses))
                    page.on("requestfailed", _appender(failed, lambda request: request.url))
                    page.goto(f"http://{HOST}:{port}{path}", wait_until="networkidle", timeout=20_000)
                    for response in responses:
                        try:
                            body = response.body()
                        except PlaywrightError:  # e.g. a redirect
                            body = b""
                        if not body and response.status not in (204, 304) and not 300 <= response.status < 400:
                            # Chromium hands over no body for an answer it blocked (a 404 HTML page for a
                            # script under nosniff), but the bytes did cross the wire: fetch them again
                            status, refetched, _ = _http_get(port, response.url)
                            body = refetched if status == response.status else b""
                        result.resources.append(
                            Resource(response.url, response.request.resource_type, response.status,
                                     len(body), gzip_size(body))
                        )  # fmt: skip
                    answered = {response.url for response in responses}
                    result.failed = [url for url in failed if url not in answered]
                finally:
                    context.close()
                results.append(result)
        finally:
            browser.close()
    return results


def _appender(items: list, transform: Any = None) -> Any:
    """An event handler (a plain function: Playwright cannot wrap a bound builtin like list.append)."""

    def handler(event: Any) -> None:
        items.append(transform(event) if transform else event)

    return handler


def _http_get(port: int, url: str) -> tuple[int | None, bytes, str]:
    parts = urlsplit(url)
    if parts.hostname != HOST or parts.port != port:
        return None, b"", ""  # never leave the machine: only the server under test is fetched
    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers={"Accept": "*/*"})
        response = conn.getresponse()
        return response.status, response.read(), response.getheader("Content-Type", "")
    except (OSError, http.client.HTTPException):
        return None, b"", ""
    finally:
        conn.close()


def weigh_pages_by_parsing(port: int, codes: list[str]) -> list[PageResult]:
    """Without a browser: the HTML, what it references, and what its stylesheets reference (fonts, images)."""
    results = []
    for code in codes:
        path = FORM_PATH.format(code=code)
        result = PageResult(code, path)
        page_url = f"http://{HOST}:{port}{path}"
        status, body, _ = _http_get(port, page_url)
        result.resources.append(Resource(page_url, "document", status, len(body), gzip_size(body)))
        queue = asset_urls(body.decode("utf-8", "replace"), page_url)
        seen = {page_url}
        while queue and len(seen) <= MAX_ASSETS:
            kind, url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            status, body, content_type = _http_get(port, url)
            if status is None:
                result.failed.append(url)
                continue
            result.resources.append(Resource(url, kind, status, len(body), gzip_size(body)))
            if status == 200 and (kind == "stylesheet" or "text/css" in content_type):
                queue += [("font/image", u) for u in css_urls(body.decode("utf-8", "replace"), url)]
        results.append(result)
    return results


# --- 2. filing throughput -----------------------------------------------------------------------------------


def filing_request() -> tuple[bytes, str]:
    """A valid birth registration with its required document (a one-page PDF), as one multipart body."""
    sys.path.insert(0, str(ROOT))
    from tests.factories import applicant, birth_data, tiny_pdf

    data = birth_data()
    # a child born a week ago, whatever the date the benchmark runs on
    data["child"]["birth_date"] = (date.today() - timedelta(days=7)).isoformat()
    payload = json.dumps({"applicant": applicant(), "data": data}, ensure_ascii=False)
    return multipart_body(
        [("payload", payload)],
        [("giay_chung_sinh", "Giấy chứng sinh.pdf", "application/pdf", tiny_pdf())],
        boundary="bench-" + uuid.uuid4().hex,
    )


@dataclass
class LoadResult:
    label: str
    planned: int
    clients: int
    elapsed_s: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies_s: list[float] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)
    samples: list[str] = field(default_factory=list)  # first answers other than 201, for the report
    receipt_url: str | None = None
    incomplete: bool = False

    @property
    def sent(self) -> int:
        return sum(self.statuses.values())

    @property
    def created(self) -> int:
        return self.statuses.get(201, 0)

    @property
    def rate(self) -> float:
        return self.created / self.elapsed_s if self.elapsed_s > 0 else 0.0


def run_load(
    *, label: str, port: int, path: str, body: bytes, content_type: str, total: int, clients: int,
    budget_s: float = LOAD_BUDGET_S,
) -> LoadResult:  # fmt: skip
    """`total` POSTs over `clients` threads, each with its own keep-alive connection (reopened if closed)."""
    result = LoadResult(label, total, clients)
    lock = threading.Lock()
    issued = 0
    start = time.perf_counter()
    deadline = start + budget_s
    headers = {"Content-Type": content_type, "Accept": "application/json", "Accept-Language": "vi"}

    def record(status: Any, latency: float | None, answer: bytes) -> None:
        with lock:
            result.statuses[status] += 1
            if latency is not None:
                result.latencies_s.append(latency)
            if status == 201:
                with contextlib.suppress(ValueError, AttributeError):
                    answer_json = json.loads(answer)
                    result.codes.append(answer_json.get("code"))
                    result.receipt_url = result.receipt_url or answer_json.get("receipt_url")
            elif len(result.samples) < 5:
                result.samples.append(f"{status}: {answer[:300].decode('utf-8', 'replace')}")

    def client() -> None:
        nonlocal issued
        conn: http.client.HTTPConnection | None = None
        try:
            while True:
                with lock:
                    if issued >= total or time.perf_counter() > deadline:
                        return
                    issued += 1
                if conn is None:
                    conn = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as error:
                    record(f"error {type(error).__name__}", None, str(error).encode())
                    conn.close()
                    conn = None
                    continue
                record(response.status, time.perf_counter() - t0, answer)
                if response.will_close:  # gunicorn's sync workers close after every answer
                    conn.close()
                    conn = None
        finally:
            if conn is not None:
                conn.close()

    threads = [threading.Thread(target=client, name=f"bench-client-{i}", daemon=True) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.perf_counter()) + REQUEST_TIMEOUT_S + 5)
    result.elapsed_s = time.perf_counter() - start
    result.incomplete = result.sent < total
    return result


def count_rows(db_path: Path, table: str) -> int:
    with contextlib.closing(sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=10)) as conn:
        return int(conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])


def lookup_ok(port: int, code: str, phone: str) -> bool:
    status, body, _ = _http_get(port, f"http://{HOST}:{port}/api/v1/dossiers/{code}?phone={phone}")
    with contextlib.suppress(ValueError):
        return status == 200 and json.loads(body).get("code") == code
    return False


def timed_get(port: int, url: str) -> tuple[int | None, float, str, int]:
    t0 = time.perf_counter()
    status, body, content_type = _http_get(port, url)
    return status, time.perf_counter() - t0, content_type, len(body)


# --- 3. receipt render time ---------------------------------------------------------------------------------


def typical_receipt():
    """A birth registration filed online by a helper: applicant, helper, 2 documents, 25 answer lines."""
    from portal.receipts.pdf import ReceiptData, ReceiptDocument, ReceiptLine

    def person(name: str, born: str, id_number: str) -> list[ReceiptLine]:
        return [
            ReceiptLine("Họ, chữ đệm và tên", name, 1),
            ReceiptLine("Ngày, tháng, năm sinh", born, 1),
            ReceiptLine("Dân tộc", "Kinh", 1),
            ReceiptLine("Quốc tịch", "Việt Nam", 1),
            ReceiptLine("Số định danh cá nhân", id_number, 1),
            ReceiptLine("Nơi cư trú", "Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang", 1),
        ]

    answers = (
        ReceiptLine("Quan hệ với người được khai sinh", "Mẹ"),
        ReceiptLine("Người được khai sinh", "", 0, True),
        ReceiptLine("Họ, chữ đệm và tên", "Trần Minh Đức", 1),
        ReceiptLine("Ngày, tháng, năm sinh", "20/11/2026", 1),
        ReceiptLine("Giới tính", "Nam", 1),
        ReceiptLine("Nơi sinh", "Bệnh viện Đa khoa tỉnh Tuyên Quang", 1),
        ReceiptLine("Dân tộc", "Kinh", 1),
        ReceiptLine("Quốc tịch", "Việt Nam", 1),
        ReceiptLine("Quê quán", "Xã Mỹ Bằng, tỉnh Tuyên Quang", 1),
        ReceiptLine("Người mẹ", "", 0, True),
        *person("Nguyễn Thị Ánh", "14/03/1995", "008190001234"),
        ReceiptLine("Đã xác định được người cha", "Có"),
        ReceiptLine("Người cha", "", 0, True),
        *person("Trần Văn Ệ", "02/07/1990", "008089004321"),
    )
    return ReceiptData(
        agency_parent="ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG",
        agency_name="Bộ phận Tiếp nhận và Trả kết quả UBND xã Mỹ Bằng",
        place="Mỹ Bằng",
        code="H60.22.5-261127-0042",
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        applicant_name="Nguyễn Thị Ánh",
        applicant_id_number="008190001234",
        applicant_address="Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang",
        applicant_phone="0912345678",
        applicant_email="anh.nguyen@example.vn",
        helper_name="Hoàng Văn Lực (Tổ công nghệ số cộng đồng)",
        helper_phone="0987654321",
        submitted_at=datetime(2026, 11, 27, 2, 15, tzinfo=UTC),
        processing_days=0,
        due_text=(
            "Hồ sơ nộp trực tuyến được Bộ phận Một cửa kiểm tra trong ngày làm việc; ngày hẹn trả kết quả "
            "được tính từ khi hồ sơ được tiếp nhận và báo cho ông (bà) qua số điện thoại đã đăng ký."
        ),
        documents=(
            ReceiptDocument("Giấy chứng sinh (hoặc văn bản của người làm chứng)", ("Giấy chứng sinh.pdf",)),
            ReceiptDocument("Văn bản ủy quyền (nếu nộp thay)", ("Giấy ủy quyền - Nguyễn Thị Ánh.jpg",)),
        ),
        answers=answers,
        lookup_url="http://127.0.0.1:5000/tra-cuu?ma=H60.22.5-261127-0042",
        channel="web",
        locale="vi",
    )


@dataclass
class RenderResult:
    receipt_s: list[float] = field(default_factory=list)
    one_line_s: list[float] = field(default_factory=list)
    warmup_s: float = 0.0
    receipt_pdf_bytes: int = 0
    receipt_pages: int | None = None
    answer_lines: int = 0
    incomplete: bool = False


def pdf_pages(pdf: bytes) -> int | None:
    """Page count through pypdf (a test dependency in requirements.txt); None when it is not installed."""
    try:
        from pypdf import PdfReader
    except ImportError:
        return None
    import io

    return len(PdfReader(io.BytesIO(pdf)).pages)


def time_renders(n: int, budget_s: float = RENDER_BUDGET_S) -> RenderResult:
    """After one warm-up render of each, N renders of each, interleaved so that drift hits both alike."""
    from portal.receipts.pdf import render_html_pdf, render_receipt_pdf

    data = typical_receipt()
    result = RenderResult(answer_lines=len(data.answers))
    t0 = time.perf_counter()
    pdf = render_receipt_pdf(data)
    result.receipt_pdf_bytes = len(pdf)
    result.receipt_pages = pdf_pages(pdf)
    render_html_pdf("<p>Xin chào</p>")
    result.warmup_s = time.perf_counter() - t0
    deadline = time.perf_counter() + budget_s
    for _ in range(n):
        if time.perf_counter() > deadline:
            result.incomplete = True
            break
        t = time.perf_counter()
        render_receipt_pdf(data)
        result.receipt_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        render_html_pdf("<p>Xin chào</p>")
        result.one_line_s.append(time.perf_counter() - t)
    return result


# --- the run ------------------------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON to FILE ('-': stdout)")
    parser.add_argument("--requests", type=int, default=300, help="filings per load run (default 300)")
    parser.add_argument("--clients", type=int, default=4, help="concurrent client threads (default 4)")
    parser.add_argument("--renders", type=int, default=15, help="renders of each document (default 15)")
    parser.add_argument("--no-browser", action="store_true", help="weigh pages by parsing HTML, not Chromium")
    parser.add_argument("--pages-only", action="store_true", help="only the page weight (no load, no receipts)")
    args = parser.parse_args(argv)
    args.requests = max(1, min(args.requests, 5000))
    args.clients = max(1, min(args.clients, 32))
    args.renders = max(1, min(args.renders, 200))

    def on_term(signum, frame):  # SIGTERM -> SystemExit, so that every `finally` below still runs
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_term)
    started = time.perf_counter()
    phases: dict[str, float] = {}

    @contextlib.contextmanager
    def phase(name: str):
        t0 = time.perf_counter()
        try:
            yield
        finally:
            phases[name] = time.perf_counter() - t0

    tmp = Path(tempfile.mkdtemp(prefix="portal-bench-"))
    servers: list[Gunicorn] = []
    report: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        },
        "phases_s": phases,
    }
    failures: list[str] = []
    try:
        env = bench_env(tmp)
        os.environ["PORTAL_INSTANCE_DIR"] = env["PORTAL_INSTANCE_DIR"]  # before anything imports portal
        sys.path.insert(0, str(ROOT))
        log("preparing the SQLite database")
        with phase("prepare database"):
            report["schema"] = prepare_database(env, tmp)
            log("importing the rjsf playground samples")
            samples = prepare_rjsf_samples(env, tmp)

        portal = Gunicorn("wsgi:app", env, tmp, "portal")
        servers.append(portal)
        with phase("start portal"):
            portal.start(ready_path="/")

        # 1. page weight
        codes = procedure_codes() + list(samples.labels)
        pages, weigher = None, "HTML parsing (--no-browser)"
        t_pages = time.perf_counter()
        if not args.no_browser:
            log("weighing form pages in headless Chromium")
            try:
                pages, weigher = weigh_pages_in_chromium(portal.port, codes), "headless Chromium"
            except Exception as error:  # no playwright, no Chromium…: fall back, and say so
                weigher = f"HTML parsing (Chromium unavailable: {type(error).__name__}: {str(error)[:120]})"
        if pages is None:
            log("weighing form pages by parsing their HTML")
            pages = weigh_pages_by_parsing(portal.port, codes)
        phases["page weight"] = time.perf_counter() - t_pages
        report["page_weight"] = {
            "method": weigher,
            "gzip_level": GZIP_LEVEL,
            "budget_bytes": PAGE_BUDGET_BYTES,
            "pages": [
                {
                    "procedure": p.code,
                    "path": p.path,
                    "gzip_bytes": p.gzip_bytes,
                    "raw_bytes": p.raw_bytes,
                    "requests": p.requests,
                    "resources": [r.__dict__ for r in p.resources],
                    "failed": p.failed,
                    "problems": p.problems,
                }
                for p in pages
            ],
        }
        sample_pages = [p for p in pages if p.code in samples.labels]
        heaviest_sample = max(sample_pages, key=lambda p: p.gzip_bytes, default=None)
        report["page_weight"]["rjsf_samples"] = {
            "pages": len(sample_pages),
            "refused_at_import": samples.refused,
            "heaviest": None
            if heaviest_sample is None
            else {
                "procedure": heaviest_sample.code,
                "sample": samples.labels[heaviest_sample.code],
                "gzip_bytes": heaviest_sample.gzip_bytes,
                "raw_bytes": heaviest_sample.raw_bytes,
                "requests": heaviest_sample.requests,
            },
        }
        for p in pages:
            if p.problems:
                failures.append(f"page {p.path}: {', '.join(p.problems)}")
        if heaviest_sample is not None and heaviest_sample.gzip_bytes > PAGE_BUDGET_BYTES:
            failures.append(
                f"heaviest rjsf sample page {heaviest_sample.path} ({samples.labels[heaviest_sample.code]}) "
                f"weighs {kb(heaviest_sample.gzip_bytes)}, over the {kb(PAGE_BUDGET_BYTES)} budget"
            )
        if args.pages_only:
            report["seconds"] = time.perf_counter() - started
            report["machine"]["load_average_at_end"] = os.getloadavg()
            report["failures"] = failures
            print_report(report, pages, None, None, samples)
            return _finish(report, args, failures)

        # 2. filing throughput: warm-up, then the measured load on the portal
        body, content_type = filing_request()
        path = f"/api/v1/procedures/{MAIN_PROCEDURE}/dossiers"
        log(f"warming up the portal ({WARMUP_REQUESTS} filings)")
        t_load = time.perf_counter()
        warmup = run_load(label="warm-up", port=portal.port, path=path, body=body, content_type=content_type,
                          total=WARMUP_REQUESTS, clients=args.clients)  # fmt: skip
        log(f"filing {args.requests} dossiers over {args.clients} client threads")
        load = run_load(label="portal", port=portal.port, path=path, body=body, content_type=content_type,
                        total=args.requests, clients=args.clients)  # fmt: skip
        checks: dict[str, Any] = {}
        db_path = tmp / "instance" / "portal.db"
        expected = warmup.created + load.created
        checks["dossiers_in_db"] = count_rows(db_path, "dossier")
        checks["attachments_in_db"] = count_rows(db_path, "attachment")
        checks["answers_201"] = expected
        checks["distinct_codes"] = len(set(warmup.codes + load.codes))
        sample_code = (load.codes or warmup.codes or [None])[-1]
        checks["lookup_ok"] = bool(sample_code) and lookup_ok(portal.port, sample_code, "0912345678")
        receipt_http = None
        if load.receipt_url:
            log("fetching one receipt PDF over HTTP (first render, then the stored copy)")
            first = timed_get(portal.port, load.receipt_url)
            again = timed_get(portal.port, load.receipt_url)
            receipt_http = {
                "first": {
                    "status": first[0],
                    "seconds": first[1],
                    "content_type": first[2],
                    "bytes": first[3],
                },
                "cached": {
                    "status": again[0],
                    "seconds": again[1],
                    "content_type": again[2],
                    "bytes": again[3],
                },
            }
        for result in (warmup, load):
            if result.created != result.sent or result.incomplete:
                failures.append(
                    f"{result.label}: {result.created} of {result.planned} answers were 201 "
                    f"({dict(result.statuses)}); first others: {result.samples[:3]}"
                )
        if checks["dossiers_in_db"] != expected:
            failures.append(f"{checks['dossiers_in_db']} dossiers in the database, {expected} answers 201")
        if checks["attachments_in_db"] != expected:
            failures.append(f"{checks['attachments_in_db']} attachments in the database, {expected} dossiers")
        if checks["distinct_codes"] != expected:
            failures.append(f"{checks['distinct_codes']} distinct dossier codes for {expected} dossiers")
        if not checks["lookup_ok"]:
            failures.append(f"GET /api/v1/dossiers/{sample_code} did not find a dossier just filed")
        if receipt_http and receipt_http["first"]["status"] != 200:
            failures.append(f"receipt PDF over HTTP answered {receipt_http['first']['status']}")
        if "Traceback" in portal.log_text():
            failures.append(f"the portal logged a traceback (see below):\n{portal.log_tail(2000)}")
        portal.stop()
        phases["portal load and checks"] = time.perf_counter() - t_load

        t_bare = time.perf_counter()
        bare = Gunicorn("benchmarks.bare_app:app", env, tmp, "bare")
        servers.append(bare)
        bare.start(ready_path="/")
        run_load(label="bare warm-up", port=bare.port, path=path, body=body, content_type=content_type,
                 total=WARMUP_REQUESTS, clients=args.clients)  # fmt: skip
        log(f"the same load against a bare Flask endpoint ({args.requests} requests)")
        baseline = run_load(label="bare", port=bare.port, path=path, body=body, content_type=content_type,
                            total=args.requests, clients=args.clients)  # fmt: skip
        if baseline.created != baseline.sent or baseline.incomplete:
            failures.append(f"bare: {baseline.created} of {baseline.planned} answers were 201")
        bare.stop()
        phases["bare start and load"] = time.perf_counter() - t_bare

        def load_json(r: LoadResult) -> dict[str, Any]:
            return {
                "requests": r.planned,
                "sent": r.sent,
                "created_201": r.created,
                "statuses": {str(k): v for k, v in r.statuses.items()},
                "seconds": r.elapsed_s,
                "per_second": r.rate,
                "latency_p50_s": percentile(r.latencies_s, 50),
                "latency_p95_s": percentile(r.latencies_s, 95),
                "latency_max_s": max(r.latencies_s, default=float("nan")),
                "incomplete": r.incomplete,
            }

        report["filing"] = {
            "gunicorn": portal.display,
            "clients": args.clients,
            "request_bytes": len(body),
            "warmup_requests": WARMUP_REQUESTS,
            "portal": load_json(load),
            "bare": load_json(baseline),
            "ratio_portal_to_bare": load.rate / baseline.rate if baseline.rate else None,
            "checks": checks,
            "receipt_over_http": receipt_http,
        }

        # 3. receipt render time, with the servers stopped so that the two cores are free
        log(f"rendering the receipt and a one-line document {args.renders} times each")
        with phase("receipt renders"):
            renders = time_renders(args.renders)
        receipt_med = statistics.median(renders.receipt_s)
        one_line_med = statistics.median(renders.one_line_s)
        report["receipt_render"] = {
            "renders": len(renders.receipt_s),
            "answer_lines": renders.answer_lines,
            "documents": 2,
            "receipt_median_s": receipt_med,
            "receipt_min_s": min(renders.receipt_s),
            "one_line_median_s": one_line_med,
            "one_line_min_s": min(renders.one_line_s),
            "ratio": receipt_med / one_line_med if one_line_med else None,
            "first_renders_s": renders.warmup_s,
            "receipt_pdf_bytes": renders.receipt_pdf_bytes,
            "receipt_pdf_pages": renders.receipt_pages,
            "incomplete": renders.incomplete,
        }
        report["seconds"] = time.perf_counter() - started
        report["machine"]["load_average_at_end"] = os.getloadavg()
        report["failures"] = failures
        print_report(report, pages, load, baseline, samples)
    except BenchmarkError as error:
        print(f"benchmark could not run: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: gunicorn stopped, temporary folder removed", file=sys.stderr)
        return 130
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)

    return _finish(report, args, failures)


def _finish(report: dict[str, Any], args: argparse.Namespace, failures: list[str]) -> int:
    if args.json:
        text = json.dumps(report, ensure_ascii=False, indent=2, default=str)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text + "\n", encoding="utf-8")
    return 1 if failures else 0


def print_report(
    report: dict[str, Any],
    pages: list[PageResult],
    load: LoadResult | None,
    bare: LoadResult | None,
    samples: SampleForms | None = None,
) -> None:
    """The figures as text; `load` and `bare` are None after a --pages-only run."""
    out: list[str] = []
    machine = report["machine"]
    out.append(f"Portal benchmarks — {machine['cpus']} CPU(s), Python {machine['python']}")
    busiest = max(machine["load_average_at_start"][0], machine["load_average_at_end"][0])
    out.append(
        f"load average (1 min) at start {machine['load_average_at_start'][0]:.1f}, "
        f"at end {machine['load_average_at_end'][0]:.1f}"
        + (" — other work competed for the CPUs: slower figures" if busiest > (machine["cpus"] or 1) else "")
    )
    out.append(f"schema: {report['schema']}")
    weight = report["page_weight"]
    out.append("")
    out.append(f"1. Page weight (each response gzip -{GZIP_LEVEL}, summed; {weight['method']})")
    main_page = pages[0]
    verdict = "within budget" if main_page.gzip_bytes <= PAGE_BUDGET_BYTES else "OVER BUDGET"
    out.append(
        f"   {main_page.path:<30} {kb(main_page.gzip_bytes):>9} gzip ({kb(main_page.raw_bytes)} raw), "
        f"{main_page.requests} requests — budget {kb(PAGE_BUDGET_BYTES)}: {verdict}"
    )
    for r in main_page.resources:
        out.append(
            f"     {r.status!s:>4} {r.kind:<11} {urlsplit(r.url).path:<34} "
            f"{kb(r.gzip_bytes):>9} gzip {kb(r.raw_bytes):>9} raw"
        )
    for url in main_page.failed:
        out.append(f"     fail {'':<11} {urlsplit(url).path}")
    labels = samples.labels if samples else {}
    own = [p for p in pages if p.code not in labels]
    heaviest = max(own, key=lambda p: p.gzip_bytes)
    out.append(
        f"   heaviest form page: {heaviest.code} {kb(heaviest.gzip_bytes)} gzip, {heaviest.requests} requests"
        f"  (all: {', '.join(f'{p.code} {kb(p.gzip_bytes)}' for p in own)})"
    )
    sample_pages = [p for p in pages if p.code in labels]
    if samples and sample_pages:
        top = max(sample_pages, key=lambda p: p.gzip_bytes)
        verdict = "within budget" if top.gzip_bytes <= PAGE_BUDGET_BYTES else "OVER BUDGET"
        light = min(sample_pages, key=lambda p: p.gzip_bytes)
        out.append(
            f"   heaviest rjsf sample form page: {top.code} {labels[top.code]} {kb(top.gzip_bytes)} gzip "
            f"({kb(top.raw_bytes)} raw), {top.requests} requests — budget {kb(PAGE_BUDGET_BYTES)}: {verdict}"
        )
        out.append(
            f"     {len(sample_pages)} sample pages weighed (lightest {light.code} {kb(light.gzip_bytes)}); "
            f"refused at import: {', '.join(sorted(samples.refused)) or 'none'}"
        )
    elif samples:
        out.append(f"   rjsf sample form pages: none weighed; refused at import: {samples.refused}")
    if load is None or bare is None:
        out.append("")
        out.append("(--pages-only: no filing throughput, no receipt render time)")
        _print_end(out, report)
        return
    filing = report["filing"]
    out.append("")
    out.append(
        f"2. Filing throughput — {load.planned} POSTs over {filing['clients']} client threads, "
        f"multipart {kb(filing['request_bytes'])} (payload + 1-page PDF); {filing['gunicorn']}"
    )
    for r, unit in ((load, "dossiers/s"), (bare, "requests/s")):
        out.append(
            f"   {r.label:<7} {r.rate:>8.1f} {unit:<11} 201: {r.created}/{r.planned} in {r.elapsed_s:.1f} s  "
            f"p50 {ms(percentile(r.latencies_s, 50))}  p95 {ms(percentile(r.latencies_s, 95))}"
        )
    ratio = filing["ratio_portal_to_bare"]
    out.append(f"   ratio portal/bare: {ratio:.3f}" if ratio else "   ratio portal/bare: n/a")
    checks = filing["checks"]
    out.append(
        f"   checks: {checks['dossiers_in_db']} dossiers and {checks['attachments_in_db']} attachments "
        "in SQLite, "
        f"{checks['answers_201']} answers 201 (incl. {WARMUP_REQUESTS} warm-up), "
        f"{checks['distinct_codes']} distinct codes, lookup {'ok' if checks['lookup_ok'] else 'FAILED'}"
    )
    receipt_http = filing["receipt_over_http"]
    if receipt_http:
        out.append(
            f"   receipt PDF over HTTP: first {receipt_http['first']['status']} in "
            f"{ms(receipt_http['first']['seconds'])}, stored copy {receipt_http['cached']['status']} in "
            f"{ms(receipt_http['cached']['seconds'])}"
        )
    render = report["receipt_render"]
    out.append("")
    out.append(f"3. Receipt render time — median of {render['renders']}, in-process, after one warm-up render")
    out.append(
        f"   typical receipt ({render['answer_lines']} answer lines, 2 documents, helper) "
        f"{ms(render['receipt_median_s']):>8}  "
        f"(PDF {kb(render['receipt_pdf_bytes'])}, {render['receipt_pdf_pages'] or '?'} pages)"
    )
    out.append(f"   one-line document (<p>Xin chào</p>)                        {ms(render['one_line_median_s']):>8}")
    out.append(
        f"   ratio: {render['ratio']:.1f}   (first render of each, imports included: {ms(render['first_renders_s'])})"
    )
    _print_end(out, report)


def _print_end(out: list[str], report: dict[str, Any]) -> None:
    out.append("")
    if report["failures"]:
        out.append("CHECKS FAILED:")
        out += [f"  - {f}" for f in report["failures"]]
    else:
        out.append("all checks passed")
    phases = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in report["phases_s"].items())
    out.append(f"total run time {report['seconds']:.0f} s ({phases})")
    print("\n".join(out), flush=True)


if __name__ == "__main__":
    sys.exit(main())
