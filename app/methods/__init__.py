from flask import Blueprint

bp = Blueprint("methods", __name__)

from . import editing, routes  # noqa: E402,F401
