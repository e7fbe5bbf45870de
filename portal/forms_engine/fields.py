"""WTForms fields built from nodes: they read posted inputs or JSON, and give JSON back."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from wtforms import Form
from wtforms.fields.core import Field, UnboundField
from wtforms.utils import unset_value

from portal.forms_engine.nodes import Node, Rule, applies, decide, infer_alternative
from portal.forms_engine.text import nfc


class _Absent:
    """No value at all (the key is missing), as distinct from null."""

    _instance: _Absent | None = None

    def __new__(cls) -> _Absent:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "ABSENT"

    def __bool__(self) -> bool:
        return False


ABSENT: Any = _Absent()

#: Rows a single form instance may hold in all its arrays together; a forged "-count" cannot exhaust memory.
ROW_BUDGET = 2000
#: Rows one array may hold whatever its count input says.
MAX_ROWS = 500

_INT = re.compile(r"[+-]?\d+", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][+-]?\d+)?", re.ASCII)
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", re.ASCII)
_OFFSET = re.compile(r"(.*?)([Zz]|[+-]\d{2}:\d{2})")
_DEFAULT_TZ = "+07:00"  # Việt Nam has one time zone and no daylight saving


class Context:
    """What one `spec.form()` call shares between its fields: the button pressed and where to come back to."""

    def __init__(self, action: tuple[str, str] | None = None) -> None:
        self.action = action
        self.anchor: str | None = None  # the container to come back to (form.engine_anchor)
        self.focus: str | None = None  # the element that gets `autofocus`, so the page opens there
        self.rows_left = ROW_BUDGET


def same_value(a: Any, b: Any) -> bool:
    """JSON equality that keeps true apart from 1 and 1 apart from "1"."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def clean_text(raw: str) -> str:
    """Browser text -> stored text: one newline convention, NFC, no surrounding spaces."""
    return nfc(raw.replace("\r\n", "\n").replace("\r", "\n")).strip()


def parse_number(text: str, types: tuple[str, ...]) -> int | float | None:
    """ "42" -> 42, "3,5" -> 3.5, "１２" -> 12; None when it is not a finite number of the schema's kind."""
    text = unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u00a0", "")
    try:
        if _INT.fullmatch(text):
            return int(text)
        if "number" in types and _FLOAT.fullmatch(text) and text.count(",") <= 1 and not ("," in text and "." in text):
            value = float(text.replace(",", "."))
            if not math.isfinite(value):
                return None
            return int(value) if value.is_integer() and "e" not in text.lower() and abs(value) < 2**53 else value
        if "integer" in types and _FLOAT.fullmatch(text) and "," not in text:
            value = float(text)
            if math.isfinite(value) and value.is_integer() and abs(value) < 2**53:
                return int(value)
    except ValueError:  # e.g. more digits than int() accepts
        return None
    return None


def display_scalar(value: Any) -> str:
    """JSON value -> the text an input shows."""
    if value is ABSENT or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def defaults_for(node: Node, value: Any = ABSENT, required: bool | None = None) -> Any:
    """`value` with schema defaults filled in where rjsf would fill them (missing keys, short arrays).

    `required` overrides the node's own flag when a condition of the parent decides it."""
    required = node.required if required is None else required
    if node.kind == "object":
        if value is ABSENT:
            base = dict(node.default) if node.has_default and isinstance(node.default, dict) else {}
        elif isinstance(value, dict):
            base = dict(value)
        else:
            return value
        for child in node.children:
            if child.key in node.gated:
                continue  # filled below once the plain answers say whether its branch applies
            filled = defaults_for(child, base.get(child.key, ABSENT))  # type: ignore[arg-type]
            if filled is not ABSENT:
                base[child.key] = filled  # type: ignore[index]
        if node.gated:
            active, now_required, outcomes = decide(node, base)
            shown = [c for c in node.children if c.key in node.gated and applies(node, c, active, outcomes)]
            for key in node.gated - {c.key for c in shown}:
                base.pop(key, None)
            for child in shown:
                filled = defaults_for(child, base.get(child.key, ABSENT), child.key in now_required)  # type: ignore[arg-type]
                if filled is not ABSENT:
                    base[child.key] = filled  # type: ignore[index]
        if value is ABSENT and not base and not required:
            return ABSENT
        return base
    if node.kind == "array":
        if value is ABSENT:
            rows = list(node.default) if node.has_default and isinstance(node.default, list) else []
        elif isinstance(value, list):
            rows = list(value)
        else:
            return value
        out = []
        for i, row in enumerate(rows):
            row_node = node.row(i)
            out.append(defaults_for(row_node, row) if row_node is not None else row)
        while len(out) < node.min_items and node.row(len(out)) is not None:
            filled = defaults_for(node.row(len(out)), ABSENT)  # type: ignore[arg-type]
            out.append(None if filled is ABSENT else filled)
        if value is ABSENT and not out and not required:
            return ABSENT  # to_json leaves an untouched optional list out, and gives [] for a required one
        return out
    if value is ABSENT and node.has_default:
        return node.default
    return value


# --- the form ---------------------------------------------------------------------------------------------


class EngineForm(Form):
    """A form for one object node; fields are looked up by their JSON key, not their HTML name."""

    engine_node: Node
    engine_ctx: Context
    engine_action: str | None = None
    engine_anchor: str | None = None
    engine_errors: list[Any]
    engine_text: dict[str, str]
    engine_submit_text: str = ""
    engine_page_keys: set[Any] | None = None
    engine_extras: list[Any]  # the object's groups of free-form keys (extra_keys.py), outside `_fields`

    def process(
        self,
        formdata: Any = None,
        obj: Any = None,
        data: Any = None,
        extra_filters: Any = None,
        **kwargs: Any,
    ) -> None:
        formdata = self.meta.wrap_formdata(self, formdata)
        self.engine_errors = []
        scalar_root = self.engine_node.kind != "object"
        values = data if isinstance(data, Mapping) else {}
        for field in self._fields.values():
            # A scalar/array root schema: the single field takes the whole document.
            value = (ABSENT if data is None else data) if scalar_root else values.get(field.node.key, ABSENT)
            field.process(formdata, value)
        self.engine_extras = []
        if not scalar_root and self.engine_node.extras:
            _extra_keys().bind(self, formdata, values)
        if not scalar_root and self.engine_node.rules:
            self._apply_rules()

    def _apply_rules(self) -> None:
        """Decide from the current answers which gated fields apply and which fields are required now."""
        node = self.engine_node
        current = {}
        pick: AltField | None = None
        for field in self._fields.values():
            if isinstance(field, AltField):
                pick = field
                continue
            present, value = field.to_json()
            if present:
                current[field.node.key] = value
        chosen = None
        if pick is not None:
            chosen = pick.value if isinstance(pick.value, int) else infer_alternative(node, current)
            pick.load(chosen)  # the radio shows the alternative the page is rendered with
        active, required, outcomes = decide(node, current, chosen)
        by_key: dict[Any, Any] = {field.node.key: field for field in self._fields.values()}
        for field in self._fields.values():
            key = field.node.key
            if field is pick:
                continue
            field.required_now = key in required
            if key in node.gated:
                field.active = applies(node, field.node, active, outcomes)
                field.when = _when(node, field.node, by_key)
                if not field.active:
                    # Hidden now; forms.js may reveal it without asking the server: label it as it will be.
                    field.required_now = _required_when_shown(node, field.node)
        order = list(self._fields.values())
        for rule in node.rules:
            if rule.alt is not None:
                controller = pick
            else:
                # The button goes after the last answer the condition reads.
                readers = [by_key[k] for k in rule.inputs if k in by_key and by_key[k] is not pick]
                controller = max(readers, key=order.index) if readers else None
            dependents = [by_key[k] for k in (rule.then_keys | rule.else_keys) & node.gated if k in by_key]
            if controller is not None and dependents:
                controller.controls = True
                # forms.js can stand in for "Cập nhật" only if it can decide every field this answer gates.
                controller.controls_live = controller.controls_live and all(f.when for f in dependents)

    def to_json(self) -> Any:
        """The object (or, for a scalar root schema, the value) the citizen entered."""
        if self.engine_node.kind != "object":
            present, value = next(iter(self._fields.values())).to_json()
            return value if present else None
        out = {}
        for field in self._fields.values():
            if not field.active or field.node.key is None:
                # A branch that does not apply: whatever was posted for it is not an answer; nor is the
                # choice of an alternative, which only says which fields to show.
                continue
            present, value = field.to_json()
            if present:
                out[field.node.key] = value
        return _extra_keys().merge(self, out) if self.engine_extras else out

    def find_field(self, parts: list[str]) -> tuple[Any, list[str]]:
        """The deepest field on the pointer parts, and the parts no field covers."""
        if self.engine_node.kind != "object":
            field = next(iter(self._fields.values()))
            return field.find_field(parts)
        if not parts:
            return None, parts
        # Of several variants of one key, the one on the page now.
        same = [f for f in self._fields.values() if f.node.key is not None and f.node.key == parts[0]]
        if same:
            return next((f for f in same if f.active), same[0]).find_field(parts[1:])
        if self.engine_extras:
            return _extra_keys().find_field(self, parts)
        return None, parts

    @property
    def engine_fields(self) -> list[Any]:
        return list(self._fields.values())

    def first_target_id(self) -> str | None:
        for field in [*self._fields.values(), *self.engine_extras]:
            target = field.target_id
            if target:
                return target
        return None


def _required_when_shown(node: Node, child: Node) -> bool:
    """Whether a gated field is required once a branch that brings it in applies."""
    for index, rule in enumerate(node.rules):
        for side, keys, required in (
            (True, rule.then_keys, rule.then_required),
            (False, rule.else_keys, rule.else_required),
        ):
            if (
                child.key in keys
                and (child.branches is None or (index, side) in child.branches)
                and child.key in required
            ):
                return True
    return child.key in node.base_required


def _extra_keys() -> Any:
    # Imported when first needed: extra_keys builds its group field on ArrayField, defined in this module.
    from portal.forms_engine import extra_keys

    return extra_keys


def _when(node: Node, child: Node, by_key: Mapping[str, Any]) -> str | None:
    """forms.js's test for a gated field: a JSON list of conditions, any of which shows it; None when some
    condition is too complex for the browser (the field then follows the server only).

    Each condition is {"f": input name, "in": [posted tokens] or null (any answer), "empty": whether no
    answer matches, "not": negate (an else branch)}.
    """
    conds: list[dict[str, Any]] = []
    for index, rule in enumerate(node.rules):
        sides = [(False, rule.then_keys), (True, rule.else_keys)]
        for negate, keys in sides:
            if child.key not in keys:
                continue
            if child.branches is not None and (index, not negate) not in child.branches:
                continue  # another variant of this key goes with that branch
            cond = _condition(rule, by_key)
            if cond is None:
                return None
            conds.append({**cond, "not": negate})
    return json.dumps(conds, separators=(",", ":")) if conds else None


def _condition(rule: Rule, by_key: Mapping[Any, Any]) -> dict[str, Any] | None:
    if rule.alt is not None:
        pick = by_key.get(None)
        return None if pick is None else {"f": pick.name, "in": [str(rule.alt)], "empty": False}
    controller = by_key.get(rule.controller)
    if controller is None or controller.node.kind not in ("choice", "boolean", "input"):
        return None
    checkbox = controller.node.kind == "boolean" and controller.node.widget == "checkbox"
    if rule.key is not None:
        # An unticked checkbox still answers (false): only the server can tell "present" there.
        return None if checkbox else {"f": controller.name, "in": None, "empty": False}
    if rule.simple is None or controller.node.kind == "input":
        return None
    _, values, empty_matches = rule.simple
    tokens = [c.token for c in controller.node.choices if any(same_value(c.value, v) for v in values)]
    return {"f": controller.name, "in": tokens, "empty": empty_matches and not checkbox}


def form_class(node: Node, ctx: Context) -> type[EngineForm]:
    """A new Form class for an object node (or a one-field form for a scalar/array root)."""
    attrs: dict[str, Any] = {"engine_node": node, "engine_ctx": ctx}
    if node.kind == "object":
        if node.alt_choice is not None:
            # Created first, so WTForms puts it first: pick the alternative, then fill its fields.
            attrs["engine_alt"] = AltField(node=node.alt_choice, ctx=ctx, label=node.alt_choice.label)
        for child in node.children:
            attrs[child.name] = unbound_for(child, ctx)
    else:
        attrs["value"] = unbound_for(node, ctx)
    return type("EngineForm_" + (node.name or "root"), (EngineForm,), attrs)


def unbound_for(node: Node, ctx: Context, label: str | None = None, row: bool = False) -> UnboundField:
    """The field class that renders a node, not yet bound to a form."""
    cls: type[EngineField] = {
        "object": ObjectField,
        "array": ArrayField,
        "multi": MultiChoiceField,
        "choice": ChoiceField,
        "boolean": BooleanField,
        "note": NoteField,
    }.get(node.kind, InputField)
    if cls is InputField and node.widget == "alt-date":
        cls = AltDateField
    elif cls is InputField and node.widget in ("datetime", "time"):
        cls = DateTimeField
    return cls(node=node, ctx=ctx, label=node.label if label is None else label, row=row)  # type: ignore[return-value]


# --- fields -----------------------------------------------------------------------------------------------


class EngineField(Field):
    """Base: JSON in (`process`), JSON out (`to_json`), and what the macro needs to render accessibly."""

    engine_kind = "input"

    def __init__(self, *args: Any, node: Node, ctx: Context, row: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, description=node.description, **kwargs)
        self._prefix = kwargs.get("_prefix", "")  # rows of an ArrayField are bound with the same prefix
        self.node = node
        self.ctx = ctx
        self.is_row = row
        self.errors: list[str] = []  # type: ignore[assignment]
        self.raw = ""
        self.value: Any = ABSENT
        self.required_now = node.required  # the parent's conditions may change it (_apply_rules)
        self.active = True  # False: a gated field whose branch does not apply now
        self.when: str | None = None  # forms.js's test for a gated field (see _when)
        self.controls = False  # other fields of the same object depend on this answer: offer "Cập nhật"
        self.controls_live = True  # ... and forms.js can show/hide all of them (the button may then hide)

    # What the macro reads --------------------------------------------------------------------------------

    @property
    def locked(self) -> bool:
        return self.node.readonly or self.node.disabled

    @property
    def text(self) -> dict[str, str]:
        return self.node.text

    @property
    def optional(self) -> bool:
        """Marked "(không bắt buộc)": the citizen may leave it empty."""
        # Required-ness follows the branch that applies now (required_now), not only the schema's `required`.
        node = self.node
        return not (self.required_now or self.is_row or self.locked) and node.kind != "note"

    @property
    def hint_id(self) -> str:
        return f"{self.id}--hint"

    @property
    def error_id(self) -> str:
        return f"{self.id}--error"

    @property
    def has_hint(self) -> bool:
        return bool(self.node.description or self.node.help or self.engine_kind == "altdate")

    @property
    def describedby(self) -> str | None:
        ids = [self.hint_id] if self.has_hint else []
        if self.errors:
            ids.append(self.error_id)
        return " ".join(ids) or None

    @property
    def target_id(self) -> str:
        """The element an error summary link moves focus to."""
        return self.id

    def input_attrs(self, **extra: Any) -> dict[str, Any]:
        """Attributes common to this field's input element(s), ready for Jinja's `xmlattr` (which escapes)."""
        attrs: dict[str, Any] = {"aria-describedby": self.describedby}
        if self.errors:
            attrs["aria-invalid"] = "true"
        if self.node.disabled:
            attrs["disabled"] = "disabled"
        elif self.node.readonly:
            attrs["readonly"] = "readonly"
        attrs.update(extra)
        if attrs.get("id") is not None and attrs.get("id") == self.ctx.focus:
            attrs["autofocus"] = "autofocus"
        return attrs

    def autofocus(self, element_id: str) -> bool:
        """Whether `element_id` is where the page should open after an add/remove button."""
        return self.ctx.focus is not None and element_id == self.ctx.focus

    # Data -------------------------------------------------------------------------------------------------

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.errors = []
        if data is unset_value:
            data = ABSENT
        if self.locked and self.node.has_default and (data is ABSENT or not self.belongs(data)):
            # A read-only field shows its default; so does the read-only variant of a key when the value
            # came from another variant (the defaults were filled before the citizen picked a branch).
            data = self.node.default
        self.object_data = data
        self.load(data)
        if formdata is not None and not self.locked:
            self.load_post(formdata)

    def belongs(self, value: Any) -> bool:
        """Whether `value` is one this field could hold; only variants of a key ever hold another's."""
        return True

    def load(self, value: Any) -> None:
        self.value = value
        self.raw = display_scalar(value)

    def load_post(self, formdata: Any) -> None:
        raw = formdata.get(self.name, "")
        self.raw = raw if isinstance(raw, str) else ""
        self.value = self.parse(self.raw)

    def parse(self, raw: str) -> Any:
        return ABSENT

    def empty(self) -> Any:
        return self.node.empty_value if self.node.has_empty_value else ABSENT

    def to_json(self) -> tuple[bool, Any]:
        """(present, value): absent keys are left out of the parent object."""
        value = self.object_data if self.locked else self.value
        return value is not ABSENT, (None if value is ABSENT else value)

    def find_field(self, parts: list[str]) -> tuple[Any, list[str]]:
        return self, parts

    def _value(self) -> str:
        return self.raw


class InputField(EngineField):
    """Text, textarea, password, email, url, tel, number, range, date and hidden inputs."""

    @property
    def engine_kind(self) -> str:  # type: ignore[override]
        if self.node.widget == "textarea":
            return "textarea"
        if self.node.widget == "hidden":
            return "hidden"
        return "input"

    def input_attrs(self, **extra: Any) -> dict[str, Any]:
        attrs = {"type": self.node.input_type, "id": self.id, "name": self.name}
        if self.node.placeholder:
            attrs["placeholder"] = self.node.placeholder
        attrs.update(self.node.attrs)
        if self.engine_kind == "textarea":
            attrs.pop("type")
            attrs["rows"] = self.node.rows or 5
        return super().input_attrs(**{**attrs, **extra})

    def parse(self, raw: str) -> Any:
        text = clean_text(raw)
        if not text:
            return self.empty()
        types = tuple(t for t in self.node.types if t != "null")
        if self.node.fmt == "date" or self.node.widget == "date":
            found = _DMY.fullmatch(text)
            if found:  # a browser without a date picker gets what people type: 27/3/1985
                return f"{found[3]}-{int(found[2]):02d}-{int(found[1]):02d}"
        if types and types[0] in ("integer", "number"):
            number = parse_number(text, types)
            if number is not None:
                return number
        if types == ("boolean",) and text in ("true", "false"):
            return text == "true"
        return text


class DateTimeField(InputField):
    """`<input type=datetime-local|time>` plus the offset it was stored with, so values keep their zone."""

    @property
    def tz_name(self) -> str:
        return f"{self.name}-tz"

    def load(self, value: Any) -> None:
        self.value = value
        self.tz = _DEFAULT_TZ
        self.raw = display_scalar(value)
        if isinstance(value, str):
            found = _OFFSET.fullmatch(value)
            if found:
                self.raw, self.tz = found[1], found[2]

    def load_post(self, formdata: Any) -> None:
        tz = formdata.get(self.tz_name, _DEFAULT_TZ)
        self.tz = tz if isinstance(tz, str) and re.fullmatch(r"[Zz]|[+-]\d{2}:\d{2}", tz) else _DEFAULT_TZ
        super().load_post(formdata)

    def parse(self, raw: str) -> Any:
        text = clean_text(raw)
        if not text:
            return self.empty()
        if _OFFSET.fullmatch(text) and re.search(r"\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$", text):
            return text  # already complete (typed by hand or posted by a script)
        clock = text.split("T", 1)[-1]
        if re.fullmatch(r"\d{2}:\d{2}", clock):
            text += ":00"  # the browser omits seconds when they are zero
        return text + self.tz

    def input_attrs(self, **extra: Any) -> dict[str, Any]:
        return super().input_attrs(step="1", **extra)


class AltDateField(EngineField):
    """A date as three boxes (ngày, tháng, năm): easier for elderly citizens than a calendar."""

    engine_kind = "altdate"

    def part_attrs(self, key: str) -> dict[str, Any]:
        attrs: dict[str, Any] = {
            "type": "text",
            "inputmode": "numeric",
            "name": f"{self.name}-{key}",
            "id": f"{self.id}-{key}",
            "value": self.raw_parts.get(key, ""),
            "maxlength": 4 if key == "year" else 2,
        }
        if self.node.attrs.get("autocomplete") == "bday":
            attrs["autocomplete"] = f"bday-{key}"
        return super().input_attrs(**attrs)

    @property
    def target_id(self) -> str:
        return f"{self.id}-day"

    def load(self, value: Any) -> None:
        self.value = value
        self.raw_parts = {}
        if isinstance(value, str):
            found = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
            if found:
                self.raw_parts = {"year": found[1], "month": str(int(found[2])), "day": str(int(found[3]))}

    def load_post(self, formdata: Any) -> None:
        self.raw_parts = {}
        for key in ("day", "month", "year"):
            raw = formdata.get(f"{self.name}-{key}", "")
            self.raw_parts[key] = unicodedata.normalize("NFKC", raw).strip() if isinstance(raw, str) else ""
        day, month, year = (self.raw_parts[k] for k in ("day", "month", "year"))
        if not (day or month or year):
            self.value = self.empty()
        elif (
            day.isascii()
            and day.isdigit()
            and month.isascii()
            and month.isdigit()
            and year.isascii()
            and year.isdigit()
            and len(year) == 4
        ):
            self.value = (
                f"{year}-{int(month):02d}-{int(day):02d}"
                if len(day) <= 2 and len(month) <= 2
                else f"{year}-{month}-{day}"
            )
        else:
            # Keep what was typed so the format check names the problem and the boxes show it again.
            self.value = f"{year or '?'}-{month or '?'}-{day or '?'}"


class ChoiceField(EngineField):
    """One value from a list: radios (few choices) or a select (many)."""

    @property
    def engine_kind(self) -> str:  # type: ignore[override]
        return "hidden" if self.node.widget == "hidden" else self.node.widget  # radio | select

    def options(self) -> list[dict[str, Any]]:
        """Each choice with its element id and whether it is selected."""
        return _choice_options(self, lambda token: bool(self.raw) and self.raw == token)

    @property
    def target_id(self) -> str:
        return f"{self.id}-0" if self.engine_kind == "radio" and self.node.choices else self.id

    def belongs(self, value: Any) -> bool:
        return self.node.branches is None or any(same_value(c.value, value) for c in self.node.choices)

    def load(self, value: Any) -> None:
        self.value = value
        self.raw = ""
        for choice in self.node.choices:
            if value is not ABSENT and same_value(choice.value, value):
                self.raw = choice.token
                break

    def parse(self, raw: str) -> Any:
        if raw == "":
            return self.empty()
        for choice in self.node.choices:
            if choice.token == raw:
                # A ui:enumDisabled value is shown, never chosen: a forged post counts as no answer.
                return self.empty() if choice.disabled else choice.value
        return clean_text(raw)  # not on the list: validation says "choose one of the options"

    def input_attrs(self, **extra: Any) -> dict[str, Any]:
        attrs = super().input_attrs(**extra)
        if self.node.readonly and self.engine_kind in ("radio", "select"):
            attrs.pop("readonly", None)
            attrs["disabled"] = "disabled"  # radios and selects cannot be readonly; the stored value is used
        return attrs


class AltField(ChoiceField):
    """Which alternative of a oneOf/anyOf the citizen fills in: a control for the page, not an answer."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Posted as "<object>-__alt": a name no property can take (safe_name never starts with "_").
        kwargs["name"] = "__alt"
        super().__init__(*args, **kwargs)

    def parse(self, raw: str) -> Any:
        for choice in self.node.choices:
            if choice.token == raw:
                return choice.value
        return ABSENT  # nothing or a forged token: the data decides (infer_alternative)

    def to_json(self) -> tuple[bool, Any]:
        return False, None


class BooleanField(ChoiceField):
    """Yes/no as two radios (unanswered stays absent), or one checkbox (unticked means false)."""

    @property
    def engine_kind(self) -> str:  # type: ignore[override]
        widget = self.node.widget
        return "hidden" if widget == "hidden" else widget  # radio | select | checkbox

    @property
    def only_true(self) -> bool:
        schema = self.node.schema
        return schema.get("const") is True or schema.get("enum") == [True]

    @property
    def checked(self) -> bool:
        return self.raw == "true"

    def parse(self, raw: str) -> Any:
        if self.engine_kind == "checkbox":
            return True if raw else (ABSENT if self.only_true else False)
        return super().parse(raw)

    @property
    def target_id(self) -> str:
        return self.id if self.engine_kind == "checkbox" else super().target_id

    @property
    def optional(self) -> bool:
        # A lone checkbox is answered either way, so "(optional)" would only confuse.
        return super().optional and self.engine_kind != "checkbox"


class MultiChoiceField(EngineField):
    """Several values from a list (array of enum with uniqueItems): checkboxes."""

    @property
    def engine_kind(self) -> str:  # type: ignore[override]
        return "multiselect" if self.node.widget == "select" else "checkboxes"

    def options(self) -> list[dict[str, Any]]:
        return _choice_options(self, lambda token: token in self.tokens)

    @property
    def target_id(self) -> str:
        return f"{self.id}-0" if self.engine_kind == "checkboxes" and self.node.choices else self.id

    def load(self, value: Any) -> None:
        self.value = value
        self.tokens: list[str] = []
        if isinstance(value, list):
            for item in value:
                for choice in self.node.choices:
                    if same_value(choice.value, item):
                        self.tokens.append(choice.token)

    def load_post(self, formdata: Any) -> None:
        posted = [t for t in formdata.getlist(self.name) if isinstance(t, str)] if self.name in formdata else []
        self.tokens = []
        values: list[Any] = []
        by_token = {c.token: c for c in self.node.choices}
        for token in posted:
            if token in self.tokens:
                continue
            self.tokens.append(token)
            choice = by_token.get(token)
            if choice is None:
                values.append(clean_text(token))  # not on the list: validation names it
            elif not choice.disabled:
                values.append(choice.value)
        self.value = values if values else self.empty()


class NoteField(EngineField):
    """A `type: null` property: a heading and text, nothing to enter."""

    engine_kind = "note"

    def to_json(self) -> tuple[bool, Any]:
        return self.node.required, None

    @property
    def target_id(self) -> str:
        return ""


class ObjectField(EngineField):
    """A nested object: a fieldset whose legend is the object's title."""

    engine_kind = "object"

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.errors = []
        if data is unset_value:
            data = ABSENT
        self.object_data = data
        cls = form_class(self.node, self.ctx)
        self.form = cls(formdata=formdata, prefix=self.name, data=data if isinstance(data, dict) else {})

    def __iter__(self) -> Iterator[Any]:
        return iter(self.form)

    @property
    def fields(self) -> list[Any]:
        return list(self.form)

    def to_json(self) -> tuple[bool, Any]:
        out = self.form.to_json()
        if not out and not (self.required_now or self.is_row):
            return False, None
        return True, out

    def find_field(self, parts: list[str]) -> tuple[Any, list[str]]:
        if not parts:
            return self, parts
        found, rest = self.form.find_field(parts)
        return (self, parts) if found is None else (found, rest)

    @property
    def target_id(self) -> str:
        return self.form.first_target_id() or self.id


class ArrayField(EngineField):
    """A repeatable group: rows plus add/remove buttons that post the page (no JavaScript needed)."""

    engine_kind = "array"

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.errors = []
        if data is unset_value:
            data = ABSENT
        self.object_data = data
        self.entries: list[EngineField] = []
        rows = data if isinstance(data, list) else []
        if formdata is not None and not self.locked:
            count = self._posted_count(formdata)
            for i in range(count):
                self._add_row(formdata, rows[i] if i < len(rows) else ABSENT)
            if self.ctx.action == ("add", self.name) and self.can_add:
                row_node = self.node.row(len(self.entries))
                new = self._add_row(None, defaults_for(row_node, ABSENT) if row_node else ABSENT)
                if new is not None:
                    self.ctx.anchor = new.id
                    self.ctx.focus = new.target_id or None
            elif (
                self.ctx.action
                and self.ctx.action[0] == "remove"
                and self.ctx.action[1].rpartition("-")[0] == self.name
            ):
                self.ctx.anchor = self.id
                self.ctx.focus = self.add_id if self.can_add else (self.target_id or None)
        else:
            for row in rows:
                self._add_row(None, row)
            while len(self.entries) < self.node.min_items and self._add_row(None, ABSENT) is not None:
                pass

    def _posted_count(self, formdata: Any) -> int:
        raw = formdata.get(f"{self.name}-count", "")
        if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= 4:
            count = int(raw)
        else:
            # No count (a hand-made post): take the highest row index present.
            prefix = f"{self.name}-"
            count = 0
            for key in formdata:
                if key.startswith(prefix):
                    head = key[len(prefix) :].split("-", 1)[0]
                    if head.isascii() and head.isdigit() and len(head) <= 4:
                        count = max(count, int(head) + 1)
        return max(min(count, MAX_ROWS), len(self.node.prefix_items))

    def _add_row(self, formdata: Any, value: Any) -> EngineField | None:
        index = len(self.entries)
        row_node = self.node.row(index)
        if row_node is None or self.ctx.rows_left <= 0 or index >= MAX_ROWS:
            return None
        self.ctx.rows_left -= 1
        label = row_node.label if index < len(self.node.prefix_items) else f"{row_node.label} {index + 1}"
        unbound = unbound_for(row_node, self.ctx, label=label, row=True)
        field = unbound.bind(
            form=None,
            name=f"{self.short_name}-{index}",
            prefix=self._prefix,
            id=f"{self.id}-{index}",
            _meta=self.meta,
            translations=self._translations,
        )
        field.process(formdata, value)
        self.entries.append(field)
        return field

    def __iter__(self) -> Iterator[Any]:
        return iter(self.entries)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def count_name(self) -> str:
        return f"{self.name}-count"

    @property
    def can_add(self) -> bool:
        node = self.node
        return node.addable and (node.max_items is None or len(self.entries) < node.max_items)

    def can_remove(self, index: int) -> bool:
        return self.node.removable and len(self.entries) > self.node.min_items and index >= len(self.node.prefix_items)

    @property
    def add_value(self) -> str:
        return f"add:{self.name}"

    @property
    def add_text(self) -> str:
        """The add button's words: "Thêm thành viên"."""
        return f"{self.text['add']} {self.node.error_label}"

    @property
    def add_id(self) -> str:
        return f"{self.id}--add"

    def remove_value(self, row: EngineField) -> str:
        return f"remove:{row.name}"

    def rows(self) -> list[tuple[int, EngineField, bool]]:
        """(index, row field, removable) for the macro."""
        return [(i, row, self.can_remove(i)) for i, row in enumerate(self.entries)]

    def to_json(self) -> tuple[bool, Any]:
        if self.locked:
            return super().to_json()
        out = []
        for row in self.entries:
            present, value = row.to_json()
            if not present:
                value = row.node.empty_value if row.node.has_empty_value else None
            out.append(value)
        if not self.required_now and all(v is None or v == "" or v == {} or v == [] for v in out):
            # Untouched rows of an optional list (e.g. the empty boxes minItems shows) mean "not answered".
            return False, None
        return True, out

    def find_field(self, parts: list[str]) -> tuple[Any, list[str]]:
        if parts and parts[0].isascii() and parts[0].isdigit() and int(parts[0]) < len(self.entries):
            return self.entries[int(parts[0])].find_field(parts[1:])
        return self, parts

    @property
    def target_id(self) -> str:
        for row in self.entries:
            if row.target_id:
                return row.target_id
        return self.add_id if self.can_add else self.id

    @property
    def optional(self) -> bool:
        return False


def _choice_options(field: Any, is_selected: Callable[[str], bool]) -> list[dict[str, Any]]:
    """The choices of a radio group, select or checkbox list, each with its element id and state."""
    out = []
    taken = getattr(field, "taken", frozenset())  # names other rows of a free-form group already hold
    for i, choice in enumerate(field.node.choices):
        if choice.token in taken and not is_selected(choice.token):
            continue
        option_id = f"{field.id}-{i}"
        out.append(
            {
                "id": option_id,
                "token": choice.token,
                "label": choice.label,
                "disabled": choice.disabled,
                "selected": is_selected(choice.token),
                "autofocus": field.autofocus(option_id),
            }
        )
    return out
