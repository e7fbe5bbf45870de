"""What a file is, decided from its bytes: the supported types, their extensions, and the accept lists."""

from __future__ import annotations

from collections.abc import Iterable

import filetype

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"

#: what a procedure accepts when its document entry says nothing (procedure-definition.md)
DEFAULT_ACCEPT = (PDF, JPEG, PNG)
#: the only types the portal can check and rewrite; anything else is refused whatever the accept list says
SUPPORTED = frozenset(DEFAULT_ACCEPT)
#: extensions a citizen's name may carry for each type (lower case); the first is the canonical one.
#: ".jfif" is what Windows browsers often call a saved JPEG.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: ("pdf",),
    JPEG: ("jpg", "jpeg", "jpe", "jfif"),
    PNG: ("png",),
}

# spellings admins write by hand in `accept`, including HTML-accept-style extensions
_ACCEPT_ALIASES = {
    "image/jpg": (JPEG,),
    "image/pjpeg": (JPEG,),
    "image/*": (JPEG, PNG),
    ".pdf": (PDF,),
    ".jpg": (JPEG,),
    ".jpeg": (JPEG,),
    ".png": (PNG,),
}
# filetype reports an animated PNG separately; re-encoding keeps its first frame as a plain PNG
_SNIFF_ALIASES = {"image/apng": PNG}


def normalize_accept(accept: Iterable[str] | None) -> frozenset[str]:
    """The supported MIME types an accept list allows; a missing or empty list means the default three.

    Entries the portal cannot check (e.g. Word files) are ignored rather than trusted.
    """
    entries = [str(item).split(";")[0].strip().lower() for item in (accept or ())]
    entries = [entry for entry in entries if entry]
    if not entries:
        return frozenset(DEFAULT_ACCEPT)
    allowed: set[str] = set()
    for entry in entries:
        allowed.update(_ACCEPT_ALIASES.get(entry, (entry,)))
    return frozenset(allowed & SUPPORTED)


def sniff_mime(content: bytes) -> str | None:
    """The MIME type the leading bytes announce, or None when nothing known matches (text, HTML, SVG…).

    Only a first opinion: the structural checks that follow must agree before a file is kept.
    """
    if content.startswith(b"%PDF"):
        # filetype only looks at "%PDF"; a real header goes on with "-" and a version
        return PDF if content.startswith(b"%PDF-") else None
    kind = filetype.guess(content[:8192])
    if kind is None:
        return None
    return _SNIFF_ALIASES.get(kind.mime, kind.mime)
