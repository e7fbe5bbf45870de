"""make_validator: dialects, asserted formats, no remote $ref, RE2 patterns, recursion, caching."""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import referencing.exceptions
from jsonschema import Draft7Validator, Draft202012Validator

from portal.forms_engine import compile_form, make_validator
from portal.forms_engine.validation import is_date, is_date_time, is_email, is_time, is_uri

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
DRAFT_2020 = "https://json-schema.org/draft/2020-12/schema"


def errors(schema: Any, instance: Any) -> list[Any]:
    return list(make_validator(schema).iter_errors(instance))


@pytest.mark.parametrize(
    ("uri", "base"),
    [
        (None, Draft202012Validator),
        (DRAFT_2020, Draft202012Validator),
        (DRAFT_07, Draft7Validator),
        (DRAFT_07[:-1], Draft7Validator),
    ],
)
def test_dialect_follows_dollar_schema(uri: str | None, base: type) -> None:
    schema = {"type": "string"} if uri is None else {"$schema": uri, "type": "string"}
    assert make_validator(schema).META_SCHEMA == base.META_SCHEMA


def test_unknown_dialect_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported"):
        make_validator({"$schema": "http://json-schema.org/draft-04/schema#"})


def test_keywords_are_read_in_the_schemas_own_dialect() -> None:
    # dependentRequired exists in 2020-12 only; draft-07 spells it `dependencies`.
    dependent = {"dependentRequired": {"a": ["b"]}}
    assert errors(dependent, {"a": 1}) and not errors({"$schema": DRAFT_07, **dependent}, {"a": 1})
    legacy = {"$schema": DRAFT_07, "dependencies": {"a": ["b"]}}
    assert [list(e.path) for e in errors(legacy, {"a": 1})] == [["b"]]


def test_validators_are_cached_by_content() -> None:
    assert make_validator({"type": "string", "minLength": 1}) is make_validator({"minLength": 1, "type": "string"})


# --- formats (threats JS-06) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-1-01",
        "24-01-01",
        "2024-01-01T00:00:00Z",
        "０２０２４-01-01",
    ],
)
def test_impossible_or_malformed_dates_fail(value: str) -> None:
    assert not is_date(value)
    assert errors({"type": "string", "format": "date"}, value)


def test_leap_day_is_a_date() -> None:
    assert is_date("2024-02-29") and not errors({"format": "date"}, "2024-02-29")


def test_format_is_asserted_in_draft_07_too() -> None:
    assert errors({"$schema": DRAFT_07, "format": "date"}, "2024-02-30")


@pytest.mark.parametrize(
    ("check", "good", "bad"),
    [
        (
            is_time,
            ["10:30:00+07:00", "23:59:60Z", "08:00:00.5z"],
            ["10:30", "10:30:00", "24:00:00Z", "10:61:00Z", "10:30:00+25:00"],
        ),
        (
            is_date_time,
            ["2024-02-29T10:30:00+07:00", "2024-01-01t00:00:00Z"],
            ["2024-02-30T10:00:00Z", "2024-01-01 10:00:00Z", "2024-01-01T10:00"],
        ),
        (
            is_email,
            ["an.nguyen@example.com", "ánh@bưuđiện.vn"],
            ["an", "an@", "@example.com", "an@example", "a n@example.com", "a@b@c.vn"],
        ),
        (
            is_uri,
            ["https://dichvucong.gov.vn/p", "mailto:a@b.vn", "urn:isbn:123"],
            ["dichvucong.gov.vn", "/relative/path", "https://a b", ""],
        ),
    ],
)
def test_format_checks(check: Any, good: list[str], bad: list[str]) -> None:
    assert all(check(v) for v in good), [v for v in good if not check(v)]
    assert not any(check(v) for v in bad), [v for v in bad if check(v)]


def test_formats_ignore_non_strings() -> None:
    assert not errors({"format": "date"}, 20240101)


# --- $ref: local only (threats JS-01) ----------------------------------------------------------------------


class _Recorder(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012  (shared on purpose: the test reads what the server saw)

    def do_GET(self) -> None:
        self.hits.append(self.path)
        body = b'{"type": "string"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.hits = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/schema.json"
    finally:
        server.shutdown()
        server.server_close()


def test_remote_ref_is_never_fetched(local_server: str) -> None:
    schema = {"properties": {"x": {"$ref": local_server}}}
    with pytest.raises(referencing.exceptions.Unresolvable):
        errors(schema, {"x": 1})
    assert _Recorder.hits == []


def test_remote_ref_becomes_a_field_error_not_a_fetch(local_server: str) -> None:
    # The renderer never looks inside `not`, so only validation meets this reference.
    spec = compile_form({"type": "object", "properties": {"x": {"type": "string"}}, "not": {"$ref": local_server}})
    found = spec.validate({"x": "a"})
    assert [(e.pointer, e.keyword) for e in found] == [("", "$ref")]
    assert _Recorder.hits == []


def test_unreachable_ref_raises_instead_of_connecting() -> None:
    with pytest.raises(referencing.exceptions.Unresolvable):
        errors({"$ref": "http://127.0.0.1:9/x"}, 1)


def test_file_ref_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"type": "integer", "description": "TOP SECRET"}', encoding="utf-8")
    for ref in (secret.as_uri(), "file:///etc/passwd"):
        with pytest.raises(referencing.exceptions.Unresolvable) as caught:
            errors({"$ref": ref}, "x")
        assert "TOP SECRET" not in str(caught.value)


def test_compile_form_refuses_a_ref_that_leaves_the_document() -> None:
    from portal.forms_engine import FormSchemaError

    with pytest.raises(FormSchemaError, match="does not point inside"):
        compile_form({"type": "object", "properties": {"x": {"$ref": "http://127.0.0.1:9/x"}}})


def test_local_and_embedded_id_refs_resolve() -> None:
    bundled = {
        "$schema": DRAFT_2020,
        "$id": "https://example.test/root",
        "$defs": {
            "int": {"$id": "https://example.test/int", "type": "integer"},
            "nonneg": {"minimum": 0},
        },
        "properties": {"n": {"allOf": [{"$ref": "/int"}, {"$ref": "#/$defs/nonneg"}]}},
    }
    assert not errors(bundled, {"n": 3})
    assert {e.validator for e in errors(bundled, {"n": -1.5})} == {"type", "minimum"}
    legacy = {
        "$schema": DRAFT_07,
        "definitions": {"s": {"$id": "/schemas/s", "type": "string"}},
        "properties": {"a": {"$ref": "#/definitions/s"}},
    }
    assert errors(legacy, {"a": 1}) and not errors(legacy, {"a": "x"})


def test_self_referential_schema_becomes_an_error_not_a_crash() -> None:
    schema = {"$defs": {"a": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}
    with pytest.raises(RecursionError):
        errors(schema, 1)  # what jsonschema itself does (threats JS-04)
    from portal.forms_engine import FormSchemaError

    with pytest.raises(FormSchemaError, match="loop"):
        compile_form(
            {
                "type": "object",
                "properties": {"x": {"$ref": "#/$defs/a"}},
                "$defs": {"a": {"$ref": "#/$defs/a"}},
            }
        )


def test_validate_turns_recursion_into_a_field_error() -> None:
    # Renderable (the loop is inside `not`, which the UI ignores) but endless for the validator.
    schema = {
        "type": "object",
        "properties": {"x": {"type": "string"}},
        "not": {"$ref": "#/$defs/a"},
        "$defs": {"a": {"$ref": "#/$defs/a"}},
    }
    spec = compile_form(schema)
    found = spec.validate({"x": "a"})
    assert [(e.pointer, e.keyword) for e in found] == [("", "$ref")]
    assert "cấu hình" in found[0].message


# --- patterns: RE2, linear time (threats JS-02, JS-03) ------------------------------------------------------


def test_catastrophic_pattern_runs_in_linear_time() -> None:
    validator = make_validator({"type": "string", "pattern": r"^(\d+)+$"})
    started = time.perf_counter()
    found = list(validator.iter_errors("1" * 5000 + "x"))
    elapsed = time.perf_counter() - started
    assert [e.validator for e in found] == ["pattern"]
    assert elapsed < 0.2


def test_catastrophic_pattern_properties_run_in_linear_time() -> None:
    schema = {"patternProperties": {r"^(a+)+$": {"type": "integer"}}, "additionalProperties": False}
    key = "a" * 5000 + "!"
    started = time.perf_counter()
    found = list(make_validator(schema).iter_errors({key: 1, "aaa": "x"}))
    assert time.perf_counter() - started < 0.2
    assert sorted((e.validator, list(e.path)) for e in found) == [
        ("additionalProperties", [key]),
        ("type", ["aaa"]),
    ]


def test_unevaluated_properties_use_re2_too() -> None:
    schema = {"patternProperties": {r"^(a+)+$": True}, "unevaluatedProperties": False}
    started = time.perf_counter()
    found = list(make_validator(schema).iter_errors({"a" * 5000 + "!": 1}))
    assert time.perf_counter() - started < 0.2
    assert [e.validator for e in found] == ["unevaluatedProperties"]


@pytest.mark.parametrize("where", ["properties/a", "$defs/a"])
def test_an_inner_schema_repeating_the_dialect_still_runs_re2(where: str) -> None:
    # jsonschema switches to its stock class (Python re) at an inner $schema; the server reads it as the root's.
    inner = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "string", "pattern": r"^(a+)+$"}
    if where == "$defs/a":
        inner["$id"] = "urn:example:a"
        schema = {"$defs": {"a": inner}, "properties": {"a": {"$ref": "urn:example:a"}}}
    else:
        schema = {"properties": {"a": inner}}
    started = time.perf_counter()
    # 26 letters: seconds in Python's re (the time doubles with each letter), microseconds in RE2.
    found = list(make_validator(schema).iter_errors({"a": "a" * 26 + "!"}))
    assert time.perf_counter() - started < 0.2
    assert [e.validator for e in found] == ["pattern"]


@pytest.mark.parametrize("pattern", [r"^[0-9]{12}$", r"^\d{12}$"])
def test_full_width_digits_are_not_digits(pattern: str) -> None:
    validator = make_validator({"type": "string", "pattern": pattern})
    assert list(validator.iter_errors("０１２３４５６７８９０１"))
    assert not list(validator.iter_errors("012345678901"))


def test_dollar_does_not_match_before_a_trailing_newline() -> None:
    # Python's `$` would accept "012345678901\n"; ECMA and RE2 do not.
    assert errors({"pattern": r"^\d{12}$"}, "012345678901\n")


def test_pattern_re2_cannot_compile_is_an_error_not_a_crash() -> None:
    found = errors({"type": "string", "pattern": r"^(?=a)a$"}, "a")
    assert [e.validator for e in found] == ["pattern"]


def test_required_error_sits_at_the_missing_field() -> None:
    schema = {
        "type": "object",
        "required": ["child"],
        "properties": {"child": {"type": "object", "required": ["full_name"]}},
    }
    assert [list(e.absolute_path) for e in errors(schema, {})] == [["child"]]
    assert [list(e.absolute_path) for e in errors(schema, {"child": {}})] == [["child", "full_name"]]
