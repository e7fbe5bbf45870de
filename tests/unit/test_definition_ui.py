"""check_definition on `uiSchema`: widgets, known and unknown ui: keys, pages."""

from __future__ import annotations

from typing import Any

import pytest

from portal.forms_engine.definition import KNOWN_WIDGETS, WIDGET_ALIASES, Problem, check_definition


def problems_for(ui_schema: Any) -> list[Problem]:
    return check_definition(
        {
            "procedure": {"code": "9.000001", "name": "Thủ tục thử", "processing_days": 1},
            "schema": {"type": "object", "properties": {"a": {"type": "string"}}},
            "uiSchema": ui_schema,
        }
    )


def by_severity(problems: list[Problem], severity: str) -> list[str]:
    return [p.pointer for p in problems if p.severity == severity]


@pytest.mark.parametrize("widget", sorted(KNOWN_WIDGETS))
def test_every_documented_widget_is_accepted(widget: str) -> None:
    assert problems_for({"a": {"ui:widget": widget}}) == []


@pytest.mark.parametrize("widget", sorted(WIDGET_ALIASES))
def test_rjsf_spellings_of_known_widgets_are_accepted(widget: str) -> None:
    assert problems_for({"a": {"ui:widget": widget}}) == []


def test_unknown_widget_is_a_warning_that_names_the_default_input() -> None:
    # the renderer draws the type's default input instead, so the form still works
    problems = problems_for({"a": {"ui:widget": "color"}})
    assert by_severity(problems, "error") == []
    assert by_severity(problems, "warning") == ["/uiSchema/a/ui:widget"]
    assert "kiểu nhập mặc định" in problems[0].message


def test_widget_given_in_ui_options_is_checked_too() -> None:
    problems = problems_for({"a": {"ui:options": {"widget": "RichEditor"}}})
    assert by_severity(problems, "warning") == ["/uiSchema/a/ui:options/widget"]


def test_widget_under_array_items_is_checked() -> None:
    problems = problems_for({"list": {"items": {"name": {"ui:widget": "file"}}}})
    assert by_severity(problems, "warning") == ["/uiSchema/list/items/name/ui:widget"]


def test_a_list_under_items_gives_each_tuple_position_its_ui() -> None:
    problems = problems_for({"pair": {"items": [{"ui:widget": "textarea"}, {"ui:widget": "stars"}]}})
    assert by_severity(problems, "error") == []
    assert by_severity(problems, "warning") == ["/uiSchema/pair/items/1/ui:widget"]


def test_a_tuple_position_that_is_not_an_object_is_an_error() -> None:
    problems = problems_for({"pair": {"items": [{"ui:widget": "textarea"}, "textarea"]}})
    assert by_severity(problems, "error") == ["/uiSchema/pair/items/1"]


def test_unknown_ui_key_is_a_warning() -> None:
    problems = problems_for({"a": {"ui:classNames": "wide"}})
    assert by_severity(problems, "error") == []
    assert by_severity(problems, "warning") == ["/uiSchema/a/ui:classNames"]


def test_react_only_field_is_a_not_supported_warning() -> None:
    problems = problems_for({"a": {"ui:field": "GeoPicker"}})
    assert by_severity(problems, "warning") == ["/uiSchema/a/ui:field"]
    assert "không được hỗ trợ" in problems[0].message


def test_unknown_ui_option_is_a_warning() -> None:
    problems = problems_for({"a": {"ui:options": {"rows": 3, "inline": True, "color": "red"}}})
    assert by_severity(problems, "warning") == ["/uiSchema/a/ui:options/color"]


def test_documented_keys_are_accepted() -> None:
    ui_schema = {
        "ui:order": ["a", "*"],
        "ui:submitButtonOptions": {"submitText": "Nộp hồ sơ"},
        "ui:pages": [{"title": "Trang 1", "fields": ["a"]}],
        "a": {
            "ui:title": "A",
            "ui:description": "d",
            "ui:help": "h",
            "ui:placeholder": "p",
            "ui:autocomplete": "name",
            "ui:inputType": "tel",
            "ui:readonly": False,
            "ui:disabled": False,
            "ui:emptyValue": "",
            "ui:label": True,
            "ui:enumNames": {"x": "X"},
            "ui:enumDisabled": ["x"],
            "ui:errorMessages": {"pattern": "Số CCCD gồm 12 chữ số"},
        },
    }
    assert problems_for(ui_schema) == []


@pytest.mark.parametrize(
    ("ui_schema", "pointer"),
    [
        ({"ui:order": "a"}, "/uiSchema/ui:order"),
        ({"ui:pages": [{"title": "x"}]}, "/uiSchema/ui:pages/0"),
        ({"a": {"ui:errorMessages": {"pattern": 1}}}, "/uiSchema/a/ui:errorMessages"),
        ({"a": "textarea"}, "/uiSchema/a"),
        ({"a": ["textarea"]}, "/uiSchema/a"),
        ([], "/uiSchema"),
    ],
)
def test_shapes_a_renderer_relies_on_are_errors(ui_schema: Any, pointer: str) -> None:
    assert by_severity(problems_for(ui_schema), "error") == [pointer]
