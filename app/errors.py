"""Error pages in the user's language; JSON under /api/."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from methodbook.errors import Forbidden, NotFound


def _messages():
    return {
        400: (_("Bad request"), _("The request could not be understood.")),
        403: (_("Not allowed"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("There is no page at this address. It may have moved or been removed.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        413: (
            _("The upload is too large"),
            _("The files you sent add up to more than the server accepts. Nothing was saved. "
              "Go back, choose smaller files (at most %(mb)s MB each) and send again.", mb=_limit_mb()),
        ),
        429: (_("Too many attempts"), _("Too many attempts in a short time. Wait a minute and try again.")),
        500: (_("Something went wrong"), _("An error on our side stopped this page. It has been logged.")),
    }  # fmt: skip


def _limit_mb() -> int:
    return current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)


def error_response(code: int, detail: str | None = None):
    """Render an error page, or JSON for the API."""
    title, text = _messages().get(code, (str(code), ""))
    if request.path.startswith("/api/"):
        return jsonify({"error": title, "detail": detail or text, "status": code}), code
    return render_template("error.html", code=code, title=title, text=detail or text), code


def register_error_handlers(app: Flask) -> None:
    """Map HTTP and domain errors to pages."""

    def on_http(exc: HTTPException):
        return error_response(exc.code or 500)

    def on_csrf(exc: CSRFError):
        from .security import stash_form_and_redirect

        view = app.view_functions.get(request.endpoint or "")
        if view is not None and getattr(view, "keeps_form", False):
            return stash_form_and_redirect()
        return error_response(
            400, _("The form had expired or did not come from this site. Go back, reload the page and try again.")
        )

    app.register_error_handler(HTTPException, on_http)
    app.register_error_handler(CSRFError, on_csrf)
    app.register_error_handler(NotFound, lambda exc: error_response(404))
    app.register_error_handler(Forbidden, lambda exc: error_response(403))
