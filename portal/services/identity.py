"""Plausibility of personal identification numbers (số định danh cá nhân): province and birth-year digits."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

#: province-of-registration codes used in the 12-digit number (Circular 59/2021/TT-BCA, 63 provinces before 2025;
#: numbers keep these codes after the 2025 merger)
PROVINCE_CODES = frozenset(
    (  # noqa: SIM905  (a block of codes reads better than 63 quoted strings)
        "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 "
        "034 035 036 037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 "
        "067 068 070 072 074 075 077 079 080 082 083 084 086 087 089 091 092 093 094 095 096"
    ).split()
)

_MESSAGES = {
    "province": {
        "vi": "Số định danh cá nhân không đúng: 3 chữ số đầu phải là mã tỉnh nơi đăng ký khai sinh",
        "en": "This identification number is not valid: its first 3 digits must be a province code",
    },
    "birth_year": {
        "vi": "Số định danh cá nhân không khớp với năm sinh: chữ số thứ 4 đến 6 ghi thế kỷ và năm sinh",
        "en": "This identification number does not match the year of birth (digits 4 to 6)",
    },
}


def birth_year_of(id_number: str) -> int:
    """The birth year encoded in digits 4–6: the century digit (0/1: 1900s, 2/3: 2000s, …) and two year digits."""
    century = 1900 + 100 * (int(id_number[3]) // 2)
    return century + int(id_number[4:6])


def id_number_problem(id_number: str, *, birth_date: date | None = None) -> str | None:
    """A message key when a well-formed 12-digit number cannot be real, else None."""
    if len(id_number) != 12 or not id_number.isascii() or not id_number.isdigit():
        return None  # the schema's pattern reports the shape
    if id_number[:3] not in PROVINCE_CODES:
        return "province"
    if birth_date is not None and birth_year_of(id_number) != birth_date.year:
        return "birth_year"
    return None


def message(key: str, locale: str) -> str:
    return _MESSAGES[key]["en" if locale == "en" else "vi"]


def _people(value: Any, pointer: str = "") -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(value, Mapping):
        if isinstance(value.get("id_number"), str):
            yield pointer, value
        for key, item in value.items():
            yield from _people(item, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _people(item, f"{pointer}/{index}")


def identity_problems(document: Any, locale: str) -> list[tuple[str, str]]:
    """(pointer, message) for every person in the document whose id number cannot be theirs."""
    found = []
    for pointer, person in _people(document):
        birth = None
        if isinstance(person.get("birth_date"), str):
            try:
                birth = date.fromisoformat(person["birth_date"])
            except ValueError:
                birth = None
        key = id_number_problem(person["id_number"], birth_date=birth)
        if key:
            found.append((f"{pointer}/id_number", message(key, locale)))
    return found
