"""Check-your-answers lines, and the applicant block shared by every form and the API."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from portal.forms_engine import (
    APPLICANT_SCHEMA,
    APPLICANT_TRANSLATIONS,
    APPLICANT_UI,
    Answer,
    compile_form,
    normalise_id_number,
    normalise_phone,
)

FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"


def test_answers_use_the_forms_words_in_form_order() -> None:
    definition = json.loads((FORMS / "1.001193.json").read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition["uiSchema"])
    data = {
        "father_known": False,
        "child": {"sex": "nu", "full_name": "Nguyễn Thị Ánh", "birth_date": "2024-03-07"},
        "requester_relationship": "me",
    }
    answers = spec.answers(data)
    assert answers[0] == Answer(
        "Quan hệ của người đi đăng ký với người được khai sinh", "Mẹ", 0, "/requester_relationship", False
    )
    assert answers[1] == Answer("Thông tin người được khai sinh", "", 0, "/child", True)
    assert Answer("Ngày, tháng, năm sinh", "07/03/2024", 1, "/child/birth_date", False) in answers
    assert Answer("Giới tính", "Nữ", 1, "/child/sex", False) in answers
    # The uiSchema's own words for the boolean (ui:enumNames), not a generic "Không".
    assert answers[-1] == Answer("Đã xác định được cha", "Chưa xác định được cha", 0, "/father_known", False)
    assert [a.pointer for a in answers].index("/child/full_name") < [a.pointer for a in answers].index(
        "/child/birth_date"
    )


def test_answers_for_lists_and_english() -> None:
    definition = json.loads((FORMS / "1.004222.json").read_text(encoding="utf-8"))
    vi = compile_form(definition["schema"], definition["uiSchema"])
    data = {
        "full_name": "Trần Văn An",
        "sex": "nam",
        "members": [{"full_name": "Trần Thị Bình", "sex": "nu"}],
        "new_household": True,
    }
    answers = vi.answers(data)
    assert Answer("Những thành viên trong hộ gia đình cùng thay đổi", "", 0, "/members", True) in answers
    assert Answer("Thành viên 1", "", 1, "/members/0", True) in answers
    assert Answer("Giới tính", "Nữ", 2, "/members/0/sex", False) in answers
    en = compile_form(
        definition["schema"], definition["uiSchema"], translations=definition["translations"], locale="en"
    )
    english = {a.pointer: a for a in en.answers(data)}
    assert english["/full_name"].label == "Full name"
    assert english["/sex"].value == definition["translations"]["en"]["sex.nam"]
    # Translation keys are data paths: the rows' choices have keys of their own ("members.sex.nu").
    assert english["/members/0/sex"].value == definition["translations"]["en"]["members.sex.nu"] == "Female"


def test_answers_for_scalar_lists_multi_choices_and_numbers() -> None:
    schema = {
        "type": "object",
        "properties": {
            "phones": {"type": "array", "title": "Số điện thoại", "items": {"type": "string"}},
            "papers": {
                "type": "array",
                "title": "Giấy tờ",
                "uniqueItems": True,
                "items": {"enum": ["a", "b"]},
            },
            "area": {"type": "number", "title": "Diện tích"},
            "secret": {"type": "string"},
            "note": {"type": "null", "title": "Ghi chú"},
            "empty": {"type": "object", "title": "Trống", "properties": {"x": {"type": "string"}}},
        },
    }
    spec = compile_form(schema, {"papers": {"ui:enumNames": ["Giấy A", "Giấy B"]}, "secret": {"ui:widget": "hidden"}})
    answers = spec.answers(
        {
            "phones": ["0911", "0922"],
            "papers": ["b", "a"],
            "area": 12.5,
            "secret": "x",
            "note": None,
            "empty": {},
        }
    )
    assert [(a.label, a.value) for a in answers] == [
        ("Số điện thoại", "0911; 0922"),
        ("Giấy tờ", "Giấy B, Giấy A"),
        ("Diện tích", "12,5"),
    ]


def test_answers_keep_admin_text_as_plain_text() -> None:
    spec = compile_form({"type": "object", "properties": {"a": {"type": "string", "title": "<b>x</b>"}}})
    assert spec.answers({"a": "<script>"}) == [Answer("<b>x</b>", "<script>", 0, "/a", False)]


# --- the applicant block ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("+84 912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("０９１２３４５６７８", "0912345678"),
        ("(+84) 912-345-678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("0912345678", "0912345678"),
    ],
)
def test_normalise_phone(raw: str, expected: str) -> None:
    assert normalise_phone(raw) == expected


def test_normalise_id_number() -> None:
    assert normalise_id_number(" ０３１ ０８５ ０１２ ３４５ ") == "031085012345"


def test_applicant_schema_accepts_a_normal_applicant_and_rejects_the_rest() -> None:
    spec = compile_form(APPLICANT_SCHEMA, APPLICANT_UI)
    good = {
        "full_name": "Nguyễn Văn An",
        "phone": "0912345678",
        "email": "an@example.vn",
        "id_number": "031085012345",
        "address": "Thôn 3",
    }
    assert spec.validate(good) == []
    found = {
        (e.pointer, e.keyword): e.message
        for e in spec.validate(
            {"phone": "0212345678", "id_number": "０３１０８５０１２３４５", "filed_by": {}, "status": "x"}
        )
    }
    assert found[("/full_name", "required")] == "Nhập họ, chữ đệm và tên"
    assert found[("/phone", "pattern")].startswith("Nhập số điện thoại di động gồm 10 chữ số")
    assert found[("/id_number", "pattern")] == "Nhập số định danh cá nhân gồm 12 chữ số"
    assert ("/filed_by/full_name", "required") in found and ("/filed_by/phone", "required") in found
    assert ("/status", "additionalProperties") in found


def test_applicant_block_renders_with_its_prefix_and_phone_keyboards(render: Any, post: Any) -> None:
    spec = compile_form(APPLICANT_SCHEMA, APPLICANT_UI)
    form = spec.form(prefix="applicant")
    html = render(form)
    assert re.search(r'<input[^>]*type="tel"[^>]*name="applicant-phone"[^>]*autocomplete="tel"', html)
    assert re.search(r'<input[^>]*name="applicant-id_number"[^>]*inputmode="numeric"', html)
    assert re.search(r'<input[^>]*name="applicant-full_name"[^>]*autocomplete="name"', html)
    assert 'name="applicant-filed_by-phone"' in html
    assert 'Người nộp hộ (nếu bạn nộp hồ sơ giúp người khác) <span class="fe-opt">(không bắt buộc)</span>' in html
    posted = MultiDict(
        {"applicant-full_name": "An", "applicant-phone": "0912345678", "applicant-filed_by-full_name": ""}
    )
    assert spec.to_json(spec.form(formdata=posted, prefix="applicant")) == {
        "full_name": "An",
        "phone": "0912345678",
    }


def test_applicant_block_in_english() -> None:
    spec = compile_form(APPLICANT_SCHEMA, APPLICANT_UI, translations=APPLICANT_TRANSLATIONS, locale="en")
    found = {e.pointer: e.message for e in spec.validate({"phone": "1"})}
    assert found == {
        "/full_name": "Enter your full name",
        "/phone": "Enter a 10-digit mobile number, like 0912345678",
    }
    assert spec.title == "Applicant"
