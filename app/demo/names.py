"""Names in demo texts: fictional people and employers, and job titles inside a sentence."""

import random

from app.demo import data
from app.demo.places import Geography, Place, municipality_of, town_of


def lower_first(text: str) -> str:
    """A title inside a sentence: "Pædagog" reads "pædagog"."""
    # Abbreviations keep their capitals: "IT-supporter", "CNC-operatør", "HR-konsulent".
    if len(text) > 1 and (text[1].isupper() or text[1] == "-"):
        return text
    return text[:1].lower() + text[1:]


def upper_first(text: str) -> str:
    """A title at the start of a line."""
    return text[:1].upper() + text[1:]


def person_name(rng: random.Random) -> tuple[str, str | None]:
    """A full name and, for names of non-Danish origin, the likely mother tongue."""
    groups = data.name_groups()
    group = rng.choices(groups, [g.weight for g in groups])[0]
    given = group.female if rng.random() < 0.5 else group.male
    surnames = group.surnames
    first, last = rng.choice(given), rng.choice(surnames)
    if group.mother_tongue is None:
        roll = rng.random()
        if roll < 0.15:
            first = f"{first} {rng.choice([g for g in given if g != first])}"
        elif roll < 0.3:
            last = f"{rng.choice([s for s in surnames if s != last])} {last}"
    return f"{first} {last}", group.mother_tongue


def organisation(
    rng: random.Random,
    sector: str,
    geo: Geography,
    region: str | None = None,
    town: str | None = None,
) -> tuple[str, bool, Place]:
    """A fictional employer of a sector: its name, whether it is public, and where it is."""
    words = data.texts("employers")
    spec = words["sectors"].get(sector) or words["sectors"]["other"]
    public = bool(spec["public"]) and rng.random() < spec["public_share"]
    place = geo.place(rng, region, town, seat=public)
    municipality = municipality_of(place.name) or town_of(place)
    surnames = data.name_groups()[0].surnames
    name = rng.choice(spec["public"] if public else spec["names"]).format(
        region=rng.choice(words["region_adjectives"][place.region]),
        region_name=place.region,
        surname=rng.choice(surnames),
        surname2=rng.choice(surnames),
        fancy=rng.choice(words["fancy_words"]),
        town=town_of(place),
        municipality=municipality,
        kommune=data.municipality_names().get(municipality, f"{municipality} Kommune"),
        hospital=rng.choice(words["hospitals"][place.region]),
        police=rng.choice(words["police"][place.region]),
        garrison=rng.choice(words["garrisons"][place.region]),
        airport=words["airports"][place.region],
        form=rng.choice(words["company_forms"]),
    )
    return name[:160], public, place
