"""Offline evaluation: nDCG@10, P@10, MRR and Recall@100 with bootstrap intervals, by stratum.

Two ways in:

* `evaluate_methods(rec, profiles, qrels)`: one posting index, one set of profiles, a table of
  methods (`python -m recommender evaluate --postings P --profiles C --qrels Q`).
* `load_suite(eval_dir)` + `evaluate_suite(suite, encoder)`: everything under `eval/` (the
  generated and hand-written set and the free-text batches of `eval/freetext/`) in one posting
  pool, every figure by stratum (`python -m recommender evaluate`).

Figures are meant to be trusted, so:

* postings are indexed WITHOUT their occupation codes (`occupationalCategory`) for every figure
  except the separate "with codes" comparison: a jobseeker's postings mostly carry none, and the
  eval set's grading rule is "same occupation", which a code reads off directly;
* every figure carries a 95 % bootstrap interval over queries (fixed seed), and the hybrid is
  compared with semantic + geography by a paired bootstrap per stratum;
* `tune_weights` tunes on the queries of one half of the occupations and reports the other half,
  split by a stable hash of each person's true occupation, so no occupation is in both halves.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .ranking import Recommender, Weights
from .skills import SkillVocabulary
from .types import ConceptReader, Encoder, Posting, Profile

METRICS = ("ndcg@10", "precision@10", "mrr", "recall@100")
METHODS = ("hybrid", "semantic", "lexical", "automatch")
RESAMPLES = 2000
SEED = 20251122
LEVEL = 0.95
K = 100
#: (CV language, ad language) pairs reported as strata.
LANGUAGE_PAIRS = (("da", "da"), ("en", "da"), ("da", "en"))
#: Semantic + geography: the hybrid with every other component and bonus switched off.
SEMANTIC_GEO = {
    "semantic": 0.5,
    "geo": 0.5,
    "lexical": 0.0,
    "skills": 0.0,
    "interests": 0.0,
    "cg_skill": 0.0,
    "cg_occupation": 0.0,
}
Run = dict[str, dict[str, float]]
Qrels = dict[str, dict[str, int]]
Mask = npt.NDArray[np.bool_]


# ------------------------------------------------------------------ reading


def read_qrels(path: str | Path) -> Qrels:
    """TREC qrels (`qid 0 docid grade`) as {qid: {docid: grade}}."""
    out: Qrels = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 4:
                out.setdefault(parts[0], {})[parts[2]] = int(float(parts[3]))
    return out


def read_objects(path: str | Path) -> list[dict[str, Any]]:
    """JSON objects of a JSON Lines file, skipping blank and unreadable lines ([] if absent)."""
    p = Path(path)
    if not p.exists():
        return []
    out = []
    for line in p.read_text(encoding="utf-8").splitlines():
        try:
            obj = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            out.append(obj)
    return out


def strip_occupation_codes(postings: Iterable[Posting]) -> list[Posting]:
    """Copies of postings without the occupation URI and ISCO code they were given."""
    return [replace(p, occupation_uri=None, isco_code=None) for p in postings]


def catalogue_uris() -> set[str]:
    """ESCO URIs of the occupations in the recommender's Danish catalogue."""
    from .skills import load_danish

    return {str(o["esco_uri"]) for o in load_danish() if o.get("esco_uri")}


# ------------------------------------------------------------------ runs and scores


def with_weights(base: Weights, values: Mapping[str, float]) -> Weights:
    """`base` with the given weights, ignoring names `Weights` does not have."""
    known = {f.name for f in fields(base)}
    chosen: dict[str, Any] = {k: v for k, v in values.items() if k in known}
    return replace(base, **chosen)


def run_method(
    rec: Recommender,
    profiles: Iterable[Profile],
    method: str,
    k: int = K,
    *,
    masks: Mapping[str, Mask] | None = None,
    row_ids: Sequence[str] = (),
    weights: Weights | None = None,
) -> Run:
    """A run {qid: {docid: score}}; scores follow rank so ties cannot reorder documents.

    `masks` restricts each profile (by id) to some index rows, `row_ids` names the posting of
    each row (needed with masks): postings outside a mask are also dropped afterwards, since the
    automatch baseline ranks without one. `weights` are used for this run only.
    """
    original = rec.weights
    if weights is not None:
        rec.weights = weights
    try:
        run: Run = {}
        for p in profiles:
            mask = masks.get(p.id) if masks is not None else None
            want = len(rec) if mask is not None and method.startswith("automatch") else k
            recs = rec.rank(p, k=want, method=method, mask=mask, explain=False)
            ids = [r.posting_id for r in recs]
            if mask is not None:
                allowed = {row_ids[int(i)] for i in np.flatnonzero(mask)}
                ids = [i for i in ids if i in allowed]
            run[p.id] = {d: float(k - r) for r, d in enumerate(ids[:k])}
    finally:
        rec.weights = original
    return run


def per_query(qrels: Qrels, run: Run) -> dict[str, dict[str, float]]:
    """{metric: {qid: score}} over the queries with a relevant posting (no run counts 0).

    The TREC definitions (as trec_eval and ranx compute them): a posting is relevant when its
    grade is above 0; nDCG@10 uses the grade as gain and log2(rank + 1) as discount, normalised
    by the ideal ordering of the query's judgements; MRR is over the whole run. Documents are
    taken in descending score order, ties by document id.
    """
    out: dict[str, dict[str, float]] = {m: {} for m in METRICS}
    for qid, judged in qrels.items():
        grades = sorted((g for g in judged.values() if g > 0), reverse=True)
        if not grades:
            continue
        scored = run.get(qid) or {}
        ranked = sorted(scored, key=lambda d: (-scored[d], d))
        gains = np.array([max(judged.get(d, 0), 0) for d in ranked], dtype=np.float64)
        out["ndcg@10"][qid] = _ndcg(gains[:10], np.array(grades[:10], dtype=np.float64))
        out["precision@10"][qid] = float(np.count_nonzero(gains[:10])) / 10
        hits = np.flatnonzero(gains)
        out["mrr"][qid] = 1.0 / (int(hits[0]) + 1) if hits.size else 0.0
        out["recall@100"][qid] = float(np.count_nonzero(gains[:100])) / len(grades)
    return out


def _ndcg(gains: npt.NDArray[np.float64], ideal: npt.NDArray[np.float64]) -> float:
    discount = 1.0 / np.log2(np.arange(2, max(len(gains), len(ideal)) + 2))
    best = float(ideal @ discount[: len(ideal)])
    return float(gains @ discount[: len(gains)]) / best


def score_run(qrels: Qrels, run: Run) -> dict[str, float]:
    """Mean metrics of a run over the queries that have judgements (missing runs count 0)."""
    scores = per_query(qrels, run)
    return {m: round(float(np.mean(list(v.values()))) if v else 0.0, 4) for m, v in scores.items()}


@dataclass(frozen=True)
class Interval:
    """A mean with its bootstrap percentile interval."""

    mean: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        """True if `x` lies inside the interval (ends included)."""
        return self.low - 1e-12 <= x <= self.high + 1e-12

    def as_dict(self) -> dict[str, float]:
        """Rounded for reports."""
        return {"mean": round(self.mean, 4), "low": round(self.low, 4), "high": round(self.high, 4)}


def bootstrap(
    values: Sequence[float] | npt.NDArray[np.float64],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
) -> Interval:
    """Mean of per-query values and its percentile bootstrap interval (resampling queries).

    The same seed and values always give the same interval.
    """
    x = np.asarray(values, dtype=np.float64)
    if len(x) == 0:
        return Interval(float("nan"), float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, len(x), size=(resamples, len(x)))].mean(axis=1)
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(means, [tail, 100 - tail])
    return Interval(float(x.mean()), float(low), float(high))


def paired_bootstrap(
    a: Mapping[str, float],
    b: Mapping[str, float],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    level: float = LEVEL,
    pair: Callable[[str], str] | None = None,
) -> tuple[Interval, int]:
    """Mean difference a − b over the queries both have, with its bootstrap interval.

    `pair` maps a query id of `a` to its partner in `b` (default: the same id). Resampling whole
    queries keeps each pair together, which is what makes the comparison paired.
    """
    key = pair or (lambda q: q)
    common = sorted(q for q in a if key(q) in b)
    diffs = [a[q] - b[key(q)] for q in common]
    return bootstrap(diffs, resamples=resamples, seed=seed, level=level), len(common)


def summarise(
    scores: Mapping[str, Mapping[str, float]],
    qids: Iterable[str],
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Any]:
    """{"n": queries, metric: Interval as dict} for the queries of a stratum that were scored."""
    chosen = sorted(q for q in qids if q in scores[METRICS[0]])
    out: dict[str, Any] = {"n": len(chosen)}
    for m in METRICS:
        values = [scores[m][q] for q in chosen]
        out[m] = bootstrap(values, resamples=resamples, seed=seed).as_dict()
    return out


# ------------------------------------------------------------------ one index, one table


def evaluate_methods(
    rec: Recommender,
    profiles: Sequence[Profile],
    qrels: Qrels,
    methods: Sequence[str] = METHODS,
    k: int = K,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, dict[str, Any]]:
    """Metrics with intervals per method, plus `n` and `seconds_per_query`."""
    out: dict[str, dict[str, Any]] = {}
    for m in methods:
        t0 = time.perf_counter()
        weights = with_weights(rec.weights, SEMANTIC_GEO) if m == "semantic+geo" else None
        run = run_method(rec, profiles, "hybrid" if weights else m, k, weights=weights)
        secs = (time.perf_counter() - t0) / max(len(profiles), 1)
        scores = per_query(qrels, run)
        out[m] = summarise(scores, qrels, resamples=resamples, seed=seed)
        out[m]["seconds_per_query"] = round(secs, 4)
    return out


def _cell(r: Mapping[str, float]) -> str:
    return f"{r['mean']:.3f} [{r['low']:.3f}, {r['high']:.3f}]"


METRIC_HEADS = {"ndcg@10": "nDCG@10", "precision@10": "P@10", "mrr": "MRR", "recall@100": "R@100"}


def format_table(results: Mapping[str, Mapping[str, Any] | None], first: str = "method") -> str:
    """A plain-text table: one row per key, each metric as "mean [low, high]", and n.

    A row that is None could not be run ("n/a"); a row without queries shows dashes.
    """
    head = f"{first:<24}{'n':>5}  " + "".join(f"{METRIC_HEADS[m]:<24}" for m in METRICS)
    lines = [head.rstrip(), "-" * len(head.rstrip())]
    for name, r in results.items():
        if r is None:
            lines.append(f"{name:<24}{'n/a':>5}")
            continue
        cells = "".join(f"{_cell(r[m]) if r['n'] else '—':<24}" for m in METRICS)
        lines.append(f"{name:<24}{r['n']:>5}  {cells}".rstrip())
    return "\n".join(lines)


# ------------------------------------------------------------------ tuning on held-apart groups


def occupation_half(group: str) -> int:
    """0 (tuning) or 1 (test) from a stable hash of a group name (an occupation URI)."""
    return int(hashlib.sha256(group.encode("utf-8")).hexdigest()[:8], 16) % 2


def split_by_group(
    ids: Iterable[str], group_of: Mapping[str, str] | None = None
) -> tuple[list[str], list[str]]:
    """(tuning ids, test ids): every id of one group lands in the same half.

    `group_of` maps a query id to its group (the person's true occupation); an id without one is
    its own group.
    """
    tune: list[str] = []
    test: list[str] = []
    for q in sorted(ids):
        group = (group_of or {}).get(q) or q
        (test if occupation_half(group) else tune).append(q)
    return tune, test


TUNABLE = ("semantic", "lexical", "skills", "geo", "interests")


def tune_weights(
    rec: Recommender,
    profiles: Sequence[Profile],
    qrels: Qrels,
    rounds: int = 2,
    metric: str = "ndcg@10",
    grid: Sequence[float] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.45),
    *,
    group_of: Mapping[str, str] | None = None,
    masks: Mapping[str, Mask] | None = None,
    row_ids: Sequence[str] = (),
    resamples: int = RESAMPLES,
    seed: int = SEED,
) -> dict[str, Any]:
    """Coordinate search of component weights on one half of the occupations; report the other.

    Queries are split by `split_by_group` (pass each query's true occupation as `group_of`), so a
    person's occupational twin is never on the other side. Returns the best weights, the tuning
    and test scores of the defaults and of the best (test with a bootstrap interval), and the
    size of each half.
    """
    tune_ids, test_ids = split_by_group([p.id for p in profiles], group_of)
    by_id = {p.id: p for p in profiles}
    train = [by_id[q] for q in tune_ids]
    test = [by_id[q] for q in test_ids]
    original = rec.weights

    def scores(w: Weights, ps: Sequence[Profile]) -> dict[str, float]:
        subset = {p.id: qrels[p.id] for p in ps if p.id in qrels}
        return per_query(
            subset, run_method(rec, ps, "hybrid", K, masks=masks, row_ids=row_ids, weights=w)
        )[metric]

    def mean(w: Weights, ps: Sequence[Profile]) -> float:
        values = list(scores(w, ps).values())
        return float(np.mean(values)) if values else 0.0

    def held_out(w: Weights) -> dict[str, float]:
        return bootstrap(list(scores(w, test).values()), resamples=resamples, seed=seed).as_dict()

    best, best_score = original, mean(original, train)
    start = {"tune": round(best_score, 4), "test": held_out(best)}
    for _ in range(rounds):
        for name in TUNABLE:
            for v in grid:
                cand = with_weights(best, {name: float(v)})
                if sum(cand.of(c) for c in TUNABLE) == 0:
                    continue
                s = mean(cand, train)
                if s > best_score + 1e-4:
                    best, best_score = cand, s
    end = {"tune": round(best_score, 4), "test": held_out(best)}
    groups = group_of or {}
    return {
        "metric": metric,
        "split": "by a stable hash of each query's true occupation",
        "queries": {"tune": len(train), "test": len(test)},
        "occupations": {
            "tune": len({groups.get(q, q) for q in tune_ids}),
            "test": len({groups.get(q, q) for q in test_ids}),
        },
        "default": start,
        "tuned": end,
        "weights": {c: best.of(c) for c in TUNABLE},
        "all_weights": asdict(best),
    }


# ------------------------------------------------------------------ the whole eval/ directory


@dataclass
class Query:
    """One CV to rank, with its judgements and the strata it belongs to."""

    profile: Profile
    qrels: dict[str, int]
    occupation_uri: str | None
    structure: str  # "structured" or "free-text"
    cv_lang: str
    pool: str  # "eval" (eval/postings.jsonl only) or "all"
    pair: str | None = None  # the structured CV this free-text view was made from


@dataclass
class Suite:
    """Postings (with their codes, as read), their languages and pools, and the queries."""

    postings: list[Posting]
    language: dict[str, str]
    pools: dict[str, set[str]]
    queries: list[Query]
    errors: list[str] = field(default_factory=list)
    free_text_reader: str = "summary"


def _read_postings(
    paths: Sequence[Path], errors: list[str]
) -> tuple[list[Posting], dict[str, str], dict[Path, set[str]]]:
    from .io import RecordError, posting_from_jsonld

    postings: list[Posting] = []
    language: dict[str, str] = {}
    ids_of: dict[Path, set[str]] = {}
    for path in paths:
        ids_of[path] = set()
        for n, obj in enumerate(read_objects(path), start=1):
            try:
                p = posting_from_jsonld(obj)
            except (RecordError, TypeError, ValueError) as exc:
                errors.append(f"{path}: object {n}: {exc}")
                continue
            if p.id in language:
                errors.append(f"{path}: duplicate posting {p.id!r} (first kept)")
                continue
            language[p.id] = str(obj.get("inLanguage") or "da")[:2].lower()
            ids_of[path].add(p.id)
            postings.append(p)
    return postings, language, ids_of


def free_text_profile(pid: str, text: str) -> tuple[Profile, str]:
    """The ranker's profile of a pasted CV, as the portal stores one: the text and nothing
    else (the ranker reads postcode, commute, jobs and skills from it itself, see
    `Recommender.understand`); and how it was read."""
    return Profile(id=pid, summary=text), "Recommender.understand"


def load_suite(eval_dir: str | Path = "eval") -> Suite:
    """Everything under `eval_dir`: the generated/hand-written set and `freetext/`, if built."""
    from .io import profile_from_resume

    root = Path(eval_dir)
    free = root / "freetext"
    errors: list[str] = []
    postings, language, ids_of = _read_postings(
        [root / "postings.jsonl", free / "postings.jsonl"], errors
    )
    pools = {"eval": ids_of[root / "postings.jsonl"], "all": set(language)}
    truth = {r["id"]: r for r in read_objects(root / "profiles_truth.jsonl") if "id" in r}
    qrels = read_qrels(root / "qrels.trec")
    queries: list[Query] = []
    for obj in read_objects(root / "profiles.jsonl"):
        try:
            prof = profile_from_resume(obj)
        except (ValueError, TypeError) as exc:
            errors.append(f"eval/profiles.jsonl: {exc}")
            continue
        t = truth.get(prof.id, {})
        queries.append(
            Query(prof, qrels.get(prof.id, {}), t.get("occupation_uri"), "structured", "da", "eval")
        )
    reader = "summary"
    if (free / "strata.jsonl").exists():
        free_qrels = read_qrels(free / "qrels.trec") if (free / "qrels.trec").exists() else {}
        strata = {r["id"]: r for r in read_objects(free / "strata.jsonl") if "id" in r}
        for obj in read_objects(free / "profiles.jsonl"):
            pid = str(obj.get("id") or "")
            text = str((obj.get("basics") or {}).get("summary") or "")
            s = strata.get(pid)
            if s is None or not text:
                errors.append(
                    f"eval/freetext/profiles.jsonl: {pid or '?'} has no strata row or text"
                )
                continue
            prof, reader = free_text_profile(pid, text)
            queries.append(
                Query(
                    prof,
                    free_qrels.get(pid, {}),
                    s.get("occupation_uri"),
                    str(s.get("structure") or "free-text"),
                    str(s.get("cv_lang") or "da"),
                    str(s.get("pool") or "all"),
                    s.get("pair"),
                )
            )
    return Suite(postings, language, pools, queries, errors, reader)


@dataclass(frozen=True)
class Variant:
    """A row of a table: which index (recommender), which ranking method, which weights."""

    name: str
    index: str  # key of the recommender it ranks with
    method: str
    weights: tuple[tuple[str, float], ...] | None = None


HEADLINE = (
    Variant("hybrid", "main", "hybrid"),
    Variant("semantic", "main", "semantic"),
    Variant("semantic+geo", "main", "hybrid", tuple(SEMANTIC_GEO.items())),
    Variant("lexical", "main", "lexical"),
    Variant("automatch", "main", "automatch"),
)
ABLATIONS = (
    Variant("hybrid", "main", "hybrid"),
    Variant("hybrid −catalogue", "no-catalogue", "hybrid"),
    Variant("hybrid −label index", "no-label-index", "hybrid"),
)
WITH_CODES = (
    Variant("hybrid", "main", "hybrid"),
    Variant("hybrid +codes", "codes", "hybrid"),
    Variant("automatch-occupation", "main", "automatch-occupation"),
    Variant("automatch-occ. +codes", "codes", "automatch-occupation"),
)


def make_recommender(
    postings: Sequence[Posting],
    encoder: Encoder,
    *,
    vocabulary: SkillVocabulary | None = None,
    label_index: ConceptReader | None = None,
) -> Recommender:
    """A recommender over `postings` (rows in their order)."""
    rec = Recommender(encoder, vocabulary=vocabulary, label_index=label_index)
    rec.add(list(postings))
    return rec


def _memo(encoder: Encoder) -> Encoder:
    """The encoder behind an in-memory cache, so every index embeds each posting only once."""
    from .embedding_cache import CachedEncoder, EmbeddingCache

    return (
        encoder if isinstance(encoder, CachedEncoder) else CachedEncoder(encoder, EmbeddingCache())
    )


def strata_of(suite: Suite, catalogue: set[str]) -> dict[str, tuple[str, list[str]]]:
    """Stratum name -> (run kind, query ids): "main" runs rank over a query's whole pool."""
    qs = suite.queries
    out: dict[str, tuple[str, list[str]]] = {
        "all": ("main", [q.profile.id for q in qs]),
        "catalogue: in": ("main", [q.profile.id for q in qs if q.occupation_uri in catalogue]),
        "catalogue: out": (
            "main",
            [q.profile.id for q in qs if q.occupation_uri and q.occupation_uri not in catalogue],
        ),
        "structured": ("main", [q.profile.id for q in qs if q.structure == "structured"]),
        "free-text": ("main", [q.profile.id for q in qs if q.structure == "free-text"]),
    }
    for cv, ad in LANGUAGE_PAIRS:
        kind = f"{cv}→{ad}"
        out[kind] = (kind, [q.profile.id for q in qs if q.cv_lang == cv])
    return out


def evaluate_suite(
    suite: Suite,
    encoder: Encoder,
    *,
    resamples: int = RESAMPLES,
    seed: int = SEED,
    tune: bool = False,
    progress: Callable[[str], None] | None = None,
    label_index: ConceptReader | None = None,
) -> dict[str, Any]:
    """Every table of the evaluation (see the module docstring) as one JSON-ready dict."""
    from .esco import load_esco
    from .text import profile_text

    t_start = time.perf_counter()

    def say(msg: str) -> None:
        if progress is not None:
            progress(f"[{time.perf_counter() - t_start:6.1f} s] {msg}")

    enc = _memo(encoder)
    stripped = strip_occupation_codes(suite.postings)
    say(f"indexing {len(stripped)} postings")
    recs: dict[str, Recommender | None] = {
        "main": make_recommender(stripped, enc, label_index=label_index)
    }
    recs["codes"] = make_recommender(suite.postings, enc, label_index=label_index)
    recs["no-catalogue"] = make_recommender(
        stripped, enc, vocabulary=SkillVocabulary(load_esco(), []), label_index=label_index
    )
    recs["no-label-index"] = (
        make_recommender(stripped, enc, label_index=None) if label_index is not None else None
    )
    profiles = [q.profile for q in suite.queries]
    say(f"embedding {len(profiles)} CVs")
    vectors = enc.encode_queries([profile_text(p) for p in profiles])
    for p, v in zip(profiles, vectors, strict=True):
        p.embedding = v

    row_ids = [p.id for p in suite.postings]
    lang = np.array([suite.language[i] for i in row_ids])
    pool_mask = {
        name: np.array([i in ids for i in row_ids], dtype=bool) for name, ids in suite.pools.items()
    }
    # Per run kind: each query's mask and its judgements restricted to the allowed postings.
    kinds: dict[str, tuple[dict[str, Mask], Qrels]] = {"main": ({}, {})}
    for cv, ad in LANGUAGE_PAIRS:
        kinds[f"{cv}→{ad}"] = ({}, {})
    # A language run whose mask allows exactly the query's pool repeats the main run: reuse it.
    same_as_main: dict[str, set[str]] = {kind: set() for kind in kinds}
    for q in suite.queries:
        pid, base = q.profile.id, pool_mask[q.pool]
        kinds["main"][0][pid] = base
        kinds["main"][1][pid] = q.qrels
        for cv, ad in LANGUAGE_PAIRS:
            if q.cv_lang != cv:
                continue
            kind = f"{cv}→{ad}"
            mask = base & (lang == ad)
            allowed = {row_ids[i] for i in np.flatnonzero(mask)}
            sub = {d: g for d, g in q.qrels.items() if d in allowed}
            if any(g > 0 for g in sub.values()):
                kinds[kind][0][pid] = mask
                kinds[kind][1][pid] = sub
                if np.array_equal(mask, base):
                    same_as_main[kind].add(pid)

    variants = {v.name + "@" + v.index: v for v in (*HEADLINE, *ABLATIONS, *WITH_CODES)}
    scores: dict[str, dict[str, dict[str, dict[str, float]]]] = {}  # variant -> kind -> scores
    seconds: dict[str, float] = {}
    by_id = {p.id: p for p in profiles}
    for key, v in variants.items():
        rec = recs[v.index]
        if rec is None:
            continue
        say(f"ranking: {v.name} ({v.index})")
        weights = with_weights(rec.weights, dict(v.weights)) if v.weights else None
        scores[key] = {}
        t0 = time.perf_counter()
        n_runs = 0
        for kind, (masks, qrels) in kinds.items():
            ps = [by_id[q] for q in masks if q not in same_as_main[kind]]
            run = run_method(rec, ps, v.method, K, masks=masks, row_ids=row_ids, weights=weights)
            n_runs += len(ps)
            scores[key][kind] = per_query({q: qrels[q] for q in run}, run)
            for m, by_query in scores[key]["main"].items():
                scores[key][kind][m] |= {q: by_query[q] for q in same_as_main[kind]}
        seconds[key] = (time.perf_counter() - t0) / max(n_runs, 1)

    catalogue = catalogue_uris()
    strata = strata_of(suite, catalogue)

    def table(rows: Sequence[Variant]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for stratum, (kind, qids) in strata.items():
            out[stratum] = {}
            for v in rows:
                key = v.name + "@" + v.index
                if key not in scores:
                    out[stratum][v.name] = None
                    continue
                out[stratum][v.name] = summarise(
                    scores[key][kind], qids, resamples=resamples, seed=seed
                )
        return out

    paired: dict[str, Any] = {}
    for stratum, (kind, qids) in strata.items():
        a = {q: s for q, s in scores["hybrid@main"][kind]["ndcg@10"].items() if q in set(qids)}
        b = scores["semantic+geo@main"][kind]["ndcg@10"]
        diff, n = paired_bootstrap(a, b, resamples=resamples, seed=seed)
        paired[stratum] = {"n": n, **diff.as_dict(), "hybrid_better": n > 0 and diff.low > 0}

    text_views: dict[str, Any] = {}
    pairs = {q.profile.id: q.pair for q in suite.queries if q.pair}
    for v in HEADLINE:
        main = scores[v.name + "@main"]["main"]["ndcg@10"]
        views = {q: s for q, s in main.items() if q in pairs}
        diff, n = paired_bootstrap(
            views, main, resamples=resamples, seed=seed, pair=lambda q: pairs[q]
        )
        text_views[v.name] = {"n": n, **diff.as_dict()}

    report: dict[str, Any] = {
        "backend": getattr(encoder, "name", "?"),
        "postings": len(suite.postings),
        "postings_by_language": {lg: int((lang == lg).sum()) for lg in sorted(set(lang.tolist()))},
        "queries": len(suite.queries),
        "free_text_reader": suite.free_text_reader,
        "bootstrap": {"resamples": resamples, "seed": seed, "level": LEVEL},
        "label_index": label_index is not None,
        "headline": table(HEADLINE),
        "ablations": table(ABLATIONS),
        "with_codes": table(WITH_CODES),
        "paired_hybrid_minus_semantic_geo_ndcg10": paired,
        "paired_free_text_minus_structured_ndcg10": text_views,
        "seconds_per_query": {k: round(s, 4) for k, s in seconds.items()},
        "errors": suite.errors,
    }
    if tune:
        say("tuning weights on half of the occupations")
        group_of = {q.profile.id: q.occupation_uri or q.profile.id for q in suite.queries}
        rec = recs["main"]
        assert rec is not None
        report["tuning"] = tune_weights(
            rec,
            profiles,
            {q.profile.id: q.qrels for q in suite.queries},
            group_of=group_of,
            masks=kinds["main"][0],
            row_ids=row_ids,
            resamples=resamples,
            seed=seed,
        )
    report["seconds"] = round(time.perf_counter() - t_start, 1)
    return report


def format_report(report: Mapping[str, Any]) -> str:
    """The suite's report as plain-text tables."""
    r = report
    langs = ", ".join(f"{n} {lg}" for lg, n in r["postings_by_language"].items())
    b = r["bootstrap"]
    lines = [
        f"backend {r['backend']}; {r['queries']} CVs; {r['postings']} postings ({langs}); "
        f"free text read by {r['free_text_reader']}",
        f"intervals: {b['level']:.0%} percentile bootstrap over queries, {b['resamples']} "
        f"resamples, seed {b['seed']}",
    ]

    def section(title: str, tab: Mapping[str, Mapping[str, Any]]) -> None:
        lines.extend(["", title])
        for stratum, rows in tab.items():
            lines.extend(["", format_table(rows, first=stratum)])

    section(
        "HEADLINE: postings without occupation codes (occupationalCategory removed)",
        r["headline"],
    )
    section("ABLATIONS (no codes); n/a: this Recommender has no label index", r["ablations"])
    section(
        "WITH CODES: the same postings with their occupation codes, for comparison", r["with_codes"]
    )
    lines.extend(["", "PAIRED: hybrid − (semantic + geography), nDCG@10, per stratum"])
    for stratum, d in r["paired_hybrid_minus_semantic_geo_ndcg10"].items():
        if d["n"] == 0:
            lines.append(f"  {stratum:<16} n=0")
            continue
        flag = "" if d["hybrid_better"] else "   <-- hybrid NOT better (interval reaches 0)"
        lines.append(
            f"  {stratum:<16} n={d['n']:<4} {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]"
            f"{flag}"
        )
    lines.extend(["", "PAIRED: free-text view − structured CV, same people (H001–H042), nDCG@10"])
    for method, d in r["paired_free_text_minus_structured_ndcg10"].items():
        if d["n"]:
            lines.append(
                f"  {method:<16} n={d['n']:<4} {d['mean']:+.3f} [{d['low']:+.3f}, {d['high']:+.3f}]"
            )
    if "tuning" in r:
        t = r["tuning"]
        lines.extend(
            [
                "",
                f"TUNING ({t['split']}): {t['queries']['tune']} queries / "
                f"{t['occupations']['tune']} occupations tuned, {t['queries']['test']} / "
                f"{t['occupations']['test']} held out",
                f"  default weights: tune {t['default']['tune']:.3f}, held out "
                f"{_cell(t['default']['test'])}",
                f"  tuned weights:   tune {t['tuned']['tune']:.3f}, held out "
                f"{_cell(t['tuned']['test'])}",
                f"  tuned: {json.dumps(t['weights'])}",
            ]
        )
    if r["errors"]:
        lines.extend(["", f"{len(r['errors'])} input problems:"] + [f"  {e}" for e in r["errors"]])
    lines.extend(["", f"total {r['seconds']} s"])
    return "\n".join(lines)
