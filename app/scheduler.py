"""APScheduler 3.x in its own process (``flask jobs run``); every job runs inside an app context.

Never start this inside web workers: with gunicorn's two workers each job would run twice.
"""

from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlmodel import Session

from app.db import get_engine
from app.models import utcnow
from app.services import auth as auth_service
from app.services import matching, notifications
from consent import rights

INDEX_INTERVAL = timedelta(minutes=10)
NOTIFY_INTERVAL = timedelta(hours=1)


def housekeeping(app: Flask) -> None:
    """Drop old session records and access-log rows past their retention."""
    with app.app_context(), Session(get_engine()) as session:
        hours = app.config["SESSION_ABSOLUTE_HOURS"] + 24
        removed = auth_service.purge_sessions(session=session, older_than=timedelta(hours=hours))
        purged = rights.retention_purge(
            session, utcnow(), access_log_days=app.config["ACCESS_LOG_RETENTION_DAYS"]
        )
        session.commit()
        app.logger.info("housekeeping: removed %d sessions, %d access-log rows", removed, purged)


def index_postings(app: Flask) -> None:
    """Embed new or changed postings so page views never wait for the model."""
    with app.app_context(), Session(get_engine()) as session:
        app.logger.info("index: embedded %d postings", matching.embed_postings(session=session))


def notify(app: Flask) -> None:
    """Notify about new postings in people's top 20, queue digests, send the outbox."""
    base_url = app.config.get("PUBLIC_URL", "http://127.0.0.1:5000")
    with app.test_request_context(base_url=base_url), Session(get_engine()) as session:
        matching.embed_postings(session=session)
        created = notifications.notify_new_postings(
            session=session, since=utcnow() - 2 * NOTIFY_INTERVAL
        )
        queued = notifications.queue_digests(session=session)
        sent = notifications.send_outbox(session=session)
    app.logger.info("notify: %d notifications, %d digests queued, %d sent", created, queued, sent)


def build_scheduler(app: Flask) -> BlockingScheduler:
    """The scheduler with all jobs registered (not started)."""
    scheduler = BlockingScheduler(timezone=app.config["BABEL_DEFAULT_TIMEZONE"])
    common = {"args": [app], "max_instances": 1, "coalesce": True}
    scheduler.add_job(housekeeping, "interval", hours=1, id="housekeeping", **common)
    scheduler.add_job(
        index_postings, "interval", seconds=INDEX_INTERVAL.total_seconds(), id="index", **common
    )
    scheduler.add_job(
        notify, "interval", seconds=NOTIFY_INTERVAL.total_seconds(), id="notify", **common
    )
    return scheduler


def run_blocking(app: Flask) -> None:
    """Start the scheduler and block until interrupted."""
    build_scheduler(app).start()
