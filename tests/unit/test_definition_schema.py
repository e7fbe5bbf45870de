"""check_definition on the `schema` block: remote refs, regexes, dialects, size, depth and $ref cycles."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.forms_engine.definition import (
    DRAFT_07,
    MAX_DEPTH,
    Problem,
    check_definition,
)

PROCEDURE = {"code": "9.000001", "name": "Thủ tục thử", "processing_days": 3}


def problems_for(schema: Any) -> list[Problem]:
    return check_definition({"procedure": copy.deepcopy(PROCEDURE), "schema": schema})


def errors_at(problems: list[Problem]) -> dict[str, str]:
    return {p.pointer: p.message for p in problems if p.severity == "error"}


def warnings_at(problems: list[Problem]) -> dict[str, str]:
    return {p.pointer: p.message for p in problems if p.severity == "warning"}


def with_property(definition: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"a": definition}, **extra}


@pytest.mark.parametrize(
    "ref",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://json-schema.org/draft/2020-12/schema",
        "file:///app/.env",
        "other.json#/$defs/x",
        "urn:example:thing",
    ],
)
def test_ref_that_leaves_the_document_is_an_error_at_its_pointer(ref: str) -> None:
    errors = errors_at(problems_for(with_property({"$ref": ref})))
    assert list(errors) == ["/schema/properties/a/$ref"]
    assert "ra ngoài tệp" in errors["/schema/properties/a/$ref"]
    assert "remote $ref" in errors["/schema/properties/a/$ref"]


def test_dynamic_ref_is_held_to_the_same_rule() -> None:
    errors = errors_at(problems_for(with_property({"$dynamicRef": "https://example.com/s#meta"})))
    assert "/schema/properties/a/$dynamicRef" in errors


def test_local_ref_to_a_missing_place_is_an_error() -> None:
    errors = errors_at(problems_for(with_property({"$ref": "#/$defs/nowhere"})))
    assert "không trỏ tới chỗ nào" in errors["/schema/properties/a/$ref"]


def test_ref_to_an_unknown_anchor_is_an_error() -> None:
    errors = errors_at(problems_for(with_property({"$ref": "#no-such-anchor"})))
    assert "/schema/properties/a/$ref" in errors


def test_ref_into_a_non_schema_value_is_an_error() -> None:
    errors = errors_at(problems_for(with_property({"$ref": "#/required/0"}, required=["a"])))
    assert "/schema/properties/a/$ref" in errors


def test_local_refs_and_embedded_ids_are_accepted() -> None:
    schema = {
        "$id": "https://forms.example.gov.vn/ho-tich",
        "type": "object",
        "$defs": {
            "parent": {"$id": "parent", "type": "object"},
            "name": {"$anchor": "ten", "type": "string"},
        },
        "properties": {
            "mother": {"$ref": "#/$defs/parent"},
            "father": {"$ref": "parent"},
            "guardian": {"$ref": "https://forms.example.gov.vn/parent"},
            "nick": {"$ref": "#ten"},
        },
    }
    assert problems_for(schema) == []


def test_draft_07_location_independent_id_resolves() -> None:
    schema = {
        "$schema": DRAFT_07,
        "type": "object",
        "definitions": {"parent": {"$id": "#parent", "type": "object"}},
        "properties": {"mother": {"$ref": "#parent"}, "father": {"$ref": "#/definitions/parent"}},
    }
    assert problems_for(schema) == []


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ("(?<=Mã: )[0-9]+", "lookbehind"),
        ("^(?=.*[0-9]).+$", "lookahead"),
        ("^(a)\\1$", "backreference"),
    ],
)
def test_pattern_re2_cannot_run_is_an_error_saying_why(pattern: str, why: str) -> None:
    errors = errors_at(problems_for(with_property({"type": "string", "pattern": pattern})))
    assert why in errors["/schema/properties/a/pattern"]
    assert "RE2" in errors["/schema/properties/a/pattern"]


def test_pattern_properties_keys_are_compiled_too() -> None:
    schema = {"type": "object", "patternProperties": {"^ok_[a-z]+$": {}, "(?<!x)y": {"type": "string"}}}
    errors = errors_at(problems_for(schema))
    assert list(errors) == ["/schema/patternProperties/(?<!x)y"]


def test_pattern_inside_defs_and_array_items_is_found() -> None:
    schema = {
        "type": "object",
        "$defs": {"d": {"type": "string", "pattern": "(?=x)"}},
        "properties": {"list": {"type": "array", "items": {"type": "string", "pattern": "(a)\\1"}}},
    }
    assert set(errors_at(problems_for(schema))) == {
        "/schema/$defs/d/pattern",
        "/schema/properties/list/items/pattern",
    }


def test_nested_quantifier_is_accepted_because_re2_runs_it_in_linear_time() -> None:
    # catastrophic in Python's re (JS-02), harmless in RE2; refusing it would only annoy admins
    problems = problems_for(with_property({"type": "string", "pattern": "^([0-9]+)+$"}))
    assert errors_at(problems) == {}


@pytest.mark.parametrize("escape", ["\\d", "\\w", "\\D", "\\W"])
def test_ascii_only_class_escape_is_a_warning_suggesting_explicit_ranges(escape: str) -> None:
    problems = problems_for(with_property({"type": "string", "pattern": f"^{escape}{{12}}$"}))
    assert errors_at(problems) == {}
    warning = warnings_at(problems)["/schema/properties/a/pattern"]
    assert "[0-9]" in warning
    assert "\\p{L}" in warning


def test_escaped_backslash_followed_by_d_is_not_a_digit_class() -> None:
    problems = problems_for(with_property({"type": "string", "pattern": "^C:\\\\data$"}))
    assert problems == []


def test_unicode_letter_class_is_accepted() -> None:
    assert problems_for(with_property({"type": "string", "pattern": "^[\\p{L} ]+$"})) == []


def test_unknown_dialect_is_an_error() -> None:
    errors = errors_at(problems_for({"$schema": "http://json-schema.org/draft-04/schema#", "type": "object"}))
    assert list(errors) == ["/schema/$schema"]


def test_array_items_is_valid_in_draft_07_but_not_in_2020_12() -> None:
    tuple_items = {"type": "array", "items": [{"type": "string"}, {"type": "integer"}]}
    assert problems_for({"$schema": DRAFT_07, **with_property(tuple_items)}) == []
    errors = errors_at(problems_for(with_property(tuple_items)))
    assert list(errors) == ["/schema/properties/a/items"]


def test_dependent_required_is_checked_in_2020_12_and_ignored_in_draft_07() -> None:
    # draft-07 has no dependentRequired: the keyword is an unknown annotation there
    bad = {"type": "object", "dependentRequired": {"a": "b"}}
    assert problems_for({"$schema": DRAFT_07, **bad}) == []
    assert "/schema/dependentRequired/a" in errors_at(problems_for(bad))


def test_definitions_must_be_an_object_in_draft_07() -> None:
    errors = errors_at(problems_for({"$schema": DRAFT_07, "type": "object", "definitions": 5}))
    assert list(errors) == ["/schema/definitions"]


def test_metaschema_error_points_at_the_exact_keyword() -> None:
    errors = errors_at(problems_for({"type": "object", "properties": {"age": {"type": "integer", "minimum": "0"}}}))
    assert list(errors) == ["/schema/properties/age/minimum"]
    assert "Sai kiểu" in errors["/schema/properties/age/minimum"]


def test_unknown_type_name_points_at_the_type() -> None:
    errors = errors_at(problems_for(with_property({"type": "strin"})))
    assert list(errors) == ["/schema/properties/a/type"]


def test_root_must_be_an_object_schema() -> None:
    assert list(errors_at(problems_for({"type": "array"}))) == ["/schema/type"]
    assert list(errors_at(problems_for({"type": "string"}))) == ["/schema/type"]
    assert list(errors_at(problems_for(True))) == ["/schema"]


OBJECT = {"type": "object", "properties": {"a": {"type": "string"}}}


@pytest.mark.parametrize(
    "schema",
    [
        {"properties": {"a": {"type": "string"}}, "required": ["a"]},
        {"$ref": "#/$defs/form", "$defs": {"form": OBJECT}},
        {"allOf": [OBJECT, {"required": ["a"]}]},
        {"$schema": DRAFT_07, "$ref": "#/definitions/form", "definitions": {"form": OBJECT}},
    ],
    ids=["properties", "ref", "allOf", "draft-07 ref"],
)
def test_root_without_type_that_renders_as_an_object_is_accepted(schema: dict[str, Any]) -> None:
    assert problems_for(schema) == []


@pytest.mark.parametrize("schema", [{}, {"title": "Trống", "description": "Không có câu hỏi"}])
def test_root_without_type_or_questions_is_a_warning(schema: dict[str, Any]) -> None:
    problems = problems_for(schema)
    assert errors_at(problems) == {}
    assert list(warnings_at(problems)) == ["/schema"]


@pytest.mark.parametrize(
    "schema",
    [
        {"$ref": "#/$defs/answer", "$defs": {"answer": {"type": "string"}}},
        {"items": {"type": "string"}},
        {"enum": ["a", "b"]},
    ],
    ids=["ref to a string", "array", "enum"],
)
def test_root_without_type_that_is_not_an_object_is_an_error(schema: dict[str, Any]) -> None:
    errors = errors_at(problems_for(schema))
    assert list(errors) == ["/schema"]
    assert "(root must be an object" in errors["/schema"]


def nested(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    inner = schema
    for _ in range(levels):
        inner["properties"] = {"a": {"type": "object"}}
        inner = inner["properties"]["a"]
    return schema


def test_schema_deeper_than_the_limit_is_an_error_at_the_first_too_deep_place() -> None:
    # each level of fields is two JSON levels: "properties", then the field
    allowed = (MAX_DEPTH - 1) // 2
    assert problems_for(nested(allowed)) == []
    errors = errors_at(problems_for(nested(allowed + 1)))
    (where,) = errors
    assert where.startswith("/schema/properties/a/properties/a")
    # "/schema" then 64 steps down: the container on level 65
    assert where.count("/") == 1 + MAX_DEPTH


def test_schema_larger_than_512_kb_is_an_error() -> None:
    big = {f"f{i}": {"type": "string", "title": "x" * 200} for i in range(3000)}
    assert list(errors_at(problems_for({"type": "object", "properties": big}))) == ["/schema"]


def test_self_referential_ref_cycle_is_an_error_at_the_looping_ref() -> None:
    schema = {"type": "object", "$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    errors = errors_at(problems_for(schema))
    assert list(errors) == ["/schema/$defs/a/$ref"]
    assert "vòng tròn" in errors["/schema/$defs/a/$ref"]


def test_cycle_through_all_of_and_any_of_is_an_error() -> None:
    schema = {
        "type": "object",
        "$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}},
        "properties": {"x": {"$ref": "#/$defs/a"}},
    }
    assert list(errors_at(problems_for(schema))) == ["/schema/$defs/a/allOf/0/$ref"]


def test_ref_to_the_root_from_the_root_is_a_cycle() -> None:
    assert list(errors_at(problems_for({"type": "object", "allOf": [{"$ref": "#"}]}))) == ["/schema/allOf/0/$ref"]


def test_recursion_through_the_data_is_allowed() -> None:
    schema = {
        "type": "object",
        "$defs": {
            "person": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "children": {"type": "array", "items": {"$ref": "#/$defs/person"}},
                },
            }
        },
        "properties": {"ancestor": {"$ref": "#/$defs/person"}},
    }
    assert problems_for(schema) == []


def test_id_that_is_not_a_uri_is_an_error_at_that_id() -> None:
    schema = with_property({"$id": "http://[broken", "type": "string"})
    assert list(errors_at(problems_for(schema))) == ["/schema/properties/a/$id"]


def test_fragment_ref_resolves_under_a_urn_id() -> None:
    schema = {
        "$id": "urn:vn:ho-tich",
        "type": "object",
        "properties": {"a": {"$ref": "#/properties/b"}, "b": {}},
    }
    assert problems_for(schema) == []


_KEYWORDS = st.sampled_from(
    ["type", "properties", "items", "$ref", "$defs", "pattern", "patternProperties", "allOf", "not", "if",
     "then", "$id", "$anchor", "required", "ui:widget", "ui:options", "ui:pages", "dependencies", "a"]
)  # fmt: skip
_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=6),
    st.sampled_from(["#", "#/$defs/a", "object", "http://x/y", "http://[x", "urn:x", "(?<=a)", "\\d", DRAFT_07]),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYWORDS, inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, database=None)
@given(schema=_JSON, ui_schema=_JSON, procedure=_JSON)
def test_any_json_gives_problems_never_an_exception(schema: Any, ui_schema: Any, procedure: Any) -> None:
    if isinstance(schema, dict):
        schema = {"type": "object", **schema}
    problems = check_definition({"procedure": procedure, "schema": schema, "uiSchema": ui_schema})
    assert all(isinstance(problem, Problem) for problem in problems)


@settings(max_examples=150, deadline=None, database=None)
@given(schema=st.dictionaries(_KEYWORDS, _JSON, max_size=4))
def test_a_root_without_type_gives_problems_never_an_exception(schema: dict[str, Any]) -> None:
    schema.pop("type", None)  # the renderer decides what an untyped root is, at import
    problems = check_definition({"procedure": copy.deepcopy(PROCEDURE), "schema": schema})
    assert all(isinstance(problem, Problem) for problem in problems)


def test_an_inner_schema_of_another_dialect_is_an_error_and_a_repeat_is_fine() -> None:
    # Another dialect inside would be validated by jsonschema's stock class, with Python's re (JS-02).
    other = {"type": "object", "properties": {"a": {"$schema": DRAFT_07, "type": "string", "pattern": "^(a+)+$"}}}
    assert "/schema/properties/a/$schema" in errors_at(problems_for(other))
    same = {
        "type": "object",
        "properties": {"a": {"$schema": "https://json-schema.org/draft/2020-12/schema#", "type": "string"}},
    }
    assert errors_at(problems_for(same)) == {}
