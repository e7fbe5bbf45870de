"""Repeatable groups: add/remove buttons that post the page and come back to the same place."""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.forms_engine import compile_form

MEMBERS = {
    "type": "object",
    "properties": {
        "members": {
            "type": "array",
            "title": "Thành viên",
            "minItems": 1,
            "maxItems": 3,
            "items": {
                "type": "object",
                "title": "Thành viên",
                "properties": {
                    "name": {"type": "string", "title": "Họ tên"},
                    "role": {"type": "string", "title": "Quan hệ", "default": "con"},
                    "phones": {"type": "array", "title": "Số điện thoại", "items": {"type": "string"}},
                },
            },
        }
    },
}


def press(spec: Any, html: str, post: Any, action: str) -> Any:
    return spec.form(formdata=post(html, action=action))


def test_add_appends_a_row_with_defaults_and_focuses_it(render: Any, post: Any) -> None:
    spec = compile_form(MEMBERS)
    html = render(spec.form(data={"members": [{"name": "An", "role": "vo"}]}))
    assert html.count('value="add:data-members"') == 1
    assert "formnovalidate" in html and '<button type="submit"' in html
    form = press(spec, html, post, "add:data-members")
    assert form.engine_action == "add:data-members"
    assert form.engine_anchor == "data-members-1"
    assert spec.to_json(form) == {"members": [{"name": "An", "role": "vo"}, {"role": "con"}]}
    page = render(form)
    assert re.search(r'<input[^>]*id="data-members-1-name"[^>]*autofocus', page)
    assert len(re.findall(r"\sautofocus", page)) == 1
    assert 'name="data-members-count" value="2"' in page


def test_plain_submit_has_no_engine_action(render: Any, post: Any) -> None:
    spec = compile_form(MEMBERS)
    form = spec.form(formdata=post(render(spec.form())))
    assert form.engine_action is None and form.engine_anchor is None


def test_remove_drops_the_row_and_renumbers_the_rest(render: Any, post: Any) -> None:
    spec = compile_form(MEMBERS)
    data = {
        "members": [
            {"name": "An", "phones": ["0911"]},
            {"name": "Bình", "phones": ["0922", "0933"]},
            {"name": "Chi"},
        ]
    }
    html = render(spec.form(data=data))
    form = press(spec, html, post, "remove:data-members-0")
    assert form.engine_action == "remove:data-members-0"
    assert form.engine_anchor == "data-members"
    assert spec.to_json(form) == {"members": [{"name": "Bình", "phones": ["0922", "0933"]}, {"name": "Chi"}]}
    page = render(form)
    assert 'id="data-members-1-name"' in page and 'id="data-members-2-name"' not in page
    assert re.search(r'id="data-members--add"[^>]*autofocus', page)


def test_nested_rows_have_their_own_buttons(render: Any, post: Any) -> None:
    spec = compile_form(MEMBERS)
    html = render(spec.form(data={"members": [{"name": "An", "phones": ["0911", "0922"]}]}))
    assert 'value="remove:data-members-0-phones-1"' in html
    form = press(spec, html, post, "remove:data-members-0-phones-0")
    assert spec.to_json(form) == {"members": [{"name": "An", "phones": ["0922"]}]}
    form = press(spec, render(form), post, "add:data-members-0-phones")
    assert form.engine_anchor == "data-members-0-phones-1"
    assert spec.to_json(form)["members"][0]["phones"] == ["0922", None]


def test_min_and_max_items_limit_the_buttons_and_forged_posts(render: Any, post: Any) -> None:
    spec = compile_form(MEMBERS)
    one_row = render(spec.form(data={"members": [{"name": "An"}]}))
    assert "remove:data-members-0" not in one_row  # minItems 1
    forged = press(spec, one_row, post, "remove:data-members-0")
    assert spec.to_json(forged) == {"members": [{"name": "An"}]}
    assert len(forged.members.entries) == 1
    full = render(spec.form(data={"members": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}))
    assert 'value="add:data-members"' not in full  # maxItems 3
    assert len(press(spec, full, post, "add:data-members").members.entries) == 3


def test_addable_and_removable_options(render: Any) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}}
    fixed = render(
        compile_form(schema, {"a": {"ui:options": {"addable": False, "removable": False}}}).form(data={"a": ["x"]})
    )
    assert "_action" not in fixed
    open_list = render(compile_form(schema).form(data={"a": ["x"]}))
    assert "add:data-a" in open_list and "remove:data-a-0" in open_list


def test_a_forged_row_count_is_capped() -> None:
    spec = compile_form({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}})
    form = spec.form(formdata=MultiDict({"data-a-count": "9999", "data-a-0": "x"}))
    assert len(form.a.entries) <= 500


def test_rows_without_a_count_are_read_from_their_names() -> None:
    spec = compile_form({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "string"}}}})
    form = spec.form(formdata=MultiDict({"data-a-0": "x", "data-a-2": "z"}))
    assert spec.to_json(form) == {"a": ["x", None, "z"]}


def test_untouched_rows_of_an_optional_list_mean_no_answer(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "array", "minItems": 2, "items": {"type": "string"}}},
    }
    spec = compile_form(schema)
    html = render(spec.form())
    assert html.count('name="data-a-') == 3  # two rows and the count
    assert spec.to_json(spec.form(formdata=post(html))) == {}


def test_unknown_or_malformed_actions_do_nothing_but_are_still_not_a_submit(render: Any, post: Any) -> None:
    spec = compile_form(MEMBERS)
    html = render(spec.form(data={"members": [{"name": "An"}]}))
    for action in (
        "add:data-nothing",
        "remove:data-members-x",
        "delete:data-members-0",
        "remove:other-members-0",
    ):
        form = press(spec, html, post, action)
        assert form.engine_action == action
        assert spec.to_json(form) == {"members": [{"name": "An"}]}


def test_array_of_enums_with_unique_items_is_checkboxes(render: Any, post: Any) -> None:
    schema = {
        "type": "object",
        "properties": {
            "papers": {
                "type": "array",
                "uniqueItems": True,
                "title": "Giấy tờ",
                "items": {
                    "type": "string",
                    "oneOf": [{"const": "cccd", "title": "Căn cước"}, {"const": "hk", "title": "Hộ khẩu"}],
                },
            }
        },
    }
    spec = compile_form(schema)
    html = render(spec.form(data={"papers": ["hk"]}))
    assert html.count('type="checkbox"') == 2
    assert 'value="hk" checked' in html and ">Căn cước</label>" in html
    assert spec.to_json(spec.form(formdata=post(html))) == {"papers": ["hk"]}
    both = MultiDict([("data-papers", "cccd"), ("data-papers", "hk"), ("data-papers", "hk")])
    assert spec.to_json(spec.form(formdata=both)) == {"papers": ["cccd", "hk"]}
