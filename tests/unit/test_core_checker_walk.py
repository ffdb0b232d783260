"""The rule checker's own walk (check._Checker.visit: a table of the fields that hold nodes, its
handlers found once per class) reaches what ast.NodeVisitor's walk reaches, in the same order and
inside the same functions: every call, every def, async def and lambda, with the function stack
the rules read (`in_async`), in nested functions, lambdas, comprehensions, class bodies, match
statements, decorators, defaults and annotations, and over code nobody here wrote (the standard
library's asyncio and test_asyncio). The rules' findings themselves are pinned by
tests/test_diagnostics_rules.py; this pins what the walk hands them."""

from __future__ import annotations

import ast
import sys
import sysconfig
from pathlib import Path
from typing import Any, List, Tuple

import pytest

from sheetls.diagnostics.check import _Checker, _Source
from sheetls.diagnostics.units import names_of
from sheetls.resolve import builtin_facts

STDLIB = Path(sysconfig.get_paths()["stdlib"])
FILES = sorted((STDLIB / "asyncio").glob("*.py")) + sorted((STDLIB / "test" / "test_asyncio").glob("test_*.py"))

NESTED = """\
import asyncio, time

@decorate(time.sleep(0))
async def outer(a=time.sleep(1), *, b: f(2) = g(3)) -> h(4):
    lam = lambda x=time.sleep(5): time.sleep(x)
    squares = [time.sleep(n) for n in range(6) if p(n)]
    pairs = {k(i): v(i) for i in w(7)}
    gen = (time.sleep(j) async for j in aiter(8))

    class Inner(base(9), meta=m(10)):
        attr = time.sleep(11)

        def method(self, c=d(12)):
            return time.sleep(c)

        async def amethod(self):
            await asyncio.sleep(13)

    try:
        async with lock(19) as held, other(20):
            async for item in stream(21):
                yield item(22), await later(23)
    except (OSError, error(24)) as exc:
        raise wrapped(25) from cause(26)
    finally:
        del table[key(27)]
    while check(28):
        x: t(29) = annotated(30)
        x += more(31)
        assert sure(32), why(33)
        print(f"{value(17)!r:>{width(18)}}")
    return a.b(37).c(38)(39)
"""

MATCH = """\
import asyncio, time

async def outer():
    match command(14):
        case Point(x=0, y=y) if guard(y):
            time.sleep(15)
        case [first, *rest]:
            await asyncio.sleep(first(16))
        case {"key": value, **others}:
            return [lambda: time.sleep(value)]
"""
needs_match = pytest.mark.skipif(sys.version_info < (3, 10), reason="`match` is new in Python 3.10")


def _where(node: ast.AST) -> Tuple[int, ...]:
    return (node.lineno, node.col_offset, node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]


def _walk_of(cls: type, text: str) -> List[Tuple[str, Any, Any]]:
    """(what, where, the function stack there) for each call (when its handler is done: after the
    calls in it) and each function (when entered), in the order the checker class `cls` reaches
    them; the rules run as they do in a check."""
    tree = ast.parse(text)
    seen: List[Tuple[str, Any, Any]] = []

    class Entered(list):  # the checker's function stack, noting each function entered
        def append(self, function: Any) -> None:
            seen.append((type(function).__name__, _where(function), stack(checker)))
            super().append(function)

    def stack(checker: Any) -> Tuple[Any, ...]:
        return (checker.in_async, *(_where(f) for f in checker.functions))

    class Recording(cls):  # type: ignore[valid-type,misc]
        def visit_Call(self, node: ast.Call) -> None:
            super().visit_Call(node)
            seen.append(("call", _where(node), stack(self)))

    src = _Source(text)
    src.model.use_facts(builtin_facts())
    parents: dict = {}
    _, bound, _ = names_of(list(tree.body), parents)
    checker = Recording(src, (3, 11), set(bound))
    checker.parents = parents
    checker.functions = Entered()
    for node in tree.body:
        checker.visit(node)
    return seen


class _NodeVisitorChecker(_Checker, ast.NodeVisitor):
    """The checker walked by ast.NodeVisitor (as it was before it had a walk of its own)."""

    visit = ast.NodeVisitor.visit
    generic_visit = ast.NodeVisitor.generic_visit


def _calls_and_functions(text: str) -> Tuple[List[Tuple[int, ...]], List[Tuple[int, ...]]]:
    nodes = list(ast.walk(ast.parse(text)))
    calls = [_where(n) for n in nodes if isinstance(n, ast.Call)]
    functions = [_where(n) for n in nodes if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    return sorted(calls), sorted(functions)


@pytest.mark.parametrize("text", [NESTED, pytest.param(MATCH, marks=needs_match)], ids=["nested", "match"])
def test_every_call_and_function_is_reached_once(text):
    walk = _walk_of(_Checker, text)
    calls, functions = _calls_and_functions(text)
    assert sorted(w for what, w, _ in walk if what == "call") == calls
    assert sorted(w for what, w, _ in walk if what != "call") == functions


def test_the_calls_are_seen_inside_the_functions_the_rules_read():
    """A default, a decorator and an annotation run outside their function; a lambda's body in
    the lambda; a comprehension's, an f-string's, a class body's and a `try`'s calls inside the
    `async def` around them; a method's inside the method."""
    walk = {w[:2]: stack for what, w, stack in _walk_of(_Checker, NESTED) if what == "call"}
    outside, in_outer = (False,), (True, (4, 0, 32, 28))
    for where in ((3, 1), (3, 10), (4, 18), (4, 39), (4, 46), (4, 55)):  # decorator, defaults, annotations
        assert walk[where] == outside, where
    assert walk[(5, 19)] == in_outer  # the lambda's default: where the lambda is made
    assert walk[(5, 34)] == (False, in_outer[1], (5, 10, 5, 47))  # the lambda's body
    for where in ((6, 15), (7, 13), (8, 11), (11, 15), (13, 27), (20, 19), (23, 21), (31, 17), (31, 31)):
        assert walk[where] == in_outer, where
    assert walk[(14, 19)] == (False, in_outer[1], (13, 8, 14, 32))  # a method's body
    assert walk[(17, 18)] == (True, in_outer[1], (16, 8, 17, 35))


def test_a_call_is_seen_after_the_calls_in_it():
    """`a.b(37).c(38)(39)`: the innermost call first (visit_Call visits its children first)."""
    walk = [w for what, w, _ in _walk_of(_Checker, NESTED) if what == "call"]
    assert walk[-3:] == [(32, 11, 32, 18), (32, 11, 32, 24), (32, 11, 32, 28)]


@needs_match
def test_match_cases_are_walked_inside_the_function():
    walk = {w[:2]: stack for what, w, stack in _walk_of(_Checker, MATCH) if what == "call"}
    in_outer = (True, (3, 0, 10, 46))
    for where in ((4, 10), (5, 32), (6, 12), (8, 18), (8, 32)):
        assert walk[where] == in_outer, where
    assert walk[(10, 28)][0] is False  # in the lambda


@pytest.mark.parametrize("text", [NESTED, pytest.param(MATCH, marks=needs_match)], ids=["nested", "match"])
def test_the_examples_are_walked_as_node_visitor_walks_them(text):
    assert _walk_of(_Checker, text) == _walk_of(_NodeVisitorChecker, text)


def test_the_interpreter_has_the_sources():
    assert len(FILES) > 20, f"asyncio sources under {STDLIB}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_real_code_is_walked_as_node_visitor_walks_it(path):
    text = path.read_text(encoding="utf-8")
    assert _walk_of(_Checker, text) == _walk_of(_NodeVisitorChecker, text)


@pytest.mark.parametrize("path", FILES[:8], ids=lambda p: f"{p.parent.name}/{p.name}")
def test_positions_on_ascii_lines_are_the_utf8_ones(path):
    """_Source.pos takes the byte column as it is on an ASCII line: the same as decoding."""
    text = path.read_text(encoding="utf-8") + "\nx = ('é', f(1))  # a line that is not ASCII\n"
    src = _Source(text)
    for node in ast.walk(ast.parse(text)):
        if hasattr(node, "end_col_offset"):
            for lineno, col in ((node.lineno, node.col_offset), (node.end_lineno, node.end_col_offset)):
                line = src.lines[lineno - 1].encode("utf-8")
                assert src.pos(lineno, col) == (lineno - 1, len(line[:col].decode("utf-8")))
