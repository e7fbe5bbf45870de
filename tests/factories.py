"""Builders for test data: valid answers for the sample procedures, small real files, a browser-like form post."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict


def tiny_pdf() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(200, 200))
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)  # the same bytes every time, as a retried upload would be
    return out.getvalue()


def tiny_png(color: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), color).save(out, "PNG")
    return out.getvalue()


def applicant(**overrides) -> dict:
    value = {
        "full_name": "Nguyễn Thị Ánh",
        "phone": "0912345678",
        "email": "anh.nguyen@example.vn",
        "id_number": "008195001234",
        "address": "Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang",
    }
    value.update(overrides)
    return value


def parent(name: str, id_number: str, birth_date: str) -> dict:
    return {
        "full_name": name,
        "birth_date": birth_date,
        "ethnicity": "Kinh",
        "nationality": "Việt Nam",
        "id_number": id_number,
        "residence": "Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang",
    }


def birth_data(**overrides) -> dict:
    value = {
        "requester_relationship": "me",
        "child": {
            "full_name": "Trần Minh Đức",
            "birth_date": "2026-11-20",
            "sex": "nam",
            "place_of_birth": "Bệnh viện Đa khoa tỉnh Tuyên Quang",
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "hometown": "Xã Mỹ Bằng, tỉnh Tuyên Quang",
        },
        "mother": parent("Nguyễn Thị Ánh", "008195001234", "1995-03-14"),
        "father_known": True,
        "father": parent("Trần Văn Ệ", "008090004321", "1990-07-02"),
    }
    value.update(overrides)
    return value


#: Where the original of a certified copy (2.000815) comes from: one alternative each, no key in common.
ORIGIN_IN_VIETNAM = {"issuer": "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang"}
ORIGIN_ABROAD = {"issuing_country": "Nhật Bản", "foreign_issuer": "Đại học Osaka", "legalisation": "da_hop_phap_hoa"}


def certified_copy_data(**overrides) -> dict:
    """Valid answers for the certified copy (2.000815): a Vietnamese diploma, two copies, the result by post."""
    value = {
        "document_name": "Bằng tốt nghiệp trung học phổ thông",
        "origin": dict(ORIGIN_IN_VIETNAM),
        "language": "tieng_viet",
        "pages": 1,
        "copies": 2,
        "delivery": "buu_dien",
        "delivery_address": "Thôn Đồng Mừng, xã Mỹ Bằng, tỉnh Tuyên Quang",
    }
    value.update(overrides)
    return value


class _FormFields(HTMLParser):
    """Collects the successful controls of the first <form method=post> the way a browser would submit them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.fields: list[tuple[str, str]] = []
        self.in_form = False
        self.done = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._option_value: str | None = None
        self._option_selected = False
        self._option_text: list[str] = []
        self.action = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and (a.get("method") or "").lower() == "post":
            self.in_form = True
            self.action = a.get("action") or ""
            return
        if not self.in_form:
            return
        if tag == "input":
            name, kind = a.get("name"), (a.get("type") or "text").lower()
            if not name or "disabled" in a or kind in ("submit", "button", "file", "image", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.fields.append((name, a.get("value", "on")))
                return
            self.fields.append((name, a.get("value", "")))
        elif tag == "textarea" and a.get("name") and "disabled" not in a:
            self._textarea, self._text = a["name"], []
        elif tag == "select" and a.get("name") and "disabled" not in a:
            self._select, self._options = a["name"], []
        elif tag == "option" and self._select is not None:
            self._option_value, self._option_selected, self._option_text = a.get("value"), "selected" in a, []

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form, self.done = False, True
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            self.fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else "".join(self._option_text)
            self._options.append((value, self._option_selected))
        elif tag == "select" and self._select is not None:
            chosen = [v for v, s in self._options if s] or [v for v, _ in self._options[:1]]
            self.fields.extend((self._select, v) for v in chosen[:1])
            self._select = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        elif self._select is not None:
            self._option_text.append(data)


def form_fields(html: str) -> MultiDict:
    parser = _FormFields()
    parser.feed(html)
    return MultiDict(parser.fields)


def flatten(prefix: str, value, out: MultiDict) -> MultiDict:
    """How the engine names inputs: nested keys joined by '-', dates of alt-date widgets as day/month/year."""
    if isinstance(value, dict):
        for key, item in value.items():
            flatten(f"{prefix}-{key}", item, out)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    elif isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) and prefix.endswith("birth_date"):
        year, month, day = value.split("-")
        out[f"{prefix}-day"], out[f"{prefix}-month"], out[f"{prefix}-year"] = (
            str(int(day)),
            str(int(month)),
            year,
        )
    else:
        out[prefix] = str(value)
    return out


def typed_form(client, url: str, *, data: dict, person: dict, action: str = "continue") -> MultiDict:
    """The e-Form page's fields as a browser would post them after the citizen typed `person` and `data`."""
    fields = form_fields(client.get(url).get_data(as_text=True))
    flatten("data", data, fields)
    flatten("applicant", person, fields)
    fields["_action"] = action
    return fields
