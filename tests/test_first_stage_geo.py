"""Geography in the first stage: a good match near home is not lost behind distant look-alikes.

Four hundred postings across the country are near copies of the person's CV; one nurse job
10 km from home is worded differently. With room for only 50 candidates, the near job must
still reach the ranking (the geography component then puts it first). Uses the deterministic
HashingEncoder: this checks candidate generation, not the model.
"""

import numpy as np
import pytest

from recommender.encoders import HashingEncoder
from recommender.geo import distances_km, to_xyz
from recommender.query import base_mask, candidates
from recommender.ranking import Recommender
from recommender.scoring import Weights
from recommender.types import Posting, Profile

HOME = (55.3959, 10.3883)  # Odense
CV = (
    "Sygeplejerske til medicinsk afdeling. Patientpleje, medicinhåndtering og dokumentation "
    "i et travlt team."
)


def market() -> list[Posting]:
    """400 look-alikes 100–200 km away (Copenhagen area and beyond), one job 10 km from home."""
    far = [
        Posting(
            f"far-{i}",
            "Sygeplejerske til medicinsk afdeling",
            f"{CV} Afdeling {i}.",
            lat=55.676 + 0.004 * (i % 50),
            lon=12.568 - 0.01 * (i % 40),
            employer=f"Region {i}",
        )
        for i in range(400)
    ]
    near = Posting(
        "near",
        "Sygeplejerske",
        "Sygeplejerske til hjemmeplejen. Pleje af borgere i eget hjem.",
        lat=HOME[0] + 0.09,  # about 10 km north
        lon=HOME[1],
        employer="Odense Kommune",
    )
    return [*far, near]


@pytest.fixture(scope="module")
def rec() -> Recommender:
    return Recommender.build(market(), HashingEncoder(), weights=Weights(n_candidates=50))


def test_the_market_is_what_the_test_says(rec: Recommender) -> None:
    index = rec.index
    d = distances_km(index.xyz, to_xyz(*HOME))
    near = index.position("near")
    assert 9 < d[near] < 11 and (np.delete(d, near) > 90).all()
    q = rec.context(Profile("p", summary=CV)).q
    sims = index.similarity(q)
    assert (np.delete(sims, near) > sims[near]).all()  # every look-alike beats it on text


@pytest.mark.parametrize("commute_km", [None, 30.0])
def test_a_near_match_reaches_the_ranking(rec: Recommender, commute_km: float | None) -> None:
    person = Profile("p", summary=CV, lat=HOME[0], lon=HOME[1], commute_km=commute_km)
    top = [r.posting_id for r in rec.rank(person, k=10)]
    assert top[0] == "near"


def test_with_a_radius_only_postings_inside_it_are_candidates(rec: Recommender) -> None:
    person = Profile("p", summary=CV, lat=HOME[0], lon=HOME[1], commute_km=30.0)
    ctx = rec.context(person)
    pos = candidates(rec.index, ctx, rec.weights)
    assert [rec.index.ids[i] for i in pos] == ["near"]
    assert base_mask(rec.index, ctx).sum() == 1


def test_without_a_home_the_best_text_matches_fill_the_candidates(rec: Recommender) -> None:
    ctx = rec.context(Profile("p", summary=CV))
    pos = candidates(rec.index, ctx, rec.weights)
    assert len(pos) == 50 and rec.index.position("near") not in pos.tolist()
