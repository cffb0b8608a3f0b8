"""Offline evaluation: nDCG@10, P@10, MRR and Recall@100 per ranking method, with `ranx`.

`python -m recommender evaluate --postings P.jsonl --profiles C.jsonl --qrels Q.trec` indexes
the postings once, ranks every profile with each method and prints a table (or JSON with
`--json`). `tune_weights` does a small coordinate search over the hybrid weights on one half of
the queries and reports the other half, so a figure is never measured on what it was tuned on.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace

from .ranking import Recommender, Weights
from .types import Profile

METRICS = ("ndcg@10", "precision@10", "mrr", "recall@100")
METHODS = ("hybrid", "semantic", "lexical", "automatch")


def read_qrels(path: str) -> dict[str, dict[str, int]]:
    """TREC qrels (`qid 0 docid grade`) as {qid: {docid: grade}}."""
    out: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 4:
                out.setdefault(parts[0], {})[parts[2]] = int(float(parts[3]))
    return out


def run_method(
    rec: Recommender, profiles: Iterable[Profile], method: str, k: int = 100
) -> dict[str, dict[str, float]]:
    """A run {qid: {docid: score}}; scores follow rank so ties cannot reorder documents."""
    run: dict[str, dict[str, float]] = {}
    for p in profiles:
        recs = rec.rank(p, k=k, method=method, explain=False)
        run[p.id] = {r.posting_id: float(k - r.rank + 1) for r in recs}
    return run


def score_run(
    qrels: dict[str, dict[str, int]], run: dict[str, dict[str, float]]
) -> dict[str, float]:
    """Mean metrics of a run over the queries that have judgements (missing runs count 0)."""
    from ranx import Qrels, Run, evaluate

    judged = {q: d for q, d in qrels.items() if any(g > 0 for g in d.values())}
    full_run = {q: run.get(q) or {"__none__": 0.0} for q in judged}
    res = evaluate(Qrels(judged), Run(full_run), list(METRICS), make_comparable=True)
    return {m: round(float(res[m]), 4) for m in METRICS}


def evaluate_methods(
    rec: Recommender,
    profiles: Sequence[Profile],
    qrels: dict[str, dict[str, int]],
    methods: Sequence[str] = METHODS,
    k: int = 100,
) -> dict[str, dict[str, float]]:
    """Metrics per method, plus `seconds_per_query`."""
    out: dict[str, dict[str, float]] = {}
    for m in methods:
        t0 = time.perf_counter()
        run = run_method(rec, profiles, m, k)
        secs = (time.perf_counter() - t0) / max(len(profiles), 1)
        out[m] = score_run(qrels, run) | {"seconds_per_query": round(secs, 4)}
    return out


def format_table(results: dict[str, dict[str, float]]) -> str:
    """A plain-text table of metrics per method."""
    head = f"{'method':<18}" + "".join(f"{m:>14}" for m in METRICS)
    lines = [head, "-" * len(head)]
    for method, r in results.items():
        lines.append(f"{method:<18}" + "".join(f"{r[m]:>14.4f}" for m in METRICS))
    return "\n".join(lines)


TUNABLE = ("semantic", "lexical", "skills", "geo", "interests")


def tune_weights(
    rec: Recommender,
    profiles: Sequence[Profile],
    qrels: dict[str, dict[str, int]],
    rounds: int = 2,
    metric: str = "ndcg@10",
    grid: Sequence[float] = (0.0, 0.05, 0.1, 0.2, 0.3, 0.45),
) -> dict[str, object]:
    """Coordinate search of component weights on even-indexed queries; odd ones are held out.

    Returns the best weights, the tuning and held-out scores of the defaults and of the best.
    """
    ordered = sorted(profiles, key=lambda p: p.id)
    train = [p for i, p in enumerate(ordered) if i % 2 == 0]
    test = [p for i, p in enumerate(ordered) if i % 2 == 1]
    original = rec.weights

    def score(w: Weights, ps: Sequence[Profile]) -> float:
        rec.weights = w
        subset = {p.id: qrels[p.id] for p in ps if p.id in qrels}
        return score_run(subset, run_method(rec, ps, "hybrid", 100))[metric]

    try:
        best = original
        best_score = score(best, train)
        start = {"train": best_score, "test": score(best, test)}
        for _ in range(rounds):
            for name in TUNABLE:
                for v in grid:
                    cand = replace(best, **{name: float(v)})  # type: ignore[arg-type]
                    if sum(getattr(cand, c) for c in TUNABLE) == 0:
                        continue
                    s = score(cand, train)
                    if s > best_score + 1e-4:
                        best, best_score = cand, s
        end = {"train": best_score, "test": score(best, test)}
    finally:
        rec.weights = original
    return {"metric": metric, "default": start, "tuned": end, "weights": asdict(best)}
