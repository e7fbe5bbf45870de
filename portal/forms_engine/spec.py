"""FormSpec: one compiled schema + uiSchema that builds forms, reads posts, validates and lists answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import referencing.exceptions
from jsonschema import SchemaError, ValidationError
from jsonschema.exceptions import relevance
from werkzeug.datastructures import MultiDict

from portal.forms_engine import extra_keys
from portal.forms_engine.fields import ABSENT, Context, EngineForm, defaults_for, form_class, same_value
from portal.forms_engine.messages import MESSAGES, UI_TEXT, format_number, locale_key
from portal.forms_engine.nodes import (
    FormSchemaError,
    Node,
    build_tree,
    infer_alternative,
    join_pointer,
    split_pointer,
    without_other_variants,
)
from portal.forms_engine.pages import Page, build_pages, page_of_pointer
from portal.forms_engine.validation import make_validator, pattern_search

__all__ = ["Answer", "FieldError", "FormSpec", "Page", "compile_form"]

_ACTION = re.compile(r"(add|remove):([A-Za-z0-9_\-]{1,400})")


@dataclass(frozen=True)
class FieldError:
    """One problem with the data, located by an RFC 6901 pointer (the missing field itself for `required`)."""

    pointer: str
    keyword: str
    message: str
    # Filled by attach_errors (or validate(prefix=...)); not part of equality so errors compare by content.
    field_id: str | None = dataclasses.field(default=None, compare=False)


@dataclass(frozen=True)
class Answer:
    """One line of check-your-answers or the receipt: a question and its answer, or a group heading."""

    label: str
    value: str
    depth: int
    pointer: str
    is_group: bool


class FormSpec:
    """A compiled procedure form: build once per (schema, uiSchema, locale) and reuse; no request state."""

    def __init__(
        self,
        schema: Any,
        ui_schema: Mapping[str, Any] | None,
        translations: Mapping[str, Any] | None,
        locale: str,
    ) -> None:
        self.schema = schema
        self.ui_schema = ui_schema or {}
        self.translations = translations or {}
        self.locale = locale_key(locale)
        self.text = UI_TEXT[self.locale]
        self.messages = MESSAGES[self.locale]
        try:
            self.validator = make_validator(schema)
        except SchemaError as exc:
            raise FormSchemaError(f"not a valid schema: {exc.message}", join_pointer(list(exc.absolute_path))) from None
        self.root: Node = build_tree(schema, self.ui_schema, self.translations, self.locale)
        tr = self.translations.get(self.locale)
        #: the steps of a multi-step form (`ui:pages`); one untitled page when the form has none
        self.pages: list[Page] = build_pages(self.root, self.ui_schema, tr if isinstance(tr, Mapping) else {})
        self.multi_page: bool = len(self.pages) > 1
        root_schema = schema if isinstance(schema, Mapping) else {}
        self.title: str = self._root_text("title", root_schema)
        self.description: str = self._root_text("description", root_schema)
        submit = self.ui_schema.get("ui:submitButtonOptions") if isinstance(self.ui_schema, Mapping) else None
        if not isinstance(submit, Mapping):
            options = self.ui_schema.get("ui:options") if isinstance(self.ui_schema, Mapping) else None
            submit = options.get("submitButtonOptions") if isinstance(options, Mapping) else None
        submit_text = submit.get("submitText") if isinstance(submit, Mapping) else None
        translated = (self.translations.get(self.locale) or {}).get("submit")
        self.submit_text: str = (
            translated
            if isinstance(translated, str)
            else submit_text
            if isinstance(submit_text, str)
            else self.text["submit"]
        )

    def _root_text(self, key: str, root_schema: Mapping[str, Any]) -> str:
        translated = (self.translations.get(self.locale) or {}).get(key)
        if isinstance(translated, str):
            return translated
        value = root_schema.get(key)
        return value if isinstance(value, str) else ""

    # -- forms -----------------------------------------------------------------------------------------------

    def defaults(self, data: Any = None) -> Any:
        """`data` (or nothing) with schema defaults filled where rjsf fills them: what a fresh form shows."""
        filled = defaults_for(self.root, ABSENT if data is None else data)
        return {} if filled is ABSENT and self.root.kind == "object" else (None if filled is ABSENT else filled)

    def form(self, formdata: Any = None, data: Any = None, prefix: str = "data", page: int | None = None) -> EngineForm:
        """A form instance of a new class. `formdata`: the posted MultiDict; `data`: JSON to prefill.

        Without either, the form shows schema defaults. With `data`, missing keys stay empty (the citizen
        may have cleared them). Read-only fields always show `data` or their default, never the post.
        If the post carries `_action` (an add/remove button), the row is added/removed, `form.engine_action`
        is set and `form.engine_anchor` is the id to scroll back to; otherwise both are None.
        `_action=update` ("Cập nhật", after an answer that conditional fields or alternatives depend on)
        also sets `form.engine_action`: the page re-renders with the fields that now apply, unchecked.
        With `page` (an index into `pages`), the form renders only that page's fields; the other fields
        take their values from `data`, never from the post, so `to_json` returns the whole document with
        this page's answers merged in.
        """
        action_text = formdata.get("_action") if formdata is not None else None
        action: tuple[str, str] | None = None
        if isinstance(action_text, str):
            found = _ACTION.fullmatch(action_text)
            if found:
                action = (found[1], found[2])
            if action and action[0] == "remove":
                formdata = self._remove_row(formdata, action[1], prefix)
        ctx = Context(action)
        source = self.defaults() if data is None else data
        cls = form_class(self.root, ctx)
        form = cls(formdata=formdata, prefix=prefix, data=source)
        form.engine_page_keys = None
        if page is not None and self.root.kind == "object":
            keys: set[Any] = set(self.pages[page].fields)
            if page == len(self.pages) - 1:
                keys.add(None)  # the choice of a root alternative goes with the whole-document checks
            form.engine_page_keys = keys
            if formdata is not None:
                values = source if isinstance(source, Mapping) else {}
                for field in form.engine_fields:
                    key = field.node.key
                    if key is not None and key not in keys:
                        field.process(None, values.get(key, ABSENT))
                if None not in keys:
                    extra_keys.bind(form, None, values)  # free-form keys are asked on the last page
                if self.root.rules:
                    form._apply_rules()
        form.engine_action = action_text if isinstance(action_text, str) and action_text else None
        form.engine_anchor = ctx.anchor
        form.engine_text = self.text
        form.engine_submit_text = self.submit_text
        return form

    def _remove_row(self, formdata: Any, row_name: str, prefix: str) -> Any:
        """The post with one row dropped and the later rows renumbered, as if it had never been there."""
        array_name, _, index_text = row_name.rpartition("-")
        if not (index_text.isascii() and index_text.isdigit()) or not array_name.startswith(prefix):
            return formdata
        node = self._node_for_name(array_name, prefix)
        if node is None or node.kind != "array" or not node.removable:
            return formdata
        index = int(index_text)
        count_key = f"{array_name}-count"
        count_raw = formdata.get(count_key, "")
        count = (
            int(count_raw)
            if isinstance(count_raw, str) and count_raw.isascii() and count_raw.isdigit() and len(count_raw) <= 4
            else None
        )
        if index < len(node.prefix_items) or (count is not None and (count <= node.min_items or index >= count)):
            return formdata
        head = f"{array_name}-"
        out: MultiDict[str, Any] = MultiDict()
        for key, value in formdata.items(multi=True):
            if key == "_action":
                continue
            if key.startswith(head):
                rest = key[len(head) :]
                first, sep, tail = rest.partition("-")
                if first.isascii() and first.isdigit():
                    row = int(first)
                    if row == index:
                        continue
                    if row > index:
                        key = f"{head}{row - 1}{sep}{tail}"
            if key == count_key and count is not None:
                value = str(count - 1)
            out.add(key, value)
        return out

    def _node_for_name(self, html_name: str, prefix: str) -> Node | None:
        """The node behind an HTML field name such as "data-members-2-children"."""
        if not html_name.startswith(prefix + "-"):
            return None
        node = self.root
        for part in html_name[len(prefix) + 1 :].split("-"):
            if node.kind == "object":
                found = next((c for c in node.children if c.name == part), None) or extra_keys.group_named(node, part)
            elif node.kind == "array" and part.isascii() and part.isdigit():
                found = node.row(int(part))
            else:
                found = None
            if found is None:
                return None
            node = found
        return node

    def to_json(self, form: EngineForm) -> Any:
        """Posted HTML -> JSON: empty inputs absent, numbers typed, text trimmed and NFC, read-only kept."""
        return form.to_json()

    # -- validation ------------------------------------------------------------------------------------------

    def page_of(self, pointer: str) -> int:
        """The index of the page that asks about `pointer` (the last page for the whole document)."""
        return page_of_pointer(self.pages, pointer)

    def validate(self, data: Any, prefix: str | None = None, page: int | None = None) -> list[FieldError]:
        """Every problem at once, in the schema's dialect, with the citizen's words; [] when valid.

        With `page`, only the problems of that page's fields (the whole document is still validated, so
        conditions read answers from every page)."""
        errors: list[FieldError] = []
        try:
            found = sorted(self.validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path])
            for error in found:
                errors.extend(self._to_field_errors(error, data))
        except referencing.exceptions.Unresolvable:
            errors = [FieldError("", "$ref", self.messages["$ref"])]
        except RecursionError:
            errors = [FieldError("", "$ref", self.messages["$ref"])]
        unique: list[FieldError] = []
        for error in errors:
            if error not in unique:
                unique.append(error)
        unique.sort(key=lambda e: self._order_key(e.pointer))
        if page is not None:
            unique = [e for e in unique if self.page_of(e.pointer) == page]
        if prefix is not None:
            unique = [dataclasses.replace(e, field_id=self._error_field_id(e, prefix, data)) for e in unique]
        return unique

    def _error_field_id(self, error: FieldError, prefix: str, data: Any) -> str | None:
        base = prefix if self.root.kind == "object" else f"{prefix}-value"
        found = extra_keys.extra_field_id(self.root, error.pointer, base, data, error.keyword)
        return found or self.field_id(error.pointer, prefix)

    def form_errors(self, form: EngineForm) -> list[FieldError]:
        """Problems the posted JSON cannot show, found on the form itself: free-form rows with no name, a
        name already used or declared, a name their group does not take (extra_keys.py). Each points at
        the row's name input; `attach_errors` places them too."""
        return [FieldError(p, k, m, field_id=i) for p, k, m, i in extra_keys.form_errors(form, self.messages)]

    def _to_field_errors(self, error: ValidationError, data: Any) -> list[FieldError]:
        keyword = str(error.validator)
        if keyword in ("oneOf", "anyOf") and error.context and not self._is_choice_error(error):
            # Object alternatives: speak of the one the citizen is filling (as the form infers it from the
            # data), else of the alternative with the most relevant problem.
            node, rest = self.root.find(join_pointer(list(error.absolute_path)))
            if not rest and node.alternatives and len(node.alternatives) == len(error.validator_value):
                index: Any = infer_alternative(node, error.instance)
            else:
                index = min(error.context, key=relevance).relative_schema_path[0]
            deeper = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] == index]
            out: list[FieldError] = []
            for sub in deeper:
                out.extend(self._to_field_errors(sub, data))
            return out
        named = extra_keys.name_error(error)
        if named is not None:
            # propertyNames judges a key's name: the error belongs to that key, not to the whole object.
            return [FieldError(named, "propertyNames", self._name_message(error))]
        pointer = join_pointer(list(error.absolute_path))
        return [FieldError(pointer, keyword, self.message_for(error, pointer, data))]

    def _name_message(self, error: ValidationError) -> str:
        keyword = str(error.validator)
        value = error.validator_value
        limit = format_number(value, self.locale) if isinstance(value, int) and not isinstance(value, bool) else ""
        template = self.messages.get(f"propertyNames.{keyword}", self.messages["propertyNames"])
        return template.format(limit=limit)

    def _is_choice_error(self, error: ValidationError) -> bool:
        alts = error.validator_value if isinstance(error.validator_value, list) else []
        return bool(alts) and all(isinstance(a, Mapping) and ("const" in a or "enum" in a) for a in alts)

    def _order_key(self, pointer: str) -> list[int]:
        """Errors in the order the questions appear on the page."""
        node = self.root
        key: list[int] = []
        for part in split_pointer(pointer):
            if node.kind == "object":
                index = next((i for i, c in enumerate(node.children) if c.key == part), len(node.children))
                key.append(index)
                child = node.child(part)
                if child is None:
                    break
                node = child
            elif node.kind == "array" and part.isdigit():
                key.append(int(part))
                row = node.row(int(part))
                if row is None:
                    break
                node = row
            else:
                key.append(0)
                break
        return key

    def message_for(self, error: ValidationError, pointer: str, data: Any = None) -> str:
        """ui:errorMessages (written in Vietnamese), then translations[locale], then the default.

        `data`: the whole document, so that a key declared differently by two branches speaks of its own."""
        keyword = str(error.validator)
        node, rest = extra_keys.find(*self.root.find(pointer, data))
        exact = not rest
        tr = self.translations.get(self.locale) or {}
        custom = node.error_messages.get(keyword) if exact else None
        translated = tr.get(f"{node.dotted}.error.{keyword}") if exact and node.dotted else None
        # The admin's ui:errorMessages are written in Vietnamese; another locale prefers its translation.
        chosen = (custom or translated) if self.locale == "vi" else (translated or custom)
        if isinstance(chosen, str) and chosen:
            return chosen
        return extra_keys.name_message(node, rest, keyword, self.messages) or self._default_message(
            error, node if exact else None, rest
        )

    def _default_message(self, error: ValidationError, node: Node | None, rest: list[str]) -> str:
        keyword = str(error.validator)
        m = self.messages
        label = node.error_label if node is not None and node.label else (rest[-1] if rest else self.text["item"])
        value = error.validator_value
        kind = node.kind if node is not None else "input"
        widget = node.widget if node is not None else ""
        template: str
        extra: dict[str, str] = {}
        if keyword in ("required", "dependentRequired", "dependencies"):
            if kind == "boolean" and widget == "checkbox":
                template = m["required.checkbox"]
            elif kind in ("choice", "boolean", "multi"):
                template = m["required.choice"]
            else:
                template = m["required"]
        elif keyword == "type" and error.instance is None and error.path:
            template = m["required.row"] if node is not None and node.key is None else m["required"]
        elif keyword == "type":
            types = value if isinstance(value, list) else [value]
            if "integer" in types and "number" not in types:
                template = m["type.integer"]
            elif "number" in types:
                template = m["type.number"]
            elif types == ["boolean"]:
                template = m["type.boolean"]
            else:
                template = m["type"]
        elif keyword == "format":
            template = m.get(f"format.{value}", m["format"])
        elif keyword == "pattern":
            example = None
            if node is not None:
                examples = node.schema.get("examples")
                candidates = [*(examples if isinstance(examples, list) else []), node.placeholder]
                example = next((e for e in candidates if isinstance(e, str) and e and _matches(str(value), e)), None)
            template = m["pattern"] if example is None else m["pattern.example"]
            extra["example"] = example or ""
        elif keyword == "const" and kind == "boolean" and widget == "checkbox":
            template = m["const.checkbox"]
        elif keyword in ("minItems", "maxItems"):
            template = m[f"{keyword}.choice"] if kind == "multi" else m[keyword]
        else:
            template = m.get(keyword, m["fallback"])
        limit = (
            format_number(value, self.locale) if isinstance(value, int | float) and not isinstance(value, bool) else ""
        )
        return template.format(label=label, limit=limit, item=self.text["item"], **extra)

    # -- errors on the form ----------------------------------------------------------------------------------

    def field_id(self, pointer: str, prefix: str = "data") -> str | None:
        """The HTML id an error summary links to for a pointer, as the macro renders it."""
        node, _ = self.root.find(pointer)
        parts = split_pointer(pointer)
        walk = self.root
        ids = [prefix] if self.root.kind == "object" else [prefix, "value"]
        for part in parts:
            if walk is node:
                break
            if walk.kind == "object":
                child = walk.child(part)
                if child is None:
                    break
                ids.append(child.name)
                walk = child
            elif walk.kind == "array" and part.isdigit():
                row = walk.row(int(part))
                if row is None:
                    break
                ids.append(part)
                walk = row
        base = "-".join(ids)
        return _first_input_id(walk, base)

    def attach_errors(self, form: EngineForm, errors: list[FieldError]) -> list[FieldError]:
        """Put each message on its field (shown above the input) and fill each error's `field_id`.

        Errors whose pointer no field covers stay only in `form.engine_errors`, which holds every error
        in page order for the error summary. Where the citizen picked an alternative other than the one
        `validate` inferred from the data (nothing of it filled in yet), its errors replace the others.
        """
        placed: list[FieldError] = []
        given = {(e.pointer, e.message) for e in errors}
        errors = [*errors, *(e for e in self.form_errors(form) if (e.pointer, e.message) not in given)]
        for error in self._chosen_alternative_errors(form, errors):
            field, rest = form.find_field(split_pointer(error.pointer))
            field = extra_keys.error_field(field, rest, error.keyword)
            if field is None:
                target = form.first_target_id()
            else:
                if error.message not in field.errors:
                    field.errors.append(error.message)
                target = field.target_id or field.id
            # FieldError is frozen for callers; the engine fills the one slot it owns in place.
            object.__setattr__(error, "field_id", target)
            placed.append(error)
        form.engine_errors = placed
        return placed

    def _chosen_alternative_errors(self, form: EngineForm, errors: list[FieldError]) -> list[FieldError]:
        """`errors` with those about an alternative the citizen did not pick replaced by the picked one's."""
        out = list(errors)
        document: Any = None
        for pointer, sub in _object_forms(form, ""):
            pick = getattr(sub, "engine_alt", None)
            node = sub.engine_node
            if pick is None or not isinstance(pick.value, int) or pick.value >= len(node.alternatives):
                continue
            data = sub.to_json()
            if pick.value == infer_alternative(node, data):
                continue
            keys = set().union(*(r.then_keys for r in node.rules if r.alt is not None))
            heads = [f"{pointer}/{_esc(k)}" for k in keys]
            out = [
                e
                for e in out
                if not any(e.pointer == h or e.pointer.startswith(h + "/") for h in heads)
                and not (e.pointer == pointer and e.keyword in ("oneOf", "anyOf"))
            ]
            alternative = node.alternatives[pick.value]
            document = form.to_json() if document is None else document
            for problem in self.validator.evolve(schema=alternative).iter_errors(data):
                # `required` errors already sit at the missing field (validation._required).
                where = pointer + join_pointer(list(problem.absolute_path))
                found = FieldError(where, str(problem.validator), self.message_for(problem, where, document))
                if found not in out:
                    out.append(found)
        out.sort(key=lambda e: self._order_key(e.pointer))
        return out

    # -- answers ---------------------------------------------------------------------------------------------

    def answers(self, data: Any, page: int | None = None) -> list[Answer]:
        """Questions and answers in form order, in the form's own words (check-your-answers, receipts).

        With `page`, only the answers to that page's questions."""
        if page is not None:
            return [a for a in self.answers(data) if self.page_of(a.pointer) == page]
        out: list[Answer] = []
        if self.root.kind == "object":
            if isinstance(data, Mapping):
                self._answers_object(self.root, data, 0, "", out)
        else:
            self._answer(self.root, data, 0, "", out)
        return out

    def _answers_object(self, node: Node, data: Mapping[str, Any], depth: int, pointer: str, out: list[Answer]) -> None:
        if node.alternatives and node.alt_choice is not None:
            # Which alternative was filled in is an answer too ("Giấy tờ do cơ quan … nước ngoài cấp").
            chosen = node.alt_labels[infer_alternative(node, data)]
            out.append(Answer(node.alt_choice.label, chosen, depth, pointer, False))
        for child in without_other_variants(node, data):
            if child.key in data:
                self._answer(child, data[child.key], depth, f"{pointer}/{_esc(child.key)}", out)  # type: ignore[arg-type]
        known = {c.key for c in node.children}
        for key, value in data.items():
            if key in known:
                continue
            extra = extra_keys.value_node(node, key)
            if extra is not None:  # a free-form key: its name is the question
                self._answer(dataclasses.replace(extra, label=key), value, depth, f"{pointer}/{_esc(key)}", out)
            else:  # data the form does not ask for (API filings): shown as given
                out.append(Answer(key, self._plain(value), depth, f"{pointer}/{_esc(key)}", False))

    def _answer(self, node: Node, value: Any, depth: int, pointer: str, out: list[Answer]) -> None:
        if node.kind == "note" or node.widget == "hidden":
            return
        if node.kind == "object" and isinstance(value, Mapping):
            heading = len(out)
            out.append(Answer(node.label, "", depth, pointer, True))
            self._answers_object(node, value, depth + 1, pointer, out)
            if len(out) == heading + 1:
                out.pop()  # an empty group says nothing
            return
        if node.kind == "array" and isinstance(value, list):
            if node.item is not None and node.item.kind not in ("object", "array") and not node.prefix_items:
                shown = [self._display(node.item, v) for v in value if v is not None]
                if shown:
                    out.append(Answer(node.label, "; ".join(shown), depth, pointer, False))
                return
            out.append(Answer(node.label, "", depth, pointer, True))
            for i, item in enumerate(value):
                row = node.row(i)
                if row is None:
                    continue
                label = row.label if i < len(node.prefix_items) else f"{row.label} {i + 1}"
                row_pointer = f"{pointer}/{i}"
                if row.kind == "object" and isinstance(item, Mapping):
                    out.append(Answer(label, "", depth + 1, row_pointer, True))
                    self._answers_object(row, item, depth + 2, row_pointer, out)
                elif row.kind in ("object", "array"):
                    self._answer(row, item, depth + 1, row_pointer, out)
                elif item is not None:
                    out.append(Answer(label, self._display(row, item), depth + 1, row_pointer, False))
            return
        out.append(Answer(node.label, self._display(node, value), depth, pointer, False))

    def _display(self, node: Node, value: Any) -> str:
        if node.kind == "multi" and isinstance(value, list):
            return ", ".join(self._choice_label(node, v) for v in value)
        if node.choices:
            return self._choice_label(node, value)
        if isinstance(value, str):
            if node.fmt == "date" or node.widget in ("date", "alt-date"):
                return _dmy(value)
            if node.fmt == "date-time" or node.widget == "datetime":
                return _dmy_time(value)
            if node.widget == "password":
                return "••••••"
            return value
        return self._plain(value)

    def _choice_label(self, node: Node, value: Any) -> str:
        for choice in node.choices:
            if same_value(choice.value, value):
                return choice.label
        return self._plain(value)

    def _plain(self, value: Any) -> str:
        if isinstance(value, bool):
            return self.text["yes"] if value else self.text["no"]
        if value is None:
            return ""
        if isinstance(value, int | float):
            return format_number(value, self.locale) if isinstance(value, float) else str(value)
        if isinstance(value, str):
            return value
        if isinstance(value, list):
            return "; ".join(self._plain(v) for v in value)
        if isinstance(value, Mapping):
            return "; ".join(f"{k}: {self._plain(v)}" for k, v in value.items())
        return str(value)


def _object_forms(form: Any, pointer: str) -> list[tuple[str, Any]]:
    """Every object form inside `form` (itself first) with the data pointer it fills."""
    found = [(pointer, form)] if form.engine_node.kind == "object" else []
    for field in form.engine_fields:
        key = field.node.key
        if key is None or not field.active:
            continue
        if field.engine_kind == "object":
            found += _object_forms(field.form, f"{pointer}/{_esc(key)}")
        elif field.engine_kind == "array":
            for i, row in enumerate(field.entries):
                if row.engine_kind == "object":
                    found += _object_forms(row.form, f"{pointer}/{_esc(key)}/{i}")
    return found


def _first_input_id(node: Node, base: str) -> str:
    """The id the macro gives the first focusable element of a node rendered with id `base`."""
    if node.kind == "object":
        for child in node.children:
            target = _first_input_id(child, f"{base}-{child.name}")
            if target:
                return target
        return base
    if node.kind == "array":
        return base
    if node.kind == "note":
        return ""
    if node.widget == "alt-date":
        return f"{base}-day"
    if node.kind in ("choice", "boolean") and node.widget == "radio" and node.choices:
        return f"{base}-0"
    if node.kind == "multi" and node.widget == "checkboxes" and node.choices:
        return f"{base}-0"
    return base


def _esc(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _matches(pattern: str, text: str) -> bool:
    try:
        return pattern_search(pattern, text)
    except ValueError:
        return False


def _dmy(value: str) -> str:
    try:
        return dt.date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value


def _dmy_time(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return value
    return moment.strftime("%d/%m/%Y %H:%M")


def compile_form(
    schema: dict[str, Any],
    ui_schema: dict[str, Any] | None = None,
    *,
    translations: dict[str, Any] | None = None,
    locale: str = "vi",
) -> FormSpec:
    """Compile a procedure's schema and uiSchema into a FormSpec.

    Raises FormSchemaError when the schema cannot be rendered (a $ref leaving the document, a $ref loop)
    and ValueError for an unsupported `$schema`.
    """
    return FormSpec(schema, ui_schema, translations, locale)
