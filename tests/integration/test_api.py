"""The JSON API of design/interfaces.md: procedures, filing (JSON and multipart, idempotent), look-up, errors."""

from __future__ import annotations

import io
import json
import re
import threading

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Dossier
from tests.factories import ORIGIN_ABROAD, applicant, birth_data, certified_copy_data, tiny_pdf, tiny_png

BIRTH = "/api/v1/procedures/1.001193/dossiers"
COPY = "/api/v1/procedures/2.000815/dossiers"


def _multipart(body: dict, files: dict | None = None) -> dict:
    parts = {"payload": json.dumps(body, ensure_ascii=False)}
    for key, (content, name) in (files if files is not None else {"giay_chung_sinh": (tiny_pdf(), "cs.pdf")}).items():
        parts[key] = (io.BytesIO(content), name)
    return parts


def _file_birth(client, body=None, headers=None, files=None):
    return client.post(
        BIRTH,
        data=_multipart(body or {"applicant": applicant(), "data": birth_data()}, files),
        content_type="multipart/form-data",
        headers=headers or {},
    )


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Dossier))


def test_procedure_list_and_detail(client, sample_procedures):
    listing = client.get("/api/v1/procedures").get_json()
    codes = {p["code"] for p in listing}
    assert codes == {"1.001193", "1.004222", "2.000815"}
    birth = next(p for p in listing if p["code"] == "1.001193")
    assert birth == {
        "code": "1.001193",
        "name": "Đăng ký khai sinh",
        "field": "Hộ tịch",
        "agency": birth["agency"],
        "level": "full",
        "processing_days": 0,
        "version": 1,
    }
    detail = client.get("/api/v1/procedures/1.001193").get_json()
    assert detail["schema"]["properties"]["child"]["title"] == "Thông tin người được khai sinh"
    assert detail["documents"][0]["key"] == "giay_chung_sinh"
    assert "uiSchema" in detail and detail["version"] == 1


def test_unknown_procedure_is_404_json(client, sample_procedures):
    response = client.get("/api/v1/procedures/9.999")
    assert response.status_code == 404
    assert response.get_json()["errors"][0]["keyword"] == "not_found"
    assert client.post("/api/v1/procedures/9.999/dossiers", json={}).status_code == 404


def test_filing_with_multipart_answers_201_with_code_and_receipt(app, client, sample_procedures):
    response = _file_birth(client)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert re.fullmatch(r"H60\.22\.5-\d{6}-0001", body["code"])
    assert body["status"] == "submitted"
    assert body["submitted_at"].endswith("+00:00")
    receipt = client.get(body["receipt_url"].replace("http://localhost", ""))
    assert receipt.status_code == 200 and receipt.data.startswith(b"%PDF")
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        assert dossier.channel == "api" and len(dossier.attachments) == 1


def test_json_filing_without_a_required_document_names_it(client, sample_procedures):
    response = client.post(BIRTH, json={"applicant": applicant(), "data": birth_data()})
    assert response.status_code == 422
    assert {k: v for k, v in response.get_json()["errors"][0].items() if k != "message"} == {
        "path": "/giay_chung_sinh",
        "keyword": "required",
    }


def test_every_error_at_once_with_pointers_to_the_fields(client, sample_procedures):
    data = birth_data()
    del data["child"]["full_name"]
    data["mother"]["id_number"] = "０１２３４５６７８９０１"  # full-width digits are not [0-9]
    data["child"]["birth_date"] = "2024-02-30"
    person = applicant(phone="12345")
    del person["full_name"]
    response = _file_birth(client, {"applicant": person, "data": data})
    assert response.status_code == 422
    errors = {(e["path"], e["keyword"]) for e in response.get_json()["errors"]}
    assert ("/data/child/full_name", "required") in errors
    assert ("/data/mother/id_number", "pattern") in errors
    assert ("/data/child/birth_date", "format") in errors
    assert ("/applicant/full_name", "required") in errors
    assert ("/applicant/phone", "pattern") in errors
    messages = " ".join(e["message"] for e in response.get_json()["errors"])
    assert "^[0-9]" not in messages and "is not valid" not in messages


def test_wrong_types_are_422_with_pointers(client, sample_procedures):
    data = birth_data()
    data["father_known"] = "yes"
    data["child"] = "Trần Minh Đức"
    response = _file_birth(client, {"applicant": applicant(), "data": data})
    assert response.status_code == 422
    paths = {e["path"] for e in response.get_json()["errors"]}
    assert "/data/father_known" in paths and "/data/child" in paths
    not_object = client.post(BIRTH, json=[1, 2])
    assert not_object.status_code == 422


def test_messages_follow_accept_language(client, sample_procedures):
    vi = client.post(BIRTH, json={"applicant": {}, "data": {}}).get_json()["errors"]
    en = client.post(BIRTH, json={"applicant": {}, "data": {}}, headers={"Accept-Language": "en"}).get_json()["errors"]
    assert [e["path"] for e in vi] == [e["path"] for e in en]
    assert vi[0]["message"] != en[0]["message"]
    assert any(ch in "".join(e["message"] for e in vi) for ch in "ạảấầậểễệọốồộ")


def test_unknown_keys_are_refused_not_stored(client, sample_procedures):
    response = _file_birth(client, {"applicant": applicant(), "data": birth_data(), "status": "returned"})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "/status"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b'{"applicant": {', 400),
        (b"[" * 100_000 + b"]" * 100_000, 400),
        (b'{"a":' * 70 + b"1" + b"}" * 70, 400),
        (b"\xff\xfe not utf-8", 400),
        (b'{"applicant": {"full_name": "\\ud83d"}}', 400),
    ],
    ids=["truncated", "100k-nested-arrays", "70-levels", "bad-encoding", "lone-surrogate"],
)
def test_hostile_json_bodies_are_400_never_500(client, sample_procedures, body, status):
    response = client.post(BIRTH, data=body, content_type="application/json")
    assert response.status_code == status
    assert response.get_json()["errors"][0]["keyword"] == "malformed"


def test_huge_body_is_413(app, client, sample_procedures):
    app.config["MAX_JSON_BYTES"] = 10_000
    response = client.post(BIRTH, data=b'{"x": "' + b"a" * 20_000 + b'"}', content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["keyword"] == "too_large"
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    too_big = client.post(
        BIRTH,
        data=_multipart(
            {"applicant": applicant(), "data": birth_data()},
            {"giay_chung_sinh": (b"%PDF-" + b"0" * 60_000, "x.pdf")},
        ),
        content_type="multipart/form-data",
    )
    assert too_big.status_code == 413 and too_big.is_json


def test_unsupported_media_type_is_415(client, sample_procedures):
    assert client.post(BIRTH, data="a=b", content_type="text/plain").status_code == 415


def test_spoofed_file_is_refused_with_a_vietnamese_message(app, client, sample_procedures):
    response = _file_birth(client, files={"giay_chung_sinh": (b"<html><body>hi</body></html>", "cccd.pdf")})
    assert response.status_code == 422
    error = response.get_json()["errors"][0]
    assert error["path"] == "/giay_chung_sinh"
    assert "Tệp" in error["message"]
    assert _count(app) == 0


def _raw_multipart(payload: dict, key: str, content: bytes, name: str) -> tuple[bytes, str]:
    """A multipart body built by hand: werkzeug's test builder would spool a large one to a file it never closes."""
    boundary = "----portal-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="payload"\r\n\r\n'
            f"{json.dumps(payload, ensure_ascii=False)}\r\n"
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; filename="{name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_oversized_file_is_413(client, sample_procedures):
    big = b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024)
    body, content_type = _raw_multipart(
        {"applicant": applicant(), "data": birth_data()}, "giay_chung_sinh", big, "big.pdf"
    )
    response = client.post(BIRTH, data=body, content_type=content_type)
    assert response.status_code == 413
    assert response.get_json()["errors"][0]["path"] == "/giay_chung_sinh"


def test_idempotency_key_replays_the_first_answer(app, client, sample_procedures):
    headers = {"Idempotency-Key": "abc-123"}
    first = _file_birth(client, headers=headers)
    again = _file_birth(client, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert _count(app) == 1
    other = birth_data()
    other["child"]["full_name"] = "Người Khác"
    other_scan = _file_birth(client, headers=headers, files={"giay_chung_sinh": (tiny_png(), "cs.pdf")})
    assert other_scan.status_code == 422  # same key, same answers, another file: not the same request
    reused = _file_birth(client, {"applicant": applicant(), "data": other}, headers=headers)
    assert reused.status_code == 422
    assert reused.get_json()["errors"][0]["keyword"] == "idempotency_key_reused"
    assert _count(app) == 1


def test_concurrent_retries_with_one_key_file_one_dossier(app, sample_procedures):
    answers, barrier = [], threading.Barrier(3)

    def retry():
        client = app.test_client()
        barrier.wait()
        answers.append(_file_birth(client, headers={"Idempotency-Key": "same"}))

    threads = [threading.Thread(target=retry) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {a.status_code for a in answers} == {201}
    assert len({a.get_json()["code"] for a in answers}) == 1
    assert _count(app) == 1


def test_concurrent_filings_get_distinct_consecutive_codes(app, sample_procedures):
    codes, barrier = [], threading.Barrier(6)

    def file_one():
        client = app.test_client()
        barrier.wait()
        response = _file_birth(client)
        assert response.status_code == 201, response.get_json()
        codes.append(response.get_json()["code"])

    threads = [threading.Thread(target=file_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 6
    assert sorted(int(c.rsplit("-", 1)[1]) for c in codes) == [1, 2, 3, 4, 5, 6]


def test_lookup_needs_the_phone_and_shows_nothing_personal(client, sample_procedures):
    code = _file_birth(client).get_json()["code"]
    found = client.get(f"/api/v1/dossiers/{code}?phone=%2B84912345678")
    assert found.status_code == 200
    body = found.get_json()
    assert body["code"] == code and body["status"] == "submitted"
    assert body["procedure"] == {"code": "1.001193", "name": "Đăng ký khai sinh"}
    text = json.dumps(body, ensure_ascii=False)
    for secret in ("Nguyễn Thị Ánh", "008195001234", "0912345678", "Đồng Mừng", "Trần Minh Đức"):
        assert secret not in text
    assert client.get(f"/api/v1/dossiers/{code}?phone=0987654321").status_code == 404
    assert client.get(f"/api/v1/dossiers/{code}").status_code == 404
    assert client.get("/api/v1/dossiers/not-a-code?phone=0912345678").status_code == 404


def test_legacy_code_form_is_accepted_for_lookup(client, sample_procedures):
    code = _file_birth(client).get_json()["code"]
    _, day, seq = code.rsplit("-", 2)
    legacy = f"000.00.12.H60-{day}-{seq}"
    assert client.get(f"/api/v1/dossiers/{legacy}?phone=0912345678").get_json()["code"] == code


def test_certified_copy_with_several_files_is_stored_nfc(app, client, sample_procedures):
    import unicodedata

    nfd_name = unicodedata.normalize("NFD", "Nguyễn Văn Bình")
    data = certified_copy_data(
        document_name=unicodedata.normalize("NFD", "Bằng tốt nghiệp"),
        origin={"issuer": unicodedata.normalize("NFD", "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang")},
    )
    files = [("ban_chinh_scan", (tiny_pdf(), "trang-1.pdf")), ("ban_chinh_scan", (tiny_png(), "trang-2.png"))]
    parts = {
        "payload": json.dumps({"applicant": applicant(full_name=nfd_name), "data": data}, ensure_ascii=False),
        "ban_chinh_scan": [(io.BytesIO(c), n) for _, (c, n) in files],
    }
    response = client.post(COPY, data=parts, content_type="multipart/form-data")
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        dossier = db.session.scalar(select(Dossier))
        stored = dossier.applicant["full_name"]
        assert sorted(a.mime_type for a in dossier.attachments) == ["application/pdf", "image/png"]
        assert dossier.data["document_name"] == "Bằng tốt nghiệp"
        assert dossier.data["origin"] == {"issuer": "Sở Giáo dục và Đào tạo tỉnh Tuyên Quang"}
    assert stored == unicodedata.normalize("NFC", nfd_name) and len(stored) == 15


def _file_copy(client, data: dict):
    return client.post(
        COPY,
        data={
            "payload": json.dumps({"applicant": applicant(), "data": data}),
            "ban_chinh_scan": (io.BytesIO(tiny_pdf()), "a.pdf"),
        },
        content_type="multipart/form-data",
    )


def test_conditional_requirement_is_enforced(client, sample_procedures):
    data = certified_copy_data()
    del data["delivery_address"]
    response = _file_copy(client, data)
    assert response.status_code == 422
    assert [e["path"] for e in response.get_json()["errors"]] == ["/data/delivery_address"]


def test_a_foreign_original_is_filed_with_its_own_answers_only(app, client, sample_procedures):
    response = _file_copy(client, certified_copy_data(origin=dict(ORIGIN_ABROAD)))
    assert response.status_code == 201, response.get_json()
    with app.app_context():
        assert db.session.scalar(select(Dossier)).data["origin"] == ORIGIN_ABROAD


@pytest.mark.parametrize(
    ("origin", "errors"),
    [
        # the alternative the answers point to speaks: a foreign original must say it was legalised
        ({"issuing_country": "Nhật Bản"}, [("/data/origin/legalisation", "required")]),
        ({}, [("/data/origin/issuer", "required")]),
        # answers of both alternatives at once: the other one's keys are not part of this one
        ({**ORIGIN_ABROAD, "issuer": "Sở Tư pháp"}, [("/data/origin/issuer", "additionalProperties")]),
        (
            {"issuer": "Sở Tư pháp", "issuing_country": "Nhật Bản"},
            [("/data/origin/issuing_country", "additionalProperties")],
        ),
        ({**ORIGIN_ABROAD, "legalisation": "chua"}, [("/data/origin/legalisation", "oneOf")]),
    ],
)
def test_the_origin_of_the_original_is_one_alternative_exactly(client, sample_procedures, origin, errors):
    response = _file_copy(client, certified_copy_data(origin=origin))
    assert response.status_code == 422
    assert [(e["path"], e["keyword"]) for e in response.get_json()["errors"]] == errors


def test_id_number_must_fit_province_and_birth_year(client, sample_procedures):
    data = birth_data()
    data["mother"]["id_number"] = "008090001234"  # says born 1990, the form says 1995
    person = applicant(id_number="999195001234")  # 999 is no province
    response = _file_birth(client, {"applicant": person, "data": data})
    assert response.status_code == 422
    errors = {e["path"]: e["message"] for e in response.get_json()["errors"]}
    assert "năm sinh" in errors["/data/mother/id_number"]
    assert "mã tỉnh" in errors["/applicant/id_number"]


@pytest.mark.parametrize("phone", ["0912.345.678", "+84 912 345 678", "０９１２３４５６７８", "(+84) 912-345-678"])
def test_vn03_phone_formats_are_normalised(app, client, sample_procedures, phone):
    assert _file_birth(client, {"applicant": applicant(phone=phone), "data": birth_data()}).status_code == 201
    with app.app_context():
        assert db.session.scalar(select(Dossier.applicant_phone)) == "0912345678"


@pytest.mark.parametrize("id_number", ["00819500123", "0081950012345", "00819500123x"])
def test_vn03_id_numbers_must_have_twelve_ascii_digits(client, sample_procedures, id_number):
    response = _file_birth(client, {"applicant": applicant(id_number=id_number), "data": birth_data()})
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["path"] == "/applicant/id_number"


def test_published_versions_and_events_cannot_be_rewritten(app, client, sample_procedures):
    from portal.models import DossierEvent, FormVersion
    from portal.models.guards import ImmutableRowError

    _file_birth(client)
    with app.app_context():
        version = db.session.scalar(select(FormVersion))
        version.definition = {**version.definition, "schema": {"type": "object"}}
        with pytest.raises(ImmutableRowError):
            db.session.flush()
        db.session.rollback()
        event = db.session.scalar(select(DossierEvent))
        db.session.delete(event)
        with pytest.raises(ImmutableRowError):
            db.session.flush()
        db.session.rollback()
        assert db.session.scalar(select(func.count()).select_from(DossierEvent)) == 1
