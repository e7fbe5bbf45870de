"""Vietnamese text at the input boundary: NFC normalisation and accent folding for search."""

from __future__ import annotations

import unicodedata

# Characters that survive NFD + dropping combining marks but still have an ASCII reading.
_FOLD_EXTRA = str.maketrans({"đ": "d", "Đ": "d", "ð": "d"})


def nfc(text: str) -> str:
    """Canonical composition: the keyboard's NFD "Nguyễn" (8 code points) becomes the 6-code-point NFC form."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Accent- and case-insensitive key: "Đặng Thị Ánh" -> "dang thi anh"; fold(fold(x)) == fold(x)."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    folded = stripped.translate(_FOLD_EXTRA).casefold()
    # casefold can produce new combining marks (e.g. "İ" -> "i̇"); strip them again so folding is idempotent
    folded = unicodedata.normalize("NFD", folded)
    folded = "".join(ch for ch in folded if unicodedata.category(ch) != "Mn").translate(_FOLD_EXTRA)
    return " ".join(folded.split())
