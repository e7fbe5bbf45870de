"""make_validator and `$vocabulary`: a custom 2020-12 metaschema's vocabularies decide which keywords apply.

Only a registry the caller passes can hold such a metaschema; the server passes none, so there a custom `$schema`
is still refused (docs/decisions/0003-json-schema-conformance.md).
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import referencing
import referencing.jsonschema
from jsonschema import SchemaError

from portal.forms_engine import dialect_of, make_validator
from portal.forms_engine.definition import check_definition
from portal.forms_engine.validation import VocabularyError

DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"
VOCAB = "https://json-schema.org/draft/2020-12/vocab/"
META = "https://json-schema.org/draft/2020-12/meta/"
BASE = "https://metaschemas.example/"


def metaschema(name: str, vocabularies: dict[str, bool], **extra: Any) -> dict[str, Any]:
    """A 2020-12 metaschema declaring `vocabularies` ("core", "validation", … or a full URI) and made of their meta/."""
    declared = {vocab if ":" in vocab else VOCAB + vocab: required for vocab, required in vocabularies.items()}
    known = [vocab.removeprefix(VOCAB) for vocab in declared if vocab.startswith(VOCAB)]
    return {
        "$schema": DRAFT_2020,
        "$id": BASE + name,
        "$vocabulary": declared,
        "$dynamicAnchor": "meta",
        "allOf": [{"$ref": META + vocab} for vocab in known],
        **extra,
    }


def registry_of(*metaschemas: dict[str, Any]) -> referencing.Registry[Any]:
    return referencing.Registry().with_resources(
        (schema["$id"], referencing.jsonschema.DRAFT202012.create_resource(schema)) for schema in metaschemas
    )


NO_VALIDATION = metaschema("no-validation", {"core": True, "applicator": True})
FULL = metaschema(
    "full",
    {
        vocab: True
        for vocab in ("core", "applicator", "unevaluated", "validation", "meta-data", "format-annotation", "content")
    },
)
OPTIONAL_UNKNOWN = metaschema(
    "optional-unknown", {"core": True, "validation": True, "https://vocab.example/custom": False}
)
REQUIRED_UNKNOWN = metaschema(
    "required-unknown", {"core": True, "validation": True, "https://vocab.example/custom": True}
)
FORMAT_ASSERTION = metaschema("format-assertion", {"core": True, "format-assertion": True})
FORMAT_ANNOTATION = metaschema("format-annotation", {"core": True, "format-annotation": True})
REGISTRY = registry_of(NO_VALIDATION, FULL, OPTIONAL_UNKNOWN, REQUIRED_UNKNOWN, FORMAT_ASSERTION, FORMAT_ANNOTATION)


def validator(dialect: dict[str, Any], schema: dict[str, Any], registry: Any = REGISTRY, **kwargs: Any) -> Any:
    return make_validator({"$schema": dialect["$id"], **schema}, registry=registry, **kwargs)


NUMBERS = {"properties": {"bad": False, "number": {"minimum": 10}}}


def test_without_the_validation_vocabulary_minimum_is_inert_but_properties_applies() -> None:
    inert = validator(NO_VALIDATION, NUMBERS)
    assert inert.is_valid({"number": 1})
    assert not inert.is_valid({"bad": "x"})
    # The same schema under a metaschema that declares validation: minimum applies again.
    assert not validator(FULL, NUMBERS).is_valid({"number": 1})


def test_without_the_validation_vocabulary_type_required_and_pattern_are_inert() -> None:
    schema = {"type": "object", "required": ["name"], "properties": {"name": {"pattern": "^[a-z]+$"}}}
    assert validator(NO_VALIDATION, schema).is_valid([])
    assert validator(NO_VALIDATION, schema).is_valid({"name": "123"})
    assert not validator(FULL, schema).is_valid({"name": "123"})


def test_without_the_validation_vocabulary_contains_ignores_min_and_max_contains() -> None:
    schema = {"contains": {"const": 1}, "minContains": 3, "maxContains": 1}
    # `const` is validation too, so inside `contains` everything matches: one item is enough, five are not too many.
    assert validator(NO_VALIDATION, schema).is_valid([5])
    assert validator(NO_VALIDATION, schema).is_valid([1, 1, 1, 1, 1])
    assert not validator(NO_VALIDATION, schema).is_valid([])
    assert not validator(FULL, schema).is_valid([1])


def test_without_the_applicator_vocabulary_properties_is_inert() -> None:
    assert validator(OPTIONAL_UNKNOWN, {"type": "object", "properties": {"a": False}}).is_valid({"a": 1})


def test_an_unknown_optional_vocabulary_is_ignored() -> None:
    number = validator(OPTIONAL_UNKNOWN, {"type": "number"})
    assert number.is_valid(20)
    assert not number.is_valid("twenty")


def test_an_unknown_required_vocabulary_is_refused() -> None:
    with pytest.raises(VocabularyError, match=re.escape("requires vocabulary 'https://vocab.example/custom'")):
        validator(REQUIRED_UNKNOWN, {"type": "number"})


def test_a_vocabulary_error_is_a_value_error_like_an_unknown_dialect() -> None:
    assert issubclass(VocabularyError, ValueError)


def test_a_metaschema_without_vocabulary_is_refused() -> None:
    bare = {"$schema": DRAFT_2020, "$id": BASE + "bare", "$ref": DRAFT_2020}
    with pytest.raises(VocabularyError, match=r"declares no \$vocabulary"):
        validator(bare, {"type": "number"}, registry=registry_of(bare))


def test_a_metaschema_that_is_not_2020_12_is_refused() -> None:
    draft7 = {**metaschema("draft7-based", {"core": True}), "$schema": "http://json-schema.org/draft-07/schema#"}
    with pytest.raises(VocabularyError, match="must itself declare"):
        validator(draft7, {"type": "number"}, registry=registry_of(draft7))


def test_unevaluated_without_applicator_is_refused() -> None:
    odd = metaschema("unevaluated-only", {"core": True, "unevaluated": True})
    with pytest.raises(VocabularyError, match="without the applicator"):
        validator(odd, {"unevaluatedProperties": False}, registry=registry_of(odd))


def test_a_metaschema_whose_refs_are_missing_is_refused_without_fetching() -> None:
    dangling = metaschema("dangling", {"core": True}, allOf=[{"$ref": "https://metaschemas.example/missing"}])
    with pytest.raises(VocabularyError, match="cannot be followed"):
        validator(dangling, {}, registry=registry_of(dangling))


def test_a_schema_is_checked_against_its_custom_metaschema() -> None:
    # meta/applicator says `properties` holds schemas; 5 is not one.
    with pytest.raises(SchemaError):
        validator(NO_VALIDATION, {"properties": {"a": 5}})


def test_patterns_still_run_on_re2_under_a_custom_metaschema() -> None:
    schema = {"properties": {"a": {"pattern": "^(?=a)a$"}}}
    (error,) = validator(FULL, schema).iter_errors({"a": "a"})
    assert "not supported" in error.message


def test_format_assertion_vocabulary_asserts_formats_even_as_annotation_run() -> None:
    assert not validator(FORMAT_ASSERTION, {"format": "date"}, assert_formats=False).is_valid("2024-02-30")
    assert validator(FORMAT_ANNOTATION, {"format": "date"}, assert_formats=False).is_valid("2024-02-30")
    assert not validator(FORMAT_ANNOTATION, {"format": "date"}).is_valid("2024-02-30")
    # Neither format vocabulary: `format` is not a keyword at all.
    assert validator(NO_VALIDATION, {"format": "date"}).is_valid("2024-02-30")


def test_validator_classes_are_built_once_per_metaschema() -> None:
    first = validator(NO_VALIDATION, {"properties": {"a": False}})
    second = validator(NO_VALIDATION, {"properties": {"b": {"minimum": 1}}})
    assert type(first) is type(second)
    assert type(first) is not type(validator(FULL, {}))
    assert first.META_SCHEMA == NO_VALIDATION


def test_two_registries_with_different_metaschemas_under_one_uri_do_not_share_a_class() -> None:
    other = copy.deepcopy(FULL)
    other["$id"] = NO_VALIDATION["$id"]
    schema = {"properties": {"number": {"minimum": 10}}}
    assert not validator(NO_VALIDATION, schema, registry=registry_of(other)).is_valid({"number": 1})
    assert validator(NO_VALIDATION, schema).is_valid({"number": 1})


def test_ids_and_refs_keep_their_2020_12_meaning_under_a_custom_metaschema() -> None:
    schema = {
        "$id": "https://forms.example/root",
        "properties": {"a": {"$ref": "item"}},
        "$defs": {"item": {"$id": "item", "properties": {"x": False}}},
    }
    assert not validator(NO_VALIDATION, schema).is_valid({"a": {"x": 1}})


# --- the server passes no registry: a custom `$schema` resolves nowhere and is refused, as before ----------


def test_the_server_refuses_a_custom_metaschema() -> None:
    schema = {"$schema": NO_VALIDATION["$id"], **NUMBERS}
    with pytest.raises(ValueError, match=r"unsupported \$schema"):
        make_validator(schema)
    with pytest.raises(ValueError, match=r"unsupported \$schema"):
        dialect_of(schema)


def test_a_registry_without_the_metaschema_refuses_as_before() -> None:
    with pytest.raises(ValueError, match=r"unsupported \$schema") as refused:
        make_validator({"$schema": NO_VALIDATION["$id"]}, registry=registry_of(FULL))
    assert not isinstance(refused.value, VocabularyError)


def test_import_still_reports_a_custom_metaschema_as_unknown() -> None:
    schema = {"$schema": NO_VALIDATION["$id"], "type": "object", "properties": {}}
    problems = check_definition({"schema": schema})
    assert any(p.pointer == "/schema/$schema" and "(unknown $schema)" in p.message for p in problems)
