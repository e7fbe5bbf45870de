"""The upload gate: size first, then type from the content, then the name, then the content rebuilt."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.uploads import errors
from portal.uploads.images import reencode_image
from portal.uploads.names import MAX_NAME_LENGTH, clean_display_name, split_extension
from portal.uploads.pdfs import clean_pdf
from portal.uploads.sniff import EXTENSIONS, PDF, SUPPORTED, normalize_accept, sniff_mime


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check, ready to be stored."""

    #: type found from the content: "application/pdf", "image/jpeg" or "image/png"
    mime_type: str
    #: canonical extension of that type, without the dot: "pdf", "jpg" or "png"
    extension: str
    #: what to store: a rebuilt image, a stripped PDF, or the original bytes of a clean PDF
    content: bytes
    #: the citizen's name, cleaned, always ending in an extension that matches the content
    display_name: str
    #: what was removed from a PDF (empty for images, which are always rebuilt)
    removed: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return len(self.content)


def _display_name(declared_name: str, mime: str) -> str:
    canonical = EXTENSIONS[mime][0]
    name = clean_display_name(declared_name, fallback_extension=canonical)
    _stem, extension = split_extension(name)
    if extension is None:
        # a missing extension is fine; add the right one so the downloaded copy opens on the clerk's PC
        return clean_display_name(f"{name[: MAX_NAME_LENGTH - len(canonical) - 1]}.{canonical}")
    if extension.lower() not in EXTENSIONS[mime]:
        raise errors.type_mismatch(name, mime, canonical)
    return name


def inspect_upload(content: bytes, *, declared_name: str, accept: Iterable[str], max_bytes: int) -> CheckedFile:
    """Decide whether to keep an uploaded file, from its bytes alone.

    Cheap checks run first: size before any parsing, then the magic bytes, then the name's extension, and
    only then the decoders. The declared name and any declared Content-Type never decide the type.

    Raises UploadRejected with code too_large, empty, type_not_allowed, type_mismatch, image_bomb, corrupt
    or pdf_encrypted.
    """
    shown = clean_display_name(declared_name)
    if len(content) > max_bytes:
        raise errors.too_large(shown, max_bytes)
    if not content:
        raise errors.empty(shown)
    allowed = normalize_accept(accept)
    detected = sniff_mime(content)
    if detected not in SUPPORTED or detected not in allowed:
        raise errors.type_not_allowed(shown, allowed, detected)
    display_name = _display_name(declared_name, detected)
    if detected == PDF:
        cleaned = clean_pdf(content, name=display_name)
        return CheckedFile(PDF, "pdf", cleaned.content, display_name, cleaned.removed)
    rebuilt = reencode_image(content, detected, name=display_name)
    return CheckedFile(detected, EXTENSIONS[detected][0], rebuilt, display_name)


def check_quota(existing_count: int, adding: int, limit: int) -> None:
    """Raise UploadRejected("quota") when adding files would take a dossier past its file limit."""
    if existing_count + adding > limit:
        raise errors.quota(existing_count, limit)
