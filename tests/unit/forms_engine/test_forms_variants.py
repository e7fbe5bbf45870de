"""A key that branches declare with different schemas: one question per branch, the right one answers."""

from __future__ import annotations

import json
import re
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.forms_engine import compile_form

# The identity paper's number: 12 digits on a citizen ID card, a letter and 7 digits on a passport. Both
# branches declare `so`; the passport branch also asks where it was issued.
PAPER = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["loai"],
    "properties": {
        "loai": {
            "type": "string",
            "title": "Loại giấy tờ",
            "oneOf": [{"const": "cccd", "title": "Căn cước công dân"}, {"const": "ho_chieu", "title": "Hộ chiếu"}],
        }
    },
    "allOf": [
        {
            "if": {"properties": {"loai": {"const": "cccd"}}, "required": ["loai"]},
            "then": {
                "required": ["so"],
                "properties": {"so": {"type": "string", "title": "Số căn cước", "pattern": "^[0-9]{12}$"}},
            },
        },
        {
            "if": {"properties": {"loai": {"const": "ho_chieu"}}, "required": ["loai"]},
            "then": {
                "required": ["so", "noi_cap"],
                "properties": {
                    "so": {"type": "string", "title": "Số hộ chiếu", "pattern": "^[A-Z][0-9]{7}$"},
                    "noi_cap": {"type": "string", "title": "Nơi cấp"},
                },
            },
        },
    ],
}

# Receiving the result: a discriminated union, each alternative fixing `method` to its own value.
DELIVERY = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["delivery"],
    "properties": {
        "delivery": {
            "title": "Cách nhận kết quả",
            "oneOf": [
                {
                    "title": "Tại Bộ phận Một cửa",
                    "type": "object",
                    "required": ["method"],
                    "properties": {"method": {"const": "mot_cua", "default": "mot_cua", "readOnly": True}},
                },
                {
                    "title": "Qua bưu điện",
                    "type": "object",
                    "required": ["method", "address"],
                    "properties": {
                        "method": {"const": "buu_dien", "default": "buu_dien", "readOnly": True},
                        "address": {"type": "string", "title": "Địa chỉ nhận", "minLength": 5},
                    },
                },
            ],
        }
    },
}
DELIVERY_UI = {"delivery": {"method": {"ui:widget": "hidden"}}}


def wrapper(html: str, element_id: str) -> str:
    """The opening tag of the conditional block around the element with `element_id`."""
    at = html.index(f'id="{element_id}"')
    start = html.rfind('<fieldset class="fe-when"', 0, at)
    assert start >= 0, f"no conditional block around {element_id}"
    return html[start : html.index(">", start) + 1]


def when(html: str, element_id: str) -> list[dict[str, Any]]:
    found = re.search(r'data-when="([^"]*)"', wrapper(html, element_id))
    assert found, element_id
    return json.loads(found[1].replace("&#34;", '"'))


def test_each_branch_has_its_own_question_for_the_shared_key() -> None:
    spec = compile_form(PAPER)
    variants = [c for c in spec.root.children if c.key == "so"]
    assert [(c.name, c.label) for c in variants] == [("so", "Số căn cước"), ("so_2", "Số hộ chiếu")]
    assert variants[0].branches != variants[1].branches


def test_only_the_question_of_the_branch_taken_is_shown(render: Any) -> None:
    spec = compile_form(PAPER)
    html = render(spec.form(formdata=MultiDict({"data-loai": "ho_chieu"})))
    assert " hidden" in wrapper(html, "data-so") and " disabled" in wrapper(html, "data-so")
    assert " hidden" not in wrapper(html, "data-so_2")
    # forms.js switches them live: each block names only the answer its own branch goes with.
    assert [c["in"] for c in when(html, "data-so")] == [["cccd"]]
    assert [c["in"] for c in when(html, "data-so_2")] == [["ho_chieu"]]


def test_the_answer_comes_from_the_question_of_the_branch_taken(render: Any, post: Any) -> None:
    spec = compile_form(PAPER)
    posted = MultiDict({"data-loai": "ho_chieu", "data-so": "001085012345", "data-so_2": "B1234567"})
    form = spec.form(formdata=posted)
    assert spec.to_json(form) == {"loai": "ho_chieu", "so": "B1234567"}
    # What a browser posts from the page: the hidden card-number block is disabled, so never sent.
    assert "data-so" not in post(render(form))
    card = spec.form(formdata=MultiDict({"data-loai": "cccd", "data-so": "001085012345", "data-so_2": "B1"}))
    assert spec.to_json(card) == {"loai": "cccd", "so": "001085012345"}


def test_errors_land_on_the_question_on_the_page(render: Any) -> None:
    spec = compile_form(PAPER)
    form = spec.form(formdata=MultiDict({"data-loai": "ho_chieu", "data-so_2": "12345678"}))
    data = spec.to_json(form)
    errors = spec.validate(data, prefix="data")
    assert sorted((e.pointer, e.keyword) for e in errors) == [("/noi_cap", "required"), ("/so", "pattern")]
    placed = spec.attach_errors(form, errors)
    assert {e.pointer: e.field_id for e in placed}["/so"] == "data-so_2"
    html = render(form)
    assert 'href="#data-so_2"' in html and 'href="#data-so"' not in html
    assert form.so_2.errors and not form.so.errors


def test_a_prefill_opens_the_question_of_its_branch(render: Any) -> None:
    spec = compile_form(PAPER)
    html = render(spec.form(data={"loai": "cccd", "so": "001085012345"}))
    assert " hidden" not in wrapper(html, "data-so") and " hidden" in wrapper(html, "data-so_2")
    assert re.search(r'id="data-so"[^>]*value="001085012345"', html)


def test_check_page_lists_the_answer_under_its_branch_label() -> None:
    spec = compile_form(PAPER)
    labels = [a.label for a in spec.answers({"loai": "ho_chieu", "so": "B1234567", "noi_cap": "Cục Quản lý XNC"})]
    assert labels == ["Loại giấy tờ", "Số hộ chiếu", "Nơi cấp"]


def test_defaults_fill_only_the_branch_that_applies() -> None:
    spec = compile_form(DELIVERY, DELIVERY_UI)
    assert spec.defaults() == {"delivery": {"method": "mot_cua"}}
    assert spec.defaults({"delivery": {"address": "Thôn 3, xã Mỹ Bằng"}}) == {
        "delivery": {"method": "buu_dien", "address": "Thôn 3, xã Mỹ Bằng"}
    }


def test_a_fixed_value_follows_the_alternative_picked(render: Any, post: Any) -> None:
    spec = compile_form(DELIVERY, DELIVERY_UI)
    html = render(spec.form())
    assert spec.to_json(spec.form(formdata=post(html))) == {"delivery": {"method": "mot_cua"}}
    by_post = MultiDict({"data-delivery-__alt": "1", "data-delivery-address": "Thôn 3, xã Mỹ Bằng"})
    data = spec.to_json(spec.form(formdata=by_post))
    assert data == {"delivery": {"method": "buu_dien", "address": "Thôn 3, xã Mỹ Bằng"}}
    assert spec.validate(data) == []
    # A forged value for the fixed field changes nothing: it is read-only.
    forged = MultiDict({"data-delivery-__alt": "0", "data-delivery-method": "buu_dien"})
    assert spec.to_json(spec.form(formdata=forged)) == {"delivery": {"method": "mot_cua"}}


def test_a_prefill_round_trips_through_the_page_for_each_alternative(render: Any, post: Any) -> None:
    spec = compile_form(DELIVERY, DELIVERY_UI)
    for data in ({"delivery": {"method": "mot_cua"}}, {"delivery": {"method": "buu_dien", "address": "Hộp thư 12"}}):
        html = render(spec.form(data=data))
        assert spec.to_json(spec.form(formdata=post(html), data=data)) == data


def test_messages_speak_of_the_question_of_the_branch_taken() -> None:
    spec = compile_form(PAPER, {"so": {"ui:errorMessages": {"pattern": "Số giấy tờ không đúng"}}})
    passport = {e.pointer: e.message for e in spec.validate({"loai": "ho_chieu", "so": "1", "noi_cap": "Hà Nội"})}
    card = {e.pointer: e.message for e in spec.validate({"loai": "cccd", "so": "B1234567"})}
    assert passport["/so"] == card["/so"] == "Số giấy tờ không đúng"  # the uiSchema is the key's, shared
    plain = compile_form(PAPER)
    assert "số hộ chiếu" in plain.validate({"loai": "ho_chieu", "so": "1", "noi_cap": "Hà Nội"})[0].message
    assert "số căn cước" in plain.validate({"loai": "cccd", "so": "B1234567"})[0].message
