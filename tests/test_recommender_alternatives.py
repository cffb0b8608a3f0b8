"""Alternative jobs from ESCO occupation–skill relations, and the automatch baseline."""

import pytest

from recommender.alternatives import (
    MAX_PER_UNIT_GROUP,
    distinct_skills,
    experience_skills,
    find_alternatives,
    isco_skill_level,
    occupation_scores,
)
from recommender.encoders import HashingEncoder
from recommender.esco import load_esco
from recommender.ranking import Recommender
from recommender.skills import phrase_key
from recommender.types import Alternative, Posting, Profile


def occupation(label: str) -> int:
    esco = load_esco()
    return esco.occ_labels.index(label)


def essential_labels(o: int) -> list[str]:
    esco = load_esco()
    return [esco.skill_labels[s] for s in esco.essential[o].indices]


@pytest.fixture(scope="module")
def encoder() -> HashingEncoder:
    return HashingEncoder()


def test_occupation_scores_rank_the_source_occupation_first(encoder: HashingEncoder) -> None:
    rec = Recommender(encoder)
    o = occupation("software developer")
    skills = rec.vocab.as_array(rec.vocab.recognise("", essential_labels(o)))
    score, coverage, held = occupation_scores(rec, skills)
    assert int(score.argmax()) == o or coverage[o] >= 0.9
    assert held[o] >= 0.8 * load_esco().essential[o].nnz


def coded(pid: str, label: str, postcode: str = "5000") -> Posting:
    """A posting coded with the ESCO occupation of that English label."""
    esco = load_esco()
    return Posting(
        pid,
        f"Job som {label}",
        f"Vi søger en {label}.",
        occupation_uri=esco.occ_uris[occupation(label)],
        postcode=postcode,
    )


NEAR = ["5000", "5200", "5220", "5230", "5260"]  # Odense, within 30 km of 5000


def local_market(labels: list[str]) -> list[Posting]:
    """Two postings of each occupation, at postcodes around Odense."""
    return [
        coded(f"{label}-{n}", label, NEAR[(i + n) % len(NEAR)])
        for i, label in enumerate(labels)
        for n in range(2)
    ]


def with_postings(alts: list[Alternative]) -> list[Alternative]:
    return [a for a in alts if a.postings]


TRUCK_DRIVER_MARKET = [
    "cargo vehicle driver",  # the person's own occupation
    "dangerous goods driver",  # own unit group 8332
    "bus driver",  # 8331: same sub-major group 83, another field for the person
    "taxi driver",
    "private chauffeur",
    "armoured car driver",
    "cook",
    "accountant",
]


def truck_driver() -> Profile:
    return Profile(
        "truck",
        summary="Jeg har kørt lastbil i 20 år.",
        work_titles=["Lastbilchauffør"],
        postcode="5000",
        commute_km=30,
    )


def test_truck_driver_gets_alternatives_with_postings_nearby(encoder: HashingEncoder) -> None:
    far = [coded("hearse-far", "hearse driver", "9990"), coded("bus-far", "bus driver", "9990")]
    rec = Recommender.build(local_market(TRUCK_DRIVER_MARKET) + far, encoder)
    alts = rec.alternatives(truck_driver(), k=5)
    assert len(with_postings(alts)) >= 3
    esco = load_esco()
    own = occupation("cargo vehicle driver")
    for a in alts:
        assert a.occupation_uri != esco.occ_uris[own]
        assert a.isco_code != "8332"  # neither the person's occupation nor its unit group
        assert not {r.posting_id for r in a.postings} & {"hearse-far", "bus-far"}
    labels = {a.label for a in alts}
    assert "bus driver" in labels  # a 2-digit exclusion would have removed it
    assert not labels & {"cook", "accountant"}  # no skills in common: not plausible
    assert sum(a.isco_code == "8322" for a in alts) <= MAX_PER_UNIT_GROUP


def test_marine_engineer_gets_alternatives_among_engineers(encoder: HashingEncoder) -> None:
    market = [
        "marine engineer",
        "mechanical engineer",  # own unit group 2144
        "industrial engineer",
        "surface engineer",
        "robotics engineer",
        "fisheries refrigeration engineer",
        "marine engineering technician",
        "hairdresser",
    ]
    rec = Recommender.build(local_market(market), encoder)
    person = Profile(
        "marine",
        summary="Skibsingeniør med erfaring fra værfter.",
        work_titles=["Skibsingeniør"],
        postcode="5000",
        commute_km=30,
    )
    alts = rec.alternatives(person, k=5)
    assert len(with_postings(alts)) >= 3
    assert all(a.isco_code != "2144" for a in alts)
    assert "hairdresser" not in {a.label for a in alts}
    assert [a.score for a in alts] == sorted((a.score for a in alts), reverse=True)


def test_postings_outside_the_commute_area_never_appear(encoder: HashingEncoder) -> None:
    far = local_market(TRUCK_DRIVER_MARKET)
    for p in far:
        p.postcode = "9990"  # Skagen, about 250 km from Odense
    rec = Recommender.build([*far, coded("near", "bus driver", "5200")], encoder)
    alts = rec.alternatives(truck_driver(), k=5)
    assert [r.posting_id for a in alts for r in a.postings] == ["near"]
    assert all(
        r.explanation.distance_km is not None and r.explanation.distance_km <= 30
        for a in alts
        for r in a.postings
    )


def test_skills_to_learn_are_new_and_distinct(encoder: HashingEncoder) -> None:
    rec = Recommender.build(local_market(TRUCK_DRIVER_MARKET), encoder)
    person = truck_driver()
    alts = rec.alternatives(person, k=5)
    assert alts
    ctx = rec.context(person)
    held = {int(s) for s in experience_skills(rec, person, ctx.skills)}
    held_uris = {rec.vocab.uris[s] for s in held}
    held_labels = {rec.vocab.label(s) for s in held}
    for a in alts:
        learn = [s.label for s in a.skills_to_learn]
        assert not {s.uri for s in a.skills_to_learn} & held_uris
        assert not set(learn) & held_labels
        assert len(set(learn)) == len(learn)
        transfer = [s.label for s in a.transferable_skills]
        assert {s.uri for s in a.transferable_skills} <= held_uris
        assert len(set(transfer)) == len(transfer)


def test_distinct_skills_drops_near_synonyms(encoder: HashingEncoder) -> None:
    rec = Recommender(encoder)
    esco = rec.esco
    by_label = {phrase_key(label): i for i, label in enumerate(esco.skill_labels)}
    # A skill whose alternative label is another skill's preferred label: one skill, two wordings.
    a, b = next(
        (i, by_label[phrase_key(alt)])
        for i, alts in enumerate(esco.skill_alt)
        for alt in alts
        if by_label.get(phrase_key(alt), i) != i
    )
    assert len(distinct_skills(rec, [a, b])) == 1
    assert len(distinct_skills(rec, [b, a])) == 1
    assert distinct_skills(rec, [a], known=[b]) == []
    same = [i for i in range(rec.vocab.n) if rec.vocab.label(i) == rec.vocab.label(a)]
    assert distinct_skills(rec, same) == distinct_skills(rec, same)[:1]


def test_a_longer_step_comes_after_the_candidates_and_never_goes_up_a_skill_level(
    encoder: HashingEncoder,
) -> None:
    market = [
        "baker",  # the person's own occupation
        "butcher",  # shares 7 essential skills: a candidate
        "brew house operator",  # 9 % of its essential skills, 4 held: a longer step (level 2)
        "food safety inspector",  # as many held, but a level-3 occupation for a level-2 baker
        "food technologist",  # 5 held, a professional (level 4): takes a degree
        "bartender",  # nothing in common
    ]
    rec = Recommender.build(local_market(market), encoder)
    person = Profile(
        "baker", summary="Bager i 10 år.", work_titles=["Bager"], postcode="5000", commute_km=30
    )
    labels = [a.label for a in with_postings(rec.alternatives(person, k=5))]
    assert labels == ["butcher", "brew house operator"]


def test_skill_levels_of_isco_codes() -> None:
    assert [isco_skill_level(c) for c in ("2221", "3412", "5414", "9333", "1420")] == [
        4,
        3,
        2,
        1,
        4,
    ]
    # Armed forces by sub-major group: an officer's post is no longer step for a guard.
    assert [isco_skill_level(c) for c in ("0110", "0210", "0310", "0")] == [4, 3, 2, None]


def test_alternatives_carry_their_postings(encoder: HashingEncoder) -> None:
    rec = Recommender.build(local_market(TRUCK_DRIVER_MARKET), encoder)
    target = rec.alternatives(truck_driver(), k=3)[0]
    rec.add(
        [
            Posting(
                "isco-only", "Job B", "Mere tekst.", isco_code=target.isco_code, postcode="5000"
            ),
            Posting("other", "Job C", "Noget helt andet.", isco_code="9112", postcode="5000"),
        ]
    )
    again = {a.occupation_uri: a for a in rec.alternatives(truck_driver(), k=3)}
    got = {r.posting_id for r in again[target.occupation_uri].postings}
    assert "isco-only" in got  # a posting coded with only the unit group
    assert "other" not in got
    assert {p.split("-")[0] for p in got - {"isco-only"}} == {target.label}
    assert all(r.explanation.method == "hybrid" for r in again[target.occupation_uri].postings)
    assert [r.rank for r in again[target.occupation_uri].postings] == list(range(1, len(got) + 1))


def test_no_skills_no_alternatives(encoder: HashingEncoder) -> None:
    rec = Recommender.build([Posting("p", "Kok", "Mad.")], encoder)
    assert find_alternatives(rec, Profile("c", summary="Hej."), k=5) == []


# --------------------------------------------------------------------------- automatch


def market() -> list[Posting]:
    return [
        Posting("kok-near", "Kok til kantine", "Madlavning.", postcode="5000"),
        Posting("kok-far", "Kok", "Madlavning.", postcode="5700"),
        Posting("kok-outside", "Køkkenchef og kok", "Ledelse.", postcode="9990"),
        Posting(
            "unskilled", "Opvasker", "Ingen krav om uddannelse. Vi oplærer dig.", postcode="5200"
        ),
        Posting("skilled", "Elektriker", "Svendebrev påkrævet.", postcode="5000"),
        Posting(
            "isco9",
            "Rengøringsassistent",
            "Rengøring af kontorer.",
            isco_code="9112",
            postcode="5000",
        ),
    ]


def test_automatch_title_matches_first_then_no_qualification_jobs(encoder: HashingEncoder) -> None:
    rec = Recommender.build(market(), encoder)
    p = Profile("c", summary="Jeg er kok.", wished_titles=["kok"], postcode="5000", commute_km=60)
    got = [r.posting_id for r in rec.rank(p, k=10, method="automatch")]
    assert got[:2] == ["kok-near", "kok-far"]  # title match, nearest first
    assert "kok-outside" not in got  # beyond the radius
    assert set(got[2:]) == {"unskilled", "isco9"}  # topped up with jobs needing no qualifications
    assert "skilled" not in got
    r = rec.rank(p, k=1, method="automatch")[0]
    assert r.explanation.method == "automatch"
    assert r.explanation.distance_km == 0.0


def test_automatch_falls_back_to_work_titles(encoder: HashingEncoder) -> None:
    rec = Recommender.build(market(), encoder)
    p = Profile("c", summary="Erfaren.", work_titles=["Elektriker"])
    got = [r.posting_id for r in rec.rank(p, k=10, method="automatch")]
    assert got[0] == "skilled"


def test_automatch_variants(encoder: HashingEncoder) -> None:
    esco = load_esco()
    cook = esco.occ_uris[esco.occ_labels.index("cook")]
    rec = Recommender.build(
        market() + [Posting("coded", "Madmager", "Mad.", occupation_uri=cook)], encoder
    )
    p = Profile("c", summary="Jeg søger job som opvasker.", wished_titles=["cook"])
    coded = [r.posting_id for r in rec.rank(p, k=10, method="automatch-occupation")]
    literal = [r.posting_id for r in rec.rank(p, k=10, method="automatch")]
    why = {
        m: {r.posting_id: r.explanation.interests_matched for r in rec.rank(p, k=10, method=m)}
        for m in ("automatch-occupation", "automatch-stated")
    }
    # Same ESCO occupation as the wish, whatever the title says ("Kok" maps to cook too).
    assert {"coded", "kok-near"} <= set(coded[:4])
    assert "coded" not in literal and "kok-near" not in literal
    # Only the variant that reads the summary sees the wish to wash dishes.
    assert why["automatch-occupation"]["unskilled"] == ["no_qualifications"]
    assert why["automatch-stated"]["unskilled"] == ["wished_title"]
    with pytest.raises(ValueError):
        rec.rank(p, k=1, method="automatch-nonsense")
