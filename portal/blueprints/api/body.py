"""Reading request bodies defensively: size and depth limits, and clear 400/413/415 answers instead of 500s."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _


class BodyError(Exception):
    def __init__(self, status: int, keyword: str, message: str, path: str = "") -> None:
        super().__init__(message)
        self.status, self.keyword, self.message, self.path = status, keyword, message, path


def _depth(value: Any, limit: int) -> int:
    """Nesting depth, iteratively, so a hostile body cannot exhaust the stack while being measured."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)
    return deepest


def parse_json_text(raw: bytes | str) -> Any:
    limit = current_app.config["MAX_JSON_BYTES"]
    if len(raw) > limit:
        raise BodyError(413, "too_large", _("Dữ liệu JSON vượt quá %(kb)s KB.", kb=limit // 1024))
    try:
        value = json.loads(raw)
    except RecursionError:
        raise BodyError(400, "malformed", _("JSON lồng nhau quá sâu.")) from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BodyError(400, "malformed", _("JSON không hợp lệ: %(detail)s", detail=_json_detail(error))) from None
    try:
        # JSON may spell lone surrogates ("\ud83d"), which are not text and cannot be stored as UTF-8
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise BodyError(400, "malformed", _("JSON chứa ký tự không hợp lệ (nửa cặp UTF-16).")) from None
    if _depth(value, current_app.config["MAX_JSON_DEPTH"]) > current_app.config["MAX_JSON_DEPTH"]:
        raise BodyError(
            400,
            "malformed",
            _("JSON lồng nhau quá sâu (tối đa %(n)s cấp).", n=current_app.config["MAX_JSON_DEPTH"]),
        )
    return value


def _json_detail(error: Exception) -> str:
    if isinstance(error, json.JSONDecodeError):
        return _("lỗi ở dòng %(line)s, cột %(col)s", line=error.lineno, col=error.colno)
    return _("không đọc được dưới dạng UTF-8")


def read_json_body() -> Any:
    """The request's JSON, or a BodyError with the status the API contract gives."""
    length = request.content_length
    if length is not None and length > current_app.config["MAX_JSON_BYTES"]:
        raise BodyError(
            413,
            "too_large",
            _("Dữ liệu JSON vượt quá %(kb)s KB.", kb=current_app.config["MAX_JSON_BYTES"] // 1024),
        )
    raw = request.get_data(cache=True)
    return parse_json_text(raw)
