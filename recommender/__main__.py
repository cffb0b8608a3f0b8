"""Command line entry point: ``python -m recommender <command> ...``.

Commands:
    model build [--out DIR] [--onnx] [--force]   build the embedding model (see model_build)
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Dispatch ``argv`` to the command's own ``main``; returns an exit code."""
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["model"]:
        from recommender.model_build import main as model_main

        return model_main(args[1:])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
