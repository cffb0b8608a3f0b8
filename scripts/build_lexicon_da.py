"""Build the Danish word-frequency lexicon ``recommender/data/lexicon_da.tsv.gz``.

The compound splitter (``recommender/compounds.py``) needs to know how common a Danish word is.
The numbers come from wordfreq's Danish list (Wikipedia, OpenSubtitles, OSCAR web text and
Twitter; about 29,000 words with a Zipf frequency of 3.0 or more). Only this build needs
wordfreq (``pip install wordfreq==3.1.1``); the portal reads the small file it writes, so the
57 MB package and its five dependencies stay out of production.

The file keeps only lower-case alphabetic words of three letters or more (shorter strings are
never a compound part) with their Zipf frequency (log10 of occurrences per billion words), to
two decimals, one ``word<TAB>zipf`` a line, most frequent first, then alphabetical, so a rebuild
from the same wordfreq version is byte-identical. The data is CC BY-SA 4.0: see
``recommender/data/README.md``. Run::

    .venv/bin/python scripts/build_lexicon_da.py            # rewrites the lexicon
    .venv/bin/python scripts/build_lexicon_da.py --check    # exit 1 if the file is stale
"""

from __future__ import annotations

import argparse
import gzip
import importlib.metadata
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "recommender" / "data" / "lexicon_da.tsv.gz"
WORDFREQ_VERSION = "3.1.1"
_ALPHABETIC = re.compile(r"[a-zæøåäöüéè]{3,}")


def lexicon_lines() -> list[str]:
    """``word<TAB>zipf`` lines from wordfreq's Danish list, most frequent first."""
    import wordfreq  # build-time only

    version = importlib.metadata.version("wordfreq")
    if version != WORDFREQ_VERSION:
        sys.exit(f"wordfreq {version} installed; this build is pinned to {WORDFREQ_VERSION}")
    rows = []
    for word in wordfreq.iter_wordlist("da"):
        if _ALPHABETIC.fullmatch(word):
            rows.append((-wordfreq.zipf_frequency(word, "da"), word))
    return [f"{word}\t{-neg:.2f}" for neg, word in sorted(rows)]


def encode(lines: list[str]) -> bytes:
    """The gzip bytes of the file (mtime 0 keeps the output byte-identical)."""
    return gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=9, mtime=0)


def main() -> int:
    """Write or check the lexicon file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args()
    data = encode(lexicon_lines())
    if args.check:
        fresh = OUTPUT.exists() and OUTPUT.read_bytes() == data
        print(f"{OUTPUT.relative_to(ROOT)} is {'up to date' if fresh else 'STALE'}")
        return 0 if fresh else 1
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT.relative_to(ROOT)} ({len(data):,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
