"""Views of the transparency blueprint."""

from flask import render_template
from flask.typing import ResponseReturnValue

from app.blueprints.transparency import bp


@bp.get("/")
def index() -> ResponseReturnValue:
    """How suggestions are made, in plain language (EU AI Act transparency)."""
    return render_template("transparency/index.html")
