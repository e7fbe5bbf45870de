"""Multi-step forms: `ui:pages` at the uiSchema root splits the top-level fields into pages.

`[{"title": "…", "fields": ["child", "mother"]}, …]`. Top-level fields no page lists go on the last page
(a form's later additions stay asked); a field listed twice stays on its first page; unknown names are
ignored (the import already warned). A form without `ui:pages` is one page with every field.
Other languages translate a page's title as `pages.<index>.title` in `translations`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from portal.forms_engine.nodes import Node, split_pointer

__all__ = ["Page", "build_pages", "page_of_pointer"]


@dataclass(frozen=True)
class Page:
    title: str
    fields: tuple[str, ...]


def build_pages(root: Node, ui_schema: Mapping[str, Any], translations: Mapping[str, Any]) -> list[Page]:
    keys = [c.key for c in root.children if c.key is not None] if root.kind == "object" else []
    raw = ui_schema.get("ui:pages") if isinstance(ui_schema, Mapping) else None
    if root.kind != "object" or not isinstance(raw, Sequence) or isinstance(raw, str) or not raw:
        return [Page("", tuple(keys))]
    pages: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for i, item in enumerate(raw):
        if not isinstance(item, Mapping):
            continue
        title = translations.get(f"pages.{i}.title") or item.get("title")
        names = item.get("fields") if isinstance(item.get("fields"), Sequence) else []
        mine = [n for n in names if isinstance(n, str) and n in keys and n not in seen]
        seen.update(mine)
        pages.append((title if isinstance(title, str) else "", mine))
    if not pages:
        return [Page("", tuple(keys))]
    rest = [k for k in keys if k not in seen]
    pages[-1][1].extend(rest)
    # each page asks its questions in the schema's order, as the one-page form does
    order = {k: i for i, k in enumerate(keys)}
    return [Page(title, tuple(sorted(names, key=order.__getitem__))) for title, names in pages]


def page_of_pointer(pages: list[Page], pointer: str) -> int:
    """The page an error's pointer belongs to; the last page for the whole document or an unknown key."""
    parts = split_pointer(pointer)
    if parts:
        for i, page in enumerate(pages):
            if parts[0] in page.fields:
                return i
    return len(pages) - 1
