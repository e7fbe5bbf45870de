"""Type decided by content, size before parsing, accept lists, names vs content, quota (UP-01, UP-02)."""

from __future__ import annotations

import contextlib

import pikepdf
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from upload_samples import ACCEPT_ALL, TEN_MB, jpeg, plain_pdf, png

from portal.uploads import UploadRejected, check_quota, inspect_upload, normalize_accept, sniff_mime

FIVE_MB = 5 * 1024 * 1024


def reject(content: bytes, name: str, *, accept: list[str] | None = None, max_bytes: int = TEN_MB) -> UploadRejected:
    with pytest.raises(UploadRejected) as caught:
        inspect_upload(
            content, declared_name=name, accept=ACCEPT_ALL if accept is None else accept, max_bytes=max_bytes
        )
    return caught.value


SPOOFS = {
    "html_as_jpg": (
        b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>",
        "cccd.jpg",
    ),
    "php_as_png": (b"<?php system($_GET['c']); ?>", "anh-the.png"),
    "exe_as_pdf": (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 200, "don.pdf"),
    "svg_with_script_as_png": (
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>',
        "chu-ky.png",
    ),
    "zip_as_pdf": (b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 100, "ho-so.pdf"),
    "gif_as_jpg": (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01", "anh.jpg"),
    "text_with_pdf_name": (b"just some text, honest", "giay-to.pdf"),
    "pdf_magic_without_version": (b"%PDF<html><script>alert(1)</script></html>", "a.pdf"),
}


@pytest.mark.parametrize("case", SPOOFS)
def test_spoofed_type_is_refused_by_content(case: str) -> None:
    content, name = SPOOFS[case]
    error = reject(content, name)
    assert error.code == "type_not_allowed"
    assert error.http_status == 415
    assert f"Tệp “{name}” không phải ảnh JPG, PNG hay PDF." in error.message_vi
    assert "Hãy chọn đúng tệp" in error.message_vi
    assert name in error.message_en


def test_html_named_jpg_is_refused_whatever_content_type_the_browser_sent() -> None:
    # there is no content-type parameter at all: the declared type cannot even reach the decision
    assert reject(SPOOFS["html_as_jpg"][0], "cccd.jpg").code == "type_not_allowed"


@pytest.mark.parametrize(
    ("content", "name", "canonical"),
    [
        (jpeg(), "cccd.pdf", "jpg"),
        (jpeg(), "cccd.php", "jpg"),
        (jpeg(), "cccd.jpg.html", "jpg"),
        (png(), "cccd.jpg", "png"),
        (plain_pdf(), "don.png", "pdf"),
        (plain_pdf(), "don.exe", "pdf"),
    ],
)
def test_real_file_with_wrong_extension_is_a_mismatch(content: bytes, name: str, canonical: str) -> None:
    error = reject(content, name)
    assert error.code == "type_mismatch"
    assert f".{canonical}" in error.message_vi


@pytest.mark.parametrize(
    ("content", "name", "display"),
    [
        (jpeg(), "IMG_2024.JPG", "IMG_2024.JPG"),
        (jpeg(), "anh.jpeg", "anh.jpeg"),
        (jpeg(), "anh.jfif", "anh.jfif"),
        (jpeg(), "ảnh chụp", "ảnh chụp.jpg"),
        (jpeg(), "scan 12.5", "scan 12.5.jpg"),
        (jpeg(), "", "tep-dinh-kem.jpg"),
        (png(), "...", "tep-dinh-kem.png"),
        (plain_pdf(), "Đơn đề nghị.pdf", "Đơn đề nghị.pdf"),
        (jpeg(), "a\x00.php.jpg", "a.php.jpg"),
        (jpeg(), "../../etc/passwd", "passwd.jpg"),
    ],
)
def test_accepted_name_always_ends_with_a_matching_extension(content: bytes, name: str, display: str) -> None:
    checked = inspect_upload(content, declared_name=name, accept=ACCEPT_ALL, max_bytes=TEN_MB)
    assert checked.display_name == display


def test_name_of_120_characters_without_extension_still_gets_one() -> None:
    checked = inspect_upload(jpeg(), declared_name="ả" * 200, accept=ACCEPT_ALL, max_bytes=TEN_MB)
    assert len(checked.display_name) == 120
    assert checked.display_name.endswith(".jpg")


def test_oversize_is_refused_before_any_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    def must_not_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed an oversize file")

    monkeypatch.setattr(Image, "open", must_not_run)
    monkeypatch.setattr(pikepdf, "open", must_not_run)
    monkeypatch.setattr("portal.uploads.checks.sniff_mime", must_not_run)
    six_mb_photo = jpeg() + b"\x00" * (6 * 1024 * 1024)
    error = reject(six_mb_photo, "cccd.jpg", max_bytes=FIVE_MB)
    assert error.code == "too_large"
    assert error.http_status == 413
    assert error.message_vi == (
        "Tệp “cccd.jpg” lớn hơn 5 MB. Hãy chụp lại với độ phân giải thấp hơn hoặc chia thành nhiều tệp."
    )


def test_file_exactly_at_the_limit_is_accepted() -> None:
    content = plain_pdf()
    checked = inspect_upload(content, declared_name="a.pdf", accept=ACCEPT_ALL, max_bytes=len(content))
    assert checked.content == content


def test_fractional_limit_reads_with_a_vietnamese_decimal_comma() -> None:
    error = reject(b"x" * 3_000_000, "a.pdf", max_bytes=int(2.5 * 1024 * 1024))
    assert "2,5 MB" in error.message_vi
    assert "2.5 MB" in error.message_en


def test_empty_file_is_refused() -> None:
    error = reject(b"", "cccd.jpg")
    assert error.code == "empty"
    assert "Hãy chọn lại tệp" in error.message_vi


def test_type_outside_the_documents_accept_list_is_refused_with_the_list() -> None:
    error = reject(jpeg(), "anh.jpg", accept=["application/pdf"])
    assert error.code == "type_not_allowed"
    assert "không phải tệp PDF" in error.message_vi
    assert "is not a PDF file" in error.message_en


def test_heic_gets_a_hint_about_screenshots() -> None:
    heic = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    assert sniff_mime(heic) == "image/heic"
    error = reject(heic, "IMG_0001.HEIC")
    assert error.code == "type_not_allowed"
    assert "chụp màn hình" in error.message_vi


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, {"application/pdf", "image/jpeg", "image/png"}),
        ([], {"application/pdf", "image/jpeg", "image/png"}),
        (["application/pdf"], {"application/pdf"}),
        (["image/*"], {"image/jpeg", "image/png"}),
        (["IMAGE/JPG", ".pdf"], {"image/jpeg", "application/pdf"}),
        (["application/pdf; charset=binary"], {"application/pdf"}),
        (["application/msword"], set()),
    ],
)
def test_accept_list_is_normalized(accept: list[str] | None, expected: set[str]) -> None:
    assert normalize_accept(accept) == expected


def test_accept_list_of_only_unsupported_types_refuses_everything_without_crashing() -> None:
    error = reject(plain_pdf(), "a.pdf", accept=["application/msword"])
    assert error.code == "type_not_allowed"


def test_rejection_str_carries_no_file_name() -> None:
    error = reject(b"<html>", "Nguyễn Văn A - CCCD 001099012345.jpg")
    assert str(error) == "type_not_allowed"
    assert "Nguyễn" not in repr(error)
    assert error.message("en") == error.message_en
    assert error.message("vi") == error.message_vi


def test_quota_allows_up_to_the_limit_then_refuses() -> None:
    check_quota(19, 1, 20)
    with pytest.raises(UploadRejected) as caught:
        check_quota(20, 1, 20)
    assert caught.value.code == "quota"
    assert "tối đa 20 tệp" in caught.value.message_vi


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from(["a.pdf", "a.jpg", "a.png", "", "x"]))
def test_random_bytes_only_ever_give_a_checked_file_or_a_rejection(content: bytes, name: str) -> None:
    with contextlib.suppress(UploadRejected):
        inspect_upload(content, declared_name=name, accept=ACCEPT_ALL, max_bytes=TEN_MB)


_VALID = {"pdf": plain_pdf(), "jpg": jpeg((32, 32)), "png": png((32, 32))}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(_VALID)),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=8),
    st.integers(min_value=0),
)
def test_damaged_real_files_only_ever_give_a_checked_file_or_a_rejection(
    kind: str, flips: list[tuple[int, int]], cut: int
) -> None:
    content = bytearray(_VALID[kind])
    for position, value in flips:
        content[position % len(content)] = value
    damaged = bytes(content[: max(1, len(content) - cut % len(content))])
    with contextlib.suppress(UploadRejected):
        inspect_upload(damaged, declared_name=f"a.{kind}", accept=ACCEPT_ALL, max_bytes=TEN_MB)
