"""ESCO v1.1.1 reference data in a compact form the recommender can load in a fraction of a second.

`build_compact(classification_zip, relations_zip, out)` reads the official CSV zips and writes a
gzip JSON (about 2 MB) with, for every skill, its preferred and alternative English labels, type
and reuse level, and for every occupation its labels, ISCO-08 code and the indices of its
essential and optional skills; plus the ISCO group labels. The output is deterministic (sorted
by URI), so rebuilding from the same zips gives the same bytes. `load_esco()` reads the shipped
file (`recommender/data/esco_v1.1.1.json.gz`) once per process.

Run `python -m recommender esco build [--classification ZIP --relations ZIP]` to rebuild it.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

DATA_DIR = Path(__file__).resolve().parent / "data"
DEFAULT_FILE = DATA_DIR / "esco_v1.1.1.json.gz"
SKILL_PREFIX = "http://data.europa.eu/esco/skill/"
OCC_PREFIX = "http://data.europa.eu/esco/occupation/"
ESCO_NOTICE = "This service uses the ESCO classification of the European Commission."


def _default_zip_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "data" / "esco-v1.1.1"


def _read_csv(zf: zipfile.ZipFile, name: str) -> list[dict[str, str]]:
    with zf.open(name) as fh:
        return list(csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8")))


def _labels(text: str) -> list[str]:
    return sorted({x.strip() for x in text.split("\n") if x.strip()})


def build_compact(
    classification_zip: Path | None = None,
    relations_zip: Path | None = None,
    out: Path = DEFAULT_FILE,
) -> Path:
    """Derive the compact ESCO file from the official CSV zips; returns the written path."""
    zdir = _default_zip_dir()
    classification_zip = classification_zip or zdir / "esco-v1.1.1-classification-en-csv.zip"
    relations_zip = relations_zip or zdir / "esco-v1.1.1-relations-csv.zip"
    with zipfile.ZipFile(classification_zip) as zf:
        skills = _read_csv(zf, "skills_en.csv")
        occs = _read_csv(zf, "occupations_en.csv")
        groups = _read_csv(zf, "ISCOGroups_en.csv")
    with zipfile.ZipFile(relations_zip) as zf:
        rels = _read_csv(zf, "occupationSkillRelations.csv")

    skills.sort(key=lambda r: r["conceptUri"])
    occs.sort(key=lambda r: r["conceptUri"])
    s_index = {r["conceptUri"]: i for i, r in enumerate(skills)}
    o_index = {r["conceptUri"]: i for i, r in enumerate(occs)}
    essential: list[list[int]] = [[] for _ in occs]
    optional: list[list[int]] = [[] for _ in occs]
    for r in rels:
        oi, si = o_index.get(r["occupationUri"]), s_index.get(r["skillUri"])
        if oi is None or si is None:
            continue
        (essential if r["relationType"] == "essential" else optional)[oi].append(si)

    def short(uri: str, prefix: str) -> str:
        return uri[len(prefix) :] if uri.startswith(prefix) else uri

    doc = {
        "version": "1.1.1",
        "notice": ESCO_NOTICE,
        "skills": {
            "id": [short(r["conceptUri"], SKILL_PREFIX) for r in skills],
            "label": [r["preferredLabel"].strip() for r in skills],
            "alt": [
                [a for a in _labels(r["altLabels"]) if a != r["preferredLabel"].strip()]
                for r in skills
            ],
            "type": ["k" if r["skillType"] == "knowledge" else "s" for r in skills],
            "reuse": [(r["reuseLevel"] or "-")[:1] for r in skills],
        },
        "occupations": {
            "id": [short(r["conceptUri"], OCC_PREFIX) for r in occs],
            "label": [r["preferredLabel"].strip() for r in occs],
            "alt": [
                [a for a in _labels(r["altLabels"]) if a != r["preferredLabel"].strip()]
                for r in occs
            ],
            "isco": [r["iscoGroup"].strip() for r in occs],
            "essential": [sorted(set(x)) for x in essential],
            "optional": [sorted(set(x)) for x in optional],
        },
        "isco_groups": {r["code"].strip(): r["preferredLabel"].strip() for r in groups},
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    # mtime=0 and an empty name keep the gzip header, and so the bytes, reproducible.
    with open(out, "wb") as fh, gzip.GzipFile("", mode="wb", fileobj=fh, mtime=0) as gz:
        gz.write(raw.encode("utf-8"))
    return out


@dataclass
class EscoData:
    """ESCO skills and occupations with integer indices and sparse occupation–skill matrices."""

    skill_uris: list[str]
    skill_labels: list[str]
    skill_alt: list[list[str]]
    skill_reuse: list[str]
    occ_uris: list[str]
    occ_labels: list[str]
    occ_alt: list[list[str]]
    occ_isco: list[str]
    essential: sp.csr_matrix  # occupations × skills, 1 where essential
    optional: sp.csr_matrix  # occupations × skills, 1 where optional
    isco_groups: dict[str, str]

    def __post_init__(self) -> None:
        self.skill_index = {u: i for i, u in enumerate(self.skill_uris)}
        self.occ_index = {u: i for i, u in enumerate(self.occ_uris)}

    @property
    def n_skills(self) -> int:
        """Number of skills."""
        return len(self.skill_uris)

    def occ_isco_array(self) -> npt.NDArray[np.int32]:
        """ISCO-08 code of each occupation as an int (4 digits)."""
        return np.array([int(c) if c.isdigit() else -1 for c in self.occ_isco], dtype=np.int32)


def _csr(rows: list[list[int]], n_cols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((i for r in rows for i in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))


def load_esco_file(path: Path) -> EscoData:
    """Load a compact ESCO file written by `build_compact`."""
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        doc = json.load(fh)
    s, o = doc["skills"], doc["occupations"]
    n_s = len(s["id"])

    def full(x: str, prefix: str) -> str:
        return x if x.startswith("http") else prefix + x

    return EscoData(
        skill_uris=[full(x, SKILL_PREFIX) for x in s["id"]],
        skill_labels=s["label"],
        skill_alt=s["alt"],
        skill_reuse=s["reuse"],
        occ_uris=[full(x, OCC_PREFIX) for x in o["id"]],
        occ_labels=o["label"],
        occ_alt=o["alt"],
        occ_isco=o["isco"],
        essential=_csr(o["essential"], n_s),
        optional=_csr(o["optional"], n_s),
        isco_groups=doc["isco_groups"],
    )


@lru_cache(maxsize=2)
def load_esco(path: str | None = None) -> EscoData:
    """The shipped compact ESCO data (built from the zips on first use if it is missing)."""
    p = Path(path) if path else DEFAULT_FILE
    if not p.exists():
        build_compact(out=p)
    return load_esco_file(p)
