"""Recognise ESCO skills and occupations in Danish and English text.

A `PhraseMatcher` maps token phrases (stemmed, without stopwords: see `recommender.text`) to
integer ids and finds them in a text by greedy longest match, so "manage musical staff" wins
over "manage staff" and a phrase is counted once. Skill phrases come from ESCO's English
preferred and alternative labels and, when `recommender/data/occupations_da.json` is present,
from its Danish surface forms; occupation phrases from ESCO's English labels and the Danish
titles of that file.
split_words(
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .esco import DATA_DIR, EscoData, load_esco
from .text import STOPWORDS, split_words, tokens, words

DANISH_FILE = DATA_DIR / "occupations_da.json"

# Single-word labels that are also everyday words in Danish or job-ad English and would
# otherwise be read as skills almost everywhere.
_AMBIGUOUS = frozenset(
    split_words(
        """
    less energy communication logic service design drive care team time data office management
    sales support planning administration information quality safety
        """
    )
)


def phrase_key(text: str) -> str:
    """The normalised key of a phrase: its lexical tokens (stemmed, no stopwords) joined."""
    return " ".join(tokens(text))


@dataclass
class PhraseMatcher:
    """Greedy longest-match dictionary of phrases → ids."""

    phrases: dict[str, list[int]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)  # first token → longest phrase length

    def add(self, phrase: str, ident: int, *, allow_single: bool = True) -> None:
        """Register a phrase for an id (phrases too short or too ambiguous are skipped)."""
        key = phrase_key(phrase)
        toks = key.split()
        if not toks:
            return
        if len(toks) == 1 and (
            not allow_single
            or len(toks[0]) < 3
            or toks[0] in _AMBIGUOUS
            or toks[0].isdigit()
            # "handle M&A" shrinks to "handl" once one-letter words go: too vague to keep.
            or len([w for w in words(phrase) if w not in STOPWORDS]) > 1
        ):
            return
        ids = self.phrases.setdefault(key, [])
        if ident not in ids:
            ids.append(ident)
        self.first[toks[0]] = max(self.first.get(toks[0], 0), len(toks))

    def find(self, text: str) -> list[tuple[int, int, list[int]]]:
        """Matches in `text` as (token position, phrase length, ids), left to right."""
        return self.find_tokens(tokens(text))

    def find_tokens(self, toks: list[str]) -> list[tuple[int, int, list[int]]]:
        """Matches in an already tokenised text (`recommender.text.tokens`)."""
        out: list[tuple[int, int, list[int]]] = []
        i, n = 0, len(toks)
        while i < n:
            longest = self.first.get(toks[i], 0)
            step = 1
            for length in range(min(longest, n - i), 0, -1):
                ids = self.phrases.get(" ".join(toks[i : i + length]))
                if ids:
                    out.append((i, length, ids))
                    step = length
                    break
            i += step
        return out

    def ids_in(self, text: str) -> set[int]:
        """All ids whose phrases occur in `text`."""
        return {i for _, _, ids in self.find(text) for i in ids}

    def ids_in_tokens(self, toks: list[str]) -> set[int]:
        """All ids whose phrases occur in a tokenised text."""
        return {i for _, _, ids in self.find_tokens(toks) for i in ids}


def load_danish(path: Path = DANISH_FILE) -> list[dict[str, Any]]:
    """The Danish occupation/skill vocabulary, or [] when the file is absent or unreadable."""
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return []
    if isinstance(data, dict):
        data = data.get("occupations", [])
    return [d for d in data if isinstance(d, dict)]


class SkillVocabulary:
    """ESCO skills (plus any extra ones from the Danish file) with their recognisers.

    Skill ids are ESCO skill indices; skills named only in the Danish file get ids after them.
    `label(i)` prefers a Danish surface form for display.
    """

    def __init__(self, esco: EscoData, danish: list[dict[str, Any]] | None = None) -> None:
        self.esco = esco
        self.uris: list[str] = list(esco.skill_uris)
        self.labels_en: list[str] = list(esco.skill_labels)
        self.labels_da: dict[int, str] = {}
        self.index: dict[str, int] = dict(esco.skill_index)
        self.skills = PhraseMatcher()
        self.occupations = PhraseMatcher()
        self.occ_da_label: dict[int, str] = {}
        # Danish occupations not in ESCO's list get ids after the ESCO occupations.
        self.extra_occ: list[dict[str, Any]] = []
        for i, label in enumerate(esco.skill_labels):
            self.skills.add(label, i)
        # An alternative label that is another skill's preferred label stays with that skill.
        preferred = set(self.skills.phrases)
        for i, alts in enumerate(esco.skill_alt):
            for a in alts:
                if phrase_key(a) not in preferred:
                    self.skills.add(a, i)
        for i, (label, alts) in enumerate(zip(esco.occ_labels, esco.occ_alt, strict=True)):
            self.occupations.add(label, i, allow_single=True)
            for a in alts:
                self.occupations.add(a, i, allow_single=True)
        for occ in danish or []:
            self._add_danish(occ)

    def _add_danish(self, occ: dict[str, Any]) -> None:
        uri = str(occ.get("esco_uri") or "")
        oi = self.esco.occ_index.get(uri)
        titles = [occ.get("title_da")] + list(
            occ.get("alt_titles_da") or occ.get("alt_titles") or []
        )
        if oi is not None:
            if occ.get("title_da"):
                self.occ_da_label.setdefault(oi, str(occ["title_da"]))
            for t in titles:
                if t:
                    self.occupations.add(str(t), oi)
        for sk in occ.get("skills") or []:
            if not isinstance(sk, dict):
                continue
            suri = str(sk.get("esco_uri") or "")
            si = self.index.get(suri)
            if si is None:
                if not suri and not sk.get("label_en"):
                    continue
                si = len(self.uris)
                self.uris.append(suri or f"urn:jobunivers:skill:{si}")
                self.labels_en.append(str(sk.get("label_en") or sk.get("da", [""])[0]))
                if suri:
                    self.index[suri] = si
            forms = [str(f) for f in sk.get("da") or [] if f]
            if forms:
                self.labels_da.setdefault(si, forms[0])
            for f in forms:
                self.skills.add(f, si)
            if sk.get("label_en"):
                self.skills.add(str(sk["label_en"]), si)

    @property
    def n(self) -> int:
        """Number of skill ids (ESCO plus extra)."""
        return len(self.uris)

    def label(self, i: int) -> str:
        """Display label: a Danish surface form when known, else the English ESCO label."""
        return self.labels_da.get(i) or self.labels_en[i]

    def recognise(
        self, text: str, explicit: Iterable[str] = (), toks: list[str] | None = None
    ) -> set[int]:
        """Skill ids in free text plus explicitly listed skills (labels or ESCO URIs).

        Pass `toks` (the text's `tokens`) when they are already at hand.
        """
        found = self.skills.ids_in_tokens(toks if toks is not None else tokens(text))
        for s in explicit:
            s = s.strip()
            if s in self.index:
                found.add(self.index[s])
            elif s:
                found |= self.skills.ids_in(s)
        return found

    def occupation_of_title(self, title: str) -> int | None:
        """The ESCO occupation a job title most likely names (longest phrase), or None."""
        best: tuple[int, int] | None = None
        for pos, length, ids in self.occupations.find(title):
            cand = (length, -pos)
            if best is None or cand > best[0:2]:
                best = (length, -pos)
                chosen = ids[0]
        return chosen if best is not None else None

    def is_occupation_title(self, text: str) -> bool:
        """True if the whole text is a known occupation title (not merely contains one)."""
        key = phrase_key(text)
        return bool(key) and key in self.occupations.phrases

    def as_array(self, ids: Iterable[int]) -> npt.NDArray[np.int32]:
        """Sorted int32 array of skill ids."""
        return np.array(sorted(ids), dtype=np.int32)


@lru_cache(maxsize=1)
def default_vocabulary() -> SkillVocabulary:
    """The process-wide vocabulary from the shipped ESCO and Danish files."""
    return SkillVocabulary(load_esco(), load_danish())
