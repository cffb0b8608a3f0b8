"""The hybrid ranker: each component, the geography filter, swipes, dedup, updates, explanations.

All tests use the deterministic HashingEncoder: they check the ranking logic, not the model.
"""

import json
from dataclasses import asdict

import numpy as np
import pytest

from recommender.encoders import HashingEncoder
from recommender.index import hours_class
from recommender.ranking import Recommender
from recommender.scoring import COMPONENTS, Weights
from recommender.types import ALGORITHM_VERSION, Posting, Profile, Swipe

ODENSE, AARHUS, KBH, SKAGEN = "5000", "8000", "2100", "9990"


def postings() -> list[Posting]:
    """A small, varied Danish job market."""
    return [
        Posting(
            "nurse-ode",
            "Sygeplejerske til medicinsk afdeling",
            "Vi søger en sygeplejerske med erfaring i patientpleje og medicinhåndtering.",
            postcode=ODENSE,
            employer="OUH",
            industry="Sundhed",
            hours="fuldtid",
        ),
        Posting(
            "nurse-skagen",
            "Sygeplejerske til hjemmeplejen",
            "Sygeplejerske til hjemmesygeplejen. Patientpleje og medicinhåndtering.",
            postcode=SKAGEN,
            employer="Frederikshavn Kommune",
            industry="Sundhed",
        ),
        Posting(
            "dev-aar",
            "Softwareudvikler (Python)",
            "Du udvikler webapplikationer i Python og SQL. Erfaring med JavaScript er et plus.",
            postcode=AARHUS,
            employer="Netcompany",
            industry="IT",
            hours="fuldtid",
        ),
        Posting(
            "dev-remote",
            "Backend developer",
            "Fully remote team. Python, SQL and project management.",
            remote=True,
            employer="Remote ApS",
            industry="IT",
        ),
        Posting(
            "warehouse",
            "Lagermedarbejder",
            "Pluk og pak på vores lager. Ingen krav om uddannelse.",
            postcode="5200",
            employer="Coop",
            hours="deltid",
        ),
        Posting(
            "carpenter",
            "Tømrer",
            "Tømrer med svendebrev til renovering af boliger.",
            postcode=KBH,
            employer="Byg A/S",
        ),
        Posting("no-place", "Kok", "Kok til kantine. Madlavning og hygiejne.", employer="Kantinen"),
    ]


@pytest.fixture(scope="module")
def encoder() -> HashingEncoder:
    return HashingEncoder()


@pytest.fixture()
def rec(encoder: HashingEncoder) -> Recommender:
    return Recommender.build(postings(), encoder)


def ids(recs) -> list[str]:
    return [r.posting_id for r in recs]


def comp(rec_obj, name: str):
    return next(c for c in rec_obj.explanation.components if c.name == name)


def test_semantic_ranks_the_most_similar_text_first(rec: Recommender) -> None:
    p = Profile("c", summary="Tømrer med svendebrev til renovering af boliger.")
    assert ids(rec.rank(p, k=1, method="semantic")) == ["carpenter"]


def test_lexical_prefers_postings_sharing_rare_words(rec: Recommender) -> None:
    p = Profile("c", summary="Jeg kan lide madlavning og hygiejne i en kantine.")
    top = rec.rank(p, k=3, method="lexical")
    assert top[0].posting_id == "no-place"
    assert comp(top[0], "lexical").raw > 0
    # Candidate scoring and the full scan agree.
    ctx = rec.context(p)
    all_scores = rec.bm25.score_all(ctx.lex_ids, ctx.lex_w)
    rows = np.arange(rec.n)
    assert np.allclose(rec.bm25.score_rows(rows, ctx.lex_ids, ctx.lex_w), all_scores, atol=1e-4)


def test_skill_overlap_lists_matched_and_missing_skills(rec: Recommender) -> None:
    p = Profile("c", summary="Datalog.", skills=["Python", "SQL"])
    top = rec.rank(p, k=7)
    dev = next(r for r in top if r.posting_id == "dev-aar")
    matched = {s.label.lower() for s in dev.explanation.matched_skills}
    missing = {s.label.lower() for s in dev.explanation.missing_skills}
    assert {"python", "sql"} <= {m.split(" ")[0] for m in matched}
    assert any("javascript" in m for m in missing)
    assert comp(dev, "skills").raw > 0
    nurse = next(r for r in top if r.posting_id == "nurse-ode")
    assert not nurse.explanation.matched_skills
    # Postings sharing the skills outrank those that do not.
    assert top[0].posting_id in {"dev-aar", "dev-remote"}


def test_skills_component_is_off_without_recognised_skills(rec: Recommender) -> None:
    p = Profile("c", summary="Jeg er glad og positiv.")
    r = rec.rank(p, k=1)[0]
    assert not comp(r, "skills").active
    assert comp(r, "skills").weight == 0


def test_hard_geography_filter_drops_postings_beyond_the_radius(rec: Recommender) -> None:
    p = Profile("c", summary="Sygeplejerske", postcode=ODENSE, commute_km=30)
    got = ids(rec.rank(p, k=10))
    assert "nurse-ode" in got
    assert "nurse-skagen" not in got  # ~400 km away
    assert "carpenter" not in got  # Copenhagen, ~140 km
    assert "dev-aar" not in got
    assert "dev-remote" in got  # remote jobs pass
    assert "no-place" in got  # unknown workplace: the filter cannot apply
    for r in rec.rank(p, k=10):
        d = r.explanation.distance_km
        assert d is None or d <= 30


def test_geography_decays_softly_inside_the_radius(rec: Recommender) -> None:
    p = Profile("c", summary="Sygeplejerske", postcode=ODENSE, commute_km=1000)
    top = {r.posting_id: r for r in rec.rank(p, k=10)}
    near, far = comp(top["nurse-ode"], "geo"), comp(top["nurse-skagen"], "geo")
    assert near.value > far.value
    assert top["nurse-ode"].explanation.distance_km < top["nurse-skagen"].explanation.distance_km


def test_missing_postcode_switches_geography_off(rec: Recommender) -> None:
    p = Profile("c", summary="Sygeplejerske", commute_km=5)
    top = rec.rank(p, k=10)
    assert len(top) == len(rec)  # nothing filtered: the person cannot be placed
    assert not comp(top[0], "geo").active
    assert "postcode" not in top[0].explanation.fields_used


def test_wished_title_and_hours_lift_matching_postings(rec: Recommender) -> None:
    base = Profile("c", summary="Jeg er en god kollega.", postcode=ODENSE)
    wish = Profile("c", summary="Jeg er en god kollega.", postcode=ODENSE, wished_titles=["Tømrer"])
    r0 = {r.posting_id: r.rank for r in rec.rank(base, k=10)}
    r1 = {r.posting_id: r for r in rec.rank(wish, k=10)}
    assert r1["carpenter"].rank < r0["carpenter"]
    assert "wished_title" in r1["carpenter"].explanation.interests_matched
    assert comp(r1["carpenter"], "interests").value == 1.0
    part = Profile("c", summary="Jeg er en god kollega.", hours="deltid")
    r2 = {r.posting_id: r for r in rec.rank(part, k=10)}
    assert comp(r2["warehouse"], "interests").value > comp(r2["nurse-ode"], "interests").value


def test_wish_stated_in_the_summary_counts(rec: Recommender) -> None:
    p = Profile("c", summary="Jeg har arbejdet på lager og søger nu job som tømrer i Odense.")
    top = rec.rank(p, k=10)
    assert "stated_wishes" in top[0].explanation.fields_used
    carp = next(r for r in top if r.posting_id == "carpenter")
    assert comp(carp, "interests").value == 1.0


def test_no_swipe_hides_the_posting_and_its_copies_for_good(encoder: HashingEncoder) -> None:
    ps = postings() + [
        Posting(
            "carpenter-copy",
            "Tømrer",
            "Tømrer med svendebrev søges til renovering af boliger.",
            postcode=KBH,
            employer="Byg A/S",
            source="jobindex",
        )
    ]
    rec = Recommender.build(ps, encoder)
    p = Profile("c", summary="Tømrer med svendebrev", swipes=[Swipe("carpenter", "no")])
    for method in ("hybrid", "semantic", "lexical", "automatch"):
        got = ids(rec.rank(p, k=20, method=method))
        assert "carpenter" not in got and "carpenter-copy" not in got, method
    # A later "yes" overrides the "no" (the last reaction counts).
    p.swipes.append(Swipe("carpenter", "yes"))
    assert "carpenter" in ids(rec.rank(p, k=20)) or "carpenter-copy" in ids(rec.rank(p, k=20))


def test_yes_swipe_moves_similar_postings_up(encoder: HashingEncoder) -> None:
    places = ["Vejle", "Horsens", "Kolding", "Esbjerg", "Randers"]
    extra = ["om natten", "med truck", "i weekenden", "på fuld tid", "med god løn"]
    ps = [
        Posting(f"a{i}", "Lagermedarbejder", f"Pluk og pak på lager i {places[i]} {extra[i]}.")
        for i in range(5)
    ] + [
        Posting(f"b{i}", "Kok", f"Madlavning i kantine i {places[i]} {extra[i]}. Hygiejne.")
        for i in range(5)
    ]
    ps.append(Posting("liked", "Kok", "Madlavning i kantine. Hygiejne og menuplanlægning."))
    rec = Recommender.build(ps, encoder)
    neutral = Profile("c", summary="Jeg har arbejdet på lager og i køkken.")
    liked = Profile("c", summary=neutral.summary, swipes=[Swipe("liked", "yes")])

    def order(p: Profile) -> list[str]:  # the liked posting itself left out
        return [i for i in ids(rec.rank(p, k=20, method="semantic")) if i != "liked"]

    before, after_ids = order(neutral), order(liked)
    kok_before = np.mean([before.index(f"b{i}") for i in range(5)])
    kok_after = np.mean([after_ids.index(f"b{i}") for i in range(5)])
    assert kok_after < kok_before
    after = {r.posting_id: r for r in rec.rank(liked, k=20, method="semantic")}
    assert after["b0"].explanation.swipe_influence > 0
    assert after["a0"].explanation.swipe_influence < 0
    assert after["b0"].explanation.swipes_used["yes"] == 1


def test_duplicates_from_two_sources_are_merged(encoder: HashingEncoder) -> None:
    ps = postings() + [
        Posting(
            "dev-aar-jobnet",
            "Softwareudvikler (Python)",
            "Stillingen: du udvikler webapplikationer i Python og SQL.",
            postcode=AARHUS,
            employer="Netcompany",
            source="jobnet",
        )
    ]
    rec = Recommender.build(ps, encoder)
    p = Profile("c", summary="Softwareudvikler med Python og SQL")
    top = rec.rank(p, k=20)
    got = ids(top)
    assert ("dev-aar" in got) != ("dev-aar-jobnet" in got)
    kept = next(r for r in top if r.posting_id in {"dev-aar", "dev-aar-jobnet"})
    assert set(kept.explanation.merged_posting_ids) == {"dev-aar", "dev-aar-jobnet"} - {
        kept.posting_id
    }


def test_near_identical_texts_are_merged_by_cosine(encoder: HashingEncoder) -> None:
    text = "Chauffør til distributionskørsel i Storkøbenhavn. Kørekort C og CE. " * 3
    ps = [
        Posting("x1", "Chauffør", text, employer="A", postcode="2600"),
        Posting("x2", "Chauffør C/CE", text, employer="B", postcode="2650"),
        Posting("y", "Kok", "Madlavning i kantine.", employer="C"),
    ]
    rec = Recommender.build(ps, encoder, weights=Weights(dedup_cosine=0.98))
    got = ids(rec.rank(Profile("c", summary="chauffør"), k=3))
    assert len({"x1", "x2"} & set(got)) == 1
    assert len(got) == 2


def test_explanation_is_complete_and_json_serialisable(rec: Recommender) -> None:
    p = Profile(
        "c",
        summary="Sygeplejerske med erfaring i patientpleje",
        skills=["medicinhåndtering"],
        postcode=ODENSE,
        commute_km=50,
        wished_titles=["Sygeplejerske"],
        swipes=[Swipe("carpenter", "no")],
    )
    top = rec.rank(p, k=3)
    r = top[0]
    e = r.explanation
    doc = json.loads(json.dumps(asdict(r)))
    assert doc["explanation"]["algorithm_version"] == ALGORITHM_VERSION
    assert [c.name for c in e.components] == list(COMPONENTS)
    active = [c for c in e.components if c.active]
    assert abs(sum(c.contribution for c in e.components) - e.final_score) < 1e-4
    assert abs(sum(c.weight for c in active) - sum(c.weight for c in e.components)) < 1e-9
    assert e.final_score == pytest.approx(r.score, abs=1e-6)
    assert {"summary", "skills", "postcode", "commute_km", "wished_titles", "swipes"} <= set(
        e.fields_used
    )
    assert e.distance_km is not None and e.commute_km == 50
    assert e.swipes_used == {"yes": 0, "save": 0, "no": 1}
    assert [x.rank for x in top] == [1, 2, 3]
    assert all(a.score >= b.score for a, b in zip(top, top[1:], strict=False))


def test_index_is_updatable(rec: Recommender, encoder: HashingEncoder) -> None:
    p = Profile("c", summary="Frisør med svendebrev, klipning og farvning")
    assert "hair" not in ids(rec.rank(p, k=10))
    rec.add([Posting("hair", "Frisør", "Frisør til salon. Klipning og farvning.")])
    assert ids(rec.rank(p, k=1, method="semantic")) == ["hair"]
    n = len(rec)
    assert rec.remove(["hair", "unknown"]) == 1
    assert "hair" not in ids(rec.rank(p, k=10)) and len(rec) == n - 1
    # Removing many triggers compaction; ids and results stay consistent.
    rec.remove(["nurse-skagen", "carpenter", "no-place"])
    assert rec.n == len(rec) == 4
    assert set(ids(rec.rank(p, k=10))) == {"nurse-ode", "dev-aar", "dev-remote", "warehouse"}
    # Re-adding an id replaces the old version.
    rec.add([Posting("warehouse", "Frisør", "Frisør til salon. Klipning og farvning.")])
    assert len(rec) == 4
    assert rec.posting("warehouse").title == "Frisør"


def test_candidate_generation_keeps_the_best_with_a_small_pool(encoder: HashingEncoder) -> None:
    rec = Recommender.build(postings(), encoder, weights=Weights(n_candidates=2))
    p = Profile("c", summary="Tømrer med svendebrev til renovering af boliger.")
    assert ids(rec.rank(p, k=1)) == ["carpenter"]
    assert len(rec.rank(p, k=5)) == 5  # the pool grows with k


def test_hours_class() -> None:
    assert hours_class("FULL_TIME") == 1
    assert hours_class("deltid") == 2
    assert hours_class("25 timer om ugen") == 2
    assert hours_class("37") == 1
    assert hours_class(None) == 0


def test_empty_index_and_zero_k(encoder: HashingEncoder) -> None:
    rec = Recommender(encoder)
    assert rec.rank(Profile("c", summary="x"), k=5) == []
    assert Recommender.build(postings(), encoder).rank(Profile("c", summary="x"), k=0) == []


def test_title_containment_for_all_rows_matches_the_candidate_version(rec: Recommender) -> None:
    ctx = rec.context(Profile("c", summary="x", wished_titles=["sygeplejerske medicinsk", "kok"]))
    every = np.arange(rec.n, dtype=np.int64)
    index = rec.index
    slow = index.containment(index.title_terms, ctx.wished_title_terms, every)
    fast = index.containment(index.title_terms, ctx.wished_title_terms)
    assert np.allclose(slow, fast)
    assert fast.max() == 1.0 and 0 < sorted(set(fast.tolist()))[1] < 1


def test_an_ad_asking_only_for_a_language_is_no_full_skill_match() -> None:
    # Recognised skills are few in short ads: coverage of one "engelsk" is 100 % for everyone
    # who speaks English, and used to outweigh most of a person's trade in a longer ad.
    others = [
        Posting(
            f"cook-{i}", "Kok", "Du kan madlavning, anretning og fødevarehygiejne.", postcode="5000"
        )
        for i in range(4)
    ]
    rec = Recommender.build(
        [
            Posting("only-english", "Medarbejder", "Du taler engelsk.", postcode="5000"),
            Posting(
                "warehouse",
                "Lagermedarbejder",
                "Du kan truckkørsel, varemodtagelse, pluk og pak og lagerstyring og taler engelsk.",
                postcode="5000",
            ),
            *others,
        ],
        HashingEncoder(),
    )
    person = Profile(
        "p", skills=["engelsk", "truckkørsel", "varemodtagelse", "pluk og pak"], postcode="5000"
    )
    skills = {
        r.posting_id: next(c for c in r.explanation.components if c.name == "skills")
        for r in rec.rank(person, k=6)
    }
    assert skills["only-english"].raw == 1.0  # the share itself is still shown as it is
    assert skills["only-english"].value < skills["warehouse"].value
