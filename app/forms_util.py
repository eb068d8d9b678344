"""Putting domain validation messages onto forms."""

from __future__ import annotations

from flask_babel import gettext

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
