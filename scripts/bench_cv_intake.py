"""From an uploaded 2-page text PDF to what the review form shows: p50/p95 over 20 files.

    .venv/bin/python scripts/bench_cv_intake.py [--files 20]

Each file is a different 2-page CV (the test CVs' sectioned Danish example with a varying tail)
written as a real PDF. Per file it times what the upload does before the page is rendered:
reading the PDF's text (`app.services.cv_files.read_cv_file`) and reading that text into a
structured CV with the real model and label index (`Recommender.read_cv`, ONNX). The first call
(loading the model and the index) is reported apart. Target: ≤ 3 s per file on 2 cores.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.services.cv_files import read_cv_file  # noqa: E402
from recommender.encoders import load_encoder  # noqa: E402
from recommender.labels import default_label_index  # noqa: E402
from recommender.ranking import Recommender  # noqa: E402
from tests.files import make_pdf  # noqa: E402

CV_FILE = ROOT / "tests" / "data" / "cvs" / "da_sectioned.txt"
TAILS = [
    "Frivillig i den lokale fodboldklub som træner for U12 siden 2018.",
    "Jeg har kørekort B og egen bil og kan arbejde i weekenden.",
    "Interesser: cykling, madlavning og at hjælpe naboer med computere.",
    "Jeg søger fast job på fuld tid og kan starte med det samme.",
]


def pdf_cv(n: int) -> bytes:
    """A 2-page PDF of the sectioned test CV with a tail line that differs per file."""
    lines = [ln[:90] for ln in CV_FILE.read_text(encoding="utf-8").splitlines()]
    lines += [f"{TAILS[n % len(TAILS)]} (udgave {n})"]
    half = len(lines) // 2
    # WinAnsi text in a PDF string: brackets and backslashes would need escaping; none occur.
    return make_pdf([lines[:half], lines[half:]])


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--files", type=int, default=20)
    args = ap.parse_args()
    t0 = time.perf_counter()
    rec = Recommender(load_encoder("onnx"), label_index=default_label_index())
    rec.read_cv(read_cv_file(pdf_cv(-1)).text)
    print(f"first call (model and label index load): {time.perf_counter() - t0:.1f} s")
    files = [pdf_cv(n) for n in range(args.files)]
    ms: list[float] = []
    for data in files:
        t = time.perf_counter()
        read = read_cv_file(data)
        parsed = rec.read_cv(read.text)
        ms.append((time.perf_counter() - t) * 1000)
    assert read.pages == 2 and parsed.jobs, "the CV was not read"
    ms.sort()
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    print(
        f"2-page PDF -> review rows: p50 {statistics.median(ms):.0f} ms, p95 {p95:.0f} ms, "
        f"max {ms[-1]:.0f} ms over {len(ms)} files (target <= 3000 ms)"
    )


if __name__ == "__main__":
    main()
