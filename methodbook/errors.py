"""Domain errors; the web layer maps them to pages and status codes."""

from __future__ import annotations

from dataclasses import dataclass, field


class DelaError(Exception):
    """Base class of every error the domain raises on purpose."""


@dataclass
class Message:
    """A translatable message id with its parameters."""

    msgid: str
    params: dict = field(default_factory=dict)

    def render(self, translate=None) -> str:
        """Return the message text, translated when a translate function is given."""
        text = translate(self.msgid) if translate else self.msgid
        return text % self.params if self.params else text


class ValidationError(DelaError):
    """Input was refused; ``errors`` maps a field name to its messages."""

    def __init__(self, errors: dict[str, list[Message]]):
        super().__init__(", ".join(f"{k}: {m[0].render()}" for k, m in errors.items()))
        self.errors = errors

    @classmethod
    def single(cls, field_name: str, msgid: str, **params) -> ValidationError:
        """Build an error with one message on one field."""
        return cls({field_name: [Message(msgid, params)]})


class NotFound(DelaError):
    """The thing asked for does not exist, or the asker may not know that it does."""


class Forbidden(DelaError):
    """The user is known but may not do this."""


class Conflict(DelaError):
    """The entry changed since the editor loaded it."""

    def __init__(self, entry, base_revision: int):
        super().__init__(f"entry {entry.slug} is at revision {entry.revision_number}, not {base_revision}")
        self.entry = entry
        self.base_revision = base_revision


class UploadRefused(DelaError):
    """An uploaded file was refused; ``message`` says why in words a user understands."""

    def __init__(self, filename: str, msgid: str, **params):
        super().__init__(f"{filename}: {msgid % params if params else msgid}")
        self.filename = filename
        self.message = Message(msgid, params)
