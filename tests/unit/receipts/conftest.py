"""Fixtures for the receipt tests: a typical receipt, its PDF and text, a local HTTP canary.

Test modules use these through fixtures only (no `from conftest import`), so any import mode works.
"""

from __future__ import annotations

import dataclasses
import http.server
import io
import subprocess
import threading
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pypdf
import pytest

from portal.receipts.pdf import ReceiptData, ReceiptDocument, ReceiptLine, render_receipt_pdf

# Letters with two diacritics each, the ones a font without Vietnamese coverage loses first (PD-03).
HARD_LETTERS = "ắ ằ ẳ ẵ ặ ữ ỹ Đ"
HARD_WORDS = "Sẵn sàng lẳng lặng, Bắc Hằng, những kỹ sư Đông"


def _make_receipt(**changes: object) -> ReceiptData:
    """A typical online birth-registration receipt; keyword arguments replace fields."""
    data = ReceiptData(
        agency_parent="ỦY BAN NHÂN DÂN TỈNH TUYÊN QUANG",
        agency_name="UBND PHƯỜNG MINH XUÂN",
        place="Tuyên Quang",
        code="H60.22.5-260213-0007",
        procedure_code="1.001193",
        procedure_name="Đăng ký khai sinh",
        applicant_name="Nguyễn Thị Ánh",
        applicant_id_number="008190012345",
        applicant_address="Tổ 5, phường Minh Xuân, tỉnh Tuyên Quang",
        applicant_phone="0912345678",
        applicant_email="nguyenthianh@example.vn",
        helper_name="Đặng Văn Ệ",
        helper_phone="0987654321",
        # 02:05 UTC is 09:05 in Asia/Ho_Chi_Minh
        submitted_at=datetime(2026, 2, 13, 2, 5, tzinfo=UTC),
        processing_days=3,
        due_text="Hẹn trả kết quả: 17 giờ 00 phút, ngày 25 tháng 02 năm 2026",
        documents=(
            ReceiptDocument("Tờ khai đăng ký khai sinh", ("to-khai.pdf",)),
            ReceiptDocument("Giấy chứng sinh", ("giay-chung-sinh-1.jpg", "giay-chung-sinh-2.jpg")),
        ),
        answers=(
            ReceiptLine("Thông tin người được khai sinh", "", 0, True),
            ReceiptLine("Họ, chữ đệm, tên", "Lê Thị Bắc Hằng", 1),
            ReceiptLine("Ngày, tháng, năm sinh", "10/02/2026", 1),
            ReceiptLine("Ghi chú", HARD_LETTERS, 1),
            ReceiptLine("Nhận xét", HARD_WORDS, 1),
            ReceiptLine("Thông tin người mẹ", "", 0, True),
            ReceiptLine("Họ, chữ đệm, tên", "Nguyễn Thị Ánh", 1),
            ReceiptLine("Dân tộc", "Kinh", 1),
        ),
        lookup_url="https://motcua.tuyenquang.gov.vn/tra-cuu?ma=H60.22.5-260213-0007",
    )
    return dataclasses.replace(data, **changes)  # type: ignore[arg-type]


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@pytest.fixture(scope="session")
def extract() -> Callable[[bytes, str], str]:
    """`extract(pdf, "pdftotext" | "pypdf")`: the PDF's text, NFC."""

    def run(pdf: bytes, tool: str) -> str:
        return pdftotext(pdf) if tool == "pdftotext" else pypdf_text(pdf)

    return run


def pdftotext(pdf: bytes) -> str:
    """Text through poppler's pdftotext (reading order, UTF-8), NFC."""
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True, timeout=60
    )
    return nfc(result.stdout.decode("utf-8"))


def pypdf_text(pdf: bytes) -> str:
    """Text through pypdf, all pages, NFC."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return nfc("\n".join(page.extract_text() for page in reader.pages))


def squeeze(text: str) -> str:
    """Whitespace removed: for strings a PDF layout may wrap (URLs) or a text extractor may space oddly."""
    return "".join(text.split())


class HitCountingServer:
    """An HTTP server on 127.0.0.1 that counts every request it gets (the SSRF canary)."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                hits.append(self.path)
                body = b"iam-role-secret"
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture(scope="session")
def make_receipt() -> Callable[..., ReceiptData]:
    """The factory of a typical receipt: `make_receipt(applicant_name=...)`."""
    return _make_receipt


@pytest.fixture(scope="session")
def receipt_pdf() -> bytes:
    """The typical Vietnamese online receipt, rendered once for the session (a render takes ~0.5 s)."""
    return render_receipt_pdf(_make_receipt())


@pytest.fixture(scope="session")
def receipt_text(receipt_pdf: bytes) -> dict[str, str]:
    """The typical receipt's text as read back by both extractors."""
    return {"pdftotext": pdftotext(receipt_pdf), "pypdf": pypdf_text(receipt_pdf)}


@pytest.fixture
def canary() -> Iterator[HitCountingServer]:
    server = HitCountingServer()
    server.thread.start()
    yield server
    server.close()
