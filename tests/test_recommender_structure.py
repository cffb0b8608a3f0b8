"""The recommender's module structure: imports go one way, and no module reads another's privates.

Both checks read the source with `ast`, so they hold for every module, including new ones.
Imports under `if TYPE_CHECKING:` are annotations only and do not count; imports inside
functions do (a function-local import back into a module that imports you is a hidden cycle).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "recommender"
MODULES = sorted(p.stem for p in PACKAGE.glob("*.py"))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under an `if TYPE_CHECKING:` block."""
    out: list[ast.AST] = []
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)
    return out


def _imported_modules(module: str) -> set[str]:
    """Sibling modules of `recommender` that `module` imports at run time."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:
                base = node.module or ""
            elif node.level == 0 and (node.module or "").startswith("recommender"):
                base = (node.module or "").removeprefix("recommender").lstrip(".")
            else:
                continue
            names = [base.split(".")[0]] if base else [a.name for a in node.names]
            found |= {n for n in names if n in MODULES}
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "recommender" and len(parts) > 1 and parts[1] in MODULES:
                    found.add(parts[1])
    found.discard(module)
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle in `graph`, or None."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(m: str) -> list[str] | None:
        state[m] = 1
        path.append(m)
        for d in sorted(graph[m]):
            if state.get(d) == 1:
                return path[path.index(d) :] + [d]
            if d not in state and (found := visit(d)) is not None:
                return found
        path.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)) is not None:
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_recommender_modules_import_one_way() -> None:
    graph = {m: _imported_modules(m) for m in MODULES}
    assert _cycle(graph) is None, f"import cycle: {' -> '.join(_cycle(graph) or [])}"


def test_the_ranking_chain_runs_one_way() -> None:
    graph = {m: _imported_modules(m) for m in MODULES}
    chain = ["arrays", "bm25", "index", "query", "scoring", "explain", "ranking"]
    for lower, higher in zip(chain, chain[1:], strict=False):
        assert lower not in graph or higher not in graph[lower]
    assert "ranking" not in graph["automatch"] | graph["alternatives"]
    assert "model_build" not in graph["encoders"]


@pytest.mark.parametrize("module", MODULES)
def test_no_module_reads_private_attributes_of_other_objects(module: str) -> None:
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    bad = [
        f"{module}.py:{node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not (node.attr.startswith("__") and node.attr.endswith("__"))
        and not (isinstance(node.value, ast.Name) and node.value.id in {"self", "cls"})
    ]
    assert not bad, "private attributes read from outside their object:\n" + "\n".join(bad)
