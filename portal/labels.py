"""Words for dossier states as a citizen or clerk reads them."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from portal.models import DossierStatus

STATUS_LABELS = {
    DossierStatus.SUBMITTED: _l("Đã nộp trực tuyến, chờ Bộ phận Một cửa kiểm tra"),
    DossierStatus.RECEIVED: _l("Đã tiếp nhận"),
    DossierStatus.SUPPLEMENT_REQUESTED: _l("Cần bổ sung giấy tờ"),
    DossierStatus.REFUSED: _l("Từ chối tiếp nhận"),
    DossierStatus.IN_PROCESS: _l("Đang giải quyết"),
    DossierStatus.DELAYED: _l("Chậm trễ, đã có văn bản xin lỗi và hẹn lại"),
    DossierStatus.STOPPED: _l("Dừng giải quyết"),
    DossierStatus.REJECTED: _l("Không giải quyết (có văn bản nêu lý do)"),
    DossierStatus.RESULT_READY: _l("Đã có kết quả, chờ trả"),
    DossierStatus.RETURNED: _l("Đã trả kết quả"),
    DossierStatus.WITHDRAWN: _l("Đã rút hồ sơ"),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(DossierStatus(status)) if status in DossierStatus._value2member_map_ else None
    return str(label) if label is not None else status
