"""Command line entry point: ``python -m recommender <command> ...`` (see `recommender.cli`).

Commands: rank, evaluate, bench, esco build, model build.
"""

from __future__ import annotations

from recommender.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
