"""The applicant block every form and the API share, and the normalisation of phones and ID numbers."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from portal.forms_engine.validation import DRAFT_2020_12

PHONE_PATTERN = "^0(3|5|7|8|9)[0-9]{8}$"
ID_NUMBER_PATTERN = "^[0-9]{12}$"

_PHONE_SEPARATORS = re.compile(r"[\s.\-()/]+")


def normalise_phone(text: str) -> str:
    """ "+84 912 345 678", "0912.345.678", full-width digits -> "0912345678"; anything else just cleaned."""
    value = _PHONE_SEPARATORS.sub("", unicodedata.normalize("NFKC", text))
    if value.startswith("+84"):
        value = "0" + value[3:]
    elif value.startswith("0084"):
        value = "0" + value[4:]
    elif value.startswith("84") and len(value) == 11:
        value = "0" + value[2:]
    return value


def normalise_id_number(text: str) -> str:
    """Full-width digits to ASCII (NFKC) and no spaces: "０３１ ０８５ ..." -> "031085..."."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _phone(title: str) -> dict[str, Any]:
    return {"type": "string", "title": title, "pattern": PHONE_PATTERN, "maxLength": 20}


APPLICANT_SCHEMA: dict[str, Any] = {
    "$schema": DRAFT_2020_12,
    "type": "object",
    "title": "Thông tin người nộp hồ sơ",
    "required": ["full_name", "phone"],
    "additionalProperties": False,
    "properties": {
        "full_name": {"type": "string", "title": "Họ, chữ đệm và tên", "minLength": 2, "maxLength": 100},
        "phone": {
            **_phone("Số điện thoại di động"),
            "description": "Cơ quan báo tình trạng hồ sơ qua số này",
        },
        "email": {"type": "string", "format": "email", "title": "Email", "maxLength": 254},
        "id_number": {
            "type": "string",
            "title": "Số định danh cá nhân",
            "description": "12 chữ số, in trên thẻ căn cước",
            "pattern": ID_NUMBER_PATTERN,
        },
        "address": {"type": "string", "title": "Địa chỉ liên hệ", "maxLength": 300},
        "filed_by": {
            "type": "object",
            "title": "Người nộp hộ (nếu bạn nộp hồ sơ giúp người khác)",
            "required": ["full_name", "phone"],
            "additionalProperties": False,
            "properties": {
                "full_name": {
                    "type": "string",
                    "title": "Họ, chữ đệm và tên người nộp hộ",
                    "minLength": 2,
                    "maxLength": 100,
                },
                "phone": _phone("Số điện thoại của người nộp hộ"),
            },
        },
    },
}

_PHONE_MESSAGE = "Nhập số điện thoại di động gồm 10 chữ số, ví dụ 0912345678"

APPLICANT_UI: dict[str, Any] = {
    "ui:order": ["full_name", "id_number", "phone", "email", "address", "filed_by"],
    "full_name": {"ui:autocomplete": "name", "ui:errorMessages": {"required": "Nhập họ, chữ đệm và tên"}},
    "phone": {
        "ui:inputType": "tel",
        "ui:autocomplete": "tel",
        "ui:errorMessages": {"required": "Nhập số điện thoại di động", "pattern": _PHONE_MESSAGE},
    },
    "email": {"ui:autocomplete": "email"},
    "id_number": {
        "ui:inputType": "numeric",
        "ui:autocomplete": "off",
        "ui:errorMessages": {"pattern": "Nhập số định danh cá nhân gồm 12 chữ số"},
    },
    "address": {"ui:widget": "textarea", "ui:options": {"rows": 3}, "ui:autocomplete": "street-address"},
    "filed_by": {
        "full_name": {"ui:autocomplete": "off"},
        "phone": {
            "ui:inputType": "tel",
            "ui:autocomplete": "off",
            "ui:errorMessages": {"pattern": _PHONE_MESSAGE},
        },
    },
}

#: English wording for the applicant block (pass as `translations=` with locale "en").
APPLICANT_TRANSLATIONS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Applicant",
        "full_name.label": "Full name",
        "full_name.error.required": "Enter your full name",
        "phone.label": "Mobile phone number",
        "phone.description": "The office tells you about your application on this number",
        "phone.error.required": "Enter a mobile phone number",
        "phone.error.pattern": "Enter a 10-digit mobile number, like 0912345678",
        "email.label": "Email",
        "id_number.label": "Personal identification number",
        "id_number.description": "12 digits, printed on the citizen ID card",
        "id_number.error.pattern": "Enter the 12-digit personal identification number",
        "address.label": "Contact address",
        "filed_by.label": "Filing for someone else (if you are filing on their behalf)",
        "filed_by.full_name.label": "Your full name",
        "filed_by.phone.label": "Your phone number",
        "filed_by.phone.error.pattern": "Enter a 10-digit mobile number, like 0912345678",
    }
}
