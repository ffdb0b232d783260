"""The pygls private names sheetls relies on (sheetls.lsp.pygls_privates): each still there,
as sheetls uses it, and none used that the list does not name."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pygls
import pytest

from sheetls.lsp import pygls_privates

PYGLS = Path(pygls.__file__).resolve().parent
EDGE = Path(pygls_privates.__file__).resolve().parent


def test_every_pygls_private_sheetls_uses_is_still_there():
    missing = pygls_privates.missing()
    assert not missing, "\n".join(missing) + (
        "\nsheetls.lsp relies on these pygls private names (see sheetls/lsp/pygls_privates.py): adapt the "
        "code that uses each, then move the pygls pin in pyproject.toml"
    )


def test_pyproject_pins_the_minor_version_whose_privates_are_used():
    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    if not pyproject.exists():
        pytest.skip("not run from a source tree")
    major, minor = pygls_privates.PYGLS_MINOR
    assert f'"pygls>={major}.{minor},<{major}.{minor + 1}"' in pyproject.read_text(encoding="utf-8")


def _private_attributes(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and re.fullmatch(r"_[a-z]\w*", node.attr):
            yield node.attr, node.lineno
        elif isinstance(node, ast.FunctionDef) and re.fullmatch(r"_[a-z]\w*", node.name):
            yield node.name, node.lineno


def test_the_list_names_every_pygls_private_the_edge_uses():
    """A private name sheetls.lsp uses (an attribute or an overriding method) that pygls
    defines too must be on the list; sheetls's own privates are not pygls's."""
    pygls_names = set()
    for path in PYGLS.rglob("*.py"):
        pygls_names |= {name for name, _ in _private_attributes(ast.parse(path.read_text(encoding="utf-8")))}
    listed = {p.name for p in pygls_privates.PRIVATES}
    unlisted = []
    for path in sorted(EDGE.glob("*.py")):
        for name, line in _private_attributes(ast.parse(path.read_text(encoding="utf-8"))):
            if name in pygls_names and name not in listed:
                unlisted.append(f"sheetls/lsp/{path.name}:{line} {name}")
    assert not unlisted, "pygls privates used but not listed in pygls_privates.PRIVATES: " + ", ".join(unlisted)
