"""Synthetic, pseudonymous history of employment interventions for the demo.

Deterministic by seed and idempotent (nothing is added when cases exist). The effects are
invented but plausible and differ by group, so the advice has something to show: internships
help people without education most, upskilling helps people over 50, a mentor helps people of
non-western origin. Allocation is deliberately unequal (fewer wage subsidies for non-western
origin, fewer internships for 50+) so that the bias audit has something to flag.
"""

import hashlib
import math
import random
from datetime import date, timedelta

from sqlmodel import Session, func, select

from app.models import InterventionCase
from app.services.interventions import INTERVENTIONS

REGIONS = ("Hovedstaden", "Sjælland", "Syddanmark", "Midtjylland", "Nordjylland")
ISCO_MAJORS = tuple("123456789")
ISCO_WEIGHTS = (3, 8, 9, 9, 14, 3, 12, 9, 14)
EDUCATION = ("none", "vocational", "short", "bachelor", "master")
EDUCATION_WEIGHTS = (30, 35, 10, 15, 10)
AGE_BANDS = ("18-29", "30-49", "50+")
AGE_WEIGHTS = (30, 42, 28)
GENDERS = ("f", "m", "x")
GENDER_WEIGHTS = (48, 50, 2)
ORIGINS = ("danish", "western", "non_western")
ORIGIN_WEIGHTS = (75, 8, 17)
ALLOCATION = {  # base weights before the planted disparities
    "internship": 20,
    "wage_subsidy": 15,
    "upskilling": 15,
    "mentor": 10,
    "job_search_course": 20,
    "none": 20,
}
BASE_MEDIAN_DAYS = 150.0
HORIZON_DAYS = 365
FIRST_START = date(2023, 1, 1)


def _allocation(rng: random.Random, age: str, origin: str) -> str:
    weights = dict(ALLOCATION)
    if origin == "non_western":
        weights["wage_subsidy"] = 3
        weights["mentor"] = 18
    if age == "50+":
        weights["internship"] = 6
        weights["upskilling"] = 24
    if age == "18-29":
        weights["internship"] = 30
    return rng.choices(INTERVENTIONS, weights=[weights[i] for i in INTERVENTIONS])[0]


def _speed(intervention: str, education: str, age: str, origin: str) -> float:
    """Multiplier on the hazard of finding a job (> 1 is faster)."""
    speed = {"none": 0.8, "vocational": 1.1, "short": 1.1, "bachelor": 1.2, "master": 1.2}[
        education
    ]
    speed *= {"18-29": 1.2, "30-49": 1.0, "50+": 0.65}[age]
    speed *= {"danish": 1.0, "western": 0.95, "non_western": 0.75}[origin]
    effect = {
        "internship": 1.5 if education == "none" else 1.1,
        "wage_subsidy": 1.35,
        "upskilling": 1.6 if age == "50+" else 1.05,
        "mentor": 1.5 if origin == "non_western" else 1.0,
        "job_search_course": 1.1,
        "none": 1.0,
    }[intervention]
    return speed * effect


def make_case(rng: random.Random, seed: int, index: int) -> InterventionCase:
    """One synthetic case; the pseudonym is a hash, so it links to nobody."""
    education = rng.choices(EDUCATION, weights=EDUCATION_WEIGHTS)[0]
    age = rng.choices(AGE_BANDS, weights=AGE_WEIGHTS)[0]
    origin = rng.choices(ORIGINS, weights=ORIGIN_WEIGHTS)[0]
    intervention = _allocation(rng, age, origin)
    # Exponential time to job: median BASE_MEDIAN_DAYS / speed; censored at the horizon.
    rate = math.log(2) / BASE_MEDIAN_DAYS * _speed(intervention, education, age, origin)
    days = round(rng.expovariate(rate))
    return InterventionCase(
        pseudonym=hashlib.sha256(f"demo-intervention-{seed}-{index}".encode()).hexdigest()[:32],
        intervention=intervention,
        isco_major=rng.choices(ISCO_MAJORS, weights=ISCO_WEIGHTS)[0],
        education_level=education,
        age_band=age,
        gender=rng.choices(GENDERS, weights=GENDER_WEIGHTS)[0],
        region=rng.choice(REGIONS),
        origin=origin,
        days_to_job=days if days <= HORIZON_DAYS else None,
        started_on=FIRST_START + timedelta(days=rng.randrange(730)),
    )


def seed_cases(*, session: Session, seed: int = 42, n: int = 4000) -> int:
    """Add ``n`` synthetic cases unless any exist; returns the number added."""
    if session.exec(select(func.count()).select_from(InterventionCase)).one():
        return 0
    rng = random.Random(f"{seed}-interventions")
    session.add_all(make_case(rng, seed, index) for index in range(n))
    session.commit()
    return n
