"""Fixtures for the real-browser tests: the portal served on 127.0.0.1, Chromium, a phone-sized page.

The app runs on SQLite only (a throwaway file in a temporary folder) with the sample procedures imported,
served by werkzeug in a daemon thread for the whole session. Each test gets a fresh browser context, so no
cookie or session leaks from one test to the next. Test modules use these through fixtures only.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMS_DIR = ROOT / "forms_schemas"
CHROMIUM = os.environ.get("PORTAL_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}  # a cheap Android phone
TIMEOUT_MS = 15_000


def _no_browser(reason: str) -> None:
    """Skip on a developer's machine without Chromium; in CI a missing browser is a broken setup."""
    if os.environ.get("CI"):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


@dataclass(frozen=True)
class LiveServer:
    app: object
    url: str

    def __call__(self, path: str = "/") -> str:
        return self.url + path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    """The portal on SQLite, with forms_schemas/ imported, listening on a free port of 127.0.0.1."""
    from werkzeug.serving import make_server

    from portal import create_app
    from portal.config import TestConfig
    from portal.extensions import db

    base = tmp_path_factory.mktemp("live-portal")
    settings = {key: getattr(TestConfig, key) for key in dir(TestConfig) if key.isupper()}
    settings.update(
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{base / 'portal.db'}",
        INSTANCE_DIR=str(base / "instance"),
        UPLOAD_DIR=str(base / "instance" / "uploads"),
    )
    app = create_app(settings)
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["forms", "import", str(FORMS_DIR)])
    assert result.exit_code == 0, result.output

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-portal", daemon=True)
    thread.start()
    try:
        yield LiveServer(app=app, url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture(scope="session", autouse=True)
def _chromium_present() -> None:
    """Checked before anything starts, so a machine without Chromium skips in a moment."""
    if not shutil.which(CHROMIUM):
        _no_browser(f"{CHROMIUM} is missing (apt-get install chromium)")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless; never a downloaded one (no `playwright install`)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _new_page(browser, **options):
    context = browser.new_context(locale="vi-VN", viewport=PHONE, **options)
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A fresh context per test: Vietnamese, 360×740 like a cheap Android phone."""
    context, page = _new_page(browser)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page_without_js(browser) -> Iterator[object]:
    """The same phone with JavaScript switched off."""
    context, page = _new_page(browser, java_script_enabled=False)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def certificate_pdf(tmp_path) -> Path:
    """A small real PDF (made with pikepdf), as a phone's scanner app would save it."""
    from tests.factories import tiny_pdf

    path = tmp_path / "giay-chung-sinh.pdf"
    path.write_bytes(tiny_pdf())
    return path


# --- filling the birth registration form as a person would: by the words on the screen ------------------

MOTHER_ID = "008195001234"
FATHER_ID = "008090004321"


def _type_date(group, day: str, month: str, year: str) -> None:
    date = group.get_by_role("group", name="Ngày, tháng, năm sinh")
    date.get_by_label("Ngày", exact=True).fill(day)
    date.get_by_label("Tháng", exact=True).fill(month)
    date.get_by_label("Năm", exact=True).fill(year)


def _fill_birth_form(page, *, certificate: Path | None, mother_id: str = MOTHER_ID) -> None:
    """Everything a mother filing for her own child types, step by step; stops on the last step, not sent."""
    next_step = page.get_by_role("button", name="Tiếp tục")
    page.get_by_label("Cho chính tôi").check()

    me = page.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
    me.get_by_label("Họ, chữ đệm và tên", exact=True).fill("Nguyễn Thị Ánh")
    me.get_by_label("Số điện thoại di động").fill("0912 345 678")
    me.get_by_label("Số định danh cá nhân").fill(MOTHER_ID)
    next_step.click()

    page.get_by_role("group", name="Quan hệ của người đi đăng ký với người được khai sinh").get_by_label(
        "Mẹ", exact=True
    ).check()
    next_step.click()

    child = page.get_by_role("group", name="Thông tin người được khai sinh")
    child.get_by_label("Họ, chữ đệm và tên").fill("Trần Minh Đức")
    _type_date(child, "20", "11", "2026")
    child.get_by_role("group", name="Giới tính").get_by_label("Nam", exact=True).check()
    child.get_by_label("Nơi sinh").fill("Bệnh viện Đa khoa tỉnh Tuyên Quang")
    child.get_by_label("Quê quán").fill("Xã Mỹ Bằng, tỉnh Tuyên Quang")
    next_step.click()

    mother = page.get_by_role("group", name="Thông tin người mẹ")
    mother.get_by_label("Họ, chữ đệm và tên").fill("Nguyễn Thị Ánh")
    _type_date(mother, "14", "3", "1995")
    mother.get_by_label("Số định danh cá nhân").fill(mother_id)
    mother.get_by_label("Nơi cư trú").fill("Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang")

    page.get_by_role("group", name="Đã xác định được cha").get_by_label("Có", exact=True).check()
    father = page.get_by_role("group", name="Thông tin người cha")
    father.get_by_label("Họ, chữ đệm và tên").fill("Trần Văn Ệ")
    _type_date(father, "2", "7", "1990")
    father.get_by_label("Số định danh cá nhân").fill(FATHER_ID)
    father.get_by_label("Nơi cư trú").fill("Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang")

    if certificate is not None:
        page.get_by_label("Giấy chứng sinh").set_input_files(certificate)


@pytest.fixture
def fill_birth_form() -> Callable[..., None]:
    """fill_birth_form(page, certificate=path_or_None, mother_id=...) types every step by its labels."""
    return _fill_birth_form


@pytest.fixture
def sent_messages(live_server) -> Callable[[], list[dict]]:
    """sent_messages() -> every SMS/email the live server's RecordingSender wrote so far, oldest first."""
    from portal.notify.local import recorded

    return lambda: recorded(live_server.app.config["INSTANCE_DIR"])
