"""Display names and download headers for hostile and Vietnamese file names (UP-06, finding 7)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.uploads import ascii_fallback, clean_display_name, content_disposition
from portal.uploads.names import split_extension

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Ánh - Đơn.pdf")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đơn đề nghị.pdf", "Đơn đề nghị.pdf"),
        ("đơn.pdf", "đơn.pdf"),
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\system32\\cccd.jpg", "cccd.jpg"),
        ("C:\\Users\\Lan\\Desktop\\Giấy khai sinh.png", "Giấy khai sinh.png"),
        ("a\x00.php.jpg", "a.php.jpg"),
        ("cccd\r\nSet-Cookie: x=1.jpg", "cccd Set-Cookie: x=1.jpg"),
        ("...", "tep-dinh-kem"),
        ("", "tep-dinh-kem"),
        ("   ", "tep-dinh-kem"),
        ("/", "tep-dinh-kem"),
        (".htaccess", "htaccess"),
        ("cccd.jpg. . ", "cccd.jpg"),
        ("ảnh\u202egpj.exe", "ảnhgpj.exe"),  # right-to-left override would show "exe.jpg"
        ("a\u200bb\ufeff.pdf", "ab.pdf"),
        ("hộ   khẩu\t\tmới.pdf", "hộ khẩu mới.pdf"),
        (NFD_NAME, "Nguyễn Thị Ánh - Đơn.pdf"),
        ("\udce9bad.pdf", "bad.pdf"),  # a lone surrogate cannot be written as UTF-8
    ],
)
def test_clean_display_name_keeps_vietnamese_and_drops_the_dangerous(raw: str, expected: str) -> None:
    assert clean_display_name(raw) == expected


def test_nfd_input_comes_back_nfc_and_shorter() -> None:
    cleaned = clean_display_name(NFD_NAME)
    assert unicodedata.is_normalized("NFC", cleaned)
    assert len(cleaned) < len(NFD_NAME)


def test_empty_name_falls_back_with_the_given_extension() -> None:
    assert clean_display_name("...", fallback_extension="pdf") == "tep-dinh-kem.pdf"
    assert clean_display_name(None, fallback_extension="jpg") == "tep-dinh-kem.jpg"


def test_long_name_is_cut_to_120_characters_keeping_the_extension() -> None:
    cleaned = clean_display_name("Giấy chứng nhận quyền sử dụng đất " * 20 + ".pdf")
    assert len(cleaned) <= 120
    assert cleaned.endswith(".pdf")
    assert cleaned.startswith("Giấy chứng nhận")
    assert not cleaned[:-4].endswith(" ")


def test_long_name_without_extension_is_cut_to_120() -> None:
    assert len(clean_display_name("ả" * 500)) == 120


@pytest.mark.parametrize(
    ("name", "parts"),
    [
        ("Đơn.pdf", ("Đơn", "pdf")),
        ("scan.JPEG", ("scan", "JPEG")),
        ("scan 12.5", ("scan 12.5", None)),
        ("Giấy tờ. Bản sao", ("Giấy tờ. Bản sao", None)),
        ("pdf", ("pdf", None)),
        (".pdf", (".pdf", None)),
        ("a.toolongextension", ("a.toolongextension", None)),
    ],
)
def test_split_extension_only_takes_a_short_ascii_suffix(name: str, parts: tuple[str, str | None]) -> None:
    assert split_extension(name) == parts


@pytest.mark.parametrize(
    ("name", "fallback"),
    [
        ("Đơn đề nghị.pdf", "Don de nghi.pdf"),
        ("ĐẶNG THỊ ẢNH.jpg", "DANG THI ANH.jpg"),
        ('đơn "gấp".pdf', "don _gap_.pdf"),
        ("100%.pdf", "100_.pdf"),
        ("ảnh.png", "anh.png"),
        ("好.png", "tep-dinh-kem.png"),
    ],
)
def test_ascii_fallback_for_old_clients(name: str, fallback: str) -> None:
    assert ascii_fallback(name) == fallback


def test_content_disposition_carries_utf8_name_and_ascii_fallback() -> None:
    header = content_disposition("Đơn đề nghị.pdf")
    assert header == (
        "attachment; filename=\"Don de nghi.pdf\"; filename*=UTF-8''%C4%90%C6%A1n%20%C4%91%E1%BB%81%20ngh%E1%BB%8B.pdf"
    )


def test_content_disposition_survives_a_stored_name_with_crlf_and_quotes() -> None:
    header = content_disposition('x"\r\nContent-Type: text/html\r\n\r\n<script>.pdf')
    assert "\r" not in header and "\n" not in header
    # the "/" in "text/html" counts as a path separator, so only the last part is kept
    assert header.startswith('attachment; filename="html _script_.pdf";')
    header.encode("ascii")


@given(st.text())
def test_any_name_cleans_to_a_safe_stable_name(raw: str) -> None:
    cleaned = clean_display_name(raw)
    assert cleaned
    assert len(cleaned) <= 120
    assert unicodedata.is_normalized("NFC", cleaned)
    assert "/" not in cleaned and "\\" not in cleaned
    assert all(unicodedata.category(ch) not in {"Cc", "Cf", "Cs"} for ch in cleaned)
    assert cleaned == cleaned.strip(" .")
    assert "  " not in cleaned
    assert clean_display_name(cleaned) == cleaned


@given(st.text())
def test_any_name_gives_an_ascii_header_without_line_breaks(raw: str) -> None:
    header = content_disposition(raw)
    header.encode("ascii")
    assert "\r" not in header and "\n" not in header
    assert header.count('"') == 2
