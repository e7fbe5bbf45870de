"""Resuming a draft on another device: resume code and phone number in, the form with everything typed out."""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from flask import current_app, redirect, render_template, request, session
from flask_babel import gettext as _

from portal.blueprints.citizen import bp
from portal.blueprints.citizen.filing import _remember_code, _remember_draft, resume_url
from portal.database import begin_write
from portal.extensions import db
from portal.i18n import current_locale
from portal.services.drafts import find_resumable, format_code, normalise_code
from portal.services.throttle import hit, throttle_key

log = logging.getLogger("portal.resume")


def _client_keys() -> list[str]:
    """One counter for this browser session, one for the client's address (AU-01: both must stay under the limit)."""
    session_id = session.get("throttle_id")
    if not session_id:
        session_id = session["throttle_id"] = secrets.token_urlsafe(16)
    return [throttle_key("resume:session", session_id), throttle_key("resume:addr", request.remote_addr or "")]


@bp.route("/tiep-tuc", methods=["GET", "POST"])
def resume():
    if request.method == "GET":
        return render_template("citizen/resume.html", code="", phone="", error=None)
    code = (request.form.get("ma") or "").strip()[:40]
    phone = (request.form.get("sdt") or "").strip()[:30]
    config = current_app.config
    begin_write(db.session)
    window = timedelta(seconds=config["RESUME_WINDOW_SECONDS"])
    counts = [hit(key, window=window) for key in _client_keys()]
    if max(counts) > config["RESUME_MAX_ATTEMPTS"]:
        db.session.commit()
        log.warning("resume attempts throttled", extra={"event": "resume_throttled"})
        error = _("Bạn đã thử quá nhiều lần. Vui lòng chờ 15 phút rồi thử lại.")
        return render_template("citizen/resume.html", code=code, phone="", error=error), 429
    if not code or not phone:
        db.session.commit()
        error = _("Nhập mã tiếp tục và số điện thoại đã khai trong tờ khai.")
        return render_template("citizen/resume.html", code=code, phone=phone, error=error), 200
    draft = find_resumable(code=code, phone=phone, secret=config["SECRET_KEY"])
    if draft is None:
        db.session.commit()
        log.info("resume refused", extra={"event": "resume_refused"})
        error = _(
            "Không tìm thấy bản nháp với mã và số điện thoại này, hoặc bản nháp đã hết hạn. "
            "Hãy kiểm tra lại mã trong tin nhắn."
        )
        return render_template("citizen/resume.html", code=code, phone=phone, error=error), 404
    _remember_draft(draft.token)
    _remember_code(draft.token, format_code(normalise_code(code) or ""))
    procedure_code = draft.procedure.code
    target = resume_url(draft, current_locale())
    db.session.commit()
    log.info("draft resumed", extra={"event": "draft_resumed", "procedure": procedure_code})
    return redirect(target, code=303)
