"""Dossier codes (mã hồ sơ), `<agency id>-<YYMMDD>-<sequence>`: formatted when filed, parsed on lookup."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

# One agency-id group: letters A–Y and digits (Decision 20/2020/QĐ-TTg leaves Z out). `[0-9]`, never `\d`,
# because Python's `\d` also matches other scripts' digits.
_GROUP = r"[0-9A-Y]{1,8}"
# Current order: the province group first, and it starts with a letter (H60.22.5).
_AGENCY_CURRENT = rf"[A-Y][0-9A-Y]{{0,7}}(?:\.{_GROUP}){{0,7}}"
# Legacy order (level 1 on the right): digit groups first, the lettered province group last (000.00.12.H60).
_AGENCY_LEGACY = rf"[0-9]{{1,8}}(?:\.{_GROUP}){{0,6}}\.[A-Y][0-9A-Y]{{0,7}}"
# At least four digits; nine is a generous cap that keeps the number a plain int and the regex linear.
_SEQUENCE = r"[0-9]{4,9}"

#: A dossier code in either form, after normalisation (NFKC, trimmed, upper case, ASCII hyphens).
DOSSIER_CODE_RE = re.compile(
    rf"(?P<agency>{_AGENCY_CURRENT}|{_AGENCY_LEGACY})-(?P<day>[0-9]{{6}})-(?P<sequence>{_SEQUENCE})"
)
_AGENCY_CURRENT_RE = re.compile(_AGENCY_CURRENT)

# Phones and word processors turn "-" into look-alikes that NFKC leaves alone; people copy codes from SMS.
_DASHES = re.compile(r"\s*[-\u2010\u2011\u2012\u2013\u2014\u2212\uFE63]\s*")
_MAX_INPUT = 80


@dataclass(frozen=True)
class ParsedCode:
    """The parts of a dossier code; `legacy` is true for the older `000.00.12.H60-…` order."""

    agency_id: str
    day: date
    sequence: int
    legacy: bool = False


def format_dossier_code(agency_id: str, day: date, sequence: int) -> str:
    """`H60.22.5-260213-0007`: the sequence has at least four digits and grows past 9999.

    Raises ValueError for an agency id outside the current form, a year outside 2000–2099 or a
    sequence below 1 (the daily sequence starts at 1).
    """
    agency = agency_id.strip().upper()
    if not _AGENCY_CURRENT_RE.fullmatch(agency):
        raise ValueError(f"not an agency id: {agency_id!r}")
    if not 2000 <= day.year <= 2099:
        raise ValueError(f"a two-digit year cannot hold {day.year}")
    if not 1 <= sequence <= 999_999_999:
        raise ValueError(f"sequence out of range: {sequence}")
    return f"{agency}-{day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(text: str) -> ParsedCode | None:
    """Read a code typed or scanned by a person; None when it is not a code (or names an impossible date).

    Accepts the current and the legacy form. The agency id is returned as written (legacy order kept):
    which current agency a legacy id stands for is the caller's business.
    """
    if not isinstance(text, str) or len(text) > _MAX_INPUT:
        return None
    # NFKC folds full-width digits and letters (０１２, Ｈ) into ASCII before the ASCII-only regex sees them.
    normalised = _DASHES.sub("-", unicodedata.normalize("NFKC", text).strip().upper())
    match = DOSSIER_CODE_RE.fullmatch(normalised)
    if match is None:
        return None
    digits = match["day"]
    try:
        day = date(2000 + int(digits[0:2]), int(digits[2:4]), int(digits[4:6]))
    except ValueError:
        return None
    sequence = int(match["sequence"])
    if sequence < 1:
        return None
    agency = match["agency"]
    # The two forms cannot overlap: the current one starts with a letter, the legacy one with a digit.
    legacy = _AGENCY_CURRENT_RE.fullmatch(agency) is None
    return ParsedCode(agency_id=agency, day=day, sequence=sequence, legacy=legacy)
