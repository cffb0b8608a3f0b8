"""Command line: `python -m recommender <command>`.

Commands:
    rank      --postings P.jsonl --profiles C.jsonl [--k 100] [--method M] [--backend B]
              writes a TREC run (qid Q0 docid rank score tag) to stdout
    evaluate  [--eval-dir eval] [--json] [--tune]   everything under eval/, by stratum, with
              95 % bootstrap intervals; or --postings P --profiles C --qrels Q.trec [--methods]
    bench     [--postings 100000] [--queries 200] [--blas-threads N]   figures as JSON
    esco      build [--classification ZIP] [--relations ZIP]   rebuild the compact ESCO file
    model     build [--out DIR] [--onnx] [--force]              build the embedding model

Backends: onnx, torch (the built multilingual-e5-small in models/) or hashing (a fast fake for
tests); the default `auto` takes onnx, then torch, then hashing with a warning. Embeddings are
cached by content in `.cache/recommender/embeddings.npz` (`--no-cache` to skip).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from .types import ConceptReader, Encoder, Profile

DEFAULT_CACHE = Path(".cache/recommender/embeddings.npz")


def make_encoder(
    backend: str = "auto",
    model_path: str | None = None,
    cache: Path | None = None,
    max_tokens: int = 512,
) -> tuple[Encoder, Any]:
    """An encoder for a backend name, wrapped in a content cache if `cache` is given.

    Returns (encoder, cache object or None); save the cache after use.
    """
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from .encoders import ModelNotBuiltError, load_encoder

    enc: Any = None
    if backend == "auto":
        for b in ("onnx", "torch"):
            try:
                enc = load_encoder(b, model_path, max_length=max_tokens)
                break
            except ModelNotBuiltError:
                continue
        if enc is None:
            print(
                "warning: no embedding model built (python -m recommender model build --onnx); "
                "using the hashing encoder, which knows no meaning",
                file=sys.stderr,
            )
            enc = load_encoder("hashing")
    else:
        enc = load_encoder(backend, model_path, max_length=max_tokens)
    if cache is None or enc.name.startswith("hashing"):
        return enc, None
    from .embedding_cache import CachedEncoder, EmbeddingCache

    store = EmbeddingCache(cache)
    return CachedEncoder(enc, store), store


def _common(p: argparse.ArgumentParser, inputs_required: bool = True) -> None:
    p.add_argument(
        "--postings", required=inputs_required, help="JSON Lines of schema.org JobPosting"
    )
    p.add_argument(
        "--profiles", required=inputs_required, help="JSON Lines of JSON Resume objects with id"
    )
    p.add_argument("--backend", default="auto", choices=["auto", "onnx", "torch", "hashing"])
    p.add_argument(
        "--model", default=None, help="model folder (default models/multilingual-e5-small)"
    )
    p.add_argument(
        "--max-tokens",
        type=int,
        default=256,
        help="truncate texts to this many tokens (the portal uses 256)",
    )
    p.add_argument("--cache", default=str(DEFAULT_CACHE), help="embedding cache file (.npz)")
    p.add_argument("--no-cache", action="store_true", help="do not cache embeddings")


def label_index_for(backend: str, model: str | None) -> ConceptReader | None:
    """The ESCO label index built next to the model, for the real backends (None otherwise)."""
    if backend == "hashing":
        return None
    from .labels import default_label_index

    return default_label_index(model)


def _load(args: argparse.Namespace) -> tuple[Any, list[Profile], Any, int]:
    """Read inputs, report bad lines, build the index; returns (rec, profiles, cache, n_errors)."""
    from .io import read_postings, read_profiles
    from .ranking import Recommender

    postings, p_err = read_postings(args.postings)
    profiles, c_err = read_profiles(args.profiles)
    for e in p_err + c_err:
        print(f"error: {e}", file=sys.stderr)
    cache_path = None if args.no_cache else Path(args.cache)
    encoder, store = make_encoder(args.backend, args.model, cache_path, args.max_tokens)
    rec = Recommender(encoder, label_index=label_index_for(args.backend, args.model))
    rec.add(postings)
    if profiles:
        # One batch for all profiles is much faster than one model call each.
        from .text import profile_text

        vecs = encoder.encode_queries([profile_text(p) for p in profiles])
        for p, v in zip(profiles, vecs, strict=True):
            p.embedding = v
    if store is not None:
        store.save()
    return rec, profiles, store, len(p_err) + len(c_err)


def cmd_rank(args: argparse.Namespace) -> int:
    """Write a TREC run for every profile; non-zero exit only if nothing could be ranked."""
    from .io import write_trec

    rec, profiles, _, _ = _load(args)
    written = 0
    tag = args.tag or args.method
    for p in profiles:
        try:
            recs = rec.rank(
                p, k=args.k, method=args.method, explain=not args.method.startswith("automatch")
            )
        except Exception as exc:  # noqa: BLE001 - one bad profile must not stop the others
            print(f"error: profile {p.id!r} could not be ranked: {exc}", file=sys.stderr)
            continue
        written += write_trec(sys.stdout, p.id, recs, tag)
    if written == 0:
        print("error: nothing could be ranked", file=sys.stderr)
        return 1
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Print metrics with 95 % intervals (tables, or JSON with --json).

    Without --postings/--profiles/--qrels: everything under --eval-dir, by stratum (see
    `recommender.evaluate`). With all three: those files, one table of --methods.
    """
    given = [args.postings, args.profiles, args.qrels]
    if any(given) and not all(given):
        print("error: give all of --postings, --profiles and --qrels, or none", file=sys.stderr)
        return 2
    from .evaluate import RESAMPLES, SEED

    args.resamples = args.resamples or RESAMPLES
    args.seed = SEED if args.seed is None else args.seed
    if not any(given):
        return _evaluate_suite(args)
    from .evaluate import (
        evaluate_methods,
        format_table,
        read_objects,
        read_qrels,
        tune_weights,
    )

    rec, profiles, _, _ = _load(args)
    if not profiles or len(rec) == 0:
        print("error: nothing to evaluate", file=sys.stderr)
        return 1
    qrels = read_qrels(args.qrels)
    methods = [m for m in args.methods.split(",") if m]
    res = evaluate_methods(rec, profiles, qrels, methods, resamples=args.resamples, seed=args.seed)
    results: dict[str, Any] = {
        "backend": getattr(rec.encoder, "name", "?"),
        "queries": len(profiles),
        "postings": len(rec),
        "methods": res,
    }
    for base in (m for m in res if m.startswith("automatch")):
        if "hybrid" in res and res[base]["ndcg@10"]["mean"] > 0:
            ratio = res["hybrid"]["ndcg@10"]["mean"] / res[base]["ndcg@10"]["mean"]
            results[f"hybrid_over_{base.replace('-', '_')}_ndcg10"] = round(ratio, 2)
    if args.tune:
        truth = (
            Path(args.truth)
            if args.truth
            else Path(args.profiles).with_name("profiles_truth.jsonl")
        )
        group_of = {
            str(r["id"]): str(r["occupation_uri"])
            for r in read_objects(truth)
            if r.get("id") and r.get("occupation_uri")
        }
        results["tuning"] = tune_weights(
            rec, profiles, qrels, group_of=group_of, resamples=args.resamples, seed=args.seed
        )
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"backend {results['backend']}, {len(profiles)} profiles, {len(rec)} postings")
    print(format_table(res))
    for key, ratio in results.items():
        if key.startswith("hybrid_over_"):
            base = key[len("hybrid_over_") : -len("_ndcg10")].replace("_", "-")
            print(f"hybrid / {base} nDCG@10 = {ratio}")
    if args.tune:
        print(json.dumps(results["tuning"], indent=2))
    return 0


def _evaluate_suite(args: argparse.Namespace) -> int:
    """`evaluate` without input files: the whole evaluation directory, by stratum."""
    from .evaluate import evaluate_suite, format_report, load_suite

    suite = load_suite(args.eval_dir)
    if not suite.queries or not suite.postings:
        print(f"error: nothing to evaluate in {args.eval_dir}", file=sys.stderr)
        return 1
    cache_path = None if args.no_cache else Path(args.cache)
    encoder, store = make_encoder(args.backend, args.model, cache_path, args.max_tokens)
    try:
        report = evaluate_suite(
            suite,
            encoder,
            resamples=args.resamples,
            seed=args.seed,
            tune=args.tune,
            progress=lambda msg: print(msg, file=sys.stderr),
            label_index=label_index_for(args.backend, args.model),
        )
    finally:
        if store is not None:
            store.save()
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else format_report(report))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    """Run the benchmark and print its JSON."""
    from .bench import run_bench

    def go() -> dict[str, Any]:
        return run_bench(n_postings=args.postings, n_queries=args.queries, model_path=args.model)

    if args.blas_threads:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=args.blas_threads, user_api="blas"):
            out = go()
    else:
        out = go()
    print(json.dumps(out, indent=2))
    return 0


def cmd_esco(args: argparse.Namespace) -> int:
    """Rebuild the compact ESCO data file from the official zips."""
    from .esco import DEFAULT_FILE, build_compact

    out = build_compact(
        Path(args.classification) if args.classification else None,
        Path(args.relations) if args.relations else None,
        Path(args.out) if args.out else DEFAULT_FILE,
    )
    print(f"wrote {out} ({out.stat().st_size} bytes)")
    return 0


def parser() -> argparse.ArgumentParser:
    """The argument parser of every command except `model` (which has its own)."""
    ap = argparse.ArgumentParser(prog="python -m recommender", description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    r = sub.add_parser("rank", help="write a TREC run to stdout")
    _common(r)
    r.add_argument("--k", type=int, default=100)
    r.add_argument(
        "--method",
        default="hybrid",
        choices=[
            "hybrid",
            "semantic",
            "lexical",
            "automatch",
            "automatch-occupation",
            "automatch-stated",
        ],
    )
    r.add_argument("--tag", default=None, help="run tag (default: the method)")
    r.set_defaults(func=cmd_rank)
    e = sub.add_parser(
        "evaluate", help="metrics with 95 %% intervals: all of eval/ by stratum, or given files"
    )
    _common(e, inputs_required=False)
    e.add_argument("--qrels", default=None, help="TREC qrels (with --postings and --profiles)")
    e.add_argument("--eval-dir", default="eval", help="evaluation set used without input files")
    e.add_argument(
        "--methods",
        default="hybrid,semantic,semantic+geo,lexical,automatch",
        help="methods of the single-table mode",
    )
    e.add_argument("--resamples", type=int, default=None, help="bootstrap resamples (2000)")
    e.add_argument("--seed", type=int, default=None, help="bootstrap seed (fixed by default)")
    e.add_argument("--truth", default=None, help="profiles' true occupations (for --tune)")
    e.add_argument("--json", action="store_true")
    e.add_argument(
        "--tune",
        action="store_true",
        help="also tune weights on half of the occupations and report the other half",
    )
    e.set_defaults(func=cmd_evaluate)
    b = sub.add_parser("bench", help="latency, memory and encoder throughput as JSON")
    b.add_argument("--postings", type=int, default=100_000)
    b.add_argument("--queries", type=int, default=200)
    b.add_argument("--model", default=None)
    # One BLAS thread per process is how the portal runs (one gunicorn worker per core); a
    # multi-threaded BLAS on a busy 2-core machine spins and triples the tail. 0: no limit.
    b.add_argument("--blas-threads", type=int, default=1, help="BLAS threads (0: no limit)")
    b.set_defaults(func=cmd_bench)
    s = sub.add_parser("esco", help="rebuild recommender/data/esco_v1.1.1.json.gz")
    s.add_argument("action", choices=["build"])
    s.add_argument("--classification", default=None)
    s.add_argument("--relations", default=None)
    s.add_argument("--out", default=None)
    s.set_defaults(func=cmd_esco)
    sub.add_parser("model", help="build the embedding model (see: model build --help)")
    return ap


def main(argv: list[str] | None = None) -> int:
    """Run a command; returns the exit code."""
    args_list = sys.argv[1:] if argv is None else argv
    if args_list[:1] == ["model"]:
        from .model_build import main as model_main

        return model_main(args_list[1:])
    args = parser().parse_args(args_list)
    return int(args.func(args))
