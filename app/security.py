"""Deny by default, response headers and safe redirects."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from .extensions import login_manager

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def public(view):
    """Mark a view as reachable without signing in."""
    view.is_public = True
    return view


def keeps_form(view):
    """Mark a form view whose text is kept and offered back if the session has expired."""
    view.keeps_form = True
    return view


def is_safe_next(target: str | None) -> bool:
    """Tell whether a redirect target is a path on this site."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or _CONTROL.search(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_next(target: str | None, fallback: str) -> str:
    """Return target when it is safe, else the fallback."""
    return target if is_safe_next(target) else fallback


def _view():
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def require_login():
    """Send anonymous visitors of a non-public endpoint to the login page."""
    view = _view()
    if view is None or request.endpoint == "static" or getattr(view, "is_public", False):
        return None
    if current_user.is_authenticated:
        return None
    if request.method == "POST" and getattr(view, "keeps_form", False):
        return stash_form_and_redirect()
    return login_manager.unauthorized()


def stash_form_and_redirect():
    """Keep what the user typed, then send them to log in and back to the form."""
    from .forms_stash import stash_form

    token = stash_form(request.path, request.form)
    flash(_("Your session had ended, so nothing was saved. Log in and your text is waiting for you."), "warning")
    back = f"{request.path}?restore={token}"
    if current_user.is_authenticated:
        return redirect(back)
    return redirect(url_for("auth.login", next=back))


def add_headers(response):
    """Add the security headers to every response."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def register_security(app: Flask) -> None:
    """Install the login gate and the security headers."""
    app.before_request(require_login)
    app.after_request(add_headers)
