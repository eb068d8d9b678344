"""Idea books: the gallery pages, their images, the print page and the managers' tools."""

from flask import Blueprint

bp = Blueprint("galleries", __name__)

from . import manage, routes  # noqa: E402,F401
