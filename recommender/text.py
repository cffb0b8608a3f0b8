"""Text handling shared by the ranking components: tokens, light Danish stemming, term ids.

Tokens are lower-cased word pieces with a light suffix stripper that folds the common Danish
inflections (sygeplejerske/sygeplejersker/sygeplejersken) and English plurals into one form;
the same function serves the lexical index (`recommender.bm25`) and the skill recogniser, so a
skill phrase and a posting meet in the same token space.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from functools import lru_cache

from .types import Posting, Profile

_WORD = re.compile(r"[0-9a-zæøåäöüéè#+]+(?:[.\-/][0-9a-zæøåäöüéè#+]+)*")


def split_words(text: str) -> list[str]:
    """Whitespace-separated words of a literal (keeps long word lists readable in source)."""
    return text.split()


# Danish and English function words; kept short on purpose: BM25's idf handles the rest.
STOPWORDS = frozenset(
    split_words(
        """
    af alle alt andet andre at blev blive bliver da de dem den denne der deres det dette dig din
    dine disse dit du efter eller en end er et for fra ham han hans har havde have hende hendes
    her hos hun hvad hvis hvor i ikke ind jeg jer jo kan kunne man mange med meget men mig min
    mine mit mod ned noget nogle nu når og også om op os over på sig sin sine sit skal skulle
    som så sådan thi til ud under var vi vil ville vor vores være været samt hvordan hvorfor
    hvem blandt både a an and are as at be by for from has have in is it its of on or that the
    this to was were will with you your we our they their
        """
    )
)

# Longest first: the stripper removes the first suffix that leaves a stem of >= 4 characters.
_SUFFIXES = (
    "erendes",
    "erende",
    "hedens",
    "heden",
    "heder",
    "erne",
    "ende",
    "ing",
    "ene",
    "ens",
    "ers",
    "ets",
    "hed",
    "er",
    "en",
    "et",
    "es",
    "e",
    "s",
)

TERM_BITS = 20  # hashed vocabulary of 2^20 buckets: collisions are rare and need no dictionary


def normalise(text: str) -> str:
    """Lower-case and NFKC-normalise (folds ligatures and full-width forms)."""
    return unicodedata.normalize("NFKC", text).lower()


@lru_cache(maxsize=1 << 18)
def stem(token: str) -> str:
    """Strip one common Danish/English inflectional suffix (light stemming)."""
    if len(token) <= 4 or token[-1].isdigit():
        return token
    for suf in _SUFFIXES:
        if token.endswith(suf) and len(token) - len(suf) >= 4:
            return token[: -len(suf)]
    return token


def words(text: str) -> list[str]:
    """Lower-cased word tokens, stopwords kept (phrase matching needs them)."""
    return _WORD.findall(normalise(text))


def tokens(text: str) -> list[str]:
    """Stemmed content tokens without stopwords: the lexical token stream."""
    return [stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1]


_WISH = re.compile(
    r"\b(?:søger|ønsker|vil gerne|gerne|drømmer om)\b[^.!?\n]{0,90}?\bsom\s+"
    r"([0-9a-zæøå\- ]+?(?:\s+eller\s+[0-9a-zæøå\- ]+?)*)"
    r"(?=[.,;:!?()\n]|\s+(?:i|på|hos|med|inden|indenfor|til|hvor|og jeg|men)\s|$)",
    re.IGNORECASE,
)


def stated_wishes(text: str) -> list[str]:
    """Job titles a CV says the person is looking for ("... søger nyt job som kok i ...").

    Danish CVs state the wish in the summary rather than in a field; the first words after
    "søger/ønsker/gerne ... som" up to a preposition or punctuation are taken, split on "eller".
    """
    out: list[str] = []
    for m in _WISH.finditer(text or ""):
        for part in re.split(r"\s+eller\s+|,\s*", m.group(1)):
            words_ = part.strip().split()
            if 0 < len(words_) <= 4 and words_[0].lower() not in {"i", "på", "hos", "med", "til"}:
                out.append(" ".join(words_))
    return list(dict.fromkeys(out))


def term_id(token: str) -> int:
    """Stable hashed id of a token (the same across processes, unlike `hash`)."""
    return zlib.crc32(token.encode("utf-8")) & ((1 << TERM_BITS) - 1)


def title_key(title: str, employer: str | None, postcode: str | None) -> int:
    """Key under which copies of one job from different sources collide (0: no key).

    Without an employer, title and postcode alone would merge different jobs, so no key.
    """
    if not tokens(employer or ""):
        return 0
    parts = [" ".join(sorted(set(tokens(title)))), " ".join(tokens(employer or "")), postcode or ""]
    return zlib.crc32("|".join(parts).encode("utf-8")) or 1


def posting_text(p: Posting) -> str:
    """The text of a posting that is embedded and indexed (title first, it matters most)."""
    parts = [p.title, p.title, p.description]
    if p.skills:
        parts.append(", ".join(p.skills))
    if p.industry:
        parts.append(p.industry)
    return "\n".join(x for x in parts if x)


def profile_text(p: Profile) -> str:
    """The CV text of a profile: summary (incl. personal competences), work, education, skills."""
    parts: list[str] = []
    # The wish goes first: mean pooling then weighs it more than a long work history, which
    # matters for a person changing career.
    wishes = list(dict.fromkeys(list(p.wished_titles) + stated_wishes(p.summary)))
    if wishes:
        parts.append("Ønsket job: " + ", ".join(wishes) + ".")
    if p.summary:
        parts.append(p.summary)
    parts.extend(p.work)
    parts.extend(p.education)
    # Skills given as ESCO URIs are concept ids, not words: the recogniser reads them, the
    # embedding and BM25 must not.
    named = [s for s in p.skills if not s.startswith(("http://", "https://"))]
    if named:
        parts.append(", ".join(named))
    return "\n".join(x for x in parts if x)
