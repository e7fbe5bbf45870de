"""JSON Schema validators for admin-authored forms: no remote $ref, asserted formats, RE2 patterns, cached.

Also the keyword tables of custom 2020-12 metaschemas (`$vocabulary`), for schemas whose `$schema` resolves through
a registry the caller supplies; the server supplies none, so there it still accepts only the two dialects.
"""

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
import referencing.exceptions
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker, SchemaError, ValidationError, validators
from jsonschema.protocols import Validator

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DRAFT_07 = "http://json-schema.org/draft-07/schema"

_RE2_OPTIONS = re2.Options()
# A bad admin pattern is reported as a validation error; RE2 would also print it to stderr on every compile.
_RE2_OPTIONS.log_errors = False


class PatternError(ValueError):
    """An admin pattern RE2 cannot compile (lookaround, backreference, ...)."""


class VocabularyError(ValueError):
    """A custom metaschema this validator cannot honour: not 2020-12, no `$vocabulary`, an unknown required one."""


# ECMA-262 spellings RE2 lacks, rewritten before compiling (docs/decisions/0003): Unicode general categories by
# their long name (`\p{Letter}` -> `\p{L}`; RE2 has no `LC` nor `Cn`), the `gc=`/`sc=` property forms, and
# `\uXXXX` (a surrogate pair as one) and `\u{X...}` code point escapes (-> `\x{...}`). Left alone: `\d`, `\w`, `\b`
# (ASCII in both), `^`/`$` (ends of the text in both); RE2's `\s` lacks \v and the Unicode spaces, and its `.`
# matches \r, \u2028 and \u2029; both match code points, not UTF-16 units.
_LONG_CATEGORIES = {
    "Letter": "L", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
    "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Combining_Mark": "M", "Nonspacing_Mark": "Mn",
    "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
    "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc",
    "Dash_Punctuation": "Pd", "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
    "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm",
    "Currency_Symbol": "Sc", "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z",
    "Space_Separator": "Zs", "Line_Separator": "Zl", "Paragraph_Separator": "Zp", "Other": "C", "Control": "Cc",
    "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs", "Private_Use": "Co",
}  # fmt: skip
# An escaped backslash is consumed first, so `\\p{Letter}` (a literal backslash, then "p{Letter}") is kept.
_ECMA_ESCAPE = re.compile(
    r"\\(?:\\|(?P<p>[pP])\{(?:(?:General_Category|gc|Script|sc)=)?(?P<name>[A-Za-z_]+)\}"
    r"|u\{(?P<braced>[0-9A-Fa-f]{1,6})\}|u(?P<high>D[89ABab][0-9A-Fa-f]{2})\\u(?P<low>D[C-Fc-f][0-9A-Fa-f]{2})"
    r"|u(?P<hex>[0-9A-Fa-f]{4}))"
)


def _re2_spelling(match: re.Match[str]) -> str:
    if match["p"]:
        return f"\\{match['p']}{{{_LONG_CATEGORIES.get(match['name'], match['name'])}}}"
    if match["high"]:
        code_point = 0x10000 + ((int(match["high"], 16) - 0xD800) << 10) + int(match["low"], 16) - 0xDC00
        return f"\\x{{{code_point:X}}}"
    if match["braced"] or match["hex"]:
        return f"\\x{{{match['braced'] or match['hex']}}}"
    return match[0]


def ecma_to_re2(pattern: str) -> str:
    r"""The pattern in RE2's syntax: `\p{Letter}` -> `\p{L}`, `\u00C0` -> `\x{00C0}`; all else unchanged."""
    return _ECMA_ESCAPE.sub(_re2_spelling, pattern) if "\\" in pattern else pattern


@functools.lru_cache(maxsize=1024)
def compile_pattern(pattern: str) -> Any:
    """Compile an ECMA-style schema pattern with RE2, which runs in linear time (threats JS-02)."""
    try:
        return re2.compile(ecma_to_re2(pattern), options=_RE2_OPTIONS)
    except re2.error as exc:  # type: ignore[attr-defined]
        raise PatternError(f"pattern {pattern!r} is not supported: {exc}") from None


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def pattern_search(pattern: str, text: str) -> bool:
    """True when RE2 finds `pattern` in `text` (JSON Schema patterns are unanchored)."""
    compiled = compile_pattern(pattern)
    try:
        return compiled.search(text) is not None
    except UnicodeEncodeError:
        # JSON allows a lone surrogate ("\ud83d"), UTF-8 (and so RE2) does not: it is matched as U+FFFD.
        return compiled.search(_LONE_SURROGATE.sub("\ufffd", text)) is not None


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
    if uri is not None and not isinstance(uri, str):
        raise ValueError(f"unsupported $schema {uri!r}: use draft 2020-12 or draft-07")
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


def _metaschema_format_checker(cls: Any) -> FormatChecker:
    # The metaschema's format "regex" would compile patterns with Python's re, which refuses `\p{L}` (the advice
    # the publish check gives) and accepts lookbehind: patterns are judged by RE2 when they run (PatternError).
    checker = FormatChecker(formats=())
    checker.checkers = {name: check for name, check in cls.FORMAT_CHECKER.checkers.items() if name != "regex"}
    return checker


_METASCHEMA_FORMATS = {cls: _metaschema_format_checker(cls) for cls in (_SafeDraft7, _SafeDraft202012)}


def make_validator(
    schema: Any, *, registry: referencing.Registry[Any] | None = None, assert_formats: bool = True
) -> Validator:
    """A validator in the schema's dialect: never fetches a $ref, asserts formats, runs patterns in RE2.

    Raises ValueError for an unknown `$schema` and jsonschema.SchemaError for a schema its dialect rejects.
    Instances are cached by the schema's canonical JSON and are safe to share between threads.
    `registry` and `assert_formats=False` are for the JSON-Schema-Test-Suite run only (its `remotes/`, and
    `format` as an annotation: docs/decisions/0003); the server passes neither, and such validators are not cached.
    A `$schema` other than the two dialects is honoured only when it resolves through `registry` to a 2020-12
    metaschema with a `$vocabulary`: only the keywords of the vocabularies it declares apply (VocabularyError,
    a ValueError, when one it requires is unknown). The server's empty registry resolves none.
    """
    if registry is not None or not assert_formats:
        registry = referencing.Registry() if registry is None else registry
        return _build_validator(schema, registry, FORMAT_CHECKER if assert_formats else None)
    key = canonical_json(schema)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    # An empty Registry has no retriever: http:, https: and file: references are unresolvable (threats JS-01);
    # references to `$id`s embedded in the document are still found, because the root is crawled on lookup.
    validator = _build_validator(schema, referencing.Registry(), FORMAT_CHECKER)
    with _CACHE_LOCK:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = validator
    return validator


def _build_validator(
    schema: Any, registry: referencing.Registry[Any], format_checker: FormatChecker | None
) -> Validator:
    try:
        cls = _SafeDraft7 if dialect_of(schema) == "draft-07" else _SafeDraft202012
    except ValueError:
        metaschema = _registered_metaschema(schema["$schema"], registry)
        if metaschema is None:
            raise
        uri, contents, metaschema_registry = metaschema
        cls = _vocabulary_class(uri, canonical_json(contents))
        if _VOCABULARY + "format-assertion" in cls.VOCABULARIES:
            # A dialect that declares format assertion asserts formats whatever the caller asked.
            format_checker = FORMAT_CHECKER
        _check_against_metaschema(schema, uri, contents, metaschema_registry)
        return cls(schema, registry=registry, format_checker=format_checker)
    # A schema its own dialect rejects (e.g. draft-07 tuple `items` under 2020-12) would crash mid-validation.
    cls.check_schema(schema, format_checker=_METASCHEMA_FORMATS[cls])
    return cls(_without_inner_dialect(schema), registry=registry, format_checker=format_checker)


_VALUES = frozenset({"const", "enum", "default", "examples"})


def _without_inner_dialect(schema: Any) -> Any:
    """`schema` with each inner `$schema` that repeats the root's dialect left out (embedded resources of a
    bundled document carry one). jsonschema switches to its stock class at an inner `$schema`, whose `pattern`
    runs on Python's backtracking `re`: ^(a+)+$ would then hang on a short answer (threats JS-02). Import
    refuses an inner `$schema` of another dialect; the test suite's cross-draft cases keep theirs."""
    if not isinstance(schema, dict):
        return schema  # true / false
    root_uri = schema.get("$schema")
    root = root_uri.rstrip("#") if isinstance(root_uri, str) else DRAFT_2020_12

    def strip(node: Any, top: bool) -> Any:
        if isinstance(node, list):
            return [strip(item, False) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            inner = isinstance(value, str) and value.rstrip("#") == root
            if key == "$schema" and not top and inner:
                continue
            out[key] = value if key in _VALUES else strip(value, False)
        return out

    return strip(schema, True)


# --- custom metaschemas: `$vocabulary` (JSON Schema 2020-12 core, section 8.1.2) -----------------------

_VOCABULARY = "https://json-schema.org/draft/2020-12/vocab/"
# The keywords of each 2020-12 vocabulary, as listed by its meta/ schema (`then`/`else` are read by `if`).
VOCABULARY_KEYWORDS: dict[str, frozenset[str]] = {
    _VOCABULARY + name: frozenset(keywords.split())
    for name, keywords in (
        ("core", "$id $schema $ref $anchor $dynamicRef $dynamicAnchor $vocabulary $comment $defs"),
        ("applicator", "prefixItems items contains additionalProperties properties patternProperties "
                       "dependentSchemas propertyNames if then else allOf anyOf oneOf not"),
        ("unevaluated", "unevaluatedItems unevaluatedProperties"),
        ("validation", "type const enum multipleOf maximum exclusiveMaximum minimum exclusiveMinimum maxLength "
                       "minLength pattern maxItems minItems uniqueItems maxContains minContains maxProperties "
                       "minProperties required dependentRequired"),
        ("meta-data", "title description default deprecated readOnly writeOnly examples"),
        ("format-annotation", "format"),
        ("format-assertion", "format"),
        ("content", "contentEncoding contentMediaType contentSchema"),
    )
}  # fmt: skip


def _registered_metaschema(
    uri: Any, registry: referencing.Registry[Any]
) -> tuple[str, Mapping[str, Any], referencing.Registry[Any]] | None:
    """The metaschema `$schema` names, if `registry` holds it (the server's empty registry holds none)."""
    if not isinstance(uri, str) or uri.rstrip("#") != uri.split("#", 1)[0]:
        return None  # a metaschema is a whole document: "…/meta#" at most, never "…/meta#/$defs/x"
    uri = uri.rstrip("#")
    try:
        retrieved = registry.get_or_retrieve(uri)
    except (referencing.exceptions.NoSuchResource, referencing.exceptions.Unretrievable):
        return None
    contents = retrieved.value.contents
    return (uri, contents, retrieved.registry) if isinstance(contents, Mapping) else None


def _contains_without_bounds(validator: Any, contains: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    # jsonschema's `contains` reads minContains/maxContains itself; they belong to the validation vocabulary.
    unbounded = {key: value for key, value in schema.items() if key not in ("minContains", "maxContains")}
    yield from _SafeDraft202012.VALIDATORS["contains"](validator, contains, instance, unbounded)


@functools.lru_cache(maxsize=32)
def _vocabulary_class(uri: str, metaschema_json: str) -> Any:
    """A 2020-12 validator class with the keywords of the metaschema's vocabularies only (core always).

    Keyed by the metaschema's URI and text, so that two registries that disagree about one URI cannot share a class.
    """
    metaschema = json.loads(metaschema_json)
    if not isinstance(metaschema.get("$schema"), str) or metaschema["$schema"].rstrip("#") != DRAFT_2020_12:
        raise VocabularyError(f"metaschema {uri!r} must itself declare $schema {DRAFT_2020_12!r}")
    try:
        # Only the metaschema's shape is checked here; its `$ref`s are followed when it checks a schema.
        _SafeDraft202012.check_schema(metaschema, format_checker=_METASCHEMA_FORMATS[_SafeDraft202012])
    except SchemaError as exc:
        raise VocabularyError(f"metaschema {uri!r} is not a valid 2020-12 schema: {exc.message}") from None
    declared = metaschema.get("$vocabulary")
    if not isinstance(declared, Mapping):
        raise VocabularyError(f"metaschema {uri!r} declares no $vocabulary, so its keywords are unknown")
    unknown = sorted(vocab for vocab, required in declared.items() if required and vocab not in VOCABULARY_KEYWORDS)
    if unknown:
        raise VocabularyError(
            f"metaschema {uri!r} requires vocabulary {', '.join(map(repr, unknown))}, which this server does not "
            "implement"
        )
    # Core is mandatory (core 8.1.2); an unknown vocabulary declared false is optional and is ignored.
    vocabularies = {_VOCABULARY + "core"} | {vocab for vocab in declared if vocab in VOCABULARY_KEYWORDS}
    if _VOCABULARY + "unevaluated" in vocabularies and _VOCABULARY + "applicator" not in vocabularies:
        # unevaluated* read the annotations of the applicator keywords (core 11): without them they mean nothing.
        raise VocabularyError(f"metaschema {uri!r} declares the unevaluated vocabulary without the applicator one")
    keywords = frozenset().union(*(VOCABULARY_KEYWORDS[vocab] for vocab in vocabularies))
    table = {name: check for name, check in _SafeDraft202012.VALIDATORS.items() if name in keywords}
    if "contains" in table and _VOCABULARY + "validation" not in vocabularies:
        table["contains"] = _contains_without_bounds
    # Built on the 2020-12 metaschema so that `$id`, `$anchor` and `$defs` keep their 2020-12 meaning for
    # referencing (a class made from an unknown metaschema reads schemas as opaque), then given its own.
    cls = validators.create(
        meta_schema=_SafeDraft202012.META_SCHEMA,
        validators=table,
        type_checker=_SafeDraft202012.TYPE_CHECKER,
        format_checker=_SafeDraft202012.FORMAT_CHECKER,
        id_of=_SafeDraft202012.ID_OF,
        applicable_validators=_SafeDraft202012._APPLICABLE_VALIDATORS,
    )
    cls.META_SCHEMA = metaschema
    cls.VOCABULARIES = frozenset(vocabularies)  # type: ignore[attr-defined]
    return cls


def _check_against_metaschema(
    schema: Any, uri: str, metaschema: Mapping[str, Any], registry: referencing.Registry[Any]
) -> None:
    """check_schema against a custom metaschema, whose `$ref`s resolve in `registry` (check_schema would fetch)."""
    checker = _SafeDraft202012(metaschema, registry=registry, format_checker=_METASCHEMA_FORMATS[_SafeDraft202012])
    try:
        error = next(iter(checker.iter_errors(schema)), None)
    except referencing.exceptions.Unresolvable as exc:
        raise VocabularyError(f"metaschema {uri!r} cannot be followed: {exc}") from None
    if error is not None:
        raise SchemaError.create_from(error)
