"""Interface language: the profile's, then the switcher's, then the browser's."""

from __future__ import annotations

from flask import Flask, current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from .extensions import babel
from .pagecache import visitor_language


def select_locale() -> str:
    """Pick the interface language for this request."""
    languages = current_app.config["DELA_LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("lang") in languages:
        return session["lang"]
    return visitor_language(
        request.headers.get("Accept-Language"), languages, current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    """Return the language code of this request's interface."""
    return str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])


def init_i18n(app: Flask) -> None:
    """Set up Flask-Babel with Dela's locale selector."""
    babel.init_app(app, locale_selector=select_locale)
