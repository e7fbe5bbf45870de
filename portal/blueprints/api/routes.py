"""Procedures, filing and look-up for integrating systems, with errors as JSON Pointers into the request body."""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.blueprints.api import bp
from portal.blueprints.api.body import BodyError, parse_json_text, read_json_body
from portal.database import begin_write
from portal.extensions import db
from portal.faults import fault_point
from portal.i18n import current_locale
from portal.models import Channel, Dossier, IdempotencyRecord
from portal.services import dossiers as dossier_service
from portal.services.procedures import get_procedure, list_published_procedures
from portal.services.uploads import UploadRejected, store_upload
from portal.web import api_error

log = logging.getLogger("portal.api")


@bp.errorhandler(BodyError)
def body_error(error: BodyError):
    return api_error(error.status, error.keyword, error.message, error.path)


def _summary(procedure) -> dict[str, Any]:
    meta = procedure.current_version.meta
    return {
        "code": procedure.code,
        "name": meta["name"],
        "field": meta.get("field", ""),
        "agency": meta.get("agency", ""),
        "level": meta.get("level", "partial"),
        "processing_days": meta["processing_days"],
        "version": procedure.current_version.number,
    }


@bp.get("/procedures")
def procedures():
    return jsonify([_summary(p) for p in list_published_procedures()])


@bp.get("/procedures/<code>")
def procedure(code: str):
    proc = get_procedure(code)
    if proc is None or proc.current_version is None:
        return api_error(404, "not_found", _("Không có thủ tục mã %(code)s.", code=code))
    version = proc.current_version
    body = _summary(proc)
    body.update(
        {
            "procedure": version.meta,
            "schema": version.schema,
            "uiSchema": version.ui_schema,
            "documents": version.documents,
            "translations": version.translations,
        }
    )
    return jsonify(body)


def _read_submission() -> tuple[Any, bytes]:
    """The filing payload and the bytes that identify it for idempotency (JSON body or multipart `payload`)."""
    if request.mimetype == "multipart/form-data":
        payload = request.form.get("payload")
        if payload is None:
            raise BodyError(400, "malformed", _("Thiếu phần “payload” chứa JSON của hồ sơ."), "/payload")
        digest = hashlib.sha256(payload.encode())
        # the files are read twice only when a retry must be recognised
        for key in sorted(request.files) if request.headers.get("Idempotency-Key") else ():
            for storage in request.files.getlist(key):
                # the files belong to the request's identity: a retry with another scan is another request
                digest.update(key.encode() + b"\0" + (storage.filename or "").encode() + b"\0")
                for chunk in iter(lambda stream=storage.stream: stream.read(65536), b""):
                    digest.update(chunk)
                storage.stream.seek(0)
        digest_source = digest.hexdigest().encode()
        return parse_json_text(payload), digest_source
    if request.mimetype not in ("application/json", ""):
        raise BodyError(
            415, "unsupported_media_type", _("Gửi hồ sơ dưới dạng application/json hoặc multipart/form-data.")
        )
    return read_json_body(), request.get_data(cache=True)


@bp.post("/procedures/<code>/dossiers")
def file_dossier(code: str):
    proc = get_procedure(code)
    if proc is None or proc.current_version is None:
        return api_error(404, "not_found", _("Không có thủ tục mã %(code)s.", code=code))
    version = proc.current_version
    locale = current_locale()
    body, digest_source = _read_submission()
    if not isinstance(body, dict):
        return api_error(422, "type", _("Hồ sơ phải là một đối tượng JSON có “applicant” và “data”."), "")
    unknown = sorted(set(body) - {"applicant", "data"})
    if unknown:
        return _errors(
            422,
            [
                dossier_service.Problem(
                    f"/{key}", "additionalProperties", _("Trường “%(key)s” không được chấp nhận.", key=key)
                )
                for key in unknown
            ],
        )

    idem_key = request.headers.get("Idempotency-Key", "").strip()
    scope_key = None
    digest = hashlib.sha256(digest_source).hexdigest()
    if idem_key:
        if len(idem_key) > 200:
            return api_error(400, "malformed", _("Idempotency-Key dài quá 200 ký tự."))
        scope_key = f"{code}:{idem_key}"
        replay = _replay(scope_key, digest)
        if replay is not None:
            return replay

    problems: list[dossier_service.Problem] = []
    applicant_raw = body.get("applicant")
    data = body.get("data", {})
    if not isinstance(applicant_raw, dict):
        problems.append(
            dossier_service.Problem(
                "/applicant",
                "type" if "applicant" in body else "required",
                _("Nhập thông tin người yêu cầu (applicant)."),
            )
        )
        applicant_raw = {}
    if not isinstance(data, dict):
        problems.append(dossier_service.Problem("/data", "type", _("“data” phải là một đối tượng JSON.")))
        data = {}
    applicant = dossier_service.normalise_applicant(applicant_raw)
    data = dossier_service.normalise_text_tree(data)
    file_counts = {key: len([f for f in request.files.getlist(key) if f.filename]) for key in request.files}
    known_docs = {doc["key"] for doc in version.documents}
    for key in sorted(set(file_counts) - known_docs):
        problems.append(
            dossier_service.Problem(
                f"/{key}",
                "additionalProperties",
                _("Thủ tục này không có thành phần hồ sơ “%(key)s”.", key=key),
            )
        )
    problems += dossier_service.check_submission(
        version=version, applicant=applicant, data=data, file_counts=file_counts, locale=locale
    )
    if problems:
        return _errors(422, problems)

    begin_write(db.session)
    if scope_key:
        # a retry that waited for the write lock finds the answer its twin just committed
        replay = _replay(scope_key, digest)
        if replay is not None:
            return replay
    upload_dir = current_app.config["UPLOAD_DIR"]
    attachments = []
    if sum(file_counts.values()) > current_app.config["MAX_FILES_PER_DOSSIER"]:
        return api_error(
            413,
            "too_many_files",
            _("Mỗi hồ sơ đính kèm tối đa %(n)s tệp.", n=current_app.config["MAX_FILES_PER_DOSSIER"]),
        )
    upload_problems = []
    for doc in version.documents:
        for storage in request.files.getlist(doc["key"]):
            if not storage.filename:
                continue
            try:
                attachments.append(store_upload(file_storage=storage, document=doc, upload_dir=upload_dir))
            except UploadRejected as rejected:
                upload_problems.append(
                    dossier_service.Problem(f"/{doc['key']}", rejected.code, rejected.message(locale))
                )
    if upload_problems:
        db.session.rollback()
        status = 413 if all(p.keyword == "too_large" for p in upload_problems) else 422
        return _errors(status, upload_problems)

    fault_point("after_file_write")
    submission_key = f"api:{scope_key}" if scope_key else None
    try:
        dossier = dossier_service.file_dossier(
            version=version,
            applicant=applicant,
            data=data,
            channel=Channel.API,
            agency_id=current_app.config["AGENCY_ID"],
            submission_key=submission_key,
            attachments=attachments,
            actor="api",
        )
        answer = _created(dossier)
        if scope_key:
            db.session.add(
                IdempotencyRecord(scope_key=scope_key, request_digest=digest, response_status=201, response_body=answer)
            )
        fault_point("before_commit")
        db.session.commit()
        fault_point("after_commit")
        log.info("dossier filed", extra={"event": "dossier_filed", "dossier": dossier.code, "procedure": code})
    except IntegrityError:
        # the same key raced us and won: its answer is the answer
        db.session.rollback()
        if scope_key:
            replay = _replay(scope_key, digest)
            if replay is not None:
                return replay
        raise
    return jsonify(answer), 201, {"Location": url_for("api.lookup", code=dossier.code)}


def _created(dossier: Dossier) -> dict[str, Any]:
    return {
        "code": dossier.code,
        "status": str(dossier.status),
        "submitted_at": dossier.submitted_at.isoformat(),
        "receipt_url": url_for("citizen.receipt_pdf", receipt=dossier.receipt_token, _external=True),
    }


def _replay(scope_key: str, digest: str):
    record = db.session.scalar(select(IdempotencyRecord).where(IdempotencyRecord.scope_key == scope_key))
    if record is None:
        return None
    if record.request_digest != digest:
        return api_error(
            422, "idempotency_key_reused", _("Idempotency-Key này đã được dùng cho một hồ sơ khác nội dung.")
        )
    return jsonify(record.response_body), record.response_status, {"Idempotent-Replayed": "true"}


def _errors(status: int, problems: list[dossier_service.Problem]):
    return jsonify(
        {"errors": [{"path": p.pointer, "keyword": p.keyword, "message": p.message} for p in problems]}
    ), status


@bp.get("/dossiers/<code>")
def lookup(code: str):
    dossier = dossier_service.lookup_dossier(code=code, phone=request.args.get("phone", ""))
    if dossier is None:
        # the same answer whether the code is unknown or the phone is wrong: codes cannot be probed
        return api_error(404, "not_found", _("Không tìm thấy hồ sơ với mã và số điện thoại này."))
    return jsonify(
        {
            "code": dossier.code,
            "status": str(dossier.status),
            "procedure": {
                "code": dossier.form_version.meta["code"],
                "name": dossier.form_version.meta["name"],
            },
            "submitted_at": dossier.submitted_at.isoformat(),
            "received_at": dossier.received_at.isoformat() if dossier.received_at else None,
            "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
            "history": [{"status": e.status, "at": e.at.isoformat(), "kind": e.kind} for e in dossier.events],
        }
    )
