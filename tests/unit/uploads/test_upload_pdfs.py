"""Active PDFs stripped (strip, not reject); clean ones kept byte for byte; broken ones refused (UP-05)."""

from __future__ import annotations

import io

import pikepdf
import pikepdf.settings
import pytest
from upload_samples import (
    ACCEPT_ALL,
    ACTIVE_PDF_KINDS,
    TEN_MB,
    active_content,
    active_pdf,
    pdf_object_stream_bomb,
    plain_pdf,
)

from portal.uploads import UploadRejected, inspect_upload
from portal.uploads.pdfs import MAX_DECODED_STREAM


def check(content: bytes, name: str = "don.pdf"):
    return inspect_upload(content, declared_name=name, accept=ACCEPT_ALL, max_bytes=TEN_MB)


def reject(content: bytes, name: str = "don.pdf") -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        check(content, name)
    return caught.value


@pytest.mark.parametrize("kind", ACTIVE_PDF_KINDS)
def test_active_pdf_is_accepted_with_nothing_active_left(kind: str) -> None:
    original = active_pdf(kind)
    assert active_content(original), "the sample must really be active"
    checked = check(original)
    assert checked.mime_type == "application/pdf"
    assert checked.removed
    assert active_content(checked.content) == set()
    assert b"pwned" not in checked.content and b"MZ\x90\x00payload" not in checked.content
    with pikepdf.open(io.BytesIO(checked.content)) as pdf:
        assert len(pdf.pages) == 1


def test_the_document_keeps_its_pages_and_harmless_links() -> None:
    pdf = pikepdf.new()
    for _ in range(3):
        pdf.add_blank_page()
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot,
        Subtype=pikepdf.Name.Link,
        Rect=[0, 0, 10, 10],
        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=pikepdf.String("https://dichvucong.gov.vn/")),
    )
    pdf.pages[1].obj.Annots = pikepdf.Array([link])
    out = io.BytesIO()
    pdf.save(out)
    checked = check(out.getvalue())
    assert checked.removed == ("/OpenAction",)
    with pikepdf.open(io.BytesIO(checked.content)) as result:
        assert len(result.pages) == 3
        assert str(result.pages[1].obj.Annots[0].A.URI) == "https://dichvucong.gov.vn/"


def test_valid_small_pdf_is_kept_byte_for_byte() -> None:
    original = plain_pdf(pages=2)
    checked = check(original, "Đơn đề nghị.pdf")
    assert checked.content == original
    assert checked.removed == ()
    assert checked.display_name == "Đơn đề nghị.pdf"


def test_stripping_the_same_pdf_twice_gives_the_same_bytes() -> None:
    # a retried upload must hash the same to be recognised as a duplicate
    original = active_pdf("open_action_js")
    assert check(original).content == check(original).content


def test_pdf_with_a_user_password_is_refused_with_advice() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="123456", owner="owner"))
    error = reject(out.getvalue())
    assert error.code == "pdf_encrypted"
    assert "mật khẩu" in error.message_vi


def test_pdf_with_only_an_owner_password_opens_and_is_accepted() -> None:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="", owner="owner"))
    assert check(out.getvalue()).mime_type == "application/pdf"


def test_active_pdf_with_an_owner_password_is_stripped_and_saved_without_it() -> None:
    pdf = pikepdf.open(io.BytesIO(active_pdf("launch_link")))
    out = io.BytesIO()
    pdf.save(out, encryption=pikepdf.Encryption(user="", owner="owner"))
    checked = check(out.getvalue())
    assert active_content(checked.content) == set()
    with pikepdf.open(io.BytesIO(checked.content)) as result:
        assert not result.is_encrypted


@pytest.mark.parametrize(
    "content",
    [
        plain_pdf()[: len(plain_pdf()) * 8 // 10],  # the upload cut at 80 %
        b"%PDF-1.7\n" + b"\x00garbage" * 50 + b"\n%%EOF\n",
        b"%PDF-1.4\n%%EOF\n",
    ],
    ids=["cut_at_80_percent", "garbage_body", "header_and_eof_only"],
)
def test_broken_pdf_is_corrupt(content: bytes) -> None:
    error = reject(content)
    assert error.code == "corrupt"
    assert error.http_status == 422


def test_small_object_stream_is_parsed_normally() -> None:
    assert check(pdf_object_stream_bomb(1)).mime_type == "application/pdf"


def test_object_stream_bomb_is_refused_without_inflating_it() -> None:
    bomb = pdf_object_stream_bomb(100)  # about 100 KB that would inflate to 100 MB
    assert len(bomb) < 200 * 1024
    assert pikepdf.settings.get_qpdf_limits()["flate_max_memory"] == MAX_DECODED_STREAM
    assert reject(bomb).code == "corrupt"
