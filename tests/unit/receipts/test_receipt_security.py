"""PD-01: citizen-typed text cannot make the renderer fetch a URL or embed a file.

Two layers are tested apart: the template escapes everything (so markup in a name stays text), and the
URL fetcher refuses everything but the bundled fonts and data: URIs even when markup does reach WeasyPrint.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from typing import Any

import pypdf
import pytest
from weasyprint.urls import FatalURLFetchingError

from portal.receipts.pdf import (
    FONTS_DIR,
    RECEIPT_CSS,
    ReceiptData,
    ReceiptDocument,
    ReceiptLine,
    ReceiptRenderError,
    locked_down_fetcher,
    render_html_pdf,
    render_receipt_html,
    render_receipt_pdf,
)

MakeReceipt = Callable[..., ReceiptData]


def _payloads(base: str) -> list[str]:
    return [
        '<a rel="attachment" href="file:///etc/passwd">x</a>',
        f'<img src="{base}/latest/meta-data/">',
        f'<link rel="stylesheet" href="{base}/style.css">',
        f'<style>@import url("{base}/import.css"); body {{ background: url("{base}/bg.png") }}</style>',
        f'<object data="{base}/object"></object><embed src="{base}/embed">',
        f'<svg><image href="{base}/svg-image"/></svg>',
        f'"><img src="{base}/attr-breakout">',
        f"<p style=\"background: url('{base}/inline-style')\">x</p>",
    ]


def _embedded_files(pdf: bytes) -> list[str]:
    """Names of embedded files, from the catalog's name tree and from file-attachment annotations."""
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation.get("/FS")))
    return names


def _hostile_receipt(make_receipt: MakeReceipt, base: str) -> ReceiptData:
    bad = _payloads(base)
    return make_receipt(
        agency_parent=bad[0],
        place=bad[1],
        applicant_name=bad[0],
        applicant_id_number=bad[1],
        applicant_address=bad[2],
        applicant_phone=bad[3],
        applicant_email=bad[4] + "@x.vn",
        helper_name=bad[1],
        helper_phone=bad[5],
        procedure_name=bad[3],
        procedure_code=bad[6],
        due_text=bad[7],
        documents=(ReceiptDocument(bad[2], tuple(bad)),),
        answers=tuple(ReceiptLine(payload, payload, depth, is_group=depth == 1) for depth, payload in enumerate(bad)),
        lookup_url=f'{base}/qr"><img src="{base}/lookup">',
        code=bad[5][:64],
    )


def test_markup_typed_by_a_citizen_is_printed_as_text_and_fetches_nothing(
    make_receipt: MakeReceipt, canary: Any, extract: Callable[[bytes, str], str]
) -> None:
    pdf = render_receipt_pdf(_hostile_receipt(make_receipt, canary.url))
    assert canary.hits == []
    assert _embedded_files(pdf) == []
    # pydyf packs dictionaries into compressed object streams, so this byte check alone proves little; the
    # pypdf walk above is the real check (test_the_embedded_file_check_would_see_an_attachment is its control)
    assert b"/EmbeddedFile" not in pdf
    text = "".join(extract(pdf, "pdftotext").split())
    # the name shows as the characters the citizen typed
    assert '<arel="attachment"href="file:///etc/passwd">x</a>' in text


def test_template_escapes_every_field(make_receipt: MakeReceipt, canary: Any) -> None:
    html = render_receipt_html(_hostile_receipt(make_receipt, canary.url))
    for payload in _payloads(canary.url):
        assert payload not in html
    for tag in ("<link", "<style", "<object", "<embed", "<svg", "<image", "<p style", 'rel="attachment"'):
        assert tag not in html
    assert html.count("<img") == 1  # the QR code's, and its src is a data: URI
    assert '<img src="data:image/svg+xml;base64,' in html
    assert "&lt;a rel=&#34;attachment&#34;" in html


def test_the_embedded_file_check_would_see_an_attachment() -> None:
    """Control for the check above: an allowed data: attachment does show up in `_embedded_files`."""
    payload = base64.b64encode(b"hello").decode()
    pdf = render_html_pdf(f'<a rel="attachment" href="data:text/plain;base64,{payload}" download="a.txt">a</a>')
    assert _embedded_files(pdf) != []


@pytest.mark.parametrize(
    "html",
    [
        '<img src="{base}/latest/meta-data/">',
        '<a rel="attachment" href="{base}/attach">x</a>',
        '<link rel="stylesheet" href="{base}/style.css">',
        '<style>@import url("{base}/import.css");</style>',
        '<div style="background: url({base}/bg.png)">x</div>',
        '<object data="{base}/object"></object>',
        '<style>@font-face {{ font-family: X; src: url("{base}/f.ttf") }} p {{ font-family: X }}</style><p>x',
        # an SVG inside a data: URI is parsed, and its own links go through the same fetcher
        '<img src="data:image/svg+xml;base64,{svg}">',
    ],
)
def test_fetcher_refuses_http_even_for_unescaped_markup(html: str, canary: Any) -> None:
    svg = base64.b64encode(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><image href="{canary.url}/svg" '
        'width="10" height="10"/></svg>'.encode()
    ).decode()
    with pytest.raises(ReceiptRenderError, match="refused"):
        render_html_pdf(html.format(base=canary.url, svg=svg))
    assert canary.hits == []


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",  # a font, but not ours
        (FONTS_DIR / "OFL.txt").as_uri(),  # beside our fonts, but not a font
        (FONTS_DIR / "NotoSerif-Regular.ttf").as_uri() + "?x=1",
        (FONTS_DIR / "NotoSerif-Regular.ttf").as_uri() + "#x",
        (FONTS_DIR / ".." / ".." / "config.py").as_uri(),
        "file://evil.example/" + str(FONTS_DIR / "NotoSerif-Regular.ttf"),
        "https://example.com/font.ttf",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1:6379/_INFO",
    ],
)
def test_fetcher_refuses_anything_but_bundled_fonts_and_data(url: str) -> None:
    with pytest.raises(FatalURLFetchingError):
        locked_down_fetcher().fetch(url)


def test_fetcher_serves_the_bundled_fonts_and_data_uris() -> None:
    fetcher = locked_down_fetcher()
    for path in FONTS_DIR.glob("*.ttf"):
        response = fetcher.fetch(path.as_uri())
        assert response.read() == path.read_bytes()
        response.close()
    response = fetcher.fetch("data:text/plain;base64," + base64.b64encode("Đông".encode()).decode())
    assert response.read() == "Đông".encode()
    response.close()


@pytest.mark.parametrize(
    "html", ['<a rel="attachment" href="file:///etc/passwd">x</a>', '<img src="file:///etc/passwd">']
)
def test_local_files_are_never_attached_or_read(html: str) -> None:
    with pytest.raises(ReceiptRenderError):
        render_html_pdf(html)


def test_a_one_line_document_renders_with_the_receipt_stylesheet(
    extract: Callable[[bytes, str], str],
) -> None:
    pdf = render_html_pdf("<p>Nguyễn Thị Ánh</p>", css=RECEIPT_CSS)
    assert "Nguyễn Thị Ánh" in extract(pdf, "pypdf")
