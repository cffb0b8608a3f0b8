"""Build the committed Danish evaluation set for the recommender.

The set is generated from ESCO v1.1.1 (occupations, their skills and ISCO groups) and a hand-written
Danish lexicon (``eval/source/occupations_da.txt``), plus hand-written CVs and judgements. It is
deliberately independent of the recommender's own lexicon and code, so that it measures the
recommender rather than echoing it.

Outputs (all in ``--out``, default ``eval/``):

* ``postings.jsonl``  schema.org JobPosting objects, one per line.
* ``profiles.jsonl``  JSON Resume objects with an ``id`` (generated ones, then hand-written ones).
* ``qrels.trec``      TREC qrels ``qid 0 docid grade`` (grades 1-3; 0 is implicit).
* ``profiles_truth.jsonl``  each profile's own occupation (ESCO URI, label, ISCO code), hidden
  from the ranker; the evaluation splits tuning and test halves by it.
* ``postings_truth.jsonl``  each posting's true occupation (also for the half without
  ``occupationalCategory``); the free-text grader (``scripts/build_freetext_qrels.py``) reads it.
* ``handwritten_judgements.md``  why each hand-written CV got the grades it got.

The build is deterministic: a fixed seed, fixed iteration order and no clock, so running it twice
gives byte-identical files. Run::

    .venv/bin/python scripts/build_eval_set.py            # rewrites eval/
    .venv/bin/python scripts/build_eval_set.py --out /tmp/x
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
import re
import statistics
import zipfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from recommender.io import write_jsonl

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "eval"
ESCO_DIR = ROOT / "data" / "esco-v1.1.1"
LEXICON = EVAL_DIR / "source" / "occupations_da.txt"
HANDWRITTEN_PROFILES = EVAL_DIR / "handwritten_profiles.jsonl"
HANDWRITTEN_JUDGEMENTS = EVAL_DIR / "handwritten_judgements.json"

SEED = 20250106
POSTINGS_PER_OCCUPATION = 28
# Jobs cluster in towns: this share of postings is placed within HUB_RADIUS_KM of a town below
# (weighted roughly by size), the rest anywhere, with the five regions equally likely.
HUB_SHARE = 0.6
HUB_RADIUS_KM = 20.0
HUBS = {
    "2100": 14, "8000": 6, "5000": 4, "9000": 4, "6700": 2, "7100": 2, "6000": 2, "8700": 2,
    "8900": 2, "7400": 2, "8600": 1, "4000": 2, "4700": 1, "4300": 1, "4200": 1, "3400": 1,
    "3000": 1, "8800": 1, "5700": 1, "6400": 1, "9900": 1, "7500": 1, "6100": 1, "4600": 1,
    "4800": 1, "3700": 1, "7800": 1, "6200": 1, "7000": 1, "2630": 2, "2800": 2,
}  # fmt: skip
PROFILES_PER_OCCUPATION = 2
# Every generated profile states its own commuting radius (commuteKm, and in words in the
# summary), drawn from these; grader and ranker both read the person's stated value.
COMMUTE_CHOICES_KM = (10, 15, 20, 25, 30, 35, 40, 45, 50, 60)
# Only a hand-written CV that states no radius is graded with this one (documented in
# eval/README.md); no generated profile relies on it.
DEFAULT_COMMUTE_KM = 40
# "Slightly out of range": the right occupation up to this factor of the radius still earns grade 1.
SLIGHTLY_OUT_FACTOR = 2.0
# Thresholds on the Jaccard overlap of ESCO skills between two occupations. Generic skills
# linked to more than GENERIC_SKILL_OCCUPATIONS ESCO occupations ("manage staff", "think
# abstractly") are left out first: sharing them says nothing about two jobs being alike.
GENERIC_SKILL_OCCUPATIONS = 100
RELATED_ESSENTIAL_JACCARD = 0.20
RELATED_ALL_JACCARD = 0.25
ALTERNATIVE_JACCARD = 0.08
BASE_DATE = date(2025, 1, 6)
# Land bounding box of Denmark (lat min, lat max, lon min, lon max) and the outlier cut-off used
# to drop wrong centroids from the postcode source.
DK_BOUNDS = (54.55, 57.75, 8.05, 15.16)
POSTCODE_OUTLIER_KM = 45.0

# Word lists and the near-miss postings (a real occupation, a title and a text that borrow words
# from another field, so that a pure keyword matcher is led astray; each is used twice, in
# different places) live in eval/source/texts_da.json. Only the postings of the occupations in
# "remote_ok" can be TELECOMMUTE.
TEXTS = json.loads((EVAL_DIR / "source" / "texts_da.json").read_text(encoding="utf-8"))
REMOTE_OK: set[str] = set(TEXTS["remote_ok"])
SURNAMES: list[str] = TEXTS["surnames"]
TRAITS: list[str] = TEXTS["traits"]
THRIVES: list[str] = TEXTS["thrives"]
INTERESTS: list[str] = TEXTS["interests"]
BENEFITS: list[str] = TEXTS["benefits"]
TITLE_SUFFIXES: list[str] = TEXTS["title_suffixes"]
DISTRACTORS: list[tuple[str, str, str]] = [tuple(d) for d in TEXTS["distractors"]]


# --------------------------------------------------------------------------- data classes


@dataclass(frozen=True)
class Skill:
    """One ESCO skill of an occupation with its hand-written Danish phrasing."""

    label: str
    uri: str
    danish: str
    knowledge: bool


@dataclass
class Occupation:
    """An ESCO occupation with the Danish material written for it."""

    key: str
    uri: str
    isco: str
    title: str
    alt_titles: list[str]
    workplaces: list[str]
    education: tuple[str, str, str]
    description: str
    skills: list[Skill]
    essential: frozenset[str] = frozenset()
    all_skills: frozenset[str] = frozenset()
    cv_pool: list[Skill] = field(default_factory=list)
    posting_pool: list[Skill] = field(default_factory=list)


@dataclass(frozen=True)
class Postcode:
    """A Danish postcode with its centroid and region code (81-85)."""

    code: str
    town: str
    region: str
    lat: float
    lon: float


# --------------------------------------------------------------------------- loading


def _read_zip_csv(path: Path, member: str) -> list[dict[str, str]]:
    with zipfile.ZipFile(path) as zf, zf.open(member) as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))


def load_postcodes() -> dict[str, Postcode]:
    """Danish postcodes and centroids from the countrystatecity-postal-codes package (ODbL).

    Some centroids in the source are plainly wrong (west-coast towns placed in the North Sea,
    Hjørring off the coast). Postcodes outside Denmark's land bounding box, or further than
    POSTCODE_OUTLIER_KM from the median centroid of their two-digit postcode group, are left out
    so that distances stay meaningful.
    """
    ref = resources.files("countrystatecity_postal_codes").joinpath(
        "data/by-country/DK/postcodes.json"
    )
    rows = json.loads(ref.read_text(encoding="utf-8"))
    raw: dict[str, Postcode] = {}
    for row in rows:
        code = str(row.get("code", ""))
        if code in raw or row.get("latitude") is None or row.get("longitude") is None:
            continue
        town = re.sub(r"\s+(K|V|SV|SØ|NV|NØ|Ø|N|S|C)$", "", str(row["localityName"]))
        raw[code] = Postcode(
            code, town, str(row["stateCode"]), float(row["latitude"]), float(row["longitude"])
        )
    groups: dict[str, list[Postcode]] = {}
    for pc in raw.values():
        groups.setdefault(pc.code[:2], []).append(pc)
    centres = {
        g: Postcode(
            g, g, "", statistics.median(p.lat for p in pcs), statistics.median(p.lon for p in pcs)
        )
        for g, pcs in groups.items()
    }
    lat_min, lat_max, lon_min, lon_max = DK_BOUNDS
    return {
        code: pc
        for code, pc in raw.items()
        if lat_min <= pc.lat <= lat_max
        and lon_min <= pc.lon <= lon_max
        and haversine_km(pc, centres[code[:2]]) <= POSTCODE_OUTLIER_KM
    }


def haversine_km(a: Postcode, b: Postcode) -> float:
    """Great-circle distance between two postcode centroids in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def load_occupations(lexicon: Path, esco_dir: Path) -> list[Occupation]:
    """Parse the Danish lexicon and tie every entry to its ESCO occupation and skills.

    Fails loudly when a label is not found, or a skill is not linked to its occupation in ESCO,
    so the lexicon cannot drift away from the classification.
    """
    classification = esco_dir / "esco-v1.1.1-classification-en-csv.zip"
    relations = esco_dir / "esco-v1.1.1-relations-csv.zip"
    occ_rows = {r["preferredLabel"]: r for r in _read_zip_csv(classification, "occupations_en.csv")}
    skill_label = {
        r["conceptUri"]: r["preferredLabel"] for r in _read_zip_csv(classification, "skills_en.csv")
    }
    essential: dict[str, set[str]] = {}
    linked: dict[str, set[str]] = {}
    spread: dict[str, int] = {}
    for r in _read_zip_csv(relations, "occupationSkillRelations.csv"):
        linked.setdefault(r["occupationUri"], set()).add(r["skillUri"])
        spread[r["skillUri"]] = spread.get(r["skillUri"], 0) + 1
        if r["relationType"] == "essential":
            essential.setdefault(r["occupationUri"], set()).add(r["skillUri"])
    generic = {s for s, n in spread.items() if n > GENERIC_SKILL_OCCUPATIONS}

    occupations: list[Occupation] = []
    errors: list[str] = []
    current: dict[str, Any] | None = None
    blocks: list[dict[str, Any]] = []
    for raw in lexicon.read_text(encoding="utf-8").splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@ "):
            key, title, alts = (p.strip() for p in line[2:].split("|"))
            current = {"key": key, "title": title, "alts": alts.split("; "), "skills": []}
            blocks.append(current)
        elif current is None:
            raise ValueError(f"lexicon line outside a block: {line!r}")
        elif line.startswith("W "):
            current["workplaces"] = [w.strip() for w in line[2:].split(";")]
        elif line.startswith("E "):
            current["education"] = tuple(p.strip() for p in line[2:].split("|"))
        elif line.startswith("D "):
            current["description"] = line[2:].strip()
        else:
            label, danish = (p.strip() for p in line.split("::"))
            current["skills"].append((label, danish))

    for block in blocks:
        row = occ_rows.get(block["key"])
        if row is None:
            errors.append(f"unknown ESCO occupation {block['key']!r}")
            continue
        uri = row["conceptUri"]
        by_label = {skill_label[s].strip(): s for s in linked.get(uri, set())}
        skills = []
        for label, danish in block["skills"]:
            skill_uri = by_label.get(label.strip())
            if skill_uri is None:
                errors.append(f"{block['key']}: {label!r} is not a skill of this occupation")
                continue
            knowledge = danish.startswith("~")
            skills.append(Skill(label.strip(), skill_uri, danish.lstrip("~"), knowledge))
        occupations.append(
            Occupation(
                key=block["key"],
                uri=uri,
                isco=row["iscoGroup"],
                title=block["title"],
                alt_titles=block["alts"],
                workplaces=block["workplaces"],
                education=block["education"],
                description=block["description"],
                skills=skills,
                essential=frozenset(essential.get(uri, set()) - generic),
                all_skills=frozenset(linked.get(uri, set()) - generic),
            )
        )
    if errors:
        raise ValueError("lexicon does not match ESCO:\n" + "\n".join(errors))
    return occupations


# --------------------------------------------------------------------------- relations


def relation_levels(occupations: list[Occupation]) -> dict[tuple[str, str], int]:
    """How related two occupations are: 3 same, 2 closely related, 1 plausible alternative.

    Closely related: the same ISCO 4-digit or 3-digit group, or a high overlap of ESCO skills
    (Jaccard of essential skills >= RELATED_ESSENTIAL_JACCARD, or of all linked skills >=
    RELATED_ALL_JACCARD). Plausible alternative: either overlap >= ALTERNATIVE_JACCARD.
    Pairs missing from the result are unrelated.
    """
    levels: dict[tuple[str, str], int] = {}
    for a in occupations:
        for b in occupations:
            if a.key == b.key:
                levels[(a.key, b.key)] = 3
                continue
            essential = _jaccard(a.essential, b.essential)
            linked = _jaccard(a.all_skills, b.all_skills)
            if (
                a.isco[:3] == b.isco[:3]
                or essential >= RELATED_ESSENTIAL_JACCARD
                or linked >= RELATED_ALL_JACCARD
            ):
                levels[(a.key, b.key)] = 2
            elif max(essential, linked) >= ALTERNATIVE_JACCARD:
                levels[(a.key, b.key)] = 1
    return levels


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def grade(level: int, distance_km: float | None, commute_km: float, remote: bool) -> int:
    """Grade a posting for a profile from the occupational relation and the distance rule.

    A posting beyond the commuting radius is never graded above 1; remote postings and profiles
    without a postcode count as within range. The right occupation slightly out of range
    (up to SLIGHTLY_OUT_FACTOR times the radius) still earns 1.
    """
    if level <= 0:
        return 0
    if remote or distance_km is None or distance_km <= commute_km:
        return level
    if level == 3 and distance_km <= commute_km * SLIGHTLY_OUT_FACTOR:
        return 1
    return 0


# --------------------------------------------------------------------------- Danish text helpers


def join_da(items: list[str]) -> str:
    """Join phrases the Danish way: 'a, b og c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def lower_title(title: str) -> str:
    """Lower-case a job title for use inside a sentence, keeping acronyms (SOSU-, IT-, CNC-)."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[0].lower() + title[1:]


def sentence(text: str) -> str:
    """Capitalise the first letter and make sure the text ends with a full stop."""
    text = text.strip()
    text = text[0].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def fill(template: str, rng: random.Random, town: str) -> str:
    """Fill a workplace template with a town and surnames."""
    out = template.replace("{by}", town)
    while "{navn}" in out:
        out = out.replace("{navn}", rng.choice(SURNAMES), 1)
    return out


def split_pools(occ: Occupation, rng: random.Random) -> None:
    """Split an occupation's skills so CVs and postings share only a few phrasings.

    CVs draw from the first part plus a small shared middle, postings from the shared middle plus
    the last part: lexical overlap between a CV and a matching posting stays partial.
    """
    skills = occ.skills[:]
    rng.shuffle(skills)
    n = len(skills)
    shared = max(2, n // 5)
    cv_only = (n - shared) // 2
    occ.cv_pool = skills[: cv_only + shared]
    occ.posting_pool = skills[cv_only:]


# --------------------------------------------------------------------------- postings


def _posting_text(
    occ: Occupation, rng: random.Random, workplace: str, title: str, part_time: bool
) -> tuple[str, list[Skill]]:
    picked = rng.sample(occ.posting_pool, k=min(len(occ.posting_pool), rng.randint(3, 5)))
    verbs = [s.danish for s in picked if not s.knowledge]
    nouns = [s.danish for s in picked if s.knowledge]
    traits = rng.sample(TRAITS, 2)
    hours = "på deltid (25-30 timer om ugen)" if part_time else "på fuld tid (37 timer om ugen)"
    benefit = rng.choice(BENEFITS)
    title_l = lower_title(title)
    style = rng.randrange(3)
    parts: list[str] = []
    if style == 0:
        parts.append(f"{workplace} søger en {title_l} {hours}. {occ.description}")
        if verbs:
            parts.append("Dine opgaver bliver bl.a. at:\n" + "\n".join(f"- {v}" for v in verbs))
        wants = [f"er {traits[0]} og {traits[1]}"]
        if nouns:
            wants.insert(0, f"har viden om {join_da(nouns)}")
        parts.append("Vi forventer, at du:\n" + "\n".join(f"- {w}" for w in wants))
        parts.append(f"Vi tilbyder {benefit}. Løn og ansættelse efter gældende overenskomst.")
    elif style == 1:
        lead = verbs[0] if verbs else f"arbejde som {title_l}"
        parts.append(f"Har du lyst til at {lead}? Så er det måske dig, vi leder efter.")
        parts.append(occ.description)
        if len(verbs) > 1:
            parts.append(f"Hos {workplace} kommer du til at {join_da(verbs[1:])}.")
        if nouns:
            parts.append(f"Det er en fordel, hvis du har erfaring med {join_da(nouns)}.")
        parts.append(f"Vi lægger vægt på, at du er {traits[0]}. Stillingen er {hours}.")
        parts.append(f"Vi kan tilbyde {benefit}.")
    else:
        parts.append(f"Vi søger en {title_l} til {workplace} {hours}.")
        if verbs:
            parts.append(f"Du skal kunne {join_da(verbs)}.")
        if nouns:
            parts.append(sentence(f"kendskab til {join_da(nouns)} er et plus"))
        parts.append(f"Du er {traits[0]}, {traits[1]} og trives med {rng.choice(THRIVES)}.")
        parts.append(occ.description)
    return "\n\n".join(parts), picked


def build_postings(
    occupations: list[Occupation], postcodes: dict[str, Postcode], rng: random.Random
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Generate the postings; returns them and a map posting id -> occupation key."""
    by_region: dict[str, list[Postcode]] = {}
    for pc in postcodes.values():
        by_region.setdefault(pc.region, []).append(pc)
    regions = sorted(by_region)
    by_key = {o.key: o for o in occupations}

    plan: list[tuple[Occupation, str | None, str | None]] = []
    for occ in occupations:
        plan.extend((occ, None, None) for _ in range(POSTINGS_PER_OCCUPATION))
    for key, title, text in DISTRACTORS:
        plan.extend((by_key[key], title, text) for _ in range(2))
    rng.shuffle(plan)

    postings: list[dict[str, Any]] = []
    labels: dict[str, str] = {}
    codes = sorted(postcodes)
    hubs = sorted(HUBS)
    near_hub = {
        h: [
            postcodes[c] for c in codes if haversine_km(postcodes[h], postcodes[c]) <= HUB_RADIUS_KM
        ]
        for h in hubs
    }
    hub_weights = [HUBS[h] for h in hubs]
    for i, (occ, d_title, d_text) in enumerate(plan, start=1):
        pid = f"P{i:05d}"
        if rng.random() < HUB_SHARE:
            pc = rng.choice(near_hub[rng.choices(hubs, weights=hub_weights)[0]])
        else:
            pc = rng.choice(by_region[rng.choice(regions)])
        workplace = fill(rng.choice(occ.workplaces), rng, pc.town)
        part_time = rng.random() < 0.25
        if d_title is None:
            base_title = rng.choice([occ.title, occ.title, *occ.alt_titles])
            title = base_title + rng.choice(TITLE_SUFFIXES).replace("{by}", pc.town)
        else:
            base_title = title = d_title
        text, picked = _posting_text(occ, rng, workplace, base_title, part_time)
        if d_text is not None:
            text = d_text + "\n\n" + text
        posted = BASE_DATE + timedelta(days=rng.randint(0, 60))
        posting: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "identifier": pid,
            "title": title,
            "description": text,
        }
        if rng.random() < 0.5:
            posting["skills"] = [s.danish for s in picked]
        if rng.random() < 0.5:
            posting["occupationalCategory"] = {
                "@type": "CategoryCode",
                "codeValue": occ.isco,
                "url": occ.uri,
            }
        posting["hiringOrganization"] = {"@type": "Organization", "name": workplace}
        posting["jobLocation"] = {
            "@type": "Place",
            "address": {
                "@type": "PostalAddress",
                "postalCode": pc.code,
                "addressLocality": pc.town,
                "addressCountry": "DK",
            },
        }
        if occ.key in REMOTE_OK and rng.random() < 0.25:
            posting["jobLocationType"] = "TELECOMMUTE"
            posting["applicantLocationRequirements"] = {"@type": "Country", "name": "Danmark"}
        posting["employmentType"] = "PART_TIME" if part_time else "FULL_TIME"
        posting["datePosted"] = posted.isoformat()
        posting["validThrough"] = (posted + timedelta(days=rng.randint(14, 42))).isoformat()
        postings.append(posting)
        labels[pid] = occ.key
    return postings, labels


# --------------------------------------------------------------------------- profiles


def _skill_sentence(skill: Skill, rng: random.Random) -> str:
    if skill.knowledge:
        return rng.choice(
            [
                f"Jeg har kendskab til {skill.danish}.",
                f"Jeg har erfaring med {skill.danish}.",
                f"Jeg har god viden om {skill.danish}.",
            ]
        )
    return rng.choice(
        [
            f"Jeg har erfaring med at {skill.danish}.",
            f"Jeg er god til at {skill.danish}.",
            f"Jeg har haft ansvar for at {skill.danish}.",
            f"Jeg har lært at {skill.danish}.",
        ]
    )


def _work_entry(
    occ: Occupation, skills: list[Skill], rng: random.Random, town: str, start: int, end: int | None
) -> dict[str, Any]:
    position = rng.choice([occ.title, *occ.alt_titles]).split(" til ")[0]
    employer = fill(rng.choice(occ.workplaces), rng, town)
    verbs = [s.danish for s in skills if not s.knowledge]
    years = (end or 2025) - start
    if verbs and rng.random() < 0.5:
        summary = (
            f"Som {lower_title(position)} hos {employer} var mine opgaver bl.a. at "
            f"{join_da(verbs)}."
        )
    elif verbs:
        summary = (
            f"Jeg har arbejdet {years} år som {lower_title(position)}, hvor jeg bl.a. "
            f"har haft ansvar for at {join_da(verbs[:2])}."
        )
    else:
        summary = f"Jeg har arbejdet {years} år som {lower_title(position)} hos {employer}."
    entry: dict[str, Any] = {
        "name": employer,
        "position": position,
        "startDate": f"{start}-{rng.randint(1, 12):02d}-01",
    }
    if end is not None:
        entry["endDate"] = f"{end}-{rng.randint(1, 12):02d}-01"
    entry["summary"] = summary
    entry["highlights"] = [_skill_sentence(s, rng) for s in skills if s.knowledge][:2]
    return entry


def _wish_sentence(occ: Occupation, rng: random.Random, town: str) -> str:
    """How (and whether) a CV states the job it wants, ending in a space when not empty.

    Real CVs often say nothing, or speak of the trade, a workplace or an alternative title;
    a CV that always repeats the posting title would make title matching look better than it is.
    """
    style = rng.choices(
        ["none", "trade", "workplace", "alt", "title"], weights=[30, 25, 15, 20, 10]
    )[0]
    if style == "none":
        return ""
    if style == "trade":
        return rng.choice(
            [
                "Jeg vil gerne blive i faget. ",
                "Jeg søger et job, hvor jeg kan bruge det, jeg kan. ",
                "Nu søger jeg nye udfordringer inden for mit fag. ",
                "Jeg vil gerne videre med det, jeg er uddannet til. ",
            ]
        )
    if style == "workplace":
        place = fill(rng.choice(occ.workplaces), rng, town)
        return f"Jeg kunne godt tænke mig en arbejdsplads som {place}. "
    alts = [a.split(" til ")[0] for a in occ.alt_titles] or [occ.title]
    wished = occ.title if style == "title" else rng.choice(alts)
    return rng.choice(
        [
            f"Jeg søger job som {lower_title(wished)}. ",
            f"Mit mål er en stilling som {lower_title(wished)}. ",
            f"Jeg vil gerne arbejde som {lower_title(wished)} igen. ",
        ]
    )


def _commute_sentence(km: int, rng: random.Random, town: str) -> str:
    """The person's commuting radius said in a sentence (the value is also `commuteKm`)."""
    if km <= 20:
        options = [
            f"Jeg har ikke bil, så jobbet skal ligge inden for {km} km af {town}.",
            f"Jeg kan pendle op til {km} km.",
            f"Jeg søger job tæt på hjemmet, højst {km} km væk.",
        ]
    else:
        options = [
            f"Jeg har bil og kører gerne op til {km} km hver vej.",
            f"Jeg kan pendle op til {km} km fra {town}.",
            f"Jeg er villig til at køre op til {km} km til arbejde.",
        ]
    return rng.choice(options)


def build_profile(
    pid: str,
    occ: Occupation,
    previous: Occupation | None,
    rng: random.Random,
    postcode: Postcode | None,
) -> dict[str, Any]:
    """Write one generated CV in the first person from a random subset of the CV skill pool."""
    kind = "skift" if previous else rng.choice(["erfaren", "erfaren", "nyuddannet", "senior"])
    own = rng.sample(occ.cv_pool, k=min(len(occ.cv_pool), rng.randint(3, 5)))
    traits = rng.sample(TRAITS, 3)
    town = postcode.town if postcode else rng.choice(["Odense", "Aarhus", "Aalborg", "Køge"])
    title_l = lower_title(occ.title)
    work: list[dict[str, Any]] = []
    education: list[dict[str, Any]] = []
    area, study_type, institution = occ.education

    if kind == "skift":
        assert previous is not None
        old = rng.sample(previous.cv_pool, k=min(3, len(previous.cv_pool)))
        start = rng.randint(2005, 2015)
        work.append(_work_entry(previous, old, rng, town, start, 2023))
        work.append(
            {
                "name": fill(rng.choice(occ.workplaces), rng, town),
                "position": f"Praktikant ({title_l})",
                "startDate": "2024-09-01",
                "endDate": "2024-12-01",
                "summary": "I min praktik har jeg fået lov til at "
                + join_da([s.danish for s in own if not s.knowledge][:2] or ["prøve faget af"])
                + ".",
                "highlights": [_skill_sentence(s, rng) for s in own[:2]],
            }
        )
        education.append(
            {"area": area, "studyType": study_type, "institution": institution, "endDate": "2025"}
        )
        summary = (
            f"Efter {2023 - start} år som {lower_title(previous.title)} har jeg valgt at skifte "
            f"spor og har omskolet mig via jobcentret. {_wish_sentence(occ, rng, town)}"
            f"Jeg er {traits[0]} og {traits[1]}, og jeg tager min erfaring med mig."
        )
        skills_kw = [s.danish for s in own + old]
    elif kind == "nyuddannet":
        work.append(
            {
                "name": fill(rng.choice(occ.workplaces), rng, town),
                "position": f"Elev/praktikant ({title_l})",
                "startDate": "2023-08-01",
                "endDate": "2025-01-01",
                "summary": " ".join(_skill_sentence(s, rng) for s in own[:3]),
                "highlights": [],
            }
        )
        education.append(
            {"area": area, "studyType": study_type, "institution": institution, "endDate": "2025"}
        )
        summary = (
            f"Jeg er nyuddannet {title_l} og glæder mig til mit første rigtige job. "
            f"{_wish_sentence(occ, rng, town)}"
            f"Jeg er {traits[0]}, {traits[1]} og trives med {rng.choice(THRIVES)}."
        )
        skills_kw = [s.danish for s in own]
    else:
        senior = kind == "senior"
        start = rng.randint(1992, 2002) if senior else rng.randint(2008, 2018)
        mid = rng.randint(start + 3, min(start + 15, 2022))
        half = max(1, len(own) // 2)
        work.append(
            _work_entry(occ, own[half:], rng, town, mid, None if rng.random() < 0.3 else 2024)
        )
        work.append(_work_entry(occ, own[:half], rng, town, start, mid))
        if rng.random() < 0.85:
            education.append({"area": area, "studyType": study_type, "institution": institution})
        age_note = (
            " Jeg er over 50 og har mange gode år tilbage på arbejdsmarkedet." if senior else ""
        )
        summary = (
            f"Jeg er en {traits[0]} og {traits[1]} {title_l} med {2025 - start} års erfaring."
            f"{age_note} "
            f"Jeg trives med {rng.choice(THRIVES)}. {_wish_sentence(occ, rng, town)}"
        )
        skills_kw = [s.danish for s in own]

    commute_km = rng.choice(COMMUTE_CHOICES_KM)
    summary = (
        summary.rstrip()
        + f" {_commute_sentence(commute_km, rng, town)} Mine kolleger vil beskrive mig som "
        + f"{traits[2]}."
    )
    basics: dict[str, Any] = {"summary": summary}
    if rng.random() < 0.3:
        basics["label"] = rng.choice([occ.title, *occ.alt_titles]).split(" til ")[0]
    if postcode is not None:
        basics["location"] = {
            "postalCode": postcode.code,
            "city": postcode.town,
            "countryCode": "DK",
        }
    profile: dict[str, Any] = {"id": pid, "basics": basics, "work": work}
    if education:
        profile["education"] = education
    if rng.random() < 0.75:
        profile["skills"] = [
            {"name": "Faglige kompetencer", "keywords": skills_kw},
            {"name": "Personlige kompetencer", "keywords": traits},
        ]
    if rng.random() < 0.7:
        profile["interests"] = [{"name": n} for n in rng.sample(INTERESTS, 2)]
    profile["commuteKm"] = commute_km
    return profile


# --------------------------------------------------------------------------- qrels


def _judge(
    profile: dict[str, Any],
    postings: list[dict[str, Any]],
    levels_for: dict[str, int],
    labels: dict[str, str],
    postcodes: dict[str, Postcode],
    overrides: dict[str, int] | None = None,
) -> dict[str, int]:
    """Grade every posting for one profile; returns posting id -> grade for grades >= 1."""
    code = profile.get("basics", {}).get("location", {}).get("postalCode")
    home = postcodes.get(code) if code else None
    commute = float(profile.get("commuteKm", DEFAULT_COMMUTE_KM))
    out: dict[str, int] = {}
    for posting in postings:
        pid = posting["identifier"]
        level = levels_for.get(labels[pid], 0)
        if overrides and pid in overrides:
            level = overrides[pid]
        remote = posting.get("jobLocationType") == "TELECOMMUTE"
        where = postcodes[posting["jobLocation"]["address"]["postalCode"]]
        distance = haversine_km(home, where) if home else None
        g = grade(level, distance, commute, remote)
        if g > 0:
            out[pid] = g
    return out


def build(out_dir: Path, esco_dir: Path = ESCO_DIR) -> dict[str, int]:
    """Build every output file into ``out_dir``; returns a few counts for the log."""
    rng = random.Random(SEED)
    postcodes = load_postcodes()
    occupations = load_occupations(LEXICON, esco_dir)
    by_key = {o.key: o for o in occupations}
    for occ in occupations:
        split_pools(occ, rng)
    levels = relation_levels(occupations)
    postings, labels = build_postings(occupations, postcodes, rng)
    by_occ: dict[str, list[dict[str, Any]]] = {}
    for p in postings:
        if p.get("jobLocationType") != "TELECOMMUTE":
            by_occ.setdefault(labels[p["identifier"]], []).append(p)
    codes_sorted = sorted(postcodes)

    profiles: list[dict[str, Any]] = []
    truth: list[dict[str, str]] = []
    qrels: list[tuple[str, str, int]] = []
    n = 0
    for occ in occupations:
        for _ in range(PROFILES_PER_OCCUPATION):
            n += 1
            pid = f"C{n:04d}"
            previous = None
            if rng.random() < 0.2:
                unrelated = [o for o in occupations if levels.get((occ.key, o.key), 0) == 0]
                previous = rng.choice(unrelated)
            levels_for = {k: lv for (a, k), lv in levels.items() if a == occ.key}
            if previous is not None:
                levels_for[previous.key] = max(levels_for.get(previous.key, 0), 1)
            for _attempt in range(50):
                if rng.random() < 0.1:
                    postcode = None
                else:
                    # Live near a posting of one's own occupation, as jobseekers mostly do.
                    anchor = postcodes[
                        rng.choice(by_occ[occ.key])["jobLocation"]["address"]["postalCode"]
                    ]
                    near = [
                        postcodes[c]
                        for c in codes_sorted
                        if haversine_km(anchor, postcodes[c]) < 15
                    ]
                    postcode = rng.choice(near)
                profile = build_profile(pid, occ, previous, rng, postcode)
                judged = _judge(profile, postings, levels_for, labels, postcodes)
                if len(judged) >= 3 and max(judged.values()) >= 2:
                    break
            else:
                raise RuntimeError(f"could not place profile {pid} near enough postings")
            profiles.append(profile)
            truth.append(_truth_row(pid, occ))
            qrels.extend((pid, d, g) for d, g in sorted(judged.items()))

    handwritten = [
        json.loads(line)
        for line in HANDWRITTEN_PROFILES.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    judgements = json.loads(HANDWRITTEN_JUDGEMENTS.read_text(encoding="utf-8"))
    md = [
        "# Judgements of the hand-written CVs",
        "",
        "Written by hand: which occupations each CV fits and why. The grade applies to",
        "every posting of that occupation, under the same distance rule as the generated",
        "profiles (beyond `commuteKm` at most 1). Postings judged one by one (near-miss",
        "postings, or the few postings near a CV in a thin local job market) override the",
        "occupation grade; `0` there means judged not relevant despite the occupation.",
        "Counts are what the build wrote to `qrels.trec`. This file is generated by",
        "`scripts/build_eval_set.py` from `handwritten_judgements.json`.",
        "",
    ]
    postings_by_id = {p["identifier"]: p for p in postings}
    for profile in handwritten:
        pid = profile["id"]
        code = profile["basics"].get("location", {}).get("postalCode")
        if code is not None and code not in postcodes:
            raise ValueError(f"hand-written {pid}: postcode {code} has no usable centroid")
        j = judgements[pid]
        levels_for = {k: int(v) for k, v in j["occupations"].items()}
        unknown = [k for k in levels_for if k not in by_key]
        if unknown:
            raise ValueError(f"{pid}: unknown occupations {unknown}")
        overrides = {k: int(v) for k, v in j.get("postings", {}).items()}
        missing = [k for k in overrides if k not in labels]
        by_title = {k: int(v) for k, v in j.get("titles", {}).items()}
        for posting in postings:
            if posting["title"] in by_title:
                overrides.setdefault(posting["identifier"], by_title[posting["title"]])
        missing += [k for k in by_title if not any(p["title"] == k for p in postings)]
        if missing:
            raise ValueError(f"{pid}: judged postings not found: {missing}")
        judged = _judge(profile, postings, levels_for, labels, postcodes, overrides)
        if len(judged) < 3:
            raise RuntimeError(f"hand-written {pid} has only {len(judged)} relevant postings")
        profiles.append(profile)
        truth.append(_truth_row(pid, by_key[main_occupation(levels_for)]))
        qrels.extend((pid, d, g) for d, g in sorted(judged.items()))
        counts = {g: sum(1 for v in judged.values() if v == g) for g in (3, 2, 1)}
        occ_text = ", ".join(f"{by_key[k].title} ({v})" for k, v in levels_for.items())
        md.append(f"## {pid}: {j['who']}")
        md.append("")
        md.append(f"- Occupations: {occ_text}")
        if by_title:
            md.append(
                "- Near-miss postings judged one by one (all postings with this title): "
                + "; ".join(f'"{k}" -> {v}' for k, v in by_title.items())
            )
        single = {k: v for k, v in j.get("postings", {}).items()}
        if single:
            md.append(
                "- Single postings: "
                + ", ".join(f"{k} ({postings_by_id[k]['title']}) -> {v}" for k, v in single.items())
            )
        md.append(f"- Why: {j['why']}")
        md.append(f"- In qrels: {counts[3]} x 3, {counts[2]} x 2, {counts[1]} x 1")
        md.append("")

    out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(out_dir / "postings.jsonl", postings)
    write_jsonl(out_dir / "profiles.jsonl", profiles)
    write_jsonl(out_dir / "profiles_truth.jsonl", truth)
    write_jsonl(
        out_dir / "postings_truth.jsonl",
        [_truth_row(p["identifier"], by_key[labels[p["identifier"]]]) for p in postings],
    )
    (out_dir / "qrels.trec").write_text(
        "".join(f"{q} 0 {d} {g}\n" for q, d, g in qrels), encoding="utf-8"
    )
    (out_dir / "handwritten_judgements.md").write_text("\n".join(md), encoding="utf-8")
    return {
        "occupations": len(occupations),
        "postings": len(postings),
        "profiles": len(profiles),
        "handwritten": len(handwritten),
        "qrels": len(qrels),
    }


def main_occupation(levels_for: dict[str, int]) -> str:
    """A hand-written CV's own occupation: the first one judged with the highest grade."""
    best = max(levels_for.values())
    return next(k for k, v in levels_for.items() if v == best)


def _truth_row(pid: str, occ: Occupation) -> dict[str, str]:
    """What the person's occupation really is; evaluation groups and strata use it."""
    return {"id": pid, "occupation_uri": occ.uri, "occupation_label": occ.key, "isco": occ.isco}


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=EVAL_DIR, help="output directory")
    parser.add_argument("--esco", type=Path, default=ESCO_DIR, help="ESCO v1.1.1 CSV zips")
    args = parser.parse_args()
    print(json.dumps(build(args.out, args.esco)))


if __name__ == "__main__":
    main()
