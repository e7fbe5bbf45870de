"""What the macros render (widgets, accessibility, escaping, weight) and how posted inputs become JSON."""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from werkzeug.datastructures import MultiDict

from portal.forms_engine import compile_form

FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"
CSS = Path(__file__).resolve().parents[3] / "portal" / "static" / "css" / "forms.css"
XSS = "<img src=x onerror=alert(1)>"


def tag(html: str, element_id: str) -> str:
    found = re.search(rf'<(input|select|textarea|fieldset)\b[^>]*\bid="{re.escape(element_id)}"[^>]*>', html)
    assert found, f"no element with id {element_id}"
    return found[0]


def one(schema: dict[str, Any], ui: dict[str, Any] | None = None, required: bool = False) -> dict[str, Any]:
    """A one-question form around `schema` (property "q")."""
    return {"type": "object", "required": ["q"] if required else [], "properties": {"q": schema}}


# --- escaping (threat XS-01) -------------------------------------------------------------------------------


def test_admin_text_is_escaped_everywhere(render: Any) -> None:
    schema = {
        "type": "object",
        "title": XSS,
        "required": ["a"],
        "properties": {
            "a": {"type": "string", "title": XSS, "description": XSS, "pattern": "^x$"},
            "b": {"type": "string", "title": XSS, "enum": ["v1", XSS]},
            "c": {"type": "object", "title": XSS, "properties": {"d": {"type": "boolean", "title": XSS}}},
            "e": {"type": "array", "title": XSS, "items": {"type": "string", "title": XSS}, "minItems": 1},
            "f": {
                "type": "string",
                "title": "F",
                "oneOf": [{"const": "a", "title": XSS}, {"const": XSS, "title": "ok"}],
            },
        },
    }
    ui = {
        "a": {"ui:help": XSS, "ui:placeholder": XSS, "ui:errorMessages": {"pattern": XSS}},
        "b": {"ui:enumNames": [XSS, XSS], "ui:widget": "select"},
    }
    spec = compile_form(schema, ui)
    form = spec.form(data={"a": XSS, "b": XSS, "f": XSS})
    spec.attach_errors(form, spec.validate({"a": "y"}, prefix="data"))
    html = render(form)
    assert "<img" not in html
    assert "onerror=alert(1)&gt;" in html or "onerror=alert(1)&#62;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


# --- structure and accessibility ---------------------------------------------------------------------------


def test_birth_registration_page_is_accessible_and_light(render: Any, ids: Any) -> None:
    definition = json.loads((FORMS / "1.001193.json").read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition["uiSchema"])
    form = spec.form()
    html = render(form)
    page_ids = ids(html)
    assert len(page_ids) == len(set(page_ids)), "ids must be unique"
    for target in re.findall(r'\bfor="([^"]+)"', html):
        assert target in page_ids
    for described in re.findall(r'aria-describedby="([^"]+)"', html):
        assert all(part in page_ids for part in described.split())
    # Every input a citizen types into has a label.
    for element in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in element:
            continue
        element_id = re.search(r'\bid="([^"]+)"', element)
        assert element_id and f'for="{element_id[1]}"' in html, element
    assert '<fieldset class="fe-group fe-fieldset" id="data-child">' in html
    assert "<legend" in html
    assert spec.submit_text == "Nộp hồ sơ đăng ký khai sinh"
    weight = len(gzip.compress((html + CSS.read_text(encoding="utf-8")).encode("utf-8")))
    assert weight < 12_000, weight  # the whole page budget is 30 KB gzip


def test_field_names_nest_with_the_prefix() -> None:
    schema = {
        "type": "object",
        "properties": {
            "child": {"type": "object", "properties": {"full_name": {"type": "string"}}},
            "members": {
                "type": "array",
                "items": {"type": "object", "properties": {"name": {"type": "string"}}},
            },
        },
    }
    spec = compile_form(schema)
    form = spec.form(data={"child": {"full_name": "An"}, "members": [{"name": "Bình"}]}, prefix="data")
    assert form.child.form.full_name.name == "data-child-full_name"
    assert form.members.entries[0].form.name.name == "data-members-0-name"
    applicant = spec.form(prefix="applicant")
    assert applicant.child.form.full_name.id == "applicant-child-full_name"


def test_awkward_property_names_get_safe_html_names_and_round_trip(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "Họ tên": {"type": "string"},
            "data": {"type": "string"},
            "errors": {"type": "string"},
            "ho_ten": {"type": "string"},
            "1st": {"type": "string"},
            "a-b": {"type": "string"},
            "_x": {"type": "string"},
        },
    }
    spec = compile_form(schema)
    data = {key: f"v{i}" for i, key in enumerate(schema["properties"])}
    html = render(spec.form(data=data))
    names = set(re.findall(r'name="([^"]+)"', html))
    assert all(re.fullmatch(r"data-[A-Za-z][A-Za-z0-9_]*", n) for n in names), names
    assert len(names) == len(data)
    assert spec.to_json(spec.form(formdata=post(html))) == data


def test_optional_fields_are_marked_and_required_ones_are_not(render: Any) -> None:
    schema = {
        "type": "object",
        "required": ["a"],
        "properties": {"a": {"type": "string", "title": "A"}, "b": {"type": "string", "title": "B"}},
    }
    vi = render(compile_form(schema).form())
    assert 'for="data-a">A</label>' in vi
    assert 'for="data-b">B <span class="fe-opt">(không bắt buộc)</span></label>' in vi
    en = render(compile_form(schema, locale="en").form())
    assert "(optional)" in en and "không bắt buộc" not in en


def test_conditional_then_fields_render_without_an_optional_mark(render: Any) -> None:
    definition = json.loads((FORMS / "1.001193.json").read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition["uiSchema"])
    html = render(spec.form())
    assert 'id="data-father"' in html
    legend = re.search(r'id="data-father"[^>]*>\s*<legend[^>]*>(.*?)</legend>', html)
    assert legend and "không bắt buộc" not in legend[1]


@pytest.mark.parametrize(
    ("schema", "ui", "expected"),
    [
        ({"type": "string", "enum": list("abcdef")}, {}, 'type="radio"'),
        ({"type": "string", "enum": list("abcdefg")}, {}, "<select"),
        ({"type": "string", "enum": list("abcdefg")}, {"ui:widget": "radio"}, 'type="radio"'),
        ({"type": "string", "enum": ["a"]}, {"ui:widget": "select"}, "<select"),
        ({"type": "boolean"}, {}, 'value="true"'),
        ({"type": "boolean"}, {"ui:widget": "checkbox"}, 'type="checkbox"'),
        ({"type": "boolean"}, {"ui:widget": "select"}, "<select"),
        ({"type": "string"}, {"ui:widget": "textarea", "ui:options": {"rows": 3}}, 'rows="3"'),
        ({"type": "string"}, {"ui:widget": "password"}, 'type="password"'),
        ({"type": "string", "format": "email"}, {}, 'type="email"'),
        ({"type": "string", "format": "uri"}, {}, 'type="url"'),
        ({"type": "string"}, {"ui:widget": "tel"}, 'type="tel"'),
        ({"type": "string"}, {"ui:inputType": "tel"}, 'type="tel"'),
        ({"type": "string"}, {"ui:options": {"inputType": "numeric"}}, 'inputmode="numeric"'),
        ({"type": "string"}, {"ui:autocomplete": "bday"}, 'autocomplete="bday"'),
        ({"type": "string"}, {"ui:widget": "hidden"}, 'type="hidden"'),
        ({"type": "string", "format": "date"}, {}, 'type="date"'),
        ({"type": "string", "format": "date-time"}, {}, 'type="datetime-local"'),
        ({"type": "string", "format": "time"}, {}, 'type="time"'),
        ({"type": "string", "format": "date"}, {"ui:widget": "alt-date"}, 'id="data-q-year"'),
        ({"type": "string", "maxLength": 12}, {}, 'maxlength="12"'),
        (
            {"type": "integer", "minimum": 1, "maximum": 50},
            {"ui:widget": "updown"},
            'type="number" id="data-q" name="data-q" step="1" min="1" max="50"',
        ),
        ({"type": "integer", "exclusiveMinimum": 0, "exclusiveMaximum": 10}, {}, 'min="1" max="9"'),
        ({"type": "number", "multipleOf": 0.5}, {}, 'step="0.5"'),
        ({"type": "number"}, {}, 'step="any"'),
        ({"type": "integer", "minimum": 0, "maximum": 100}, {"ui:widget": "range"}, 'type="range"'),
        ({"type": "string", "title": "Q"}, {"ui:label": False}, 'class="fe-label fe-vh"'),
        ({"type": "string", "title": "Q"}, {"ui:title": "Tiêu đề khác"}, ">Tiêu đề khác"),
        ({"type": "string"}, {"ui:description": "Mô tả", "ui:help": "Gợi ý"}, "<p>Mô tả</p><p>Gợi ý</p>"),
        ({"type": "string"}, {"ui:placeholder": "Ví dụ"}, 'placeholder="Ví dụ"'),
        ({"type": "string", "enum": ["a", "b"]}, {"ui:options": {"inline": True}}, "fe-choices--inline"),
        ({"type": "string", "enum": ["a", "b"]}, {"ui:enumNames": {"a": "Một", "b": "Hai"}}, ">Hai</label>"),
        (
            {"type": "array", "uniqueItems": True, "items": {"type": "string", "enum": ["a", "b"]}},
            {},
            'type="checkbox"',
        ),
        (
            {"type": "null", "title": "Lưu ý", "description": "Chỉ để đọc"},
            {},
            '<p class="fe-note__title">Lưu ý</p>',
        ),
    ],
)
def test_widgets(schema: dict[str, Any], ui: dict[str, Any], expected: str, render: Any) -> None:
    html = render(compile_form(one(schema), {"q": ui}).form())
    assert expected in html


def test_enum_disabled_values_are_shown_but_not_accepted(render: Any) -> None:
    spec = compile_form(one({"type": "string", "enum": ["a", "b"]}), {"q": {"ui:enumDisabled": ["b"]}})
    html = render(spec.form())
    assert re.search(r'value="b" disabled', html)
    assert spec.to_json(spec.form(formdata=MultiDict({"data-q": "b"}))) == {}
    assert spec.to_json(spec.form(formdata=MultiDict({"data-q": "a"}))) == {"q": "a"}


def test_readonly_and_disabled_fields_ignore_what_is_posted(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "fee": {"type": "integer", "title": "Lệ phí", "readOnly": True, "default": 8000},
            "office": {"type": "string", "default": "UBND xã"},
            "code": {"type": "string"},
            "agree": {"type": "boolean", "default": True},
        },
    }
    ui = {"office": {"ui:readonly": True}, "code": {"ui:disabled": True}, "agree": {"ui:disabled": True}}
    spec = compile_form(schema, ui)
    html = render(spec.form(data={"fee": 8000, "office": "UBND xã", "code": "A1"}))
    assert "readonly" in tag(html, "data-fee") and "disabled" in tag(html, "data-code")
    forged = MultiDict({"data-fee": "0", "data-office": "khác", "data-code": "ZZ", "data-agree": "false"})
    assert spec.to_json(spec.form(formdata=forged)) == {"fee": 8000, "office": "UBND xã", "agree": True}
    assert spec.to_json(spec.form(formdata=forged, data={"code": "A1"})) == {
        "fee": 8000,
        "office": "UBND xã",
        "code": "A1",
        "agree": True,
    }


def test_prefill_data_is_ignored_for_editable_fields_when_a_post_arrives() -> None:
    spec = compile_form(one({"type": "string"}))
    assert spec.to_json(spec.form(formdata=MultiDict({"data-q": "mới"}), data={"q": "cũ"})) == {"q": "mới"}
    assert spec.to_json(spec.form(formdata=MultiDict({"data-q": ""}), data={"q": "cũ"})) == {}


def test_ui_order_with_star(render: Any) -> None:
    schema = {"type": "object", "properties": {k: {"type": "string", "title": k.upper()} for k in "abcde"}}
    html = render(compile_form(schema, {"ui:order": ["e", "*", "a"]}).form())
    assert [m for m in re.findall(r'name="data-(\w)"', html)] == ["e", "b", "c", "d", "a"]


def test_title_description_and_submit_text() -> None:
    spec = compile_form(
        {"type": "object", "title": "Tờ khai", "description": "Điền đủ"},
        {"ui:submitButtonOptions": {"submitText": "Nộp"}},
    )
    assert (spec.title, spec.description, spec.submit_text) == ("Tờ khai", "Điền đủ", "Nộp")
    assert compile_form({"type": "object"}, locale="en").submit_text == "Continue"


def test_recursive_ref_stops_at_a_depth_limit(render: Any) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "definitions": {
            "node": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "left": {"$ref": "#/definitions/node"},
                    "right": {"$ref": "#/definitions/node"},
                },
            }
        },
        "type": "object",
        "properties": {"tree": {"$ref": "#/definitions/node"}},
    }
    html = render(compile_form(schema).form())
    depth = max(name.count("-") for name in re.findall(r'name="([^"]+)"', html))
    assert 3 <= depth <= 7
    assert len(html) < 200_000


# --- posted inputs -> JSON ---------------------------------------------------------------------------------


def test_text_is_trimmed_and_nfc_normalised() -> None:
    spec = compile_form(one({"type": "string", "maxLength": 6}), {"q": {"ui:widget": "textarea"}})
    nfd = unicodedata.normalize("NFD", "Nguyễn")
    assert len(nfd) == 8
    data = spec.to_json(spec.form(formdata=MultiDict({"data-q": f"  {nfd}\r\n"})))
    assert data == {"q": "Nguyễn"} and len(data["q"]) == 6
    assert spec.validate(data) == []  # maxLength counts the NFC form
    lines = spec.to_json(spec.form(formdata=MultiDict({"data-q": "a\r\nb"})))
    assert lines == {"q": "a\nb"}


@pytest.mark.parametrize(
    ("schema", "posted", "expected"),
    [
        ({"type": "integer"}, "42", 42),
        ({"type": "integer"}, " ４２ ", 42),
        ({"type": "integer"}, "42.0", 42),
        ({"type": "integer"}, "4.5", "4.5"),
        ({"type": "integer"}, "hai", "hai"),
        ({"type": "number"}, "3,5", 3.5),
        ({"type": "number"}, "3.25", 3.25),
        ({"type": "number"}, "1e400", "1e400"),
        ({"type": "number"}, "nan", "nan"),
        ({"type": ["integer", "null"]}, "7", 7),
        ({"type": "string"}, "007", "007"),
        ({"type": "boolean"}, "true", True),
        ({"type": "boolean"}, "false", False),
        ({"type": "string", "enum": ["a", "b"]}, "z", "z"),
        ({"type": "integer", "enum": [1, 2]}, "2", 2),
        ({"type": "string", "format": "date"}, "27/3/1985", "1985-03-27"),
        ({"type": "string", "format": "date"}, "1985-03-27", "1985-03-27"),
    ],
)
def test_posted_values_are_typed_by_the_schema(schema: dict[str, Any], posted: str, expected: Any) -> None:
    spec = compile_form(one(schema))
    got = spec.to_json(spec.form(formdata=MultiDict({"data-q": posted})))["q"]
    assert got == expected and type(got) is type(expected)


def test_integer_with_too_many_digits_stays_text_instead_of_crashing() -> None:
    spec = compile_form(one({"type": "integer"}))
    data = spec.to_json(spec.form(formdata=MultiDict({"data-q": "9" * 5000})))
    assert isinstance(data["q"], str)
    assert [e.keyword for e in spec.validate(data)] == ["type"]


def test_empty_inputs_are_absent_or_their_empty_value() -> None:
    schema = {
        "type": "object",
        "properties": {
            "a": {"type": "string"},
            "b": {"type": ["integer", "null"]},
            "c": {"type": "string"},
            "d": {"type": "object", "properties": {"e": {"type": "string"}}},
        },
    }
    spec = compile_form(schema, {"b": {"ui:emptyValue": None}, "c": {"ui:emptyValue": ""}})
    posted = MultiDict({"data-a": "  ", "data-b": "", "data-c": "", "data-d-e": ""})
    assert spec.to_json(spec.form(formdata=posted)) == {"b": None, "c": ""}


def test_required_empty_nested_object_stays_so_its_fields_can_be_reported() -> None:
    schema = {
        "type": "object",
        "required": ["d"],
        "properties": {"d": {"type": "object", "required": ["e"], "properties": {"e": {"type": "string"}}}},
    }
    spec = compile_form(schema)
    data = spec.to_json(spec.form(formdata=MultiDict({"data-d-e": ""})))
    assert data == {"d": {}}
    assert [e.pointer for e in spec.validate(data)] == ["/d/e"]


def test_booleans_radios_leave_unanswered_absent_but_a_checkbox_means_false() -> None:
    schema = {
        "type": "object",
        "properties": {
            "radio": {"type": "boolean"},
            "box": {"type": "boolean"},
            "consent": {"type": "boolean", "const": True},
        },
    }
    spec = compile_form(schema, {"box": {"ui:widget": "checkbox"}})
    assert spec.root.child("consent").widget == "checkbox"  # type: ignore[union-attr]
    assert spec.to_json(spec.form(formdata=MultiDict({"data-x": ""}))) == {"box": False}
    ticked = MultiDict({"data-radio": "false", "data-box": "true", "data-consent": "true"})
    assert spec.to_json(spec.form(formdata=ticked)) == {"radio": False, "box": True, "consent": True}


def test_alt_date_three_boxes(render: Any) -> None:
    spec = compile_form(
        one({"type": "string", "format": "date", "title": "Ngày sinh"}, required=True),
        {"q": {"ui:widget": "alt-date", "ui:autocomplete": "bday"}},
    )
    good = MultiDict({"data-q-day": "7", "data-q-month": "3", "data-q-year": "1985"})
    assert spec.to_json(spec.form(formdata=good)) == {"q": "1985-03-07"}
    assert spec.to_json(spec.form(formdata=MultiDict({"data-q-day": "", "data-q-month": "", "data-q-year": ""}))) == {}
    for day, month, year in (("31", "2", "2024"), ("7", "", "1985"), ("7", "3", "85"), ("a", "3", "1985")):
        form = spec.form(formdata=MultiDict({"data-q-day": day, "data-q-month": month, "data-q-year": year}))
        data = spec.to_json(form)
        found = spec.validate(data, prefix="data")
        assert [(e.keyword, e.field_id) for e in found] == [("format", "data-q-day")], (day, month, year)
        assert found[0].message == "Ngày không hợp lệ, nhập theo dạng ngày/tháng/năm"
        spec.attach_errors(form, found)
        html = render(form)
        assert f'name="data-q-day" id="data-q-day" value="{day}"' in html  # what was typed comes back
    html = render(spec.form(data={"q": "1985-03-07"}))
    assert 'autocomplete="bday-day"' in html and 'value="1985"' in html and "Ngày</label>" in html


def test_date_time_and_time_keep_their_offset(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "at": {"type": "string", "format": "date-time"},
            "t": {"type": "string", "format": "time"},
        },
    }
    spec = compile_form(schema)
    data = {"at": "2024-05-01T08:30:00Z", "t": "07:45:10+07:00"}
    assert spec.to_json(spec.form(formdata=post(render(spec.form(data=data))))) == data
    typed = spec.to_json(spec.form(formdata=MultiDict({"data-at": "2024-05-01T08:30", "data-t": "07:45"})))
    assert typed == {"at": "2024-05-01T08:30:00+07:00", "t": "07:45:00+07:00"}
    assert spec.validate(typed) == []
