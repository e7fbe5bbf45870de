"""A mother registers her son's birth on a phone in real Chromium, from the catalogue to the PDF receipt."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

CODE_RE = re.compile(r"H60\.22\.5-\d{6}-\d{4,}")
# what the check page lists, in this order: (question, answer) as the citizen sees them (groups aside)
EXPECTED_ANSWERS = [
    ("Họ, chữ đệm và tên", "Nguyễn Thị Ánh"),
    ("Số điện thoại di động", "0912345678"),
    ("Quan hệ của người đi đăng ký với người được khai sinh", "Mẹ"),
    ("Họ, chữ đệm và tên", "Trần Minh Đức"),
    ("Ngày, tháng, năm sinh", "20/11/2026"),
    ("Giới tính", "Nam"),
    ("Nơi sinh", "Bệnh viện Đa khoa tỉnh Tuyên Quang"),
    ("Dân tộc", "Kinh"),
    ("Quốc tịch", "Việt Nam"),
    ("Quê quán", "Xã Mỹ Bằng, tỉnh Tuyên Quang"),
    ("Họ, chữ đệm và tên", "Nguyễn Thị Ánh"),
    ("Ngày, tháng, năm sinh", "14/03/1995"),
    ("Số định danh cá nhân", "008195001234"),
    ("Họ, chữ đệm và tên", "Trần Văn Ệ"),
    ("Ngày, tháng, năm sinh", "02/07/1990"),
    ("Số định danh cá nhân", "008090004321"),
    ("Giấy chứng sinh (hoặc văn bản của người làm chứng)", "giay-chung-sinh.pdf"),
]

_PAIRS_JS = """() => Array.from(document.querySelectorAll('main dt')).map(dt => {
  const dd = dt.nextElementSibling;
  const clean = s => s.replace(/\\s+/g, ' ').trim();
  return [clean(dt.textContent), dd && dd.tagName === 'DD' ? clean(dd.textContent) : ''];
}).filter(pair => pair[1] !== '')"""


def _is_subsequence(wanted: list[tuple[str, str]], shown: list[tuple[str, str]]) -> bool:
    items = iter(shown)
    return all(any(pair == item for item in items) for pair in wanted)


def _pdf_text(pdf: bytes, tmp_path) -> str:
    """The receipt's text as a reader's copy-paste gets it: pdftotext when present, else pypdf."""
    if shutil.which("pdftotext"):
        path = tmp_path / "bien-nhan.pdf"
        path.write_bytes(pdf)
        text = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, timeout=60
        ).stdout.decode("utf-8")
    else:
        import io

        from pypdf import PdfReader

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_mother_registers_a_birth_makes_a_mistake_fixes_it_and_gets_the_receipt(
    live_server, page, fill_birth_form, certificate_pdf, tmp_path
):
    # the catalogue: she types without accents, as on a phone keyboard without Telex
    page.goto(live_server("/"))
    search = page.get_by_role("searchbox", name="Tìm thủ tục")
    search.press_sequentially("khai sinh")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("khai sinh")
    page.get_by_role("link", name="Đăng ký khai sinh").click()

    # the procedure page says what it costs and how long it takes, then "Bắt đầu"
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng ký khai sinh")
    expect(page.get_by_role("main")).to_contain_text("Miễn phí")
    expect(page.get_by_role("main")).to_contain_text("Giấy chứng sinh")
    page.get_by_role("button", name="Bắt đầu").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Điền tờ khai")

    # she fills every step, but types the mother's id number with 11 digits
    expect(page.get_by_role("main")).to_contain_text("Bước 1/4: Người yêu cầu")
    mother = page.get_by_role("group", name="Thông tin người mẹ")
    fill_birth_form(page, certificate=certificate_pdf, mother_id="00819000123")
    expect(page.get_by_role("main")).to_contain_text("Bước 4/4: Cha, mẹ")
    page.get_by_role("button", name="Tiếp tục").click()

    # one error, listed at the top, as a link to the field, in her words (never a pattern)
    summary = page.get_by_role("alert")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("heading")).to_have_text(re.compile(r"\b1\b"))  # "Có 1 chỗ cần sửa"
    links = summary.get_by_role("link")
    expect(links).to_have_count(1)
    expect(links).to_have_text(re.compile(r"12 chữ số"))
    expect(page.get_by_role("main")).not_to_contain_text("[0-9]")
    expect(page).to_have_title(re.compile(r"^Lỗi"))

    links.click()
    mother_id = mother.get_by_label("Số định danh cá nhân")
    expect(mother_id).to_be_focused()
    expect(mother_id).to_have_attribute("aria-invalid", "true")
    expect(mother_id).to_have_accessible_description(re.compile(r"12 chữ số"))
    expect(mother_id).to_have_value("00819000123")  # what she typed is still there, to correct
    expect(mother.get_by_label("Họ, chữ đệm và tên")).to_have_value("Nguyễn Thị Ánh")
    mother_id.fill("008195001234")

    # the certificate she attached survived the error: listed, not to be attached again
    documents = page.get_by_role("region", name="Giấy tờ đính kèm")
    expect(documents.get_by_role("listitem").filter(has_text="giay-chung-sinh.pdf")).to_be_visible()
    assert page.get_by_label("Giấy chứng sinh").evaluate("input => input.files.length") == 0
    page.get_by_role("button", name="Tiếp tục").click()

    # check your answers
    page.wait_for_url(re.compile(r"/kiem-tra$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin trước khi nộp")
    shown = page.evaluate(_PAIRS_JS)
    shown = [tuple(pair) for pair in shown]
    assert _is_subsequence(EXPECTED_ANSWERS, shown), "\n".join(f"{q} → {a}" for q, a in shown)
    for group in ("Thông tin người được khai sinh", "Thông tin người mẹ", "Thông tin người cha"):
        expect(page.get_by_role("main")).to_contain_text(group)

    # submit, once
    submit = page.get_by_role("button", name=re.compile(r"^Nộp hồ sơ"))
    expect(submit).to_have_text("Nộp hồ sơ đăng ký khai sinh")
    submit.click()
    page.wait_for_url(re.compile(r"/ho-so/[^/]+$"))
    panel = page.get_by_role("status")
    expect(panel.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    expect(panel).to_contain_text(CODE_RE)
    code = CODE_RE.search(panel.inner_text()).group(0)
    expect(page.get_by_role("main")).to_contain_text("Đăng ký khai sinh")

    # the receipt, fetched with the browser's own cookies
    receipt_link = page.get_by_role("link", name="Tải giấy biên nhận (PDF)")
    response = page.request.get(live_server(receipt_link.get_attribute("href")))
    assert response.status == 200, response.text()[:500]
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.body()
    assert pdf.startswith(b"%PDF-")
    text = _pdf_text(pdf, tmp_path)
    assert code in text, text
    assert "Trần Minh Đức" in text, text
    assert "Đăng ký khai sinh" in text, text


def test_the_whole_path_works_without_javascript(live_server, page_without_js, fill_birth_form, certificate_pdf):
    page = page_without_js
    page.goto(live_server("/?q=khai+sinh"))
    page.get_by_role("link", name="Đăng ký khai sinh").click()
    page.get_by_role("button", name="Bắt đầu").click()
    fill_birth_form(page, certificate=certificate_pdf)
    page.get_by_role("button", name="Tiếp tục").click()

    page.wait_for_url(re.compile(r"/kiem-tra$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Kiểm tra lại thông tin trước khi nộp")
    main = page.get_by_role("main")
    for answer in ("Trần Minh Đức", "20/11/2026", "Trần Văn Ệ", "giay-chung-sinh.pdf"):
        expect(main).to_contain_text(answer)

    page.get_by_role("button", name=re.compile(r"^Nộp hồ sơ")).click()
    page.wait_for_url(re.compile(r"/ho-so/[^/]+$"))
    expect(page.get_by_role("status")).to_contain_text(CODE_RE)
