"""A form with free-form keys (additionalProperties) filed through the web pages: a repeated name stops the
step with the message beside it, nothing typed is lost, and the check page lists the keys by their names."""

from __future__ import annotations

import json
import re

from tests.factories import applicant, flatten, form_fields

CODE = "9.000001"
FORM_URL = f"/thu-tuc/{CODE}/nop-ho-so"
DEFINITION = {
    "procedure": {
        "code": CODE,
        "name": "Khai thông tin bổ sung",
        "field": "Thử nghiệm",
        "agency": "Ủy ban nhân dân cấp xã",
        "level": "full",
        "processing_days": 1,
        "fee": {"amount": 0, "currency": "VND"},
        "result": "Thông tin được ghi nhận",
        "description": "Khai báo thêm những thông tin biểu mẫu chưa hỏi.",
        "documents": [],
    },
    "schema": {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "title": "Thông tin",
        "required": ["topic"],
        "properties": {"topic": {"type": "string", "title": "Nội dung"}},
        "additionalProperties": {"type": "string", "maxLength": 100},
    },
    "uiSchema": {},
}


def _import(runner, tmp_path) -> None:
    folder = tmp_path / "forms"
    folder.mkdir()
    (folder / f"{CODE}.json").write_text(json.dumps(DEFINITION, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["forms", "import", str(folder)])
    assert result.exit_code == 0, result.output


def test_free_form_keys_are_filed_and_a_repeated_name_is_shown_beside_it(client, runner, tmp_path):
    _import(runner, tmp_path)
    page = client.get(FORM_URL)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Thông tin — mục khác" in html and "Thêm mục" in html
    fields = form_fields(html)
    flatten("applicant", applicant(), fields)
    fields["data-topic"] = "Hộ khẩu"
    fields["_action"] = "add:data-__more"
    added = client.post(FORM_URL, data=fields.to_dict(flat=False)).get_data(as_text=True)
    fields = form_fields(added)
    fields["_action"] = "add:data-__more"
    added = client.post(FORM_URL, data=fields.to_dict(flat=False)).get_data(as_text=True)
    fields = form_fields(added)
    assert fields["data-__more-count"] == "2"
    for i, (name, value) in enumerate([("Nghề nghiệp", "Nông dân"), ("Nghề nghiệp", "Thợ mộc")]):
        fields[f"data-__more-{i}-name"] = name
        fields[f"data-__more-{i}-value"] = value
    fields["_action"] = "continue"
    refused = client.post(FORM_URL, data=fields.to_dict(flat=False))
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200
    assert '<a href="#data-__more-1-name">Tên mục này đã có, hãy đặt tên khác</a>' in text
    assert re.search(r'id="data-__more-1-name--error">.*?Tên mục này đã có', text)
    assert re.search(r'name="data-__more-1-value"[^>]*value="Thợ mộc"', text)
    fields = form_fields(text)
    fields["data-__more-1-name"] = "Sở thích"
    fields["_action"] = "continue"
    done = client.post(FORM_URL, data=fields.to_dict(flat=False))
    assert done.status_code == 303, done.get_data(as_text=True)[:2000]
    check = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Nghề nghiệp" in check and "Nông dân" in check and "Sở thích" in check and "Thợ mộc" in check
