"""Print the cost of Danish compound splitting: lexicon load, and split time per 1,000 tokens.

Tokenises every posting of ``eval/postings.jsonl`` (title and description) with
``recommender.text.tokens``, then times ``recommender.compounds.expand_tokens`` on the same
tokens, first with empty caches (what indexing a fresh process pays) and again warm. Run::

    .venv/bin/python scripts/bench_compounds.py
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from recommender import compounds
from recommender.text import tokens

POSTINGS = Path(__file__).resolve().parents[1] / "eval" / "postings.jsonl"


def main() -> None:
    """Measure and print."""
    t0 = time.perf_counter()
    compounds.lexicon()
    load_ms = 1000 * (time.perf_counter() - t0)
    rows = [json.loads(line) for line in POSTINGS.read_text(encoding="utf-8").splitlines()]
    t0 = time.perf_counter()
    token_lists = [tokens(f"{r['title']}\n{r.get('description') or ''}") for r in rows]
    tokenise_s = time.perf_counter() - t0
    n = sum(len(t) for t in token_lists)
    timings = []
    for _ in ("cold", "warm"):
        t0 = time.perf_counter()
        expanded = [compounds.expand_tokens(t) for t in token_lists]
        timings.append(time.perf_counter() - t0)
    added = sum(len(e) for e in expanded) - n
    split = {t for tl in token_lists for t in tl if compounds.compound_terms(t)}
    distinct = {t for tl in token_lists for t in tl}
    print(f"lexicon load: {load_ms:.0f} ms ({len(compounds.lexicon().words):,} words)")
    print(f"postings: {len(rows):,}, tokens: {n:,}, distinct: {len(distinct):,}")
    print(f"tokenise (text.tokens): {1e6 * tokenise_s / n:.2f} ms per 1,000 tokens")
    print(f"expand cold: {1e6 * timings[0] / n:.2f} ms per 1,000 tokens")
    print(f"expand warm: {1e6 * timings[1] / n:.2f} ms per 1,000 tokens")
    print(f"compound tokens: {len(split):,} of {len(distinct):,} distinct; terms added: {added:,}")


if __name__ == "__main__":
    main()
