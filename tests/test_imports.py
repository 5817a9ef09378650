"""The package's import structure: every module imports on its own, and the import graph has no cycles.

The graph is built statically with :mod:`ast` from every ``import`` statement in ``workbench/``,
including those under ``if TYPE_CHECKING:`` and inside functions (a lazy import is still a
dependency), so a cycle cannot hide behind either.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "workbench"

# Known cycles, to be removed; each entry is one edge (importer, imported). None left.
KNOWN_EDGES: set[tuple[str, str]] = set()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def imported_modules(name: str, path: Path) -> set[str]:
    """The package's modules that ``name`` imports (``from pkg import sub`` counts ``pkg.sub``)."""
    is_package = path.name == "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against this module's package
                base = name.split(".")[: len(name.split(".")) - node.level + is_package]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return {m for m in found if m in MODULES and m != name}


def import_graph() -> dict[str, set[str]]:
    graph = {name: imported_modules(name, path) for name, path in MODULES.items()}
    for importer, imported in KNOWN_EDGES:
        graph[importer].discard(imported)
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle as a list of modules (first == last), or ``None`` (depth-first search)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (cycle := visit(start)):
            return cycle
    return None


def test_import_graph_has_no_cycles():
    graph = import_graph()
    assert sum(map(len, graph.values())) > len(graph)  # the parser does find the package's imports
    assert find_cycle(graph) is None, f"import cycle: {' -> '.join(find_cycle(graph) or [])}"


def test_cycle_finder_finds_a_planted_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


def test_known_exceptions_are_still_real_edges():
    """Once a listed edge is gone from the code, delete it from KNOWN_EDGES."""
    for importer, imported in KNOWN_EDGES:
        assert imported in imported_modules(importer, MODULES[importer]), (importer, imported)


def test_model_layer_does_not_import_upper_layers():
    upper = ("workbench.experiments", "workbench.analysis", "workbench.viz")
    graph = import_graph()
    for name in MODULES:
        if name.startswith(("workbench.model", "workbench.ledger", "workbench.validation", "workbench.options")):
            assert not {m for m in graph[name] if m.startswith(upper)}, name


_IMPORT_EACH_ALONE = """
import importlib, sys, traceback
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "workbench" or m.startswith("workbench.")]:
        del sys.modules[loaded]  # forget the package; third-party modules stay cached (speed)
    try:
        importlib.import_module(name)
    except Exception:
        failed.append(name + ": " + traceback.format_exc(limit=3))
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


@pytest.mark.slow
def test_every_module_imports_alone():
    """Each module imports with none of the package loaded before it (fresh interpreter; the package is
    dropped from ``sys.modules`` between modules), so no module relies on another having run first."""
    names = sorted(n for n in MODULES if n != "workbench.__main__")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH_ALONE, *names],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]


def test_model_and_traces_do_not_depend_on_each_other_both_ways():
    """The model imports the trace readers (lazily, when a trace is replayed); the readers never
    import the model: what both need (``Flows``, ``flow_key``, ``TraceConfig``) is in neutral modules."""
    graph = import_graph()

    def package_edges(src: str, dst: str) -> list[tuple[str, str]]:
        return [(a, b) for a in graph if a.startswith(src) for b in graph[a] if b.startswith(dst)]

    assert package_edges("workbench.model", "workbench.traces"), "the model loads traces through workbench.traces"
    assert package_edges("workbench.traces", "workbench.model") == []
    for neutral in ("workbench.flows", "workbench.trace_config"):
        assert not {m for m in graph[neutral] if m.startswith(("workbench.model", "workbench.traces"))}, neutral


def test_the_trace_readers_import_without_the_model_or_scikit_learn():
    """``import workbench.traces`` stays light (pyarrow, pandas, numpy): the import time a user pays
    before reading a file (benchmarks/bench_traces.py prints it)."""
    code = (
        "import sys, workbench.traces; "
        "heavy = [m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'matplotlib') "
        "or m.startswith('workbench.model')]; print(heavy)"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]", proc.stdout
