"""Health check: can we reach the database, is the embedding model in place?"""

from pathlib import Path

from flask import Flask
from sqlalchemy import text

from app.db import get_engine


def check(*, app: Flask) -> dict:
    """A JSON-ready report; ``status`` is "ok" only when the database answers."""
    try:
        with get_engine().connect() as connection:
            connection.execute(text("SELECT 1"))
        database = "ok"
    except Exception as error:  # noqa: BLE001 - any failure means "not ready"
        app.logger.error("health check: database unreachable: %s", error)
        database = "error"
    model_path = Path(app.config["MODEL_PATH"])
    model = {
        "backend": app.config["ENCODER_BACKEND"],
        "present": (model_path / "config.json").exists() or (model_path / "modules.json").exists(),
        "onnx": (model_path / "onnx" / "model_int8.onnx").exists(),
    }
    return {"status": "ok" if database == "ok" else "error", "database": database, "model": model}
