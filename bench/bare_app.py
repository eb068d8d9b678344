"""A bare Flask app for the HTTP baseline: one route, a short HTML page, nothing else."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    """Answer with a small fixed page."""
    return "<!doctype html><title>bare</title><p>Hej</p>"
