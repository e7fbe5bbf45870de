"""Forms engine fixtures: render the macros with a bare Jinja env; post rendered HTML as a browser would."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from werkzeug.datastructures import MultiDict

TEMPLATES = Path(__file__).resolve().parents[3] / "templates"

_FLOAT = re.compile(r"-?\d+(\.\d+)?([eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4,}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?")


def _sanitise(input_type: str, value: str) -> str:
    """The HTML value sanitisation algorithm for the input types the engine renders."""
    if input_type in ("text", "search", "tel", "password"):
        return value.replace("\r", "").replace("\n", "")
    if input_type in ("email", "url"):
        return value.replace("\r", "").replace("\n", "").strip()
    if input_type == "number":
        return value if _FLOAT.fullmatch(value) else ""
    if input_type == "date":
        return value if _DATE.fullmatch(value) else ""
    if input_type == "time":
        return value if _TIME.fullmatch(value) else ""
    if input_type == "datetime-local":
        date, _, clock = value.partition("T")
        if not (_DATE.fullmatch(date) and _TIME.fullmatch(clock)):
            return ""
        if clock.endswith(":00") and len(clock) == 8:
            clock = clock[:5]  # a normalised local date-time drops zero seconds
        return f"{date}T{clock}"
    return value


class BrowserForm(HTMLParser):
    """Collects the successful controls of a rendered form, in document order, as a browser submits them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._textarea: dict[str, Any] | None = None
        self._select: dict[str, Any] | None = None
        self._option: dict[str, Any] | None = None
        self.ids: list[str] = []
        # Open fieldsets, True for a disabled one: nothing inside a disabled fieldset is posted.
        self._fieldsets: list[bool] = []

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if "id" in attrs:
            self.ids.append(attrs["id"])
        disabled = "disabled" in attrs or any(self._fieldsets)
        if tag == "fieldset":
            self._fieldsets.append("disabled" in attrs)
        if tag == "input":
            input_type = attrs.get("type", "text").lower()
            name = attrs.get("name")
            if not name or disabled or input_type in ("submit", "button", "image", "reset", "file"):
                return
            if input_type in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
                return
            self.pairs.append((name, _sanitise(input_type, attrs.get("value", ""))))
        elif tag == "textarea":
            self._textarea = {"name": attrs.get("name"), "disabled": disabled, "text": ""}
        elif tag == "select":
            self._select = {
                "name": attrs.get("name"),
                "disabled": disabled,
                "multiple": "multiple" in attrs,
                "options": [],
            }
        elif tag == "option" and self._select is not None:
            self._option = {
                "value": attrs.get("value"),
                "selected": "selected" in attrs,
                "disabled": disabled,
                "text": "",
            }
            self._select["options"].append(self._option)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea["text"] += data
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "fieldset" and self._fieldsets:
            self._fieldsets.pop()
        if tag == "textarea" and self._textarea is not None:
            box, self._textarea = self._textarea, None
            text = box["text"]
            if text.startswith("\n"):
                text = text[1:]  # the HTML parser drops a newline right after <textarea>
            if box["name"] and not box["disabled"]:
                self.pairs.append((box["name"], text.replace("\r\n", "\n").replace("\n", "\r\n")))
        elif tag == "option":
            self._option = None
        elif tag == "select" and self._select is not None:
            box, self._select = self._select, None
            if not box["name"] or box["disabled"]:
                return
            chosen = [o for o in box["options"] if o["selected"] and not o["disabled"]]
            if not chosen and not box["multiple"]:
                chosen = [o for o in box["options"] if not o["disabled"]][:1]  # the browser selects the first option
            for option in chosen:
                value = option["value"] if option["value"] is not None else option["text"]
                self.pairs.append((box["name"], value))


def browser_post(html: str, action: str | None = None) -> MultiDict[str, str]:
    """What a browser posts for this HTML (buttons excluded, unless `action` names the button pressed)."""
    parser = BrowserForm()
    parser.feed(html)
    parser.close()
    pairs = list(parser.pairs)
    if action is not None:
        pairs.append(("_action", action))
    return MultiDict(pairs)


def element_ids(html: str) -> list[str]:
    parser = BrowserForm()
    parser.feed(html)
    return parser.ids


def pytest_configure(config: pytest.Config) -> None:
    # Hypothesis imports mypy_extensions only to report a failing example; under filterwarnings=error its
    # DeprecationWarning turned every such report into an INTERNALERROR that hid the real failure.
    config.addinivalue_line("filterwarnings", "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning")


@pytest.fixture(scope="session")
def jinja_env() -> Environment:
    """A bare environment, like Flask's: autoescape on, no globals (the macros need none)."""
    return Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined)


@pytest.fixture(scope="session")
def render(jinja_env: Environment) -> Callable[..., str]:
    template = jinja_env.from_string(
        '{% from "forms/_fields.html" import render_form, render_error_summary, render_submit %}'
        "{{ render_error_summary(form) }}<form method=post novalidate>"
        "{{ render_form(form) }}{{ render_submit(form) }}</form>"
    )

    def _render(form: Any) -> str:
        return template.render(form=form)

    return _render


@pytest.fixture(scope="session")
def post() -> Callable[..., MultiDict[str, str]]:
    return browser_post


@pytest.fixture(scope="session")
def ids() -> Callable[[str], list[str]]:
    return element_ids
