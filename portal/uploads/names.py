"""Citizen file names: a safe display name that keeps Vietnamese letters, and the download header.

The name is only ever shown and offered as a download name; files on disk are named by UUID.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_NAME_LENGTH = 120
FALLBACK_STEM = "tep-dinh-kem"

# An extension is a short ASCII run with at least one letter: "scan 12.5" or "Giấy tờ. Bản sao" have none,
# so the real extension gets appended instead of the name being refused as a type mismatch.
_EXTENSION = re.compile(r"\.([A-Za-z0-9]{1,8})$")
_HAS_LETTER = re.compile(r"[A-Za-z]")
# Cc: C0/C1 controls (NUL, CR, LF…); Cf: bidi overrides, zero-width and BOM characters that make a name
# display differently from what it is; Cs: lone surrogates, which cannot even be encoded as UTF-8.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9 ._()\-]+")


def _strip_controls(text: str) -> str:
    out = []
    for char in text:
        if char.isspace():
            # tabs, CR/LF and exotic spaces become one ordinary space, so "Đơn\nđề nghị" stays two words
            out.append(" ")
        elif unicodedata.category(char) in _DROPPED_CATEGORIES:
            continue
        else:
            out.append(char)
    return "".join(out)


def split_extension(name: str) -> tuple[str, str | None]:
    """("Đơn đề nghị", "pdf") for "Đơn đề nghị.pdf"; (name, None) when the name has no extension.

    The extension comes back as written (case kept); compare it lower-cased.
    """
    match = _EXTENSION.search(name)
    if match is None or not _HAS_LETTER.search(match.group(1)) or match.start() == 0:
        return name, None
    return name[: match.start()], match.group(1)


def _tidy(text: str) -> str:
    # Windows drops trailing dots and spaces when saving, and leading dots make a hidden file on Unix
    return " ".join(text.split()).strip(" .")


def clean_display_name(name: str | None, *, fallback_extension: str | None = None) -> str:
    """The citizen's file name made safe to store, show and offer as a download name.

    NFC; only the last path component (``/`` and ``\\`` both count); control, format and bidi characters
    removed; whitespace collapsed; at most 120 characters with the extension kept; never empty
    ("tep-dinh-kem.<fallback_extension>"). Vietnamese letters are kept, unlike werkzeug's secure_filename.
    """
    text = unicodedata.normalize("NFC", name or "")
    text = _strip_controls(text)
    text = re.split(r"[/\\]", text)[-1]
    text = _tidy(text)
    if len(text) > MAX_NAME_LENGTH:
        stem, extension = split_extension(text)
        if extension is None:
            text = _tidy(text[:MAX_NAME_LENGTH])
        else:
            stem = _tidy(stem[: MAX_NAME_LENGTH - len(extension) - 1])
            text = f"{stem or FALLBACK_STEM}.{extension}"
    # removing characters or cutting can leave a decomposed pair next to each other
    text = unicodedata.normalize("NFC", text)
    if not text:
        return f"{FALLBACK_STEM}.{fallback_extension}" if fallback_extension else FALLBACK_STEM
    return text


def ascii_fallback(name: str) -> str:
    """A plain-ASCII version of a display name for old clients: "Đơn đề nghị.pdf" -> "Don de nghi.pdf"."""
    stem, extension = split_extension(clean_display_name(name))
    stem = unicodedata.normalize("NFKD", stem.replace("đ", "d").replace("Đ", "D"))
    stem = stem.encode("ascii", "ignore").decode("ascii")
    # quotes, backslashes and percent signs are left out so the quoted-string needs no escaping at all
    stem = _tidy(re.sub(r"_{2,}", "_", _ASCII_UNSAFE.sub("_", stem)))
    if not stem.strip("_"):
        stem = FALLBACK_STEM
    return f"{stem}.{extension}" if extension else stem


def content_disposition(name: str) -> str:
    """An RFC 6266 ``attachment`` header value: ASCII ``filename`` plus UTF-8 ``filename*`` (RFC 8187).

    Any input is safe here, including names with CR/LF stored before they were cleaned.
    """
    display = clean_display_name(name)
    return f"attachment; filename=\"{ascii_fallback(display)}\"; filename*=UTF-8''{quote(display, safe='')}"
