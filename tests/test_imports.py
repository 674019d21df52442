"""The shape of the package: no module imports the package top, no import cycle, small files.

Each module under ``src/sen_rules`` is parsed with :mod:`ast` (nothing is imported), and
its imports become edges of a graph of modules:

* ``import sen_rules.a.b`` and ``from sen_rules.a import b`` (absolute or relative) give an
  edge to the module named: ``sen_rules.a.b`` when ``b`` is a module, else ``sen_rules.a``.
  The parent packages a dotted import also runs are not edges: every module would
  otherwise depend on the package top, which is exactly what (a) forbids in the other
  direction.
* Imports inside functions count: they run on the first call, and a cycle through them is
  still a cycle (it only moves the failure from import time to call time, and hides which
  module is the lower one). Imports under ``if TYPE_CHECKING:`` do not count: they never
  run, and they are how a type names a class of a higher module without depending on it.

Modules are in layers (``LAYERS``, drawn in docs/ARCHITECTURE.md): a module imports modules of
its own layer or of lower ones, never of a higher one.

The size limits (no file over 500 lines, no function over 60) hold for every module.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "sen_rules"
ROOT = Path(__file__).resolve().parent.parent / "src" / PACKAGE
MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 60

# The layers, lowest first: each module (by its path under src/sen_rules, or the folder it is
# in) may import what its own layer and the layers below hold.
LAYERS: tuple[tuple[str, ...], ...] = (
    # 0. the ground: codes and errors, values and dates, the case, strict input
    ("codes.py", "errors.py", "version.py", "values.py", "suggest.py", "dates.py",
     "textsafe.py", "jsonread.py", "jsonwrite.py", "lines.py", "progress.py", "rendering.py",
     "sources.py", "case_dates.py", "case_model.py", "case.py"),
    # 1. the condition language, and the description of the case model it types against
    ("language/", "case_description.py"),
    # 2. the rulebase: its elements, epochs, hash, decision order, versions
    ("elements.py", "epochs.py", "rulebase_content.py", "rulebase.py", "decision_graph.py",
     "versions.py"),
    # 3. compiling rule files, and evaluating the compiled rules (neither knows the other)
    ("loading/", "engine/"),
    # 4. what is made of an evaluation: explanations, words, reports, records, timelines
    ("explain/", "reports/", "audit/", "timelines/"),
    # 5. the stable API, author tools, the decision log, test strategies
    ("api.py", "authoring/", "decision_log/", "testing/"),
    # 6. the ways in: HTTP, the command line, the package top
    ("server/", "cli/", "__main__.py", "__init__.py"),
)


def layer_of(where: str) -> int:
    """The layer of a module given by its path under src/sen_rules."""
    for rank, members in enumerate(LAYERS):
        if any(where == m or (m.endswith("/") and where.startswith(m)) for m in members):
            return rank
    raise AssertionError(f"{where} is in no layer: add it to LAYERS")


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name (a package by its own name)."""
    found: dict[str, Path] = {}
    for path in sorted(ROOT.rglob("*.py")):
        parts = (PACKAGE,) + path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


MODULES = modules()


@functools.cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def import_nodes(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement that can run, at any depth (not under ``TYPE_CHECKING``)."""
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        children = list(ast.iter_child_nodes(node))
        if isinstance(node, ast.If) and is_type_checking(node):
            children = list(node.orelse)
        pending.extend(children)


def imported(module: str, path: Path, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The package's modules an import statement names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name.split(".")[0] == PACKAGE]
    if node.level:
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    if base.split(".")[0] != PACKAGE:
        return []
    out = []
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        out.append(sub if sub in MODULES else base)
    return out


def graph() -> dict[str, set[str]]:
    """Each module and the modules it imports."""
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = edges.setdefault(module, set())
        for node in import_nodes(tree_of(path)):
            targets.update(t for t in imported(module, path, node) if t != module)
    return edges


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (its modules in order, the first repeated at the end), if any."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    for start in sorted(edges):
        if state.get(start):
            continue
        path: list[str] = [start]
        stack: list[Iterator[str]] = [iter(sorted(edges.get(start, ())))]
        state[start] = 1
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                stack.pop()
            elif state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            elif not state.get(nxt):
                state[nxt] = 1
                path.append(nxt)
                stack.append(iter(sorted(edges.get(nxt, ()))))
    return None


def test_the_graph_sees_imports() -> None:
    edges = graph()
    assert "sen_rules.loading.schema" in edges["sen_rules.loading.stages.settings"]
    assert "sen_rules.rulebase" in edges["sen_rules.engine.native"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_module_imports_the_package_top() -> None:
    offenders = []
    for module, targets in graph().items():
        where = relative(MODULES[module])
        if module != PACKAGE and PACKAGE in targets:
            offenders.append(where)
    assert offenders == [], f"these modules import {PACKAGE} itself: {offenders}"


def test_no_module_imports_a_higher_layer() -> None:
    upward = []
    for module, targets in graph().items():
        where = relative(MODULES[module])
        for target in targets:
            there = relative(MODULES[target])
            if layer_of(there) > layer_of(where):
                upward.append(f"{where} (layer {layer_of(where)}) imports {there} "
                              f"(layer {layer_of(there)})")
    assert upward == []


def test_no_import_cycle() -> None:
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def too_big() -> list[str]:
    """Files over the line limit ("file: N lines") and functions over theirs
    ("file:function: N lines")."""
    found = []
    for path in MODULES.values():
        where = relative(path)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_FILE_LINES:
            found.append(f"{where}: {lines} lines")
        for fn in functions(tree_of(path)):
            length = (fn.end_lineno or fn.lineno) - fn.lineno + 1
            name = f"{where}:{fn.name}"
            if length > MAX_FUNCTION_LINES:
                found.append(f"{name}: {length} lines")
    return found


def test_files_and_functions_are_small() -> None:
    assert too_big() == []

