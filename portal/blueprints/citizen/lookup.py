"""Following a dossier: code and phone number in, status and history out, nothing else personal."""

from __future__ import annotations

from flask import render_template, request
from flask_babel import gettext as _

from portal.blueprints.citizen import bp
from portal.services.dossiers import lookup_dossier


@bp.route("/tra-cuu", methods=["GET", "POST"])
def lookup():
    # the code may come in the URL (from the receipt's QR code); the phone number only ever by POST
    code = (request.form.get("ma") or request.args.get("ma") or "").strip()[:80]
    phone = (request.form.get("sdt") or "").strip()[:30]
    dossier = None
    error = None
    if request.method == "POST":
        if not code or not phone:
            error = _("Nhập mã hồ sơ và số điện thoại đã dùng khi nộp hồ sơ.")
        else:
            dossier = lookup_dossier(code=code, phone=phone)
            if dossier is None:
                error = _("Không tìm thấy hồ sơ với mã và số điện thoại này. Hãy kiểm tra lại mã trên giấy biên nhận.")
    status = 200 if error is None else 404 if request.method == "POST" and code and phone else 200
    return render_template("citizen/lookup.html", code=code, phone=phone, dossier=dossier, error=error), status
