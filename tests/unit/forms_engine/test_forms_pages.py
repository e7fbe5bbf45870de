"""Multi-step forms: `ui:pages` splits the top-level fields; each page renders, reads and checks its own."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from werkzeug.datastructures import MultiDict

from portal.forms_engine import FormSpec, compile_form
from tests.factories import birth_data

FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"


def procedure(code: str) -> FormSpec:
    definition = json.loads((FORMS / f"{code}.json").read_text(encoding="utf-8"))
    return compile_form(definition["schema"], definition.get("uiSchema"))


def test_birth_form_has_three_pages_in_order() -> None:
    spec = procedure("1.001193")
    assert spec.multi_page
    assert [(p.title, p.fields) for p in spec.pages] == [
        ("Người đi đăng ký", ("requester_relationship",)),
        ("Người được khai sinh", ("child",)),
        ("Cha, mẹ", ("mother", "father_known", "father")),
    ]


def test_unlisted_fields_go_on_the_last_page_and_unknown_names_are_ignored() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}, "b": {"type": "string"}, "c": {}}}
    spec = compile_form(schema, {"ui:pages": [{"title": "A", "fields": ["a", "nope"]}, {"title": "B", "fields": []}]})
    assert [p.fields for p in spec.pages] == [("a",), ("b", "c")]


def test_forms_without_pages_are_one_page_unchanged() -> None:
    spec = procedure("1.004222")
    assert not spec.multi_page and len(spec.pages) == 1
    assert spec.pages[0].title == ""
    assert set(spec.pages[0].fields) == {c.key for c in spec.root.children if c.key}


def test_a_page_renders_only_its_fields(render: Any) -> None:
    spec = procedure("1.001193")
    html = render(spec.form(data=birth_data(), page=1))
    assert 'id="data-child-full_name"' in html
    assert 'id="data-mother-full_name"' not in html and 'name="data-requester_relationship"' not in html


def test_posting_a_page_keeps_the_other_pages_values_from_data(render: Any, post: Any) -> None:
    spec = procedure("1.001193")
    stored = birth_data()
    html = render(spec.form(data=stored, page=1))
    posted = post(html)
    posted["data-child-full_name"] = "Trần Văn Bình"
    # a forged value for another page in the post is not taken
    posted["data-mother-full_name"] = "Kẻ Giả Mạo"
    data = spec.to_json(spec.form(formdata=posted, data=stored, page=1))
    assert data["child"]["full_name"] == "Trần Văn Bình"
    assert data["mother"] == stored["mother"] and data["father"] == stored["father"]
    assert data["requester_relationship"] == stored["requester_relationship"]


def test_validation_per_page_returns_only_that_pages_errors() -> None:
    spec = procedure("1.001193")
    data = birth_data()
    data["child"]["full_name"] = ""
    del data["mother"]["id_number"]
    assert {e.pointer for e in spec.validate(data, page=0)} == set()
    assert {e.pointer for e in spec.validate(data, page=1)} == {"/child/full_name"}
    assert {e.pointer for e in spec.validate(data, page=2)} == {"/mother/id_number"}
    assert spec.page_of("") == 2


def test_a_condition_on_the_same_page_still_works() -> None:
    spec = procedure("1.001193")
    stored = birth_data()
    stored.pop("father")
    form = spec.form(formdata=MultiDict({"data-father_known": "false"}), data=stored, page=2)
    data = spec.to_json(form)
    assert data["father_known"] is False and "father" not in data
    assert data["child"] == stored["child"]
    assert not [e for e in spec.validate(data, page=2) if e.pointer.startswith("/father")]
    known = spec.to_json(spec.form(formdata=MultiDict({"data-father_known": "true"}), data=stored, page=2))
    assert "/father/full_name" in {e.pointer for e in spec.validate(known, page=2)}


def test_answers_per_page() -> None:
    spec = procedure("1.001193")
    data = birth_data()
    assert {a.pointer.split("/")[1] for a in spec.answers(data, page=2)} == {"mother", "father_known", "father"}
    assert sum(len(spec.answers(data, page=i)) for i in range(3)) == len(spec.answers(data))


def test_page_titles_are_translated() -> None:
    definition = json.loads((FORMS / "1.001193.json").read_text(encoding="utf-8"))
    spec = compile_form(
        definition["schema"], definition["uiSchema"], translations=definition["translations"], locale="en"
    )
    assert [p.title for p in spec.pages] == [definition["translations"]["en"][f"pages.{i}.title"] for i in range(3)]
