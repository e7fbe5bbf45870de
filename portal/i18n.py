"""Language choice: Vietnamese by default, English when the visitor picks it or the API client asks."""

from __future__ import annotations

from flask import Flask, request

from portal.extensions import babel

LANG_COOKIE = "lang"


def select_locale() -> str:
    """?lang= wins, then the cookie set by the language link; the API follows Accept-Language."""
    from flask import current_app

    supported = current_app.config["LANGUAGES"]
    chosen = request.args.get("lang")
    if chosen in supported:
        return chosen
    if request.path.startswith("/api/"):
        return request.accept_languages.best_match(supported, default="vi") or "vi"
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in supported:
        return cookie
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def current_locale() -> str:
    from flask_babel import get_locale

    locale = get_locale()
    return locale.language if locale else "vi"


def init_app(app: Flask) -> None:
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(app.root_path + "/translations"),
    )

    @app.after_request
    def remember_language(response):
        chosen = request.args.get("lang")
        if chosen in app.config["LANGUAGES"] and not request.path.startswith("/api/"):
            response.set_cookie(LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
        return response

    @app.context_processor
    def inject_locale():
        return {"locale": current_locale()}
