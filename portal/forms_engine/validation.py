"""JSON Schema validators for admin-authored forms: no remote $ref, asserted formats, RE2 patterns, cached."""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from typing import Any

import re2
import referencing
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker, ValidationError, validators
from jsonschema.protocols import Validator

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DRAFT_07 = "http://json-schema.org/draft-07/schema"

_RE2_OPTIONS = re2.Options()
# A bad admin pattern is reported as a validation error; RE2 would also print it to stderr on every compile.
_RE2_OPTIONS.log_errors = False


class PatternError(ValueError):
    """An admin pattern RE2 cannot compile (lookaround, backreference, ...)."""


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """Compile an ECMA-style schema pattern with RE2, which runs in linear time (threats JS-02)."""
    try:
        return re2.compile(pattern, options=_RE2_OPTIONS)
    except re2.error as exc:  # type: ignore[attr-defined]
        raise PatternError(f"pattern {pattern!r} is not supported: {exc}") from None


def pattern_search(pattern: str, text: str) -> bool:
    """True when RE2 finds `pattern` in `text` (JSON Schema patterns are unanchored)."""
    return compile_pattern(pattern).search(text) is not None


# --- formats -------------------------------------------------------------------------------------------

_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)
_TIME = re.compile(r"(\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))", re.ASCII)
# Deliberately plain: one @, no spaces, a dotted domain; the mailbox itself proves an address.
_EMAIL = re.compile(
    r"[^@\s\"(),:;<>\[\\\]]{1,64}@(?=.{1,253}$)[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]{0,62})(?:\.[A-Za-z0-9\u00a0-\uffff](?:[A-Za-z0-9\u00a0-\uffff-]{0,62}))+"
)
_URI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+", re.ASCII)


def is_date(value: object) -> bool:
    """RFC 3339 full-date that exists on the calendar: "2024-02-29" yes, "2024-02-30" no."""
    if not isinstance(value, str):
        return True
    match = _DATE.fullmatch(value)
    if not match:
        return False
    try:
        dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return False
    return True


def is_time(value: object) -> bool:
    """RFC 3339 full-time: hours, minutes, seconds and an offset ("10:30:00+07:00", leap second allowed)."""
    if not isinstance(value, str):
        return True
    match = _TIME.fullmatch(value)
    if not match:
        return False
    hour, minute, second = int(match[1]), int(match[2]), int(match[3])
    if match[6] is not None and (int(match[6]) > 23 or int(match[7]) > 59):
        return False
    return hour <= 23 and minute <= 59 and second <= 60


def is_date_time(value: object) -> bool:
    """RFC 3339 date-time: full-date "T" full-time."""
    if not isinstance(value, str):
        return True
    if len(value) < 11 or value[10] not in "Tt":
        return False
    return is_date(value[:10]) and is_time(value[11:])


def is_email(value: object) -> bool:
    """A sane address: local@domain.tld, no spaces or brackets."""
    if not isinstance(value, str):
        return True
    return len(value) <= 254 and _EMAIL.fullmatch(value) is not None


def is_uri(value: object) -> bool:
    """An absolute URI: a scheme, a colon and something after it, no spaces."""
    if not isinstance(value, str):
        return True
    return _URI.fullmatch(value) is not None


def is_regex(value: object) -> bool:
    """A pattern RE2 compiles, because that is the engine that will run it."""
    if not isinstance(value, str):
        return True
    try:
        compile_pattern(value)
    except PatternError:
        return False
    return True


def _format_checker() -> FormatChecker:
    checker = FormatChecker()
    for name, func in (
        ("date", is_date),
        ("time", is_time),
        ("date-time", is_date_time),
        ("email", is_email),
        ("idn-email", is_email),
        ("uri", is_uri),
        ("iri", is_uri),
        ("regex", is_regex),
    ):
        checker.checks(name)(func)
    return checker


FORMAT_CHECKER = _format_checker()


# --- keywords that must not use Python's `re`, and that should point at the missing field --------------


def _pattern(validator: Any, patrn: str, instance: Any, schema: Mapping[str, Any]) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "string"):
        return
    try:
        found = pattern_search(patrn, instance)
    except PatternError as exc:
        yield ValidationError(str(exc))
        return
    if not found:
        yield ValidationError(f"{instance!r} does not match the field's pattern")


def _matches_any(patterns: Any, key: str) -> bool:
    for patrn in patterns:
        try:
            if pattern_search(patrn, key):
                return True
        except PatternError:
            continue
    return False


def _pattern_properties(
    validator: Any, pprops: Mapping[str, Any], instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for patrn, subschema in pprops.items():
        try:
            compile_pattern(patrn)
        except PatternError as exc:
            yield ValidationError(str(exc))
            continue
        for key, value in instance.items():
            if pattern_search(patrn, key):
                yield from validator.descend(value, subschema, path=key, schema_path=patrn)


def _additional_keys(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> list[str]:
    properties = schema.get("properties", {})
    patterns = schema.get("patternProperties", {})
    return [key for key in instance if key not in properties and not (patterns and _matches_any(patterns, key))]


def _additional_properties(validator: Any, aprops: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    extras = _additional_keys(instance, schema)
    if validator.is_type(aprops, "object"):
        for extra in extras:
            yield from validator.descend(instance[extra], aprops, path=extra)
    elif not aprops:
        # One error per unexpected key, located at that key, so the API can name it.
        for extra in sorted(extras, key=str):
            yield ValidationError(f"{extra!r} is not expected here", path=[extra])


def _evaluated_keys(validator: Any, instance: Mapping[str, Any], schema: Any) -> list[str]:
    """jsonschema's find_evaluated_property_keys_by_schema, with RE2 for patternProperties."""
    if validator.is_type(schema, "boolean"):
        return []
    keys: list[str] = []
    for ref_keyword in ("$ref", "$dynamicRef"):
        ref = schema.get(ref_keyword)
        if ref is not None:
            resolved = validator._resolver.lookup(ref)
            keys += _evaluated_keys(
                validator.evolve(schema=resolved.contents, _resolver=resolved.resolver),
                instance,
                resolved.contents,
            )
    properties = schema.get("properties")
    if validator.is_type(properties, "object"):
        keys += properties.keys() & instance.keys()
    for keyword in ("additionalProperties", "unevaluatedProperties"):
        subschema = schema.get(keyword)
        if subschema is not None:
            keys += (k for k, v in instance.items() if next(validator.descend(v, subschema), None) is None)
    if "patternProperties" in schema:
        keys += (k for k in instance if _matches_any(schema["patternProperties"], k))
    for prop, subschema in schema.get("dependentSchemas", {}).items():
        if prop in instance:
            keys += _evaluated_keys(validator, instance, subschema)
    for keyword in ("allOf", "oneOf", "anyOf"):
        for subschema in schema.get(keyword, []):
            if next(validator.descend(instance, subschema), None) is None:
                keys += _evaluated_keys(validator, instance, subschema)
    if "if" in schema:
        if validator.evolve(schema=schema["if"]).is_valid(instance):
            keys += _evaluated_keys(validator, instance, schema["if"])
            if "then" in schema:
                keys += _evaluated_keys(validator, instance, schema["then"])
        elif "else" in schema:
            keys += _evaluated_keys(validator, instance, schema["else"])
    return keys


def _unevaluated_properties(validator: Any, uprops: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    evaluated = set(_evaluated_keys(validator, instance, schema))
    for key in instance:
        if key in evaluated:
            continue
        if uprops is False:
            yield ValidationError(f"{key!r} is not expected here", path=[key])
        else:
            yield from validator.descend(instance[key], uprops, path=key, schema_path=key)


def _required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for prop in required:
        if prop not in instance:
            # The error sits at the missing field, not at its parent (interfaces.md).
            yield ValidationError(f"{prop!r} is a required property", path=[prop])


def _dependent_required(validator: Any, dependent: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for prop, needed in dependent.items():
        if prop in instance:
            for each in needed:
                if each not in instance:
                    yield ValidationError(f"{each!r} is required when {prop!r} is given", path=[each])


def _dependencies_draft7(validator: Any, dependencies: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for prop, dependency in dependencies.items():
        if prop not in instance:
            continue
        if validator.is_type(dependency, "array"):
            for each in dependency:
                if each not in instance:
                    yield ValidationError(f"{each!r} is required when {prop!r} is given", path=[each])
        else:
            yield from validator.descend(instance, dependency, schema_path=prop)


_COMMON = {
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "additionalProperties": _additional_properties,
    "required": _required,
}
_SafeDraft202012 = validators.extend(
    Draft202012Validator,
    {**_COMMON, "unevaluatedProperties": _unevaluated_properties, "dependentRequired": _dependent_required},
)
_SafeDraft7 = validators.extend(Draft7Validator, {**_COMMON, "dependencies": _dependencies_draft7})


def dialect_of(schema: Any) -> str:
    """ "2020-12" or "draft-07", from `$schema` (2020-12 when absent); anything else is refused."""
    uri = schema.get("$schema") if isinstance(schema, Mapping) else None
    if uri is None or uri.rstrip("#") == DRAFT_2020_12:
        return "2020-12"
    if uri.rstrip("#") == DRAFT_07:
        return "draft-07"
    raise ValueError(f"unsupported $schema {uri!r}: use draft 2020-12 or draft-07")


def canonical_json(value: Any) -> str:
    """Stable text for a JSON value, used as a cache key."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


_CACHE: dict[str, Validator] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_MAX = 256


def make_validator(schema: Any) -> Validator:
    """A validator in the schema's dialect: never fetches a $ref, asserts formats, runs patterns in RE2.

    Raises ValueError for an unknown `$schema` and jsonschema.SchemaError for a schema its dialect rejects.
    Instances are cached by the schema's canonical JSON and are safe to share between threads.
    """
    key = canonical_json(schema)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    cls = _SafeDraft7 if dialect_of(schema) == "draft-07" else _SafeDraft202012
    # A schema its own dialect rejects (e.g. draft-07 tuple `items` under 2020-12) would crash mid-validation.
    cls.check_schema(schema)
    # An empty Registry has no retriever: http:, https: and file: references are unresolvable (threats JS-01);
    # references to `$id`s embedded in the document are still found, because the root is crawled on lookup.
    validator = cls(schema, registry=referencing.Registry(), format_checker=FORMAT_CHECKER)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = validator
    return validator
