"""axe-core on every page of the citizen path, plus what axe cannot see: focus, 320 px, missing assets.

A page passes when axe finds no "serious" or "critical" violation; the assertion message lists each one with
its rule id, impact, target nodes and axe's own advice, so the report says what to change in which template.
"""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BLOCKING = ("serious", "critical")
PHONE = {"width": 360, "height": 740}
BIRTH_FORM = "/thu-tuc/1.001193/nop-ho-so"
_axe = Axe()


def _blocking_violations(page) -> list[dict]:
    results = _axe.run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING]


def _report(where: str, violations: list[dict]) -> str:
    lines = [f"{where}: {len(violations)} serious/critical axe violation(s)"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            lines.append(f"    {target}: {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
    return "\n".join(lines)


def _assert_accessible(page, where: str) -> None:
    violations = _blocking_violations(page)
    assert violations == [], _report(where, violations)


@pytest.fixture(scope="module")
def scan_page(browser):
    """One phone-sized page shared by the read-only checks below (a context costs about a second)."""
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def _submit_empty_birth_form(live_server, page) -> None:
    page.goto(live_server(BIRTH_FORM))
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/", id="home"),
        pytest.param("/?q=khai+sinh", id="home-search"),
        pytest.param("/thu-tuc/1.001193", id="procedure"),
        pytest.param(BIRTH_FORM, id="eform-1.001193"),
        pytest.param("/thu-tuc/1.004222/nop-ho-so", id="eform-1.004222"),
        pytest.param("/tra-cuu", id="lookup"),
    ],
)
def test_page_has_no_serious_axe_violations(live_server, scan_page, path):
    response = scan_page.goto(live_server(path))
    assert response.status == 200
    _assert_accessible(scan_page, path)


def test_form_with_errors_has_no_serious_axe_violations(live_server, scan_page, fill_birth_form):
    page = scan_page
    page.goto(live_server(BIRTH_FORM))
    fill_birth_form(page, certificate=None, mother_id="00819000123")  # wrong id, no birth certificate
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("alert").get_by_role("link")).to_have_count(2)
    _assert_accessible(page, "form page with the error summary (2 errors)")


def test_empty_form_submit_lists_every_problem_accessibly(live_server, scan_page):
    _submit_empty_birth_form(live_server, scan_page)
    expect(scan_page.get_by_role("alert")).to_be_visible()
    _assert_accessible(scan_page, "empty form page submitted (every required field in error)")


def test_steps_with_an_alternative_and_a_conditional_field_are_accessible(live_server, browser):
    # the certified copy form: step 2 picks where the original comes from (radios, hidden blocks), step 3 shows
    # the postal address only for delivery by post
    context = browser.new_context(locale="vi-VN", viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(live_server("/thu-tuc/2.000815/nop-ho-so"))
        me = page.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
        me.get_by_label("Họ, chữ đệm và tên", exact=True).fill("Lê Thị Hoa")
        me.get_by_label("Số điện thoại di động").fill("0987654321")
        page.get_by_role("button", name="Tiếp tục", exact=True).click()
        expect(page.get_by_role("main")).to_contain_text("Bước 2/3")
        _assert_accessible(page, "step 2, the first alternative picked")
        page.get_by_role("radio", name="Giấy tờ do cơ quan, tổ chức nước ngoài cấp").check()
        page.get_by_role("button", name="Tiếp tục", exact=True).click()  # nothing of it filled in yet
        expect(page.get_by_role("alert").get_by_role("link")).not_to_have_count(0)
        _assert_accessible(page, "step 2 with the foreign alternative's problems")
        page.get_by_label("Tên giấy tờ, văn bản cần chứng thực").fill("Bằng thạc sĩ")
        page.get_by_label("Nước cấp bản chính").fill("Nhật Bản")
        page.get_by_role("radio", name="Bản chính đã được hợp pháp hóa lãnh sự").check()
        page.get_by_role("button", name="Tiếp tục", exact=True).click()
        expect(page.get_by_role("main")).to_contain_text("Bước 3/3")
        page.get_by_role("radio", name="Qua bưu điện").check()
        _assert_accessible(page, "step 3 with the postal address shown")
    finally:
        context.close()


def test_pages_after_filing_have_no_serious_axe_violations(live_server, page, fill_birth_form, certificate_pdf):
    problems = []
    page.goto(live_server(BIRTH_FORM))
    fill_birth_form(page, certificate=certificate_pdf)
    page.get_by_role("button", name="Tiếp tục").click()
    page.wait_for_url(re.compile(r"/kiem-tra$"))
    if violations := _blocking_violations(page):
        problems.append(_report("check-your-answers page", violations))

    page.get_by_role("button", name=re.compile(r"^Nộp hồ sơ")).click()
    page.wait_for_url(re.compile(r"/ho-so/[^/]+$"))
    code = page.locator("#dossier-code").inner_text().strip()
    if violations := _blocking_violations(page):
        problems.append(_report("confirmation page", violations))

    page.get_by_role("main").get_by_role("link", name="Tra cứu hồ sơ").click()
    expect(page.get_by_role("textbox", name="Mã hồ sơ")).to_have_value(code)
    page.get_by_label("Số điện thoại đã khai khi nộp").fill("0912 345 678")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("main")).to_contain_text("Đăng ký khai sinh")
    if violations := _blocking_violations(page):
        problems.append(_report("lookup page with a dossier found", violations))

    page.get_by_label("Số điện thoại đã khai khi nộp").fill("0987 654 321")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("alert")).to_be_visible()
    if violations := _blocking_violations(page):
        problems.append(_report("lookup page with a wrong phone number", violations))

    assert not problems, "\n\n".join(problems)


@pytest.mark.parametrize("where", ["form", "lookup"])
def test_error_summary_takes_focus_on_load(live_server, scan_page, where):
    """ux.md: the summary is role="alert" and focused, so a screen reader and a keyboard start there."""
    if where == "form":
        _submit_empty_birth_form(live_server, scan_page)
    else:
        scan_page.goto(live_server("/tra-cuu"))
        scan_page.get_by_role("button", name="Tra cứu").click()
    expect(scan_page.get_by_role("alert")).to_be_focused()


def test_error_prefix_is_for_screen_readers_only(live_server, scan_page):
    """The "Lỗi:" before each field message is read out but not drawn (needs forms.css on the page)."""
    _submit_empty_birth_form(live_server, scan_page)
    # the birth form's first step is the applicant
    me = scan_page.get_by_role("region", name="Người yêu cầu (người có hồ sơ)")
    expect(me.get_by_label("Họ, chữ đệm và tên", exact=True)).to_have_accessible_description(
        re.compile(r"Lỗi: Nhập họ, chữ đệm và tên")
    )
    boxes = scan_page.locator("main .fe-error .fe-vh").evaluate_all(
        "spans => spans.map(s => { const r = s.getBoundingClientRect(); return [r.width, r.height]; })"
    )
    assert boxes, "no error message on the page"
    drawn = [box for box in boxes if box[0] > 1 or box[1] > 1]
    assert not drawn, f"'Lỗi:' is drawn on screen {len(drawn)} time(s), sizes {drawn[:3]}"


@pytest.mark.parametrize(
    "path, with_errors",
    [
        pytest.param(BIRTH_FORM, False, id="eform-1.001193"),
        pytest.param(BIRTH_FORM, True, id="eform-1.001193-errors"),
        pytest.param("/thu-tuc/1.004222/nop-ho-so", False, id="eform-1.004222"),
    ],
)
def test_form_fits_a_320px_screen(live_server, scan_page, path, with_errors):
    page = scan_page
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        page.goto(live_server(path))
        if with_errors:
            page.get_by_role("button", name="Tiếp tục").click()
            expect(page.get_by_role("alert")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > 321)
                .slice(0, 6).map(e => e.outerHTML.slice(0, 100))"""
        )
        assert width <= 320 + 1, f"{path} scrolls sideways at 320 px (scrollWidth {width}); too wide: {wide}"
    finally:
        page.set_viewport_size(PHONE)


def test_pages_load_all_their_assets(live_server, scan_page):
    """Every stylesheet and script a page asks for exists (a 404 script is a feature silently missing)."""
    broken: list[str] = []

    def note(response) -> None:
        if response.status >= 400:
            broken.append(f"{response.status} {response.url} (from {scan_page.url})")

    scan_page.on("response", note)
    try:
        for path in ("/", "/thu-tuc/1.001193", BIRTH_FORM, "/thu-tuc/1.004222/nop-ho-so", "/tra-cuu"):
            scan_page.goto(live_server(path), wait_until="load")
    finally:
        scan_page.remove_listener("response", note)
    assert broken == [], "\n".join(broken)
