"""The one exception an upload check raises, and the citizen-facing messages it carries (Vietnamese first)."""

from __future__ import annotations

from collections.abc import Iterable

#: HTTP status a view should answer with, per rejection code; anything else is 422
HTTP_STATUS = {
    "too_large": 413,
    "type_not_allowed": 415,
    "type_mismatch": 415,
}

_KIND_VI = {"image/jpeg": "ảnh JPG", "image/png": "ảnh PNG", "application/pdf": "tệp PDF"}
_KIND_EN = {"image/jpeg": "a JPG image", "image/png": "a PNG image", "application/pdf": "a PDF file"}
_SHORT = {"image/jpeg": "JPG", "image/png": "PNG", "application/pdf": "PDF"}
_ORDER = ("image/jpeg", "image/png", "application/pdf")


class UploadRejected(Exception):
    """A file the portal will not keep, with a message in plain Vietnamese and its English twin.

    `str(error)` is only the code: the messages quote the citizen's file name, which is personal data
    and must not reach the logs by accident.
    """

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(code)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en

    @property
    def http_status(self) -> int:
        return HTTP_STATUS.get(self.code, 422)

    def message(self, locale: str = "vi") -> str:
        """The message for a locale such as "vi", "en" or "en_US"; Vietnamese unless English is asked for."""
        return self.message_en if locale.lower().startswith("en") else self.message_vi

    def __repr__(self) -> str:
        return f"UploadRejected({self.code!r})"


def _join(words: list[str], conjunction: str) -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {conjunction} {words[-1]}"


def _kinds_vi(allowed: Iterable[str]) -> str:
    kinds = [m for m in _ORDER if m in set(allowed)]
    if not kinds:
        return "loại tệp được nhận"
    words = _join([_SHORT[m] for m in kinds], "hay")
    return f"tệp {words}" if kinds == ["application/pdf"] else f"ảnh {words}"


def _kinds_en(allowed: Iterable[str]) -> str:
    kinds = [m for m in _ORDER if m in set(allowed)]
    if not kinds:
        return "an accepted file type"
    return f"a {_join([_SHORT[m] for m in kinds], 'or')} file"


def _megabytes(max_bytes: int, *, decimal_comma: bool) -> str:
    value = max_bytes / (1024 * 1024)
    text = f"{value:.0f}" if value == int(value) else f"{value:.1f}"
    return text.replace(".", ",") if decimal_comma else text


def too_large(name: str, max_bytes: int) -> UploadRejected:
    return UploadRejected(
        "too_large",
        f"Tệp “{name}” lớn hơn {_megabytes(max_bytes, decimal_comma=True)} MB. "
        "Hãy chụp lại với độ phân giải thấp hơn hoặc chia thành nhiều tệp.",
        f"“{name}” is larger than {_megabytes(max_bytes, decimal_comma=False)} MB. "
        "Take the photo again at a lower resolution or split it into several files.",
    )


def empty(name: str) -> UploadRejected:
    return UploadRejected(
        "empty",
        f"Tệp “{name}” trống hoặc chưa tải lên được. Hãy chọn lại tệp và thử lại.",
        f"“{name}” is empty or did not arrive. Choose the file again and retry.",
    )


def type_not_allowed(name: str, allowed: Iterable[str], detected: str | None) -> UploadRejected:
    allowed = list(allowed)
    hint_vi = "Hãy chọn đúng tệp ảnh chụp hoặc bản quét."
    hint_en = "Choose the photo or scan of the paper."
    # iPhones save photos as HEIC by default; telling the citizen how to get a JPG saves a trip to the desk
    if detected in ("image/heic", "image/heif", "image/avif", "image/webp"):
        hint_vi = (
            "Ảnh này ở định dạng điện thoại chưa được nhận; hãy chụp màn hình ảnh đó rồi tải ảnh chụp màn hình lên."
        )
        hint_en = "This phone image format is not accepted; take a screenshot of the photo and upload that instead."
    return UploadRejected(
        "type_not_allowed",
        f"Tệp “{name}” không phải {_kinds_vi(allowed)}. {hint_vi}",
        f"“{name}” is not {_kinds_en(allowed)}. {hint_en}",
    )


def type_mismatch(name: str, detected: str, extension: str) -> UploadRejected:
    return UploadRejected(
        "type_mismatch",
        f"Tệp “{name}” thực ra là {_KIND_VI[detected]}, nhưng tên tệp lại có đuôi khác. "
        f"Hãy đổi tên tệp cho có đuôi .{extension} hoặc chọn đúng tệp.",
        f"“{name}” is really {_KIND_EN[detected]} but its name says otherwise. "
        f"Rename it to end in .{extension} or choose the right file.",
    )


def image_bomb(name: str, width: int | None = None, height: int | None = None) -> UploadRejected:
    size_vi = f" ({width}×{height} điểm ảnh)" if width and height else ""
    size_en = f" ({width}×{height} pixels)" if width and height else ""
    return UploadRejected(
        "image_bomb",
        f"Ảnh “{name}” quá lớn{size_vi}. Hãy chụp lại với độ phân giải thấp hơn.",
        f"The image “{name}” is too large{size_en}. Take it again at a lower resolution.",
    )


def corrupt(name: str) -> UploadRejected:
    return UploadRejected(
        "corrupt",
        f"Tệp “{name}” bị hỏng hoặc chưa tải lên hết. Hãy mở thử tệp trên máy, rồi tải lên lại.",
        f"“{name}” is damaged or did not arrive completely. Check that it opens on your device, then upload it again.",
    )


def pdf_encrypted(name: str) -> UploadRejected:
    return UploadRejected(
        "pdf_encrypted",
        f"Tệp PDF “{name}” có mật khẩu. Hãy bỏ mật khẩu (hoặc in lại thành PDF mới) rồi tải lên lại.",
        f"The PDF “{name}” is password-protected. Remove the password (or print it to a new PDF) and upload it again.",
    )


def quota(existing: int, limit: int) -> UploadRejected:
    return UploadRejected(
        "quota",
        f"Hồ sơ đã có {existing} tệp; mỗi hồ sơ chỉ được tối đa {limit} tệp. "
        "Hãy gộp các trang vào một tệp PDF hoặc bỏ bớt tệp không cần.",
        f"The dossier already has {existing} files; the limit is {limit}. "
        "Combine pages into one PDF or remove files you do not need.",
    )
