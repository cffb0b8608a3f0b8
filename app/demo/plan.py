"""The demo data set as plain rows: a pure function of its arguments, deterministic by seed.

Every generated thing has a stable key (e-mail, CVR number, ``(source, source_id)``), and each
person, employer and posting gets its own random stream (``Random(f"{seed}:posting:{n}")``), so
posting 17 is the same whether 100 or 3,000 are made and raising a count only adds rows. Only
the posting dates depend on ``today``. Places are real postcodes (``places``); CVs and job ads
are written by ``cv`` and ``job_ads``; ``write`` puts the plan into the database.
"""

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from app.demo import data
from app.demo.cv import profile
from app.demo.data import Occupation, Vocabulary
from app.demo.job_ads import job_ad
from app.demo.names import organisation, person_name
from app.demo.places import Geography, Place
from app.models import Role, utcnow

DEMO_DOMAIN = "demo.jobunivers.dk"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
SOURCE_PORTAL = "demo"
SOURCE_JOBNET = "jobnet"

# (municipality code, municipality, region served in the demo, e-mail subdomain, caseworkers).
# The demo has one jobcentre per region; a jobseeker belongs to the one of their home region.
JOBCENTRES = [
    ("461", "Odense", "Syddanmark", "odense", 4),
    ("101", "København", "Hovedstaden", "kk", 4),
    ("751", "Aarhus", "Midtjylland", "aarhus", 2),
    ("851", "Aalborg", "Nordjylland", "aalborg", 2),
    ("265", "Roskilde", "Sjælland", "roskilde", 2),
]
# The first few people and postings are placed by hand, so small demo sets (and the demo
# logins at the top of the list) cover every region, with jobseeker 1 in Odense and 2 in
# København, both followed by a caseworker.
FIRST_PLACES = [
    ("Syddanmark", "Odense"),
    ("Hovedstaden", "København"),
    ("Midtjylland", "Aarhus"),
    ("Nordjylland", "Aalborg"),
    ("Sjælland", "Roskilde"),
]
ASSIGNED_SHARE = 0.5  # of the jobseekers of the Odense and København jobcentres
JOBNET_SHARE = 0.27  # postings from external employers, imported from Jobnet
DUPLICATE_SHARE = 0.03  # postings that repeat a portal posting as a Jobnet import


@dataclass
class Plan:
    """Everything the demo consists of, as plain rows keyed by stable identifiers.

    Keys starting with "_" are references resolved to ids when written: "_jobcentre" is a
    municipality code, "_employer" a CVR number.
    """

    jobcentres: list[dict[str, Any]] = field(default_factory=list)
    employers: list[dict[str, Any]] = field(default_factory=list)
    users: list[dict[str, Any]] = field(default_factory=list)
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # by e-mail
    assignments: list[tuple[str, str, str]] = field(default_factory=list)  # cw, js, centre
    postings: list[dict[str, Any]] = field(default_factory=list)


def build_plan(
    *,
    seed: int,
    jobseekers: int,
    postings: int,
    employers: int,
    places: Sequence[Place],
    vocabulary: Vocabulary,
    today: date,
    password_hash: str,
) -> Plan:
    """The whole demo data set as rows; the same arguments give the same rows."""
    occs = vocabulary.occupations
    if not occs:
        raise ValueError("the occupation file holds no usable occupations")
    geo = Geography(places)
    plan = Plan()
    now = utcnow()
    # Occupations are dealt from a seeded deck, so any N postings or CVs cover min(N, all).
    deck = list(range(len(occs)))
    random.Random(f"{seed}:deck").shuffle(deck)

    def dealt(n: int) -> Occupation:
        return occs[deck[(n - 1) % len(occs)]]

    def first_place(n: int) -> tuple[str | None, str | None]:
        return FIRST_PLACES[n - 1] if n <= len(FIRST_PLACES) else (None, None)

    def add_user(email: str, role: str, name: str, **refs: Any) -> None:
        plan.users.append(
            {
                "email": email,
                "role": str(role),
                "name": name,
                "locale": None,
                "password_hash": password_hash,
                "oidc_issuer": None,
                "oidc_subject": None,
                "is_active": True,
                "is_demo": True,
                "created_at": now,
                "last_login_at": None,
                "_jobcentre": refs.get("jobcentre"),
                "_employer": refs.get("employer"),
            }
        )

    add_user(ADMIN_EMAIL, Role.ADMIN, "Demo Administrator")

    # Jobcentres and their caseworkers.
    centre_of_region: dict[str, str] = {}
    caseworkers: dict[str, list[str]] = {}
    for code, municipality, region, sub, count in JOBCENTRES:
        plan.jobcentres.append(
            {
                "name": f"Jobcenter {municipality}",
                "municipality_code": code,
                "municipality": municipality,
            }
        )
        centre_of_region[region] = code
        caseworkers[code] = []
        for n in range(1, count + 1):
            email = f"sagsbehandler{n}@{sub}.{DEMO_DOMAIN}"
            name, _ = person_name(random.Random(f"{seed}:caseworker:{code}:{n}"))
            add_user(email, Role.CASEWORKER, name, jobcentre=code)
            caseworkers[code].append(email)

    # Employer organisations on the portal, one employer account each.
    by_sector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    used_cvr: set[str] = set()
    for n in range(1, employers + 1):
        rng = random.Random(f"{seed}:employer:{n}")
        occ = dealt(n)
        name, public, place = organisation(rng, occ.sector, geo, *first_place(n))
        cvr = str(rng.randint(10_000_000, 99_999_999))
        while cvr in used_cvr:
            cvr = str(int(cvr) % 89_999_999 + 10_000_001)
        used_cvr.add(cvr)
        plan.employers.append(
            {
                "name": name,
                "cvr": cvr,
                "industry": occ.industry[:120] or None,
                "postcode": place.code,
                "website": None,
                "created_at": now,
            }
        )
        by_sector[occ.sector].append({"name": name, "cvr": cvr, "public": public, "place": place})
        add_user(f"arbejdsgiver{n}@{DEMO_DOMAIN}", Role.EMPLOYER, person_name(rng)[0], employer=cvr)

    # Jobseekers with profiles; about half of those in Odense and København have a caseworker.
    for n in range(1, jobseekers + 1):
        rng = random.Random(f"{seed}:jobseeker:{n}")
        place = geo.place(rng, *first_place(n))
        name, tongue = person_name(rng)
        email = f"jobsoeger{n}@{DEMO_DOMAIN}"
        centre = centre_of_region.get(place.region)
        add_user(email, Role.JOBSEEKER, name)
        plan.profiles[email] = profile(rng, dealt(n), vocabulary, place, geo, tongue, centre)
        if centre in ("461", "101") and (n <= 2 or rng.random() < ASSIGNED_SHARE):
            plan.assignments.append((rng.choice(caseworkers[centre]), email, centre))

    # Job postings: on the portal, imported from Jobnet, and a few jobs posted on both.
    footer = data.texts("postings")["jobnet_footer"]
    portal: list[dict[str, Any]] = []
    for n in range(1, postings + 1):
        rng = random.Random(f"{seed}:posting:{n}")
        if portal and rng.random() < DUPLICATE_SHARE:
            original = rng.choice(portal)
            plan.postings.append(
                {
                    **original,
                    "source": SOURCE_JOBNET,
                    "source_id": f"demo-jn-{n:06d}",
                    "description": f"{original['description']}\n\n{footer}",
                    "_employer": None,
                }
            )
            continue
        occ = dealt(n)
        candidates = by_sector.get(occ.sector, [])
        external = not candidates or rng.random() < JOBNET_SHARE
        employer_cvr: str | None = None
        if external:
            org, public, place = organisation(rng, occ.sector, geo, first_place(n)[0])
        else:
            employer = rng.choice(candidates)
            org, public = employer["name"], employer["public"]
            employer_cvr = employer["cvr"]
            home: Place = employer["place"]
            # Private employers sometimes post for another site in their region; a public
            # employer stays in its municipality.
            place = home if public or rng.random() < 0.8 else geo.place(rng, home.region)
        row = job_ad(rng, occ, place, org, public, today)
        row.update(
            source=SOURCE_JOBNET if external else SOURCE_PORTAL,
            source_id=f"demo-jn-{n:06d}" if external else f"demo-{n:06d}",
            created_at=now,
            updated_at=now,
            _employer=employer_cvr,
        )
        plan.postings.append(row)
        if not external:
            portal.append(row)
    return plan
