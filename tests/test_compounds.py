"""Danish compound splitting: the hand-checked word list, and the lexical match it buys."""

import json
from pathlib import Path

import pytest

from recommender.compounds import compound_terms, expand_tokens, lexicon, split_compound
from recommender.text import stem, tokens

CASES_FILE = Path(__file__).resolve().parent / "data" / "compounds_da.json"


def _cases() -> dict[str, list[str]]:
    cases: dict[str, list[str]] = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]
    return cases


def _terms(text: str) -> set[str]:
    return set(expand_tokens(tokens(text)))


def test_word_list_splits_as_expected() -> None:
    cases = _cases()
    wrong = {w: got for w, want in cases.items() if (got := split_compound(w)) != want}
    assert not wrong, "\n".join(f"{w}: got {got}, want {cases[w]}" for w, got in wrong.items())


def test_word_list_covers_compounds_and_words_to_keep_whole() -> None:
    cases = _cases()
    assert len(cases) >= 60
    assert sum(len(parts) == 1 for parts in cases.values()) >= 20
    assert sum(len(parts) >= 3 for parts in cases.values()) >= 3
    for word in ("ejendomsservicetekniker", "kundeservicemedarbejder", "dagplejer"):
        assert len(cases[word]) > 1
    for word in ("advokat", "bilag", "forsikring", "ansvar", "medarbejder", "landmand"):
        assert cases[word] == [word]


@pytest.mark.parametrize(
    ("cv", "title", "shared"),
    [
        ("Jeg har arbejdet med kundeservice", "Kundeservicemedarbejder", {"kundeservic"}),
        ("Erfaring med ejendomsservice", "Ejendomsservicetekniker", {"ejendom", "servic"}),
        ("Jeg har kørt bus i ti år", "Buschauffør", {"bus"}),
        # Light stemming alone already folds these two; the split adds "dag" and "plej".
        ("Jeg har arbejdet i dagpleje", "Dagplejer", {"dagplej", "dag", "plej"}),
    ],
)
def test_cv_and_compound_title_share_stemmed_terms(cv: str, title: str, shared: set[str]) -> None:
    plain = set(tokens(cv)) & set(tokens(title))
    assert plain < shared  # without splitting they share less (mostly nothing)
    assert shared <= _terms(cv) & _terms(title)


def test_expansion_keeps_tokens_and_adds_each_level_of_parts() -> None:
    toks = tokens("Kundeservicemedarbejder søges")
    expanded = expand_tokens(toks)
    assert expanded[0] == toks[0]
    assert set(toks) <= set(expanded)
    # The inner compound and the leaves, stemmed as `tokens` stems a word on its own.
    for word in ("kundeservice", "kunde", "service", "medarbejder"):
        assert stem(word) in expanded


def test_simple_words_add_nothing() -> None:
    for word in ("advokat", "sygeplejerske", "forsikring", "kok", "c#", "2024", "e-mail"):
        assert compound_terms(stem(word)) == ()
    assert expand_tokens(["advokat", "kok"]) == ["advokat", "kok"]


def test_split_is_case_insensitive_and_returns_the_word_when_not_a_compound() -> None:
    assert split_compound("Kundeservice") == ["kunde", "service"]
    assert split_compound("xyzzyplugh") == ["xyzzyplugh"]


def test_lexicon_is_data_with_common_words_and_the_rules() -> None:
    lex = lexicon()
    assert len(lex.words) > 20_000
    assert lex.words["dag"] > lex.words["tekniker"] > 0
    assert "landmand" in lex.keep and "frem" in lex.not_parts
    assert lex.heads[stem("medarbejder")] == lex.words["medarbejder"]
