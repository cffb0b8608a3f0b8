"""Danish compound splitting for the lexical components (BM25 and title terms).

Danish writes compounds as one word, so a CV saying "kundeservice" and a job titled
"kundeservicemedarbejder" share no token. `expand_tokens` adds the stemmed parts of each compound
token, so both texts contain "kund" and "servic".

The method is Koehn & Knight's frequency-based splitter (Empirical Methods for Compound
Splitting, EACL 2003) over a Danish word-frequency lexicon (wordfreq's Danish list, see
`data/README.md`): a word is cut into known words of three letters or more, optionally joined by
the linking morphemes "s" and "e" (ejendom-s-service, syg-e-pleje; "arbejd-s-" stands for
"arbejde"), with Koehn & Knight's exclusion of function words as parts. Two refinements keep
the splits useful for matching:

* A word the lexicon does not know is always cut when it can be, into the segmentation with the
  highest product of part probabilities (a unigram model), which prefers few, long parts:
  "produktion-s-medarbejder", not "produktion-smed-arbejder".
* A word the lexicon knows is a lexicalised unit; it is cut only by Koehn & Knight's own test
  (the geometric mean of the parts' frequencies beats the word's) and only into parts of four
  letters or more: "kundeservice" becomes kunde+service, "advokat" stays whole.

Parts are split again in the same way, so "kundeservicemedarbejder" yields kundeservice,
medarbejder, kunde and service. Tokens arrive already stemmed by `text.stem`, so the last part
may be a stem ("kundeservic" = kunde+servic): the lexicon also knows the stem of every word.
A small rules file (`data/compounds_da.toml`) lists words never to split and non-parts.
"""

from __future__ import annotations

import gzip
import math
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .text import STOPWORDS, stem

_DATA = Path(__file__).resolve().parent / "data"
LEXICON_FILE = _DATA / "lexicon_da.tsv.gz"
RULES_FILE = _DATA / "compounds_da.toml"

LINKS = ("", "s", "e")  # Danish linking morphemes (fuge): none, -s-, -e-
MIN_PART = 3  # dag-plejer, bus-chauffør
MIN_PART_KNOWN = 4  # a known word is cut only into longer parts (not "bil+ag")
MIN_SHORT_ZIPF = 4.0  # a three-letter part must be a common word ("bus", not "por")
MAX_PARTS = 4  # per level; parts are split again
KEPT_ZIPF = 3.0  # frequency given to a kept word the lexicon lacks (its floor)
_ZIPF_PER_WORD = 9.0  # Zipf = log10(occurrences per 10^9 words): log10 p = zipf - 9


@dataclass(frozen=True)
class Lexicon:
    """Word frequencies (Zipf scale) and the splitting rules."""

    words: dict[str, float]  # surface words: possible parts anywhere in a compound
    heads: dict[str, float]  # surface words and their stems: possible last parts
    not_parts: frozenset[str]
    keep: frozenset[str]

    def modifier(self, piece: str, link: str) -> str | None:
        """The lexicon word a non-final piece stands for ("arbejd"+"s" → "arbejde"), or None."""
        for word in (piece, piece + "e") if link == "s" else (piece,):
            if word in self.words and self._usable(word):
                return word
        return None

    def is_head(self, piece: str) -> bool:
        """Whether a piece can end a compound."""
        return piece in self.heads and self._usable(piece)

    def _usable(self, part: str) -> bool:
        if part in self.not_parts or part in STOPWORDS or len(part) < MIN_PART:
            return False
        return len(part) > MIN_PART or self.heads[part] >= MIN_SHORT_ZIPF


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The Danish lexicon, read once per process."""
    words: dict[str, float] = {}
    with gzip.open(LEXICON_FILE, "rt", encoding="utf-8") as fh:
        for line in fh:
            word, zipf_text = line.rstrip("\n").split("\t")
            words[word] = float(zipf_text)
    with RULES_FILE.open("rb") as fh:
        rules = tomllib.load(fh)
    for word in rules["keep"]:
        words.setdefault(word, KEPT_ZIPF)
    # Tokens arrive stemmed, so a kept word is kept in its stemmed form too.
    keep = frozenset(rules["keep"]) | {stem(w) for w in rules["keep"]}
    heads = dict(words)
    for word, zipf in words.items():
        s = stem(word)
        if s not in words and zipf > heads.get(s, -math.inf):
            heads[s] = zipf
    return Lexicon(words, heads, frozenset(rules["not_parts"]), keep)


# One segmentation candidate: (sum of log10 part probabilities, parts).
_Candidate = tuple[float, tuple[str, ...]]


def _segmentations(word: str, lex: Lexicon, min_part: int) -> dict[int, _Candidate]:
    """The most probable segmentation of `word` into k = 2..MAX_PARTS parts, per k."""
    n = len(word)
    memo: dict[int, dict[int, _Candidate]] = {}

    def from_(start: int) -> dict[int, _Candidate]:
        # Best segmentation of word[start:] into k parts, per k.
        if start in memo:
            return memo[start]
        best: dict[int, _Candidate] = {}
        tail = word[start:]
        if start > 0 and len(tail) >= min_part and lex.is_head(tail):
            best[1] = (lex.heads[tail] - _ZIPF_PER_WORD, (tail,))
        for end in range(start + min_part, n - min_part + 1):
            for link in LINKS:
                if not word.startswith(link, end):
                    continue
                part = lex.modifier(word[start:end], link)
                if part is None or len(part) < min_part:
                    continue
                logp = lex.words[part] - _ZIPF_PER_WORD
                for k, (rest_logp, rest) in from_(end + len(link)).items():
                    if k < MAX_PARTS and (k + 1 not in best or rest_logp + logp > best[k + 1][0]):
                        best[k + 1] = (rest_logp + logp, (part, *rest))
        memo[start] = best
        return best

    return {k: c for k, c in from_(0).items() if k >= 2}


def _best_split(word: str, lex: Lexicon) -> tuple[str, ...]:
    """One level of splitting: the parts of `word`, or `(word,)`."""
    if word in lex.keep or not word.isalpha():
        return (word,)
    whole = lex.heads.get(word)
    if whole is None:
        # Unknown word: the most probable segmentation (a unigram model prefers few parts).
        candidates = _segmentations(word, lex, MIN_PART)
        if not candidates:
            return (word,)
        return max(candidates.values(), key=lambda c: c[0])[1]
    # Known word: Koehn & Knight's test, the parts' geometric mean frequency beats the word's.
    candidates = _segmentations(word, lex, MIN_PART_KNOWN)
    if not candidates:
        return (word,)
    k, (logp, parts) = max(candidates.items(), key=lambda kc: kc[1][0] / kc[0])
    return parts if logp / k + _ZIPF_PER_WORD > whole else (word,)


@lru_cache(maxsize=1 << 16)
def _tree(word: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(leaves, inner parts) of the full decomposition; inner parts exclude the word itself."""
    parts = _best_split(word, lexicon())
    if len(parts) == 1:
        return parts, ()
    leaves: list[str] = []
    inner: list[str] = []
    for part in parts:
        sub_leaves, sub_inner = _tree(part)
        leaves.extend(sub_leaves)
        if len(sub_leaves) > 1:
            inner.append(part)
        inner.extend(sub_inner)
    return tuple(leaves), tuple(inner)


def split_compound(word: str) -> list[str]:
    """The parts of a Danish compound, lower-case, or `[word]` when it is not a compound.

    "ejendomsservicetekniker" → ["ejendom", "service", "tekniker"]; "advokat" → ["advokat"].
    Linking morphemes are dropped; a modifier is given in its dictionary form ("museumsinspektør"
    → ["museum", "inspektør"]).
    """
    return list(_tree(word.lower())[0])


@lru_cache(maxsize=1 << 16)
def compound_terms(token: str) -> tuple[str, ...]:
    """Stemmed parts of a stemmed token that is a compound (empty for a simple word).

    Every level of the decomposition is included, so "kundeservicemedarbejd" gives
    kundeservic, kund, servic, medarbejd: a CV's "kundeservice" and its "kunde" both meet it.
    """
    leaves, inner = _tree(token)
    if len(leaves) == 1:
        return ()
    words = lexicon().words
    # A surface word is stemmed as `text.tokens` stems it; a last part that is already a
    # stem (the token was stemmed) stays as it is.
    terms = (stem(p) if p in words else p for p in (*inner, *leaves))
    return tuple(t for t in dict.fromkeys(terms) if t != token)


def expand_tokens(tokens: Iterable[str]) -> list[str]:
    """Stemmed tokens (`text.tokens`) with the stemmed parts of each compound after it.

    For the bag-of-words components (BM25, title terms); phrase matching needs the plain tokens.
    """
    out: list[str] = []
    for token in tokens:
        out.append(token)
        out.extend(compound_terms(token))
    return out
