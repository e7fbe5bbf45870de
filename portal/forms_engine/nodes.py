"""Schema + uiSchema -> a tree of nodes, one per schema location, shared by fields, messages, answers.

Conditional fields (if/then/else, dependentRequired, dependentSchemas, draft-07 `dependencies`): the server
decides. Each object node keeps its conditions as `Rule`s and the set of `gated` keys, the properties that
exist only when a branch applies: keys a branch declares that the object itself does not, and keys the
object declares but only a branch of if/then/else or a schema dependency requires (delivery_address when
delivery is "buu_dien"). `decide()` evaluates the rules against the object's current value (from the
post or the prefill) on every render: it gives the gated keys that apply now and the keys required now.
dependentRequired and array-form `dependencies` gate nothing (rjsf shows those fields always); they only
make fields required. An `if` that is a `const`/`enum` test on one sibling choice can also run in the
browser: `Rule.simple` describes it, and fields.py turns it into the `data-when` that forms.js evaluates.

Alternatives (oneOf/anyOf whose alternatives are object schemas) reuse the same machinery: each alternative
is a `Rule` with `alt` set, its properties are gated keys, and the object gets `alt_choice`, a radio question
posted as `<object name>-__alt` that is not part of the data. Which alternative applies comes from that
answer, or, on a prefill, from the data (`infer_alternative`).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import referencing
import referencing.exceptions
import referencing.jsonschema

from portal.forms_engine.messages import UI_TEXT, lower_first
from portal.forms_engine.validation import canonical_json, dialect_of, make_validator

#: Objects/arrays nested deeper than this are not rendered (recursive $ref would never end).
MAX_DEPTH = 6
#: Upper bound on nodes per form, so a schema that branches recursively cannot blow up a page.
MAX_NODES = 3000
#: Choice lists up to this size render as radios, longer ones as a select (ux.md: "fewer than about seven").
RADIO_LIMIT = 6

WIDGET_ALIASES = {
    "TextWidget": "text",
    "TextareaWidget": "textarea",
    "PasswordWidget": "password",
    "EmailWidget": "email",
    "URLWidget": "uri",
    "url": "uri",
    "UpDownWidget": "updown",
    "RangeWidget": "range",
    "DateWidget": "date",
    "DateTimeWidget": "datetime",
    "date-time": "datetime",
    "alt-datetime": "datetime",
    "TimeWidget": "time",
    "AltDateWidget": "alt-date",
    "SelectWidget": "select",
    "RadioWidget": "radio",
    "CheckboxWidget": "checkbox",
    "CheckboxesWidget": "checkboxes",
    "HiddenWidget": "hidden",
}
KNOWN_WIDGETS = {
    "text", "textarea", "password", "email", "uri", "tel", "updown", "range", "date", "datetime", "time",
    "alt-date", "select", "radio", "checkbox", "checkboxes", "hidden",
}  # fmt: skip
_INPUT_TYPES = {"text", "email", "url", "tel", "number", "search", "password"}
# Names a WTForms Form instance already uses as attributes; a property with such a name gets a suffix.
_RESERVED = {"meta", "data", "errors", "form_errors", "populate_obj", "process", "validate", "post_process"}


class FormSchemaError(ValueError):
    """The schema cannot be turned into a form (a $ref that leaves the document, a $ref loop)."""

    def __init__(self, message: str, pointer: str = "") -> None:
        super().__init__(f"{pointer or '/'}: {message}")
        self.pointer = pointer


@dataclass(eq=False)
class Choice:
    """One selectable value: the JSON value, the token posted by the browser, its label."""

    value: Any
    token: str
    label: str
    disabled: bool = False


@dataclass(eq=False)
class Rule:
    """One condition of an object: `test` (an `if` schema) or `key` (present) decides which branch applies."""

    test: dict[str, Any] | None
    key: str | None
    then_keys: frozenset[str] = frozenset()
    then_required: frozenset[str] = frozenset()
    else_keys: frozenset[str] = frozenset()
    else_required: frozenset[str] = frozenset()
    # (controlling key, accepted values, absent counts as a match) when the test is a const/enum on one key.
    simple: tuple[str, list[Any], bool] | None = None
    alt: int | None = None  # an alternative of oneOf/anyOf: applies when the citizen picked this one

    @property
    def controller(self) -> str | None:
        """The sibling whose answer decides, when one does."""
        return self.key if self.key is not None else (self.simple[0] if self.simple else None)

    @property
    def inputs(self) -> list[str]:
        """Every sibling the test reads, so that "Cập nhật" can follow the last of them."""
        if self.controller is not None:
            return [self.controller]
        test = self.test if isinstance(self.test, Mapping) else {}
        props = test.get("properties") if isinstance(test.get("properties"), Mapping) else {}
        required = test.get("required") if isinstance(test.get("required"), list) else []
        return [k for k in [*props, *required] if isinstance(k, str)]


@dataclass(eq=False)
class Node:
    """One schema location rendered as a question, a group or a repeatable list."""

    kind: str  # object | array | multi | choice | boolean | input | note
    key: str | None  # property name in the data; None for the root and for array rows
    name: str  # WTForms-safe name ([A-Za-z][A-Za-z0-9_]*), "" for array rows
    pointer: str  # data pointer, array rows as "*": "/members/*/name"
    schema_pointer: str  # where the (resolved) schema sits in the document, for messages to admins
    dotted: str  # translation key path: "members.name"
    schema: dict[str, Any]
    ui: dict[str, Any]
    types: tuple[str, ...]
    text: dict[str, str]
    label: str = ""
    description: str = ""
    help: str = ""
    placeholder: str = ""
    required: bool = False
    conditional: bool = False  # a gated key of its parent: rendered only while a branch applies
    widget: str = "text"
    input_type: str = "text"
    fmt: str | None = None
    readonly: bool = False
    disabled: bool = False
    has_default: bool = False
    default: Any = None
    has_empty_value: bool = False
    empty_value: Any = None
    hide_label: bool = False
    inline: bool = False
    rows: int | None = None
    attrs: dict[str, Any] = field(default_factory=dict)
    choices: list[Choice] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)
    item: Node | None = None
    prefix_items: list[Node] = field(default_factory=list)
    min_items: int = 0
    max_items: int | None = None
    addable: bool = True
    removable: bool = True
    depth: int = 0
    error_messages: dict[str, str] = field(default_factory=dict)
    rules: list[Rule] = field(default_factory=list)  # an object's conditions
    gated: frozenset[str] = frozenset()  # an object's keys that exist only while a branch applies
    base_required: frozenset[str] = frozenset()  # an object's keys required whatever the conditions
    check: Any = None  # (schema, instance) -> bool in the document's dialect, for `if` tests
    # oneOf/anyOf of object schemas: the schemas and labels of the alternatives the citizen picks from.
    alternatives: list[dict[str, Any]] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    alt_choice: Node | None = None  # the radio question "which alternative", a UI control outside the data
    # A gated key that branches declare with different schemas (a Cat's food is meat/grass/fish, a Fish's
    # insect/worms) gets one node per schema; `branches` names the (rule index, side) outcomes that bring
    # this one in. None: the node stands for its key whichever branch applies.
    branches: frozenset[tuple[int, bool]] | None = None
    extras: list[Node] = field(default_factory=list)  # an object's groups of free-form keys (extra_keys.py)

    @property
    def error_label(self) -> str:
        """The label as it reads inside a sentence ("Nhập họ, chữ đệm và tên")."""
        return lower_first(self.label)

    @property
    def is_group(self) -> bool:
        return self.kind in ("object", "array")

    def child(self, key: str) -> Node | None:
        """The child node for a property name, if the form renders it."""
        for node in self.children:
            if node.key == key:
                return node
        return None

    def row(self, index: int) -> Node | None:
        """The node used for row `index` of an array (fixed tuple items first, then the repeated item)."""
        if index < len(self.prefix_items):
            return self.prefix_items[index]
        return self.item

    def find(self, pointer: str, data: Any = None) -> tuple[Node, list[str]]:
        """The deepest node on a data pointer, and the pointer parts below it that no node covers.

        With the document `data`, a key that branches declare differently resolves to the variant the data
        was entered with (its label and messages), not to the first one."""
        parts = split_pointer(pointer)
        node = self
        for i, part in enumerate(parts):
            nxt: Node | None = None
            if node.kind == "object":
                shown = without_other_variants(node, data) if isinstance(data, Mapping) else node.children
                nxt = next((c for c in shown if c.key == part), None) or node.child(part)
                data = data.get(part) if isinstance(data, Mapping) else None
            elif node.kind == "array" and part.isdigit():
                nxt = node.row(int(part))
                data = data[int(part)] if isinstance(data, list) and int(part) < len(data) else None
            if nxt is None:
                return node, parts[i:]
            node = nxt
        return node, []


def split_pointer(pointer: str) -> list[str]:
    """RFC 6901 pointer -> its unescaped parts."""
    if not pointer:
        return []
    return [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]


def join_pointer(parts: list[str | int]) -> str:
    """Parts -> RFC 6901 pointer."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def normalise_ui(ui: Any) -> dict[str, Any]:
    """`ui:X` and `ui:options: {X}` mean the same; the direct `ui:X` wins. Keys come back without "ui:"."""
    if not isinstance(ui, Mapping):
        return {}
    out: dict[str, Any] = {}
    options = ui.get("ui:options")
    if isinstance(options, Mapping):
        out.update(options)
    for key, value in ui.items():
        if key.startswith("ui:") and key != "ui:options":
            out[key[3:]] = value
    widget = out.get("widget")
    if isinstance(widget, str):
        out["widget"] = WIDGET_ALIASES.get(widget, widget)
    return out


def safe_name(key: str, used: set[str]) -> str:
    """A WTForms/HTML-friendly name for a property: ASCII letters, digits, "_", starting with a letter."""
    ascii_key = unicodedata.normalize("NFD", key.replace("đ", "d").replace("Đ", "D"))
    ascii_key = "".join(c for c in ascii_key if unicodedata.category(c) != "Mn")
    base = re.sub(r"[^A-Za-z0-9_]+", "_", ascii_key).strip("_") or "field"
    if not base[0].isalpha():
        base = "f_" + base
    if base in _RESERVED or base.startswith("engine"):
        base += "_"
    name, n = base, 2
    while name in used:
        name, n = f"{base}_{n}", n + 1
    used.add(name)
    return name


def _types_of(schema: Mapping[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(t for t in declared if isinstance(t, str))
    values: list[Any] = []
    if "const" in schema:
        values.append(schema["const"])
    if isinstance(schema.get("enum"), list):
        values.extend(schema["enum"])
    for keyword in ("oneOf", "anyOf"):
        for alt in schema.get(keyword) or []:
            if isinstance(alt, Mapping) and "const" in alt:
                values.append(alt["const"])
    if values:
        found: list[str] = []
        for value in values:
            json_type = _json_type(value)
            if json_type not in found:
                found.append(json_type)
        return tuple(found)
    if any(k in schema for k in ("properties", "additionalProperties", "patternProperties", "required")):
        return ("object",)
    for keyword in ("oneOf", "anyOf"):
        alts = schema.get(keyword)
        if (
            isinstance(alts, list)
            and alts
            and all(isinstance(a, Mapping) and (a.get("type") == "object" or "properties" in a) for a in alts)
        ):
            return ("object",)  # alternatives of objects: the citizen picks one
    if "items" in schema or "prefixItems" in schema:
        return ("array",)
    return ()


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Shallow allOf merge good enough to render: properties combine, required unions, types intersect."""
    out = dict(base)
    for key, value in extra.items():
        if key not in out:
            out[key] = value
        elif key == "properties" and isinstance(value, Mapping) and isinstance(out[key], Mapping):
            props = dict(out[key])
            for pkey, pschema in value.items():
                props[pkey] = {"allOf": [props[pkey], pschema]} if pkey in props else pschema
            out[key] = props
        elif key == "required" and isinstance(value, list) and isinstance(out[key], list):
            out[key] = list(dict.fromkeys([*out[key], *value]))
        elif key == "type":
            mine = [out[key]] if isinstance(out[key], str) else list(out[key])
            theirs = [value] if isinstance(value, str) else list(value)
            both = [t for t in mine if t in theirs or (t == "number" and "integer" in theirs)]
            both = ["integer" if t == "number" and "integer" in theirs else t for t in both]
            out[key] = both[0] if len(both) == 1 else (both or mine)
    return out


def _label_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _number_attr(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return str(value)


class _Builder:
    def __init__(self, schema: Any, ui_schema: Any, translations: Mapping[str, Any] | None, locale: str) -> None:
        self.root_schema = schema
        self.dialect = dialect_of(schema)
        spec = referencing.jsonschema.DRAFT7 if self.dialect == "draft-07" else referencing.jsonschema.DRAFT202012
        self.spec = spec
        resource = spec.create_resource(schema)
        self.root_resolver = referencing.Registry().resolver_with_root(resource)
        self.ui_root = ui_schema if isinstance(ui_schema, Mapping) else {}
        self.locale = locale
        self.tr: Mapping[str, Any] = (translations or {}).get(locale) or {}
        self.text = UI_TEXT[locale]
        self.count = 0
        self.check = _checker(schema)

    # -- resolution ------------------------------------------------------------------------------------

    def resolve(self, schema: Any, resolver: Any, where: str) -> tuple[dict[str, Any], Any]:
        """Follow local $refs (siblings override, as rjsf does) and fold allOf into one schema."""
        if schema is True or schema is None:
            return {}, resolver
        if schema is False:
            return {"not": {}}, resolver
        if not isinstance(schema, Mapping):
            raise FormSchemaError("a schema must be an object or a boolean", where)
        current: dict[str, Any] = dict(schema)
        seen = 0
        while isinstance(current.get("$ref"), str):
            seen += 1
            if seen > 32:
                raise FormSchemaError("$ref loop: a reference that only leads to itself", where)
            ref = current.pop("$ref")
            try:
                resolved = resolver.lookup(ref)
            except referencing.exceptions.Unresolvable:
                raise FormSchemaError(f"$ref {ref!r} does not point inside the document", where) from None
            resolver = resolved.resolver
            target = resolved.contents
            if target is True:
                target = {}
            if not isinstance(target, Mapping):
                raise FormSchemaError(f"$ref {ref!r} does not point to a schema", where)
            current = {**target, **current}
        if "$id" in current and isinstance(current["$id"], str):
            resolver = resolver.in_subresource(self.spec.create_resource(current))
        if isinstance(current.get("allOf"), list):
            parts = current.pop("allOf")
            for i, part in enumerate(parts):
                sub, _ = self.resolve(part, resolver, f"{where}/allOf/{i}")
                # Each allOf branch keeps its own if/then/else together: they are separate rules.
                triple = {k: sub.pop(k) for k in ("if", "then", "else") if k in sub}
                if triple:
                    current.setdefault("x-conditionals", []).append(triple)
                current.setdefault("x-conditionals", []).extend(sub.pop("x-conditionals", []))
                if not current["x-conditionals"]:
                    current.pop("x-conditionals")
                current = _merge(current, sub)
        return current, resolver

    def rules_for(
        self, schema: Mapping[str, Any], resolver: Any, where: str
    ) -> tuple[list[Rule], dict[str, list[tuple[Any, tuple[int, bool]]]], set[str]]:
        """An object's conditions, the properties its branches declare (each schema with the rule outcome
        that declares it), and the keys branches require."""
        rules: list[Rule] = []
        found: dict[str, list[tuple[Any, tuple[int, bool]]]] = {}
        branch_required: set[str] = set()

        def branch(source: Any, side: bool = True) -> tuple[frozenset[str], frozenset[str]]:
            if not isinstance(source, Mapping):
                return frozenset(), frozenset()
            try:
                sub, _ = self.resolve(source, resolver, where)
            except FormSchemaError:
                return frozenset(), frozenset()
            props = sub.get("properties") if isinstance(sub.get("properties"), Mapping) else {}
            for key, value in props.items():
                # The rule this branch belongs to is appended next, at index len(rules).
                found.setdefault(key, []).append((value, (len(rules), side)))
            required = frozenset(k for k in (sub.get("required") or []) if isinstance(k, str))
            branch_required.update(required)
            return frozenset(props) | required, required

        triples: list[Mapping[str, Any]] = []
        if "if" in schema:
            triples.append({k: schema[k] for k in ("if", "then", "else") if k in schema})
        triples += [t for t in schema.get("x-conditionals", []) if isinstance(t, Mapping)]
        for triple in triples:
            test = triple.get("if")
            if not isinstance(test, Mapping | bool):
                continue
            then_keys, then_required = branch(triple.get("then"))
            else_keys, else_required = branch(triple.get("else"), side=False)
            if isinstance(test, bool):
                test = {} if test else {"not": {}}
            rules.append(Rule(dict(test), None, then_keys, then_required, else_keys, else_required, _simple_test(test)))
        dependent: list[tuple[str, Any]] = []
        if isinstance(schema.get("dependentSchemas"), Mapping) and self.dialect != "draft-07":
            dependent += list(schema["dependentSchemas"].items())
        required_lists: list[tuple[str, Any]] = []
        if isinstance(schema.get("dependentRequired"), Mapping) and self.dialect != "draft-07":
            required_lists += list(schema["dependentRequired"].items())
        if isinstance(schema.get("dependencies"), Mapping) and self.dialect == "draft-07":
            for key, value in schema["dependencies"].items():
                (required_lists if isinstance(value, list) else dependent).append((key, value))
        for key, value in required_lists:
            if isinstance(value, list):
                rules.append(Rule(None, key, then_required=frozenset(v for v in value if isinstance(v, str))))
        for key, value in dependent:
            alts = value.get("oneOf") if isinstance(value, Mapping) else None
            if isinstance(alts, list) and alts and all(_decides(a, key) for a in alts):
                # rjsf's dynamic form: each alternative names the value of `key` it goes with.
                for alt in alts:
                    test = {"properties": {key: alt["properties"][key]}, "required": [key]}
                    rest = {**alt, "properties": {k: v for k, v in alt["properties"].items() if k != key}}
                    keys, required = branch(rest)
                    rules.append(Rule(test, None, keys, required, simple=_simple_test(test)))
            else:
                keys, required = branch(value)
                rules.append(Rule(None, key, keys, required))
        return rules, found, branch_required

    # -- text ------------------------------------------------------------------------------------------

    def t(self, dotted: str, suffix: str) -> str | None:
        value = self.tr.get(f"{dotted}.{suffix}" if dotted else suffix)
        return value if isinstance(value, str) else None

    # -- nodes -----------------------------------------------------------------------------------------

    def build(
        self,
        schema: Any,
        ui: Any,
        resolver: Any,
        *,
        key: str | None,
        name: str,
        pointer: str,
        schema_pointer: str,
        dotted: str,
        required: bool,
        depth: int,
        readonly: bool = False,
        fallback_label: str = "",
    ) -> Node | None:
        self.count += 1
        if self.count > MAX_NODES:
            return None
        resolved, resolver = self.resolve(schema, resolver, schema_pointer)
        uio = normalise_ui(ui)
        types = _types_of(resolved)
        non_null = tuple(t for t in types if t != "null")
        node = Node(
            kind="input",
            key=key,
            name=name,
            pointer=pointer,
            schema_pointer=schema_pointer,
            dotted=dotted,
            schema=resolved,
            ui=uio,
            types=types,
            text=self.text,
            required=required,
            depth=depth,
        )
        title = uio.get("title") if isinstance(uio.get("title"), str) else resolved.get("title")
        node.label = self.t(dotted, "label") or (title if isinstance(title, str) else None) or key or fallback_label
        node.description = (
            self.t(dotted, "description") or _str(uio.get("description")) or _str(resolved.get("description"))
        )
        node.help = self.t(dotted, "help") or _str(uio.get("help"))
        node.placeholder = self.t(dotted, "placeholder") or _str(uio.get("placeholder"))
        node.readonly = bool(readonly or resolved.get("readOnly") is True or uio.get("readonly") is True)
        node.disabled = uio.get("disabled") is True
        node.has_default = "default" in resolved
        node.default = resolved.get("default")
        node.has_empty_value = "emptyValue" in uio
        node.empty_value = uio.get("emptyValue")
        node.hide_label = uio.get("label") is False
        node.inline = uio.get("inline") is True
        rows = uio.get("rows")
        node.rows = rows if isinstance(rows, int) and not isinstance(rows, bool) and 1 <= rows <= 50 else None
        messages = uio.get("errorMessages")
        node.error_messages = (
            {k: v for k, v in messages.items() if isinstance(v, str)} if isinstance(messages, Mapping) else {}
        )
        widget = uio.get("widget") if isinstance(uio.get("widget"), str) else None
        widget = widget if widget in KNOWN_WIDGETS else None

        enumerated = "enum" in resolved or "const" in resolved
        if (
            not types
            and not enumerated
            and any(self._object_alternatives(resolved, k, resolver, schema_pointer) for k in ("oneOf", "anyOf"))
        ):
            types = non_null = node.types = ("object",)  # $ref'd object alternatives: pick one
        if depth == 0 and not types and not enumerated:
            types = non_null = node.types = ("object",)  # a bare {} root: an object form with no questions yet
        if "object" in non_null and not enumerated and (non_null[0] == "object" or "properties" in resolved):
            if depth >= MAX_DEPTH:
                return None
            self._object(node, resolved, ui, resolver)
            return node
        if "array" in non_null and not enumerated:
            if depth >= MAX_DEPTH:
                return None
            self._array(node, resolved, ui, resolver, widget)
            return node

        node.choices = self._choices(resolved, uio, resolver, dotted, schema_pointer)
        node.fmt = resolved.get("format") if isinstance(resolved.get("format"), str) else None
        if node.choices and not (non_null == ("boolean",) and not _labelled(resolved)):
            node.kind = "choice"
            if widget == "hidden":
                node.widget = "hidden"
            elif widget in ("radio", "select"):
                node.widget = widget
            else:
                node.widget = "radio" if len(node.choices) <= RADIO_LIMIT else "select"
            if widget == "checkbox" and [c.value for c in node.choices] == [True]:
                node.kind, node.widget = "boolean", "checkbox"
        elif non_null == ("boolean",):
            node.kind = "boolean"
            only_true = resolved.get("const") is True or resolved.get("enum") == [True]
            if widget in ("checkbox", "radio", "select", "hidden"):
                node.widget = widget
            else:
                node.widget = "checkbox" if only_true else "radio"
            names = uio.get("enumNames")
            # rjsf reads ui:enumNames of a boolean in the order [true, false].
            yes = names[0] if isinstance(names, list) and len(names) == 2 and isinstance(names[0], str) else None
            no = names[1] if isinstance(names, list) and len(names) == 2 and isinstance(names[1], str) else None
            node.choices = [
                Choice(True, "true", self.t(dotted, "true") or yes or self.text["yes"]),
                Choice(False, "false", self.t(dotted, "false") or no or self.text["no"]),
            ]
        elif types == ("null",):
            node.kind = "note"
            node.widget = "note"
        else:
            node.kind = "input"
            self._input(node, resolved, uio, widget, non_null)
        return node

    def _object(self, node: Node, schema: dict[str, Any], ui: Any, resolver: Any) -> None:
        node.kind = "object"
        node.widget = "fieldset"
        props = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
        rules, extra, branch_required = self.rules_for(schema, resolver, node.schema_pointer)
        declared = {k: v for k, v in extra.items() if k not in props}
        required = set(schema.get("required") or []) if isinstance(schema.get("required"), list) else set()
        node.base_required = frozenset(k for k in required if isinstance(k, str))
        alt_gated: set[str] = set()
        for keyword in ("oneOf", "anyOf"):
            alts = self._object_alternatives(schema, keyword, resolver, node.schema_pointer)
            if not alts:
                continue
            for i, (alt, label) in enumerate(alts):
                alt_props = alt.get("properties") if isinstance(alt.get("properties"), Mapping) else {}
                alt_required = frozenset(k for k in (alt.get("required") or []) if isinstance(k, str))
                for key, value in alt_props.items():
                    if key not in props:
                        declared.setdefault(key, []).append((value, (len(rules), True)))
                keys = (frozenset(alt_props) | alt_required) - frozenset(props)
                alt_gated |= keys
                rules.append(Rule(None, None, keys, alt_required, alt=i))
                node.alternatives.append(alt)
                # Translated as "<path>.alternative.<index>", beside "<path>.alternative" for the question.
                translated = self.t(node.dotted, f"alternative.{i}")
                node.alt_labels.append(translated or label or self.text["alternative"].format(n=i + 1))
            break
        node.rules = rules
        # Gated: declared only by a branch or an alternative, or declared here but required only by a branch
        # (delivery_address belongs to the "buu_dien" branch).
        node.gated = (
            frozenset(declared)
            | frozenset(k for k in branch_required if k in props and k not in required)
            | frozenset(alt_gated)
        )
        node.check = self.check
        if node.alternatives:
            node.alt_choice = Node(
                kind="choice",
                key=None,
                name="__alt",
                pointer=node.pointer,
                schema_pointer=node.schema_pointer,
                dotted=node.dotted,
                schema={},
                ui={},
                types=("string",),
                text=self.text,
                label=self.t(node.dotted, "alternative") or self.text["choose_alternative"],
                required=True,
                widget="radio" if len(node.alternatives) <= RADIO_LIMIT else "select",
                choices=[Choice(i, str(i), label) for i, label in enumerate(node.alt_labels)],
                depth=node.depth + 1,
            )
        every = [*props.keys(), *declared.keys()]
        order = node.ui.get("order")
        if isinstance(order, list):
            listed = [k for k in order if isinstance(k, str) and k in every]
            rest = [k for k in every if k not in listed]
            if "*" in order:
                star = order.index("*")
                before = [k for k in order[:star] if k in listed]
                after = [k for k in order[star + 1 :] if k in listed]
                every = [*before, *rest, *after]
            else:
                every = [*listed, *rest]
        used: set[str] = set()
        uimap = ui if isinstance(ui, Mapping) else {}
        for key in every:
            where = f"{node.schema_pointer}/properties/{_esc(key)}"
            for sub_schema, branches in [(props[key], None)] if key in props else _variants(declared[key]):
                child = self.build(
                    sub_schema,
                    uimap.get(key),
                    resolver,
                    key=key,
                    name=safe_name(key, used),
                    pointer=f"{node.pointer}/{_esc(key)}",
                    schema_pointer=where,
                    dotted=f"{node.dotted}.{key}" if node.dotted else key,
                    required=key in required,
                    depth=node.depth + 1,
                    readonly=node.readonly,
                )
                if child is not None:
                    child.conditional = key in node.gated
                    child.branches = branches
                    node.children.append(child)
        # Imported here: extra_keys builds on this module (and on fields.py, which imports it too).
        from portal.forms_engine.extra_keys import attach

        attach(self, node, schema, ui, resolver)

    def _object_alternatives(
        self, schema: Mapping[str, Any], keyword: str, resolver: Any, where: str
    ) -> list[tuple[dict[str, Any], str | None]]:
        """oneOf/anyOf whose alternatives are all object schemas (not labelled consts): what to pick from."""
        alts = schema.get(keyword)
        if not isinstance(alts, list) or not alts:
            return []
        out: list[tuple[dict[str, Any], str | None]] = []
        for i, alt in enumerate(alts):
            try:
                sub, _ = self.resolve(alt, resolver, f"{where}/{keyword}/{i}")
            except FormSchemaError:
                return []
            if "const" in sub or "enum" in sub:
                return []
            types = _types_of(sub)
            if types and "object" not in types:
                return []
            title = sub.get("title")
            out.append((sub, title if isinstance(title, str) and title else None))
        return out

    def _array(self, node: Node, schema: dict[str, Any], ui: Any, resolver: Any, widget: str | None) -> None:
        uimap = ui if isinstance(ui, Mapping) else {}
        if self.dialect == "draft-07":
            items = schema.get("items")
            prefix = items if isinstance(items, list) else []
            repeated = schema.get("additionalItems") if prefix else items
            if prefix and repeated is None:
                repeated = False  # an open tuple tail: nothing to add from the form
        else:
            prefix = schema.get("prefixItems") if isinstance(schema.get("prefixItems"), list) else []
            repeated = schema.get("items")
            if prefix and repeated is None:
                repeated = False
        item_ui = uimap.get("items")
        tail_keyword = "additionalItems" if prefix and self.dialect == "draft-07" else "items"
        prefix_keyword = "items" if self.dialect == "draft-07" else "prefixItems"
        common = {"dotted": node.dotted, "required": True, "depth": node.depth + 1, "readonly": node.readonly}
        if isinstance(repeated, Mapping | bool) and repeated is not False:
            row_ui = uimap.get("additionalItems") if prefix else item_ui
            node.item = self.build(
                repeated,
                row_ui if isinstance(row_ui, Mapping) else None,
                resolver,
                key=None,
                name="",
                pointer=f"{node.pointer}/*",
                schema_pointer=f"{node.schema_pointer}/{tail_keyword}",
                fallback_label=node.label,
                **common,
            )
        for i, sub in enumerate(prefix):
            row_ui = item_ui[i] if isinstance(item_ui, list) and i < len(item_ui) else None
            child = self.build(
                sub,
                row_ui,
                resolver,
                key=None,
                name="",
                pointer=f"{node.pointer}/{i}",
                schema_pointer=f"{node.schema_pointer}/{prefix_keyword}/{i}",
                fallback_label=f"{node.label} {i + 1}",
                **common,
            )
            if child is None:
                break
            node.prefix_items.append(child)
        item = node.item
        multi_ok = item is not None and not prefix and item.kind == "choice"
        if multi_ok and (schema.get("uniqueItems") is True or widget == "checkboxes"):
            node.kind = "multi"
            node.widget = "select" if widget == "select" else "checkboxes"
            node.choices = item.choices  # type: ignore[union-attr]
            names = node.ui.get("enumNames")
            if isinstance(names, list | Mapping):
                # rjsf reads a multi-select's labels from the array's own uiSchema.
                relabelled = self._choices(
                    item.schema, {**item.ui, "enumNames": names}, resolver, item.dotted, item.schema_pointer
                )  # type: ignore[union-attr]
                node.choices = relabelled or node.choices
        else:
            node.kind = "array"
            node.widget = "list"
        min_items = schema.get("minItems")
        max_items = schema.get("maxItems")
        node.min_items = max(min_items if _is_count(min_items) else 0, len(node.prefix_items))
        node.max_items = max_items if _is_count(max_items) else None
        if node.item is None:
            node.max_items = (
                len(node.prefix_items) if node.max_items is None else min(node.max_items, len(node.prefix_items))
            )
        node.addable = node.ui.get("addable", True) is not False and node.item is not None and not node.readonly
        node.removable = node.ui.get("removable", True) is not False and not node.readonly

    def _choices(
        self, schema: Mapping[str, Any], uio: Mapping[str, Any], resolver: Any, dotted: str, where: str
    ) -> list[Choice]:
        values: list[Any] = []
        labels: list[str | None] = []
        if isinstance(schema.get("enum"), list):
            values = list(schema["enum"])
            names = uio.get("enumNames")
            for i, value in enumerate(values):
                label = None
                if isinstance(names, list) and i < len(names) and isinstance(names[i], str):
                    label = names[i]
                elif isinstance(names, Mapping) and isinstance(value, str | int | float | bool):
                    found = names.get(value if isinstance(value, str) else _label_text(value))
                    label = found if isinstance(found, str) else None
                labels.append(label)
        elif "const" in schema:
            values, labels = (
                [schema["const"]],
                [schema.get("title") if isinstance(schema.get("title"), str) else None],
            )
        else:
            for keyword in ("oneOf", "anyOf"):
                alts = schema.get(keyword)
                if not isinstance(alts, list) or not alts:
                    continue
                found_values: list[Any] = []
                found_labels: list[str | None] = []
                for i, alt in enumerate(alts):
                    try:
                        sub, _ = self.resolve(alt, resolver, f"{where}/{keyword}/{i}")
                    except FormSchemaError:
                        return []
                    if "const" in sub:
                        found_values.append(sub["const"])
                    elif isinstance(sub.get("enum"), list) and len(sub["enum"]) == 1:
                        found_values.append(sub["enum"][0])
                    else:
                        return []  # object alternatives: the next issue's "pick an alternative"
                    found_labels.append(sub.get("title") if isinstance(sub.get("title"), str) else None)
                values, labels = found_values, found_labels
                break
        if not values:
            return []
        disabled = uio.get("enumDisabled") if isinstance(uio.get("enumDisabled"), list) else []
        all_strings = all(isinstance(v, str) for v in values)
        choices = []
        for value, label in zip(values, labels, strict=True):
            token = value if all_strings else canonical_json(value)
            translated = self.t(dotted, _label_text(value)) if isinstance(value, str | int | float | bool) else None
            if translated is None and isinstance(value, bool):
                translated = self.t(dotted, "true" if value else "false")
            text = translated or label
            if text is None:
                text = (
                    (self.text["yes"] if value else self.text["no"]) if isinstance(value, bool) else _label_text(value)
                )
            choices.append(Choice(value, token, text, any(value == d and type(value) is type(d) for d in disabled)))
        return choices

    def _input(
        self,
        node: Node,
        schema: Mapping[str, Any],
        uio: Mapping[str, Any],
        widget: str | None,
        types: tuple[str, ...],
    ) -> None:
        numeric = bool(types) and all(t in ("integer", "number") for t in types)
        fmt = node.fmt
        if widget is None:
            widget = {
                "date": "date",
                "date-time": "datetime",
                "time": "time",
                "email": "email",
                "uri": "uri",
            }.get(fmt or "", "number" if numeric else "text")
        if widget in ("updown", "range") and not numeric:
            widget = "text"
        node.widget = widget
        attrs: dict[str, Any] = {}
        input_type = {
            "text": "text",
            "password": "password",
            "email": "email",
            "uri": "url",
            "tel": "tel",
            "number": "number",
            "updown": "number",
            "range": "range",
            "date": "date",
            "datetime": "datetime-local",
            "time": "time",
            "hidden": "hidden",
        }.get(widget, "text")
        if numeric and input_type in ("number", "range"):
            integer = "integer" in types and "number" not in types
            step = schema.get("multipleOf")
            attrs["step"] = _number_attr(step) or ("1" if integer else "any")
            low, high = schema.get("minimum"), schema.get("maximum")
            xlow, xhigh = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")
            if integer and _number_attr(xlow) is not None and not isinstance(xlow, bool):
                low = math.floor(xlow) + 1 if low is None else max(low, math.floor(xlow) + 1)
            if integer and _number_attr(xhigh) is not None and not isinstance(xhigh, bool):
                high = math.ceil(xhigh) - 1 if high is None else min(high, math.ceil(xhigh) - 1)
            if _number_attr(low) is not None:
                attrs["min"] = _number_attr(low)
            if _number_attr(high) is not None:
                attrs["max"] = _number_attr(high)
            if input_type == "number":
                attrs["inputmode"] = "numeric" if integer else "decimal"
        max_length = schema.get("maxLength")
        if _is_count(max_length) and (
            input_type in ("text", "password", "email", "url", "tel") or widget == "textarea"
        ):
            attrs["maxlength"] = max_length
        input_hint = uio.get("inputType") if isinstance(uio.get("inputType"), str) else None
        if input_hint in ("numeric", "decimal"):
            attrs["inputmode"] = input_hint
        elif input_hint in _INPUT_TYPES and input_type in ("text", "tel", "email", "url", "number", "search"):
            input_type = input_hint
            if input_hint == "tel":
                attrs.setdefault("inputmode", "tel")
        for option in ("inputmode", "inputMode"):
            if uio.get(option) in ("numeric", "decimal", "tel", "email", "url", "text", "search"):
                attrs["inputmode"] = uio[option]
        if isinstance(uio.get("autocomplete"), str):
            attrs["autocomplete"] = uio["autocomplete"]
        if input_type == "email":
            attrs["spellcheck"] = "false"
        node.input_type = input_type
        node.attrs = attrs


def _variants(declared: list[tuple[Any, tuple[int, bool]]]) -> list[tuple[Any, frozenset[tuple[int, bool]] | None]]:
    """The schemas to render for a key only branches declare: one per distinct schema, each with the rule
    outcomes that bring it in; a single one standing for every branch when they all agree."""
    groups: dict[str, tuple[Any, set[tuple[int, bool]]]] = {}
    for sub_schema, outcome in declared:
        groups.setdefault(canonical_json(sub_schema), (sub_schema, set()))[1].add(outcome)
    if len(groups) == 1:
        return [(next(iter(groups.values()))[0], None)]
    return [(sub_schema, frozenset(outcomes)) for sub_schema, outcomes in groups.values()]


def _checker(schema: Any) -> Any:
    """(sub-schema, instance) -> whether the instance passes, with the document's $refs and dialect."""
    try:
        validator = make_validator(schema)
    except Exception:  # an invalid schema is reported by FormSpec; conditions then never apply
        return None

    def check(sub: Any, instance: Any) -> bool:
        try:
            return bool(validator.evolve(schema=sub).is_valid(instance))
        except Exception:  # an unresolvable $ref inside an `if`: the branch is taken as applying
            return True

    return check


def _decides(alt: Any, key: str) -> bool:
    """An alternative of a schema dependency that names the value of `key` it goes with."""
    return isinstance(alt, Mapping) and isinstance(alt.get("properties"), Mapping) and key in alt["properties"]


def _simple_test(test: Any) -> tuple[str, list[Any], bool] | None:
    """An `if` that is a const/enum test on one key, in a form the browser can evaluate; else None."""
    if not isinstance(test, Mapping) or set(test) - {"properties", "required", "type"}:
        return None
    props = test.get("properties")
    required = test.get("required", [])
    if not isinstance(props, Mapping) or len(props) != 1 or not isinstance(required, list):
        return None
    key, sub = next(iter(props.items()))
    if not isinstance(sub, Mapping) or set(required) - {key}:
        return None
    if set(sub) == {"const"} or set(sub) == {"const", "type"}:
        values = [sub["const"]]
    elif (set(sub) == {"enum"} or set(sub) == {"enum", "type"}) and isinstance(sub["enum"], list):
        values = list(sub["enum"])
    else:
        return None
    return key, values, key not in required


def infer_alternative(node: Node, value: Any) -> int:
    """The alternative a prefill was made with: the first the data is valid against, else the one whose
    properties it answers most (the first on a tie)."""
    data = value if isinstance(value, Mapping) else {}
    if node.check is not None:
        for i, alt in enumerate(node.alternatives):
            if node.check(alt, dict(data)):
                return i
    best, best_count = 0, -1
    for i, alt in enumerate(node.alternatives):
        props = alt.get("properties") if isinstance(alt.get("properties"), Mapping) else {}
        count = len(set(props) & set(data))
        if count > best_count:
            best, best_count = i, count
    return best


def decide(node: Node, value: Any, chosen: int | None = None) -> tuple[set[str], set[str], list[bool]]:
    """(gated keys that apply now, keys required now, each rule's outcome) for an object node and its current
    value; an outcome is True when the rule's `then` side applies, and `applies` reads them.

    `chosen`: the alternative the citizen picked, if the object has alternatives; inferred from the data
    when None."""
    data = value if isinstance(value, Mapping) else {}
    active: set[str] = set()
    required = set(node.base_required)
    outcomes: list[bool] = []
    if node.alternatives and chosen is None:
        chosen = infer_alternative(node, data)
    for rule in node.rules:
        if rule.alt is not None:
            taken = rule.alt == chosen
        elif rule.key is not None:
            taken = rule.key in data
        elif node.check is None or rule.test is None:
            taken = True
        else:
            taken = node.check(rule.test, dict(data))
        outcomes.append(taken)
        active |= rule.then_keys if taken else rule.else_keys
        required |= rule.then_required if taken else rule.else_required
    return active & node.gated, required, outcomes


def applies(node: Node, child: Node, active: set[str], outcomes: list[bool]) -> bool:
    """Whether a child of an object is on the page now, from `decide`'s answer: plain children always;
    gated ones while their key applies; of several variants of one key, the first whose branch is taken."""
    if child.key not in node.gated:
        return True
    if child.key not in active:
        return False
    if child.branches is None:
        return True
    for sibling in node.children:
        if sibling.key != child.key or sibling.branches is None:
            continue
        if any(i < len(outcomes) and outcomes[i] == side for i, side in sibling.branches):
            return sibling is child
    return False


def without_other_variants(node: Node, value: Any) -> list[Node]:
    """The object's children less the variants of a key that belong to a branch `value` did not take: each
    key once, with the schema it was entered with (ADR 0005). Other gated children stay: callers decide."""
    if not any(c.branches is not None for c in node.children):
        return node.children
    active, _, outcomes = decide(node, value)
    return [c for c in node.children if c.branches is None or applies(node, c, active, outcomes)]


def _labelled(schema: Mapping[str, Any]) -> bool:
    """A boolean written as oneOf/anyOf of {const, title} keeps the admin's labels."""
    return any(isinstance(schema.get(k), list) for k in ("oneOf", "anyOf")) or "enum" in schema


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def build_tree(schema: Any, ui_schema: Any, translations: Mapping[str, Any] | None, locale: str) -> Node:
    """The root node for a schema: an object form, or a one-question form when the root is a scalar/array."""
    builder = _Builder(schema, ui_schema, translations, locale)
    root = builder.build(
        schema,
        ui_schema,
        builder.root_resolver,
        key=None,
        name="",
        pointer="",
        schema_pointer="",
        dotted="",
        required=True,
        depth=0,
    )
    if root is None:
        raise FormSchemaError("the schema is too large or too deep to render")
    return root
