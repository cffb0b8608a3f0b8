"""Job ads: a Danish posting for one occupation at one place, written from templates.

The texts are in ``data/demo/postings.toml``; the workplace words per sector in
``employers.toml``. Only the dates depend on the day of seeding, so demo postings are current.
"""

import random
from datetime import date, timedelta
from typing import Any

from app.demo import data
from app.demo.data import Occupation
from app.demo.names import lower_first, person_name, upper_first
from app.demo.places import Place, town_of

EXPIRED_SHARE = 0.04
REMOTE_SHARE = 0.25  # of postings in sectors where working from home is possible


def job_ad(
    rng: random.Random,
    occ: Occupation,
    place: Place,
    org: str,
    public: bool,
    today: date,
) -> dict[str, Any]:
    """A Danish job ad (schema.org JobPosting fields) for one occupation at one place."""
    ads, employers = data.texts("postings"), data.texts("employers")
    people = data.texts("people")
    spec = employers["sectors"].get(occ.sector) or employers["sectors"]["other"]
    kind = rng.choice(spec.get("public_kind", spec["kind"]) if public else spec["kind"])
    town = town_of(place)
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
        else upper_first(rng.choice(occ.alt_titles))
    )
    pattern = rng.choice(ads["title_patterns"])
    if "vikariat" in pattern:
        employment = "TEMPORARY"
    title = pattern.format(
        title=base, title_lower=lower_first(base), kind=kind, town=town, hours=hours
    )

    article = "et" if kind.endswith(tuple(ads["neuter_endings"])) else "en"
    fmt = {
        "title_lower": lower_first(occ.title),
        "firma": org,
        "town": town,
        "kind": kind,
        "a_kind": f"{article} {kind}",
        "staff": rng.choice([8, 12, 15, 25, 40, 60, 120, 250, 600]),
        "founded": rng.randint(1952, 2018),
    }
    paragraphs = [
        rng.choice(ads["hooks"]).format(**fmt),
        rng.choice(ads["about"]).format(**fmt, does=rng.choice(spec["does"])),
    ]
    tasks = rng.sample(occ.tasks, min(len(occ.tasks), rng.randint(3, 5)))
    if tasks:
        heading = rng.choice(ads["tasks_intros"])
        if rng.random() < 0.5:
            paragraphs.append(heading + "\n" + " ".join(tasks))
        else:
            paragraphs.append(heading + "\n" + "\n".join(f"- {t.rstrip('.')}" for t in tasks))

    skills = rng.sample(occ.skills, min(len(occ.skills), rng.randint(4, 7)))
    expect: list[str] = []
    degree = occ.education.split(";")[0].strip().rstrip(".")
    if not occ.unskilled and degree and not degree.lower().startswith("ingen"):
        expect.append(ads["qualification_line"].format(education=lower_first(degree)))
    expect += [rng.choice(ads["skill_leads"]).format(skill=sk.da) for sk in skills]
    paragraphs.append(ads["expect_intro"] + "\n" + "\n".join(f"- {e}" for e in expect))
    if occ.unskilled:
        paragraphs.append(rng.choice(ads["no_qualification_lines"]))
    traits = list(dict.fromkeys(occ.personal + rng.sample(people["personal_qualities"], 3)))
    p1, p2, p3 = rng.sample(traits, 3)
    paragraphs.append(rng.choice(ads["personal_intro"]).format(p1=p1, p2=p2, p3=p3))

    sector_offers = ads["sector_offers"].get(occ.sector, [])
    offers = rng.sample(ads["offers"], 3) + rng.sample(sector_offers, min(1, len(sector_offers)))
    paragraphs.append("Vi tilbyder\n" + "\n".join(f"- {o}" for o in offers))
    remote = occ.sector in ads["remote_sectors"] and rng.random() < REMOTE_SHARE
    terms = rng.choice(ads["terms"]).format(
        hours=hours,
        start=rng.choice(ads["starts"]),
        permanence="midlertidig" if employment == "TEMPORARY" else "fast",
    )
    terms += " " + (ads["public_pay"] if public else rng.choice(ads["pay"]))
    if remote:
        terms += " " + rng.choice(ads["remote_lines"])
    paragraphs.append("Løn og vilkår\n" + terms)
    contact, _ = person_name(rng)
    apply = (
        rng.choice(ads["apply"])
        + " "
        + rng.choice(ads["contact"]).format(contact=contact, role=rng.choice(ads["contact_roles"]))
    )
    if occ.sector in ads["child_sectors"]:
        apply += " " + ads["child_certificate"]
    paragraphs.append("Ansøgning\n" + apply)
    if public:
        paragraphs.append(ads["public_diversity"])

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
