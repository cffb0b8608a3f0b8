"""The language gate of the skill recogniser: Danish words are not read as English labels.

Cases are in tests/data/false_friends.json; each is first shown to be a real trap (the matcher
without the gate, or the Danish catalogue, does name the concept), then shown to be avoided.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from recommender.esco import load_esco
from recommender.skills import DA, EN, SkillVocabulary, default_vocabulary, load_danish, phrase_key

CASES: list[dict[str, Any]] = json.loads(
    (Path(__file__).parent / "data" / "false_friends.json").read_text(encoding="utf-8")
)["cases"]


@pytest.fixture(scope="module")
def vocab() -> SkillVocabulary:
    return default_vocabulary()


def _catalogue_forms(uri: str) -> set[str]:
    return {
        phrase_key(form)
        for occ in load_danish()
        for sk in occ.get("skills", [])
        if sk.get("esco_uri") == uri
        for form in sk.get("da", [])
    }


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c["word"] for c in CASES])
def test_false_friend_is_not_recognised(vocab: SkillVocabulary, case: dict[str, Any]) -> None:
    text = case["text"]
    esco = vocab.esco
    for kind, label in case["not"]:
        if kind == "skill":
            i = vocab.labels_en.index(label)
            if case.get("trap") == "catalogue":
                assert _catalogue_forms(vocab.uris[i]) & set(phrase_key(text).split())
            else:
                assert i in vocab.skills.ids_in(text), "no trap: the ungated matcher misses it"
            assert i not in vocab.recognise(text), label
            assert i not in vocab.recognise("", [text]), label  # nor as a skill field
        else:
            i = esco.occ_labels.index(label)
            assert i in vocab.occupations.ids_in(text), "no trap: the ungated matcher misses it"
            assert vocab.occupation_of_title(text) != i, label


def _labels(vocab: SkillVocabulary, ids: set[int]) -> set[str]:
    return {vocab.labels_en[i] for i in ids}


def test_english_labels_still_work_on_english_text(vocab: SkillVocabulary) -> None:
    found = _labels(vocab, vocab.recognise("I handle the leasing process and register trademarks."))
    assert {"leasing process", "trademarks"} <= found
    assert "leasing process" in _labels(vocab, vocab.recognise("The rent is paid monthly."))
    assert vocab.occupation_of_title("Head chef") == vocab.esco.occ_labels.index("head chef")


def test_names_count_in_danish_text_but_not_when_they_spell_danish(vocab: SkillVocabulary) -> None:
    found = _labels(vocab, vocab.recognise("Erfaring med Python, SQL og JavaScript.", lang="da"))
    assert {"Python (computer programming)", "SQL", "JavaScript"} <= found
    assert vocab.english_scope("SQL") == EN | DA
    assert vocab.english_scope("leasing process") == EN
    assert vocab.english_scope("SMED") == EN  # the Danish smith
    assert vocab.english_scope("IT equipment") == EN  # "IT" is dropped: "equipment" is no name


def test_danish_catalogue_forms_work_on_danish_text(vocab: SkillVocabulary) -> None:
    text = "Jeg har erfaring med medicinhåndtering, kørekort B og truckcertifikat."
    found = _labels(vocab, vocab.recognise(text))
    assert {"drive vehicles", "operate forklift"} <= found  # transversal_da entries
    assert vocab.labels_en.index("drive vehicles") in vocab.transversal_ids
    assert any(vocab.label(i) == "medicinhåndtering" for i in vocab.recognise(text))
    # Danish forms are not read in English text.
    assert not vocab.recognise("Driving licence: kørekort B", lang="en") & vocab.recognise(
        "kørekort B", lang="da"
    )


def test_each_line_is_read_in_its_own_language(vocab: SkillVocabulary) -> None:
    cv = (
        "Jeg er uddannet datamatiker og har arbejdet fem år i en bank.\n"
        "Skills: project management and stakeholder management"
    )
    found = _labels(vocab, vocab.recognise(cv))
    assert "project management" in found
    assert "economics" not in found  # "bank" stays Danish in the Danish line


def test_uris_always_count(vocab: SkillVocabulary) -> None:
    uri = vocab.uris[vocab.labels_en.index("leasing process")]
    assert vocab.index[uri] in vocab.recognise("Vi betaler husleje og rent tøj.", [uri])


def test_unknown_language_reads_every_phrase() -> None:
    esco = load_esco()
    vocab = SkillVocabulary(esco)
    assert esco.skill_labels.index("SQL") in vocab.recognise("", ["SQL"])
    assert vocab.is_occupation_title("receptionist")
