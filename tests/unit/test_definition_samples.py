"""The procedures in forms_schemas/ pass every check, and their data rules behave as the desk expects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import FormatChecker
from referencing import Registry

from portal.forms_engine.definition import DRAFT_07, DRAFT_2020_12, check_definition, validator_class_for

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms_schemas"
SAMPLES = sorted(FORMS_DIR.glob("*.json"))


def load(code: str) -> dict[str, Any]:
    return json.loads((FORMS_DIR / f"{code}.json").read_text(encoding="utf-8"))


def error_paths(code: str, data: dict[str, Any]) -> list[str]:
    schema = load(code)["schema"]
    validator = validator_class_for(schema)(schema, registry=Registry(), format_checker=FormatChecker())
    return sorted("/".join(map(str, e.absolute_path)) + ":" + str(e.validator) for e in validator.iter_errors(data))


def test_the_three_common_procedures_are_shipped() -> None:
    assert [path.stem for path in SAMPLES] == ["1.001193", "1.004222", "2.000815"]


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
def test_sample_has_no_errors_and_no_warnings(path: Path) -> None:
    assert check_definition(json.loads(path.read_text(encoding="utf-8")), source=str(path)) == []


def test_both_dialects_are_represented() -> None:
    dialects = {load(p.stem)["schema"].get("$schema") for p in SAMPLES}
    assert dialects == {DRAFT_2020_12, DRAFT_07}


PARENT = {
    "full_name": "Trần Thị Bích",
    "birth_date": "1995-01-02",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "id_number": "008195000123",
    "residence": "Thôn 3, xã Mỹ Bằng, tỉnh Tuyên Quang",
}
CHILD = {
    "full_name": "Nguyễn Minh Khang",
    "birth_date": "2026-02-10",
    "sex": "nam",
    "place_of_birth": "Bệnh viện Đa khoa tỉnh Tuyên Quang",
    "ethnicity": "Kinh",
    "nationality": "Việt Nam",
    "hometown": "Tuyên Quang",
}


def test_birth_form_requires_the_father_only_when_he_is_known() -> None:
    base = {"requester_relationship": "me", "child": CHILD, "mother": PARENT}
    assert error_paths("1.001193", {**base, "father_known": True}) == [":required"]
    assert error_paths("1.001193", {**base, "father_known": True, "father": PARENT}) == []
    assert error_paths("1.001193", {**base, "father_known": False}) == []


def test_birth_form_id_number_is_twelve_ascii_digits() -> None:
    data = {"requester_relationship": "me", "child": CHILD, "father_known": False}
    assert error_paths("1.001193", {**data, "mother": {**PARENT, "id_number": "00819500012"}}) == [
        "mother/id_number:pattern"
    ]
    full_width = "００８１９５０００１２３"
    assert error_paths("1.001193", {**data, "mother": {**PARENT, "id_number": full_width}}) == [
        "mother/id_number:pattern"
    ]


RESIDENT = {
    "full_name": "Nguyễn Văn An",
    "birth_date": "1990-05-01",
    "sex": "nam",
    "id_number": "008090001234",
    "phone": "0912345678",
    "permanent_address": "Số 5, tổ 3, phường Minh Xuân, tỉnh Tuyên Quang",
    "request": "Đăng ký thường trú",
}


def test_residence_form_needs_the_household_head_unless_founding_a_household() -> None:
    assert error_paths("1.004222", {**RESIDENT, "new_household": False}) == [":required"]
    head = {"full_name": "Nguyễn Văn Bình", "relationship": "con", "id_number": "008060001111"}
    assert error_paths("1.004222", {**RESIDENT, "new_household": False, "household_head": head}) == []
    assert error_paths("1.004222", {**RESIDENT, "new_household": True}) == []


def test_residence_form_takes_household_members_moving_too() -> None:
    member = {"full_name": "Lê Thị Dung", "birth_date": "1992-01-01", "sex": "nu", "relationship": "vo"}
    assert error_paths("1.004222", {**RESIDENT, "new_household": True, "members": [member]}) == []
    assert error_paths(
        "1.004222", {**RESIDENT, "new_household": True, "members": [{**member, "relationship": "x"}]}
    ) == ["members/0/relationship:enum"]


COPY = {
    "document_name": "Bằng tốt nghiệp",
    "origin": {"issuer": "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang"},
    "copies": 2,
    "pages": 1,
    "language": "tieng_viet",
}
ABROAD = {"issuing_country": "Nhật Bản", "legalisation": "da_hop_phap_hoa"}


def test_certified_copy_asks_for_an_address_only_when_posting_the_result() -> None:
    assert error_paths("2.000815", {**COPY, "delivery": "mot_cua"}) == []
    assert error_paths("2.000815", {**COPY, "delivery": "buu_dien"}) == [":required"]
    assert error_paths("2.000815", {**COPY, "delivery": "mot_cua", "copies": 51}) == ["copies:maximum"]


def test_certified_copy_origin_is_exactly_one_alternative() -> None:
    data = {**COPY, "delivery": "mot_cua"}
    assert error_paths("2.000815", {**data, "origin": ABROAD}) == []
    assert error_paths("2.000815", {**data, "origin": {**ABROAD, "legalisation": "duoc_mien"}}) == []
    # a foreign original must be legalised or exempt (Decree 23/2015/NĐ-CP, Art. 20): nothing else to pick
    assert error_paths("2.000815", {**data, "origin": {**ABROAD, "legalisation": "chua"}}) == ["origin:oneOf"]
    assert error_paths("2.000815", {**data, "origin": {"issuing_country": "Nhật Bản"}}) == ["origin:oneOf"]
    assert error_paths("2.000815", {**data, "origin": {}}) == ["origin:oneOf"]
    # the alternatives share no key, and neither takes the other's
    assert error_paths("2.000815", {**data, "origin": {**ABROAD, "issuer": "Sở Tư pháp"}}) == ["origin:oneOf"]
    without = {k: v for k, v in data.items() if k != "origin"}
    assert error_paths("2.000815", without) == [":required"]
    alternatives = load("2.000815")["schema"]["properties"]["origin"]["oneOf"]
    keys = [set(alt["properties"]) for alt in alternatives]
    assert not keys[0] & keys[1]
