"""Round trips JSON -> rendered form -> what a browser posts -> JSON, for rjsf samples and procedure files."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from portal.forms_engine import compile_form
from portal.forms_engine.fields import ABSENT
from portal.forms_engine.nodes import Node, decide, without_other_variants

SAMPLES = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "rjsf-samples"
FORMS = Path(__file__).resolve().parents[3] / "forms_schemas"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

# Samples that use only this issue's features. The round trip must give back the sample's formData
# (after rjsf-style defaults), except keys the schema does not declare (see UNDECLARED_KEYS).
COVERED = [
    "additionalProperties",  # undeclared keys as rows of name + text value ("— mục khác", extra_keys.py)
    "allOf",  # allOf merged for rendering (types intersected)
    "anyOf",  # anyOf of object alternatives at the root and in array rows: pick one, fill its fields
    "alternatives",  # oneOf/anyOf of {const|enum, title} as labelled choices, checkboxes, enumDisabled
    "arrays",  # scalar/object/nested/tuple+additionalItems arrays, minItems + defaults, toolbar options
    "blank",  # {} renders an empty form
    "bundledSchema",  # $ref to $ids embedded in the document
    "custom",  # plain object; the named ui:field "geo" is ignored (React fields are not supported)
    "customArray",  # array root; the dropped ArrayFieldTemplate is irrelevant to data
    "customField",  # draft-07 $id inside definitions
    "customFieldAnyOf",  # anyOf of objects with titles (City / Coordinates); the React ui:field is ignored
    "customObject",  # the dropped ObjectFieldTemplate is irrelevant to data
    "date",  # date, date-time, time, alt-date
    "defaults",  # defaults inside $ref'd objects and array rows
    "enumObjects",  # enum of objects, as choices and as checkboxes
    "errorSchema",  # the simple form; extraErrors are rjsf-only
    "examples",  # `examples` is an annotation
    "files",  # formData {}; data-url strings render as text boxes (files belong in the procedure's documents)
    "ifThenElse",  # `food` declared by two branches with different enums: one question per branch
    "large",  # 100-value enums -> selects
    "layoutGrid",  # ui:layoutGrid ignored (warned at import); employment: oneOf with a job_type per alternative
    "nested",  # array of objects with textarea/checkbox/ui:order inside items
    "null",  # type null as a note
    "nullable",  # ["integer","null"] with ui:emptyValue null
    "numbers",  # number, integer, enum of numbers, range with multipleOf
    "oneOf",  # oneOf of untitled objects: "Lựa chọn 1/2"
    "options",  # ui:options, submit text, autocomplete
    "patternProperties",  # keys matching the pattern as rows whose value takes the pattern's schema
    "ordering",  # ui:order with "*"
    "propertyNames",  # the allowed names from propertyNames.enum as a select in each row; boolean values
    "propertyDependencies",  # array-form `dependencies` only changes what is required; every field is plain
    "references",  # $ref/definitions, recursive $ref (depth-limited)
    "schemaDependencies",  # dependencies revealing fields, incl. rjsf's oneOf-per-answer form, in rows too
    "simple",  # the basic registration form
    "single",  # a string root
    "validation",  # minLength/minimum (customValidate is rjsf-only)
    "widgets",  # formats, booleans, hidden, ui:readonly, ui:disabled, readOnly, oneOf const
]
# Excluded, with the reason: all of these belong to a later issue or are not supported at all.
EXCLUDED = {
    "optionalDataControls": (
        "its three oneOf alternatives accept the same objects (none requires a key), so every value of"
        " optionalObjectWithOneofs fails oneOf and the only valid documents leave it out; rjsf 6 gets there with"
        " an optional-data control (an optional object stays out until added), which the engine does not have:"
        " it renders the alternatives and fills the read-only default of the one picked. anyOf of arrays"
        " (optionalArrayWithAnyofs) is not rendered either"
    ),
    "fallback": (
        "a root with no type whose data is the number 1234: rjsf 6 shows a type picker (a developer's tool, not a"
        " question for a citizen); the engine renders an object form that asks nothing, and the import says so"
    ),
    "errors": (
        "formData is invalid on purpose, so there is no valid document to round-trip; test_rjsf_errors_sample_"
        "keeps_every_answer_a_form_can_hold checks its round trip instead"
    ),
}
PERSON = {
    "name": {"first": "Ánh", "last": "Nguyễn"},
    "birth_date": "1995-03-14",
    "race": ["asian"],
    "address": {"line_1": "Thôn 3", "city": "Tuyên Quang", "state": "CA", "postal_code": "95014"},
}
PLACE = {"city": "Tuyên Quang", "state": "CA"}
# Samples whose formData is invalid on purpose ({} before an alternative is filled): the round trip uses
# this valid data instead, one for each alternative.
VALID_FORM_DATA = {
    # layoutGrid has no formData and its defaults miss the person's required fields: one per alternative.
    "layoutGrid": [
        {"person": PERSON, "employment": {"job_type": "company", "business": "HTX Mỹ Bằng", "location": PLACE}},
        {"person": PERSON, "employment": {"job_type": "education", "school": "THCS Mỹ Bằng", "location": PLACE}},
        {"person": PERSON, "employment": {"job_type": "other", "description": "Làm ruộng"}},
    ],
    "ifThenElse": [{"animal": "Cat", "food": "fish"}, {"animal": "Fish", "food": "worms", "water": "sea"}],
    "oneOf": [{"lorem": "a"}, {"ipsum": "b"}],
    "customFieldAnyOf": [{"city": "Huế"}, {"lat": 16.46, "lon": 107.59}],
}
# Keys in a sample's formData that its schema does not declare: a form cannot post them back, and to_json
# drops them on purpose (mass assignment, threats AC-02).
UNDECLARED_KEYS = {"options": {"age", "bio", "password"}}


def load_sample(name: str) -> dict[str, Any]:
    sample = json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))
    schema = sample["schema"]
    if isinstance(schema, dict) and "$schema" not in schema:
        # rjsf samples are written for draft-07 (the README validated them that way).
        sample["schema"] = {"$schema": DRAFT_07, **schema}
    return sample


def round_trip(spec: Any, data: Any, render: Any, post: Any) -> Any:
    """Render `data`, post what a browser would, read it back (the server passes its prefill again, as a
    page must for read-only fields; every other field reads only the post)."""
    html = render(spec.form(data=data))
    return spec.to_json(spec.form(formdata=post(html), data=data))


def test_every_sample_is_either_covered_or_excluded_with_a_reason() -> None:
    names = {p.stem for p in SAMPLES.glob("*.json")}
    assert names == set(COVERED) | set(EXCLUDED)
    assert not set(COVERED) & set(EXCLUDED)


@pytest.mark.parametrize("name", COVERED)
def test_rjsf_sample_round_trips(name: str, render: Any, post: Any) -> None:
    sample = load_sample(name)
    spec = compile_form(sample["schema"], sample["uiSchema"])
    for form_data in VALID_FORM_DATA.get(name, [sample.get("formData")]):
        data = spec.defaults(form_data)
        for key in UNDECLARED_KEYS.get(name, ()):
            data.pop(key)
        assert spec.validate(data) == []
        assert round_trip(spec, data, render, post) == data


@pytest.mark.parametrize("name", COVERED)
def test_rjsf_sample_fresh_form_posts_its_defaults(name: str, render: Any, post: Any) -> None:
    sample = load_sample(name)
    spec = compile_form(sample["schema"], sample["uiSchema"])
    html = render(spec.form())
    assert spec.to_json(spec.form(formdata=post(html))) == with_empty_values(spec.root, spec.defaults())


def with_empty_values(node: Node, data: Any) -> Any:
    """Defaults plus ui:emptyValue for the fields a fresh form leaves empty (an empty input posts it)."""
    if node.kind != "object" or not isinstance(data, dict):
        return data
    out = dict(data)
    for child in node.children:
        if child.key in out:
            out[child.key] = with_empty_values(child, out[child.key])
        elif child.has_empty_value:
            out[child.key] = child.empty_value
    return out


def test_rjsf_sample_with_undeclared_keys_drops_exactly_those(render: Any, post: Any) -> None:
    sample = load_sample("options")
    spec = compile_form(sample["schema"], sample["uiSchema"])
    data = spec.defaults(sample["formData"])
    back = round_trip(spec, data, render, post)
    assert set(data) - set(back) == UNDECLARED_KEYS["options"]


def test_rjsf_errors_sample_keeps_every_answer_a_form_can_hold(render: Any, post: Any) -> None:
    sample = load_sample("errors")
    spec = compile_form(sample["schema"], sample["uiSchema"])
    data = spec.defaults(sample["formData"])
    before = {(e.pointer, e.keyword) for e in spec.validate(data)}
    back = round_trip(spec, data, render, post)
    # "active" is the string "wrong" where the schema wants a boolean: a yes/no question cannot show it, so
    # it comes back unanswered. Every other wrong answer comes back as typed, with the same problems.
    assert back == {k: v for k, v in data.items() if k != "active"}
    assert {(e.pointer, e.keyword) for e in spec.validate(back)} == before - {("/active", "type")}


# --- the procedure files ----------------------------------------------------------------------------------

PROCEDURE_FILES = sorted(FORMS.glob("*.json"))


def test_procedure_files_exist() -> None:
    # The parametrised tests below would silently run zero cases without them.
    assert PROCEDURE_FILES, f"no procedure files in {FORMS}"


def _text_safe(text: str) -> str:
    """The same length of text, without what no browser round trip keeps (edge spaces, controls, CR)."""
    return "".join("x" if unicodedata.category(c)[0] in "CZ" else c for c in text)


def _is_nfc(data: Any) -> bool:
    text = json.dumps(data, ensure_ascii=False)  # ensure_ascii would hide every character from NFC
    return unicodedata.normalize("NFC", text) == text


# Shrinking hypothesis-jsonschema instances can take minutes; an unshrunk failing example is enough here.
NO_SHRINK = [Phase.explicit, Phase.reuse, Phase.generate]


def canonical(node: Node, value: Any) -> Any:
    """What a citizen could have posted for `value`: the form's fields only, in the form's shape."""
    got = _canonical(node, value)
    if got is ABSENT and (node.readonly or node.disabled) and node.has_default:
        return node.default  # read-only fields always carry their default, whatever is posted
    return got


def _canonical(node: Node, value: Any) -> Any:
    if node.kind == "object":
        if not isinstance(value, dict):
            return value
        out = {}
        for child in without_other_variants(node, value):
            got = canonical(child, value.get(child.key, ABSENT))  # type: ignore[arg-type]
            if got is not ABSENT:
                out[child.key] = got
        if node.gated:
            # A field whose branch does not apply is not an answer (fields.py drops it too).
            active, _, _ = decide(node, out)
            out = {k: v for k, v in out.items() if k not in node.gated or k in active}
        return out if out or node.required else ABSENT
    if node.kind == "array":
        if value is ABSENT or not isinstance(value, list):
            return value
        rows = [canonical(node.row(i), v) if node.row(i) else v for i, v in enumerate(value)]  # type: ignore[arg-type]
        rows = [None if r is ABSENT else r for r in rows]
        blank = all(r is None or r == "" or r == {} or r == [] for r in rows)
        return ABSENT if blank and not node.required else rows
    if node.kind == "multi" and isinstance(value, list):
        order = [c.value for c in node.choices]
        ranked = sorted(value, key=lambda v: next(i for i, c in enumerate(order) if c == v and type(c) is type(v)))
        # Nothing ticked is "not answered", even for a required list (it then asks to tick one).
        return ranked or ABSENT
    if node.kind == "choice" and any(c.disabled and c.value == value for c in node.choices):
        return ABSENT  # ui:enumDisabled values are shown but never posted
    if node.kind == "boolean" and node.widget == "checkbox" and value is ABSENT:
        return False
    if isinstance(value, str) and node.kind == "input":
        # An empty input means "not answered": "" is only ever posted back as ui:emptyValue.
        if value == "":
            return node.empty_value if node.has_empty_value else ABSENT
        return _text_safe(value)
    return value


@pytest.mark.parametrize("path", PROCEDURE_FILES, ids=lambda p: p.stem)
def test_procedure_file_fresh_form_posts_its_defaults(path: Path, render: Any, post: Any) -> None:
    definition = json.loads(path.read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition.get("uiSchema"), translations=definition.get("translations"))
    html = render(spec.form())
    assert spec.to_json(spec.form(formdata=post(html))) == spec.defaults()


@pytest.mark.slow
@pytest.mark.parametrize("path", PROCEDURE_FILES, ids=lambda p: p.stem)
def test_procedure_file_generated_instances_round_trip(path: Path, render: Any, post: Any) -> None:
    definition = json.loads(path.read_text(encoding="utf-8"))
    spec = compile_form(definition["schema"], definition.get("uiSchema"), translations=definition.get("translations"))

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        phases=NO_SHRINK,
    )
    @given(from_schema(definition["schema"]))
    def check(instance: Any) -> None:
        data = canonical(spec.root, instance)
        assume(data is not ABSENT and _is_nfc(data))
        assume(spec.validate(data) == [])
        assert round_trip(spec, data, render, post) == data

    check()


@pytest.mark.parametrize("path", PROCEDURE_FILES, ids=lambda p: p.stem)
def test_procedure_file_english_form_renders_with_translated_labels(path: Path, render: Any) -> None:
    definition = json.loads(path.read_text(encoding="utf-8"))
    english = (definition.get("translations") or {}).get("en") or {}
    spec = compile_form(
        definition["schema"],
        definition.get("uiSchema"),
        translations=definition.get("translations"),
        locale="en",
    )
    # one row in every top-level repeatable group, so the labels of its items are on the page too
    rows = {
        key: [{}]
        for key, prop in (definition["schema"].get("properties") or {}).items()
        if isinstance(prop, dict) and prop.get("type") == "array" and isinstance(prop.get("items"), dict)
    }
    html = render(spec.form(data={**spec.defaults(), **rows}))
    labels = [v for k, v in english.items() if k.endswith(".label") and not k.startswith("procedure.")]
    for label in labels:
        assert _escaped(label) in html
    assert ("(optional)" in html) == any(f.optional for f in _all_fields(spec.form()))
    assert "(không bắt buộc)" not in html


def _all_fields(fields: Any) -> list[Any]:
    out = []
    for field in fields:
        out.append(field)
        if field.engine_kind in ("object", "array"):
            out.extend(_all_fields(field))
    return out


def _escaped(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


# hypothesis-jsonschema cannot generate for recursive $ref ("references"), so that one is left out here.
GENERATED = ["simple", "nested", "numbers", "arrays", "alternatives", "widgets", "defaults", "enumObjects"]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None, phases=NO_SHRINK)
@given(name=st.sampled_from(GENERATED), draw=st.data())
def test_rjsf_samples_generated_instances_round_trip(name: str, draw: Any, render: Any, post: Any) -> None:
    sample = load_sample(name)
    spec = compile_form(sample["schema"], sample["uiSchema"])
    data = canonical(spec.root, draw.draw(from_schema(sample["schema"])))
    assume(isinstance(data, dict) and _is_nfc(data))
    assume(spec.validate(data) == [])
    assert round_trip(spec, data, render, post) == data
