"""The hybrid, explainable ranker: `Recommender.rank(profile, k)`.

A façade over the stages, each in its own module:

1. `recommender.index`: the postings in flat arrays (built once per posting).
2. `recommender.query`: the per-query context (profile vector with Rocchio feedback, skills,
   terms, home, hidden postings, wishes) and the first stage, which keeps the eligible postings
   (alive, not said no to, inside the commute radius) and of those the top N by cosine plus
   small bonuses.
3. `recommender.scoring`: the N candidates scored on five components and fused.
4. Near-duplicates (same normalised title + employer + postcode, or cosine > 0.98) are merged
   into the best-scored copy (here), then the top k get an explanation (`recommender.explain`).

The baselines (`recommender.automatch`) and alternative jobs (`recommender.alternatives`) use
the same index and context.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt

from .alternatives import find_alternatives
from .automatch import VARIANTS, automatch
from .bm25 import BM25Index
from .esco import EscoData
from .explain import bare_recommendation, recommendation
from .freetext import ParsedCV, parse_cv
from .geo import Postcodes, danish_postcodes
from .index import PostingIndex
from .query import QueryContext, build_context, candidates, inferred_concepts
from .scoring import COMPONENTS, Candidates, Weights, components, weights_for
from .skills import SkillVocabulary, default_vocabulary
from .text import posting_text
from .types import (
    Alternative,
    ConceptReader,
    Encoder,
    InferredConcept,
    Posting,
    Profile,
    Recommendation,
    SkillRef,
)

__all__ = ["COMPONENTS", "Recommender", "Weights"]

READINGS_KEPT = 1024  # free-text CVs whose structured reading is kept in memory


def is_free_text_only(profile: Profile) -> bool:
    """Whether a profile has CV text but nothing structured (no jobs, education, skills or
    wishes): the case in which the ranker reads the text into a structure itself."""
    structured = (
        profile.work,
        profile.work_titles,
        profile.education,
        profile.skills,
        profile.wished_titles,
        profile.wished_occupation_uris,
        profile.wished_isco_codes,
    )
    return bool(profile.summary.strip()) and not any(structured)


def with_reading(profile: Profile, read: Profile) -> Profile:
    """The reading of a profile's text, completed with what the profile itself states."""
    return replace(
        read,
        id=profile.id,
        summary=read.summary or profile.summary,
        postcode=profile.postcode or read.postcode,
        lat=profile.lat if profile.lat is not None else read.lat,
        lon=profile.lon if profile.lon is not None else read.lon,
        commute_km=profile.commute_km or read.commute_km,
        hours=profile.hours or read.hours,
        industries=list(profile.industries) or read.industries,
        interests=list(profile.interests) or read.interests,
        swipes=list(profile.swipes),
        embedding=profile.embedding,
        rejected_concepts=list(profile.rejected_concepts),
    )


class Recommender:
    """An updatable index of postings that ranks them for a profile and explains why.

    Build with `Recommender(encoder)` then `add(postings)`, or `Recommender.build(...)`. Pass
    `embeddings` to `add` when passage vectors are already known (from a cache or a database).
    Writes (`add`, `remove`) take the index's lock; queries read without one, so a portal that
    writes while serving should rebuild in a job and swap the object.
    """

    def __init__(
        self,
        encoder: Encoder,
        *,
        vocabulary: SkillVocabulary | None = None,
        postcodes: Postcodes | None = None,
        weights: Weights | None = None,
        dim: int | None = None,
        label_index: ConceptReader | None = None,
    ) -> None:
        self.encoder = encoder
        # The cross-lingual ESCO label index (`recommender.labels`) reads occupations and
        # skills the vocabulary's phrases do not know; None leaves them to the phrases alone.
        self.label_index = label_index
        self.vocab = vocabulary or default_vocabulary()
        self.esco: EscoData = self.vocab.esco
        self.postcodes = postcodes if postcodes is not None else danish_postcodes()
        self.weights = weights or Weights()
        self.dim = int(dim or encoder.dim)
        self.index = PostingIndex(self.dim, self.vocab, self.postcodes, label_index)
        self._readings: OrderedDict[str, Profile] = OrderedDict()

    @classmethod
    def build(
        cls,
        postings: Sequence[Posting],
        encoder: Encoder,
        embeddings: npt.NDArray | None = None,
        **kwargs: object,
    ) -> Recommender:
        """A recommender indexing `postings` (embedding them unless `embeddings` is given)."""
        rec = cls(encoder, **kwargs)  # type: ignore[arg-type]
        rec.add(postings, embeddings)
        return rec

    # ------------------------------------------------------------------ the index

    def add(self, postings: Sequence[Posting], embeddings: npt.NDArray | None = None) -> None:
        """Index postings (a posting whose id is already indexed replaces the old one)."""
        postings = list(postings)
        if not postings:
            return
        if embeddings is None:
            embeddings = self.encoder.encode_passages([posting_text(p) for p in postings])
        self.index.add(postings, embeddings)

    def remove(self, posting_ids: Iterable[str]) -> int:
        """Remove postings by id; returns how many were indexed. Compacts when a quarter is dead."""
        return self.index.remove(posting_ids)

    def compact(self) -> None:
        """Rebuild the index without removed rows (positions change; ids do not)."""
        self.index.compact()

    @property
    def n(self) -> int:
        """Index rows in use (alive or removed but not yet compacted)."""
        return self.index.n

    @property
    def bm25(self) -> BM25Index:
        """The lexical index (read only)."""
        return self.index.bm25

    def __len__(self) -> int:
        return len(self.index)

    def __contains__(self, posting_id: object) -> bool:
        return posting_id in self.index

    def posting(self, posting_id: str) -> Posting | None:
        """The indexed posting with this id, if any."""
        return self.index.posting(posting_id)

    def posting_skills(self, posting_id: str) -> list[SkillRef]:
        """ESCO skills recognised in a posting."""
        return self.index.posting_skills(posting_id)

    def nbytes(self) -> int:
        """Bytes held by the index's arrays (embeddings, sparse rows, BM25, per-posting fields)."""
        return self.index.nbytes()

    # ------------------------------------------------------------------ ranking

    def read_cv(self, text: str) -> ParsedCV:
        """A pasted or uploaded CV read into its parts, each with confidence and span (see
        `recommender.freetext.parse_cv`), with this recommender's vocabulary and label index."""
        return parse_cv(
            text, vocabulary=self.vocab, concepts=self.label_index, postcodes=self.postcodes
        )

    def understand(self, profile: Profile) -> Profile:
        """The profile as the ranker reads it: a profile with nothing but free text is read
        into a structured one first (`recommender.freetext`); others are used as they are.

        What the stored profile knows (home, commute, swipes, its embedding) wins over what was
        read from the text. Readings are cached by text, so a re-rank reads nothing again.
        """
        if not is_free_text_only(profile):
            return profile
        read = self._readings.get(profile.summary)
        if read is None:
            parsed = parse_cv(
                profile.summary,
                vocabulary=self.vocab,
                concepts=self.label_index,
                postcodes=self.postcodes,
            )
            read = parsed.to_profile(profile.id)
            self._readings[profile.summary] = read
            while len(self._readings) > READINGS_KEPT:
                self._readings.popitem(last=False)
        else:
            self._readings.move_to_end(profile.summary)
        return with_reading(profile, read)

    def inferred(self, profile: Profile) -> list[InferredConcept]:
        """The ESCO occupations and skills read from the person's words (see
        `recommender.query.inferred_concepts`), for them to see and correct."""
        return inferred_concepts(self.index, self.understand(profile))

    def context(self, profile: Profile, *, embed: bool = True) -> QueryContext:
        """Derive the per-query context; see `recommender.query.build_context`."""
        read = self.understand(profile)
        return build_context(
            self.index,
            self.encoder,
            self.weights,
            read,
            embed=embed,
            read_from_text=read is not profile,
        )

    def rank(
        self,
        profile: Profile,
        k: int = 20,
        method: str = "hybrid",
        *,
        mask: npt.NDArray[np.bool_] | None = None,
        explain: bool = True,
    ) -> list[Recommendation]:
        """The top `k` postings for `profile`, best first, each with an explanation.

        `method` is "hybrid" (default), "semantic", "lexical" or "automatch" (the Jobnet-style
        baseline, see `recommender.automatch`, with variants "automatch-occupation" and
        "automatch-stated"). `mask` (bool per index row) restricts the
        postings considered; alternatives use it.
        """
        if method.startswith("automatch") and method not in VARIANTS:
            raise ValueError(f"unknown method {method!r}")
        if self.index.n == 0 or k <= 0:
            return []
        if method.startswith("automatch"):
            return automatch(self.index, self.context(profile, embed=False), k, **VARIANTS[method])
        weights = weights_for(method, self.weights)
        ctx = self.context(profile)
        n_cand = max(self.weights.n_candidates, 3 * k)
        pos = candidates(self.index, ctx, self.weights, method, mask, n_cand)
        if len(pos) == 0:
            return []
        cands = components(self.index, ctx, pos, weights)
        order = np.argsort(-cands.final, kind="stable")
        chosen, merged = self._dedup(cands, order, k)
        if not explain:
            return [
                bare_recommendation(self.index, cands, j, r + 1, method)
                for r, j in enumerate(chosen)
            ]
        ids = self.index.ids
        return [
            recommendation(
                self.index, ctx, cands, j, r + 1, method, [ids[int(pos[m])] for m in merged[j]]
            )
            for r, j in enumerate(chosen)
        ]

    def _dedup(
        self, cands: Candidates, order: npt.NDArray, k: int
    ) -> tuple[list[int], dict[int, list[int]]]:
        """Walk candidates best-first, merging near-duplicates into the first copy seen."""
        pos = cands.pos
        head = order[: min(len(order), max(4 * k, 50))]
        emb = self.index.embeddings[pos[head]]
        keys = self.index.dupkey[pos[head]]
        chosen: list[int] = []
        kept = np.zeros((min(k, len(head)), self.dim), dtype=np.float32)
        merged: dict[int, list[int]] = {}
        by_key: dict[int, int] = {}
        for h, j in enumerate(head):
            j = int(j)
            key = int(keys[h])
            twin = by_key.get(key) if key else None
            if twin is None and chosen:
                # One small matrix-vector product per step: a full Gram matrix of the head is
                # a small GEMM, which multi-threaded BLAS makes slow on a busy machine.
                sims = kept[: len(chosen)] @ emb[h]
                best = int(np.argmax(sims))
                if sims[best] > self.weights.dedup_cosine:
                    twin = chosen[best]
            if twin is not None:
                merged[twin].append(j)
                continue
            if len(chosen) >= k:
                continue  # keep scanning only to collect duplicates of what is shown
            kept[len(chosen)] = emb[h]
            chosen.append(j)
            merged[j] = []
            by_key.setdefault(key, j)
        if len(chosen) < k:
            # Ran out of the examined head (many duplicates): fill from the rest without checks.
            seen = set(chosen) | {m for v in merged.values() for m in v}
            for j in order[len(head) :]:
                if len(chosen) >= k:
                    break
                if int(j) not in seen:
                    chosen.append(int(j))
                    merged[int(j)] = []
        return chosen, merged

    def alternatives(
        self, profile: Profile, k: int = 5, per_occupation: int = 5
    ) -> list[Alternative]:
        """Occupations in other ISCO groups the person's skills carry over to, with postings.

        See `recommender.alternatives.find_alternatives`.
        """
        return find_alternatives(self, profile, k=k, per_occupation=per_occupation)
