"""Free-form keys (additionalProperties, patternProperties, propertyNames): rows of name + value, and back."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.forms_engine import compile_form

FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"

# A household with its own questions plus whatever extra facts the citizen wants to add (text values).
HOUSEHOLD = {
    "type": "object",
    "title": "Hộ gia đình",
    "properties": {
        "head": {"type": "string", "title": "Chủ hộ"},
        "size": {"type": "integer", "title": "Số người"},
    },
    "required": ["head"],
    "additionalProperties": {"type": "string", "maxLength": 20},
}


def rows(html: str, group: str = "data-__more") -> list[tuple[str, str]]:
    """(name, value) of each rendered row of a group of text values."""
    out = []
    for i in range(int(re.search(rf'name="{group}-count" value="(\d+)"', html)[1])):
        name = re.search(rf'name="{group}-{i}-name"[^>]*value="([^"]*)"', html)
        value = re.search(rf'name="{group}-{i}-value"[^>]*value="([^"]*)"', html)
        out.append((name[1] if name else "", value[1] if value else ""))
    return out


def test_undeclared_keys_render_as_rows_in_data_order(render: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    html = render(spec.form(data={"zeta": "1", "head": "An", "alpha": "2"}))
    assert rows(html) == [("zeta", "1"), ("alpha", "2")]
    assert "Hộ gia đình — mục khác</legend>" in html
    assert ">Tên mục<" in html and ">Giá trị<" in html and ">Thêm mục</button>" in html
    assert 'id="data-__more-0-value" name="data-__more-0-value"' in html and 'maxlength="20"' in html
    assert 'value="head"' not in html  # a declared key is its own question, never a row


def test_a_fresh_form_has_no_rows_and_posts_nothing_extra(render: Any, post: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    html = render(spec.form())
    assert 'name="data-__more-count" value="0"' in html
    assert spec.to_json(spec.form(formdata=post(html))) == {}


def test_rows_post_back_as_keys_after_the_declared_ones_in_row_order(render: Any, post: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    data = {"head": "An", "size": 3, "zeta": "1", "alpha": "2"}
    back = spec.to_json(spec.form(formdata=post(render(spec.form(data=data)))))
    assert back == data
    assert list(back) == ["head", "size", "zeta", "alpha"]
    typed = MultiDict(
        {
            "data-head": "An",
            "data-__more-count": "2",
            "data-__more-0-name": " Nghề nghiệp ",
            "data-__more-0-value": "Nông dân",
            "data-__more-1-name": "Ghi chú",
            "data-__more-1-value": "",
        }
    )
    # Names are trimmed like every answer; a named row without a value is still a key (validation asks).
    assert spec.to_json(spec.form(formdata=typed)) == {"head": "An", "Nghề nghiệp": "Nông dân", "Ghi chú": None}


def test_blank_rows_are_ignored() -> None:
    spec = compile_form(HOUSEHOLD)
    form = spec.form(
        formdata=MultiDict(
            {
                "data-head": "An",
                "data-__more-count": "3",
                "data-__more-0-name": "",
                "data-__more-0-value": "",
                "data-__more-1-name": "a",
                "data-__more-1-value": "x",
            }
        )
    )
    assert spec.to_json(form) == {"head": "An", "a": "x"}
    assert spec.form_errors(form) == []


def test_a_duplicate_name_is_an_error_beside_the_name_and_keeps_what_was_typed(render: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    form = spec.form(
        formdata=MultiDict(
            {
                "data-head": "An",
                "data-__more-count": "2",
                "data-__more-0-name": "a",
                "data-__more-0-value": "first",
                "data-__more-1-name": "a",
                "data-__more-1-value": "second",
            }
        )
    )
    data = spec.to_json(form)
    assert data == {"head": "An", "a": "first"}
    assert spec.validate(data) == []  # the JSON cannot show it: the form must
    problems = spec.form_errors(form)
    assert [(e.pointer, e.message) for e in problems] == [("/__more/1/name", "Tên mục này đã có, hãy đặt tên khác")]
    placed = spec.attach_errors(form, spec.validate(data))
    assert [e.field_id for e in placed] == ["data-__more-1-name"]
    html = render(form)
    assert rows(html) == [("a", "first"), ("a", "second")]
    assert re.search(r'id="data-__more-1-name--error">.*Tên mục này đã có', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*id="data-__more-1-name"', html)
    assert problems[0].field_id == "data-__more-1-name"
    assert '<a href="#data-__more-1-name">Tên mục này đã có' in html


def test_a_declared_name_wins_and_the_row_is_told_so(render: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    form = spec.form(
        formdata=MultiDict(
            {
                "data-head": "An",
                "data-__more-count": "2",
                "data-__more-0-name": "head",
                "data-__more-0-value": "Bình",
                "data-__more-1-name": "",
                "data-__more-1-value": "orphan",
            }
        )
    )
    assert spec.to_json(form) == {"head": "An"}
    placed = spec.attach_errors(form, [])
    assert [(e.field_id, e.message) for e in placed] == [
        ("data-__more-0-name", "Tên mục này đã có trong biểu mẫu, hãy nhập vào ô đó hoặc đặt tên khác"),
        ("data-__more-1-name", "Nhập tên mục, hoặc xoá mục này"),
    ]
    html = render(form)
    assert rows(html) == [("head", "Bình"), ("", "orphan")]


def test_a_schema_error_for_an_extra_key_lands_on_its_value(render: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    data = {"head": "An", "ok": "x", "long": "x" * 25}
    form = spec.form(data=data)
    errors = spec.validate(data, prefix="data")
    assert [(e.pointer, e.keyword, e.field_id) for e in errors] == [("/long", "maxLength", "data-__more-1-value")]
    placed = spec.attach_errors(form, errors)
    assert placed[0].field_id == "data-__more-1-value"
    assert form.engine_extras[0].entries[1].form["value"].errors == ["Nhập tối đa 20 ký tự"]
    assert form.engine_extras[0].entries[1].form["name"].errors == []


def test_a_refused_name_lands_on_the_name_input() -> None:
    schema = {
        "type": "object",
        "propertyNames": {"pattern": "^[a-z]+$", "maxLength": 8},
        "additionalProperties": {"type": "integer"},
    }
    spec = compile_form(schema)
    data = {"good": 1, "Bad": 2}
    errors = spec.validate(data, prefix="data")
    assert [(e.pointer, e.keyword, e.message, e.field_id) for e in errors] == [
        ("/Bad", "propertyNames", "Nhập tên mục đúng định dạng", "data-__more-1-name")
    ]
    form = spec.form(data=data)
    placed = spec.attach_errors(form, errors)
    assert placed[0].field_id == "data-__more-1-name"
    assert form.engine_extras[0].entries[1].form["name"].errors == ["Nhập tên mục đúng định dạng"]
    assert form.engine_extras[0].entries[0].form["name"].input_attrs()["maxlength"] == 8
    too_long = spec.validate({"abcdefghij": 1})
    assert [(e.pointer, e.message) for e in too_long] == [("/abcdefghij", "Nhập tên mục tối đa 8 ký tự")]


def test_a_name_no_pattern_takes_is_an_error_on_the_name_when_the_rest_is_refused() -> None:
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}},
        "patternProperties": {"^x-": {"type": "string"}},
        "additionalProperties": False,
    }
    spec = compile_form(schema)
    form = spec.form(
        formdata=MultiDict(
            {"data-__more-count": "2", "data-__more-0-name": "x-a", "data-__more-0-value": "1"}
            | {"data-__more-1-name": "y", "data-__more-1-value": "2"}
        )
    )
    data = spec.to_json(form)
    assert data == {"x-a": "1"}  # "y" is not a name this group takes: the form says so instead of posting it
    placed = spec.attach_errors(form, spec.validate(data))
    assert [(e.field_id, e.message) for e in placed] == [("data-__more-1-name", "Nhập tên mục đúng định dạng")]
    # Data that reached the server another way (a draft, the API) is refused by the schema, at the name too.
    errors = spec.validate({"x-a": "1", "y": "2"}, prefix="data")
    assert [(e.pointer, e.keyword, e.message) for e in errors] == [
        ("/y", "additionalProperties", "Nhập tên mục đúng định dạng")
    ]


def test_property_names_enum_is_a_select_without_the_declared_names(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"darkMode": {"type": "boolean", "title": "Giao diện tối"}},
        "additionalProperties": {"type": "boolean"},
        "propertyNames": {"enum": ["darkMode", "betaBanner", "telemetry"]},
    }
    spec = compile_form(schema)
    html = render(spec.form(data={"darkMode": True, "telemetry": False}))
    select = re.search(r'<select[^>]*name="data-__more-0-name".*?</select>', html, re.S)[0]
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "betaBanner", "telemetry"]
    assert '<option value="telemetry" selected>' in select
    # a new row offers only the names no row holds yet
    added = render(spec.form(formdata=MultiDict({**post(html), "_action": "add:data-__more"})))
    second = re.search(r'<select[^>]*name="data-__more-1-name".*?</select>', added, re.S)[0]
    assert re.findall(r'<option value="([^"]*)"', second) == ["", "betaBanner"]
    assert spec.to_json(spec.form(formdata=post(html))) == {"darkMode": True, "telemetry": False}
    forged = MultiDict({"data-__more-count": "1", "data-__more-0-name": "other", "data-__more-0-value": "true"})
    form = spec.form(formdata=forged)
    data = spec.to_json(form)
    placed = spec.attach_errors(form, spec.validate(data))
    assert [(e.field_id, e.message) for e in placed] == [("data-__more-0-name", "Chọn một tên mục trong danh sách")]


def test_pattern_properties_value_takes_the_pattern_schema(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "title": "Điểm",
        "patternProperties": {"^mon_": {"type": "integer", "title": "Điểm số"}},
    }
    spec = compile_form(schema)
    html = render(spec.form(data={"mon_toan": 9}))
    assert re.search(r'id="data-__more-0-value"[^>]*type="number"|type="number"[^>]*id="data-__more-0-value"', html)
    assert ">Điểm số<" in html  # the value schema's own title
    form = spec.form(formdata=MultiDict({**post(html), "data-__more-0-value": "10"}))
    assert spec.to_json(form) == {"mon_toan": 10}


def test_patterns_with_different_value_schemas_get_one_group_each(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "title": "Hồ sơ",
        "patternProperties": {
            "^so_": {"type": "integer", "title": "Số lượng"},
            "^ten_": {"type": "string", "title": "Tên gọi"},
        },
        "additionalProperties": {"type": "boolean"},
    }
    spec = compile_form(schema)
    data = {"ten_a": "x", "so_b": 2, "khac": True, "so_c": 3}
    html = render(spec.form(data=data))
    assert "Hồ sơ — Số lượng</legend>" in html and "Hồ sơ — Tên gọi</legend>" in html
    assert "Hồ sơ — mục khác 3</legend>" in html
    assert rows(html, "data-__more") == [("so_b", "2"), ("so_c", "3")]
    assert rows(html, "data-__more_2") == [("ten_a", "x")]
    assert spec.to_json(spec.form(formdata=post(html))) == {"so_b": 2, "so_c": 3, "ten_a": "x", "khac": True}
    wrong = MultiDict({"data-__more_2-count": "1", "data-__more_2-0-name": "so_x", "data-__more_2-0-value": "a"})
    form = spec.form(formdata=wrong)
    assert spec.to_json(form) == {}
    assert [(e.pointer, e.message) for e in spec.form_errors(form)] == [
        ("/__more_2/0/name", "Nhập tên mục đúng định dạng")
    ]


def test_add_and_remove_work_without_javascript(render: Any, post: Any) -> None:
    spec = compile_form(HOUSEHOLD)
    html = render(spec.form(data={"head": "An", "a": "1", "b": "2"}))
    added = spec.form(formdata=post(html, action="add:data-__more"))
    assert added.engine_anchor == "data-__more-2"
    page = render(added)
    assert re.search(r'<input[^>]*id="data-__more-2-name"[^>]*autofocus', page)
    assert spec.to_json(added) == {"head": "An", "a": "1", "b": "2"}  # a new row is blank until typed in
    removed = spec.form(formdata=post(page, action="remove:data-__more-0"))
    assert removed.engine_anchor == "data-__more"
    assert spec.to_json(removed) == {"head": "An", "b": "2"}
    assert rows(render(removed)) == [("b", "2"), ("", "")]


def test_extra_keys_inside_array_rows_and_nested_objects(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "people": {
                "type": "array",
                "title": "Người",
                "items": {
                    "type": "object",
                    "title": "Người",
                    "properties": {"name": {"type": "string", "title": "Tên"}},
                    "additionalProperties": {"type": "integer"},
                },
            }
        },
    }
    spec = compile_form(schema)
    data = {"people": [{"name": "An", "age": 30}, {"name": "Bình"}]}
    html = render(spec.form(data=data))
    assert re.search(r'name="data-people-0-__more-0-name"[^>]*value="age"', html)
    assert spec.to_json(spec.form(formdata=post(html))) == data
    bad = {"people": [{"name": "An", "age": "x"}]}
    form = spec.form(data=bad)
    placed = spec.attach_errors(form, spec.validate(bad, prefix="data"))
    assert [(e.pointer, e.field_id) for e in placed] == [("/people/0/age", "data-people-0-__more-0-value")]
    removed = spec.form(formdata=post(html, action="remove:data-people-0-__more-0"))
    assert spec.to_json(removed) == {"people": [{"name": "An"}, {"name": "Bình"}]}


def test_gated_keys_are_not_rows(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"delivery": {"type": "string", "enum": ["post", "desk"]}},
        "if": {"properties": {"delivery": {"const": "post"}}},
        "then": {"properties": {"address": {"type": "string"}}},
        "additionalProperties": {"type": "string"},
    }
    spec = compile_form(schema)
    data = {"delivery": "desk", "address": "stale", "note": "x"}
    html = render(spec.form(data=data))
    assert rows(html) == [("note", "x")]
    assert spec.to_json(spec.form(formdata=post(html))) == {"delivery": "desk", "note": "x"}


def test_undeclared_keys_are_still_dropped_when_the_schema_allows_none(render: Any, post: Any) -> None:
    for closed in ({"additionalProperties": False}, {}):
        schema = {"type": "object", "properties": {"a": {"type": "string"}}, **closed}
        spec = compile_form(schema)
        html = render(spec.form(data={"a": "x", "sneaky": "y"}))
        assert "__more" not in html and "sneaky" not in html
        assert spec.to_json(spec.form(formdata=post(html))) == {"a": "x"}
        forged = MultiDict({"data-a": "x", "data-__more-count": "1", "data-__more-0-name": "is_admin"})
        assert spec.to_json(spec.form(formdata=forged | {"data-__more-0-value": "true"})) == {"a": "x"}
    assert "__more" not in render(compile_form(HOUSEHOLD, {"ui:options": {"expandable": False}}).form())


def test_procedure_files_get_no_free_form_rows(render: Any) -> None:
    for path in sorted(FORMS.glob("*.json")):
        definition = json.loads(path.read_text(encoding="utf-8"))
        spec = compile_form(definition["schema"], definition.get("uiSchema"))
        html = render(spec.form(data={**spec.defaults(), "zz_undeclared": "x"}))
        assert "__more" not in html, path.name
        assert "zz_undeclared" not in html, path.name


def test_english_labels_come_from_the_engine_text(render: Any) -> None:
    spec = compile_form(HOUSEHOLD, locale="en")
    html = render(spec.form(data={"a": "1"}))
    assert "Hộ gia đình — other entries</legend>" in html
    assert ">Name<" in html and ">Value<" in html and ">Add an entry</button>" in html
    form = spec.form(
        formdata=MultiDict({"data-__more-count": "2", "data-__more-0-name": "a", "data-__more-1-name": "a"})
        | {"data-__more-0-value": "1", "data-__more-1-value": "2"}
    )
    assert [e.message for e in spec.form_errors(form)] == ["This name is already used, choose another"]


def test_answers_show_extra_keys_under_their_own_names() -> None:
    schema = {
        "type": "object",
        "properties": {"head": {"type": "string", "title": "Chủ hộ"}},
        "additionalProperties": {"type": "boolean"},
    }
    spec = compile_form(schema)
    answers = spec.answers({"head": "An", "Có con nhỏ": True, "Hộ nghèo": False})
    assert [(a.label, a.value, a.pointer) for a in answers] == [
        ("Chủ hộ", "An", "/head"),
        ("Có con nhỏ", "Có", "/Có con nhỏ"),
        ("Hộ nghèo", "Không", "/Hộ nghèo"),
    ]


def test_root_extra_keys_are_asked_on_the_last_page_and_kept_on_the_others(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "additionalProperties": {"type": "string"},
    }
    spec = compile_form(schema, {"ui:pages": [{"title": "1", "fields": ["a"]}, {"title": "2", "fields": ["b"]}]})
    data = {"a": "x", "b": "y", "more": "z"}
    first = render(spec.form(data=data, page=0))
    assert "__more" not in first
    assert spec.to_json(spec.form(formdata=post(first), data=data, page=0)) == data
    last = render(spec.form(data=data, page=1))
    assert rows(last) == [("more", "z")]
    assert spec.to_json(spec.form(formdata=post(last), data=data, page=1)) == data


def test_messages_inside_an_extra_value_speak_of_its_fields() -> None:
    schema = {
        "type": "object",
        "additionalProperties": {
            "type": "object",
            "properties": {"phone": {"type": "string", "title": "Số điện thoại"}},
            "required": ["phone"],
        },
    }
    spec = compile_form(schema)
    data = {"Ông An": {}}
    form = spec.form(data=data)
    placed = spec.attach_errors(form, spec.validate(data, prefix="data"))
    assert [(e.pointer, e.message, e.field_id) for e in placed] == [
        ("/Ông An/phone", "Nhập số điện thoại", "data-__more-0-value-phone")
    ]
    typed = compile_form({"type": "object", "additionalProperties": {"type": "integer"}})
    assert [e.message for e in typed.validate({"Tuổi": "x"})] == ["Nhập tuổi là số nguyên, ví dụ 12"]
