"""The protocol edge (issue 15): only `sheetls.lsp` imports pygls or lsprotocol, and no
module of sheetls imports itself back through others."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

import sheetls

PACKAGE = Path(sheetls.__file__).resolve().parent
PROTOCOL_LIBRARIES = ("pygls", "lsprotocol")


def module_names() -> List[str]:
    out = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out.append(".".join(parts))
    return out


def test_the_core_imports_neither_pygls_nor_lsprotocol():
    """Every module outside sheetls.lsp, imported in a fresh interpreter, leaves pygls and
    lsprotocol unloaded (the sheet model, loader, packs, completion, hover, resolve, render,
    export... and the command line's other verbs)."""
    core = [m for m in module_names() if m != "sheetls.lsp" and not m.startswith("sheetls.lsp.")]
    assert "sheetls.completion" in core and "sheetls.resolve" in core and "sheetls.profile" in core
    code = (
        "import importlib, json, sys\n"
        f"for name in {core!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {PROTOCOL_LIBRARIES!r})))\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('sheetls.lsp'))))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    protocol, edge = (json.loads(line) for line in done.stdout.splitlines()[-2:])
    assert protocol == [], f"the core loaded {protocol}: only sheetls.lsp may import pygls or lsprotocol"
    assert edge == [], f"the core loaded {edge}"


def _imports(path: Path, name: str) -> Set[str]:
    """The sheetls modules `name` imports anywhere in its code (top level, in functions, under
    TYPE_CHECKING): the graph of every import that may ever run."""
    known = set(module_names())
    is_package = path.name == "__init__.py"
    out: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name and target.startswith("sheetls"):
                out.add(target)
    return out


def import_graph() -> Dict[str, Set[str]]:
    graph = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        graph[".".join(parts)] = _imports(path, ".".join(parts))
    return graph


def find_cycle(graph: Dict[str, Set[str]]) -> List[str]:
    """One import cycle as [a, b, ..., a], or [] when the graph is acyclic."""
    state: Dict[str, int] = {}
    stack: List[str] = []

    def visit(node: str) -> List[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def test_the_import_graph_is_acyclic():
    graph = import_graph()
    assert graph["sheetls.lsp.server"] >= {"sheetls.lsp.debug", "sheetls.lsp.transports", "sheetls.docmodel"}
    cycle = find_cycle(graph)
    assert not cycle, "import cycle: " + " -> ".join(cycle)


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) == []


def test_only_the_edge_names_the_protocol_libraries():
    """No module outside sheetls.lsp imports pygls or lsprotocol, not even in a function."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if "lsp" in path.relative_to(PACKAGE).parts[:-1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            offenders += [f"{path.name}:{node.lineno} {n}" for n in names if n.split(".")[0] in PROTOCOL_LIBRARIES]
    assert not offenders, offenders
