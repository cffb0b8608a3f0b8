"""APScheduler 3.x in its own process; every job runs inside an app context."""

from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlmodel import Session

from app.db import get_engine
from app.services import auth as auth_service


def housekeeping(app: Flask) -> None:
    """Drop session records older than the absolute session limit plus a day."""
    with app.app_context(), Session(get_engine()) as session:
        hours = app.config["SESSION_ABSOLUTE_HOURS"] + 24
        removed = auth_service.purge_sessions(session=session, older_than=timedelta(hours=hours))
        app.logger.info("housekeeping: removed %d old sessions", removed)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The scheduler with all jobs registered (not started)."""
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    scheduler.add_job(housekeeping, "interval", hours=1, args=[app], id="housekeeping",
                      max_instances=1, coalesce=True)
    return scheduler


def run_blocking(app: Flask) -> None:
    """Start the scheduler and block until interrupted."""
    build_scheduler(app).start()
