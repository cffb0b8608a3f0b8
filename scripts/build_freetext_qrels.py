"""Grade the hand-written free-text CVs of ``eval/freetext/`` against one shared posting pool.

Each batch directory ``eval/freetext/<batch>/`` (format: ``/work/helpers/FREETEXT_FORMAT.md``,
summarised in ``eval/README.md``) holds CVs as pasted text with their truth (own occupation,
postcode, commuting radius, language), postings without occupation codes, the postings' true
occupations and occupation-level judgements written before any ranking. This script merges every
batch with ``eval/postings.jsonl`` into one pool and turns each CV's judgements into posting
grades:

    grade(CV, posting) = the CV's grade of the posting's true occupation, if the posting is
    remote or its postcode centroid lies within the CV's ``commute_km`` of the CV's postcode
    centroid (great-circle distance), else 0.

It also writes a free-text view of the 42 hand-written structured CVs (``H001-T`` …): the same
CV flattened to pasted plain text, graded exactly like the structured one, so the structured and
free-text figures are paired on the same people.

Outputs (in ``--out``, default ``eval/freetext/``):

* ``profiles.jsonl``  what the ranker sees: ``{"id", "basics": {"summary": <the text>}}``.
* ``postings.jsonl``  the batches' postings (``occupationalCategory`` removed if present).
* ``qrels.trec``      TREC qrels ``qid 0 docid grade`` (grades 1-3).
* ``strata.jsonl``    per CV: truth occupation, CV language, structure, batch, pool, pair.

Batches may be incomplete while they are being written: unreadable lines, CVs without
judgements and postings without truth are reported on stderr and left out, never guessed.
The build is deterministic (sorted batches, fixed order, no clock).

    .venv/bin/python scripts/build_freetext_qrels.py
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from recommender.geo import danish_postcodes
from recommender.io import write_jsonl

ROOT = Path(__file__).resolve().parents[1]
EVAL_DIR = ROOT / "eval"
FREETEXT_DIR = EVAL_DIR / "freetext"
# The format's rule: a CV whose text states no radius is graded with this one.
UNSTATED_COMMUTE_KM = 30.0
GRADES = ("3", "2", "1")
# Suffix of the free-text view of a hand-written structured CV (H001 -> H001-T).
TEXT_VIEW_SUFFIX = "-T"


@dataclass(frozen=True)
class Centroid:
    """A postcode's centroid and the town name the postcode source gives it."""

    town: str
    lat: float
    lon: float


def load_centroids() -> dict[str, Centroid]:
    """Danish postcode centroids with the recommender's hand-checked corrections.

    The source misplaces some towns (6950 Ringkøbing in the North Sea, Bornholm shifted);
    `recommender.geo` replaces them with checked town centres, and the grader uses the same
    places the person and the employer mean.
    """
    ref = resources.files("countrystatecity_postal_codes").joinpath(
        "data/by-country/DK/postcodes.json"
    )
    towns: dict[str, str] = {}
    for row in json.loads(ref.read_text(encoding="utf-8")):
        towns.setdefault(str(row.get("code", "")), str(row.get("localityName", "")))
    coords = danish_postcodes()
    out: dict[str, Centroid] = {}
    for code, town in sorted(towns.items()):
        point = coords.lookup(code)
        if point is not None:
            out[code] = Centroid(town, point[0], point[1])
    return out


def distance_km(a: Centroid, b: Centroid) -> float:
    """Great-circle distance between two centroids in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def read_jsonl(path: Path, key: str, warnings: list[str]) -> list[dict[str, Any]]:
    """Objects of a JSON Lines file with a unique `key`; bad or duplicate lines are warned about."""
    if not path.exists():
        return []
    rows: list[dict[str, Any]] = []
    seen: set[str] = set()
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            warnings.append(f"{path}:{n}: not JSON ({exc.msg})")
            continue
        ident = row.get(key) if isinstance(row, dict) else None
        if not isinstance(ident, str) or not ident:
            warnings.append(f"{path}:{n}: no {key}")
            continue
        if ident in seen:
            warnings.append(f"{path}:{n}: duplicate {key} {ident!r} (first kept)")
            continue
        seen.add(ident)
        rows.append(row)
    return rows


def read_judgements(path: Path, warnings: list[str]) -> dict[str, dict[str, int]]:
    """{cv id: {occupation URI: grade}} from a batch's judgements.json (highest grade wins)."""
    if not path.exists():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        warnings.append(f"{path}: not JSON ({exc.msg}); batch judgements skipped")
        return {}
    out: dict[str, dict[str, int]] = {}
    for cv_id, judged in raw.items() if isinstance(raw, dict) else []:
        if not isinstance(judged, dict):
            continue
        levels: dict[str, int] = {}
        for g in GRADES:
            for uri in judged.get(g) or []:
                if isinstance(uri, str):
                    levels[uri] = max(levels.get(uri, 0), int(g))
        out[str(cv_id)] = levels
    return out


def posting_postcode(posting: dict[str, Any]) -> str | None:
    """The postcode of a JobPosting's first located address, if any."""
    locations = posting.get("jobLocation")
    for loc in locations if isinstance(locations, list) else [locations]:
        if isinstance(loc, dict) and isinstance(loc.get("address"), dict):
            code = loc["address"].get("postalCode")
            if code:
                return str(code).strip()
    return None


def is_remote(posting: dict[str, Any]) -> bool:
    """True for a posting whose work can be done from home (schema.org TELECOMMUTE)."""
    kind = posting.get("jobLocationType")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).upper() == "TELECOMMUTE" for k in kinds if k)


def grade_postings(
    home: Centroid,
    commute_km: float,
    levels: dict[str, int],
    postings: list[dict[str, Any]],
    occupation_of: dict[str, str],
    centroids: dict[str, Centroid],
) -> dict[str, int]:
    """Posting id -> grade (only grades >= 1) for one CV under the distance rule.

    A posting gets the CV's grade of its true occupation when it is remote or within
    `commute_km` of the CV's home; postings with no known occupation or place get nothing.
    """
    out: dict[str, int] = {}
    for posting in postings:
        pid = str(posting["identifier"])
        level = levels.get(occupation_of.get(pid, ""), 0)
        if level <= 0:
            continue
        if not is_remote(posting):
            where = centroids.get(posting_postcode(posting) or "")
            if where is None or distance_km(home, where) > commute_km:
                continue
        out[pid] = level
    return out


def _years(item: dict[str, Any]) -> str:
    start = str(item.get("startDate") or "")[:4]
    end = str(item.get("endDate") or "")[:4]
    if not start:
        return ""
    return f" ({start}–{end or 'nu'})"


def _words(value: Any) -> str:
    if isinstance(value, list):
        return " ".join(str(v).strip().rstrip(".") + "." for v in value if str(v).strip())
    return str(value or "").strip()


def flatten_resume(resume: dict[str, Any], town: str | None) -> str:
    """A structured JSON Resume as the plain text a person would paste, deterministically.

    Headline and summary, one block per job, education, skills, interests, then where the
    person lives ("Bopæl: <postcode> <town>") and the commuting radius when the CV has one.
    """
    basics = resume.get("basics") or {}
    lines: list[str] = []
    if basics.get("label"):
        lines.append(str(basics["label"]))
    if basics.get("summary"):
        lines.append(str(basics["summary"]))
    work = [w for w in resume.get("work") or [] if isinstance(w, dict)]
    if work:
        lines += ["", "Erhvervserfaring"]
        for w in work:
            where = ", ".join(str(x) for x in (w.get("position"), w.get("name")) if x)
            lines.append(where + _years(w))
            text = " ".join(t for t in (_words(w.get("summary")), _words(w.get("highlights"))) if t)
            if text:
                lines.append(text)
    education = [e for e in resume.get("education") or [] if isinstance(e, dict)]
    if education:
        lines += ["", "Uddannelse"]
        for e in education:
            what = " ".join(str(e[k]) for k in ("studyType", "area") if e.get(k))
            lines.append(", ".join(x for x in (what, str(e.get("institution") or "")) if x))
    skills = [s for s in resume.get("skills") or [] if isinstance(s, dict)]
    if skills:
        lines += ["", "Kompetencer"]
        for s in skills:
            keywords = ", ".join(str(k) for k in s.get("keywords") or [])
            lines.append(f"{s.get('name')}: {keywords}" if s.get("name") else keywords)
    interests = [str(i.get("name")) for i in resume.get("interests") or [] if isinstance(i, dict)]
    if interests:
        lines += ["", "Fritid: " + ", ".join(i for i in interests if i)]
    code = (basics.get("location") or {}).get("postalCode")
    tail: list[str] = []
    if code:
        tail.append(f"Bopæl: {code} {town}".rstrip() if town else f"Bopæl: {code}")
    if resume.get("commuteKm") is not None:
        tail.append(f"Jeg kan pendle op til {float(resume['commuteKm']):g} km.")
    if tail:
        lines += ["", *tail]
    return "\n".join(lines).strip()


def text_profile(cv_id: str, text: str) -> dict[str, Any]:
    """What the ranker is given for a free-text CV: an id and the text, nothing else."""
    return {"id": cv_id, "basics": {"summary": text}}


def _strata_row(cv_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": cv_id, **fields}


def handwritten_text_views(
    eval_dir: Path, centroids: dict[str, Centroid], warnings: list[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[tuple[str, str, int]]]:
    """Free-text views of the hand-written CVs, with their strata and the structured CVs' qrels."""
    truth = {r["id"]: r for r in read_jsonl(eval_dir / "profiles_truth.jsonl", "id", warnings)}
    qrels: dict[str, list[tuple[str, int]]] = {}
    for line in (eval_dir / "qrels.trec").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 4:
            qrels.setdefault(parts[0], []).append((parts[2], int(parts[3])))
    profiles, strata, rows = [], [], []
    for resume in read_jsonl(eval_dir / "handwritten_profiles.jsonl", "id", warnings):
        pid = resume["id"]
        code = ((resume.get("basics") or {}).get("location") or {}).get("postalCode")
        town = centroids[code].town if code in centroids else None
        view = pid + TEXT_VIEW_SUFFIX
        profiles.append(text_profile(view, flatten_resume(resume, town)))
        t = truth.get(pid, {})
        strata.append(
            _strata_row(
                view,
                occupation_uri=t.get("occupation_uri"),
                isco=t.get("isco"),
                cv_lang="da",
                structure="free-text",
                batch="handwritten",
                pool="eval",
                pair=pid,
            )
        )
        rows += [(view, doc, g) for doc, g in qrels.get(pid, [])]
    return profiles, strata, rows


def batch_dirs(freetext_dir: Path) -> list[Path]:
    """Batch directories (any sub-directory with a cvs.jsonl or postings.jsonl), sorted."""
    if not freetext_dir.is_dir():
        return []
    return sorted(
        d
        for d in freetext_dir.iterdir()
        if d.is_dir() and ((d / "cvs.jsonl").exists() or (d / "postings.jsonl").exists())
    )


def build(eval_dir: Path = EVAL_DIR, out_dir: Path = FREETEXT_DIR) -> dict[str, Any]:
    """Write the free-text profiles, batch postings, qrels and strata; returns counts."""
    warnings: list[str] = []
    centroids = load_centroids()
    occupation_of = {
        r["id"]: r["occupation_uri"]
        for r in read_jsonl(eval_dir / "postings_truth.jsonl", "id", warnings)
    }
    pool = read_jsonl(eval_dir / "postings.jsonl", "identifier", warnings)
    batch_postings: list[dict[str, Any]] = []
    batches = batch_dirs(out_dir)
    cvs: list[tuple[str, dict[str, Any], dict[str, int] | None]] = []
    for d in batches:
        for p in read_jsonl(d / "postings.jsonl", "identifier", warnings):
            p.pop("occupationalCategory", None)
            batch_postings.append(p)
        for r in read_jsonl(d / "postings_truth.jsonl", "id", warnings):
            if isinstance(r.get("occupation_uri"), str):
                occupation_of.setdefault(r["id"], r["occupation_uri"])
        judgements = read_judgements(d / "judgements.json", warnings)
        for cv in read_jsonl(d / "cvs.jsonl", "id", warnings):
            cvs.append((d.name, cv, judgements.get(cv["id"])))
    known = {str(p["identifier"]) for p in pool}
    unique_batch = []
    for p in batch_postings:
        if str(p["identifier"]) in known:
            warnings.append(f"posting {p['identifier']} appears twice in the pool (first kept)")
            continue
        known.add(str(p["identifier"]))
        unique_batch.append(p)
    pool += unique_batch
    no_truth = [str(p["identifier"]) for p in unique_batch if p["identifier"] not in occupation_of]
    if no_truth:
        warnings.append(f"{len(no_truth)} batch postings have no truth row (graded 0): {no_truth}")

    profiles, strata, qrels = handwritten_text_views(eval_dir, centroids, warnings)
    for batch, cv, levels in cvs:
        cid, text = cv["id"], cv.get("text")
        home = centroids.get(str(cv.get("postcode") or ""))
        problem = (
            "no text"
            if not isinstance(text, str) or not text.strip()
            else "no judgements"
            if not levels
            else f"unknown postcode {cv.get('postcode')!r}"
            if home is None
            else None
        )
        if problem:
            warnings.append(f"{batch}/{cid}: {problem}; CV left out")
            continue
        assert home is not None and levels is not None and isinstance(text, str)
        commute = cv.get("commute_km")
        radius = float(commute) if isinstance(commute, int | float) else UNSTATED_COMMUTE_KM
        graded = grade_postings(home, radius, levels, pool, occupation_of, centroids)
        if not graded:
            warnings.append(f"{batch}/{cid}: no relevant posting in the pool")
        profiles.append(text_profile(cid, text))
        strata.append(
            _strata_row(
                cid,
                occupation_uri=cv.get("occupation_uri"),
                isco=cv.get("isco"),
                cv_lang=str(cv.get("lang") or "da"),
                structure="free-text",
                batch=batch,
                pool="all",
                pair=None,
            )
        )
        qrels += [(cid, doc, g) for doc, g in sorted(graded.items())]

    out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(out_dir / "profiles.jsonl", profiles)
    write_jsonl(out_dir / "postings.jsonl", unique_batch)
    write_jsonl(out_dir / "strata.jsonl", strata)
    (out_dir / "qrels.trec").write_text(
        "".join(f"{q} 0 {d} {g}\n" for q, d, g in qrels), encoding="utf-8"
    )
    for w in warnings:
        print(f"warning: {w}", file=sys.stderr)
    return {
        "batches": [d.name for d in batches],
        "cvs": len(cvs),
        "profiles": len(profiles),
        "batch_postings": len(unique_batch),
        "qrels": len(qrels),
        "warnings": len(warnings),
    }


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval", type=Path, default=EVAL_DIR, help="the eval/ directory")
    parser.add_argument("--out", type=Path, default=FREETEXT_DIR, help="batches and outputs")
    args = parser.parse_args()
    print(json.dumps(build(args.eval, args.out)))


if __name__ == "__main__":
    main()
