"""Jobseeker profiles: a Danish CV in the first person, written from templates.

The content comes from the occupation (titles, tasks, skills, education) and the texts in
``data/demo/cv.toml`` and ``people.toml``. CVs are dated against a fixed year, so their content
never depends on the day of seeding.
"""

import random
from typing import Any

from app.demo import data
from app.demo.data import Occupation, Skill, Vocabulary
from app.demo.names import lower_first, organisation, upper_first
from app.demo.places import Geography, Place, town_of

CV_YEAR = 2026


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
    titles = data.texts("cv")["education_cv"]
    if occ.title in titles:
        return str(titles[occ.title])
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
    return upper_first(first.rstrip("."))


def _institution(rng: random.Random, title: str) -> str:
    institutions = data.texts("cv")["institutions"]
    lowered = title.lower()
    for entry in institutions:
        if any(k in lowered for k in entry["keywords"]):
            return str(rng.choice(entry["names"]))
    return str(rng.choice(institutions[-1]["names"]))


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


def profile(
    rng: random.Random,
    occ: Occupation,
    vocabulary: Vocabulary,
    place: Place,
    geo: Geography,
    tongue: str | None,
    centre: str | None,
) -> dict[str, Any]:
    """A jobseeker profile with a first-person Danish CV written from templates.

    ``centre`` is the municipality code of the jobseeker's jobcentre, resolved when written.
    """
    cv, people = data.texts("cv"), data.texts("people")
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
            else upper_first(rng.choice(job.alt_titles))
        )
        employer, _, _ = organisation(rng, job.sector, geo, place.region)
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
    leaving = rng.choice(cv["school_leaving"])
    school, institution = leaving["title"], leaving["institution"]
    education.append(
        {
            "title": school,
            # Upper-secondary schools (VUC, gymnasium) are in the larger towns.
            "institution": institution.format(
                town=town_of(geo.place(rng, place.region, seat=True))
            ),
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
    personal = rng.sample(occ.personal or people["personal_qualities"], 2)

    # The CV text, first person, in the usual Danish sections.
    has_degree = any(e["title"] == degree for e in education)
    opening = rng.choice(
        cv["unskilled_openings"] if occ.unskilled and not has_degree else cv["profile_openings"]
    )
    text = opening.format(
        title_lower=lower_first(occ.title),
        years=years,
        n_jobs=len(experience),
        personal=rng.choice(people["personal_qualities"]),
    )
    if career_change:
        text += " " + rng.choice(cv["career_change"]).format(wish_lower=lower_first(wish.title))
    else:
        text += " " + rng.choice(cv["profile_closings"])
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
    lines.append(rng.choice(cv["personal_lines"]).format(p1=personal[0], p2=personal[1]))
    leisure = rng.choice(cv["leisure"])
    if leisure:
        lines.append(leisure)
    lines += ["", "Sprog"]
    english = rng.choice(people["english_levels"])
    if tongue:
        danish = rng.choice(people["language_levels_danish"])
        lines.append(f"{upper_first(tongue)} (modersmål), dansk ({danish}), engelsk ({english})")
    else:
        lines.append(f"Dansk (modersmål), engelsk ({english})")
    if rng.random() < 0.75:
        lines += ["", "Kørekort", "B-kørekort"]

    accessibility = rng.choice(cv["accessibility"]) if rng.random() < 0.08 else ""
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
