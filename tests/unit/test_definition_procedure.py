"""check_definition on the file as a whole and its `procedure` block; the digest and NFC normalisation."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

import pytest

from portal.forms_engine.definition import (
    Problem,
    check_definition,
    definition_digest,
    normalize_definition,
)

DOCUMENT = {"key": "giay_chung_sinh", "name": "Giấy chứng sinh", "required": True}


def definition(**procedure: Any) -> dict[str, Any]:
    meta = {"code": "1.001193", "name": "Đăng ký khai sinh", "processing_days": 0, "documents": [DOCUMENT]}
    meta.update(procedure)
    return {"procedure": {k: v for k, v in meta.items() if v is not None}, "schema": {"type": "object"}}


def errors_at(problems: list[Problem]) -> dict[str, str]:
    return {p.pointer: p.message for p in problems if p.severity == "error"}


def test_minimal_definition_has_no_problems() -> None:
    assert check_definition(definition()) == []


def test_top_level_must_be_an_object() -> None:
    assert list(errors_at(check_definition([1, 2]))) == [""]


def test_missing_blocks_are_errors_at_their_own_pointer() -> None:
    assert set(errors_at(check_definition({}))) == {"/procedure", "/schema"}


@pytest.mark.parametrize("missing", ["code", "name", "processing_days"])
def test_missing_required_procedure_key_points_at_that_key(missing: str) -> None:
    doc = definition()
    del doc["procedure"][missing]
    errors = errors_at(check_definition(doc))
    assert list(errors) == [f"/procedure/{missing}"]
    assert "Thiếu" in errors[f"/procedure/{missing}"]


@pytest.mark.parametrize("days", ["3", -1, True, None, 2.5, 7.0])
def test_processing_days_must_be_a_whole_number_of_days(days: Any) -> None:
    doc = definition()
    doc["procedure"]["processing_days"] = days
    assert "/procedure/processing_days" in errors_at(check_definition(doc))


@pytest.mark.parametrize("code", ["", "1.001193\n", "../etc", "mã-1", "a" * 33, ".hidden", "1 001193"])
def test_code_must_be_safe_for_urls_and_file_names(code: str) -> None:
    assert list(errors_at(check_definition(definition(code=code)))) == ["/procedure/code"]


def test_level_is_full_or_partial() -> None:
    assert list(errors_at(check_definition(definition(level="4")))) == ["/procedure/level"]


def test_blank_name_is_an_error() -> None:
    assert list(errors_at(check_definition(definition(name="   ")))) == ["/procedure/name"]


def test_fee_amount_must_be_a_non_negative_integer() -> None:
    errors = errors_at(check_definition(definition(fee={"amount": -2000, "currency": "VND"})))
    assert list(errors) == ["/procedure/fee/amount"]


def test_duplicate_document_keys_are_an_error_at_the_second_key() -> None:
    second = {"key": "giay_chung_sinh", "name": "Bản sao"}
    errors = errors_at(check_definition(definition(documents=[DOCUMENT, second])))
    assert list(errors) == ["/procedure/documents/1/key"]
    assert "trùng" in errors["/procedure/documents/1/key"]


@pytest.mark.parametrize(
    ("document", "pointer"),
    [
        ({"key": "Giấy", "name": "x"}, "/procedure/documents/0/key"),
        ({"key": "ok"}, "/procedure/documents/0/name"),
        ({"key": "ok", "name": "x", "accept": ["text/html"]}, "/procedure/documents/0/accept/0"),
        ({"key": "ok", "name": "x", "accept": []}, "/procedure/documents/0/accept"),
        ({"key": "ok", "name": "x", "max_mb": 0}, "/procedure/documents/0/max_mb"),
        ({"key": "ok", "name": "x", "max_mb": 51}, "/procedure/documents/0/max_mb"),
        ({"key": "ok", "name": "x", "required": "yes"}, "/procedure/documents/0/required"),
        ({"key": "ok", "name": "x", "multiple": 1}, "/procedure/documents/0/multiple"),
        ({"key": "payload", "name": "x"}, "/procedure/documents/0/key"),
    ],
)
def test_document_entries_are_checked(document: dict[str, Any], pointer: str) -> None:
    assert list(errors_at(check_definition(definition(documents=[document])))) == [pointer]


def test_unknown_keys_are_warnings_not_errors() -> None:
    doc = definition(hotline="1900")
    doc["extra"] = {}
    problems = check_definition(doc)
    assert errors_at(problems) == {}
    assert {p.pointer for p in problems if p.severity == "warning"} == {"/procedure/hotline", "/extra"}


def test_file_name_that_differs_from_the_code_is_a_warning() -> None:
    problems = check_definition(definition(), source="forms_schemas/khai-sinh.json")
    assert [(p.pointer, p.severity) for p in problems] == [("/procedure/code", "warning")]
    assert check_definition(definition(), source="forms_schemas/1.001193.json") == []


def test_messages_are_vietnamese_first() -> None:
    doc = definition()
    doc["procedure"]["processing_days"] = "3"
    message = errors_at(check_definition(doc))["/procedure/processing_days"]
    assert message.startswith("Sai kiểu dữ liệu: cần số nguyên")


def test_digest_ignores_key_order_and_spacing_but_sees_every_setting() -> None:
    doc = definition()
    reordered = {"schema": doc["schema"], "procedure": dict(reversed(list(doc["procedure"].items())))}
    assert definition_digest(reordered) == definition_digest(doc)
    fee_changed = copy.deepcopy(doc)
    fee_changed["procedure"]["fee"] = {"amount": 8000}
    assert definition_digest(fee_changed) != definition_digest(doc)
    translated = copy.deepcopy(doc)
    translated["translations"] = {"en": {"procedure.name": "Birth registration"}}
    assert definition_digest(translated) != definition_digest(doc)


def test_normalisation_turns_keyboard_nfd_into_nfc_everywhere() -> None:
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    normalised = normalize_definition({nfd: [nfd, {"k": nfd}], "n": 1})
    assert normalised == {"Nguyễn": ["Nguyễn", {"k": "Nguyễn"}], "n": 1}
    assert definition_digest(normalize_definition({"a": nfd})) == definition_digest({"a": "Nguyễn"})


def test_translations_map_locale_to_strings() -> None:
    doc = definition()
    doc["translations"] = {"en": {"procedure.name": 5}, "English": {}}
    assert set(errors_at(check_definition(doc))) == {"/translations/en/procedure.name", "/translations"}
