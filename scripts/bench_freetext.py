"""How long `parse_cv` takes on a 400-word CV, without and with the real label index.

    .venv/bin/python scripts/bench_freetext.py [--runs 20]

The CV is the test CVs' Danish sectioned example padded with bullet lines to about 400 words.
The label index (`recommender.labels`) is used when that module and the embedding model exist
(JOBUNIVERS_MODEL_PATH); otherwise that line says why it was skipped. Target: ≤ 300 ms with
the index on the ONNX backend.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import time
from pathlib import Path
from typing import Any

from recommender.freetext import ConceptReader, parse_cv
from recommender.geo import danish_postcodes
from recommender.skills import default_vocabulary

ROOT = Path(__file__).resolve().parent.parent
CV_FILE = ROOT / "tests" / "data" / "cvs" / "da_sectioned.txt"
EXTRA_BULLETS = [
    "- Ansvar for daglig pakning og forsendelse af ordrer til butikker i hele Jylland",
    "- Kørsel med gaffeltruck, reachtruck og stabler i højlager",
    "- Oplæring af nye kolleger i sikkerhed og arbejdsgange på lageret",
    "- Registrering af varer i lagerstyringssystemet SAP og optælling ved status",
    "- Samarbejde med chauffører om læsning af lastbiler efter køreplan",
    "- Rengøring og vedligeholdelse af maskiner og arbejdsområder",
]


def four_hundred_word_cv() -> str:
    """The sectioned Danish test CV padded with experience bullets to about 400 words."""
    text = CV_FILE.read_text(encoding="utf-8")
    head, _, tail = text.partition("UDDANNELSE")
    k = 0
    while len((head + tail).split()) < 400:
        head += EXTRA_BULLETS[k % len(EXTRA_BULLETS)] + "\n"
        k += 1
    return head + "\nUDDANNELSE" + tail


def label_index() -> tuple[ConceptReader | None, str]:
    """The real label index, or None and the reason it is not available."""
    try:
        labels: Any = importlib.import_module("recommender.labels")
    except ImportError as exc:
        return None, f"recommender.labels not importable ({exc})"
    for name in ("default_label_index", "load_label_index"):
        if hasattr(labels, name):
            try:
                return getattr(labels, name)(), f"recommender.labels.{name}()"
            except (OSError, RuntimeError, ValueError) as exc:
                return None, f"{name}() failed: {exc}"
    return None, "recommender.labels has no default_label_index()/load_label_index()"


def timed(text: str, reader: ConceptReader | None, runs: int) -> list[float]:
    """Milliseconds per `parse_cv` call over `runs` calls (after one warm-up call)."""
    vocab, codes = default_vocabulary(), danish_postcodes()
    parse_cv(text, vocabulary=vocab, concepts=reader, postcodes=codes)
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        parse_cv(text, vocabulary=vocab, concepts=reader, postcodes=codes)
        out.append((time.perf_counter() - t0) * 1000)
    return out


def report(label: str, ms: list[float]) -> None:
    """Print median and 90th percentile."""
    p90 = sorted(ms)[max(0, int(len(ms) * 0.9) - 1)]
    print(f"{label:<28} median {statistics.median(ms):7.1f} ms   p90 {p90:7.1f} ms   n={len(ms)}")


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    text = four_hundred_word_cv()
    print(f"CV: {len(text.split())} words, {len(text)} characters")
    t0 = time.perf_counter()
    default_vocabulary()
    print(f"vocabulary load (once per process): {(time.perf_counter() - t0) * 1000:.0f} ms")
    report("parse_cv, vocabulary only", timed(text, None, args.runs))
    reader, how = label_index()
    if reader is None:
        print(f"parse_cv with label index: skipped: {how}")
        return
    report("parse_cv + label index", timed(text, reader, args.runs))
    print(f"(label index from {how})")


if __name__ == "__main__":
    main()
