"""Danish/English detection on real titles, skill lines, CVs and postings (tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from recommender.language import (
    MIN_EVIDENCE,
    MIN_SHARE,
    decide,
    detect_language,
    field_language,
    load_language_model,
)

EXAMPLES = json.loads(
    (Path(__file__).parent / "data" / "language_examples.json").read_text(encoding="utf-8")
)


def _cases(lang: str) -> list[str]:
    return EXAMPLES[lang]["short"] + EXAMPLES[lang]["long"]


@pytest.mark.parametrize("text", _cases("da"))
def test_danish_texts_are_danish(text: str) -> None:
    assert detect_language(text) == "da"


@pytest.mark.parametrize("text", _cases("en"))
def test_english_texts_are_english(text: str) -> None:
    assert detect_language(text) == "en"


@pytest.mark.parametrize("text", EXAMPLES["undecided"])
def test_fields_without_evidence_are_undecided(text: str) -> None:
    assert detect_language(text) is None


def test_a_field_falls_back_to_its_document() -> None:
    assert field_language("Receptionist", "da") == "da"
    assert field_language("Receptionist", None) is None
    assert field_language("Erfaren tømrer", "en") == "da"  # the field's own evidence wins


def test_decision_thresholds() -> None:
    assert decide(MIN_EVIDENCE * 0.99, 0.0) is None
    assert decide(MIN_EVIDENCE, 0.0) == "da"
    assert decide(0.0, MIN_EVIDENCE) == "en"
    # Too mixed to call: neither side holds MIN_SHARE of the evidence.
    assert decide(5.0, 5.0 * (1 - MIN_SHARE) / MIN_SHARE + 1.0) is None


def test_word_lists_do_not_contradict_each_other() -> None:
    data = json.loads(
        (Path(__file__).parent.parent / "recommender" / "data" / "language_words.json").read_text(
            encoding="utf-8"
        )
    )
    assert not set(data["da"]) & set(data["en"])
    assert not (set(data["da"]) | set(data["en"])) & set(data["neutral"])
    model = load_language_model()
    assert model.word_evidence("og") == (1.0, 0.0)
    assert model.word_evidence("the") == (0.0, 1.0)
    assert model.word_evidence("team") == (0.0, 0.0)
