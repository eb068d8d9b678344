"""Putting domain validation messages onto forms."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext
from flask_wtf import FlaskForm

from methodbook.errors import ValidationError


def translate(message) -> str:
    """Translate a domain Message into the interface language."""
    return gettext(message.msgid, **message.params)


def apply_errors(form, exc: ValidationError) -> dict[str, list[str]]:
    """Attach each message to its form field; return messages for fields the form lacks."""
    leftover: dict[str, list[str]] = {}
    for name, messages in exc.errors.items():
        texts = [translate(m) for m in messages]
        field = getattr(form, name, None) if form is not None else None
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + texts
        else:
            leftover.setdefault(name, []).extend(texts)
    return leftover


class ConfirmForm(FlaskForm):
    """A button that changes something: just the CSRF token."""


def csv_download(body: bytes, filename: str) -> Response:
    """Send CSV bytes as a private download (never cached by a proxy)."""
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "private, no-store"},
    )
