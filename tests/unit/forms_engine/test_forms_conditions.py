"""Conditional fields: if/then/else, dependentRequired, dependentSchemas and draft-07 dependencies."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.forms_engine import FormSpec, compile_form

FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"


def procedure(code: str) -> FormSpec:
    definition = json.loads((FORMS / f"{code}.json").read_text(encoding="utf-8"))
    return compile_form(definition["schema"], definition.get("uiSchema"))


def block(html: str, element_id: str) -> str:
    """The opening tag of the conditional wrapper around the element with `element_id`."""
    at = html.index(f'id="{element_id}"')
    start = html.rfind('<fieldset class="fe-when"', 0, at)
    assert start >= 0, f"no conditional block around {element_id}"
    return html[start : html.index(">", start) + 1]


def pointers(spec: FormSpec, data: Any) -> set[str]:
    return {e.pointer for e in spec.validate(data)}


# --- birth registration (1.001193): father under `then` when father_known is true ---------------------------


def test_father_is_hidden_and_ignored_when_father_is_not_known(render: Any, post: Any) -> None:
    spec = procedure("1.001193")
    prefill = {"father_known": False, "father": {"full_name": "Nguyễn Văn An", "id_number": "001085012345"}}
    form = spec.form(data=prefill)
    html = render(form)
    wrapper = block(html, "data-father")
    assert " hidden" in wrapper and " disabled" in wrapper
    assert json.loads(re.search(r'data-when="([^"]*)"', wrapper)[1].replace("&#34;", '"')) == [
        {"f": "data-father_known", "in": ["true"], "empty": True, "not": False}
    ]
    assert "father" not in spec.to_json(form)
    # A browser posts nothing from a disabled fieldset; a forged post of the father is dropped as well.
    assert not any(key.startswith("data-father-") for key in post(html))
    forged = MultiDict({"data-father_known": "false", "data-father-full_name": "X"})
    assert "father" not in spec.to_json(spec.form(formdata=forged))


def test_father_is_shown_and_required_when_father_is_known(render: Any) -> None:
    spec = procedure("1.001193")
    form = spec.form(formdata=MultiDict({"data-father_known": "true"}))
    html = render(form)
    wrapper = block(html, "data-father")
    assert " hidden" not in wrapper and " disabled" not in wrapper
    legend = re.search(r'id="data-father"[^>]*>\s*<legend[^>]*>(.*?)</legend>', html)
    assert legend and "không bắt buộc" not in legend[1]
    data = spec.to_json(form)
    assert data["father"] == {}
    assert {"/father/full_name", "/father/id_number"} <= pointers(spec, data)
    assert not {p for p in pointers(spec, {**data, "father_known": False}) if p.startswith("/father")}


def test_update_button_follows_the_controlling_answer_and_rerenders_without_checking(render: Any) -> None:
    spec = procedure("1.001193")
    form = spec.form(formdata=MultiDict({"data-father_known": "false", "_action": "update"}))
    html = render(form)
    assert form.engine_action == "update"
    after = html.split('id="data-father_known"', 1)[1]
    assert re.search(
        r'<button type="submit"[^>]*name="_action" value="update" formnovalidate data-live>Cập nhật</button>', after
    )
    assert " hidden" in block(html, "data-father")
    assert re.search(r'value="update" formnovalidate data-live>', after)  # forms.js may hide it


def test_update_button_stays_for_a_condition_only_the_server_decides(render: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"age": {"type": "integer"}},
        "if": {"properties": {"age": {"minimum": 18}}, "required": ["age"]},
        "then": {"properties": {"id": {"type": "string"}}},
    }
    html = render(compile_form(schema).form())
    assert 'value="update" formnovalidate>' in html and "data-live" not in html


def test_fresh_birth_form_shows_the_father_because_the_default_says_known(render: Any) -> None:
    spec = procedure("1.001193")
    assert spec.defaults()["father_known"] is True
    assert " hidden" not in block(render(spec.form()), "data-father")


# --- certified copy (2.000815): delivery_address only for delivery by post ----------------------------------


def test_delivery_address_appears_only_for_post(render: Any, post: Any) -> None:
    spec = procedure("2.000815")
    desk = spec.form(formdata=MultiDict({"data-delivery": "mot_cua", "data-delivery_address": "12 Lê Lợi, Huế"}))
    html = render(desk)
    assert " hidden" in block(html, "data-delivery_address")
    # forms.js reveals it without asking the server: it is labelled already as it will be, required
    hidden_label = re.search(r'for="data-delivery_address">(.*?)</label>', html)
    assert hidden_label and "không bắt buộc" not in hidden_label[1]
    assert "delivery_address" not in spec.to_json(desk)
    assert "/delivery_address" not in pointers(spec, spec.to_json(desk))

    by_post = spec.form(formdata=MultiDict({"data-delivery": "buu_dien"}))
    html = render(by_post)
    wrapper = block(html, "data-delivery_address")
    assert " hidden" not in wrapper and "buu_dien" in wrapper
    label = re.search(r'for="data-delivery_address">(.*?)</label>', html)
    assert label and "không bắt buộc" not in label[1]
    assert "/delivery_address" in pointers(spec, spec.to_json(by_post))

    typed = spec.form(formdata=MultiDict({"data-delivery": "buu_dien", "data-delivery_address": "12 Lê Lợi, Huế"}))
    assert spec.to_json(typed)["delivery_address"] == "12 Lê Lợi, Huế"


def test_delivery_address_of_a_desk_prefill_is_dropped_from_defaults() -> None:
    spec = procedure("2.000815")
    assert "delivery_address" not in spec.defaults({"delivery": "mot_cua", "delivery_address": "x" * 12})
    assert spec.defaults({"delivery": "buu_dien", "delivery_address": "x" * 12})["delivery_address"] == "x" * 12


# --- certified copy (2.000815): where the original comes from, one of two alternatives ---------------------

ABROAD = {"issuing_country": "Nhật Bản", "legalisation": "da_hop_phap_hoa"}


def test_origin_shows_the_fields_of_the_alternative_picked_and_keeps_only_them(render: Any, post: Any) -> None:
    spec = procedure("2.000815")
    fresh = render(spec.form(page=0))
    assert re.search(r'name="data-origin-__alt" value="0" checked', fresh)  # issued in Vietnam, at first
    assert " hidden" not in block(fresh, "data-origin-issuer")
    wrapper = block(fresh, "data-origin-issuing_country")
    assert " hidden" in wrapper and " disabled" in wrapper
    assert json.loads(re.search(r'data-when="([^"]*)"', wrapper)[1].replace("&#34;", '"')) == [
        {"f": "data-origin-__alt", "in": ["1"], "empty": False, "not": False}
    ]

    abroad = spec.form(
        formdata=MultiDict(
            {
                "data-origin-__alt": "1",
                "data-origin-issuer": "Sở Tư pháp",  # forged: its block is disabled, no browser posts it
                "data-origin-issuing_country": "Nhật Bản",
                "data-origin-legalisation": "da_hop_phap_hoa",
            }
        ),
        page=0,
    )
    assert spec.to_json(abroad)["origin"] == ABROAD
    html = render(abroad)
    assert " hidden" in block(html, "data-origin-issuer")
    label = re.search(r'for="data-origin-issuing_country">(.*?)</label>', html)
    assert label and "không bắt buộc" not in label[1]
    assert post(html).getlist("data-origin-__alt") == ["1"]


def test_origin_prefill_picks_its_alternative_and_round_trips(render: Any, post: Any) -> None:
    spec = procedure("2.000815")
    for origin, picked in ((ABROAD, "1"), ({"issuer": "Sở Tư pháp", "issued_on": "2019-06-30"}, "0")):
        data = {**spec.defaults(), "document_name": "Bằng thạc sĩ", "origin": origin}
        html = render(spec.form(data=data, page=0))
        posted = post(html)
        assert posted.getlist("data-origin-__alt") == [picked]
        assert spec.to_json(spec.form(formdata=posted, data=data, page=0)) == data


def test_origin_errors_speak_of_the_alternative_picked(render: Any) -> None:
    spec = procedure("2.000815")
    form = spec.form(formdata=MultiDict({"data-document_name": "Bằng thạc sĩ", "data-origin-__alt": "1"}), page=0)
    data = spec.to_json(form)
    assert data["origin"] == {}
    placed = spec.attach_errors(form, spec.validate(data, prefix="data", page=0))
    assert [(e.pointer, e.message) for e in placed if e.pointer.startswith("/origin")] == [
        ("/origin/issuing_country", "Nhập tên nước đã cấp bản chính"),
        ("/origin/legalisation", "Chọn tình trạng hợp pháp hóa lãnh sự của bản chính"),
    ]
    html = render(form)
    assert "Nhập tên cơ quan, tổ chức đã cấp bản chính" not in html


# --- CT01 (1.004222): household_head under `else` of new_household ------------------------------------------


def test_household_head_applies_only_when_not_a_new_household(render: Any) -> None:
    spec = procedure("1.004222")
    head = {"full_name": "Trần Văn Bình", "id_number": "001085012345", "relationship": "con"}
    joining = spec.form(data={"new_household": False, "household_head": head})
    html = render(joining)
    wrapper = block(html, "data-household_head")
    assert " hidden" not in wrapper
    assert json.loads(re.search(r'data-when="([^"]*)"', wrapper)[1].replace("&#34;", '"'))[0]["not"] is True
    assert spec.to_json(joining)["household_head"]["full_name"] == "Trần Văn Bình"

    new = spec.form(formdata=MultiDict({"data-new_household": "true", "data-household_head-full_name": "X"}))
    assert " hidden" in block(render(new), "data-household_head")
    data = spec.to_json(new)
    assert "household_head" not in data
    assert not {p for p in pointers(spec, data) if p.startswith("/household_head")}

    empty = spec.to_json(spec.form(formdata=MultiDict({"data-new_household": "false"})))
    assert "/household_head/full_name" in pointers(spec, empty)


# --- the other keywords -------------------------------------------------------------------------------------


def test_dependent_required_marks_follow_the_trigger(render: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"card": {"type": "string", "title": "Card"}, "bill": {"type": "string", "title": "Bill"}},
        "dependentRequired": {"card": ["bill"]},
    }
    spec = compile_form(schema)
    plain = render(spec.form())
    assert 'for="data-bill">Bill <span class="fe-opt">' in plain
    with_card = render(spec.form(formdata=MultiDict({"data-card": "4111"})))
    assert 'for="data-bill">Bill</label>' in with_card
    assert "fe-when" not in with_card  # dependentRequired changes what is required, never what is shown


def test_dependent_schemas_reveal_fields_when_the_key_is_answered(render: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"card": {"type": "string"}},
        "dependentSchemas": {"card": {"properties": {"bill": {"type": "string"}}, "required": ["bill"]}},
    }
    spec = compile_form(schema)
    html = render(spec.form())
    assert " hidden" in block(html, "data-bill")
    assert "&#34;in&#34;:null" in block(html, "data-bill")
    answered = spec.form(formdata=MultiDict({"data-card": "4111", "data-bill": "Huế"}))
    assert spec.to_json(answered) == {"card": "4111", "bill": "Huế"}
    assert spec.to_json(spec.form(formdata=MultiDict({"data-bill": "Huế"}))) == {}


def test_draft07_dependency_alternatives_pick_the_fields_for_the_answer(render: Any) -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {"pets": {"type": "string", "enum": ["No", "One"], "default": "No"}},
        "required": ["pets"],
        "dependencies": {
            "pets": {
                "oneOf": [
                    {"properties": {"pets": {"enum": ["No"]}}},
                    {"properties": {"pets": {"enum": ["One"]}, "age": {"type": "number"}}, "required": ["age"]},
                ]
            }
        },
    }
    spec = compile_form(schema)
    assert " hidden" in block(render(spec.form()), "data-age")
    one = spec.form(formdata=MultiDict({"data-pets": "One", "data-age": "3"}))
    assert " hidden" not in block(render(one), "data-age")
    assert spec.to_json(one) == {"pets": "One", "age": 3}
    assert spec.to_json(spec.form(formdata=MultiDict({"data-pets": "No", "data-age": "3"}))) == {"pets": "No"}


def test_a_condition_the_browser_cannot_evaluate_is_left_to_the_server(render: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"age": {"type": "integer"}},
        "if": {"properties": {"age": {"minimum": 18}}, "required": ["age"]},
        "then": {"properties": {"id": {"type": "string"}}},
    }
    spec = compile_form(schema)
    assert 'id="data-id"' not in render(spec.form())
    adult = spec.form(formdata=MultiDict({"data-age": "30"}))
    html = render(adult)
    assert 'id="data-id"' in html and "data-when" not in html


# --- alternatives: oneOf/anyOf of object schemas ------------------------------------------------------------

LOCATION = {
    "type": "object",
    "properties": {"note": {"type": "string"}},
    "anyOf": [
        {"title": "Thành phố", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        {
            "title": "Tọa độ",
            "properties": {"lat": {"type": "number"}, "lon": {"type": "number"}},
            "required": ["lat", "lon"],
        },
    ],
}


def test_alternatives_render_as_a_choice_with_only_the_chosen_fields_shown(render: Any, post: Any) -> None:
    spec = compile_form(LOCATION)
    html = render(spec.form())
    assert 'name="data-__alt" value="0" checked' in html and ">Thành phố</label>" in html and ">Tọa độ</label>" in html
    assert " hidden" not in block(html, "data-city") and " hidden" in block(html, "data-lat")
    assert "data-__alt" not in spec.to_json(spec.form(formdata=post(html)))
    assert re.search(r'id="data-__alt".*?</fieldset></div><button[^>]*value="update"', html, re.S)


def test_alternative_choice_keeps_only_its_fields_and_speaks_of_them(render: Any) -> None:
    spec = compile_form(LOCATION)
    posted = MultiDict({"data-__alt": "1", "data-city": "Huế", "data-lat": "16,46", "data-note": "x"})
    form = spec.form(formdata=posted)
    data = spec.to_json(form)
    assert data == {"note": "x", "lat": 16.46}
    assert [e.pointer for e in spec.validate(data)] == ["/lon"]  # not "/city": coordinates were picked
    html = render(form)
    assert 'value="1" checked' in html and " hidden" in block(html, "data-city")
    assert 'for="data-lat">lat</label>' in html  # required in the chosen alternative: no optional mark


def test_alternative_is_inferred_from_a_prefill() -> None:
    spec = compile_form(LOCATION)
    assert spec.form(data={"lat": 1, "lon": 2}).engine_alt.raw == "1"
    assert spec.form(data={"lon": 2}).engine_alt.raw == "1"  # invalid for both: most answered keys
    assert spec.form(data={}).engine_alt.raw == "0"
    forged = spec.form(formdata=MultiDict({"data-__alt": "7", "data-lat": "1", "data-lon": "2"}))
    assert spec.to_json(forged) == {"lat": 1, "lon": 2}


def test_untitled_alternatives_are_numbered(render: Any) -> None:
    schema = {
        "type": "object",
        "oneOf": [{"properties": {"a": {"type": "string"}}}, {"properties": {"b": {"type": "string"}}}],
    }
    html = render(compile_form(schema).form())
    assert ">Lựa chọn 1</label>" in html and ">Lựa chọn 2</label>" in html
    english = render(compile_form(schema, locale="en").form())
    assert ">Option 2</label>" in english


def test_errors_speak_of_the_alternative_picked_even_before_it_is_filled_in(render: Any) -> None:
    spec = compile_form({**LOCATION, "properties": {"items": {"type": "array", "items": LOCATION}}})
    posted = MultiDict(
        {"data-__alt": "1", "data-items-count": "1", "data-items-0-__alt": "1", "data-items-0-note": "x"}
    )
    form = spec.form(formdata=posted)
    data = spec.to_json(form)
    errors = spec.validate(data, prefix="data")
    assert {e.pointer for e in errors} >= {"/city", "/items/0/city"}  # the data alone points at the first
    placed = spec.attach_errors(form, errors)
    # In page order: the list comes before the alternatives' fields.
    assert [e.pointer for e in placed] == ["/items/0/lat", "/items/0/lon", "/lat", "/lon"]
    assert [e.field_id for e in placed] == ["data-items-0-lat", "data-items-0-lon", "data-lat", "data-lon"]
    html = render(form)
    assert 'href="#data-lat"' in html and 'href="#data-city"' not in html


def test_a_hidden_alternative_is_labelled_as_it_will_be_when_picked(render: Any) -> None:
    spec = compile_form(LOCATION)
    html = render(spec.form())  # "Thành phố" picked: the coordinates are hidden
    assert " hidden" in block(html, "data-lat")
    assert re.search(r'for="data-lat">lat</label>', html)  # no optional mark: required in its alternative
    assert re.search(r'for="data-note">note <span[^>]*>\(không bắt buộc\)', html)


def test_check_page_names_the_alternative_filled_in_and_english_translates_it(render: Any) -> None:
    definition = json.loads((FORMS / "2.000815.json").read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition["uiSchema"], translations=definition["translations"])
    data = {"origin": {"issuing_country": "Nhật Bản", "legalisation": "duoc_mien"}}
    answers = {a.label: a.value for a in spec.answers(data)}
    assert answers[spec.root.child("origin").alt_choice.label] == "Giấy tờ do cơ quan, tổ chức nước ngoài cấp"
    english = compile_form(
        definition["schema"], definition["uiSchema"], translations=definition["translations"], locale="en"
    )
    html = render(english.form(data=data))
    assert ">Issued by a foreign authority or organisation</label>" in html
    assert "nước ngoài cấp" not in html
    assert {a.label: a.value for a in english.answers(data)}["Who issued the original"] == (
        "Issued by a foreign authority or organisation"
    )
