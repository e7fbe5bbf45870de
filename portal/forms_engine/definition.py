"""The procedure definition file (forms_schemas/*.json): every check an admin sees at import, and its digest.

Pure: no Flask, no database. The shape is fixed by procedure-definition.md; the safety rules by
threats.md JS-01 (no remote `$ref`), JS-02 (patterns compile in RE2, so they run in linear time) and JS-04
(size, depth and `$ref` cycles that would recurse forever).
"""

from __future__ import annotations

import functools
import hashlib
import json
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urldefrag, urljoin, urlsplit

import re2
import referencing.exceptions
import referencing.jsonschema
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Specification

from portal.forms_engine.nodes import KNOWN_WIDGETS, WIDGET_ALIASES, FormSchemaError, build_tree
from portal.forms_engine.validation import ecma_to_re2

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about a definition file; `pointer` is an RFC 6901 JSON Pointer into the whole file."""

    pointer: str
    message: str
    severity: Severity = "error"


#: the canonical JSON of `schema` may not be larger than this (JS-04)
MAX_SCHEMA_BYTES = 512 * 1024
#: no part of the file (schema, uiSchema, translations) may nest deeper than this (JS-04)
MAX_DEPTH = 64

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"

# Both spellings of each dialect are in use (with and without the empty fragment).
_DIALECTS: dict[str, tuple[type, Specification[Any]]] = {
    DRAFT_2020_12: (Draft202012Validator, referencing.jsonschema.DRAFT202012),
    DRAFT_2020_12 + "#": (Draft202012Validator, referencing.jsonschema.DRAFT202012),
    DRAFT_07: (Draft7Validator, referencing.jsonschema.DRAFT7),
    DRAFT_07.rstrip("#"): (Draft7Validator, referencing.jsonschema.DRAFT7),
}

ALLOWED_MIME_TYPES = ("application/pdf", "image/jpeg", "image/png")

# KNOWN_WIDGETS (procedure-definition.md's list) and WIDGET_ALIASES (rjsf's other spellings, such as
# "RadioWidget") come from the renderer, so that import judges exactly what will be drawn.

#: the `ui:` keys of procedure-definition.md; `ui:X` and `ui:options: {X}` mean the same
KNOWN_UI_KEYS = frozenset(
    {
        "ui:order", "ui:widget", "ui:title", "ui:description", "ui:help", "ui:placeholder", "ui:enumNames",
        "ui:enumDisabled", "ui:autocomplete", "ui:inputType", "ui:readonly", "ui:disabled", "ui:emptyValue",
        "ui:label", "ui:options", "ui:errorMessages", "ui:pages", "ui:submitButtonOptions",
    }
)  # fmt: skip
_KNOWN_UI_OPTIONS = frozenset(
    {key.removeprefix("ui:") for key in KNOWN_UI_KEYS - {"ui:options"}}
    | {"rows", "inline", "addable", "removable", "orderable", "expandable"}
)
# React components cannot travel in a JSON file; name them so the admin knows why they are ignored.
_UNSUPPORTED_UI_KEYS = frozenset(
    {"ui:field", "ui:ObjectFieldTemplate", "ui:ArrayFieldTemplate", "ui:FieldTemplate", "ui:template"}
)

_TOP_KEYS = ("procedure", "schema", "uiSchema", "translations")
_PROCEDURE_KEYS = frozenset(
    {
        "code",
        "name",
        "field",
        "agency",
        "level",
        "processing_days",
        "fee",
        "result",
        "documents",
        "description",
    }
)
_FEE_KEYS = frozenset({"amount", "currency", "note"})
_DOCUMENT_KEYS = frozenset({"key", "name", "required", "accept", "max_mb", "multiple"})
#: multipart part names the API and the HTML form already use; a document key may not take them
RESERVED_DOCUMENT_KEYS = frozenset({"payload", "csrf_token"})

#: the `procedure` block. Patterns here run in RE2 too (see _ProcedureValidator), so `$` is the true end.
PROCEDURE_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT_2020_12,
    "type": "object",
    "required": ["code", "name", "processing_days"],
    "properties": {
        "code": {"type": "string", "pattern": "^[0-9A-Za-z][0-9A-Za-z.-]{0,31}$"},
        "name": {"type": "string", "minLength": 1, "maxLength": 300},
        "field": {"type": "string", "maxLength": 200},
        "agency": {"type": "string", "maxLength": 300},
        "level": {"enum": ["full", "partial"]},
        "processing_days": {"type": "integer", "minimum": 0},
        "fee": {
            "type": "object",
            "properties": {
                "amount": {"type": "integer", "minimum": 0},
                "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
                "note": {"type": "string"},
            },
        },
        "result": {"type": "string"},
        "description": {"type": "string"},
        "documents": {
            "type": "array",
            "maxItems": 50,
            "items": {
                "type": "object",
                "required": ["key", "name"],
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z0-9_]{1,64}$"},
                    "name": {"type": "string", "minLength": 1, "maxLength": 300},
                    "required": {"type": "boolean"},
                    "accept": {
                        "type": "array",
                        "minItems": 1,
                        "uniqueItems": True,
                        "items": {"enum": list(ALLOWED_MIME_TYPES)},
                    },
                    "max_mb": {"type": "number", "exclusiveMinimum": 0, "maximum": 50},
                    "multiple": {"type": "boolean"},
                },
            },
        },
    },
}

_TRANSLATIONS_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT_2020_12,
    "type": "object",
    "propertyNames": {"pattern": "^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"},
    "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}},
}

# Keywords whose value is a subschema, an array of them, or a map of them (both dialects together:
# a keyword the dialect lacks is never evaluated, and checking it anyway costs nothing).
_SUBSCHEMA_ONE = (
    "additionalProperties", "additionalItems", "contains", "propertyNames", "if", "then", "else", "not",
    "unevaluatedItems", "unevaluatedProperties", "contentSchema", "items",
)  # fmt: skip
_SUBSCHEMA_LIST = ("allOf", "anyOf", "oneOf", "prefixItems", "items")
_SUBSCHEMA_MAP = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependencies",
)
# Subschemas that apply to the same instance as their parent: a cycle through only these never ends.
_SAME_INSTANCE_ONE = ("if", "then", "else", "not")
_SAME_INSTANCE_LIST = ("allOf", "anyOf", "oneOf")
_SAME_INSTANCE_MAP = ("dependentSchemas", "dependencies")
_REF_KEYWORDS = ("$ref", "$dynamicRef")

_TYPE_NAMES = {
    "string": "chuỗi (string)",
    "integer": "số nguyên (integer)",
    "number": "số (number)",
    "boolean": "true/false (boolean)",
    "object": "đối tượng {…} (object)",
    "array": "mảng […] (array)",
    "null": "null",
}


# ---------------------------------------------------------------------------------------------- helpers


def pointer(parts: Iterator[Any] | list[Any] | tuple[Any, ...]) -> str:
    """RFC 6901 pointer for a path: ["schema", "a/b"] -> "/schema/a~1b"."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def canonical_json(value: Any) -> str:
    """One spelling for equal documents: sorted keys, no spaces, real UTF-8 characters."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def definition_digest(doc: Any) -> str:
    """sha256 of the canonical JSON of the whole definition.

    Every part is versioned: `schema`, `uiSchema`, `translations` and the `procedure` settings (the fee and
    time limit change by law and a dossier keeps the ones in force when it was received, domain.md). So any
    change of content makes a new version, while re-indenting or reordering keys changes nothing.
    """
    return hashlib.sha256(canonical_json(doc).encode("utf-8")).hexdigest()


def normalize_definition(value: Any) -> Any:
    """The same document with every string and key in NFC, as citizen input is (domain.md, VN-02).

    Otherwise an `enum` typed on an NFD keyboard would never equal the NFC value a citizen submits.
    """
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, list):
        return [normalize_definition(item) for item in value]
    if isinstance(value, dict):
        return {unicodedata.normalize("NFC", key): normalize_definition(item) for key, item in value.items()}
    return value


def validator_class_for(schema: Any) -> type | None:
    """The jsonschema validator class of the schema's `$schema` (2020-12 when absent), None if unknown."""
    dialect = _dialect(schema)
    return dialect[0] if dialect else None


def has_errors(problems: list[Problem]) -> bool:
    return any(problem.severity == "error" for problem in problems)


def _dialect(schema: Any) -> tuple[type, Specification[Any]] | None:
    if not isinstance(schema, dict) or "$schema" not in schema:
        return _DIALECTS[DRAFT_2020_12]
    declared = schema["$schema"]
    return _DIALECTS.get(declared) if isinstance(declared, str) else None


@functools.lru_cache(maxsize=1024)
def _re2_compile(pattern: str) -> Any:
    # the same translation and engine as validation at submit time, so import judges what will run
    options = re2.Options()
    options.log_errors = False  # the error comes back as an exception; RE2 need not also write to stderr
    return re2.compile(ecma_to_re2(pattern), options)


def _re2_problem(pattern: str) -> str | None:
    """Why RE2 refuses the pattern, in words an admin understands; None when it compiles."""
    try:
        _re2_compile(pattern)
    except re2.error as exc:
        detail = exc.args[0].decode("utf-8", "replace") if exc.args and isinstance(exc.args[0], bytes) else exc
        why = ""
        if "(?<" in pattern or "(?=" in pattern or "(?!" in pattern:
            why = "phép nhìn trước/nhìn sau (lookahead/lookbehind) không được hỗ trợ; "
        elif any(f"\\{digit}" in pattern for digit in "123456789"):
            why = "tham chiếu ngược như \\1 (backreference) không được hỗ trợ; "
        return (
            f"Biểu thức chính quy không dùng được trên máy chủ: {why}máy chủ dùng RE2 để kiểm tra luôn chạy "
            f"trong thời gian tuyến tính (RE2 error: {detail})"
        )
    return None


def _ascii_class_escapes(pattern: str) -> list[str]:
    """The `\\d`, `\\D`, `\\w`, `\\W` escapes outside of escaped backslashes."""
    found: list[str] = []
    index = 0
    while index < len(pattern) - 1:
        if pattern[index] == "\\":
            if pattern[index + 1] in "dDwW":
                found.append("\\" + pattern[index + 1])
            index += 2
        else:
            index += 1
    return found


def _pattern_re2(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not _re2_compile(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


# Python's re lets `$` match before a final newline ("1.001193\n" would pass); RE2's `$` is the true end.
_ProcedureValidator = validators.extend(Draft202012Validator, {"pattern": _pattern_re2})


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _vietnamese(error: ValidationError) -> str:
    """A Vietnamese sentence for a jsonschema error, with the original English in parentheses."""
    keyword, expected = error.validator, error.validator_value
    english = _short(error.message)
    match keyword:
        case "type":
            names = expected if isinstance(expected, list) else [expected]
            text = "Sai kiểu dữ liệu: cần " + " hoặc ".join(_TYPE_NAMES.get(str(n), str(n)) for n in names)
        case "required":
            text = "Thiếu trường bắt buộc"
        case "enum" | "const":
            text = "Giá trị không nằm trong danh sách được phép: " + _short(json.dumps(expected, ensure_ascii=False))
        case "pattern":
            text = f"Giá trị không đúng mẫu {expected}"
        case "minimum":
            text = f"Giá trị phải lớn hơn hoặc bằng {expected}"
        case "exclusiveMinimum":
            text = f"Giá trị phải lớn hơn {expected}"
        case "maximum":
            text = f"Giá trị phải nhỏ hơn hoặc bằng {expected}"
        case "exclusiveMaximum":
            text = f"Giá trị phải nhỏ hơn {expected}"
        case "minLength":
            text = "Không được để trống" if expected == 1 else f"Cần ít nhất {expected} ký tự"
        case "maxLength":
            text = f"Dài quá {expected} ký tự"
        case "minItems":
            text = f"Cần ít nhất {expected} phần tử"
        case "maxItems":
            text = f"Nhiều quá {expected} phần tử"
        case "uniqueItems":
            text = "Các phần tử không được trùng nhau"
        case "additionalProperties" | "unevaluatedProperties":
            text = "Có khóa không được phép ở đây"
        case "propertyNames":
            text = "Tên khóa không hợp lệ"
        case _:
            text = "Giá trị không hợp lệ ở vị trí này"
    return f"{text} ({english})"


def _errors_to_problems(errors: Iterator[ValidationError], prefix: tuple[Any, ...]) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for error in errors:
        # anyOf/oneOf in a metaschema say only "not valid under any"; the deepest cause says what is wrong
        if error.context:
            error = best_match(error.context) or error
        path = (*prefix, *error.absolute_path)
        if error.validator == "required" and isinstance(error.instance, dict):
            # point at the missing field itself, as the API does, not at its parent
            for name in error.validator_value:
                if name not in error.instance:
                    key = (pointer((*path, name)), "required")
                    if key not in seen:
                        seen.add(key)
                        problems.append(Problem(key[0], f"Thiếu trường bắt buộc “{name}” (required)"))
            continue
        key = (pointer(path), _vietnamese(error))
        if key not in seen:
            seen.add(key)
            problems.append(Problem(*key))
    return problems


def _too_deep(value: Any, prefix: tuple[Any, ...]) -> str | None:
    """Pointer of the first container nested deeper than MAX_DEPTH, found without recursion."""
    stack: list[tuple[Any, tuple[Any, ...], int]] = [(value, prefix, 1)]
    while stack:
        node, path, depth = stack.pop()
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            return pointer(path)
        items = node.items() if isinstance(node, dict) else enumerate(node)
        stack.extend((child, (*path, key), depth + 1) for key, child in items)
    return None


# ---------------------------------------------------------------------------------------------- checks


def check_definition(doc: Any, *, source: str = "") -> list[Problem]:
    """Every problem of a parsed definition file, errors and warnings, each with its pointer.

    `source` is the file name; when given, a file whose name is not `<code>.json` gets a warning, because
    `forms export` writes that name and the two copies would then live side by side.
    """
    if not isinstance(doc, dict):
        return [Problem("", "Tệp phải chứa một đối tượng JSON {…} ở gốc (top level must be an object)")]
    problems: list[Problem] = []
    for key in doc:
        if key not in _TOP_KEYS:
            problems.append(
                Problem(
                    pointer([key]),
                    f"Khóa “{key}” không thuộc định dạng tệp thủ tục; sẽ được giữ nguyên nhưng không dùng "
                    "(unknown top-level key)",
                    "warning",
                )
            )
    if "procedure" not in doc:
        problems.append(Problem("/procedure", "Thiếu khối “procedure” mô tả thủ tục (required)"))
    else:
        problems += _check_procedure(doc["procedure"], source)
    if "schema" not in doc:
        problems.append(Problem("/schema", "Thiếu khối “schema” mô tả dữ liệu của biểu mẫu (required)"))
    else:
        problems += _check_schema(doc["schema"])
    if "uiSchema" in doc:
        problems += _check_ui_schema(doc["uiSchema"])
    if "translations" in doc:
        problems += _check_translations(doc["translations"])
    return problems


def _check_procedure(procedure: Any, source: str) -> list[Problem]:
    validator = _ProcedureValidator(PROCEDURE_SCHEMA, registry=Registry(), format_checker=FormatChecker())
    problems = _errors_to_problems(validator.iter_errors(procedure), ("procedure",))
    if not isinstance(procedure, dict):
        return problems
    problems += _unknown_keys(procedure, _PROCEDURE_KEYS, ("procedure",))
    if isinstance(procedure.get("fee"), dict):
        problems += _unknown_keys(procedure["fee"], _FEE_KEYS, ("procedure", "fee"))
    name = procedure.get("name")
    if isinstance(name, str) and name and not name.strip():
        problems.append(Problem("/procedure/name", "Tên thủ tục không được chỉ gồm khoảng trắng (blank name)"))
    # jsonschema counts 7.0 as an integer; "7.0 days" would leak a float into the deadlines code
    days = procedure.get("processing_days")
    if isinstance(days, float):
        problems.append(
            Problem(
                "/procedure/processing_days",
                "Số ngày giải quyết phải là số nguyên, viết không có phần thập phân",
            )
        )
    documents = procedure.get("documents")
    if isinstance(documents, list):
        first_index: dict[str, int] = {}
        for index, document in enumerate(documents):
            if not isinstance(document, dict):
                continue
            problems += _unknown_keys(document, _DOCUMENT_KEYS, ("procedure", "documents", index))
            key = document.get("key")
            if not isinstance(key, str):
                continue
            if key in RESERVED_DOCUMENT_KEYS:
                problems.append(
                    Problem(
                        pointer(("procedure", "documents", index, "key")),
                        f"Khóa thành phần hồ sơ “{key}” đã được hệ thống dùng việc khác; hãy đặt tên khác "
                        "(reserved key)",
                    )
                )
            if key in first_index:
                problems.append(
                    Problem(
                        pointer(("procedure", "documents", index, "key")),
                        f"Khóa thành phần hồ sơ “{key}” bị trùng với thành phần số {first_index[key] + 1} "
                        "(duplicate document key)",
                    )
                )
            else:
                first_index[key] = index
    code = procedure.get("code")
    if source and isinstance(code, str) and source.endswith(".json"):
        stem = source.replace("\\", "/").rsplit("/", 1)[-1].removesuffix(".json")
        if stem != code:
            problems.append(
                Problem(
                    "/procedure/code",
                    f"Tên tệp “{stem}.json” khác mã thủ tục “{code}”; lệnh xuất sẽ ghi thành “{code}.json” "
                    "(file name differs from the code)",
                    "warning",
                )
            )
    return problems


def _unknown_keys(block: dict[str, Any], known: frozenset[str], prefix: tuple[Any, ...]) -> list[Problem]:
    return [
        Problem(
            pointer((*prefix, key)),
            f"Khóa “{key}” không được biết; sẽ được giữ nguyên nhưng không dùng (unknown key)",
            "warning",
        )
        for key in block
        if key not in known
    ]


def _check_translations(translations: Any) -> list[Problem]:
    too_deep = _too_deep(translations, ("translations",))
    if too_deep is not None:
        return [Problem(too_deep, f"Lồng nhau quá {MAX_DEPTH} cấp (nesting too deep)")]
    validator = _ProcedureValidator(_TRANSLATIONS_SCHEMA, registry=Registry())
    return _errors_to_problems(validator.iter_errors(translations), ("translations",))


# ---------------------------------------------------------------------------------------------- schema


@dataclass
class _Node:
    """A place in the schema where a subschema stands."""

    path: tuple[Any, ...]
    schema: dict[str, Any]
    #: None when this node's `$id` (or an enclosing one) is not a URI
    base_uri: str | None
    #: this node's own `$id` is the one that is not a URI
    bad_id: bool = False


def _check_schema(schema: Any) -> list[Problem]:
    if not isinstance(schema, dict):
        return [Problem("/schema", "“schema” phải là một đối tượng JSON Schema {…} (schema must be an object)")]
    dialect = _dialect(schema)
    if dialect is None:
        return [
            Problem(
                "/schema/$schema",
                f"Phiên bản JSON Schema “{_short(str(schema.get('$schema')))}” không được hỗ trợ; dùng "
                f"“{DRAFT_2020_12}” hoặc “{DRAFT_07}” (unknown $schema)",
            )
        ]
    validator_class, specification = dialect
    size = len(canonical_json(schema).encode("utf-8"))
    if size > MAX_SCHEMA_BYTES:
        return [
            Problem(
                "/schema",
                f"Lược đồ quá lớn: {size // 1024} KB, tối đa {MAX_SCHEMA_BYTES // 1024} KB (too large)",
            )
        ]
    too_deep = _too_deep(schema, ("schema",))
    if too_deep is not None:
        return [Problem(too_deep, f"Lược đồ lồng nhau quá {MAX_DEPTH} cấp (schema nesting too deep)")]

    problems: list[Problem] = []
    if "type" in schema and schema["type"] != "object":
        problems.append(Problem("/schema/type", _NOT_AN_OBJECT_ROOT))
    problems += _metaschema_problems(validator_class, schema)
    nodes = _schema_nodes(schema, specification)
    problems += _pattern_problems(nodes)
    problems += _file_format_problems(nodes)
    problems += _nested_dialect_problems(nodes, schema.get("$schema"))
    bad_ids = [node for node in nodes if node.bad_id]
    if bad_ids:
        # without a base URI no reference below it can be placed; the admin fixes the $id first
        return problems + [
            Problem(pointer((*node.path, "$id")), "“$id” không phải một URI hợp lệ (invalid $id)") for node in bad_ids
        ]
    try:
        ref_problems, edges = _ref_problems(schema, specification, nodes)
    except (AttributeError, TypeError):
        # referencing walks the schema by the dialect's rules and trips over shapes the metaschema already
        # refused (e.g. an array `items` in 2020-12); those errors are reported, the ref checks wait for a fix
        if not has_errors(problems):
            raise
        return problems
    problems += ref_problems
    problems += _cycle_problems(nodes, edges)
    if not has_errors(problems):
        problems += _dry_run(validator_class, schema)
    if "type" not in schema and not has_errors(problems):
        problems += _untyped_root_problems(schema)
    return problems


# The dossier's `data` is a JSON object everywhere after import: the API body (`"data": {…}`, interfaces.md),
# the stored dossier and draft, the check page and the receipt. A scalar or array root would render as a
# one-question form whose first save could not be filed, so it is refused here, with the way out.
_NOT_AN_OBJECT_ROOT = (
    'Lược đồ gốc phải mô tả một đối tượng ("type": "object"): dữ liệu của hồ sơ luôn là một đối tượng JSON '
    '{…}; hãy đặt câu hỏi vào một thuộc tính, ví dụ {"type": "object", "properties": {"tra_loi": …}} '
    "(root must be an object: dossier data is a JSON object)"
)


def _untyped_root_problems(schema: dict[str, Any]) -> list[Problem]:
    """A root without `type` is accepted when the renderer reads it as an object form, as rjsf does.

    That is `{}`, `properties` without `type`, and a `$ref`/`allOf` that leads to an object. The renderer
    itself decides, so that what import accepts is exactly what the e-Form page can draw.
    """
    try:
        root = build_tree(schema, {}, None, "vi")
    except FormSchemaError as exc:
        return [Problem("/schema", f"Không dựng được biểu mẫu từ lược đồ ({_short(str(exc))})")]
    except Exception as exc:  # a schema that crashes the renderer must never reach a citizen
        return [Problem("/schema", f"Không dựng được biểu mẫu từ lược đồ ({type(exc).__name__}: {_short(str(exc))})")]
    if root.kind != "object":
        return [Problem("/schema", _NOT_AN_OBJECT_ROOT)]
    if not root.children and not root.alternatives:
        return [
            Problem(
                "/schema",
                "Lược đồ gốc không có “type” và không có câu hỏi nào; tờ khai sẽ trống, hồ sơ chỉ gồm thông "
                "tin người yêu cầu và giấy tờ đính kèm (root schema has no type and no properties: the e-Form "
                "asks nothing)",
                "warning",
            )
        ]
    return []


def _metaschema_problems(validator_class: Any, schema: dict[str, Any]) -> list[Problem]:
    meta_class = validator_class  # each dialect's metaschema is written in that same dialect
    # format "regex" would compile patterns with Python's re, which refuses RE2's \pL and accepts
    # lookbehind: _pattern_problems judges patterns with the engine that runs them instead
    checkers = meta_class.FORMAT_CHECKER.checkers
    format_checker = FormatChecker(formats=())
    format_checker.checkers = {name: check for name, check in checkers.items() if name != "regex"}
    meta_validator = meta_class(meta_class.META_SCHEMA, format_checker=format_checker)
    try:
        return _errors_to_problems(meta_validator.iter_errors(schema), ("schema",))
    except RecursionError:  # pragma: no cover - the depth cap keeps this from happening
        return [Problem("/schema", "Lược đồ lồng nhau quá sâu để kiểm tra (schema too deep)")]


def _schema_nodes(schema: dict[str, Any], specification: Specification[Any]) -> list[_Node]:
    """Every object subschema with its path and base URI, in document order."""
    nodes: list[_Node] = []

    def visit(value: Any, path: tuple[Any, ...], base_uri: str | None) -> None:
        if not isinstance(value, dict):
            return
        # id_of trusts `$id` to be a string; a wrong type is the metaschema's error to report
        own_id = specification.id_of(value) if isinstance(value.get("$id"), str) else None
        bad_id = False
        if isinstance(own_id, str) and base_uri is not None:
            try:
                base_uri = urljoin(base_uri, own_id)
                urlsplit(base_uri)  # urljoin passes "http://[x" through; joining onto it later fails
            except ValueError:  # urllib refuses it, and so would the validator at submit time
                base_uri, bad_id = None, True
        nodes.append(_Node(path, value, base_uri, bad_id))
        for keyword in _SUBSCHEMA_ONE:
            if isinstance(value.get(keyword), dict):
                visit(value[keyword], (*path, keyword), base_uri)
        for keyword in _SUBSCHEMA_LIST:
            if isinstance(value.get(keyword), list):
                for index, item in enumerate(value[keyword]):
                    visit(item, (*path, keyword, index), base_uri)
        for keyword in _SUBSCHEMA_MAP:
            if isinstance(value.get(keyword), dict):
                for name, item in value[keyword].items():
                    visit(item, (*path, keyword, name), base_uri)

    visit(schema, ("schema",), "")
    return nodes


def _nested_dialect_problems(nodes: list[_Node], root_uri: Any) -> list[Problem]:
    """One dialect per procedure. An inner `$schema` of another dialect would make jsonschema validate that
    part with its stock class: Python's backtracking `re` instead of RE2 (^(a+)+$ then hangs on a short
    answer, threat JS-02) and none of the server's keyword handling. An embedded resource that repeats the
    root's dialect (a bundled document) is fine: the server's validator reads it as the root's."""
    root = root_uri.rstrip("#") if isinstance(root_uri, str) else DRAFT_2020_12.rstrip("#")
    return [
        Problem(
            pointer((*node.path, "$schema")),
            "“$schema” bên trong lược đồ phải trùng với “$schema” ở gốc; cả biểu mẫu dùng một phiên bản "
            "JSON Schema (an inner $schema must repeat the root's dialect)",
        )
        for node in nodes
        if node.path
        and "$schema" in node.schema
        and not (isinstance(node.schema["$schema"], str) and node.schema["$schema"].rstrip("#") == root)
    ]


def _file_format_problems(nodes: list[_Node]) -> list[Problem]:
    """rjsf's file widget (`format: data-url`) would put a file inside the answers, past the upload checks
    (type by content, re-encoding, size limits); files belong in the procedure's `documents`."""
    return [
        Problem(
            pointer((*node.path, "format")),
            "Tệp đính kèm không nhận qua “format”: “data-url”; ô này hiện như ô chữ. Hãy khai báo giấy tờ trong "
            "“procedure.documents” để tệp được kiểm tra theo nội dung (data-url files are not uploads: use "
            "procedure.documents)",
            "warning",
        )
        for node in nodes
        if node.schema.get("format") == "data-url"
    ]


def _pattern_problems(nodes: list[_Node]) -> list[Problem]:
    problems: list[Problem] = []
    for node in nodes:
        found: list[tuple[tuple[Any, ...], str]] = []
        if isinstance(node.schema.get("pattern"), str):
            found.append(((*node.path, "pattern"), node.schema["pattern"]))
        if isinstance(node.schema.get("patternProperties"), dict):
            found += [((*node.path, "patternProperties", key), key) for key in node.schema["patternProperties"]]
        for path, pattern in found:
            refusal = _re2_problem(pattern)
            if refusal:
                problems.append(Problem(pointer(path), refusal))
                continue
            escapes = _ascii_class_escapes(pattern)
            if escapes:
                problems.append(
                    Problem(
                        pointer(path),
                        f"{', '.join(sorted(set(escapes)))} chỉ khớp ký tự ASCII trên máy chủ (RE2), nên "
                        "không khớp chữ tiếng Việt có dấu và khác với một số trình duyệt; hãy viết [0-9] "
                        "cho chữ số, "
                        "\\p{L} cho chữ cái (\\d and \\w are ASCII-only on the server)",
                        "warning",
                    )
                )
    return problems


def _ref_problems(
    schema: dict[str, Any], specification: Specification[Any], nodes: list[_Node]
) -> tuple[list[Problem], dict[int, list[int]]]:
    """Refs that leave the document or lead nowhere, and the same-instance edges between nodes."""
    resource = specification.create_resource(schema)
    registry = Registry().with_resource(resource.id() or "", resource).crawl()
    index_of = {id(node.schema): index for index, node in enumerate(nodes)}
    problems: list[Problem] = []
    edges: dict[int, list[int]] = {index: [] for index in range(len(nodes))}

    for index, node in enumerate(nodes):
        value = node.schema
        for keyword in _SAME_INSTANCE_ONE:
            if id(value.get(keyword)) in index_of:
                edges[index].append(index_of[id(value[keyword])])
        for keyword in _SAME_INSTANCE_LIST:
            if isinstance(value.get(keyword), list):
                edges[index] += [index_of[id(item)] for item in value[keyword] if id(item) in index_of]
        for keyword in _SAME_INSTANCE_MAP:
            if isinstance(value.get(keyword), dict):
                edges[index] += [index_of[id(item)] for item in value[keyword].values() if id(item) in index_of]
        for keyword in _REF_KEYWORDS:
            ref = value.get(keyword)
            if not isinstance(ref, str):
                continue
            where = pointer((*node.path, keyword))
            target, problem = _resolve(registry, node.base_uri or "", ref)
            if problem:
                problems.append(Problem(where, problem))
            elif isinstance(target, dict):
                if id(target) in index_of:
                    edges[index].append(index_of[id(target)])
                else:
                    problems.append(
                        Problem(
                            where,
                            f"Tham chiếu “{_short(ref)}” phải trỏ tới một lược đồ con (ví dụ #/$defs/…), "
                            "không trỏ vào giữa dữ liệu (reference target is not a subschema)",
                        )
                    )
            elif not isinstance(target, bool):
                problems.append(
                    Problem(
                        where,
                        f"Tham chiếu “{_short(ref)}” trỏ tới một giá trị không phải lược đồ "
                        "(reference target is not a schema)",
                    )
                )
    return problems, edges


def _resolve(registry: Registry[Any], base_uri: str, ref: str) -> tuple[Any, str | None]:
    # the same split referencing makes: a bare fragment stays on the current base, whatever its scheme
    try:
        absolute = base_uri if ref.startswith("#") else urldefrag(urljoin(base_uri, ref))[0]
    except ValueError:
        return None, f"Tham chiếu “{_short(ref)}” không phải một URI hợp lệ (invalid $ref)"
    if absolute not in registry:
        # nothing in this document carries that `$id`: following it would fetch (http:) or read (file:)
        return None, (
            f"Tham chiếu “{_short(ref)}” trỏ ra ngoài tệp ({_short(absolute)}); chỉ được tham chiếu "
            "trong cùng tài liệu, ví dụ “#/$defs/ten” (remote $ref is not allowed)"
        )
    try:
        return registry.resolver(base_uri=base_uri).lookup(ref).contents, None
    except referencing.exceptions.PointerToNowhere:
        return None, (f"Tham chiếu “{_short(ref)}” không trỏ tới chỗ nào trong tài liệu (local $ref does not resolve)")
    except referencing.exceptions.NoSuchAnchor:
        return None, f"Không có neo (anchor) nào tên như trong “{_short(ref)}” (anchor not found)"
    except referencing.exceptions.Unresolvable as exc:
        return None, f"Không phân giải được tham chiếu “{_short(ref)}” ({type(exc).__name__})"


def _cycle_problems(nodes: list[_Node], edges: dict[int, list[int]]) -> list[Problem]:
    """A `$ref` loop that never moves into the data recurses forever when validating (JS-04).

    Refs through `properties`, `items` and the like are fine (a tree of any depth); only a cycle made of
    `$ref`, `allOf`/`anyOf`/`oneOf`, `not`, `if`/`then`/`else` and dependent schemas is refused.
    """
    problems: list[Problem] = []
    for component in _strongly_connected(len(nodes), edges):
        first = min(component)
        if len(component) == 1 and first not in edges[first]:
            continue
        # only a $ref can point backwards, so every cycle holds one; report the first in document order
        with_ref = sorted(i for i in component if any(k in nodes[i].schema for k in _REF_KEYWORDS))
        at = with_ref[0] if with_ref else first
        keyword = next((k for k in _REF_KEYWORDS if k in nodes[at].schema), None)
        path = (*nodes[at].path, keyword) if keyword else nodes[at].path
        loop = " → ".join(pointer(nodes[i].path[1:]) or "#" for i in sorted(component))
        problems.append(
            Problem(
                pointer(path),
                f"Tham chiếu vòng tròn không bao giờ đi vào dữ liệu ({loop}); việc kiểm tra sẽ lặp mãi "
                "(self-referential $ref cycle)",
            )
        )
    return problems


def _strongly_connected(count: int, edges: dict[int, list[int]]) -> list[list[int]]:
    """Tarjan's algorithm without recursion (a large schema would exhaust Python's stack)."""
    index_of: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components: list[list[int]] = []
    counter = 0
    for root in range(count):
        if root in index_of:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            node, child_position = work.pop()
            if child_position == 0:
                index_of[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = edges[node]
            if child_position < len(children):
                work.append((node, child_position + 1))
                child = children[child_position]
                if child not in index_of:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index_of[child])
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index_of[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _dry_run(validator_class: Any, schema: dict[str, Any]) -> list[Problem]:
    """Validate an empty form once, as the server will, so a schema that cannot run fails here (JS-04)."""
    try:
        validator = validator_class(schema, registry=Registry(), format_checker=FormatChecker())
        for _error in validator.iter_errors({}):
            pass
    except RecursionError:
        return [Problem("/schema", "Lược đồ đệ quy vô hạn khi kiểm tra thử (validation never ends)")]
    except Exception as exc:  # a schema that crashes the validator must never reach a citizen
        return [Problem("/schema", f"Lược đồ không chạy được khi kiểm tra thử ({type(exc).__name__}: {exc})")]
    return []


# ---------------------------------------------------------------------------------------------- uiSchema


def _check_ui_schema(ui_schema: Any) -> list[Problem]:
    if not isinstance(ui_schema, dict):
        return [Problem("/uiSchema", "“uiSchema” phải là một đối tượng {…} (uiSchema must be an object)")]
    too_deep = _too_deep(ui_schema, ("uiSchema",))
    if too_deep is not None:
        return [Problem(too_deep, f"uiSchema lồng nhau quá {MAX_DEPTH} cấp (nesting too deep)")]
    problems: list[Problem] = []

    def visit(node: dict[str, Any], path: tuple[Any, ...]) -> None:
        for key, value in node.items():
            here = (*path, key)
            if key.startswith("ui:"):
                problems.extend(_ui_key_problems(key, value, here, is_root=len(path) == 1))
            elif isinstance(value, dict):
                visit(value, here)  # a field name (or `items`): the uiSchema of that part of the data
            elif key == "items" and isinstance(value, list):
                # a tuple array (draft-07 `items: […]`, 2020-12 `prefixItems`): one uiSchema per position
                for index, entry in enumerate(value):
                    if isinstance(entry, dict):
                        visit(entry, (*here, index))
                    else:
                        problems.append(
                            Problem(
                                pointer((*here, index)),
                                "Mỗi phần tử của “items” phải là một đối tượng {…} chứa các khóa ui: của vị trí "
                                "đó (tuple item entry must be an object)",
                            )
                        )
            else:
                problems.append(
                    Problem(
                        pointer(here),
                        f"“{key}” phải là một đối tượng {{…}} chứa các khóa ui: của trường đó "
                        "(field entry must be an object)",
                    )
                )

    visit(ui_schema, ("uiSchema",))
    return problems


def _ui_key_problems(key: str, value: Any, path: tuple[Any, ...], *, is_root: bool) -> list[Problem]:
    where = pointer(path)
    if key in _UNSUPPORTED_UI_KEYS:
        return [
            Problem(
                where,
                f"“{key}” là thành phần React, không được hỗ trợ; khóa này sẽ bị bỏ qua (not supported)",
                "warning",
            )
        ]
    if key not in KNOWN_UI_KEYS:
        return [Problem(where, f"Khóa “{key}” không được biết và sẽ bị bỏ qua (unknown ui: key)", "warning")]
    if key == "ui:options":
        if not isinstance(value, dict):
            return [Problem(where, "“ui:options” phải là một đối tượng {…} (must be an object)")]
        problems: list[Problem] = []
        for option, option_value in value.items():
            option_path = (*path, option)
            if option not in _KNOWN_UI_OPTIONS:
                problems.append(
                    Problem(
                        pointer(option_path),
                        f"Tùy chọn “{option}” không được biết và sẽ bị bỏ qua (unknown ui:options key)",
                        "warning",
                    )
                )
            else:
                problems += _ui_value_problems("ui:" + option, option_value, option_path, is_root=is_root)
        return problems
    return _ui_value_problems(key, value, path, is_root=is_root)


def _ui_value_problems(key: str, value: Any, path: tuple[Any, ...], *, is_root: bool) -> list[Problem]:
    """Shape checks for the keys a renderer would trip over; other values are read leniently."""
    where = pointer(path)
    if key == "ui:widget":
        if not isinstance(value, str) or WIDGET_ALIASES.get(value, value) not in KNOWN_WIDGETS:
            # the renderer draws the type's default input instead: the form still works, so not an error
            return [
                Problem(
                    where,
                    f"Kiểu ô nhập “{_short(str(value))}” không có; ô này sẽ hiện bằng kiểu nhập mặc định. Các "
                    f"kiểu có: {', '.join(sorted(KNOWN_WIDGETS))} (unknown widget: the default input is shown)",
                    "warning",
                )
            ]
    elif key == "ui:order":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return [Problem(where, "“ui:order” phải là một mảng tên trường (array of field names)")]
    elif key == "ui:errorMessages":
        if not isinstance(value, dict) or not all(isinstance(item, str) for item in value.values()):
            return [Problem(where, "“ui:errorMessages” phải là đối tượng từ khóa → câu thông báo (object of strings)")]
    elif key == "ui:enumNames":
        items = value.values() if isinstance(value, dict) else value
        if not isinstance(value, dict | list) or not all(isinstance(item, str) for item in items):
            return [Problem(where, "“ui:enumNames” phải là mảng hoặc đối tượng các nhãn chữ (labels)")]
    elif key == "ui:pages":
        if not is_root:
            return [Problem(where, "“ui:pages” chỉ dùng ở gốc uiSchema (only at the root)", "warning")]
        return _pages_problems(value, path)
    return []


def _pages_problems(pages: Any, path: tuple[Any, ...]) -> list[Problem]:
    if not isinstance(pages, list):
        return [Problem(pointer(path), "“ui:pages” phải là một mảng các trang (array of pages)")]
    problems: list[Problem] = []
    for index, page in enumerate(pages):
        fields = page.get("fields") if isinstance(page, dict) else None
        if (
            not isinstance(page, dict)
            or not isinstance(page.get("title"), str)
            or not isinstance(fields, list)
            or not all(isinstance(field, str) for field in fields)
        ):
            problems.append(
                Problem(
                    pointer((*path, index)),
                    "Mỗi trang cần “title” (chữ) và “fields” (mảng tên trường) "
                    '(page must be {"title": …, "fields": […]})',
                )
            )
    return problems
