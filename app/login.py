"""Sessions and remember-me cookies through flask-login."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from methodbook.models import User

from .db import db_session
from .extensions import login_manager


def init_login(app: Flask) -> None:
    """Configure the login manager."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Find the user whose current session token the cookie carries."""
    return db_session().scalar(select(User).where(User.session_token == token, User.active.is_(True)))


def viewer() -> User | None:
    """Return the signed-in user, or None for an anonymous visitor."""
    # The real object, not the proxy: handing the proxy to login_user() would make it refer to itself.
    return current_user._get_current_object() if current_user.is_authenticated else None
