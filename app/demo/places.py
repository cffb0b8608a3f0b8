"""Where demo people and jobs are: real postcodes, drawn the way the population is spread.

A region is drawn by its population, then a town in it by its weight (``data/demo/towns.csv``;
localities not listed there get a small default weight), then one of the town's postcodes.
"""

import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from app.demo import data

# Weight of a locality that ``towns.csv`` does not list (villages and small towns).
DEFAULT_TOWN_WEIGHT = 2.0
# Cities split over several postcodes ("Odense C", "København NV") that prose names as one.
CITIES = ("København", "Frederiksberg", "Odense", "Aarhus", "Aalborg", "Esbjerg", "Randers")


@dataclass(frozen=True)
class Place:
    """A real postcode with its centroid and region."""

    code: str
    name: str
    latitude: float
    longitude: float
    region: str


class Geography:
    """Postcodes grouped by region and town, drawn by population."""

    def __init__(self, places: Sequence[Place]) -> None:
        towns: dict[str, dict[str, list[Place]]] = defaultdict(lambda: defaultdict(list))
        for p in sorted(places, key=lambda p: p.code):
            towns[p.region][p.name].append(p)
        self.towns = towns
        population = data.region_population()
        self.regions = [r for r in population if r in towns]
        if not self.regions:
            raise ValueError("no postcodes in the five Danish regions")
        self.region_weights = [population[r] for r in self.regions]
        self.town_names = {r: sorted(towns[r]) for r in self.regions}
        self.town_weights = {r: [_town_weight(t) for t in self.town_names[r]] for r in self.regions}
        self.seats = {
            r: [
                (t, w)
                for t, w in zip(self.town_names[r], self.town_weights[r], strict=True)
                if municipality_of(t)
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
    for town in data.towns():
        if name.startswith(town.name):
            return town.weight
    return DEFAULT_TOWN_WEIGHT


def town_of(place: Place) -> str:
    """A town name for prose: "Odense C" and "København NV" read as "Odense" and "København"."""
    for town in CITIES:
        if place.name.startswith(town):
            return town
    return place.name


def municipality_of(town: str) -> str | None:
    """The municipality of a locality listed in ``towns.csv``, else None."""
    for listed in data.towns():
        if town.startswith(listed.name):
            return listed.municipality
    return None
