"""Resume codes: an alphabet without look-alikes, grouped for display, forgiving on input, keyed hashes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from portal.services.drafts import ALPHABET, CODE_LENGTH, code_hash, format_code, generate_code, normalise_code

CONFUSABLE = set("0O1IL5S2Z8BUVQG6")

codes = st.text(alphabet=ALPHABET, min_size=CODE_LENGTH, max_size=CODE_LENGTH)


def test_alphabet_has_no_confusable_characters():
    assert not CONFUSABLE & set(ALPHABET)
    assert len(set(ALPHABET)) == len(ALPHABET) == 20
    assert ALPHABET.upper() == ALPHABET


def test_generated_codes_are_eight_symbols_of_the_alphabet_and_differ():
    drawn = {generate_code() for _ in range(500)}
    assert len(drawn) == 500
    assert all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in drawn)


def test_code_is_shown_in_two_groups_of_four():
    assert format_code("ACDE7K4M") == "ACDE-7K4M"


def test_typing_is_forgiven_case_spaces_dashes_and_full_width():
    assert normalise_code("acde-7k4m") == "ACDE7K4M"
    assert normalise_code(" ACDE 7K4M ") == "ACDE7K4M"
    assert normalise_code("ａｃｄｅ－７ｋ４ｍ") == "ACDE7K4M"
    assert normalise_code("AC DE–7K 4M") == "ACDE7K4M"


def test_wrong_length_or_foreign_symbols_are_refused():
    for bad in ("", "ACDE-7K4", "ACDE-7K4MM", "ACDE-7K40", "ACDE-7K4O", "ACDE-7K4!", "ĂCDE-7K4M"):
        assert normalise_code(bad) is None, bad


@given(codes, st.sampled_from(["", " ", "-", " - ", "\t"]), st.booleans())
def test_normalising_what_was_shown_gives_the_code_back(code, separator, lower):
    shown = format_code(code).replace("-", separator)
    typed = shown.lower() if lower else shown
    assert normalise_code(typed) == code
    assert normalise_code(format_code(code)) == code


@given(codes)
def test_hash_is_keyed(code):
    assert code_hash(code, "one") != code_hash(code, "two")
    assert code_hash(code, "one") == code_hash(code, "one")
    assert code not in code_hash(code, "one")
