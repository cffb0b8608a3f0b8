"""Work that must not hold up a request (re-embedding a profile, re-ranking), run in a thread.

One worker thread per process, created lazily after gunicorn forks. Each task gets its own app
context and database session. With ``BACKGROUND_SYNC`` (tests, scripts) tasks run inline.
"""

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor

from flask import current_app
from sqlmodel import Session

from app.db import get_engine

_lock = threading.Lock()
_executor: tuple[int, ThreadPoolExecutor] | None = None


def _get_executor() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None or _executor[0] != os.getpid():
            _executor = (
                os.getpid(),
                ThreadPoolExecutor(max_workers=1, thread_name_prefix="jobunivers-bg"),
            )
        return _executor[1]


def submit(task: Callable[..., object], /, **kwargs: object) -> Future:
    """Run ``task(session=..., **kwargs)`` in the background with its own session."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def run() -> object:
        with app.app_context(), Session(get_engine(), expire_on_commit=False) as session:
            try:
                return task(session=session, **kwargs)
            except Exception:
                app.logger.exception("background task %s failed", getattr(task, "__name__", task))
                raise

    if app.config.get("BACKGROUND_SYNC"):
        future: Future = Future()
        try:
            future.set_result(run())
        except Exception as error:  # noqa: BLE001 - delivered through the future
            future.set_exception(error)
        return future
    return _get_executor().submit(run)
