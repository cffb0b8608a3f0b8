"""Benchmark: server time of a swipe (store the answer, render the next card) on the demo data.

    python scripts/bench_deck.py [--swipes 60] [--backend hashing|onnx]

Builds a scratch SQLite database with the default demo seed (300 jobseekers, 3,000 postings),
embeds the postings, logs in as a demo jobseeker and times htmx swipe requests through the WSGI
app in-process (no network), with background re-ranking running as in production. Prints JSON.
The swipe path never calls the model, so the hashing backend (default) measures it fairly.
"""

import argparse
import json
import re
import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlmodel import Session, select

from app import create_app
from app.demo import write
from app.models import User
from app.services import matching, reference

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def _quiet(iterable, **_kwargs):
    yield iterable


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swipes", type=int, default=60)
    parser.add_argument("--backend", default="hashing", choices=("hashing", "onnx", "torch"))
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-deck-"))
    url = f"sqlite:///{folder / 'bench.db'}"
    config = AlembicConfig(str(ROOT / "alembic.ini"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")
    app = create_app(
        {
            "DATABASE_URL": url,
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": False,
            "ENCODER_BACKEND": args.backend,
            "DEMO": True,
        }
    )
    engine = app.extensions["db_engine"]
    with app.app_context(), Session(engine) as session:
        reference.load_postcodes(session=session, progress=_quiet)
        write.seed(session=session, jobseekers=300, postings=3000, employers=60, seed=42)
        started = time.perf_counter()
        matching.embed_postings(session=session)
        embed_s = time.perf_counter() - started
        user_id = session.exec(
            select(User.id).where(User.email == "jobsoeger1@demo.jobunivers.dk")
        ).one()
        started = time.perf_counter()
        matching.refresh_suggestions(session=session, user_id=user_id)
        refresh_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        matching.refresh_suggestions(session=session, user_id=user_id)
        refresh_warm_ms = (time.perf_counter() - started) * 1000

    client = app.test_client()
    client.post("/auth/demo", data={"user_id": user_id})
    page = client.get("/jobsoeger/swipe").get_data(as_text=True)
    times: list[float] = []
    actions = ("yes", "no", "save")
    for i in range(args.swipes):
        match = re.search(r'name="posting_id" value="(\d+)"', page)
        if not match:
            break
        started = time.perf_counter()
        response = client.post(
            "/jobsoeger/swipe",
            data={"posting_id": match.group(1), "action": actions[i % 3], "kind": "match"},
            headers={"HX-Request": "true"},
        )
        times.append((time.perf_counter() - started) * 1000)
        page = response.get_data(as_text=True)
    report = {
        "postings": 3000,
        "backend": args.backend,
        "embed_postings_s": round(embed_s, 1),
        "rank_and_store_suggestions_ms": {
            "cold": round(refresh_ms, 1),
            "warm": round(refresh_warm_ms, 1),
        },
        "swipe_server_ms": {
            "n": len(times),
            "p50": round(statistics.median(times), 1),
            "p95": round(percentile(times, 0.95), 1),
            "max": round(max(times), 1),
        },
        "target_ms": 100,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
