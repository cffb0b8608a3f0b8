"""Writing the demo: the plan goes into the database, adding only what is not there yet.

``seed()`` is the first step of ``flask demo seed``: it reads the places (the ``postcode``
table, from ``flask reference load``) and the occupation file, builds the plan
(``app.demo.plan``) and inserts the rows the database does not already hold, keyed by e-mail,
CVR number and ``(source, source_id)``. Running it again with the same arguments adds nothing.
"""

from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from app.demo.data import OCCUPATIONS_FILE, load_vocabulary
from app.demo.places import Place
from app.demo.plan import SOURCE_JOBNET, SOURCE_PORTAL, Plan, build_plan
from app.models import (
    CaseworkerAssignment,
    Employer,
    Jobcentre,
    JobPosting,
    JobseekerProfile,
    Postcode,
    Role,
    User,
    utcnow,
)
from app.services.auth import hash_password

# Every demo account has this password: demo mode only (``DEMO``), never a real database.
DEMO_PASSWORD = "demo-jobunivers"
CHUNK = 1_000  # rows per INSERT


class ReferenceDataMissing(RuntimeError):
    """The postcode table is empty: the demo needs real places."""


def load_places(*, session: Session) -> list[Place]:
    """Every postcode with a region, from the reference table."""
    rows = session.execute(
        select(
            col(Postcode.code),
            col(Postcode.name),
            col(Postcode.latitude),
            col(Postcode.longitude),
            col(Postcode.region),
        )
    ).tuples()
    return [Place(code, name, lat, lon, region) for code, name, lat, lon, region in rows if region]


def seed(
    *,
    session: Session,
    jobseekers: int,
    postings: int,
    employers: int,
    seed: int,
    today: date | None = None,
    occupations_file: Path = OCCUPATIONS_FILE,
) -> dict[str, int]:
    """Create the demo data set (idempotent, deterministic by ``seed``) in one transaction.

    Returns how many demo rows of each kind the database holds afterwards, and ``added``: the
    rows written by this call (0 when the demo data was already there).
    """
    places = load_places(session=session)
    if not places:
        raise ReferenceDataMissing(
            "The postcode table is empty. Load the reference data first: flask reference load"
        )
    plan = build_plan(
        seed=seed,
        jobseekers=jobseekers,
        postings=postings,
        employers=employers,
        places=places,
        vocabulary=load_vocabulary(occupations_file),
        today=today or date.today(),
        # Argon2 is slow on purpose: hash once and share the hash among all demo accounts.
        password_hash=hash_password(DEMO_PASSWORD),
    )
    try:
        added = write_plan(session=session, plan=plan)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return {**counts(session=session), "added": added}


def _strip(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def write_plan(*, session: Session, plan: Plan) -> int:
    """Insert the rows of ``plan`` the database does not hold yet (no commit); returns how many."""
    added = 0

    def bulk(model: type, rows: list[dict[str, Any]]) -> None:
        nonlocal added
        for i in range(0, len(rows), CHUNK):
            session.execute(insert(model), rows[i : i + CHUNK])
        added += len(rows)

    def column(attribute: Any) -> set[Any]:
        return set(session.execute(select(col(attribute))).scalars())

    def mapping(key: Any, value: Any, *where: Any) -> dict[Any, Any]:
        return {k: v for k, v in session.execute(select(col(key), col(value)).where(*where))}

    have = column(Jobcentre.municipality_code)
    bulk(Jobcentre, [r for r in plan.jobcentres if r["municipality_code"] not in have])
    centre_id = mapping(Jobcentre.municipality_code, Jobcentre.id)

    have = column(Employer.cvr)
    bulk(Employer, [r for r in plan.employers if r["cvr"] not in have])
    employer_id = mapping(Employer.cvr, Employer.id)

    have = column(User.email)
    bulk(
        User,
        [
            {
                **_strip(r),
                "jobcentre_id": centre_id.get(r["_jobcentre"]),
                "employer_id": employer_id.get(r["_employer"]),
            }
            for r in plan.users
            if r["email"] not in have
        ],
    )
    user_id = mapping(User.email, User.id, col(User.is_demo))

    have = column(JobseekerProfile.user_id)
    now = utcnow()
    bulk(
        JobseekerProfile,
        [
            {
                **_strip(p),
                "user_id": user_id[email],
                "jobcentre_id": centre_id.get(p["_jobcentre"]),
                "created_at": now,
                "updated_at": now,
            }
            for email, p in plan.profiles.items()
            if email in user_id and user_id[email] not in have
        ],
    )

    pairs = {
        (cw, js)
        for cw, js in session.execute(
            select(col(CaseworkerAssignment.caseworker_id), col(CaseworkerAssignment.jobseeker_id))
        ).tuples()
    }
    bulk(
        CaseworkerAssignment,
        [
            {
                "caseworker_id": user_id[cw],
                "jobseeker_id": user_id[js],
                "jobcentre_id": centre_id[centre],
                "created_at": now,
                "ended_at": None,
            }
            for cw, js, centre in plan.assignments
            if cw in user_id and js in user_id and (user_id[cw], user_id[js]) not in pairs
        ],
    )

    keys = {
        (source, source_id)
        for source, source_id in session.execute(
            select(col(JobPosting.source), col(JobPosting.source_id)).where(
                col(JobPosting.source).in_([SOURCE_PORTAL, SOURCE_JOBNET])
            )
        ).tuples()
    }
    bulk(
        JobPosting,
        [
            {**_strip(p), "employer_id": employer_id.get(p["_employer"])}
            for p in plan.postings
            if (p["source"], p["source_id"]) not in keys
        ],
    )
    return added


def counts(*, session: Session) -> dict[str, int]:
    """How much demo data the database holds, by kind."""

    def n(model: type, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    demo_users = select(col(User.id)).where(col(User.is_demo))
    per_role: dict[str, int] = {
        role: number
        for role, number in session.execute(
            select(col(User.role), func.count()).where(col(User.is_demo)).group_by(col(User.role))
        ).tuples()
    }
    return {
        "jobcentres": n(Jobcentre),
        "admins": per_role.get(Role.ADMIN, 0),
        "caseworkers": per_role.get(Role.CASEWORKER, 0),
        "employers": per_role.get(Role.EMPLOYER, 0),
        "jobseekers": per_role.get(Role.JOBSEEKER, 0),
        "profiles": n(JobseekerProfile, col(JobseekerProfile.user_id).in_(demo_users)),
        "assignments": n(
            CaseworkerAssignment, col(CaseworkerAssignment.jobseeker_id).in_(demo_users)
        ),
        "postings": n(JobPosting, col(JobPosting.source_id).like("demo-%")),
    }
