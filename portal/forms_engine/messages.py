"""The engine's own words (Vietnamese first, English second): field chrome and per-keyword error messages."""

from __future__ import annotations

import math
from typing import Any

# Chrome around inputs. The macro reads these from the field, so templates need no gettext of their own.
UI_TEXT: dict[str, dict[str, str]] = {
    "vi": {
        "optional": "(không bắt buộc)",
        "yes": "Có",
        "no": "Không",
        "choose": "Chọn",
        "day": "Ngày",
        "month": "Tháng",
        "year": "Năm",
        "date_hint": "Ví dụ: 27 3 1985",
        "add": "Thêm",
        "remove": "Xoá",
        "update": "Cập nhật",
        "alternative": "Lựa chọn {n}",
        "choose_alternative": "Chọn một trong các cách khai sau",
        "row": "Mục",
        "error_prefix": "Lỗi:",
        "submit": "Tiếp tục",
        "item": "mục",
        "summary_title": "Có thông tin cần sửa",
        # Free-form keys of an object (extra_keys.py): a legend "<title> — mục khác", rows of name + value.
        "more": "mục khác",
        "more_row": "Mục",
        "more_name": "Tên mục",
        "more_value": "Giá trị",
        "more_add": "Thêm mục",
    },
    "en": {
        "optional": "(optional)",
        "yes": "Yes",
        "no": "No",
        "choose": "Choose",
        "day": "Day",
        "month": "Month",
        "year": "Year",
        "date_hint": "For example, 27 3 1985",
        "add": "Add",
        "remove": "Remove",
        "update": "Update",
        "alternative": "Option {n}",
        "choose_alternative": "Choose one of these",
        "row": "Item",
        "error_prefix": "Error:",
        "submit": "Continue",
        "item": "item",
        "summary_title": "There is a problem",
        "more": "other entries",
        "more_row": "Entry",
        "more_name": "Name",
        "more_value": "Value",
        "more_add": "Add an entry",
    },
}

# Keyed by JSON Schema keyword, with a few refinements ("required.choice", "format.date", ...).
# {label} is the field's own label with its first letter lowered; {limit} the keyword's number, formatted.
MESSAGES: dict[str, dict[str, str]] = {
    "vi": {
        "required": "Nhập {label}",
        "required.choice": "Chọn {label}",
        "required.checkbox": "Đánh dấu vào ô: {label}",
        "required.group": "Nhập {label}",
        "required.row": "Nhập {label} hoặc xoá mục này",
        "type.integer": "Nhập {label} là số nguyên, ví dụ 12",
        "type.number": "Nhập {label} bằng chữ số, ví dụ 12 hoặc 3,5",
        "type.boolean": "Chọn Có hoặc Không",
        "type": "Kiểm tra lại {label}",
        "minLength": "Nhập tối thiểu {limit} ký tự",
        "maxLength": "Nhập tối đa {limit} ký tự",
        "pattern": "Nhập {label} đúng định dạng",
        "pattern.example": "Nhập {label} đúng định dạng, ví dụ: {example}",
        "format.date": "Ngày không hợp lệ, nhập theo dạng ngày/tháng/năm",
        "format.date-time": "Thời điểm không hợp lệ, nhập ngày/tháng/năm và giờ:phút",
        "format.time": "Giờ không hợp lệ, nhập theo dạng giờ:phút",
        "format.email": "Nhập địa chỉ email đúng dạng, ví dụ ten@example.com",
        "format.uri": "Nhập địa chỉ trang web đầy đủ, bắt đầu bằng https://",
        "format": "Nhập {label} đúng định dạng",
        "minimum": "Nhập số từ {limit} trở lên",
        "maximum": "Nhập số không lớn hơn {limit}",
        "exclusiveMinimum": "Nhập số lớn hơn {limit}",
        "exclusiveMaximum": "Nhập số nhỏ hơn {limit}",
        "multipleOf": "Nhập số chia hết cho {limit}",
        "enum": "Chọn một trong các lựa chọn có sẵn",
        "const": "Chọn một trong các lựa chọn có sẵn",
        "const.checkbox": "Đánh dấu vào ô: {label}",
        "oneOf": "Chọn một trong các lựa chọn có sẵn",
        "anyOf": "Chọn một trong các lựa chọn có sẵn",
        "minItems": "Nhập ít nhất {limit} {item}",
        "minItems.choice": "Chọn ít nhất {limit} lựa chọn",
        "maxItems": "Nhập nhiều nhất {limit} {item}",
        "maxItems.choice": "Chọn nhiều nhất {limit} lựa chọn",
        "uniqueItems": "Bỏ các mục trùng nhau",
        "additionalProperties": "Thông tin này không thuộc biểu mẫu, hãy bỏ đi",
        "unevaluatedProperties": "Thông tin này không thuộc biểu mẫu, hãy bỏ đi",
        "dependentRequired": "Nhập {label}",
        "dependencies": "Nhập {label}",
        "$ref": "Biểu mẫu đang có lỗi cấu hình, vui lòng báo cho cơ quan tiếp nhận",
        "fallback": "Kiểm tra lại {label}",
        # The name of a free-form key (extra_keys.py); propertyNames.<keyword> for what propertyNames refused.
        "propertyNames": "Tên mục này không được chấp nhận, hãy đặt tên khác",
        "propertyNames.enum": "Chọn một tên mục trong danh sách",
        "propertyNames.const": "Chọn một tên mục trong danh sách",
        "propertyNames.pattern": "Nhập tên mục đúng định dạng",
        "propertyNames.minLength": "Nhập tên mục tối thiểu {limit} ký tự",
        "propertyNames.maxLength": "Nhập tên mục tối đa {limit} ký tự",
        "more.name_required": "Nhập tên mục, hoặc xoá mục này",
        "more.duplicate": "Tên mục này đã có, hãy đặt tên khác",
        "more.declared": "Tên mục này đã có trong biểu mẫu, hãy nhập vào ô đó hoặc đặt tên khác",
        "more.name_format": "Nhập tên mục đúng định dạng",
    },
    "en": {
        "required": "Enter {label}",
        "required.choice": "Select {label}",
        "required.checkbox": "Tick the box: {label}",
        "required.group": "Enter {label}",
        "required.row": "Enter {label} or remove this item",
        "type.integer": "Enter {label} as a whole number, like 12",
        "type.number": "Enter {label} as a number, like 12 or 3.5",
        "type.boolean": "Select yes or no",
        "type": "Check {label}",
        "minLength": "Enter at least {limit} characters",
        "maxLength": "Enter no more than {limit} characters",
        "pattern": "Enter {label} in the right format",
        "pattern.example": "Enter {label} in the right format, like {example}",
        "format.date": "Date is not valid, enter it as day/month/year",
        "format.date-time": "Date and time are not valid, enter day/month/year and hours:minutes",
        "format.time": "Time is not valid, enter it as hours:minutes",
        "format.email": "Enter an email address in the right format, like name@example.com",
        "format.uri": "Enter a full web address, starting with https://",
        "format": "Enter {label} in the right format",
        "minimum": "Enter a number of {limit} or more",
        "maximum": "Enter a number of {limit} or less",
        "exclusiveMinimum": "Enter a number greater than {limit}",
        "exclusiveMaximum": "Enter a number less than {limit}",
        "multipleOf": "Enter a multiple of {limit}",
        "enum": "Select one of the options",
        "const": "Select one of the options",
        "const.checkbox": "Tick the box: {label}",
        "oneOf": "Select one of the options",
        "anyOf": "Select one of the options",
        "minItems": "Enter at least {limit} {item}",
        "minItems.choice": "Select at least {limit} options",
        "maxItems": "Enter no more than {limit} {item}",
        "maxItems.choice": "Select no more than {limit} options",
        "uniqueItems": "Remove the repeated items",
        "additionalProperties": "This is not part of the form, remove it",
        "unevaluatedProperties": "This is not part of the form, remove it",
        "dependentRequired": "Enter {label}",
        "dependencies": "Enter {label}",
        "$ref": "The form is misconfigured, please tell the receiving office",
        "fallback": "Check {label}",
        "propertyNames": "This name is not accepted, choose another",
        "propertyNames.enum": "Select a name from the list",
        "propertyNames.const": "Select a name from the list",
        "propertyNames.pattern": "Enter the name in the right format",
        "propertyNames.minLength": "Enter a name of at least {limit} characters",
        "propertyNames.maxLength": "Enter a name of no more than {limit} characters",
        "more.name_required": "Enter a name, or remove this entry",
        "more.duplicate": "This name is already used, choose another",
        "more.declared": "The form already asks for this, answer it there or choose another name",
        "more.name_format": "Enter the name in the right format",
    },
}


def locale_key(locale: str) -> str:
    """The engine locale for a requested one: "en-GB" -> "en"; anything unknown -> "vi"."""
    short = (locale or "vi").split("-")[0].split("_")[0].lower()
    return short if short in MESSAGES else "vi"


def lower_first(text: str) -> str:
    """ "Họ, chữ đệm và tên" -> "họ, chữ đệm và tên", but "CCCD" and "Email" of one letter stay as written."""
    if len(text) >= 2 and text[0].isupper() and text[1].islower():
        return text[0].lower() + text[1:]
    return text


def format_number(value: Any, locale: str) -> str:
    """Numbers as citizens write them: 3,5 and 1.000 in Vietnamese, 3.5 and 1,000 in English."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and (not math.isfinite(value)):
        return str(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    text = f"{value:,}" if isinstance(value, int) else f"{value:,.10f}".rstrip("0").rstrip(".")
    if locale == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
