"""APScheduler 3.x in its own process (``flask jobs run``); every job runs inside an app context.

Never start this inside web workers: with gunicorn's two workers each job would run twice.
"""

from datetime import timedelta

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlmodel import Session

from app.db import get_engine
from app.models import utcnow
from app.services import matching, notifications, privacy
from consent import rights
from consent.models import ConsentLedgerHead

INDEX_INTERVAL = timedelta(minutes=10)
NOTIFY_INTERVAL = timedelta(hours=1)
RANK_INTERVAL = timedelta(minutes=1)


def housekeeping(app: Flask) -> None:
    """Delete every record past its retention period and log the consent ledger's head.

    The periods are ``consent.purposes.RETENTION``, the same rules the record of processing
    shows. The logged head (length and last hash) is a copy of the hash chain's end outside the
    database, against which ``flask consent verify`` output can be compared.
    """
    with app.app_context(), Session(get_engine()) as session:
        now = utcnow()
        deleted = rights.retention_purge(session, now)
        session.commit()
        erased = privacy.erase_closed_cases(session=session, now=now)
        head = session.get(ConsentLedgerHead, 1)
        summary = ", ".join(f"{count} {table}" for table, count in deleted.items())
        app.logger.info("housekeeping: deleted %s; erased %d closed cases", summary, erased)
        if head is not None:
            app.logger.info("consent ledger head: %d events, %s", head.length, head.last_hash)


def index_postings(app: Flask) -> None:
    """Embed new or changed postings so page views never wait for the model."""
    with app.app_context(), Session(get_engine()) as session:
        app.logger.info("index: embedded %d postings", matching.embed_postings(session=session))


def rank_pending(app: Flask) -> None:
    """Rank people never ranked or changed since, and withdraw results after an opt-out.

    Pages never rank (a GET writes nothing), so first suggestions come from here or from the
    background job a profile save, swipe or consent change submits.
    """
    with app.app_context(), Session(get_engine()) as session:
        app.logger.info("ranking: %d people", matching.refresh_pending(session=session))


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
        rank_pending, "interval", seconds=RANK_INTERVAL.total_seconds(), id="rank", **common
    )
    scheduler.add_job(
        notify, "interval", seconds=NOTIFY_INTERVAL.total_seconds(), id="notify", **common
    )
    return scheduler


def run_blocking(app: Flask) -> None:
    """Start the scheduler and block until interrupted."""
    build_scheduler(app).start()
