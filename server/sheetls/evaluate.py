"""The evaluator: the value of an expression of the document (an API name, an instance of an API
class, a tuple, the file's own class, instance or function, or unknown), following bindings
through the scopes (scopes.py), the calls the packs describe (apifacts.ApiFacts, the model's
`facts`), `await`, tuple unpacking, annotations, the file's own classes and functions, and the
(reader, writer) parameters of the handlers passed to a server.

Finding those handlers resolves every line that names a server; what it finds is kept in the
document model's slots (docmodel.VersionModel) and carried across keystrokes that leave the
line's statement and the names it looked up alone.
"""

from __future__ import annotations

import ast
from typing import Any, Dict, FrozenSet, Iterator, Optional, Set, Tuple

from sheetls.apifacts import (
    HANDLER_PARAMETERS,
    LOOP_CLASSES,
    LOOP_METHODS,
    OTHER,
    PASSTHROUGH,
    SERVER,
    SERVERS,
    ApiFacts,
    ApiName,
    ApiObject,
    LocalClass,
    LocalFunction,
    LocalInstance,
    ValueTuple,
    normalize,
)
from sheetls.docmodel import SERVER_CALL, VersionModel
from sheetls.regions import Region
from sheetls.scopes import Binding, enclosing, lookup, scopes_of, start_of

_MAX_DEPTH = 24
_PENDING = object()


# --- handlers passed to a server --------------------------------------------------------------
def handlers(model: VersionModel) -> Dict[Tuple[int, int], int]:
    """Functions passed to `start_server` (or `start_unix_server`) as its callback -> how
    many leading parameters come before (reader, writer) (1 for a method, more for
    `functools.partial` args). Every line naming a server is resolved on its own, and
    kept while an edit leaves its statement and the names it looked up alone."""
    for _ in handler_steps(model):
        pass
    assert model.handlers_found is not None
    return model.handlers_found


def handler_steps(model: VersionModel) -> Iterator[None]:
    """handlers(model) a line at a time: yields after each line naming a server is resolved
    (its part kept in the model). Stopped early, it leaves the model's answer unset, as if
    handlers() had not been asked; the lines it resolved stay resolved."""
    if model.handlers_found is not None:
        return
    model.handlers_found = merged = {}  # seen, partly filled, by the look-ups below
    done = False
    try:
        if model.server_lines is None:
            model.server_lines = model.index.lines_matching(SERVER_CALL)
        for i in model.server_lines:
            part = model.handler_parts.get(i)
            if part is not None:
                merged.update(part[1])
                continue
            part = model.handler_parts[i] = _handlers_on_line(model, i)
            merged.update(part[1])
            yield
        done = True
    finally:
        if not done:
            model.handlers_found = None


def _handlers_on_line(
    model: VersionModel, i: int
) -> Tuple[FrozenSet[str], Dict[Tuple[int, int], int], Tuple[Any, ...]]:
    found: Dict[Tuple[int, int], int] = {}
    k = model.block_index(i)
    unit = model.unit(i)
    if k < 0:
        return frozenset(), found, unit
    region = model.region(k, i)
    if region.tree is None:
        return frozenset(), found, unit
    outer, model.looked_up = model.looked_up, set()
    try:
        for node in list(region.nodes_on(i + 1)):
            if isinstance(node, ast.Call):
                _handler_of_call(model, node, region, found)
        deps = frozenset(model.looked_up)
    finally:
        model.looked_up = outer
    return deps, found, unit


def _handler_of_call(model: VersionModel, call: ast.Call, region: Region, found: Dict[Tuple[int, int], int]) -> None:
    server = evaluate(model, call.func, region)
    if not (isinstance(server, ApiName) and server.name in SERVERS):
        return
    cb = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "client_connected_cb"), None)
    skip = 0
    if isinstance(cb, ast.Call) and cb.args and evaluate(model, cb.func, region) == ApiName("functools.partial"):
        skip = len(cb.args) - 1
        cb = cb.args[0]
    if isinstance(cb, ast.Lambda):
        found[start_of(cb)] = skip
    elif isinstance(cb, ast.Name):
        b = lookup(model, cb.id, scopes_of(region, cb), start_of(cb), region)
        if b is not None and b.kind == "def" and isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[start_of(b.node)] = skip
    elif isinstance(cb, ast.Attribute) and isinstance(cb.value, ast.Name):
        cls = enclosing(region, cb, ast.ClassDef)
        if cls is not None:
            model.note_name(cb.attr)
            for b in model.bindings_of(cls, region).names.get(cb.attr, ()):
                if b.kind == "def" and isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[start_of(b.node)] = skip + 1


# --- values ------------------------------------------------------------------------------------
def _facts(model: VersionModel) -> ApiFacts:
    """The facts the model evaluates with: given by `use_facts` before anything is evaluated."""
    facts = model.facts
    if facts is None:
        raise RuntimeError("the document model has no API facts: VersionModel.use_facts was not called")
    return facts


def binding_value(model: VersionModel, b: Optional[Binding], depth: int = 0) -> object:
    if b is None:
        return None
    if b.kind == "import":
        return ApiName(normalize(b.name))
    if depth > _MAX_DEPTH:
        return None
    if b.kind == "assign":
        value = evaluate(model, b.node, b.region, depth + 1)
        for i in b.path:
            value = value.items[i] if isinstance(value, ValueTuple) and i < len(value.items) else None
        return value
    if b.kind == "annotated":
        value = evaluate(model, b.node, b.region, depth + 1) if b.node is not None else None
        if value is None and b.annotation is not None:
            value = _facts(model).instance_of(evaluate(model, b.annotation, b.region, depth + 1))
        return value
    if b.kind == "with":
        value = evaluate(model, b.node, b.region, depth + 1)
        return value if value == ApiObject(SERVER) else (None if value is None else OTHER)
    if b.kind == "param":
        if b.annotation is not None:
            value = _facts(model).instance_of(evaluate(model, b.annotation, b.region, depth + 1))
            if value is not None:
                return value
        func = b.node
        skip = handlers(model).get(start_of(func)) if func is not None else None
        if skip is not None and b.index >= 0:
            at = b.index - skip
            value = ApiObject(HANDLER_PARAMETERS[at]) if 0 <= at < len(HANDLER_PARAMETERS) else None
            if value is not None:
                return value
        if b.index == 0 and isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.region is not None:
            return _first_parameter(func, b.region)
        return None
    if b.kind == "def":
        if isinstance(b.node, ast.ClassDef) and b.region is not None:
            return LocalClass(b.node, b.region)
        if isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.region is not None:
            return LocalFunction(b.node, b.region)
        return OTHER
    return OTHER if b.kind == "other" else None


def _first_parameter(func: ast.AST, region: Region) -> object:
    """`self` of a method: an instance of its class (or a subclass); `cls` of a classmethod."""
    owner, fld = region.parent(func)
    if not isinstance(owner, ast.ClassDef) or fld != "body":
        return None
    decorators = _decorator_names(func)
    if "staticmethod" in decorators:
        return None
    cls = LocalClass(owner, region)
    return cls if "classmethod" in decorators else LocalInstance(cls, exact=False)


def _decorator_names(node: Optional[ast.AST]) -> Set[str]:
    """The last names of a definition's decorators (`property`, `functools.cached_property`)."""
    names: Set[str] = set()
    for d in getattr(node, "decorator_list", ()):
        d = d.func if isinstance(d, ast.Call) else d
        names.add(d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else "")
    return names


def _class_member(
    model: VersionModel, cls: LocalClass, attr: str, depth: int, seen: Set[int]
) -> Tuple[Optional[Binding], str]:
    """The binding of `attr` in the body of `cls` or of its bases that the file defines
    (depth first, left to right); when there is none, what the other bases are: "known"
    (none, `object`, or the file's own), "loop" (an asyncio event loop) or "unknown"."""
    found = model.bindings_of(cls.node, cls.region).names.get(attr)
    if found:
        return max(found, key=lambda bd: bd.pos), "known"
    status = "known"
    for base in cls.node.bases:
        value = evaluate(model, base, cls.region, depth + 1)
        if isinstance(value, LocalClass) and id(value.node) not in seen and depth < _MAX_DEPTH:
            seen.add(id(value.node))
            b, inherited = _class_member(model, value, attr, depth + 1, seen)
            if b is not None:
                return b, "known"
        elif isinstance(value, ApiName) and value.name in LOOP_CLASSES:
            inherited = "loop"
        elif value is None and isinstance(base, ast.Name) and base.id == "object":
            inherited = "known"
        else:
            inherited = "unknown"
        if inherited == "loop" or (inherited == "unknown" and status == "known"):
            status = inherited
    return None, status


def member(model: VersionModel, value: object, attr: str, depth: int = 0) -> object:
    """`value.attr` for everything `attribute` covers and the file's own classes."""
    if not isinstance(value, (LocalClass, LocalInstance)):
        return _facts(model).attribute(value, attr)
    cls = value if isinstance(value, LocalClass) else value.cls
    model.note_name(attr)
    found, bases = _class_member(model, cls, attr, depth, {id(cls.node)})
    if found is not None:
        if attr in LOOP_METHODS:
            return OTHER  # the class's own run_in_executor
        if found.kind != "def":
            return None  # a class attribute: the instance may hold another value
        decorators = _decorator_names(found.node)
        if decorators & {"property", "cached_property"} and found.node is not None and found.region is not None:
            return returns_of(model, LocalFunction(found.node, found.region), depth + 1)
        if decorators - {"staticmethod", "classmethod"}:
            return None  # wrapped by something sheetls cannot see
        return binding_value(model, found, depth + 1)
    if attr in LOOP_METHODS:
        exact = isinstance(value, LocalClass) or value.exact
        if bases == "known" and exact:
            return OTHER  # the file shows the whole class: it has no such method
        return ApiName(LOOP_METHODS[attr])
    return None


_PENDING = object()


def returns_of(model: VersionModel, func: LocalFunction, depth: int) -> object:
    """What calling the file's function `func` gives: the value every one of its `return`s
    gives, when they all agree (and None when one returns nothing or something else)."""
    memo = model.function_returns.get(id(func.node))
    if memo is not None and memo[0] is func.node:
        return None if memo[1] is _PENDING else memo[1]
    model.function_returns[id(func.node)] = (func.node, _PENDING)  # a function calling itself: unknown
    value: object = None
    stack = list(getattr(func.node, "body", ()))
    returns = []
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            returns.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda, ast.expr)):
            stack.extend(ast.iter_child_nodes(node))
    for i, ret in enumerate(returns):
        one = evaluate(model, ret.value, func.region, depth + 1) if ret.value is not None else OTHER
        if one is None or (i and one != value):
            value = None
            break
        value = one
    if value is OTHER:
        value = None
    model.function_returns[id(func.node)] = (func.node, value)
    return value


def evaluate(model: VersionModel, node: Optional[ast.AST], region: Optional[Region], depth: int = 0) -> object:
    if node is None or region is None or depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        return binding_value(model, lookup(model, node.id, scopes_of(region, node), start_of(node), region), depth + 1)
    if isinstance(node, ast.Attribute):
        return member(model, evaluate(model, node.value, region, depth + 1), node.attr, depth + 1)
    if isinstance(node, ast.Call):
        func = evaluate(model, node.func, region, depth + 1)
        if isinstance(func, ApiName) and func.name in PASSTHROUGH and node.args:
            return evaluate(model, node.args[0], region, depth + 1)
        if isinstance(func, LocalFunction):
            return returns_of(model, func, depth + 1)
        if isinstance(func, LocalClass):
            return LocalInstance(func, exact=True)
        return _facts(model).call_result(func)
    if isinstance(node, (ast.Await, ast.YieldFrom)):  # `yield from`: generator-based coroutines
        return evaluate(model, node.value, region, depth + 1)
    if isinstance(node, ast.NamedExpr):
        return evaluate(model, node.value, region, depth + 1)
    if isinstance(node, ast.Tuple):
        return ValueTuple(tuple(evaluate(model, e, region, depth + 1) for e in node.elts))
    if isinstance(node, ast.Subscript):
        value = evaluate(model, node.value, region, depth + 1)
        idx = node.slice
        if isinstance(value, ValueTuple) and isinstance(idx, ast.Constant) and isinstance(idx.value, int):
            return value.items[idx.value] if -len(value.items) <= idx.value < len(value.items) else None
        return None
    if isinstance(
        node,
        (
            ast.Constant,
            ast.JoinedStr,
            ast.List,
            ast.Dict,
            ast.Set,
            ast.Lambda,
            ast.BinOp,
            ast.ListComp,
            ast.DictComp,
            ast.SetComp,
            ast.GeneratorExp,
            ast.Compare,
        ),
    ):
        return OTHER
    return None
