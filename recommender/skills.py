"""Recognise ESCO skills and occupations in Danish and English text.

A `PhraseMatcher` maps token phrases (stemmed, without stopwords: see `recommender.text`) to
integer ids and finds them in a text by greedy longest match, so "manage musical staff" wins
over "manage staff" and a phrase is counted once. Skill phrases come from ESCO's English
preferred and alternative labels and, when `recommender/data/occupations_da.json` is present,
from its Danish surface forms (occupation skills and the `transversal_da` list: driving
licences, languages, IT and personal competences); occupation phrases from ESCO's English
labels and the Danish titles of that file.

Every phrase carries the languages it may be read in, because a word means different things in
Danish and English ("rent" is clean, "brand" fire, "smed" a smith):

* an English label is read in English text. In Danish text only a label made of names, as ESCO
  writes them (capitals or digits: "SQL", "JavaScript", "Prince2", "Microsoft Excel"), counts,
  and not when it spells a Danish word (`da_homographs` in `data/phrase_gate.json` and the
  Danish words of `data/language_words.json`: "Chef", "SMED", "KRIs", "IDE");
* a Danish catalogue phrase is read in Danish text, unless it is a single word whose everyday
  Danish meaning is another ("pension", "ide");
* text whose language cannot be told (a bare "SQL" or "Receptionist") reads every phrase.

`recognise` decides the language per line or sentence (`recommender.language`), falling back
to the language of the whole text, so an English skill line inside a Danish CV is read as
English.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .esco import DATA_DIR, EscoData, load_esco
from .language import WORDS_FILE, Language, decide, default_language_model, detect_language
from .text import STOPWORDS, stem, tokens, words

DANISH_FILE = DATA_DIR / "occupations_da.json"
TITLES_FILE = DATA_DIR / "occupation_titles_da.json"

GATE_FILE = DATA_DIR / "phrase_gate.json"


def _read_gate(path: Path = GATE_FILE) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


_GATE = _read_gate()
# Single words too vague to count on their own (see the data file for why each is there).
_AMBIGUOUS = frozenset(_GATE["ambiguous_single_words"]["en"])
_AMBIGUOUS_DA = frozenset(stem(w) for w in _GATE["ambiguous_single_words"]["da"])

#: Language bits of a phrase: the texts it may be read in.
EN, DA = 1, 2
ANY = EN | DA
_SCOPE_OF: dict[Language | None, int] = {"en": EN, "da": DA, None: ANY}

_CASED_WORD = re.compile(r"[0-9A-Za-zÆØÅæøåÄÖÜäöüÉéÈè#+]+(?:[.\-/][0-9A-Za-zÆØÅæøåÄÖÜäöüÉéÈè#+]+)*")
# A new line or the end of a sentence starts a new stretch of text, which may change language.
_SEGMENT_BREAK = re.compile(r"\n+|(?<=[.!?])\s+")


def phrase_key(text: str) -> str:
    """The normalised key of a phrase: its lexical tokens (stemmed, no stopwords) joined."""
    return " ".join(tokens(text))


def _name_tokens(label: str) -> set[str]:
    """Tokens of words a label writes as names: with a capital, a digit, '+' or '#'."""
    return {
        t
        for w in _CASED_WORD.findall(label)
        if any(c.isupper() or c.isdigit() or c in "+#" for c in w)
        for t in tokens(w)
    }


@dataclass
class PhraseMatcher:
    """Greedy longest-match dictionary of phrases → ids, each with the languages it is read in."""

    phrases: dict[str, list[int]] = field(default_factory=dict)
    first: dict[str, int] = field(default_factory=dict)  # first token → longest phrase length
    scopes: dict[str, dict[int, int]] = field(default_factory=dict)  # phrase → id → EN/DA bits
    # Per language bit: first token → longest phrase readable in that language, so a Danish
    # text does not try the lengths of English-only phrases.
    first_in: dict[int, dict[str, int]] = field(default_factory=dict)

    def add(self, phrase: str, ident: int, *, allow_single: bool = True, scope: int = ANY) -> None:
        """Register a phrase for an id (phrases too short or too ambiguous are skipped).

        `scope` is the set of languages (`EN`, `DA` bits) of text the phrase may be read in;
        adding the same phrase for the same id again widens it.
        """
        key = phrase_key(phrase)
        toks = key.split()
        if not toks or not scope:
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
        scopes = self.scopes.setdefault(key, {})
        scopes[ident] = scopes.get(ident, 0) | scope
        self.first[toks[0]] = max(self.first.get(toks[0], 0), len(toks))
        for bit in (EN, DA):
            if scope & bit:
                first = self.first_in.setdefault(bit, {})
                first[toks[0]] = max(first.get(toks[0], 0), len(toks))

    def ids_of(self, key: str, lang: Language | None = None) -> list[int]:
        """Ids of a phrase key that may be read in text of language `lang` (None: any)."""
        ids = self.phrases.get(key)
        if not ids or lang is None:
            return ids or []
        bit, scopes = _SCOPE_OF[lang], self.scopes[key]
        return [i for i in ids if scopes[i] & bit]

    def find(self, text: str, lang: Language | None = None) -> list[tuple[int, int, list[int]]]:
        """Matches in `text` as (token position, phrase length, ids), left to right."""
        return self.find_tokens(tokens(text), lang)

    def find_tokens(
        self, toks: list[str], lang: Language | None = None
    ) -> list[tuple[int, int, list[int]]]:
        """Matches in an already tokenised text (`recommender.text.tokens`) of language `lang`."""
        out: list[tuple[int, int, list[int]]] = []
        first = self.first if lang is None else self.first_in.get(_SCOPE_OF[lang], {})
        i, n = 0, len(toks)
        while i < n:
            longest = first.get(toks[i], 0)
            step = 1
            for length in range(min(longest, n - i), 0, -1):
                ids = self.ids_of(" ".join(toks[i : i + length]), lang)
                if ids:
                    out.append((i, length, ids))
                    step = length
                    break
            i += step
        return out

    def ids_in(self, text: str, lang: Language | None = None) -> set[int]:
        """All ids whose phrases occur in `text`."""
        return {i for _, _, ids in self.find(text, lang) for i in ids}

    def ids_in_tokens(self, toks: list[str], lang: Language | None = None) -> set[int]:
        """All ids whose phrases occur in a tokenised text."""
        return {i for _, _, ids in self.find_tokens(toks, lang) for i in ids}


def _read_catalogue(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    if isinstance(data, list):  # an early format: the occupations alone
        return {"occupations": data}
    return data if isinstance(data, dict) else {}


def _dicts(items: Any) -> list[dict[str, Any]]:
    return [d for d in items or [] if isinstance(d, dict)]


def load_danish(path: Path = DANISH_FILE) -> list[dict[str, Any]]:
    """The Danish catalogue's occupations, or [] when the file is absent or unreadable."""
    return _dicts(_read_catalogue(path).get("occupations"))


def load_transversal(path: Path = DANISH_FILE) -> list[dict[str, Any]]:
    """The Danish catalogue's transversal skills (`transversal_da`: licences, languages, IT...)."""
    return _dicts(_read_catalogue(path).get("transversal_da"))


def load_titles_da(path: Path = TITLES_FILE) -> dict[str, dict[str, Any]]:
    """Danish titles of every ESCO occupation by URI ({"da", "alt_da", "en_dk"}), or {}.

    Written for the project (`scripts/build_occupation_titles_da.py`); the hand-written
    catalogue's richer entries take precedence where both name an occupation.
    """
    occupations = _read_catalogue(path).get("occupations")
    return {str(u): t for u, t in occupations.items()} if isinstance(occupations, dict) else {}


def danish_homographs(words_file: Path = WORDS_FILE) -> frozenset[str]:
    """Stems of Danish words an English label must not be read as in Danish text.

    The gate file's homographs ("chef", "smed", "krise") plus the Danish words of the language
    word list: a name label spelled like any of them is English-only.
    """
    words_da = json.loads(words_file.read_text(encoding="utf-8")).get("da", [])
    return frozenset(stem(w) for w in [*_GATE["da_homographs"]["words"], *words_da])


class SkillVocabulary:
    """ESCO skills (plus any extra ones from the Danish file) with their recognisers.

    Skill ids are ESCO skill indices; skills named only in the Danish file get ids after them.
    `label(i)` prefers a Danish surface form for display.
    """

    def __init__(
        self,
        esco: EscoData,
        danish: list[dict[str, Any]] | None = None,
        transversal: list[dict[str, Any]] | None = None,
        titles: dict[str, dict[str, Any]] | None = None,
    ) -> None:
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
        self._homographs = danish_homographs()
        for i, label in enumerate(esco.skill_labels):
            self.skills.add(label, i, scope=self.english_scope(label))
        # An alternative label that is another skill's preferred label stays with that skill.
        preferred = set(self.skills.phrases)
        for i, alts in enumerate(esco.skill_alt):
            for a in alts:
                if phrase_key(a) not in preferred:
                    self.skills.add(a, i, scope=self.english_scope(a))
        for i, (label, alts) in enumerate(zip(esco.occ_labels, esco.occ_alt, strict=True)):
            for t in [label, *alts]:
                self.occupations.add(t, i, allow_single=True, scope=self.english_scope(t))
        for occ in danish or []:
            self._add_danish(occ)
        for uri, title in (titles or {}).items():
            self._add_titles(uri, title)
        #: Skills from the catalogue's transversal list (teamwork, driving licences, languages):
        #: generic enough that a ranking may weigh their overlap less than a trade's skills.
        self.transversal_ids: set[int] = set()
        for sk in transversal or []:
            si = self._add_danish_skill(sk)
            if si is not None:
                self.transversal_ids.add(si)

    def english_scope(self, label: str) -> int:
        """Languages an English ESCO label is read in: English, and Danish when it is a name."""
        if label.islower() and not any(c.isdigit() or c in "+#" for c in label):
            return EN  # the common case: an ordinary lower-case label
        key = phrase_key(label).split()
        names = _name_tokens(label)
        if key and all(t in names and t not in self._homographs for t in key):
            return ANY
        return EN

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
                    self.occupations.add(str(t), oi, scope=DA)
        for sk in _dicts(occ.get("skills")):
            self._add_danish_skill(sk)

    def _add_titles(self, uri: str, title: dict[str, Any]) -> None:
        """An occupation's Danish titles (read in Danish text) and the English titles Danes
        use for it (read in either language)."""
        oi = self.esco.occ_index.get(uri)
        if oi is None:
            return
        if title.get("da"):
            self.occ_da_label.setdefault(oi, str(title["da"]))
        for t in [title.get("da"), *(title.get("alt_da") or [])]:
            if t:
                self.occupations.add(str(t), oi, scope=DA)
        for t in title.get("en_dk") or []:
            self.occupations.add(str(t), oi, scope=ANY)

    def _add_danish_skill(self, sk: dict[str, Any]) -> int | None:
        suri = str(sk.get("esco_uri") or "")
        si = self.index.get(suri)
        if si is None:
            if not suri and not sk.get("label_en"):
                return None
            si = len(self.uris)
            self.uris.append(suri or f"urn:jobunivers:skill:{si}")
            self.labels_en.append(str(sk.get("label_en") or sk.get("da", [""])[0]))
            if suri:
                self.index[suri] = si
        forms = [str(f) for f in sk.get("da") or [] if f]
        if forms:
            self.labels_da.setdefault(si, forms[0])
        for f in forms:
            if phrase_key(f) not in _AMBIGUOUS_DA:
                self.skills.add(f, si, scope=DA)
        if sk.get("label_en"):
            label = str(sk["label_en"])
            self.skills.add(label, si, scope=self.english_scope(label))
        return si

    @property
    def n(self) -> int:
        """Number of skill ids (ESCO plus extra)."""
        return len(self.uris)

    def label(self, i: int) -> str:
        """Display label: a Danish surface form when known, else the English ESCO label."""
        return self.labels_da.get(i) or self.labels_en[i]

    def recognise(
        self,
        text: str,
        explicit: Iterable[str] = (),
        toks: list[str] | None = None,
        *,
        lang: Language | None = None,
    ) -> set[int]:
        """Skill ids in free text plus explicitly listed skills (labels or ESCO URIs).

        `lang` is the text's language; when None it is told per line or sentence, falling back
        to the whole text's. Each explicit skill is read in its own language, or in any when it
        shows none; an ESCO URI always counts. Pass `toks` (the text's `tokens`) when already
        at hand.
        """
        if lang is not None:
            found = self.skills.ids_in_tokens(toks if toks is not None else tokens(text), lang)
        else:
            found = self._recognise_segments(text, toks)
        for s in explicit:
            s = s.strip()
            if s in self.index:
                found.add(self.index[s])
            elif s:
                # A skill field is often a label picked from ESCO's English list in a Danish
                # form: it is read in its own language, or in any when it shows none.
                found |= self.skills.ids_in(s, detect_language(s))
        return found

    def _recognise_segments(self, text: str, toks: list[str] | None) -> set[int]:
        model = default_language_model()
        segments = [s for s in _SEGMENT_BREAK.split(text) if s.strip()]
        evidence = [model.evidence(s) for s in segments]
        doc_lang = decide(sum(e[0] for e in evidence), sum(e[1] for e in evidence))
        langs = [decide(*e) or doc_lang for e in evidence]
        if len(set(langs)) <= 1:  # one language throughout: one pass over the whole text
            whole = langs[0] if langs else doc_lang
            return self.skills.ids_in_tokens(toks if toks is not None else tokens(text), whole)
        found: set[int] = set()
        for segment, seg_lang in zip(segments, langs, strict=True):
            found |= self.skills.ids_in(segment, seg_lang)
        return found

    def occupation_of_title(self, title: str, *, lang: Language | None = None) -> int | None:
        """The ESCO occupation a job title most likely names (longest phrase), or None.

        The title is read in `lang`, else in the language it shows (any when it shows none).
        """
        best: tuple[int, int] | None = None
        chosen: int | None = None
        for pos, length, ids in self.occupations.find(title, lang or detect_language(title)):
            cand = (length, -pos)
            if best is None or cand > best:
                best, chosen = cand, ids[0]
        return chosen

    def is_occupation_title(self, text: str, *, lang: Language | None = None) -> bool:
        """True if the whole text is a known occupation title (not merely contains one)."""
        key = phrase_key(text)
        return bool(key) and bool(self.occupations.ids_of(key, lang or detect_language(text)))

    def as_array(self, ids: Iterable[int]) -> npt.NDArray[np.int32]:
        """Sorted int32 array of skill ids."""
        return np.array(sorted(ids), dtype=np.int32)


@lru_cache(maxsize=1)
def default_vocabulary() -> SkillVocabulary:
    """The process-wide vocabulary from the shipped ESCO and Danish files."""
    return SkillVocabulary(load_esco(), load_danish(), load_transversal(), load_titles_da())
