"""Scopes and bindings: the names a scope binds, the scopes a node is evaluated in, and the
binding a name refers to at a place, the way Python resolves it (function, enclosing
functions, class bodies for code directly in them, comprehensions, the module, then
`from m import *`). In the scope of the use, the last binding before it counts; from a nested
scope, the scope's last binding.

The module's names are not found here: `lookup` asks a `Namespace` (the document model,
docmodel.VersionModel, fills it) for the module-level bindings of a name, the `*` imports and
the bindings of a scope (a big class's are found by a search of its text).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Dict, Iterator, List, Optional, Protocol, Set, Tuple, Type, Union

from sheetls.regions import Region

SCOPES = (
    ast.FunctionDef,
    ast.AsyncFunctionDef,
    ast.Lambda,
    ast.ClassDef,
    ast.ListComp,
    ast.SetComp,
    ast.DictComp,
    ast.GeneratorExp,
)
FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


@dataclass
class Binding:
    pos: Tuple[int, int]  # (1-based line, byte column) from where the binding holds
    kind: str  # import, assign, annotated, param, with, def, other, star
    node: Optional[ast.AST] = None  # value / function / context expression
    path: Tuple[int, ...] = ()  # tuple-unpacking path into the value
    name: str = ""  # import: the qualified name
    index: int = 0  # param: position among the positional parameters
    annotation: Optional[ast.AST] = None
    region: Optional[Region] = None


@dataclass
class ScopeBindings:
    names: Dict[str, List[Binding]] = field(default_factory=lambda: defaultdict(list))
    globals: Set[str] = field(default_factory=set)
    nonlocals: Set[str] = field(default_factory=set)
    stars: List[str] = field(default_factory=list)
    inner: List[ast.AST] = field(default_factory=list)  # the defs and classes directly in the scope


class Namespace(Protocol):
    """What `lookup` needs from the document around a region."""

    def module_bindings(self, name: str) -> List[Binding]:
        """Every module-level binding of `name`, in file order."""

    def stars(self) -> List[str]:
        """The modules of the module's `from m import *`."""

    def bindings_of(self, scope: ast.AST, region: Region) -> ScopeBindings:
        """The names `scope` binds."""

    def note_name(self, name: str) -> None:
        """`name` was looked up (the model tracks what a cached result depends on)."""


# ast.AST declares no position; the nodes these are given (statements, expressions,
# arguments, aliases, except clauses) all have one, parsed with their ends.
def start_of(node: ast.AST) -> Tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _end(node: ast.AST) -> Tuple[int, int]:
    return node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]


# `match` patterns (Python 3.10+; on 3.9 no node is one of these)
_MATCH_NAMES = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar") if hasattr(ast, n))
_MATCH_MAPPING = tuple(getattr(ast, n) for n in ("MatchMapping",) if hasattr(ast, n))


# The fields of a statement (or except clause, or match case) holding statements, and the
# nodes whose other children may bind names without a `:=` (a match case's patterns).
_STATEMENT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")
_PATTERN_HOLDERS = tuple(getattr(ast, n) for n in ("match_case", "pattern") if hasattr(ast, n))


class _Binder:
    """Adds a scope's bindings to `out` (a class, not closures: a recursive closure is a
    reference cycle, which kept each scope's bindings, and through them its tree, alive until
    the garbage collector's slowest pass)."""

    def __init__(self, out: ScopeBindings, region: Region):
        self.out, self.region = out, region

    def bind(self, name: str, b: Binding) -> None:
        b.region = self.region
        self.out.names[name].append(b)

    def target(self, target: ast.AST, value: Optional[ast.AST], path: Tuple[int, ...], pos: Tuple[int, int]) -> None:
        if isinstance(target, ast.Name):
            self.bind(target.id, Binding(pos, "assign" if value is not None else "other", value, path))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Starred):
                    self.target(elt.value, None, (), pos)
                else:
                    self.target(elt, value, path + (i,), pos)
        elif isinstance(target, ast.Starred):
            self.target(target.value, None, (), pos)


def collect_bindings(scope: ast.AST, region: Region) -> ScopeBindings:
    """The names a scope binds (not descending into nested scopes)."""
    out = ScopeBindings()
    binder = _Binder(out, region)
    bind, bind_target = binder.bind, binder.target

    if isinstance(scope, FUNCS):
        a = scope.args
        positional = a.posonlyargs + a.args
        for i, arg in enumerate(positional):
            bind(arg.arg, Binding(start_of(scope), "param", scope, index=i, annotation=arg.annotation))
        for arg in a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x is not None]:
            bind(arg.arg, Binding(start_of(scope), "param", scope, index=-1, annotation=None))
        body: List[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)
    elif isinstance(scope, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        for gen in scope.generators:
            bind_target(gen.target, None, (), start_of(scope))
        body = [scope.elt] if not isinstance(scope, ast.DictComp) else [scope.key, scope.value]
        body += [g.iter for g in scope.generators[1:]] + [c for g in scope.generators for c in g.ifs]
    elif isinstance(scope, (ast.ClassDef, ast.Module)):
        body = list(scope.body)
    else:
        raise TypeError(f"not a scope: {type(scope).__name__}")

    walrus = region.says_walrus
    if not walrus:  # only statements are walked: the scope's own expressions bind nothing
        body = [node for node in body if isinstance(node, (ast.stmt, ast.ExceptHandler))]
    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, Binding(start_of(node), "def", node))
            out.inner.append(node)
            if walrus:  # decorators, defaults and bases run in this scope
                extra = list(node.decorator_list)
                if isinstance(node, ast.ClassDef):
                    extra += node.bases + [k.value for k in node.keywords]
                else:
                    extra += [d for d in node.args.defaults + node.args.kw_defaults if d is not None]
                stack.extend(reversed(extra))
            continue
        if isinstance(node, ast.Lambda):
            stack.extend(d for d in node.args.defaults + node.args.kw_defaults if d is not None)
            continue
        if isinstance(node, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            stack.append(node.generators[0].iter)
            continue
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bind(alias.asname, Binding(_end(node), "import", name=alias.name))
                else:
                    top = alias.name.split(".")[0]
                    bind(top, Binding(_end(node), "import", name=top))
            continue
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == "*":
                    if not node.level and node.module:
                        out.stars.append(node.module)
                    continue
                local = alias.asname or alias.name
                if node.level or not node.module:
                    bind(local, Binding(_end(node), "other"))
                else:
                    bind(local, Binding(_end(node), "import", name=f"{node.module}.{alias.name}"))
            continue
        if isinstance(node, ast.Global):
            out.globals.update(node.names)
            continue
        if isinstance(node, ast.Nonlocal):
            out.nonlocals.update(node.names)
            continue
        if isinstance(node, ast.Assign):
            for target in node.targets:
                bind_target(target, node.value, (), _end(node))
        elif isinstance(node, ast.AnnAssign):
            if isinstance(node.target, ast.Name):
                bind(node.target.id, Binding(_end(node), "annotated", node.value, annotation=node.annotation))
        elif isinstance(node, ast.AugAssign):
            bind_target(node.target, None, (), _end(node))
        elif isinstance(node, ast.NamedExpr):
            bind_target(node.target, node.value, (), _end(node))
        elif isinstance(node, (ast.For, ast.AsyncFor)):
            bind_target(node.target, None, (), _end(node.target))
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    bind(item.optional_vars.id, Binding(_end(item.optional_vars), "with", item.context_expr))
                elif item.optional_vars is not None:
                    bind_target(item.optional_vars, None, (), _end(item.optional_vars))
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bind(node.name, Binding(start_of(node), "other"))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                bind_target(target, None, (), _end(node))
        elif isinstance(node, _MATCH_NAMES) and node.name:
            bind(node.name, Binding(start_of(node), "other"))
        elif isinstance(node, _MATCH_MAPPING) and node.rest:
            bind(node.rest, Binding(start_of(node), "other"))
        if walrus or isinstance(node, _PATTERN_HOLDERS):
            stack.extend(reversed(list(ast.iter_child_nodes(node))))
        else:  # no `:=` in the region: below a statement only its statements bind names
            for name in _STATEMENT_LISTS:
                inner = getattr(node, name, None)
                if isinstance(inner, list):  # (an IfExp's or a Lambda's `body` is one expression)
                    stack.extend(reversed(inner))
    if region.says_nonlocal and isinstance(scope, FUNCS) and not isinstance(scope, ast.Lambda):
        # `nonlocal x` in a nested function rebinds this scope's x
        for inner in _functions_within(out, region):
            ib = scope_bindings(inner, region)
            for name in ib.nonlocals & set(out.names):
                out.names[name].extend(x for x in ib.names.get(name, ()) if x.kind != "param")
    return out


def _functions_within(found: ScopeBindings, region: Region) -> Iterator[ast.AST]:
    """The functions defined anywhere inside a scope (whose bindings are `found`): found through
    the nested scopes' own bindings, which are kept, instead of a walk of the whole scope (that
    walk was 40% of checking a 90-line method again after a keystroke)."""
    for node in found.inner:
        if not isinstance(node, ast.ClassDef):
            yield node
        yield from _functions_within(scope_bindings(node, region), region)


def scope_bindings(scope: ast.AST, region: Region) -> ScopeBindings:
    found = region.bindings.get(id(scope))
    if not isinstance(found, ScopeBindings):
        found = region.bindings[id(scope)] = collect_bindings(scope, region)
    return found


def enclosing(
    region: Region, node: ast.AST, kind: Union[Type[ast.AST], Tuple[Type[ast.AST], ...]]
) -> Optional[ast.AST]:
    p, _ = region.parent(node)
    while p is not None:
        if isinstance(p, kind):
            return p
        p, _ = region.parent(p)
    return None


def scopes_of(region: Region, node: ast.AST) -> List[ast.AST]:
    """The scopes `node` is evaluated in, innermost first, ending with the module. Defaults,
    decorators, annotations and the first iterable of a comprehension run outside."""
    chain: List[ast.AST] = []
    child = node
    first_iter = False  # the path came up through the `iter` of a comprehension clause
    p, fld = region.parent(child)
    while p is not None:
        if isinstance(p, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            if fld == "body":
                chain.append(p)
        elif isinstance(p, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            if not (fld == "generators" and first_iter and child is p.generators[0]):
                chain.append(p)
        if isinstance(p, ast.comprehension):
            first_iter = fld == "iter"
        elif not isinstance(child, ast.comprehension):
            first_iter = False
        child = p
        p, fld = region.parent(child)
    if region.tree is not None:  # always, for a node of the region
        chain.append(region.tree)
    return chain


def scopes_at_line(region: Region, line1: int, indent: int) -> List[ast.AST]:
    """The scopes of a (blanked) line, from the statements around it and its indentation."""
    if region.tree is None:  # the block did not parse: no scopes but the module's names
        return []
    container: ast.AST = region.tree
    while True:
        bodies = [getattr(container, f, None) for f in ("body", "orelse", "finalbody", "handlers", "cases")]
        last: Optional[Union[ast.stmt, ast.ExceptHandler]] = None
        for body in bodies:
            if isinstance(body, list):
                for stmt in body:
                    # statements and except clauses (a match's cases have no line of their own)
                    if (
                        isinstance(stmt, (ast.stmt, ast.ExceptHandler))
                        and hasattr(stmt, "lineno")
                        and stmt.lineno <= line1
                    ):
                        if last is None or stmt.lineno >= last.lineno:
                            last = stmt
        if (
            last is None
            or last.col_offset >= indent
            or not any(isinstance(getattr(last, f, None), list) for f in ("body", "handlers", "cases"))
        ):
            break
        container = last
    chain: List[ast.AST] = []
    node: Optional[ast.AST] = container
    child_field = "body"
    while node is not None:
        if isinstance(node, SCOPES) and child_field == "body":
            chain.append(node)
        parent, fld = region.parent(node)
        node, child_field = parent, fld if parent is not None else "body"
    if not chain or chain[-1] is not region.tree:
        chain.append(region.tree)
    return chain


def lookup(
    names: Namespace, name: str, scopes: List[ast.AST], pos: Tuple[int, int], region: Region
) -> Optional[Binding]:
    """The binding `name` refers to at `pos`, seen from `scopes` (innermost first)."""
    names.note_name(name)
    flow = True  # the use runs where it stands (not later, from a nested function)
    skip_to_function = False
    for depth, scope in enumerate(scopes):
        is_module = isinstance(scope, ast.Module)
        if is_module:
            break
        if isinstance(scope, ast.ClassDef) and depth > 0:
            continue  # class bodies are not visible from the functions inside them
        if skip_to_function and not isinstance(scope, FUNCS):
            continue
        skip_to_function = False
        b = names.bindings_of(scope, region)
        if name in b.globals:
            return _module_lookup(names, name, pos if flow else None)
        if name in b.nonlocals:
            flow = False
            skip_to_function = True
            continue
        candidates = b.names.get(name)
        if candidates:
            if flow:
                before = [c for c in candidates if c.pos <= pos]
                if not before:
                    if isinstance(scope, ast.ClassDef):
                        continue  # not yet bound in the class body: globals are looked up
                    return Binding(pos, "other")  # a local, unbound here: not the import
                return max(before, key=lambda c: c.pos)
            return max(candidates, key=lambda c: c.pos)
        if not isinstance(scope, ast.ClassDef):
            flow = False
    return _module_lookup(names, name, pos if flow else None)


def _module_lookup(names: Namespace, name: str, pos: Optional[Tuple[int, int]]) -> Optional[Binding]:
    found = names.module_bindings(name)
    if pos is not None:
        found = [b for b in found if b.pos <= pos]
    if found:
        return found[-1]
    for module in names.stars():
        return Binding((0, 0), "import", name=f"{module}.{name}")
    return None
