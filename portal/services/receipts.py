"""The PDF receipt of a dossier: assembled from the dossier and the form version it was filed under."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from flask import current_app, url_for

from portal.models import Dossier
from portal.receipts.pdf import ReceiptData, ReceiptDocument, ReceiptLine, mask_id_number
from portal.services.dossiers import LOCAL_TZ
from portal.services.forms import spec_for

_DUE_TEXT = {
    "vi": "Hồ sơ nộp trực tuyến được Bộ phận Một cửa kiểm tra trong ngày làm việc; ngày hẹn trả kết quả "
    "được tính từ khi hồ sơ được tiếp nhận và báo cho ông (bà) qua số điện thoại đã đăng ký.",
    "en": "The one-stop desk checks online dossiers on the working day they arrive; the result date is set "
    "when the dossier is received and sent to your registered phone number.",
}


def _printable(answer) -> str:
    # identity numbers are masked on paper as the applicant's own is: a receipt may be left at a kiosk
    if answer.pointer.rsplit("/", 1)[-1] == "id_number" and answer.value:
        return mask_id_number(answer.value)
    return answer.value


def _due_text(dossier: Dossier, lang: str) -> str:
    if dossier.due_at is None:
        return _DUE_TEXT[lang]
    local = dossier.due_at.astimezone(LOCAL_TZ)
    if lang == "en":
        return f"Result due: {local:%H:%M}, {local:%d/%m/%Y}"
    return f"Hẹn trả kết quả: {local:%H} giờ {local:%M} phút, ngày {local:%d} tháng {local:%m} năm {local:%Y}"


def lookup_url(dossier: Dossier) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or ""
    path = url_for("citizen.lookup", ma=dossier.code)
    if base:
        return base.rstrip("/") + path
    return url_for("citizen.lookup", ma=dossier.code, _external=True)


def receipt_data(dossier: Dossier, locale: str) -> ReceiptData:
    version = dossier.form_version
    applicant = dossier.applicant
    helper = applicant.get("filed_by") or {}
    files_by_key: dict[str, list[str]] = {}
    for attachment in dossier.attachments:
        files_by_key.setdefault(attachment.document_key, []).append(attachment.original_name)
    documents = tuple(
        ReceiptDocument(name=doc["name"], files=tuple(files_by_key.get(doc["key"], ())))
        for doc in version.documents
        if files_by_key.get(doc["key"])
    )
    answers = tuple(
        ReceiptLine(label=a.label, value=_printable(a), depth=a.depth, is_group=a.is_group)
        for a in spec_for(version, locale).answers(dossier.data)
    )
    lang = "en" if locale == "en" else "vi"
    return ReceiptData(
        agency_parent=current_app.config["AGENCY_PARENT"],
        agency_name=current_app.config["AGENCY_NAME"],
        place=current_app.config["AGENCY_PLACE"],
        code=dossier.code,
        procedure_code=version.meta["code"],
        procedure_name=version.meta["name"],
        applicant_name=applicant["full_name"],
        applicant_id_number=applicant.get("id_number"),
        applicant_address=applicant.get("address"),
        applicant_phone=applicant["phone"],
        applicant_email=applicant.get("email"),
        helper_name=helper.get("full_name"),
        helper_phone=helper.get("phone"),
        submitted_at=dossier.submitted_at,
        processing_days=int(version.meta.get("processing_days", 0)),
        due_text=_due_text(dossier, lang),
        documents=documents,
        answers=answers,
        lookup_url=lookup_url(dossier),
        channel=str(dossier.channel),
        locale=lang,
    )


def receipt_pdf(dossier: Dossier, locale: str) -> bytes:
    """Render once per dossier and language, then serve the stored copy (the receipt never changes)."""
    from portal.receipts.pdf import render_receipt_pdf_with_timeout

    cache_dir = Path(current_app.instance_path) / "receipts"
    cached = cache_dir / f"{dossier.receipt_token}.{locale}.pdf"
    if cached.exists():
        return cached.read_bytes()
    pdf = render_receipt_pdf_with_timeout(receipt_data(dossier, locale), current_app.config["RECEIPT_TIMEOUT"])
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    partial.write_bytes(pdf)
    os.replace(partial, cached)
    return pdf
