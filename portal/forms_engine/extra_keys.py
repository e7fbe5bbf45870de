"""Free-form keys of an object (additionalProperties, patternProperties, propertyNames) as rows of name + value.

An object whose schema lets the citizen add keys of their own gets one or more extra repeatable groups,
"<title> — mục khác", built on the array machinery (ArrayField: add/remove buttons that post the page, focus
return, no minimum). Each row is a small object {name, value}: a name input (a select when `propertyNames`
lists the allowed names) and a value field built from the schema that applies to that name.

Which keys get a group:
- `additionalProperties` that is a schema, or `true` written out (a text value, as rjsf renders it). Absent or
  `false` gives no group: keys the form does not declare are still dropped on post (mass assignment).
- `patternProperties`: a name that matches a pattern takes that pattern's schema.
Row kinds: every pattern and `additionalProperties` is a kind; kinds with the same value schema share one
group (the usual case: one group). When value schemas differ, each gets its own group, in schema order
(patterns first, then additionalProperties), because the value field must be built before the name is typed.
A key in the data goes to the group of the first pattern it matches, else to the additionalProperties group;
a name typed in a group that does not take it is an error beside the name.

Round trip: on render, data keys that are neither declared nor gated become rows, in data order. On post,
rows become keys after the declared ones, in row order; declared properties win. A blank row (no name, no
value) is ignored; a row with a problem JSON cannot hold (no name, a name already used by an earlier row, a
declared name, a name the group does not take) adds no key and gets an engine error beside its name
(`form_errors`), keeping what was typed. Errors the schema finds for /object/<name> land on that row's value
field, and name errors (propertyNames, additionalProperties false) on its name input.

Words: UI_TEXT "more*" and MESSAGES "more.*" / "propertyNames.*"; a form's `translations` may override the
legend (`<object>.more.label`), the name label (`<object>.more.name`), the value label (`<object>.*.label`)
and the labels of allowed names (`<object>.*.name.<name>`). The value's uiSchema sits under the object's
uiSchema key `additionalProperties` (rjsf's place for it), for every group; `ui:options.expandable: false`
keeps the object closed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from jsonschema import ValidationError

# nodes.py and fields.py reach this module through imports inside their hooks, so importing them here is safe.
from portal.forms_engine.fields import ABSENT, ArrayField, EngineForm
from portal.forms_engine.nodes import Choice, Node, join_pointer, split_pointer
from portal.forms_engine.validation import canonical_json, pattern_search

__all__ = [
    "NAME_KEYWORDS",
    "ExtraKeysField",
    "KeyGroup",
    "attach",
    "bind",
    "error_field",
    "extra_field_id",
    "find",
    "find_field",
    "form_errors",
    "group_named",
    "merge",
    "name_error",
    "name_message",
    "value_node",
]

#: Keywords whose errors are about a key's name, not its value: they go beside the name input.
NAME_KEYWORDS = frozenset({"propertyNames", "additionalProperties", "unevaluatedProperties"})
#: Groups are posted as "<object>-__more", "<object>-__more_2": safe_name never starts with "_".
GROUP_NAME = "__more"
# Schema keywords whose values are maps of subschemas: a "propertyNames" under one of them is a property.
_MAPS = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies"}


@dataclass(eq=False)
class KeyGroup(Node):
    """The repeatable group of an object's free-form keys: which names it takes and which it must refuse."""

    patterns: tuple[str, ...] = ()  # names matching one of these belong here
    takes_rest: bool = False  # additionalProperties: names that match no pattern of the object
    all_patterns: tuple[str, ...] = ()  # every pattern of the object, to tell whether a name is "the rest"
    declared: frozenset[str] = frozenset()  # the object's own keys (declared, gated): never rows

    def takes(self, name: str) -> bool:
        """Whether a key of this name belongs to this group (the first matching pattern decides elsewhere)."""
        if any(_search(p, name) for p in self.patterns):
            return True
        return self.takes_rest and not any(_search(p, name) for p in self.all_patterns)


def _dotted(node: Node, suffix: str) -> str:
    return f"{node.dotted}.{suffix}" if node.dotted else suffix


def _search(pattern: str, text: str) -> bool:
    try:
        return pattern_search(pattern, text)
    except ValueError:  # an invalid pattern is an import error; here it simply matches nothing
        return False


# --- nodes ------------------------------------------------------------------------------------------------


def attach(builder: Any, node: Node, schema: Mapping[str, Any], ui: Any, resolver: Any) -> None:
    """Give an object node its groups of free-form keys (`node.extras`), when its schema allows any."""
    if node.ui.get("expandable") is False:  # rjsf's switch to keep an open object closed in the form
        return
    kinds: list[tuple[str | None, Any, str]] = []
    patterns = schema.get("patternProperties")
    if isinstance(patterns, Mapping):
        for pattern, sub in patterns.items():
            if isinstance(pattern, str) and sub is not False:
                kinds.append((pattern, sub, f"{node.schema_pointer}/patternProperties/{_esc(pattern)}"))
    additional = schema.get("additionalProperties")
    if isinstance(additional, Mapping) or additional is True:
        # `true` written out: rjsf offers a text value, so does the form.
        value_schema = {"type": "string"} if additional is True else additional
        kinds.append((None, value_schema, f"{node.schema_pointer}/additionalProperties"))
    if not kinds:
        return
    declared = frozenset(c.key for c in node.children if c.key is not None) | node.gated
    props = schema.get("properties")
    if isinstance(props, Mapping):
        declared |= frozenset(k for k in props if isinstance(k, str))
    grouped: dict[str, list[tuple[str | None, Any, str]]] = {}
    for kind in kinds:
        grouped.setdefault(canonical_json(kind[1]), []).append(kind)
    all_patterns = tuple(k[0] for k in kinds if k[0] is not None)
    names = _allowed_names(builder, node, schema, resolver, declared)
    if names == []:
        return  # propertyNames lists only names the form already asks for
    uimap = ui if isinstance(ui, Mapping) else {}
    value_ui = uimap.get("additionalProperties")
    several = len(grouped) > 1
    for i, members in enumerate(grouped.values()):
        group = _group(builder, node, members, resolver, value_ui, names, i if several else None)
        if group is None:
            continue
        group.all_patterns = all_patterns
        group.declared = declared
        node.extras.append(group)


def _allowed_names(
    builder: Any, node: Node, schema: Mapping[str, Any], resolver: Any, declared: frozenset[str]
) -> list[Choice] | None:
    """propertyNames as a list of names to pick from (enum, const, oneOf of const), or None: typed freely."""
    raw = schema.get("propertyNames")
    if not isinstance(raw, Mapping):
        return None
    where = f"{node.schema_pointer}/propertyNames"
    resolved, resolver = builder.resolve(raw, resolver, where)
    choices = builder._choices(resolved, {}, resolver, _dotted(node, "*.name"), where)
    if not choices:
        return None
    return [c for c in choices if isinstance(c.value, str) and c.value not in declared and not c.disabled]


def _name_node(builder: Any, node: Node, names: list[Choice] | None, depth: int, pointer: str) -> Node:
    text = builder.text
    name = Node(
        kind="input",
        key="name",
        name="name",
        pointer=pointer,
        schema_pointer=f"{node.schema_pointer}/propertyNames",
        dotted=_dotted(node, "*.name"),
        schema={"type": "string"},
        ui={},
        types=("string",),
        text=text,
        label=builder.t(node.dotted, "more.name") or text["more_name"],
        required=True,
        depth=depth,
        readonly=node.readonly,
        attrs={"autocomplete": "off"},
    )
    raw = node.schema.get("propertyNames")
    limits = raw if isinstance(raw, Mapping) else {}
    if names is not None:
        name.kind, name.widget, name.choices, name.attrs = "choice", "select", list(names), {}
    else:
        max_length = limits.get("maxLength")
        if isinstance(max_length, int) and not isinstance(max_length, bool) and max_length > 0:
            name.attrs["maxlength"] = max_length
        # No HTML `pattern`: the engine renders none anywhere (JavaScript's regex dialect is not RE2, and the
        # server explains a wrong name in words); the name is checked on post like every other answer.
    return name


def _group(
    builder: Any,
    node: Node,
    members: list[tuple[str | None, Any, str]],
    resolver: Any,
    value_ui: Any,
    names: list[Choice] | None,
    number: int | None,
) -> KeyGroup | None:
    text = builder.text
    value_schema = members[0][1]
    where = members[0][2]
    row_pointer = f"{node.pointer}/*"
    value_dotted = _dotted(node, "*")
    value = builder.build(
        value_schema,
        value_ui if isinstance(value_ui, Mapping) else None,
        resolver,
        key="value",
        name="value",
        pointer=row_pointer,
        schema_pointer=where,
        dotted=value_dotted,
        required=True,
        depth=node.depth + 3,
        readonly=node.readonly,
    )
    if value is None:
        return None  # too deep or too large: the keys stay out of the form, as before
    resolved, _ = builder.resolve(value_schema, resolver, where)
    titled = isinstance(resolved.get("title"), str) and resolved["title"]
    if not (titled or builder.t(value_dotted, "label")):
        value.label = text["more_value"]
    name = _name_node(builder, node, names, node.depth + 3, row_pointer)
    row = Node(
        kind="object",
        key=None,
        name="",
        pointer=row_pointer,
        schema_pointer=where,
        dotted=value_dotted,
        schema={},
        ui={},
        types=("object",),
        text=text,
        label=text["more_row"],
        required=True,
        widget="fieldset",
        depth=node.depth + 2,
        readonly=node.readonly,
        children=[name, value],
    )
    suffix = text["more"] if number is None else titled or f"{text['more']} {number + 1}"
    label = builder.t(node.dotted, "more.label") or (f"{node.label} — {suffix}" if node.label else suffix)
    group = KeyGroup(
        kind="array",
        key=None,
        name=GROUP_NAME if not number else f"{GROUP_NAME}_{number + 1}",
        pointer=node.pointer,
        schema_pointer=where,
        dotted=node.dotted,
        schema={},
        ui={},
        types=("array",),
        text=text,
        label=label[0].upper() + label[1:],
        widget="list",
        depth=node.depth + 1,
        readonly=node.readonly,
        item=row,
        min_items=0,
        addable=not node.readonly,
        removable=not node.readonly,
        patterns=tuple(m[0] for m in members if m[0] is not None),
        takes_rest=any(m[0] is None for m in members),
    )
    return group


def _owner(groups: list[Node], name: str) -> KeyGroup | None:
    """The group a key of this name is rendered in: the first pattern it matches, else the rest group."""
    keyed = [g for g in groups if isinstance(g, KeyGroup)]
    for group in keyed:
        if any(_search(p, name) for p in group.patterns):
            return group
    for group in keyed:
        if group.takes(name):
            return group
    return None


def value_node(node: Node, name: str) -> Node | None:
    """The node a free-form key's value is rendered with, if the object takes such a key."""
    if node.kind != "object" or not node.extras or node.child(name) is not None or name in node.gated:
        return None
    group = _owner(node.extras, name)
    if group is None or group.item is None:
        return None
    return group.item.children[1]


def find(node: Node, rest: list[str]) -> tuple[Node, list[str]]:
    """`Node.find` continued into free-form keys: the value node, labelled with the key's name, and below."""
    while rest and node.kind == "object":
        value = value_node(node, rest[0])
        if value is None:
            break
        node, rest = replace(value, label=rest[0]).find(join_pointer(list(rest[1:])))
    return node, rest


# --- fields -----------------------------------------------------------------------------------------------


def bind(form: EngineForm, formdata: Any, data: Mapping[str, Any]) -> None:
    """Create the object form's groups of free-form keys (`form.engine_extras`) from the post or the data."""
    node = form.engine_node
    form.engine_extras = []
    if node.kind != "object" or not node.extras:
        return
    for group in node.extras:
        if not isinstance(group, KeyGroup):
            continue
        mine = [
            {"name": k, "value": v}
            for k, v in data.items()
            if isinstance(k, str) and k not in group.declared and _owner(node.extras, k) is group
        ]
        unbound = ExtraKeysField(node=group, ctx=form.engine_ctx, label=group.label)
        options = {"name": group.name, "prefix": form._prefix, "translations": form.meta.get_translations(form)}
        field = form.meta.bind_field(form, unbound, options)
        field.process(formdata, mine)
        form.engine_extras.append(field)
    _check(form)


class ExtraKeysField(ArrayField):
    """An object's free-form keys: an ArrayField of {name, value} rows read back as keys of the object."""

    node: KeyGroup

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_problems: dict[int, str] = {}  # row index -> MESSAGES key, for rows JSON cannot hold

    @property
    def add_text(self) -> str:
        return self.node.text["more_add"]

    def pairs(self) -> Iterator[tuple[int, Any, str | None, Any, bool]]:
        """(index, row field, name or None, value or ABSENT, blank) for every row."""
        for i, row in enumerate(self.entries):
            name_field, value_field = row.form["name"], row.form["value"]
            value_field.engine_name_field = name_field  # errors about the key's name go beside the name
            present, name = name_field.to_json()
            name = name if present and isinstance(name, str) and name != "" else None
            has_value, value = value_field.to_json()
            value = value if has_value else ABSENT
            blank = name is None and (value is ABSENT or value is None or value in ("", {}, []))
            yield i, row, name, value, blank


def _check(form: EngineForm) -> None:
    """Find the rows JSON cannot hold (no name, a name used twice or declared, a name the group refuses)."""
    node = form.engine_node
    seen: set[str] = set()
    for group_field in form.engine_extras:
        group_field.row_problems = {}
        if group_field.locked:
            continue
        for i, _row, name, _value, blank in group_field.pairs():
            if blank:
                continue
            if name is None:
                group_field.row_problems[i] = "more.name_required"
            elif name in group_field.node.declared or node.child(name) is not None:
                group_field.row_problems[i] = "more.declared"
            elif name in seen:
                group_field.row_problems[i] = "more.duplicate"
            elif _owner(node.extras, name) is not group_field.node:
                group_field.row_problems[i] = "more.name_format"
            else:
                seen.add(name)
    for group_field in form.engine_extras:
        for _i, row, name, _value, _blank in group_field.pairs():
            # A list of allowed names offers each row only the names no other row holds yet.
            row.form["name"].taken = frozenset(seen - {name})


def merge(form: EngineForm, out: dict[str, Any]) -> dict[str, Any]:
    """The object's JSON with its free-form keys added after the declared ones, in row order."""
    for group_field in getattr(form, "engine_extras", ()):
        if group_field.locked:
            rows = group_field.object_data if isinstance(group_field.object_data, list) else []
            for row in rows:
                if isinstance(row, Mapping) and isinstance(row.get("name"), str) and row["name"] not in out:
                    out[row["name"]] = row.get("value")
            continue
        for i, _row, name, value, blank in group_field.pairs():
            if blank or name is None or i in group_field.row_problems or name in out:
                continue
            out[name] = None if value is ABSENT else value
    return out


def group_named(node: Node, name: str) -> Node | None:
    """The extra-keys group node posted under `name` (for the remove button)."""
    return next((g for g in node.extras if g.name == name), None)


def find_field(form: EngineForm, parts: list[str]) -> tuple[Any, list[str]]:
    """The field for pointer parts no declared field covers: a group (".../__more/1/name") or a key's row."""
    groups = getattr(form, "engine_extras", ())
    for group_field in groups:
        if group_field.node.name == parts[0]:
            return group_field.find_field(parts[1:])
    for group_field in groups:
        for i, row, name, _value, _blank in group_field.pairs():
            if name == parts[0] and i not in group_field.row_problems:
                return row.form["value"].find_field(parts[1:])
    return None, parts


def error_field(field: Any, rest: list[str], keyword: str) -> Any:
    """An error about a key's name goes to the name input of its row, every other one stays where it is."""
    name_field = getattr(field, "engine_name_field", None)
    if keyword in NAME_KEYWORDS and not rest and name_field is not None:
        return name_field
    return field


def form_errors(form: EngineForm, messages: Mapping[str, str], pointer: str = "") -> list[tuple[str, str, str, str]]:
    """(pointer, keyword, message, name input id) for every row JSON cannot hold, in every object form inside
    `form`.

    The pointer names the row's name input through its group ("/members/0/__more/1/name"), since the key
    itself may be missing or taken by another row."""
    out: list[tuple[str, str, str, str]] = []
    for sub_pointer, sub in _forms(form, pointer):
        for group_field in getattr(sub, "engine_extras", ()):
            for i, message_key in sorted(group_field.row_problems.items()):
                where = f"{sub_pointer}{join_pointer([group_field.node.name, i, 'name'])}"
                name_id = group_field.entries[i].form["name"].id
                out.append((where, "propertyNames", messages[message_key], name_id))
    return out


def _forms(form: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """Every object form inside `form`, itself first, with the pointer its fields answer to."""
    if form.engine_node.kind == "object":
        yield pointer, form
    for field in form.engine_fields:
        key = field.node.key
        if not field.active:
            continue
        base = pointer if key is None else f"{pointer}{join_pointer([key])}"
        yield from _field_forms(field, base)
    for group_field in getattr(form, "engine_extras", ()):
        base = f"{pointer}{join_pointer([group_field.node.name])}"
        for i, row in enumerate(group_field.entries):
            yield from _field_forms(row.form["value"], f"{base}/{i}/value")


def _field_forms(field: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    if field.engine_kind == "object":
        yield from _forms(field.form, pointer)
    elif field.engine_kind == "array":
        for i, row in enumerate(field.entries):
            yield from _field_forms(row, f"{pointer}/{i}")


# --- validation -------------------------------------------------------------------------------------------


def name_error(error: ValidationError) -> str | None:
    """For an error found by `propertyNames`: the pointer of the key it is about (jsonschema gives the object)."""
    path = list(error.absolute_schema_path)
    for i, part in enumerate(path):
        if part == "propertyNames" and (i == 0 or path[i - 1] not in _MAPS) and isinstance(error.instance, str):
            return join_pointer([*error.absolute_path, error.instance])
    return None


def name_message(node: Node, rest: list[str], keyword: str, messages: Mapping[str, str]) -> str | None:
    """What to say about a refused key of an object with free-form keys: it is the name that is wrong."""
    if node.kind == "object" and node.extras and len(rest) == 1 and keyword in NAME_KEYWORDS:
        return messages["more.name_format"]
    return None


def extra_field_id(root: Node, pointer: str, base: str, data: Any, keyword: str) -> str | None:
    """The HTML id of a free-form key's row input, from the data alone (rows render in data order)."""
    node = root
    value = data
    ids = [base]
    parts = split_pointer(pointer)
    for n, part in enumerate(parts):
        if node.kind == "object":
            child = node.child(part)
            if child is None:
                if not node.extras or not isinstance(value, Mapping):
                    return None
                group = _owner(node.extras, part)
                if group is None or part not in value:
                    return None
                keys = [k for k in value if isinstance(k, str) and k not in group.declared]
                mine = [k for k in keys if _owner(node.extras, k) is group]
                index = mine.index(part) if part in mine else None
                if index is None:
                    return None
                head = "-".join([*ids, group.name, str(index)])
                if keyword in NAME_KEYWORDS and n == len(parts) - 1:
                    return f"{head}-name"
                return None if n < len(parts) - 1 else _value_id(group, head)
            ids.append(child.name)
            node = child
            value = value.get(part) if isinstance(value, Mapping) else None
        elif node.kind == "array" and part.isdigit():
            row = node.row(int(part))
            if row is None:
                return None
            ids.append(part)
            node = row
            value = value[int(part)] if isinstance(value, list) and int(part) < len(value) else None
        else:
            return None
    return None


def _value_id(group: KeyGroup, head: str) -> str:
    value = group.item.children[1] if group.item is not None else None
    if value is not None and value.kind in ("choice", "boolean") and value.widget == "radio" and value.choices:
        return f"{head}-value-0"
    if value is not None and value.widget == "alt-date":
        return f"{head}-value-day"
    return f"{head}-value"


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")
