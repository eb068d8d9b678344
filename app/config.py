"""Configuration from the environment; tests pass a mapping instead."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _secret_key(instance_path: Path) -> str:
    """Read instance/secret_key, creating it once (mode 600) when it does not exist."""
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def from_environment(instance_path: Path, env=os.environ) -> dict:
    """Build the app's settings from environment variables, with working defaults."""
    instance_path = Path(instance_path)
    mb = int(env.get("ATTACHMENT_MAX_MB", "20"))
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or _secret_key(instance_path),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'dela.db'}",
        "SEARCH_INDEX_DIR": env.get("SEARCH_INDEX_DIR") or str(ROOT / "search_index"),
        "SEARCH_BACKEND": env.get("SEARCH_BACKEND", "whoosh"),
        "SEARCH_BACKGROUND_REBUILD": _bool(env.get("SEARCH_BACKGROUND_REBUILD"), True),
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or str(instance_path / "uploads"),
        "DELA_REGISTRATION": env.get("DELA_REGISTRATION", "open"),
        "ATTACHMENT_MAX_BYTES": mb * 1024 * 1024,
        # The whole request may carry several attachments; beyond this the server answers 413.
        "MAX_CONTENT_LENGTH": int(env.get("REQUEST_MAX_MB", "100")) * 1024 * 1024,
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_USE_TLS": _bool(env.get("MAIL_USE_TLS"), True),
        "MAIL_FROM": env.get("MAIL_FROM", "dela@localhost"),
        "MAIL_OUTBOX_DIR": env.get("MAIL_OUTBOX_DIR", ""),
        # Digests go here when no mail server is set up, so they can be read and tested.
        "DIGEST_OUTBOX_DIR": env.get("DIGEST_OUTBOX_DIR") or str(instance_path / "digests"),
        # The site's address, for links in mail sent outside a request (digests).
        "SITE_URL": env.get("SITE_URL", "http://127.0.0.1:5000"),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "REMEMBER_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "LOGIN_RATE_LIMIT": env.get("LOGIN_RATE_LIMIT", "10 per minute;50 per hour"),
        "IMAGE_MAX_BYTES": int(env.get("IMAGE_MAX_MB", "20")) * 1024 * 1024,
        # "Remove me from this" may be asked without an account; this keeps it from becoming a spam channel.
        "REMOVAL_RATE_LIMIT": env.get("REMOVAL_RATE_LIMIT", "5 per minute;30 per day"),
        "PASSWORD_HASH_METHOD": env.get("PASSWORD_HASH_METHOD", "scrypt"),
        "TRUSTED_PROXIES": int(env.get("TRUSTED_PROXIES", "0")),
        "BABEL_DEFAULT_LOCALE": env.get("DELA_DEFAULT_LANGUAGE", "sv"),
        "BABEL_DEFAULT_TIMEZONE": env.get("DELA_TIMEZONE", "Europe/Stockholm"),
    }


DEFAULTS = {
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    # Text fields may be long (a 200,000-character body); the validator answers, not a 413.
    "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
    "WTF_CSRF_TIME_LIMIT": None,
    "RATELIMIT_HEADERS_ENABLED": True,
    "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "app" / "translations"),
    "DELA_LANGUAGES": ("sv", "da", "en"),
}
