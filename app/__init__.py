"""The Dela web application."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import DEFAULTS, ROOT, from_environment
from .jsonprovider import SafeJSONProvider
from .pagecache import VisitorPageCache


def create_app(config: Mapping | None = None) -> Flask:
    """Create the app from the environment, or from a mapping in tests."""
    app = Flask(__name__, template_folder=str(ROOT / "templates"), instance_path=str(ROOT / "instance"))
    app.json = SafeJSONProvider(app)
    app.config.update(DEFAULTS)
    app.config.update(from_environment(app.instance_path) if config is None else config)
    register_extensions(app)
    register_blueprints(app)
    register_handlers(app)
    register_cli(app)
    app.wsgi_app = VisitorPageCache(app)
    if app.config.get("TRUSTED_PROXIES"):
        n = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)
    return app


def register_extensions(app: Flask) -> None:
    from .db import init_db
    from .extensions import csrf, limiter
    from .i18n import init_i18n
    from .login import init_login

    init_db(app)
    csrf.init_app(app)
    limiter.init_app(app)
    init_login(app)
    init_i18n(app)


def register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .auth import bp as auth_bp
    from .feedback import bp as feedback_bp
    from .feeds import bp as feeds_bp
    from .following import bp as following_bp
    from .galleries import bp as galleries_bp
    from .main import bp as main_bp
    from .methods import bp as methods_bp
    from .networks import bp as networks_bp
    from .search import bp as search_bp

    for blueprint in (
        main_bp,
        auth_bp,
        methods_bp,
        feedback_bp,
        networks_bp,
        galleries_bp,
        feeds_bp,
        following_bp,
        search_bp,
        api_bp,
        admin_bp,
    ):
        app.register_blueprint(blueprint)


def register_handlers(app: Flask) -> None:
    from .errors import register_error_handlers
    from .security import register_security
    from .templating import register_template_helpers

    register_security(app)
    register_error_handlers(app)
    register_template_helpers(app)


def register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)
