"""The receipt PDF: Vietnamese text survives (PD-03), Mẫu 01 contents are there, personal data is masked."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pypdf
import pytest
from PIL import Image

from portal.receipts.pdf import (
    FONTS_DIR,
    MAX_ANSWER_LINES,
    MAX_VALUE_CHARS,
    ReceiptData,
    ReceiptDocument,
    ReceiptLine,
    mask_email,
    mask_id_number,
    mask_phone,
    render_receipt_html,
    render_receipt_pdf,
)
from portal.receipts.qr import QUIET_ZONE, make_qr

TOOLS = ["pdftotext", "pypdf"]
MakeReceipt = Callable[..., ReceiptData]


def _squeeze(text: str) -> str:
    # pdftotext drops the space between isolated one-letter words and a layout may wrap long strings;
    # comparing without whitespace checks the letters themselves.
    return "".join(text.split())


@pytest.mark.parametrize("tool", TOOLS)
@pytest.mark.parametrize(
    "expected",
    [
        "Nguyễn Thị Ánh",
        "Đặng Văn Ệ",
        "Sẵn sàng lẳng lặng, Bắc Hằng, những kỹ sư Đông",
        "Lê Thị Bắc Hằng",
        "ỦY BAN NHÂN DÂN TỈNH",
        "UBND PHƯỜNG MINH XUÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Tuyên Quang, ngày 13 tháng 02 năm 2026",
        "GIẤY TIẾP NHẬN HỒ SƠ",
        "(Hồ sơ nộp trực tuyến)",
        "Mã hồ sơ: H60.22.5-260213-0007",
        "Tiếp nhận hồ sơ của Ông (Bà): Nguyễn Thị Ánh",
        "Địa chỉ: Tổ 5, phường Minh Xuân, tỉnh Tuyên Quang",
        "Người nộp hộ: Đặng Văn Ệ – SĐT 0987***321",
        "Nội dung yêu cầu giải quyết: Đăng ký khai sinh (1.001193)",
        "Thành phần hồ sơ nộp gồm:",
        "1. Tờ khai đăng ký khai sinh",
        "2. Giấy chứng sinh",
        "giay-chung-sinh-1.jpg; giay-chung-sinh-2.jpg",
        "Số lượng hồ sơ: 01 (bộ)",
        "Thời gian giải quyết hồ sơ theo quy định là: 03 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 05 phút, ngày 13 tháng 02 năm 2026",
        "Hẹn trả kết quả: 17 giờ 00 phút, ngày 25 tháng 02 năm 2026",
        "Nội dung tờ khai",
        "Thông tin người được khai sinh",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "(Ký và ghi rõ họ tên)",
        "(Hệ thống tiếp nhận trực tuyến)",
    ],
)
def test_vietnamese_text_reads_back_exactly(receipt_text: dict[str, str], tool: str, expected: str) -> None:
    assert unicodedata.normalize("NFC", expected) in receipt_text[tool]


@pytest.mark.parametrize("tool", TOOLS)
def test_double_diacritic_letters_read_back(receipt_text: dict[str, str], tool: str) -> None:
    assert _squeeze("ắ ằ ẳ ẵ ặ ữ ỹ Đ") in _squeeze(receipt_text[tool])


@pytest.mark.parametrize("tool", TOOLS)
def test_lookup_url_is_printed(receipt_text: dict[str, str], tool: str, make_receipt: MakeReceipt) -> None:
    assert make_receipt().lookup_url in _squeeze(receipt_text[tool])


@pytest.mark.parametrize("tool", TOOLS)
def test_identity_number_phone_and_email_are_masked(receipt_text: dict[str, str], tool: str) -> None:
    text = receipt_text[tool]
    assert "Số định danh cá nhân: ********2345" in text
    assert "0912***678" in text
    assert "ng***@example.vn" in text
    squeezed = _squeeze(text)
    for secret in ("008190012345", "0912345678", "0987654321", "nguyenthianh@"):
        assert secret not in squeezed


def test_page_is_a4_portrait(receipt_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(receipt_pdf))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def _fonts(pdf: bytes) -> dict[str, int]:
    """BaseFont name -> size of the embedded font program, over all pages."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    found: dict[str, int] = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3") or descriptor.get("/FontFile")
            assert program is not None, f"{font['/BaseFont']} is not embedded"
            found[str(font["/BaseFont"])] = len(program.get_object().get_data())
    return found


def test_only_subsets_of_the_bundled_serif_are_embedded(receipt_pdf: bytes) -> None:
    fonts = _fonts(receipt_pdf)
    assert fonts
    smallest_bundled = min(path.stat().st_size for path in FONTS_DIR.glob("*.ttf"))
    for name, size in fonts.items():
        tag, _, family = name.lstrip("/").partition("+")
        assert len(tag) == 6 and tag.isupper(), f"{name} is not a subset"
        assert family.startswith("Receipt-Serif"), f"{name}: text fell back to a system font"
        assert size < smallest_bundled / 4, f"{name} embeds {size} bytes"


def test_bundled_fonts_are_small_and_licensed() -> None:
    ttfs = sorted(FONTS_DIR.glob("*.ttf"))
    assert [path.name for path in ttfs] == [
        "NotoSerif-Bold.ttf",
        "NotoSerif-Italic.ttf",
        "NotoSerif-Regular.ttf",
    ]
    assert sum(path.stat().st_size for path in ttfs) < 800_000
    assert "SIL Open Font License" in (FONTS_DIR / "OFL.txt").read_text(encoding="utf-8")


def test_printed_qr_code_is_the_lookup_urls_symbol(receipt_pdf: bytes, make_receipt: MakeReceipt) -> None:
    """Rasterise page 1 and sample each module where the stylesheet puts the QR (top-left, 24 mm)."""
    dpi = 300
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "receipt.pdf")
        source.write_bytes(receipt_pdf)
        subprocess.run(
            [
                "pdftoppm",
                "-r",
                str(dpi),
                "-f",
                "1",
                "-l",
                "1",
                "-gray",
                "-singlefile",
                source,
                Path(folder, "page"),
            ],
            check=True,
            timeout=60,
        )
        with Image.open(Path(folder, "page.pgm")) as image:
            page = image.convert("L")
    matrix = make_qr(make_receipt().lookup_url).matrix
    modules = len(matrix) + 2 * QUIET_ZONE
    per_mm = dpi / 25.4
    # receipt.css: @page margin-left 30 mm, margin-top 20 mm; td.qr img 24 mm square
    left, top, module = 30 * per_mm, 20 * per_mm, 24 * per_mm / modules

    def dark(row: int, column: int) -> bool:
        return page.getpixel((int(left + (column + 0.5) * module), int(top + (row + 0.5) * module))) < 128

    def expected(row: int, column: int) -> bool:
        inside = QUIET_ZONE <= row < modules - QUIET_ZONE and QUIET_ZONE <= column < modules - QUIET_ZONE
        return inside and bool(matrix[row - QUIET_ZONE][column - QUIET_ZONE])

    wrong = [(r, c) for r in range(modules) for c in range(modules) if dark(r, c) != expected(r, c)]
    assert wrong == []


def test_english_desk_receipt(make_receipt: MakeReceipt, extract: Callable[[bytes, str], str]) -> None:
    pdf = render_receipt_pdf(
        make_receipt(locale="en", channel="desk", processing_days=0, helper_name=None, helper_phone=None)
    )
    text = extract(pdf, "pypdf")
    for expected in (
        "SOCIALIST REPUBLIC OF VIETNAM",
        "Independence - Freedom - Happiness",
        "Tuyên Quang, 13 February 2026",
        "DOSSIER RECEIPT AND APPOINTMENT FOR RESULTS",
        "Dossier received from: Nguyễn Thị Ánh",
        "Statutory processing time: same day",
        "Received at: 09:05, 13 February 2026",
        "(Signature and full name)",
    ):
        assert expected in text
    assert "Submitted online" not in text
    assert "Online intake system" not in text
    assert "Filed on the applicant" not in text


def test_desk_receipt_carries_the_full_mau_01_title(make_receipt: MakeReceipt) -> None:
    html = render_receipt_html(make_receipt(channel="desk"))
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html
    assert "Hồ sơ nộp trực tuyến" not in html


def test_processing_days_zero_reads_trong_ngay(make_receipt: MakeReceipt) -> None:
    html = render_receipt_html(make_receipt(processing_days=0))
    assert 'Thời gian giải quyết hồ sơ theo quy định là:</span> <span class="value">trong ngày' in html


@pytest.mark.parametrize(
    ("utc", "expected"),
    [
        # Decree 30/2020: days below 10 and months 1–2 take a leading zero, months 3–12 do not
        (datetime(2026, 3, 4, 1, 0, tzinfo=UTC), "08 giờ 00 phút, ngày 04 tháng 3 năm 2026"),
        (datetime(2026, 1, 15, 9, 30, tzinfo=UTC), "16 giờ 30 phút, ngày 15 tháng 01 năm 2026"),
        # 16:30 UTC is 23:30 the same day in Hà Nội
        (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "23 giờ 30 phút, ngày 31 tháng 12 năm 2026"),
        # 17:30 UTC on 31/12 is 00:30 on 1/1 in Hà Nội: the local date counts
        (datetime(2026, 12, 31, 17, 30, tzinfo=UTC), "00 giờ 30 phút, ngày 01 tháng 01 năm 2027"),
        # any aware zone is converted, not just UTC
        (
            datetime(2026, 2, 13, 9, 5, tzinfo=timezone(timedelta(hours=7))),
            "09 giờ 05 phút, ngày 13 tháng 02 năm 2026",
        ),
    ],
)
def test_received_time_is_shown_in_vietnam_time(make_receipt: MakeReceipt, utc: datetime, expected: str) -> None:
    assert expected in render_receipt_html(make_receipt(submitted_at=utc))


def test_naive_submitted_at_is_refused(make_receipt: MakeReceipt) -> None:
    with pytest.raises(ValueError, match="aware"):
        render_receipt_html(make_receipt(submitted_at=datetime(2026, 2, 13, 9, 5)))


def test_nfd_input_is_printed_as_nfc(make_receipt: MakeReceipt) -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Ánh")
    html = render_receipt_html(make_receipt(applicant_name=nfd))
    assert unicodedata.normalize("NFC", nfd) in html and nfd not in html


def test_bidi_overrides_and_control_characters_are_dropped(make_receipt: MakeReceipt) -> None:
    html = render_receipt_html(make_receipt(applicant_name="Nguyễn\u202e Thị\x00 Ánh\x0c"))
    assert "Nguyễn Thị Ánh" in html
    assert "\u202e" not in html and "\x00" not in html and "\x0c" not in html


@pytest.mark.parametrize(
    ("mask", "value", "expected"),
    [
        (mask_id_number, "008190012345", "********2345"),
        (mask_id_number, "００８１９００１２３４５", "********2345"),
        (mask_id_number, "123", "***"),
        (mask_id_number, "", None),
        (mask_id_number, None, None),
        (mask_phone, "0912345678", "0912***678"),
        (mask_phone, "+84912345678", "0912***678"),
        (mask_phone, "0912.345.678", "0912***678"),
        (mask_phone, "12345", "***45"),
        (mask_phone, None, None),
        (mask_email, "nguyenthianh@example.vn", "ng***@example.vn"),
        (mask_email, "a@b.vn", "a***@b.vn"),
        (mask_email, None, None),
    ],
)
def test_masks(mask: Callable[[str | None], str | None], value: str | None, expected: str | None) -> None:
    assert mask(value) == expected


def test_answers_are_capped_so_a_hostile_dossier_cannot_fill_a_thousand_pages(
    make_receipt: MakeReceipt,
) -> None:
    answers = tuple(ReceiptLine(f"Câu {i}", "x" * 50) for i in range(5_000))
    html = render_receipt_html(make_receipt(answers=answers))
    assert html.count('<td class="value">') == MAX_ANSWER_LINES
    assert f"còn {5_000 - MAX_ANSWER_LINES} dòng không in" in html


def test_long_values_are_truncated_and_the_total_is_bounded(make_receipt: MakeReceipt) -> None:
    answers = tuple(ReceiptLine(f"Câu {i}", "ắ" * 100_000) for i in range(1_000))
    html = render_receipt_html(make_receipt(answers=answers))
    assert "ắ" * MAX_VALUE_CHARS not in html
    assert "(đã rút gọn)" in html
    assert html.count('<td class="value">') < 30  # the character budget ends the table long before 500 lines
    assert "dòng không in" in html
    assert len(html) < 200_000


def test_many_documents_and_files_are_capped(make_receipt: MakeReceipt) -> None:
    documents = tuple(ReceiptDocument(f"Giấy tờ {i}", tuple(f"tep-{j}.pdf" for j in range(500))) for i in range(1_000))
    html = render_receipt_html(make_receipt(documents=documents))
    assert html.count("<li>") <= 101
    assert "tep-49.pdf" in html and "tep-50.pdf" not in html


@pytest.mark.slow
def test_worst_case_capped_receipt_renders_in_bounded_pages(make_receipt: MakeReceipt) -> None:
    # unbreakable values are the slowest case (every character is a possible break): about 5 s here
    answers = tuple(ReceiptLine(f"Câu {i}", "ắ" * 10_000) for i in range(1_000))
    pdf = render_receipt_pdf(make_receipt(answers=answers))
    assert len(pypdf.PdfReader(io.BytesIO(pdf)).pages) <= 40


def test_importing_the_receipts_package_does_not_import_weasyprint() -> None:
    code = (
        "import sys, portal.receipts.pdf, portal.receipts.qr, portal.receipts.codes; "
        "sys.exit('weasyprint' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[3]
    env = {**os.environ, "PYTHONPATH": str(root)}
    assert subprocess.run([sys.executable, "-c", code], cwd=root, env=env, timeout=60).returncode == 0
