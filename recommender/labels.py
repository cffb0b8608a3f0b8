"""A cross-lingual nearest-neighbour index over every ESCO occupation and skill label.

The Danish catalogue (`data/occupations_da.json`) names 119 occupations; ESCO has 3,007 and
13,896 skills, in English only. This index lets a Danish word such as "bådebygger" or
"museumsinspektør" find its ESCO concept through the multilingual model instead: every label
row (preferred labels, occupations' alternative labels, and the catalogue's Danish titles and
skill forms, each pointing to its concept) is embedded once, and a text's concepts are the
concepts of its nearest rows (one per concept: the best of its rows).

Rows and queries are both lower-cased and embedded with the `query: ` prefix: label matching is
symmetric (short text against short text), which is E5's use of that prefix.

E5 cosines all sit between about 0.80 and 0.95, so a raw cosine says little; each candidate gets a
calibrated `confidence` from a logistic model over its score (the cosine standardised within the
rows of its language, see `concept_scores`), its gap to the next concept, its z-score among the
query's top 50 concepts, its distance to the best and the raw cosine of its best row. The model is
fitted at build time on Danish catalogue titles and skill forms (Danish→English pairs) in two
folds: the catalogue rows of the fold being matched are masked out of the index, so a title never
finds itself. Only matches with confidence >= `CONFIDENCE_THRESHOLD` are returned. The figures of
the held-out folds (top-1/top-5 accuracy, precision at the threshold) are stored with the
coefficients in the index file and in `calibration.json` beside it.

Built once per model and ESCO version at model-build time (`python -m recommender.labels build
--model DIR`, run by `make model`) into `DIR/labels/esco_labels.npz` with a stamp; loading takes
a fraction of a second and never rebuilds. `default_label_index()` returns None when the file is
absent or stale, so callers (and tests without the model) degrade to the phrase recogniser.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import sys
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from .esco import DEFAULT_FILE as ESCO_FILE
from .esco import EscoData, _default_zip_dir, load_esco
from .skills import DANISH_FILE, TITLES_FILE, load_danish, load_titles_da, load_transversal
from .types import ConceptKind, ConceptMatch, Encoder

INDEX_DIR = "labels"
INDEX_FILE = "esco_labels.npz"
STAMP_NAME = "esco_labels.stamp.json"
REPORT_NAME = "calibration.json"
#: Bumped when rows, features or the file layout change: a stale file is then rebuilt.
FORMAT = 4
#: Calibrated probability a match must reach to be returned. At 0.5 a returned match is more
#: likely right than wrong on held-out Danish titles and skill forms; see `calibration.json`.
CONFIDENCE_THRESHOLD = 0.5
# Per kind: every occupation has Danish titles, so random strings find a near title more often
# than a near skill; 0.7 keeps nonsense above the threshold at about 2 % (0.5: 7 %) for both.
THRESHOLDS: dict[str, float] = {"occupation": 0.7, "skill": CONFIDENCE_THRESHOLD}
#: Features per candidate (see `match_features`).
N_FEATURES = 5
#: Concepts per query the z-score feature is taken over.
TOP_N = 50
#: Words kept of each occupation's description; 0 leaves descriptions out. Measured on held-out
#: Danish titles, a 32-word description row changed top-1/top-5 by less than 0.005 while
#: costing a seventh of the build time, so the index ships without them.
DESCRIPTION_WORDS = 0
#: Alternative labels embedded per skill (ESCO lists up to 80). Two per skill changed held-out
#: skill top-5 by under 0.01 and cost a third of the build time; occupations keep all theirs.
SKILL_ALT_LABELS = 0
# English alternative labels kept per occupation (shortest first): Danish text meets the Danish
# titles, and the first few English variants carry most of what English text says.
OCC_ALT_LABELS = 6
#: Longest row the build embeds, in tokens (labels are short; this bounds the rare long one).
MAX_ROW_TOKENS = 48

KINDS: tuple[ConceptKind, ConceptKind] = ("occupation", "skill")
SOURCES = ("preferred", "alternative", "description", "catalogue")
_KIND_CODE = {k: i for i, k in enumerate(KINDS)}
_SOURCE_CODE = {s: i for i, s in enumerate(SOURCES)}
_ROW_SEP = "\x1f"

Log = Callable[[str], None]


def _model_dir(model_dir: str | Path | None = None) -> Path:
    if model_dir is not None:
        return Path(model_dir)
    env = os.environ.get("JOBUNIVERS_MODEL_PATH", "").strip()
    return Path(env) if env else Path("models/multilingual-e5-small")


def index_path(model_dir: str | Path | None = None) -> Path:
    """Where the label index of a model folder lives."""
    return _model_dir(model_dir) / INDEX_DIR / INDEX_FILE


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def expected_stamp(model_dir: str | Path | None = None) -> dict[str, Any]:
    """What a current index must have been built from: model, ESCO and catalogue versions."""
    folder = _model_dir(model_dir)
    try:
        model_stamp = json.loads((folder / "jobunivers_build.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        model_stamp = {}
    return {
        "format": FORMAT,
        "model_source_sha256": model_stamp.get("source_sha256"),
        "esco_sha256": _sha256(ESCO_FILE),
        "catalogue_sha256": _sha256(DANISH_FILE) if DANISH_FILE.is_file() else None,
        "titles_sha256": _sha256(TITLES_FILE) if TITLES_FILE.is_file() else None,
    }


def is_current(model_dir: str | Path | None = None) -> bool:
    """True when the index file exists and was built from the current model, ESCO and catalogue."""
    stamp_file = index_path(model_dir).with_name(STAMP_NAME)
    try:
        stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    want = expected_stamp(model_dir)
    return index_path(model_dir).is_file() and all(stamp.get(k) == v for k, v in want.items())


# --- rows -------------------------------------------------------------------------------------


@dataclass
class LabelRows:
    """The texts to embed, each pointing to a concept (kind, ESCO index) and saying its source."""

    texts: list[str]
    kind: npt.NDArray[np.uint8]
    concept: npt.NDArray[np.int32]
    source: npt.NDArray[np.uint8]


def read_descriptions(kind: ConceptKind, classification_zip: Path | None = None) -> dict[str, str]:
    """ESCO descriptions by concept URI, from the official classification zip ({} if absent)."""
    path = classification_zip or _default_zip_dir() / "esco-v1.1.1-classification-en-csv.zip"
    name = "occupations_en.csv" if kind == "occupation" else "skills_en.csv"
    try:
        with zipfile.ZipFile(path) as zf, zf.open(name) as fh:
            reader = csv.DictReader(io.TextIOWrapper(fh, encoding="utf-8"))
            return {r["conceptUri"]: " ".join(r["description"].split()) for r in reader}
    except (OSError, KeyError, zipfile.BadZipFile):
        return {}


def _first_words(text: str, n_words: int) -> str:
    return " ".join(text.split()[:n_words])


def collect_rows(
    esco: EscoData,
    catalogue: list[dict[str, Any]],
    transversal: list[dict[str, Any]],
    descriptions: dict[str, str],
    *,
    titles: dict[str, dict[str, Any]] | None = None,
    skill_alt_labels: int = SKILL_ALT_LABELS,
    occupation_alt_labels: int = OCC_ALT_LABELS,
    description_words: int = DESCRIPTION_WORDS,
) -> LabelRows:
    """Every text the index embeds, sorted by (kind, concept); duplicates per concept dropped."""
    rows: dict[tuple[int, int, str], int] = {}  # (kind, concept, folded text) → source

    def add(kind: ConceptKind, concept: int, text: str, source: str) -> None:
        text = " ".join(str(text).split())
        key = (_KIND_CODE[kind], concept, text.casefold())
        if text and key not in rows:
            rows[key] = _SOURCE_CODE[source]
            texts[key] = text

    texts: dict[tuple[int, int, str], str] = {}
    for i, (label, alts) in enumerate(zip(esco.occ_labels, esco.occ_alt, strict=True)):
        add("occupation", i, label, "preferred")
        for a in sorted(alts, key=len)[:occupation_alt_labels]:
            add("occupation", i, a, "alternative")
        desc = descriptions.get(esco.occ_uris[i], "")
        if desc and description_words:
            add("occupation", i, _first_words(desc, description_words), "description")
    for i, (label, alts) in enumerate(zip(esco.skill_labels, esco.skill_alt, strict=True)):
        add("skill", i, label, "preferred")
        for a in sorted(alts, key=len)[:skill_alt_labels]:
            add("skill", i, a, "alternative")
    for occ in catalogue:
        oi = esco.occ_index.get(str(occ.get("esco_uri") or ""))
        if oi is not None:
            for t in [occ.get("title_da"), *(occ.get("alt_titles_da") or [])]:
                if t:
                    add("occupation", oi, str(t), "catalogue")
    # The Danish titles of every occupation count as Danish rows, like the catalogue's.
    for uri, title in (titles or {}).items():
        oi = esco.occ_index.get(uri)
        if oi is not None:
            for t in [title.get("da"), *(title.get("alt_da") or [])]:
                if t:
                    add("occupation", oi, str(t), "catalogue")
            for t in title.get("en_dk") or []:
                add("occupation", oi, str(t), "alternative")
    for sk in [s for occ in catalogue for s in occ.get("skills") or []] + transversal:
        si = esco.skill_index.get(str(sk.get("esco_uri") or ""))
        if si is not None:
            for f in sk.get("da") or []:
                add("skill", si, str(f), "catalogue")
    keys = sorted(rows, key=lambda k: (k[0], k[1], rows[k], k[2]))
    return LabelRows(
        texts=[texts[k] for k in keys],
        kind=np.array([k[0] for k in keys], dtype=np.uint8),
        concept=np.array([k[1] for k in keys], dtype=np.int32),
        source=np.array([rows[k] for k in keys], dtype=np.uint8),
    )


# --- scoring ----------------------------------------------------------------------------------


@dataclass
class _KindBlock:
    """The rows of one kind, grouped by concept, with the concept of each group."""

    vectors: npt.NDArray[np.float32]  # rows × dim, unit length
    starts: npt.NDArray[np.int64]  # first row of each concept group
    concepts: npt.NDArray[np.int32]  # ESCO index of each group
    group_of_row: npt.NDArray[np.int64]
    row_source: npt.NDArray[np.uint8]
    languages: list[npt.NDArray[np.bool_]]  # rows in Danish (the catalogue's), rows in English
    row_text: list[str]


def _block(
    vectors: npt.NDArray[np.float32], rows: LabelRows, kind: ConceptKind, texts: list[str]
) -> _KindBlock:
    sel = np.flatnonzero(rows.kind == _KIND_CODE[kind])
    lo, hi = (int(sel[0]), int(sel[-1]) + 1) if len(sel) else (0, 0)
    concept = rows.concept[lo:hi]
    change = np.flatnonzero(np.diff(concept)) + 1
    starts = np.concatenate([[0], change]).astype(np.int64) if hi > lo else np.zeros(0, np.int64)
    return _KindBlock(
        vectors=vectors[lo:hi],
        starts=starts,
        concepts=concept[starts] if hi > lo else np.zeros(0, np.int32),
        group_of_row=np.repeat(np.arange(len(starts)), np.diff(np.append(starts, hi - lo))),
        row_source=rows.source[lo:hi],
        row_text=texts[lo:hi],
        languages=[
            m
            for danish in (True, False)
            if (m := (rows.source[lo:hi] == _SOURCE_CODE["catalogue"]) == danish).any()
        ],
    )


def concept_scores(
    block: _KindBlock,
    queries: npt.NDArray[np.float32],
    row_mask: npt.NDArray[np.bool_] | None,
    chunk: int = 256,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int32]]:
    """Per query and concept group: the best standardised cosine over its rows, and that row.

    A Danish query is closer to every Danish row than to any English one, whatever they mean
    (E5's language offset): "bådebygger" is nearer "håndværksbager" than "boatbuilder". So each
    query's cosines are standardised (z-scored) within the Danish rows and within the English
    rows separately; that doubled top-1 on held-out Danish titles. `row_mask` (rows) switches
    rows off (False), as the calibration does with held-out rows. Queries go `chunk` at a time.
    """
    n_groups = len(block.starts)
    best = np.empty((len(queries), n_groups), dtype=np.float32)
    best_row = np.empty((len(queries), n_groups), dtype=np.int32)
    row_ids = np.arange(len(block.group_of_row), dtype=np.int32)
    groups = [g if row_mask is None else g & row_mask for g in block.languages]
    for lo in range(0, len(queries), chunk):
        sims = queries[lo : lo + chunk] @ block.vectors.T
        for rows in groups:
            if rows.any():
                part = sims[:, rows]
                mean, std = part.mean(axis=1, keepdims=True), part.std(axis=1, keepdims=True)
                sims[:, rows] = (part - mean) / (std + 1e-6)
        if row_mask is not None:
            sims[:, ~row_mask] = -1e9
        top = np.maximum.reduceat(sims, block.starts, axis=1)
        # The best row of each group: the last row whose score equals the group's best.
        at_top = np.where(sims >= top[:, block.group_of_row], row_ids[None, :], -1)
        best[lo : lo + chunk] = top
        best_row[lo : lo + chunk] = np.maximum.reduceat(at_top, block.starts, axis=1)
    return best, best_row


def candidate_features(
    scores: npt.NDArray[np.float32], k: int, top_n: int = TOP_N
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """The top-k concept groups of each query and their features.

    Features per candidate: score (`concept_scores`), gap to the next candidate, z-score among
    the top `top_n`, distance to the best. Returns (groups: queries × k, features: queries × k × 4).
    """
    n_top = min(max(top_n, k + 1), scores.shape[1])
    top = np.argpartition(-scores, n_top - 1, axis=1)[:, :n_top]
    top_scores = np.take_along_axis(scores, top, axis=1)
    order = np.argsort(-top_scores, axis=1)
    top, top_scores = (
        np.take_along_axis(top, order, axis=1),
        np.take_along_axis(top_scores, order, axis=1),
    )
    mean = top_scores.mean(axis=1, keepdims=True)
    std = top_scores.std(axis=1, keepdims=True) + 1e-6
    k = min(k, n_top)
    s = top_scores[:, :k].astype(np.float64)
    # The last of all concepts has no next one: its gap is 0.
    nxt = np.concatenate([top_scores[:, 1:], top_scores[:, -1:]], axis=1)[:, :k]
    feats = np.stack([s, s - nxt, (s - mean) / std, s[:, :1] - s], axis=2)
    return top[:, :k], feats


def match_features(
    block: _KindBlock,
    queries: npt.NDArray[np.float32],
    k: int,
    row_mask: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.int32]]:
    """Top-k groups, their features and best rows: `candidate_features` plus the raw cosine.

    The raw cosine of the best row is the fifth feature: an exact label scores about 1.0
    whatever the standardised scores of its neighbours.
    """
    scores, best_row = concept_scores(block, queries, row_mask)
    groups, feats = candidate_features(scores, k)
    rows = np.take_along_axis(best_row, groups, axis=1)
    cosines = np.einsum("qd,qkd->qk", queries, block.vectors[rows]).astype(np.float64)
    return groups, np.concatenate([feats, cosines[:, :, None]], axis=2), rows


@dataclass
class Calibration:
    """A logistic model: confidence = sigmoid(features · coef + intercept)."""

    coef: list[float]
    intercept: float
    info: dict[str, Any]

    def confidence(self, feats: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Calibrated probabilities for features of shape (..., 4)."""
        z = feats @ np.asarray(self.coef) + self.intercept
        return 1.0 / (1.0 + np.exp(-z))


def fit_calibration(
    feats: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_], l2: float = 1e-3
) -> Calibration:
    """Fit the logistic model on candidate features and whether each candidate was right.

    Newton's method on the L2-penalised log-likelihood (the intercept unpenalised), over
    standardised features; five coefficients need no library.
    """
    x = feats.reshape(-1, feats.shape[-1]).astype(np.float64)
    y = labels.reshape(-1).astype(np.float64)
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-9
    design = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    penalty = np.diag([l2] * x.shape[1] + [0.0]) * len(x)
    w = np.zeros(design.shape[1])
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(design @ w)))
        grad = design.T @ (p - y) + penalty @ w
        hess = (design * (p * (1 - p))[:, None]).T @ design + penalty + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    coef = w[:-1] / scale
    return Calibration([float(c) for c in coef], float(w[-1] - coef @ mean), {})


# --- the index --------------------------------------------------------------------------------


class LabelIndex:
    """Nearest ESCO occupations and skills of short texts (titles, skill phrases), any language.

    `occupations(texts)` / `skills(texts)` encode the texts with `encoder` (set it, or pass one
    to `load`); `occupations_for_vectors` / `skills_for_vectors` take vectors a caller already
    has from `encode` (lower-cased `encode_queries`), so many fields are encoded in one batch.
    """

    def __init__(
        self,
        rows: LabelRows,
        vectors: npt.NDArray[np.float32],
        calibrations: dict[ConceptKind, Calibration],
        esco: EscoData | None = None,
        encoder: Encoder | None = None,
    ) -> None:
        self.rows = rows
        self.esco = esco or load_esco()
        self.encoder = encoder
        self.calibrations = calibrations
        self.blocks = {kind: _block(vectors, rows, kind, rows.texts) for kind in KINDS}
        self.dim = int(vectors.shape[1])

    # building ------------------------------------------------------------------------------

    @classmethod
    def build(
        cls,
        encoder: Encoder,
        *,
        esco: EscoData | None = None,
        catalogue: list[dict[str, Any]] | None = None,
        transversal: list[dict[str, Any]] | None = None,
        descriptions: dict[str, str] | None = None,
        log: Log = print,
    ) -> LabelIndex:
        """Embed every label row with `encoder` and fit the calibration (see module docstring)."""
        esco = esco or load_esco()
        catalogue = load_danish() if catalogue is None else catalogue
        transversal = load_transversal() if transversal is None else transversal
        if descriptions is None:
            descriptions = read_descriptions("occupation")
        rows = collect_rows(esco, catalogue, transversal, descriptions, titles=load_titles_da())
        log(f"label index: embedding {len(rows.texts)} rows")
        start = time.perf_counter()
        vectors = np.asarray(encoder.encode_queries(_fold_case(rows.texts)), dtype=np.float32)
        log(f"label index: embedded in {time.perf_counter() - start:.0f} s")
        index = cls(rows, vectors, {}, esco, encoder)
        index.calibrate(log)
        return index

    def calibrate(self, log: Log = print) -> None:
        """(Re)fit both kinds' calibrations from the stored vectors (needs `encoder`)."""
        for kind in KINDS:
            self.calibrations[kind] = self._calibrate(kind)
            log(f"label index: {kind} calibration {json.dumps(self.calibrations[kind].info)}")

    def _calibrate(self, kind: ConceptKind, k: int = 5) -> Calibration:
        """Two-fold fit on the catalogue rows of `kind`; final coefficients from both folds."""
        block = self.blocks[kind]
        is_cat = block.row_source == _SOURCE_CODE["catalogue"]
        row_concept = block.concepts[block.group_of_row]
        # Folds from hashes, stable across builds and ESCO orderings. Every occupation has
        # Danish titles, so a Danish query is most often a new wording of a concept with other
        # Danish rows: occupation rows are held out one by one (by text). Most skills have no
        # Danish row, so a skill's rows are held out together (by URI): an unseen concept.
        if kind == "occupation":
            fold_of_row = np.array([_fold(t.casefold()) for t in block.row_text], dtype=np.int64)
        else:
            fold_of_group = np.array(
                [_fold(self._uri(kind, int(c))) for c in block.concepts], dtype=np.int64
            )
            fold_of_row = fold_of_group[block.group_of_row]
        feats_by_fold: list[npt.NDArray[np.float64]] = []
        labels_by_fold: list[npt.NDArray[np.bool_]] = []
        neg_feats = self._negative_features(block, k)
        for fold in (0, 1):
            held = is_cat & (fold_of_row == fold)
            queries = block.vectors[held]
            groups, feats, _ = match_features(block, queries, k, ~held)
            truth = np.searchsorted(block.concepts, row_concept[held])
            feats_by_fold.append(feats)
            labels_by_fold.append(groups == truth[:, None])
        info: dict[str, Any] = {"kind": kind, "folds": []}
        for fold in (0, 1):
            other = 1 - fold
            fit = fit_calibration(
                np.concatenate([feats_by_fold[other], neg_feats[other]]),
                np.concatenate([labels_by_fold[other], np.zeros(neg_feats[other].shape[:2], bool)]),
            )
            info["folds"].append(
                _figures(
                    fit,
                    feats_by_fold[fold],
                    labels_by_fold[fold],
                    neg_feats[fold],
                    THRESHOLDS[kind],
                )
            )
        final = fit_calibration(
            np.concatenate([*feats_by_fold, *neg_feats]),
            np.concatenate([*labels_by_fold, *(np.zeros(f.shape[:2], bool) for f in neg_feats)]),
        )
        final.info = {
            **info,
            "method": "logistic regression on (per-language standardised cosine, gap to next, z "
            "among top 50, distance to best, raw cosine of the best row) of the top-5 "
            "candidates; positives: each held-out Danish row's own ESCO concept, fitted on "
            "one half with the other half's Danish rows masked (occupations: half of the rows, "
            "so a concept keeps its other titles; skills: half of the concepts), and the "
            "reverse; negatives also from gibberish and function words",
            "threshold": THRESHOLDS[kind],
        }
        return final

    def _negative_features(self, block: _KindBlock, k: int) -> list[npt.NDArray[np.float64]]:
        """Features of queries that name nothing (gibberish, function words), in two folds."""
        if self.encoder is None:
            return [np.zeros((0, k, N_FEATURES)), np.zeros((0, k, N_FEATURES))]
        texts = _nonsense_queries()
        vectors = self.encode(texts)
        _, feats, _ = match_features(block, vectors, k)
        return [feats[0::2], feats[1::2]]

    # saving and loading ----------------------------------------------------------------------

    def save(self, path: Path, stamp: dict[str, Any]) -> None:
        """Write the index (float16 vectors), then its stamp and calibration report."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.stem + ".tmp.npz")
        vectors = np.concatenate([self.blocks[k].vectors for k in KINDS])
        np.savez(
            tmp,
            vectors=vectors.astype(np.float16),
            kind=self.rows.kind,
            concept=self.rows.concept,
            source=self.rows.source,
            texts=np.array(_ROW_SEP.join(self.rows.texts)),
            calibration=np.array(json.dumps({k: c.__dict__ for k, c in self.calibrations.items()})),
        )
        os.replace(tmp, path)
        report = {k: c.info for k, c in self.calibrations.items()}
        path.with_name(REPORT_NAME).write_text(json.dumps(report, indent=2) + "\n", "utf-8")
        path.with_name(STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", "utf-8")

    @classmethod
    def load(cls, path: str | Path, encoder: Encoder | None = None) -> LabelIndex:
        """Read an index written by `save` (no model is loaded until `encoder` encodes)."""
        with np.load(path, allow_pickle=False) as data:
            texts = str(data["texts"]).split(_ROW_SEP)
            rows = LabelRows(texts, data["kind"], data["concept"], data["source"])
            vectors = data["vectors"].astype(np.float32)
            cal = json.loads(str(data["calibration"]))
        calibrations = {k: Calibration(**c) for k, c in cal.items()}
        return cls(rows, vectors, calibrations, encoder=encoder)

    # matching --------------------------------------------------------------------------------

    def occupations(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]:
        """Per text, up to `k` ESCO occupations with confidence >= the threshold, best first."""
        return self.occupations_for_vectors(self._encode(texts), k)

    def skills(self, texts: Sequence[str], k: int = 5) -> list[list[ConceptMatch]]:
        """Per text, up to `k` ESCO skills with confidence >= the threshold, best first."""
        return self.skills_for_vectors(self._encode(texts), k)

    def occupations_for_vectors(
        self, vectors: npt.NDArray[np.float32], k: int = 5
    ) -> list[list[ConceptMatch]]:
        """`occupations` for vectors from `encode` (one row per text)."""
        return self.match_vectors("occupation", vectors, k)

    def skills_for_vectors(
        self, vectors: npt.NDArray[np.float32], k: int = 5
    ) -> list[list[ConceptMatch]]:
        """`skills` for vectors from `encode` (one row per text)."""
        return self.match_vectors("skill", vectors, k)

    def match_vectors(
        self,
        kind: ConceptKind,
        vectors: npt.NDArray[np.float32],
        k: int = 5,
        threshold: float | None = None,
    ) -> list[list[ConceptMatch]]:
        """Matches of `kind` for query vectors, each list best first and at or above
        `threshold` (default: the kind's, see `THRESHOLDS`)."""
        threshold = THRESHOLDS[kind] if threshold is None else threshold
        vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        block = self.blocks[kind]
        if not len(vectors) or not len(block.starts):
            return [[] for _ in vectors]
        groups, feats, best_rows = match_features(block, vectors, k)
        conf = self.calibrations[kind].confidence(feats)
        out: list[list[ConceptMatch]] = []
        for q in range(len(vectors)):
            matches = []
            for j, (g, c) in enumerate(zip(groups[q], conf[q], strict=True)):
                if c < threshold:
                    continue
                concept = int(block.concepts[g])
                matches.append(
                    ConceptMatch(
                        kind=kind,
                        index=concept,
                        uri=self._uri(kind, concept),
                        label=self._label(kind, concept),
                        confidence=round(float(c), 4),
                        source="semantic",
                        matched=block.row_text[int(best_rows[q, j])],
                    )
                )
            out.append(sorted(matches, key=lambda m: -m.confidence))
        return out

    def _encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        return self.encode(texts)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Query vectors for `*_for_vectors`: lower-cased, like the rows, then `encode_queries`.

        The model's tokenizer is case-sensitive ("Tømrer" and "tømrer" are cosine 0.94 apart),
        so rows and queries are both lower-cased.
        """
        if self.encoder is None:
            raise RuntimeError("LabelIndex has no encoder: pass one to load() or set .encoder")
        return np.asarray(self.encoder.encode_queries(_fold_case(texts)), dtype=np.float32)

    def _uri(self, kind: ConceptKind, i: int) -> str:
        return self.esco.occ_uris[i] if kind == "occupation" else self.esco.skill_uris[i]

    def _label(self, kind: ConceptKind, i: int) -> str:
        return self.esco.occ_labels[i] if kind == "occupation" else self.esco.skill_labels[i]


def _fold_case(texts: Sequence[str]) -> list[str]:
    return [" ".join(t.split()).lower() for t in texts]


def _fold(uri: str) -> int:
    return int(hashlib.sha256(uri.encode()).hexdigest(), 16) % 2


def _figures(
    cal: Calibration,
    feats: npt.NDArray[np.float64],
    right: npt.NDArray[np.bool_],
    neg_feats: npt.NDArray[np.float64],
    threshold: float,
) -> dict[str, float]:
    """Held-out accuracy of one fold: top-1/top-5, and precision/coverage at the threshold."""
    conf = cal.confidence(feats)
    kept = conf[:, 0] >= threshold
    neg_kept = cal.confidence(neg_feats)[:, 0] >= threshold
    return {
        "queries": int(len(right)),
        "top1": round(float(right[:, 0].mean()), 3),
        "top5": round(float(right[:, :5].any(axis=1).mean()), 3),
        "coverage_at_threshold": round(float(kept.mean()), 3),
        "precision_at_threshold": round(float(right[kept, 0].mean()) if kept.any() else 0.0, 3),
        "nonsense_queries": int(len(neg_feats)),
        "nonsense_above_threshold": round(float(neg_kept.mean()) if len(neg_kept) else 0.0, 3),
    }


def _nonsense_queries(n: int = 400, seed: int = 7) -> list[str]:
    """Deterministic gibberish and function-word strings that name no occupation or skill."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyzæøå"))
    out = []
    for i in range(n):
        n_words = 1 + i % 3
        words = [
            "".join(rng.choice(letters, size=int(rng.integers(3, 10)))) for _ in range(n_words)
        ]
        out.append(" ".join(words))
    out += ["og så videre", "det er", "hvis du vil", "and then", "of the", "123 456", "x y z"]
    return out


# --- module-level use -----------------------------------------------------------------------


@lru_cache(maxsize=1)
def default_label_index(model_dir: str | None = None) -> LabelIndex | None:
    """The label index of the model folder, with a lazily loaded ONNX encoder; None if absent.

    None also when the file is stale (built from another model, ESCO or catalogue version):
    it is rebuilt by `make model`, never here.
    """
    if not is_current(model_dir):
        return None
    from .encoders import ModelNotBuiltError, load_encoder

    try:
        encoder = load_encoder("onnx", _model_dir(model_dir))
    except ModelNotBuiltError:
        return None
    return LabelIndex.load(index_path(model_dir), encoder)


def build_label_index(
    model_dir: str | Path | None = None, log: Log = print, *, force: bool = False
) -> Path:
    """Build the label index of a model folder unless a current one exists; returns its path."""
    path = index_path(model_dir)
    if not force and is_current(model_dir):
        log(f"label index: up to date ({path})")
        return path
    from .encoders import ProcessPoolOnnxEncoder

    start = time.perf_counter()
    # Labels are short: big batches and a short window keep the int8 model busy, and one
    # single-threaded session per core beats one session's threads on such short texts.
    encoder = ProcessPoolOnnxEncoder(
        _model_dir(model_dir), batch_size=128, max_length=MAX_ROW_TOKENS
    )
    index = LabelIndex.build(encoder, log=log)
    stamp = {
        **expected_stamp(model_dir),
        "rows": len(index.rows.texts),
        "build_s": round(time.perf_counter() - start, 1),
        "encoder": encoder.name,
    }
    index.save(path, stamp)
    log(f"label index: {len(index.rows.texts)} rows in {stamp['build_s']} s -> {path}")
    return path


def recalibrate_label_index(model_dir: str | Path | None = None, log: Log = print) -> Path:
    """Refit the calibration of an existing index (after a change of features or negatives)."""
    from .encoders import OnnxEncoder

    path = index_path(model_dir)
    stamp = json.loads(path.with_name(STAMP_NAME).read_text(encoding="utf-8"))
    index = LabelIndex.load(path, OnnxEncoder(_model_dir(model_dir), batch_size=128))
    index.calibrate(log)
    index.save(path, stamp)
    return path


def main(argv: list[str] | None = None) -> int:
    """`python -m recommender.labels build [--model DIR] [--force]`."""
    parser = argparse.ArgumentParser(prog="python -m recommender.labels")
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the ESCO label index next to the model")
    b.add_argument(
        "--model", default=None, help="model folder (default models/multilingual-e5-small)"
    )
    b.add_argument("--force", action="store_true", help="rebuild even when up to date")
    c = sub.add_parser("calibrate", help="refit the calibration of a built index, keeping vectors")
    c.add_argument("--model", default=None, help="model folder (models/multilingual-e5-small)")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr)

    if args.command == "calibrate":
        recalibrate_label_index(args.model, log)
    else:
        build_label_index(args.model, log, force=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
