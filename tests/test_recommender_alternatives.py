"""Alternative jobs from ESCO occupation–skill relations, and the automatch baseline."""

import pytest

from recommender.alternatives import find_alternatives, occupation_scores
from recommender.encoders import HashingEncoder
from recommender.esco import load_esco
from recommender.ranking import Recommender
from recommender.types import Posting, Profile


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


def test_alternatives_come_from_other_isco_groups(encoder: HashingEncoder) -> None:
    esco = load_esco()
    o = occupation("software developer")
    rec = Recommender.build(
        [Posting("p1", "Softwareudvikler", "Python og SQL.", isco_code="2512")], encoder
    )
    person = Profile(
        "c",
        summary="Jeg har udviklet software i mange år.",
        skills=essential_labels(o),
        wished_isco_codes=["2512"],
    )
    alts = rec.alternatives(person, k=5)
    assert alts, "a developer's skills carry over somewhere"
    held = rec.vocab.recognise("", person.skills)
    for a in alts:
        assert a.isco_group != "25"  # the person's own sub-major group is left out
        assert a.isco_code[:2] == a.isco_group
        assert 0 < a.coverage <= 1
        assert a.transferable_skills
        uris = {rec.vocab.uris[i] for i in held}
        assert all(s.uri in uris for s in a.transferable_skills)
        ess = {esco.skill_uris[s] for s in esco.essential[esco.occ_index[a.occupation_uri]].indices}
        assert all(s.uri in ess and s.uri not in uris for s in a.skills_to_learn)
    assert [a.score for a in alts] == sorted((a.score for a in alts), reverse=True)


def test_alternatives_carry_their_postings(encoder: HashingEncoder) -> None:
    o = occupation("software developer")
    person = Profile(
        "c", summary="Udvikler.", skills=essential_labels(o), wished_isco_codes=["2512"]
    )
    rec = Recommender.build(
        [Posting("own", "Softwareudvikler", "Python.", isco_code="2512")], encoder
    )
    first = rec.alternatives(person, k=3)
    target = first[0]
    rec.add(
        [
            Posting("alt-1", "Job A", "Tekst om jobbet.", occupation_uri=target.occupation_uri),
            Posting("alt-2", "Job B", "Mere tekst.", isco_code=target.isco_code),
            Posting("other", "Job C", "Noget helt andet.", isco_code="9112"),
        ]
    )
    again = {a.occupation_uri: a for a in rec.alternatives(person, k=3)}
    got = {r.posting_id for r in again[target.occupation_uri].postings}
    assert got == {"alt-1", "alt-2"}
    assert all(r.explanation.method == "hybrid" for r in again[target.occupation_uri].postings)


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
