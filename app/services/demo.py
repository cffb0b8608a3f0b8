"""Deterministic Danish demo data: accounts, jobcentres, employers, CVs and job postings.

``seed()`` builds a plan in memory from a seed (``build_plan``, a pure function of its arguments)
and writes what the database does not already hold. Every generated thing has a stable key
(e-mail, CVR number, ``(source, source_id)``), so running it again with the same arguments adds
nothing, and raising a count adds only the new rows: each person, employer and posting gets its
own random stream (``Random(f"{seed}:posting:{n}")``), so posting 17 is the same whether 100 or
3,000 are made. Only the posting dates depend on the day the seed runs, so demo postings are
always current.

Content comes from ``recommender/data/occupations_da.json`` (Danish titles, skills with ESCO URIs,
tasks and personal qualities per ESCO occupation) and the templates in ``demo_text``. Places are
real postcodes from the ``postcode`` table (``flask reference load``), drawn by region population.
"""

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from app.config import PROJECT_ROOT
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
from app.services import demo_text as T

OCCUPATIONS_FILE = PROJECT_ROOT / "recommender" / "data" / "occupations_da.json"
DEMO_PASSWORD = "demo-jobunivers"
DEMO_DOMAIN = "demo.jobunivers.dk"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
SOURCE_PORTAL = "demo"
SOURCE_JOBNET = "jobnet"
# CVs are dated against a fixed year so their content never depends on the day of seeding.
CV_YEAR = 2026

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
EXPIRED_SHARE = 0.04
REMOTE_SHARE = 0.25  # of postings in sectors where working from home is possible
CHUNK = 1_000


class ReferenceDataMissing(RuntimeError):
    """The postcode table is empty: the demo needs real places."""


# --- Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A real postcode with its centroid and region."""

    code: str
    name: str
    latitude: float
    longitude: float
    region: str


@dataclass(frozen=True)
class Skill:
    """An ESCO skill with its English label and a Danish surface form (a noun phrase)."""

    uri: str
    label_en: str
    da: str


@dataclass
class Occupation:
    """An ESCO occupation with the Danish material the templates need."""

    uri: str
    isco: str
    title: str
    alt_titles: list[str]
    industry: str
    sector: str
    education: str
    skills: list[Skill]
    tasks: list[str]
    personal: list[str]
    unskilled: bool


@dataclass
class Vocabulary:
    """The occupation file: occupations, transversal skills and personal traits."""

    occupations: list[Occupation]
    transversal: list[Skill]
    traits: list[str] = field(default_factory=list)


def _skill(raw: dict[str, Any]) -> Skill | None:
    forms = [str(f).strip() for f in raw.get("da") or [] if str(f).strip()]
    if not forms:
        return None
    return Skill(
        uri=str(raw.get("esco_uri") or ""),
        label_en=str(raw.get("label_en") or forms[0]),
        da=forms[0],
    )


def load_vocabulary(path: Path = OCCUPATIONS_FILE) -> Vocabulary:
    """Read ``occupations_da.json`` (see ``recommender/data/README.md`` for its fields)."""
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    occupations: list[Occupation] = []
    for raw in data.get("occupations", []):
        title = str(raw.get("title_da") or "").strip()
        skills = [s for s in map(_skill, raw.get("skills") or []) if s]
        if not (raw.get("esco_uri") and title and skills):
            continue
        industry = str(raw.get("industry_da") or "").strip()
        occupations.append(
            Occupation(
                uri=str(raw["esco_uri"]),
                isco=str(raw.get("isco_code") or "")[:4],
                title=title,
                alt_titles=[
                    str(t).strip() for t in raw.get("alt_titles_da") or [] if str(t).strip()
                ],
                industry=industry,
                sector=sector_of(industry, title),
                education=str(raw.get("education_da") or "").strip(),
                skills=skills,
                tasks=[str(t).strip() for t in raw.get("tasks_da") or [] if str(t).strip()],
                personal=[str(t).strip() for t in raw.get("personal_da") or [] if str(t).strip()],
                unskilled=bool(raw.get("no_qualifications_required")),
            )
        )
    transversal = [s for s in map(_skill, data.get("transversal_da") or []) if s]
    traits = [s.da for s in transversal if s.da.endswith(T.TRAIT_ENDINGS)]
    return Vocabulary(
        occupations=occupations,
        transversal=[s for s in transversal if s.da not in traits],
        traits=traits,
    )


def sector_of(industry: str, title: str = "") -> str:
    """The template sector of an occupation: a title keyword, else its industry, else "other"."""
    lowered = title.lower()
    for key, sector in T.TITLE_SECTOR:
        if key in lowered:
            return sector
    return T.INDUSTRY_SECTOR.get(industry, "other")


# --- The plan ----------------------------------------------------------------------------------


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


class _Geography:
    """Postcodes grouped by region and town, drawn by population."""

    def __init__(self, places: Sequence[Place]) -> None:
        towns: dict[str, dict[str, list[Place]]] = defaultdict(lambda: defaultdict(list))
        for p in sorted(places, key=lambda p: p.code):
            towns[p.region][p.name].append(p)
        self.towns = towns
        self.regions = [r for r in T.REGION_POPULATION if r in towns]
        if not self.regions:
            raise ValueError("no postcodes in the five Danish regions")
        self.region_weights = [T.REGION_POPULATION[r] for r in self.regions]
        self.town_names = {r: sorted(towns[r]) for r in self.regions}
        self.town_weights = {r: [_town_weight(t) for t in self.town_names[r]] for r in self.regions}
        self.seats = {
            r: [
                (t, w)
                for t, w in zip(self.town_names[r], self.town_weights[r], strict=True)
                if _municipality(t)
            ]
            for r in self.regions
        }

    def place(
        self,
        rng: random.Random,
        region: str | None = None,
        town: str | None = None,
        *,
        seat: bool = False,
    ) -> Place:
        """A postcode in ``region`` (else one drawn by population), in ``town`` if given.

        ``seat``: only towns whose municipality is known, for public employers.
        """
        if region not in self.towns:
            region = rng.choices(self.regions, self.region_weights)[0]
        names, weights = self.town_names[region], self.town_weights[region]
        if seat and self.seats[region]:
            names, weights = [t for t, _ in self.seats[region]], [w for _, w in self.seats[region]]
        matching = [t for t in names if town and t.startswith(town)]
        name = rng.choice(matching) if matching else rng.choices(names, weights)[0]
        return rng.choice(self.towns[region][name])


def _town_weight(name: str) -> float:
    for town, weight in T.TOWN_WEIGHTS.items():
        if name.startswith(town):
            return float(weight)
    return T.DEFAULT_TOWN_WEIGHT


def _town(place: Place) -> str:
    """A town name for prose: "Odense C" and "København NV" read as "Odense" and "København"."""
    for town in ("København", "Frederiksberg", "Odense", "Aarhus", "Aalborg", "Esbjerg", "Randers"):
        if place.name.startswith(town):
            return town
    return place.name


def _municipality(town: str) -> str | None:
    for prefix, municipality in T.MUNICIPALITY_OF_TOWN.items():
        if town.startswith(prefix):
            return municipality
    return None


def _lower_first(text: str) -> str:
    # Abbreviations keep their capitals: "IT-supporter", "CNC-operatør", "HR-konsulent".
    if len(text) > 1 and (text[1].isupper() or text[1] == "-"):
        return text
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _name(rng: random.Random) -> tuple[str, str | None]:
    """A full name and, for names of non-Danish origin, the likely mother tongue."""
    group = rng.choices(T.NAME_GROUPS, [g[1] for g in T.NAME_GROUPS])[0]
    _, _, female, male, surnames, tongue = group
    given = female if rng.random() < 0.5 else male
    first, last = rng.choice(given), rng.choice(surnames)
    if tongue is None:
        roll = rng.random()
        if roll < 0.15:
            first = f"{first} {rng.choice([g for g in given if g != first])}"
        elif roll < 0.3:
            last = f"{rng.choice([s for s in surnames if s != last])} {last}"
    return f"{first} {last}", tongue


def _organisation(
    rng: random.Random,
    sector: str,
    geo: _Geography,
    region: str | None = None,
    town: str | None = None,
) -> tuple[str, bool, Place]:
    """A fictional employer of a sector: its name, whether it is public, and where it is."""
    spec = T.SECTORS.get(sector) or T.SECTORS["other"]
    public = bool(spec["public"]) and rng.random() < spec["public_share"]
    place = geo.place(rng, region, town, seat=public)
    municipality = _municipality(place.name) or _town(place)
    surnames = T.NAME_GROUPS[0][4]
    name = rng.choice(spec["public"] if public else spec["names"]).format(
        region=rng.choice(T.REGION_ADJECTIVES[place.region]),
        region_name=place.region,
        surname=rng.choice(surnames),
        surname2=rng.choice(surnames),
        fancy=rng.choice(T.FANCY_WORDS),
        town=_town(place),
        municipality=municipality,
        kommune=T.MUNICIPALITY_NAMES.get(municipality, f"{municipality} Kommune"),
        hospital=rng.choice(T.HOSPITALS[place.region]),
        police=rng.choice(T.POLICE[place.region]),
        garrison=rng.choice(T.GARRISONS[place.region]),
        airport=T.AIRPORTS[place.region],
        form=rng.choice(T.COMPANY_FORMS),
    )
    return name[:160], public, place


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
    geo = _Geography(places)
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
            name, _ = _name(random.Random(f"{seed}:caseworker:{code}:{n}"))
            add_user(email, Role.CASEWORKER, name, jobcentre=code)
            caseworkers[code].append(email)

    # Employer organisations on the portal, one employer account each.
    by_sector: dict[str, list[dict[str, Any]]] = defaultdict(list)
    used_cvr: set[str] = set()
    for n in range(1, employers + 1):
        rng = random.Random(f"{seed}:employer:{n}")
        occ = dealt(n)
        name, public, place = _organisation(rng, occ.sector, geo, *first_place(n))
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
        add_user(f"arbejdsgiver{n}@{DEMO_DOMAIN}", Role.EMPLOYER, _name(rng)[0], employer=cvr)

    # Jobseekers with profiles; about half of those in Odense and København have a caseworker.
    for n in range(1, jobseekers + 1):
        rng = random.Random(f"{seed}:jobseeker:{n}")
        place = geo.place(rng, *first_place(n))
        name, tongue = _name(rng)
        email = f"jobsoeger{n}@{DEMO_DOMAIN}"
        centre = centre_of_region.get(place.region)
        add_user(email, Role.JOBSEEKER, name)
        plan.profiles[email] = _profile(rng, dealt(n), vocabulary, place, geo, tongue, centre)
        if centre in ("461", "101") and (n <= 2 or rng.random() < ASSIGNED_SHARE):
            plan.assignments.append((rng.choice(caseworkers[centre]), email, centre))

    # Job postings: on the portal, imported from Jobnet, and a few jobs posted on both.
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
                    "description": f"{original['description']}\n\n{T.JOBNET_FOOTER}",
                    "_employer": None,
                }
            )
            continue
        occ = dealt(n)
        candidates = by_sector.get(occ.sector, [])
        external = not candidates or rng.random() < JOBNET_SHARE
        employer_cvr: str | None = None
        if external:
            org, public, place = _organisation(rng, occ.sector, geo, first_place(n)[0])
        else:
            employer = rng.choice(candidates)
            org, public = employer["name"], employer["public"]
            employer_cvr = employer["cvr"]
            home: Place = employer["place"]
            # Private employers sometimes post for another site in their region; a public
            # employer stays in its municipality.
            place = home if public or rng.random() < 0.8 else geo.place(rng, home.region)
        row = _posting(rng, occ, place, org, public, today)
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


# --- CVs ---------------------------------------------------------------------------------------


def _split_outside_brackets(text: str, separator: str) -> list[str]:
    parts, depth, current, i = [], 0, "", 0
    while i < len(text):
        char = text[i]
        depth += (char == "(") - (char == ")")
        if depth == 0 and text.startswith(separator, i):
            parts.append(current.strip())
            current, i = "", i + len(separator)
            continue
        current += char
        i += 1
    parts.append(current.strip())
    return parts


def education_title(occ: Occupation) -> str | None:
    """The degree a CV names for an occupation, or None where no education is required.

    The occupation file describes requirements ("Erhvervsuddannelse som tjener eller kok, gerne
    med en lederuddannelse"); a CV names one degree, so take the first alternative.
    """
    if occ.title in T.EDUCATION_CV:
        return T.EDUCATION_CV[occ.title]
    text = occ.education.split(";")[0]
    if not text or text.lower().startswith("ingen"):
        return None
    for tail in (
        ", gerne",
        ", ofte",
        " og erfaring",
        ", evt.",
        " samt erfaring",
        " efterfulgt af",
        " og autorisation",
        ", autorisation",
        " og europæisk",
        " og sikkerhedskursus",
        " og grundlæggende",
        " og certifikat",
        " og kvalifikationsbevis",
        " og godkendelse",
        " foretrækkes",
    ):
        text = text.split(tail)[0]
    first = _split_outside_brackets(_split_outside_brackets(text, " eller ")[0], ", ")[0]
    return _upper_first(first.rstrip("."))


def _institution(rng: random.Random, title: str) -> str:
    lowered = title.lower()
    for keys, names in T.INSTITUTIONS:
        if any(k in lowered for k in keys):
            return rng.choice(names)
    return rng.choice(T.INSTITUTIONS[-1][1])


_FIRST_PERSON = {
    "Du": "Jeg",
    "du": "jeg",
    "dig": "mig",
    "din": "min",
    "dit": "mit",
    "dine": "mine",
    "Din": "Min",
    "Dit": "Mit",
    "Dine": "Mine",
}


def first_person(sentence: str) -> str:
    """Turn a task of the occupation file ("Du passer dine borgere") into the first person."""
    return " ".join(_FIRST_PERSON.get(word, word) for word in sentence.split(" "))


def _profile(
    rng: random.Random,
    occ: Occupation,
    vocabulary: Vocabulary,
    place: Place,
    geo: _Geography,
    tongue: str | None,
    centre: str | None,
) -> dict[str, Any]:
    """A jobseeker profile with a first-person Danish CV written from templates."""
    occs = vocabulary.occupations
    same_sector = [o for o in occs if o.sector == occ.sector and o.uri != occ.uri]
    # A career change goes to another sector at the same skill level (ISCO major group), which
    # is where the recommender's alternative jobs are most useful.
    other_sector = [o for o in occs if o.sector != occ.sector and o.isco[:1] == occ.isco[:1]] or [
        o for o in occs if o.sector != occ.sector and o.unskilled == occ.unskilled
    ]
    career_change = bool(other_sector) and rng.random() < 0.2
    wish = rng.choice(other_sector) if career_change else occ

    # Experience, newest first, ending at most two years before the reference year.
    jobs = [occ] + [
        rng.choice(same_sector) if same_sector and rng.random() < 0.4 else occ
        for _ in range(rng.choice([0, 1, 1, 2, 2]))
    ]
    year, month = CV_YEAR - rng.choice([0, 0, 1, 1, 2]), rng.randint(1, 9)
    end_year = year
    experience: list[dict[str, Any]] = []
    for job in jobs:
        start_year, start_month = year - rng.randint(1, 8), rng.randint(1, 12)
        title = (
            job.title
            if rng.random() < 0.7 or not job.alt_titles
            else _upper_first(rng.choice(job.alt_titles))
        )
        employer, _, _ = _organisation(rng, job.sector, geo, place.region)
        tasks = rng.sample(job.tasks, min(len(job.tasks), 2))
        experience.append(
            {
                "title": title,
                "employer": employer,
                "start": f"{start_year}-{start_month:02d}",
                "end": f"{year}-{month:02d}",
                "description": " ".join(first_person(t) for t in tasks),
            }
        )
        year, month = start_year - rng.choice([0, 0, 1]), rng.randint(1, 12)
    first_year = int(experience[-1]["start"][:4])
    years = max(1, end_year - first_year)

    # Education: the occupation's degree (unskilled people often have none), then school.
    education: list[dict[str, Any]] = []
    degree = education_title(occ)
    if degree and not (occ.unskilled and rng.random() < 0.6):
        education.append(
            {
                "title": degree,
                "institution": _institution(rng, degree),
                "year": first_year - rng.randint(0, 2),
            }
        )
    school, institution = rng.choice(T.SCHOOL_LEAVING)
    education.append(
        {
            "title": school,
            # Upper-secondary schools (VUC, gymnasium) are in the larger towns.
            "institution": institution.format(town=_town(geo.place(rng, place.region, seat=True))),
            "year": first_year - rng.randint(3, 8),
        }
    )

    # Skills: most from the main occupation, a couple from earlier jobs and transversal ones.
    picked: dict[str, Skill] = {}
    for sk in rng.sample(occ.skills, min(len(occ.skills), rng.randint(5, 9))):
        picked[sk.uri or sk.da] = sk
    for job in jobs[1:]:
        for sk in rng.sample(job.skills, min(len(job.skills), 2)):
            picked.setdefault(sk.uri or sk.da, sk)
    for sk in rng.sample(vocabulary.transversal, min(len(vocabulary.transversal), 2)):
        picked.setdefault(sk.uri or sk.da, sk)

    wished = [wish]
    if not career_change and same_sector and rng.random() < 0.5:
        wished.append(rng.choice(same_sector))
    personal = rng.sample(occ.personal or T.PERSONAL_FALLBACK, 2)

    # The CV text, first person, in the usual Danish sections.
    has_degree = any(e["title"] == degree for e in education)
    opening = rng.choice(
        T.UNSKILLED_OPENINGS if occ.unskilled and not has_degree else T.PROFILE_OPENINGS
    )
    text = opening.format(
        title_lower=_lower_first(occ.title),
        years=years,
        n_jobs=len(experience),
        personal=rng.choice(T.PERSONAL_FALLBACK),
    )
    if career_change:
        text += " " + rng.choice(T.CAREER_CHANGE).format(wish_lower=_lower_first(wish.title))
    else:
        text += " " + rng.choice(T.PROFILE_CLOSINGS)
    lines = ["Profil", text, "", "Erhvervserfaring"]
    for item in experience:
        period = f"{item['start'][:4]}–{item['end'][:4]}"
        lines.append(f"{item['title']}, {item['employer']} ({period})")
        lines.append(item["description"])
    lines += ["", "Uddannelse"]
    lines += [f"{e['title']}, {e['institution']} ({e['year']})" for e in education]
    lines += ["", "Faglige kompetencer"]
    lines += [f"- {sk.da}" for sk in picked.values()]
    lines += ["", "Personlige kompetencer"]
    lines.append(rng.choice(T.PERSONAL_LINES).format(p1=personal[0], p2=personal[1]))
    leisure = rng.choice(T.LEISURE)
    if leisure:
        lines.append(leisure)
    lines += ["", "Sprog"]
    english = rng.choice(T.ENGLISH_LEVELS)
    if tongue:
        danish = rng.choice(T.LANGUAGE_LEVELS_DANISH)
        lines.append(f"{_upper_first(tongue)} (modersmål), dansk ({danish}), engelsk ({english})")
    else:
        lines.append(f"Dansk (modersmål), engelsk ({english})")
    if rng.random() < 0.75:
        lines += ["", "Kørekort", "B-kørekort"]

    accessibility = rng.choice(T.ACCESSIBILITY) if rng.random() < 0.08 else ""
    hours = 20 if "fleksjob" in accessibility else rng.choice([37, 37, 37, 37, 32, 30, 25])
    return {
        "cv_text": "\n".join(lines),
        "experience": experience,
        "education": education,
        "skills": [{"label": sk.da, "esco_uri": sk.uri} for sk in picked.values()],
        "wished_occupations": [
            {"title": o.title, "esco_uri": o.uri, "isco_code": o.isco} for o in wished
        ],
        "wished_industries": list(dict.fromkeys(o.industry for o in wished if o.industry)),
        "hours_per_week": hours,
        "commute_km": rng.randrange(10, 61, 5),
        "accessibility_needs": accessibility,
        "home_postcode": place.code,
        "_jobcentre": centre,
    }


# --- Postings ----------------------------------------------------------------------------------


def _posting(
    rng: random.Random,
    occ: Occupation,
    place: Place,
    org: str,
    public: bool,
    today: date,
) -> dict[str, Any]:
    """A Danish job ad (schema.org JobPosting fields) for one occupation at one place."""
    spec = T.SECTORS.get(occ.sector) or T.SECTORS["other"]
    kind = rng.choice(spec.get("public_kind", spec["kind"]) if public else spec["kind"])
    town = _town(place)
    roll = rng.random()
    if roll < 0.7:
        employment, hours = "FULL_TIME", 37
    elif roll < 0.95:
        employment, hours = "PART_TIME", rng.choice([15, 20, 25, 28, 30, 32])
    else:
        employment, hours = "TEMPORARY", rng.choice([30, 37, 37])
    base = (
        occ.title
        if rng.random() < 0.6 or not occ.alt_titles
        else _upper_first(rng.choice(occ.alt_titles))
    )
    pattern = rng.choice(T.TITLE_PATTERNS)
    if "vikariat" in pattern:
        employment = "TEMPORARY"
    title = pattern.format(
        title=base, title_lower=_lower_first(base), kind=kind, town=town, hours=hours
    )

    fmt = {
        "title_lower": _lower_first(occ.title),
        "firma": org,
        "town": town,
        "kind": kind,
        "a_kind": f"{'et' if kind.endswith(T.NEUTER_ENDINGS) else 'en'} {kind}",
        "staff": rng.choice([8, 12, 15, 25, 40, 60, 120, 250, 600]),
        "founded": rng.randint(1952, 2018),
    }
    paragraphs = [
        rng.choice(T.HOOKS).format(**fmt),
        rng.choice(T.ABOUT).format(**fmt, does=rng.choice(spec["does"])),
    ]
    tasks = rng.sample(occ.tasks, min(len(occ.tasks), rng.randint(3, 5)))
    if tasks:
        heading = rng.choice(T.TASKS_INTROS)
        if rng.random() < 0.5:
            paragraphs.append(heading + "\n" + " ".join(tasks))
        else:
            paragraphs.append(heading + "\n" + "\n".join(f"- {t.rstrip('.')}" for t in tasks))

    skills = rng.sample(occ.skills, min(len(occ.skills), rng.randint(4, 7)))
    expect: list[str] = []
    degree = occ.education.split(";")[0].strip().rstrip(".")
    if not occ.unskilled and degree and not degree.lower().startswith("ingen"):
        expect.append(T.QUALIFICATION_LINE.format(education=_lower_first(degree)))
    expect += [rng.choice(T.SKILL_LEADS).format(skill=sk.da) for sk in skills]
    paragraphs.append(T.EXPECT_INTRO + "\n" + "\n".join(f"- {e}" for e in expect))
    if occ.unskilled:
        paragraphs.append(rng.choice(T.NO_QUALIFICATION_LINES))
    traits = list(dict.fromkeys(occ.personal + rng.sample(T.PERSONAL_FALLBACK, 3)))
    p1, p2, p3 = rng.sample(traits, 3)
    paragraphs.append(rng.choice(T.PERSONAL_INTRO).format(p1=p1, p2=p2, p3=p3))

    sector_offers = T.SECTOR_OFFERS.get(occ.sector, [])
    offers = rng.sample(T.OFFERS, 3) + rng.sample(sector_offers, min(1, len(sector_offers)))
    paragraphs.append("Vi tilbyder\n" + "\n".join(f"- {o}" for o in offers))
    remote = occ.sector in T.REMOTE_SECTORS and rng.random() < REMOTE_SHARE
    terms = rng.choice(T.TERMS).format(
        hours=hours,
        start=rng.choice(T.STARTS),
        permanence="midlertidig" if employment == "TEMPORARY" else "fast",
    )
    terms += " " + (T.PUBLIC_PAY if public else rng.choice(T.PAY))
    if remote:
        terms += " " + rng.choice(T.REMOTE_LINES)
    paragraphs.append("Løn og vilkår\n" + terms)
    contact, _ = _name(rng)
    apply = (
        rng.choice(T.APPLY)
        + " "
        + rng.choice(T.CONTACT).format(contact=contact, role=rng.choice(T.CONTACT_ROLES))
    )
    if occ.sector in T.CHILD_SECTORS:
        apply += " " + T.CHILD_CERTIFICATE
    paragraphs.append("Ansøgning\n" + apply)
    if public:
        paragraphs.append(T.PUBLIC_DIVERSITY)

    if rng.random() < EXPIRED_SHARE:
        posted = today - timedelta(days=rng.randint(20, 29))
        valid = today - timedelta(days=rng.randint(1, 7))
    else:
        posted = today - timedelta(days=rng.randint(0, 29))
        valid = today + timedelta(days=rng.randint(14, 56))
    return {
        "title": title[:200],
        "description": "\n\n".join(paragraphs),
        "hiring_organization": org,
        "postcode": place.code,
        "city": place.name,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "remote": remote,
        "occupation_uri": occ.uri,
        "isco_code": occ.isco or None,
        "industry": occ.industry[:120] or None,
        "skills": [sk.label_en for sk in skills],
        "employment_type": employment,
        "hours_per_week": hours,
        "date_posted": posted,
        "valid_through": valid,
    }


# --- Writing -----------------------------------------------------------------------------------


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
    from app.services.auth import hash_password

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
