"""Tell Danish from English text, for fields as short as a job title.

Each word is evidence: a word from one of the two frequent-word lists in
`recommender/data/language_words.json` counts 1 for its language; any other word counts what its
spelling suggests (æ/ø/å, Danish suffixes such as -hed, -ligt, -ningen; English letter patterns
such as th-, -ness, ee, w), at most 1. Words in both lists, or in the list of shared loanwords
("job", "team", "software manager"...), are no evidence. A text is Danish or English when its
evidence adds up to at least `MIN_EVIDENCE` and one language holds at least `MIN_SHARE` of it;
otherwise the answer is None ("cannot tell"), and a field then takes its document's language
(`field_language`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

from .esco import DATA_DIR
from .text import normalise

WORDS_FILE = DATA_DIR / "language_words.json"

Language = Literal["da", "en"]
LANGUAGES: tuple[Language, Language] = ("da", "en")

#: Evidence a text needs before it is called Danish or English: one listed word, or two
#: words whose spelling points the same way.
MIN_EVIDENCE = 1.0
#: Share of the evidence the winning language must hold; mixed texts below it are undecided.
MIN_SHARE = 0.6

_LETTERS = re.compile(r"[a-zæøåäöüéè]+")


@dataclass(frozen=True)
class LanguageModel:
    """The word lists and spelling patterns that `detect_language` weighs."""

    words: dict[str, Language]
    neutral: frozenset[str]
    patterns: dict[Language, tuple[tuple[re.Pattern[str], float], ...]]

    # Words repeat across texts; their evidence is remembered (a few MB at most).
    _memo: dict[str, tuple[float, float]] = field(default_factory=dict, compare=False, repr=False)

    def word_evidence(self, word: str) -> tuple[float, float]:
        """(Danish, English) evidence of one lower-case word."""
        known = self._memo.get(word)
        if known is None:
            known = self._memo[word] = self._word_evidence(word)
        return known

    def _word_evidence(self, word: str) -> tuple[float, float]:
        listed = self.words.get(word)
        if listed is not None:
            return (1.0, 0.0) if listed == "da" else (0.0, 1.0)
        if word in self.neutral:
            return 0.0, 0.0
        da, en = (
            max((w for p, w in self.patterns[lang] if p.search(word)), default=0.0)
            for lang in LANGUAGES
        )
        return da, en

    def evidence(self, text: str) -> tuple[float, float]:
        """Summed (Danish, English) evidence of a text."""
        da = en = 0.0
        for word in _LETTERS.findall(normalise(text)):
            d, e = self.word_evidence(word)
            da += d
            en += e
        return da, en


def load_language_model(path: Path = WORDS_FILE) -> LanguageModel:
    """Read the word lists and patterns (see the module docstring for the file's shape)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    words: dict[str, Language] = {}
    for lang in LANGUAGES:
        for w in data[lang]:
            words[w] = lang
    patterns = {
        lang: tuple((re.compile(p), float(w)) for p, w in data["patterns"][lang])
        for lang in LANGUAGES
    }
    return LanguageModel(words, frozenset(data.get("neutral", [])), patterns)


@lru_cache(maxsize=1)
def default_language_model() -> LanguageModel:
    """The process-wide model from the shipped word file."""
    return load_language_model()


def decide(da: float, en: float) -> Language | None:
    """The language that (Danish, English) evidence points to, or None when it is too weak."""
    total = da + en
    if total < MIN_EVIDENCE:
        return None
    if da / total >= MIN_SHARE:
        return "da"
    if en / total >= MIN_SHARE:
        return "en"
    return None


def detect_language(text: str, model: LanguageModel | None = None) -> Language | None:
    """ "da", "en", or None when `text` gives too little or too mixed evidence."""
    return decide(*(model or default_language_model()).evidence(text or ""))


def field_language(
    field: str, document_language: Language | None = None, model: LanguageModel | None = None
) -> Language | None:
    """The language of one field (a title, a skill), else of the document it belongs to.

    A job title such as "Receptionist" says nothing by itself; the posting around it does.
    """
    return detect_language(field, model) or document_language
