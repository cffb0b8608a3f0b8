"""How the ranker understands what it gets: free-text CVs, unknown titles, other languages.

Uses the deterministic HashingEncoder and a small fake concept reader in place of the ESCO label
index (its own tests, with the real model, are in test_label_index.py): these tests check the
wiring, not the model.
"""

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pytest

from recommender.alternatives import experience_skills
from recommender.encoders import HashingEncoder
from recommender.esco import load_esco
from recommender.index import LANGUAGE_CODES
from recommender.ranking import Recommender, is_free_text_only
from recommender.scoring import fuse
from recommender.types import ConceptMatch, Posting, Profile

AARHUS = (56.1567, 10.2108)
COPENHAGEN = (55.6761, 12.5683)

FREE_TEXT_CV = """Mette Jensen
Bopæl: 8000 Aarhus C
Jeg kan pendle op til 25 km.

Erhvervserfaring
2015-2024 Bådebygger, Aarhus Træbådeværft
Bygning og reparation af træbåde, lamineringsarbejde og glasfiber.

Uddannelse
2011 Bådebygger (svendebrev), EUC Syd
"""


class FakeReader:
    """Knows one title, records what it was asked."""

    def __init__(self, title: str, uri: str) -> None:
        esco = load_esco()
        self.title, self.index, self.uri = title, esco.occ_index[uri], uri
        self.asked: list[list[str]] = []

    def occupations(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]:
        self.asked.append(list(texts))
        hit = ConceptMatch("occupation", self.index, self.uri, self.title, 0.9, "semantic")
        return [[hit] if t == self.title else [] for t in texts]

    def skills(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]:
        return [[] for _ in texts]


def shipwright_uri() -> str:
    esco = load_esco()
    return esco.occ_uris[esco.occ_labels.index("shipwright")]


def posting(pid: str, title: str, text: str, at: tuple[float, float]) -> Posting:
    return Posting(pid, title, text, lat=at[0], lon=at[1], employer=f"Firma {pid}")


def test_a_free_text_cv_is_read_for_home_and_commute() -> None:
    near = posting("near", "Bådebygger", "Værft søger bådebygger til træbåde.", AARHUS)
    far = posting(
        "far", "Bådebygger", "Værft søger bådebygger til træbåde og glasfiber.", COPENHAGEN
    )
    rec = Recommender.build([near, far], HashingEncoder())
    profile = Profile("p", summary=FREE_TEXT_CV)
    assert is_free_text_only(profile)
    ranked = rec.rank(profile, k=5)
    # The home and the 25 km radius come from the text: Copenhagen (150 km) is out of reach.
    assert [r.posting_id for r in ranked] == ["near"]
    expl = ranked[0].explanation
    assert expl.commute_km == 25 and expl.distance_km is not None and expl.distance_km < 5
    assert "postcode" in expl.fields_used and "summary" in expl.fields_used


def test_a_structured_profile_is_not_read_again() -> None:
    rec = Recommender(HashingEncoder())
    profile = Profile("p", summary=FREE_TEXT_CV, work_titles=["Bådebygger"])
    assert not is_free_text_only(profile)
    assert rec.understand(profile) is profile


def test_unknown_titles_go_to_the_concept_reader_once_in_one_batch() -> None:
    uri = shipwright_uri()
    reader = FakeReader("Træbådsbygger til klassiske skibe", uri)
    postings = [
        posting(f"p{i}", "Træbådsbygger til klassiske skibe", "Vi bygger klassiske skibe.", AARHUS)
        for i in range(3)
    ] + [posting("x", "Zzyzx qwertyuiop", "Noget helt andet.", AARHUS)]
    rec = Recommender(HashingEncoder(), label_index=reader)
    rec.add(postings)
    assert len(reader.asked) == 1
    assert sorted(reader.asked[0]) == ["Træbådsbygger til klassiske skibe", "Zzyzx qwertyuiop"]
    occ = rec.index.occupation
    assert [int(occ[rec.index.position(f"p{i}")]) for i in range(3)] == [reader.index] * 3
    assert int(occ[rec.index.position("x")]) == -1  # nothing confident: nothing asserted
    rec.index.compact()
    assert len(reader.asked) == 1  # what was read is kept, not read again


def test_without_a_reader_unknown_titles_stay_unknown() -> None:
    rec = Recommender.build(
        [posting("p", "Træbådsbygger til klassiske skibe", "Vi bygger skibe.", AARHUS)],
        HashingEncoder(),
    )
    assert int(rec.index.occupation[0]) == -1


def test_what_was_read_is_listed_with_its_source_and_a_rejection_is_never_used() -> None:
    uri = shipwright_uri()
    reader = FakeReader("Træbådsbygger til klassiske skibe", uri)
    rec = Recommender(HashingEncoder(), label_index=reader)
    rec.add([posting("p", "Lastbilchauffør", "Kør lastbil.", AARHUS)])
    esco, vocab = rec.esco, rec.vocab
    truck = vocab.occupation_of_title("Lastbilchauffør")
    assert truck is not None
    truck_uri = esco.occ_uris[truck]
    picked = vocab.uris[0]  # a skill the person picked from ESCO: not an inference
    person = Profile(
        "p",
        summary="Jeg har kørt lastbil og har kørekort.",
        work_titles=["Lastbilchauffør", "Træbådsbygger til klassiske skibe"],
        skills=["truckcertifikat", picked],
    )
    read = {c.uri: c for c in rec.inferred(person)}
    assert read[truck_uri].kind == "occupation" and read[truck_uri].source == "Lastbilchauffør"
    assert read[uri].source == "Træbådsbygger til klassiske skibe"  # via the concept reader
    skills = [c for c in read.values() if c.kind == "skill"]
    assert skills and picked not in read
    assert any(c.source == "truckcertifikat" for c in skills)
    assert not any(c.rejected for c in read.values())
    text_skill = next(c for c in skills if c.source == "truckcertifikat")

    ctx = rec.context(person)
    assert vocab.index[text_skill.uri] in ctx.skill_set and reader.index in ctx.wished_occ

    corrected = replace(person, rejected_concepts=[text_skill.uri, uri])
    read = {c.uri: c for c in rec.inferred(corrected)}
    assert read[text_skill.uri].rejected and read[uri].rejected  # listed, so it can be undone
    ctx = rec.context(corrected)
    assert vocab.index[text_skill.uri] not in ctx.skill_set
    assert reader.index not in ctx.wished_occ and uri not in ctx.read_occupations


def test_a_rejected_work_occupation_implies_no_skills_for_alternatives() -> None:
    rec = Recommender(HashingEncoder())
    truck = rec.vocab.occupation_of_title("Lastbilchauffør")
    assert truck is not None
    person = Profile("p", work_titles=["Lastbilchauffør"])
    essentials = set(rec.esco.essential[truck].indices.tolist())
    assert essentials <= set(experience_skills(rec, person, np.zeros(0, np.int32)).tolist())
    corrected = replace(person, rejected_concepts=[rec.esco.occ_uris[truck]])
    assert experience_skills(rec, corrected, np.zeros(0, np.int32)).size == 0


def test_postings_get_their_language() -> None:
    da = posting("da", "Sygeplejerske", "Vi søger en sygeplejerske til vores afdeling.", AARHUS)
    en = posting("en", "Nurse", "We are looking for a nurse to join our ward team.", AARHUS)
    rec = Recommender.build([da, en], HashingEncoder())
    lang = rec.index.language
    assert int(lang[rec.index.position("da")]) == LANGUAGE_CODES["da"]
    assert int(lang[rec.index.position("en")]) == LANGUAGE_CODES["en"]


def test_words_do_not_count_across_languages() -> None:
    # The Danish CV and the English ad share the word "software" and a few more; a Danish ad
    # shares them too. BM25 must not count for the English ad, and the explanation says why.
    cv = "Jeg er softwareudvikler og har arbejdet med software, Python og databaser i ti år."
    da = posting(
        "da", "Softwareudvikler", "Vi søger en softwareudvikler med erfaring i Python.", AARHUS
    )
    en = posting(
        "en",
        "Software developer",
        "We are looking for a software developer with Python and database experience.",
        AARHUS,
    )
    rec = Recommender.build([da, en], HashingEncoder())
    ranked = {r.posting_id: r for r in rec.rank(Profile("p", summary=cv, work=["x"]), k=5)}
    lex = {
        pid: next(c for c in r.explanation.components if c.name == "lexical")
        for pid, r in ranked.items()
    }
    assert lex["da"].weight > 0 and lex["en"].weight == 0
    assert lex["en"].note == "other_language" and not lex["en"].active


def test_fusion_weighs_each_component_by_what_it_can_know() -> None:
    import numpy as np

    values = {
        "semantic": np.array([0.8, 0.8]),
        "lexical": np.array([0.9, 0.1]),
        "skills": np.zeros(2),
        "geo": np.zeros(2),
        "interests": np.zeros(2),
    }
    used = {"semantic": 1.0, "lexical": 1.0, "skills": 0.0, "geo": 0.0, "interests": 0.0}
    ones = np.ones(2)
    plain = fuse(values, used)
    assert plain == pytest.approx([0.85, 0.45])
    reliability = {c: ones for c in values} | {"lexical": np.array([1.0, 0.0])}
    # The second candidate's lexical value is unknowable: it neither helps nor hurts it.
    assert fuse(values, used, reliability) == pytest.approx([0.85, 0.8])
