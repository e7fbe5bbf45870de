"""Dossier codes: formatting new codes, reading typed ones (current and legacy forms), refusing the rest."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.receipts.codes import DOSSIER_CODE_RE, ParsedCode, format_dossier_code, parse_dossier_code

DAY = date(2026, 2, 13)


def test_format_matches_the_documented_example() -> None:
    assert format_dossier_code("H60.22.5", DAY, 7) == "H60.22.5-260213-0007"


def test_sequence_grows_past_four_digits() -> None:
    assert format_dossier_code("H60.22.5", DAY, 9999) == "H60.22.5-260213-9999"
    assert format_dossier_code("H60.22.5", DAY, 12345) == "H60.22.5-260213-12345"


def test_format_normalises_agency_case_and_spaces() -> None:
    assert format_dossier_code(" h60.22.5 ", DAY, 1) == "H60.22.5-260213-0001"


@pytest.mark.parametrize("agency", ["", "Z60.22.5", "H60..5", "H60.22.", ".H60", "H60-22", "000.00.12.H60", "H6Ô"])
def test_format_refuses_agency_ids_outside_the_current_form(agency: str) -> None:
    with pytest.raises(ValueError, match="agency"):
        format_dossier_code(agency, DAY, 1)


@pytest.mark.parametrize("sequence", [0, -1, 1_000_000_000])
def test_format_refuses_sequence_out_of_range(sequence: int) -> None:
    with pytest.raises(ValueError, match="sequence"):
        format_dossier_code("H60.22.5", DAY, sequence)


def test_format_refuses_a_year_two_digits_cannot_hold() -> None:
    with pytest.raises(ValueError, match="year"):
        format_dossier_code("H60.22.5", date(2100, 1, 1), 1)


def test_parse_reads_the_current_form() -> None:
    assert parse_dossier_code("H60.22.5-260213-0007") == ParsedCode("H60.22.5", DAY, 7, legacy=False)


def test_parse_reads_the_legacy_form_and_says_so() -> None:
    parsed = parse_dossier_code("000.00.12.H60-260213-0007")
    assert parsed == ParsedCode("000.00.12.H60", DAY, 7, legacy=True)


def test_parse_reads_a_five_digit_sequence() -> None:
    parsed = parse_dossier_code("H60.22.5-260213-12345")
    assert parsed is not None and parsed.sequence == 12345


@pytest.mark.parametrize(
    "typed",
    [
        "  h60.22.5-260213-0007 \n",  # lower case and stray spaces
        "Ｈ６０．２２．５－２６０２１３－０００７",  # full-width, as some IMEs type it
        "H60.22.5 – 260213 – 0007",  # en dash with spaces, as copied from an SMS or a word processor
        "H60.22.5\u2011260213\u20110007",  # non-breaking hyphen
    ],
)
def test_parse_normalises_what_people_type(typed: str) -> None:
    assert parse_dossier_code(typed) == ParsedCode("H60.22.5", DAY, 7)


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "hello",
        "H60.22.5-260213-007",  # three-digit sequence
        "H60.22.5-260213-0000",  # sequences start at 1
        "H60.22.5-260230-0007",  # 30 February
        "H60.22.5-261313-0007",  # month 13
        "H60.22.5-26021-0007",
        "Z60.22.5-260213-0007",  # Z is not an agency letter
        "H60.22.5-260213-0007x",
        "H60.22.5-260213-0007.",
        "H60.22.5_260213_0007",
        "H60.22.5-260213-0007-0001",
        "H60.22.5-٢٦٠٢١٣-0007",  # Arabic-Indic digits: NFKC keeps them, [0-9] refuses them
        "H60.22.5-260213-" + "1" * 10,  # absurd sequence
        "H60." * 30 + "5-260213-0007",  # too long to be a code
        "' OR 1=1 --",
    ],
)
def test_parse_refuses_what_is_not_a_code(garbage: str) -> None:
    assert parse_dossier_code(garbage) is None


def test_parse_refuses_non_strings() -> None:
    assert parse_dossier_code(None) is None  # type: ignore[arg-type]


_group = st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXY", min_size=1, max_size=8)
_agency = st.builds(
    lambda first, rest, tail: ".".join([first + rest, *tail]),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXY"),
    st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXY", max_size=7),
    st.lists(_group, max_size=4),
)


@given(
    agency=_agency,
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    sequence=st.integers(min_value=1, max_value=999_999_999),
)
def test_format_then_parse_round_trips(agency: str, day: date, sequence: int) -> None:
    code = format_dossier_code(agency, day, sequence)
    assert DOSSIER_CODE_RE.fullmatch(code)
    assert parse_dossier_code(code) == ParsedCode(agency, day, sequence)
    assert parse_dossier_code(code.lower()) == ParsedCode(agency, day, sequence)
