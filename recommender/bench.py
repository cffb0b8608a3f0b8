"""Benchmark: latency, memory and encoder figures, printed as JSON by `python -m recommender bench`.

Synthetic postings (generated Danish-like texts with ESCO skill labels, random postcodes, 5 %
remote) get random unit vectors as embeddings, so the benchmark measures the ranker, not the
model. In the same run it measures:

* `rank(k=20)` with explanations: p50/p95/mean latency over profiles with precomputed vectors
  (as the portal has them), half of them with a commute radius, some with wished titles;
* the floor: a plain numpy dot product over the same matrix plus top-20 selection;
* resident memory of the index (RSS after building minus before, the input matrix freed,
  garbage collected and freed heap returned to the OS before each reading) and the bytes of its
  arrays (MiB);
* encode throughput (sentences/s) of the onnx and torch backends, when the model is built;
* the cost of re-ingesting unchanged postings through the `CachedEncoder`.
split_words(
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import time
from pathlib import Path
from typing import Any

import numpy as np

from .geo import danish_postcodes
from .skills import default_vocabulary
from .text import split_words
from .types import Posting, Profile

TITLES = [
    "Sygeplejerske",
    "Social- og sundhedsassistent",
    "Lagermedarbejder",
    "Chauffør",
    "Tømrer",
    "Elektriker",
    "Pædagog",
    "Lærer",
    "Softwareudvikler",
    "Regnskabsmedarbejder",
    "Kok",
    "Tjener",
    "Butiksassistent",
    "Rengøringsassistent",
    "Maskinarbejder",
    "Smed",
    "Murer",
    "Kontorassistent",
    "Projektleder",
    "Salgskonsulent",
    "Kundeservicemedarbejder",
    "Økonomimedarbejder",
    "Lastbilchauffør",
    "Buschauffør",
    "Landmand",
    "Produktionsmedarbejder",
    "Pædagogmedhjælper",
    "Ergoterapeut",
    "Fysioterapeut",
    "IT-supporter",
    "Bogholder",
    "HR-konsulent",
    "Marketingkoordinator",
    "Ingeniør",
    "Tandklinikassistent",
    "Frisør",
    "Bager",
    "Slagter",
    "VVS-montør",
    "Maler",
]
WORDS = split_words(
    """
    vi søger en engageret kollega til vores team i afdelingen du får ansvar for daglige opgaver
    samarbejde med kolleger og kunder arbejdet foregår i dagtimerne med mulighed for fleksibel
    arbejdstid vi tilbyder gode løn og ansættelsesvilkår efter overenskomst pension
    sundhedsordning og et godt arbejdsmiljø med plads til humor du har erfaring fra lignende
    stilling og er mødestabil selvstændig struktureret og god til at kommunikere kørekort er en
    fordel tiltrædelse hurtigst muligt eller efter aftale ansøgningsfrist samtaler afholdes
    løbende virksomheden er i vækst og har kunder i hele landet uddannelse kurser
    efteruddannelse kvalitet sikkerhed planlægning dokumentation service produktion lager
    transport pleje omsorg undervisning økonomi regnskab salg rådgivning vedligehold
    """
)


def _rss_mb() -> float:
    """Resident set size of this process in MB (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def _settle() -> None:
    """Collect garbage and hand freed heap back to the OS (glibc), so RSS shows what is held.

    Applied before both memory readings: without it, RSS also counts heap that the build's
    temporary objects freed but glibc kept for reuse.
    """
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def synthetic_postings(n: int, seed: int = 0) -> list[Posting]:
    """`n` generated postings with Danish-like text and recognisable ESCO skills."""
    rng = np.random.default_rng(seed)
    vocab = default_vocabulary()
    skill_pool = [vocab.labels_en[i] for i in rng.choice(vocab.esco.n_skills, 3000, replace=False)]
    codes = sorted(danish_postcodes().coords) or ["5000"]
    words = np.array(WORDS)
    out = []
    lens = rng.integers(50, 110, n)
    for i in range(n):
        title = TITLES[int(rng.integers(len(TITLES)))]
        body = " ".join(words[rng.integers(0, len(words), int(lens[i]))])
        skills = [skill_pool[j] for j in rng.integers(0, len(skill_pool), int(rng.integers(3, 9)))]
        out.append(
            Posting(
                id=f"p{i}",
                title=title,
                description=f"{body}. Kvalifikationer: {', '.join(skills)}.",
                postcode=codes[int(rng.integers(len(codes)))],
                remote=bool(rng.random() < 0.05),
                employer=f"Virksomhed {int(rng.integers(5000))}",
                hours="fuldtid" if rng.random() < 0.7 else "deltid",
                source="bench",
            )
        )
    return out


def _blas_threads() -> int | str:
    """Threads the BLAS library uses (threadpoolctl, installed with scikit-learn)."""
    try:
        from threadpoolctl import threadpool_info

        blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        return int(blas[0]["num_threads"]) if blas else "unknown"
    except ImportError:
        return "unknown"


def _unit_rows(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    m = rng.standard_normal((n, dim), dtype=np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    return m


def _pct(xs: list[float]) -> dict[str, float]:
    a = np.asarray(xs) * 1000.0
    return {
        "p50_ms": round(float(np.percentile(a, 50)), 3),
        "p95_ms": round(float(np.percentile(a, 95)), 3),
        "mean_ms": round(float(a.mean()), 3),
    }


def _encoder_figures(model_path: str | None, texts: list[str]) -> dict[str, Any]:
    """Sentences/s of each real backend on posting texts; a reason where it is unavailable."""
    from .encoders import ModelNotBuiltError, load_encoder

    out: dict[str, Any] = {}
    for backend in ("onnx", "torch"):
        try:
            enc = load_encoder(backend, model_path)
            enc.encode_passages(texts[:8])  # loads the model; not part of the figure
            t0 = time.perf_counter()
            enc.encode_passages(texts)
            secs = time.perf_counter() - t0
            out[backend] = {"sentences_per_s": round(len(texts) / secs, 1), "sentences": len(texts)}
        except (ModelNotBuiltError, ImportError, OSError) as exc:
            out[backend] = {"unavailable": str(exc)}
    return out


def _reingest(model_path: str | None, texts: list[str]) -> dict[str, Any]:
    """Model calls and seconds to ingest texts, then to re-ingest them unchanged."""
    from .embedding_cache import CachedEncoder, EmbeddingCache
    from .encoders import HashingEncoder, ModelNotBuiltError, load_encoder

    base: Any
    try:
        base = load_encoder("onnx", model_path)
    except ModelNotBuiltError:
        base = HashingEncoder()
    enc = CachedEncoder(base, EmbeddingCache())
    t0 = time.perf_counter()
    enc.encode_passages(texts)
    first = (enc.model_calls, time.perf_counter() - t0)
    t1 = time.perf_counter()
    enc.encode_passages(texts)
    again = (enc.model_calls - first[0], time.perf_counter() - t1)
    return {
        "encoder": base.name,
        "postings": len(texts),
        "first_ingest": {"model_calls": first[0], "seconds": round(first[1], 3)},
        "reingest_unchanged": {"model_calls": again[0], "seconds": round(again[1], 4)},
    }


def run_bench(
    n_postings: int = 100_000,
    n_queries: int = 200,
    k: int = 20,
    dim: int = 384,
    model_path: str | None = None,
    seed: int = 0,
    encoders: bool = True,
) -> dict[str, Any]:
    """Run every measurement and return the figures as a JSON-ready dict."""
    from .encoders import HashingEncoder
    from .ranking import Recommender

    rng = np.random.default_rng(seed)
    default_vocabulary()  # a fixed cost shared by all indexes; not counted as index memory
    danish_postcodes()
    t0 = time.perf_counter()
    postings = synthetic_postings(n_postings, seed)
    gen_s = time.perf_counter() - t0
    _settle()
    rss_before = _rss_mb()
    emb = _unit_rows(rng, n_postings, dim)
    t0 = time.perf_counter()
    rec = Recommender(HashingEncoder(dim))
    rec.add(postings, emb)
    build_s = time.perf_counter() - t0
    del emb
    rec.index.inverted_skills()  # built lazily by the first query; part of the index
    _settle()
    rss_after = _rss_mb()

    # Profiles: vectors near a random posting (a realistic, not uniform, query), CV-like text.
    codes = sorted(danish_postcodes().coords) or ["5000"]
    profiles = []
    for j in range(n_queries):
        i = int(rng.integers(n_postings))
        v = rec.index.embeddings[i] + 0.8 * _unit_rows(rng, 1, dim)[0]
        src = postings[i]
        profiles.append(
            Profile(
                id=f"q{j}",
                summary=f"Erfaren {src.title.lower()}. {src.description[:400]}",
                skills=src.description.split("Kvalifikationer: ")[-1].split(", ")[:4],
                wished_titles=[src.title] if j % 3 == 0 else [],
                postcode=codes[int(rng.integers(len(codes)))],
                commute_km=float(rng.choice([25, 50, 100])) if j % 2 == 0 else None,
                embedding=(v / np.linalg.norm(v)).astype(np.float32),
            )
        )
    for prof in profiles[:10]:
        rec.rank(prof, k=k)  # warm-up: lazy matrices, caches
    matrix = rec.index.embeddings
    lat, floor = [], []
    # Interleaved, so a burst of load on a shared machine hits both measurements alike.
    for prof in profiles:
        assert prof.embedding is not None
        t = time.perf_counter()
        s = matrix @ prof.embedding
        top = np.argpartition(-s, k)[:k]
        top[np.argsort(-s[top])]
        floor.append(time.perf_counter() - t)
        t = time.perf_counter()
        rec.rank(prof, k=k)
        lat.append(time.perf_counter() - t)
    rank_stats, floor_stats = _pct(lat), _pct(floor)
    out: dict[str, Any] = {
        "postings": n_postings,
        "queries": n_queries,
        "k": k,
        "dim": dim,
        "blas_threads": _blas_threads(),
        "rank_with_explanations": rank_stats,
        "floor_numpy_dot_topk": floor_stats,
        "p95_ratio_to_floor": round(rank_stats["p95_ms"] / max(floor_stats["p95_ms"], 1e-9), 2),
        "targets": {"p95_ms": 50, "ratio_to_floor": 3, "index_rss_mb": 200},
        "memory": {
            "unit": "MiB",
            "index_rss_mb": round(rss_after - rss_before, 1),
            "index_array_mb": round(rec.nbytes() / 2**20, 1),
            "embedding_matrix_mb": round(rec.index.embeddings.nbytes / 2**20, 1),
            "process_rss_mb": round(rss_after, 1),
        },
        "build": {
            "generate_texts_s": round(gen_s, 2),
            "index_s": round(build_s, 2),
            "postings_per_s": round(n_postings / build_s, 1),
        },
    }
    if encoders:
        texts = [f"{p.title}. {p.description[:300]}" for p in postings[:128]]
        out["encode_throughput"] = _encoder_figures(model_path, texts)
        out["reingest"] = _reingest(
            model_path, [f"{p.title}. {p.description}" for p in postings[:300]]
        )
    return out


def default_model_path() -> Path:
    """Where `python -m recommender model build` puts the model by default."""
    from .encoders import DEFAULT_OUT

    return Path(DEFAULT_OUT)
