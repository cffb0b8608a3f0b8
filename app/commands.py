"""Flask CLI commands: reference data, demo data, scheduler."""

from typing import TextIO

import click
from flask import Flask
from flask.cli import AppGroup

reference_cli = AppGroup("reference", help="Reference data: ESCO and Danish postcodes.")
demo_cli = AppGroup("demo", help="Deterministic demo data.")
jobs_cli = AppGroup("jobs", help="The scheduler process (run exactly one).")
matching_cli = AppGroup("matching", help="Embeddings and suggestions.")
research_cli = AppGroup("research", help="Pseudonymised exports for evaluation research.")
consent_cli = AppGroup("consent", help="The consent ledger.")


@reference_cli.command("load")
def reference_load() -> None:
    """Load ESCO v1.1.1 and Danish postcodes (idempotent, with a progress bar)."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.services import reference

    with Session(get_engine()) as session:
        summary = reference.load_all(session=session, progress=click.progressbar)
    for name, count in summary.items():
        click.echo(f"{name}: {count}")


@demo_cli.command("seed")
@click.option("--jobseekers", default=300, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--postings", default=3000, show_default=True, type=click.IntRange(0, 1_000_000))
@click.option("--employers", default=60, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--seed", default=42, show_default=True, type=int)
def demo_seed(jobseekers: int, postings: int, employers: int, seed: int) -> None:
    """Create demo accounts, employers, postings and CVs (idempotent, deterministic by seed)."""
    from flask import current_app
    from sqlmodel import Session

    from app.db import get_engine
    from app.demo import history, interventions, write

    # Demo accounts share one published password: they must never reach a real database.
    if not current_app.config["DEMO"]:
        raise click.ClickException(
            "demo data can only be seeded in development with demo mode on "
            f"(JOBUNIVERS_ENV_NAME is {current_app.config['ENV_NAME']!r}, JOBUNIVERS_DEMO is off); "
            "nothing was written"
        )
    with Session(get_engine()) as session:
        try:
            summary = write.seed(
                session=session,
                jobseekers=jobseekers,
                postings=postings,
                employers=employers,
                seed=seed,
            )
        except write.ReferenceDataMissing as error:
            raise click.ClickException(str(error)) from error
        summary["history_rows_added"] = history.seed_history(session=session, seed=seed)
        summary["intervention_cases_added"] = interventions.seed_cases(session=session, seed=seed)
    for name, count in summary.items():
        click.echo(f"{name}: {count}")


@matching_cli.command("index")
def matching_index() -> None:
    """Embed new or changed postings with the configured model (unchanged ones cost nothing),
    then rank everyone who has no current suggestions yet."""
    import time

    from sqlmodel import Session

    from app.db import get_engine
    from app.services import matching

    started = time.perf_counter()
    with Session(get_engine()) as session:
        embedded = matching.embed_postings(session=session)
        click.echo(f"embedded {embedded} postings in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
        ranked = matching.refresh_everyone_pending(session=session)
    click.echo(f"ranked {ranked} people in {time.perf_counter() - started:.1f} s")


@matching_cli.command("alternatives-report")
def matching_alternatives_report() -> None:
    """How many jobseekers get at least 3 alternative jobs, and how many none."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.services import matching

    with Session(get_engine()) as session:
        f = matching.alternatives_figures(session=session)

    def share(n: int) -> str:
        return f"{n}/{f.people} = {100 * n / max(f.people, 1):.0f} %"

    click.echo(f"jobseekers whose data may be matched: {f.people}")
    click.echo(f">= 3 alternatives with postings: {share(f.with_three)}")
    click.echo(f"empty tab: {share(f.empty)}")
    click.echo(
        f"alternatives per person: {f.alternatives / max(f.people, 1):.2f}, "
        f"of which longer steps: {f.longer_steps}"
    )


@research_cli.command("export")
@click.option(
    "--out",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="JSON Lines file (default: stdout)",
)
def research_export(out: TextIO) -> None:
    """Export consenting jobseekers as pseudonymised JSON Lines (HMAC key from configuration)."""
    import json

    from sqlmodel import Session

    from app.db import get_engine
    from app.services import research

    with Session(get_engine()) as session:
        rows = research.export_rows(session=session)
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    click.echo(f"exported {len(rows)} pseudonymised rows", err=True)


@jobs_cli.command("run")
def jobs_run() -> None:
    """Run the scheduler in the foreground (its own process; never inside web workers)."""
    from flask import current_app

    from app.scheduler import run_blocking

    run_blocking(current_app._get_current_object())  # type: ignore[attr-defined]


@consent_cli.command("verify")
def consent_verify() -> None:
    """Check the consent ledger's hash chain, head and triggers; exit 1 naming the first break."""
    from sqlmodel import Session

    from app.db import get_engine
    from app.services import privacy
    from consent import integrity

    with Session(get_engine()) as session:
        report = integrity.verify(session, privacy.pseudonymiser())
    if report.ok:
        click.echo(f"OK: {report.events} consent events verified; chain head {report.head_hash}")
        return
    click.echo(
        f"BROKEN: {len(report.problems)} problem(s); first broken link: {report.first_broken}"
    )
    for problem in report.problems[1:]:
        click.echo(f"  also: {problem}")
    raise click.exceptions.Exit(1)


def register(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(reference_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(matching_cli)
    app.cli.add_command(research_cli)
    app.cli.add_command(consent_cli)
