"""Import boundaries, from the import graph and at run time, and one shared table schema.

Imports go one way: ``app`` may import ``consent`` and ``recommender``, never the reverse.
``recommender`` takes texts, vectors and plain dataclasses, so it imports neither Flask nor the
database layer; ``consent`` may use SQLModel but not Flask. Within the portal only
``app/services/matching.py`` calls the recommender, after checking the legal basis.

The graph is read from the source with ``ast``: every ``import`` and ``from ... import`` anywhere
in a module (also inside functions and ``TYPE_CHECKING`` blocks) and ``importlib.import_module`` /
``__import__`` with a literal name. The run-time tests then import every module of a package in
a fresh interpreter and look at ``sys.modules``, which also catches what third-party imports pull
in.
"""

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "recommender", "consent")
MATCHING = "app/services/matching.py"


@dataclass(frozen=True)
class Edge:
    """One import: ``path:line`` of the importing module imports ``target``; ``nested`` when the
    import stands inside a function (a lazy import)."""

    path: str
    line: int
    target: str
    nested: bool = False

    @property
    def top(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.target}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _resolve(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The absolute name ``from ... import`` refers to (relative imports resolved)."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _dynamic_target(node: ast.Call) -> str | None:
    """``importlib.import_module("x")`` or ``__import__("x")`` with a literal name."""
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name not in ("import_module", "__import__") or not node.args:
        return None
    first = node.args[0]
    return first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None


def imports_of(path: Path) -> list[Edge]:
    """Every import in one source file, wherever it stands in the module."""
    rel = path.relative_to(ROOT).as_posix()
    module, is_package = _module_name(path), path.name == "__init__.py"
    functions = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
    edges = []

    def visit(node: ast.AST, nested: bool) -> None:
        if isinstance(node, ast.Import):
            edges.extend(Edge(rel, node.lineno, alias.name, nested) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            edges.append(Edge(rel, node.lineno, _resolve(node, module, is_package), nested))
        elif isinstance(node, ast.Call) and (target := _dynamic_target(node)):
            edges.append(Edge(rel, node.lineno, target, nested))
        for child in ast.iter_child_nodes(node):
            visit(child, nested or isinstance(node, functions))

    visit(ast.parse(path.read_text("utf-8"), filename=rel), False)
    return edges


def sources(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "__pycache__" not in p.parts)


@pytest.fixture(scope="module")
def graph() -> dict[str, list[Edge]]:
    """The import edges of every module of each package, keyed by package."""
    return {pkg: [e for path in sources(pkg) for e in imports_of(path)] for pkg in PACKAGES}


def _is_flask(top: str) -> bool:
    return top == "flask" or top.startswith("flask_")


def test_the_graph_sees_the_imports_it_checks(graph):
    """Guards the scanner itself: a wrong root or parser would make every rule pass."""
    assert len(sources("app")) > 20 and len(sources("recommender")) > 10
    assert len(sources("consent")) > 5
    matching = {e.target for e in graph["app"] if e.path == MATCHING}
    assert "recommender.ranking" in matching and "flask" in matching
    # imports inside functions are read as well (the recommender's command line imports lazily)
    assert any(e.nested and e.path == "recommender/cli.py" for e in graph["recommender"])


def test_recommender_imports_no_web_database_or_portal_code(graph):
    bad = [
        str(e)
        for e in graph["recommender"]
        if _is_flask(e.top) or e.top in ("sqlalchemy", "sqlmodel", "app", "consent")
    ]
    assert not bad, "recommender/ must stay free of Flask, the database and the portal:\n" + (
        "\n".join(bad)
    )


def test_consent_imports_neither_flask_nor_the_portal(graph):
    bad = [str(e) for e in graph["consent"] if _is_flask(e.top) or e.top == "app"]
    assert not bad, "consent/ may use SQLModel, never Flask or app/:\n" + "\n".join(bad)


def test_only_matching_imports_the_recommender(graph):
    bad = [str(e) for e in graph["app"] if e.top == "recommender" and e.path != MATCHING]
    assert not bad, f"within app/ only {MATCHING} may import recommender:\n" + "\n".join(bad)


def _loaded_after_importing(package: str, skip: tuple[str, ...] = ()) -> tuple[set[str], int]:
    """Top-level packages in ``sys.modules`` after importing every module of ``package`` in a
    fresh interpreter, and how many of its modules were imported (found on disk, so a new module
    is covered without editing this test)."""
    code = (
        "import importlib, json, pkgutil, sys\n"
        f"import {package}\n"
        "done = 0\n"
        f"for info in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        f"    if info.name.rsplit('.', 1)[-1] not in {skip!r}:\n"
        "        importlib.import_module(info.name)\n"
        "        done += 1\n"
        "print(json.dumps([sorted({m.split('.')[0] for m in sys.modules}), done]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert result.returncode == 0, result.stderr
    loaded, done = json.loads(result.stdout.strip().splitlines()[-1])
    return set(loaded), done


def test_importing_all_of_recommender_loads_no_flask_database_or_portal():
    # ``__main__`` would run the command line.
    loaded, done = _loaded_after_importing("recommender", skip=("__main__",))
    assert done >= len(sources("recommender")) - 2  # minus the package and __main__
    bad = sorted(
        m for m in loaded if _is_flask(m) or m in ("sqlalchemy", "sqlmodel", "app", "consent")
    )
    assert not bad, bad


def test_importing_all_of_consent_loads_neither_flask_nor_the_portal():
    loaded, done = _loaded_after_importing("consent")
    assert done >= len(sources("consent")) - 1  # minus the package itself
    bad = sorted(m for m in loaded if _is_flask(m) or m == "app")
    assert not bad, bad


# --- One shared table schema: naming convention and timestamps ----------------------------------

_NAMES = """
import importlib, json, sys
from sqlmodel import SQLModel
for module in sys.argv[1:]:
    importlib.import_module(module)
entries = []
for table in SQLModel.metadata.tables.values():
    for c in [*table.constraints, *table.indexes]:
        kind = type(c).__name__
        referred = None
        if kind == "ForeignKeyConstraint":
            referred = c.elements[0].target_fullname.split(".")[0]
        columns = [column.name for column in c.columns]
        entries.append([table.name, kind, c.name, columns, referred])
print(json.dumps({"entries": sorted(entries, key=str), "app": "app" in sys.modules}))
"""


def _constraint_names(*modules: str) -> dict:
    """Constraint and index names of every table, after importing only ``modules`` (in order)
    in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", _NAMES, *modules],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def _expected(table: str, kind: str, columns: list[str], referred: str | None) -> str | None:
    """The name the shared convention gives this constraint (``None``: only the prefix is fixed,
    as for check constraints, which carry their own name)."""
    match kind:
        case "PrimaryKeyConstraint":
            return f"pk_{table}"
        case "ForeignKeyConstraint":
            return f"fk_{table}_{columns[0]}_{referred}"
        case "UniqueConstraint":
            return f"uq_{table}_{'_'.join(columns)}"
        case "Index":
            return f"ix_{table}_{'_'.join(columns)}"
    return None


def test_consent_tables_follow_the_naming_convention_without_the_portal():
    """Importing only ``consent.models`` names every constraint by the shared convention (it
    used to be set in ``app/models.py``, so consent tables got it only if that came first)."""
    result = _constraint_names("consent.models")
    assert not result["app"]
    entries = result["entries"]
    assert {"consentevent", "accesslogentry", "erasurerecord"} <= {table for table, *_ in entries}
    kinds = {kind for _, kind, *_ in entries}
    assert {"PrimaryKeyConstraint", "ForeignKeyConstraint", "CheckConstraint", "Index"} <= kinds
    for table, kind, name, columns, referred in entries:
        assert name, f"{table}: a {kind} on {columns} has no name"
        if kind == "CheckConstraint":
            assert name.startswith(f"ck_{table}_"), name
        else:
            assert name == _expected(table, kind, columns, referred), (table, kind, columns)


def test_table_names_do_not_depend_on_import_order():
    consent_first = _constraint_names("consent.models", "app.models")["entries"]
    app_first = _constraint_names("app.models", "consent.models")["entries"]
    assert consent_first == app_first
    assert len(consent_first) > 100  # both modules' tables are there


def test_one_utcnow_for_every_table_module():
    import app.models
    import consent.models
    from consent import schema

    assert app.models.utcnow is consent.models.utcnow is schema.utcnow
    assert schema.utcnow().tzinfo is not None
