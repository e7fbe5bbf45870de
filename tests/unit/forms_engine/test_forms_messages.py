"""Error messages: where they point, whose words they use, and how they reach the page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from portal.forms_engine import FieldError, compile_form

FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"
SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "rjsf-samples"

PERSON = {
    "type": "object",
    "required": ["child", "copies"],
    "properties": {
        "child": {
            "type": "object",
            "title": "Thông tin người được khai sinh",
            "required": ["full_name", "sex", "birth_date"],
            "properties": {
                "full_name": {
                    "type": "string",
                    "title": "Họ, chữ đệm và tên",
                    "minLength": 2,
                    "maxLength": 100,
                },
                "sex": {
                    "type": "string",
                    "title": "Giới tính",
                    "oneOf": [{"const": "nam", "title": "Nam"}, {"const": "nu", "title": "Nữ"}],
                },
                "birth_date": {"type": "string", "format": "date", "title": "Ngày sinh"},
                "id_number": {"type": "string", "title": "Số định danh cá nhân", "pattern": "^[0-9]{12}$"},
            },
        },
        "copies": {"type": "integer", "title": "Số bản sao", "minimum": 1, "maximum": 1000},
        "email": {"type": "string", "format": "email", "title": "Email"},
    },
}


def by_pointer(found: list[FieldError]) -> dict[str, FieldError]:
    return {e.pointer: e for e in found}


def test_required_points_at_the_missing_field_not_its_parent() -> None:
    spec = compile_form(PERSON)
    assert [(e.pointer, e.keyword) for e in spec.validate({"child": {}})] == [
        ("/child/full_name", "required"),
        ("/child/sex", "required"),
        ("/child/birth_date", "required"),
        ("/copies", "required"),
    ]


def test_default_messages_say_what_to_do_in_the_fields_own_words() -> None:
    spec = compile_form(PERSON)
    found = by_pointer(
        spec.validate(
            {
                "child": {"full_name": "A", "birth_date": "2024-02-30", "id_number": "123"},
                "copies": 0,
                "email": "x",
            }
        )
    )
    assert found["/child/full_name"].message == "Nhập tối thiểu 2 ký tự"
    assert found["/child/sex"].message == "Chọn giới tính"
    assert found["/child/birth_date"].message == "Ngày không hợp lệ, nhập theo dạng ngày/tháng/năm"
    assert found["/child/id_number"].message == "Nhập số định danh cá nhân đúng định dạng"
    assert found["/copies"].message == "Nhập số từ 1 trở lên"
    assert found["/email"].message.startswith("Nhập địa chỉ email đúng dạng")
    assert compile_form(PERSON).validate({"child": {}, "copies": 5000})[-1].message == "Nhập số không lớn hơn 1.000"
    assert by_pointer(spec.validate({}))["/child"].message == "Nhập thông tin người được khai sinh"


def test_type_errors_for_unparseable_numbers_ask_for_a_number() -> None:
    spec = compile_form(PERSON)
    form = spec.form(formdata=MultiDict({"data-copies": "hai"}))
    data = spec.to_json(form)
    assert data["copies"] == "hai"  # kept as typed, so the citizen sees it again with the message
    assert by_pointer(spec.validate(data))["/copies"].message == "Nhập số bản sao là số nguyên, ví dụ 12"


def test_ui_error_messages_win_over_defaults() -> None:
    ui = {"child": {"id_number": {"ui:errorMessages": {"pattern": "Số định danh cá nhân gồm 12 chữ số"}}}}
    spec = compile_form(PERSON, ui)
    found = by_pointer(
        spec.validate(
            {
                "child": {"full_name": "An", "sex": "nam", "birth_date": "2020-01-01", "id_number": "1"},
                "copies": 1,
            }
        )
    )
    assert found["/child/id_number"].message == "Số định danh cá nhân gồm 12 chữ số"


def test_ui_error_messages_for_required_are_read_at_the_missing_field() -> None:
    definition = json.loads((FORMS / "1.001193.json").read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition["uiSchema"])
    found = by_pointer(spec.validate({"child": {}}))
    assert found["/child/full_name"].message == "Nhập họ, chữ đệm và tên của trẻ"
    assert found["/child/sex"].message == "Chọn giới tính của trẻ"


def test_translations_then_defaults_in_english() -> None:
    translations = {
        "en": {
            "child.full_name.label": "Child's full name",
            "child.full_name.error.required": "Enter the child's name",
            "child.sex.label": "Sex",
            "copies.label": "Number of copies",
        }
    }
    spec = compile_form(PERSON, translations=translations, locale="en")
    found = by_pointer(spec.validate({"child": {"birth_date": "2024-02-30"}, "copies": 0}))
    assert found["/child/full_name"].message == "Enter the child's name"
    assert found["/child/sex"].message == "Select sex"
    assert found["/child/birth_date"].message == "Date is not valid, enter it as day/month/year"
    assert found["/copies"].message == "Enter a number of 1 or more"


def test_english_page_prefers_the_translation_over_vietnamese_ui_error_messages() -> None:
    ui = {"copies": {"ui:errorMessages": {"minimum": "Cần ít nhất 1 bản sao"}}}
    vi = compile_form(PERSON, ui)
    en = compile_form(PERSON, ui, translations={"en": {"copies.error.minimum": "Ask for at least 1 copy"}}, locale="en")
    only_ui = compile_form(PERSON, ui, locale="en")
    data = {"child": {"full_name": "An", "sex": "nam", "birth_date": "2020-01-01"}, "copies": 0}
    assert [e.message for e in vi.validate(data)] == ["Cần ít nhất 1 bản sao"]
    assert [e.message for e in en.validate(data)] == ["Ask for at least 1 copy"]
    assert [e.message for e in only_ui.validate(data)] == ["Cần ít nhất 1 bản sao"]


_MACHINE_WORDS = re.compile(
    r"is a required property|does not match|is not of type|is not a '"
    r"|\^|\$|\\d|\[0-9\]|\{\d|Failed|None|ValidationError"
)


def test_no_message_shows_a_regex_or_a_python_message() -> None:
    sample = json.loads((SAMPLES / "errors.json").read_text(encoding="utf-8"))
    for locale in ("vi", "en"):
        spec = compile_form(
            {"$schema": "http://json-schema.org/draft-07/schema#", **sample["schema"]},
            sample["uiSchema"],
            locale=locale,
        )
        found = spec.validate(sample["formData"])
        assert {e.keyword for e in found} >= {"minLength", "pattern", "type", "maxItems"}
        for error in found:
            assert not _MACHINE_WORDS.search(error.message), error
    for path in sorted(FORMS.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        spec = compile_form(definition["schema"], definition.get("uiSchema"))
        bad = {
            "child": {"birth_date": "x", "full_name": 1},
            "id_number": "０１２３４５６７８９０１",
            "phone": "+84 9",
            "copies": "x",
            "members": [{}],
        }
        for error in spec.validate(bad):
            assert not _MACHINE_WORDS.search(error.message), error


def test_errors_sample_messages_in_vietnamese() -> None:
    sample = json.loads((SAMPLES / "errors.json").read_text(encoding="utf-8"))
    spec = compile_form({"$schema": "http://json-schema.org/draft-07/schema#", **sample["schema"]}, sample["uiSchema"])
    found = [(e.pointer, e.keyword, e.message) for e in spec.validate(sample["formData"])]
    assert ("/firstName", "minLength", "Nhập tối thiểu 8 ký tự") in found
    assert ("/active", "type", "Chọn Có hoặc Không") in found
    assert ("/skills/1", "minLength", "Nhập tối thiểu 5 ký tự") in found
    assert ("/multipleChoicesList", "maxItems", "Chọn nhiều nhất 2 lựa chọn") in found


def test_attach_errors_puts_messages_on_fields_and_ids_match_the_page(render: Any, ids: Any) -> None:
    spec = compile_form(PERSON, {"child": {"birth_date": {"ui:widget": "alt-date"}}})
    form = spec.form(formdata=MultiDict({"data-child-full_name": "A", "data-copies": "0"}))
    found = spec.validate(spec.to_json(form), prefix="data")
    placed = spec.attach_errors(form, found)
    assert placed is form.engine_errors
    assert form.child.form.full_name.errors == ["Nhập tối thiểu 2 ký tự"]
    assert form.copies.errors == ["Nhập số từ 1 trở lên"]
    expected_ids = {
        "/child/full_name": "data-child-full_name",
        "/child/sex": "data-child-sex-0",
        "/child/birth_date": "data-child-birth_date-day",
        "/copies": "data-copies",
    }
    assert {e.pointer: e.field_id for e in placed} == expected_ids
    # validate(prefix=...) computes the same ids without a form.
    assert {e.pointer: e.field_id for e in found} == expected_ids
    html = render(form)
    page_ids = ids(html)
    for error in placed:
        assert error.field_id in page_ids
        assert f'href="#{error.field_id}"' in html
    assert 'role="alert"' in html
    assert 'aria-invalid="true"' in html
    full_name = re.search(r'<input[^>]*id="data-child-full_name"[^>]*>', html)
    assert full_name and 'aria-invalid="true"' in full_name[0]
    assert 'aria-describedby="data-child-full_name--error"' in full_name[0]
    # The message comes before the input it is about.
    assert html.index('id="data-child-full_name--error"') < html.index('id="data-child-full_name"')


def test_errors_for_rows_land_on_the_row(render: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "members": {
                "type": "array",
                "title": "Thành viên",
                "items": {
                    "type": "object",
                    "title": "Thành viên",
                    "required": ["name"],
                    "properties": {"name": {"type": "string", "title": "Họ tên"}},
                },
            }
        },
    }
    spec = compile_form(schema)
    form = spec.form(formdata=MultiDict({"data-members-count": "2", "data-members-0-name": "An"}))
    data = spec.to_json(form)
    assert data == {"members": [{"name": "An"}, {}]}
    placed = spec.attach_errors(form, spec.validate(data))
    assert [(e.pointer, e.field_id, e.message) for e in placed] == [
        ("/members/1/name", "data-members-1-name", "Nhập họ tên")
    ]
    assert form.members.entries[1].form.name.errors == ["Nhập họ tên"]


def test_errors_outside_any_field_still_reach_the_summary(render: Any) -> None:
    spec = compile_form(
        {
            "type": "object",
            "properties": {"a": {"type": "string", "title": "A"}},
            "additionalProperties": False,
        }
    )
    form = spec.form(data={})
    placed = spec.attach_errors(form, spec.validate({"a": "x", "zzz": 1}, prefix="data"))
    assert [(e.pointer, e.keyword) for e in placed] == [("/zzz", "additionalProperties")]
    assert placed[0].field_id == "data-a"  # nothing to mark: the summary links to the first question
    assert "Thông tin này không thuộc biểu mẫu" in render(form)


def test_field_errors_are_frozen_and_compare_by_content() -> None:
    error = FieldError("/a", "required", "Nhập a")
    with pytest.raises(AttributeError):
        error.message = "x"  # type: ignore[misc]
    assert error == FieldError("/a", "required", "Nhập a", field_id="data-a")
