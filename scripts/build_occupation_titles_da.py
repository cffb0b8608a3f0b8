"""Review and build the Danish titles of every ESCO occupation.

``data/occupation_titles_da/isco-NN.toml`` (one file per ISCO-08 sub-major group, written for
Jobunivers) give each of ESCO v1.1.1's 3,007 occupations the Danish title a Danish job ad or
jobcentre uses, 1-4 alternative Danish titles and, where Danes use it, an English title. This
script checks them and writes ``recommender/data/occupation_titles_da.json``, which the
recommender reads (``recommender.skills.load_titles_da``).

The review fails the build on: an occupation missing or listed twice, a URI ESCO does not know,
an ``en`` that is not the ESCO label, an empty or duplicate Danish title, fewer than 1 or more
than 4 alternatives, and a Danish title that merely copies the English label unless the entry
says so with ``en_is_danish = true`` (Barista, Journalist, ...). It prints a coverage report.
The output is deterministic. Run::

    .venv/bin/python scripts/build_occupation_titles_da.py            # review and write
    .venv/bin/python scripts/build_occupation_titles_da.py --check    # exit 1 if stale
"""

from __future__ import annotations

import argparse
import json
import sys
import tomllib
from pathlib import Path
from typing import Any

from recommender.esco import OCC_PREFIX, load_esco

ROOT = Path(__file__).resolve().parents[1]
SOURCE_DIR = ROOT / "data" / "occupation_titles_da"
OUT = ROOT / "recommender" / "data" / "occupation_titles_da.json"
MAX_ALTERNATIVES = 4


def _uri(esco_id: str) -> str:
    return esco_id if esco_id.startswith("http") else OCC_PREFIX + esco_id


def review(source_dir: Path = SOURCE_DIR) -> tuple[dict[str, Any], list[str], dict[str, int]]:
    """The titles by URI, every problem found, and the coverage figures."""
    esco = load_esco()
    labels = {_uri(u): label for u, label in zip(esco.occ_uris, esco.occ_labels, strict=True)}
    problems: list[str] = []
    titles: dict[str, dict[str, Any]] = {}
    seen_da: dict[str, str] = {}
    copies = 0
    for path in sorted(source_dir.glob("isco-*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for n, occ in enumerate(data.get("occupation", []), start=1):
            where = f"{path.name} #{n}"
            uri, da = str(occ.get("uri", "")), str(occ.get("da", "")).strip()
            alts = [str(a).strip() for a in occ.get("alt_da", []) if str(a).strip()]
            if uri not in labels:
                problems.append(f"{where}: unknown ESCO occupation {uri!r}")
                continue
            if uri in titles:
                problems.append(f"{where}: {labels[uri]!r} listed twice")
            if occ.get("en") != labels[uri]:
                problems.append(f"{where}: en {occ.get('en')!r} is not ESCO's {labels[uri]!r}")
            if not da:
                problems.append(f"{where}: no Danish title for {labels[uri]!r}")
            elif da.casefold() in seen_da:
                problems.append(f"{where}: Danish title {da!r} also names {seen_da[da.casefold()]}")
            if not 1 <= len(alts) <= MAX_ALTERNATIVES:
                problems.append(f"{where}: {len(alts)} alternative titles (1-{MAX_ALTERNATIVES})")
            if da.casefold() == labels[uri].casefold():
                copies += 1
                if not occ.get("en_is_danish"):
                    problems.append(
                        f"{where}: Danish title copies the English label {da!r} "
                        "(set en_is_danish = true if Danes really use it)"
                    )
            seen_da.setdefault(da.casefold(), labels[uri])
            titles[uri] = {"da": da, "alt_da": alts, "en_dk": list(occ.get("en_dk", []))}
    missing = sorted(set(labels) - set(titles))
    problems += [f"missing: {labels[u]!r} ({u})" for u in missing[:20]]
    if len(missing) > 20:
        problems.append(f"... and {len(missing) - 20} more missing")
    figures = {
        "occupations": len(labels),
        "with_danish_title": len(titles),
        "alternative_titles": sum(len(t["alt_da"]) for t in titles.values()),
        "english_titles_used_in_dk": sum(len(t["en_dk"]) for t in titles.values()),
        "titles_equal_to_english_label": copies,
    }
    return titles, problems, figures


def render(titles: dict[str, Any]) -> str:
    """The JSON the recommender reads: provenance, then one occupation a line (sorted)."""
    head = {
        "esco_version": "v1.1.1",
        "source": "Danish titles written for Jobunivers (data/occupation_titles_da/); "
        "no Danish ESCO labels were used. This service uses the ESCO classification of the "
        "European Commission.",
    }
    lines = [
        f"{json.dumps(u)}: {json.dumps(titles[u], ensure_ascii=False)}" for u in sorted(titles)
    ]
    body = ",\n".join(lines)
    top = json.dumps(head, ensure_ascii=False)[1:-1]
    return f'{{{top},\n"occupations": {{\n{body}\n}}}}\n'


def main(argv: list[str] | None = None) -> int:
    """Review the titles, print the coverage, and write (or check) the JSON file."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    args = parser.parse_args(argv)
    titles, problems, figures = review()
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    print(
        f"occupations with a Danish title: {figures['with_danish_title']} of "
        f"{figures['occupations']}; {figures['alternative_titles']} alternative titles, "
        f"{figures['english_titles_used_in_dk']} English titles used in Denmark, "
        f"{figures['titles_equal_to_english_label']} titles equal to the English label"
    )
    if problems:
        return 1
    text = render(titles)
    if args.check:
        current = OUT.read_text(encoding="utf-8") if OUT.exists() else ""
        if current != text:
            print(f"{OUT} is stale: rerun without --check", file=sys.stderr)
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
