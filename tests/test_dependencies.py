"""Dependencies are declared and pinned.

Every third-party module the code imports comes from a distribution that pyproject.toml names
itself (not one that merely happens to arrive with another package), and requirements.lock pins
each declared distribution and everything it pulls in, with hashes; `make` installs from it.
"""

import ast
import hashlib
import importlib.metadata
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import NormalizedName, canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.lock"
FIRST_PARTY = {"app", "consent", "recommender", "tests"}
# What production runs (the web app, the scheduler, the migrations) and what only developers run.
RUNTIME_CODE = ["app", "consent", "recommender", "migrations", "wsgi.py", "gunicorn.conf.py"]
DEV_CODE = ["tests", "scripts"]
LOCK_LINE = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>\S+)$")
HASH_OPTION = re.compile(r"^--hash=sha256:[0-9a-f]{64}$")
# Where this machine's pip configuration (find-links) keeps the CPU build of torch.
LOCAL_WHEELS = Path("/opt/wheels")


def _python_files(paths: Iterable[str]) -> list[Path]:
    files: list[Path] = []
    for name in paths:
        path = ROOT / name
        files.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return files


def third_party_imports(paths: Iterable[str]) -> dict[str, set[str]]:
    """Top-level module name -> files that import it, for absolute imports that are neither the
    standard library nor the project's own packages (imports under TYPE_CHECKING count too)."""
    found: dict[str, set[str]] = {}
    for file in _python_files(paths):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"), filename=str(file))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.partition(".")[0]
                if top not in sys.stdlib_module_names and top not in FIRST_PARTY:
                    found.setdefault(top, set()).add(str(file.relative_to(ROOT)))
    return found


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def declared(*, dev: bool = False, build: bool = False) -> list[Requirement]:
    """The requirements pyproject.toml states: runtime, plus the dev extra and build backend."""
    data = _project()
    specs = list(data["project"]["dependencies"])
    if dev:
        specs += data["project"]["optional-dependencies"]["dev"]
    if build:
        specs += data["build-system"]["requires"]
    return [Requirement(spec) for spec in specs]


def undeclared_imports(paths: Iterable[str], requirements: list[Requirement]) -> dict[str, str]:
    """Imported modules that no declared distribution provides: where, and what provides them."""
    names = {canonicalize_name(r.name) for r in requirements}
    providers = importlib.metadata.packages_distributions()
    problems = {}
    for module, files in sorted(third_party_imports(paths).items()):
        dists = sorted({canonicalize_name(d) for d in providers.get(module, [])})
        if not names.intersection(dists):
            source = ", ".join(dists) or "no installed distribution"
            problems[module] = f"imported in {sorted(files)[0]}, provided by {source}"
    return problems


def locked() -> dict[NormalizedName, tuple[str, list[str]]]:
    """requirements.lock as name -> (pinned version, options). Fails on any line that is not a
    plain `name==version` requirement (no extras, URLs, editable or index options)."""
    entries: dict[NormalizedName, tuple[str, list[str]]] = {}
    joined = LOCK.read_text(encoding="utf-8").replace("\\\n", " ")
    for line in joined.splitlines():
        statement = line.strip()
        if not statement or statement.startswith("#"):
            continue
        requirement, *options = statement.split()
        match = LOCK_LINE.match(requirement)
        assert match, f"not a pinned requirement in {LOCK.name}: {statement!r}"
        name = canonicalize_name(match["name"])
        assert name not in entries, f"{name} is locked twice"
        entries[name] = (match["version"], options)
    return entries


def test_import_walk_finds_known_imports():
    """The walk itself works: it sees imports spread over the packages, and no stdlib module."""
    imports = third_party_imports(RUNTIME_CODE)
    assert "app/blueprints/auth/routes.py" in imports["joserfc"]
    assert {"flask", "sqlmodel", "numpy", "alembic"} <= imports.keys()
    assert not {"os", "json", "__future__", "app", "consent"} & imports.keys()


def test_runtime_code_imports_only_declared_dependencies():
    assert undeclared_imports(RUNTIME_CODE, declared()) == {}


def test_tests_and_scripts_import_only_declared_dependencies():
    assert undeclared_imports(DEV_CODE, declared(dev=True)) == {}


def test_every_lock_entry_is_pinned_with_hashes():
    entries = locked()
    assert len(entries) > 50
    for name, (_version, options) in entries.items():
        assert options, f"{name} has no --hash in {LOCK.name}"
        bad = [option for option in options if not HASH_OPTION.match(option)]
        assert not bad, f"{name}: unexpected options {bad}"


def test_lock_covers_every_declared_dependency():
    """Runtime, dev and build requirements are all locked at versions their specifiers accept;
    requested extras (psycopg[binary]) have their extra distributions locked too."""
    entries = locked()
    for requirement in declared(dev=True, build=True):
        name = canonicalize_name(requirement.name)
        assert name in entries, f"{requirement} is not in {LOCK.name}: run `make lock`"
        version = entries[name][0]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{LOCK.name} pins {name}=={version}, outside {requirement}: run `make lock`"
        )
        for extra in requirement.extras:
            for spec in importlib.metadata.requires(requirement.name) or []:
                needed = Requirement(spec)
                if needed.marker and needed.marker.evaluate({"extra": extra}):
                    assert canonicalize_name(needed.name) in entries, f"{needed} not locked"


def test_lock_is_closed_under_dependencies():
    """Whatever a locked distribution requires on this platform is locked as well, so installing
    with --require-hashes never has to fetch anything unpinned."""
    entries = locked()
    missing = set()
    for name in entries:
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            pytest.fail(f"{name} is locked but not installed: run `make install`")
        for spec in requires:
            needed = Requirement(spec)
            if needed.marker and not needed.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(needed.name) not in entries:
                missing.add(f"{needed.name} (required by {name})")
    assert not missing


def test_torch_is_locked_to_the_cpu_build():
    """A plain torch pin would bring the multi-gigabyte CUDA build and its nvidia-* wheels."""
    entries = locked()
    assert Version(entries["torch"][0]).local == "cpu"
    assert not [name for name in entries if name.startswith("nvidia-")]


def test_torch_hash_is_the_local_wheels():
    """The lock's torch hash is the sha256 of the CPU wheel pip finds on this machine's disk."""
    version, options = locked()["torch"]
    wheels = list(LOCAL_WHEELS.glob(f"torch-{version}-*.whl"))
    if not wheels:
        pytest.skip("no local torch wheel on this machine")
    digest = hashlib.sha256(wheels[0].read_bytes()).hexdigest()
    assert f"--hash=sha256:{digest}" in options


def test_installed_versions_are_the_locked_ones():
    """The virtualenv the tests run in was installed from the lock file."""
    differ = {}
    for name, (version, _options) in locked().items():
        try:
            installed = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            installed = "nothing"
        if installed == "nothing" or Version(installed) != Version(version):
            differ[name] = f"installed {installed}, locked {version}"
    assert differ == {}, "run `make install`"


def _make_dry_run(*args: str, venv: Path) -> str:
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", *args, f"VENV={venv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_installs_from_the_lock_with_hashes(tmp_path):
    """An up-to-date virtualenv is left alone; a changed lock file reinstalls it, from the lock
    with --require-hashes and then the project alone, without resolving anything else."""
    (tmp_path / ".installed").touch()  # newer than pyproject.toml and the lock file
    assert "pip install" not in _make_dry_run("install", venv=tmp_path)

    commands = _make_dry_run("-W", LOCK.name, "install", venv=tmp_path).splitlines()
    installs = [line for line in commands if "pip install" in line]
    assert len(installs) == 2
    assert "--require-hashes" in installs[0] and f"-r {LOCK.name}" in installs[0]
    assert "--no-deps" in installs[1] and installs[1].endswith("-e .")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_lock_regenerates_with_hashes(tmp_path):
    (tmp_path / ".installed").touch()
    commands = _make_dry_run("lock", venv=tmp_path)
    assert "pip-compile" in commands
    assert "--generate-hashes" in commands and f"-o {LOCK.name}" in commands
