"""Response headers and error pages shared by every page: security headers, friendly errors, no 500 pages."""

from __future__ import annotations

import errno
import logging

from flask import Flask, Request, Response, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

log = logging.getLogger("portal")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


class PortalRequest(Request):
    """Closes every upload buffer it opened, also those of a body cut off mid-upload (UP-08)."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        stream = super()._get_file_stream(total_content_length, content_type, filename, content_length)
        self.__dict__.setdefault("_opened_streams", []).append(stream)
        return stream

    def close(self) -> None:
        super().close()
        for stream in self.__dict__.pop("_opened_streams", []):
            stream.close()


def wants_json() -> bool:
    return request.path.startswith("/api/")


def api_error(status: int, keyword: str, message: str, path: str = "") -> tuple[Response, int]:
    return jsonify({"errors": [{"path": path, "keyword": keyword, "message": message}]}), status


_MESSAGES = {
    400: ("malformed", lambda: _("Yêu cầu không hợp lệ. Vui lòng thử lại.")),
    403: ("forbidden", lambda: _("Bạn không có quyền thực hiện thao tác này.")),
    404: ("not_found", lambda: _("Không tìm thấy trang hoặc hồ sơ bạn yêu cầu.")),
    405: ("method_not_allowed", lambda: _("Thao tác này không được hỗ trợ.")),
    413: ("too_large", lambda: _("Dữ liệu gửi lên quá lớn. Hãy gửi tệp nhỏ hơn hoặc ít tệp hơn.")),
    415: ("unsupported_media_type", lambda: _("Định dạng dữ liệu không được hỗ trợ.")),
    429: ("too_many_requests", lambda: _("Bạn thao tác quá nhanh. Vui lòng chờ một chút rồi thử lại.")),
    500: ("server_error", lambda: _("Hệ thống gặp sự cố. Dữ liệu bạn đã gửi chưa bị mất; vui lòng thử lại.")),
    503: ("unavailable", lambda: _("Hệ thống đang bận. Vui lòng thử lại sau ít giây.")),
    507: (
        "insufficient_storage",
        lambda: _("Máy chủ tạm thời hết chỗ lưu trữ; hồ sơ chưa được nộp. Vui lòng thử lại sau."),
    ),
}


def error_response(status: int) -> Response | tuple[Response, int] | tuple[str, int]:
    keyword, message = _MESSAGES.get(status, _MESSAGES[500])
    if wants_json():
        return api_error(status, keyword, message())
    return render_template("error.html", status=status, message=message()), status


def init_app(app: Flask) -> None:
    import portal.database  # noqa: F401  (registers the connection settings)

    app.request_class = PortalRequest
    from flask_babel import format_datetime

    from portal.labels import status_label

    app.jinja_env.globals.update(status_label=status_label, format_datetime=format_datetime)

    @app.after_request
    def security_headers(response: Response) -> Response:
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if "Cache-Control" not in response.headers and request.endpoint != "static":
            # pages can carry personal data: never keep them in a shared or kiosk browser cache
            response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = error_response(error.code or 500)
        if error.code == 503:
            response = _with_retry_after(response)
        return response

    @app.errorhandler(OperationalError)
    def database_busy(error: OperationalError):
        log.warning("database unavailable: %s", type(error.orig).__name__)
        from portal.extensions import db

        db.session.rollback()
        return _with_retry_after(error_response(503))

    @app.errorhandler(OSError)
    def storage_error(error: OSError):
        from portal.extensions import db

        db.session.rollback()
        if error.errno == errno.ENOSPC:
            log.error("disk full while handling %s", request.endpoint)
            return _with_retry_after(error_response(507))
        log.exception("storage error on %s", request.endpoint)
        return _with_retry_after(error_response(503))

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error on %s", request.endpoint)
        from portal.extensions import db

        db.session.rollback()
        return error_response(500)


def _with_retry_after(response):
    from flask import make_response

    resp = make_response(response)
    resp.headers["Retry-After"] = "5"
    return resp
