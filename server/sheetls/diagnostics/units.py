"""The units a document is checked in (incremental.py): a top-level statement (statements
sharing a line are one), or, for a top-level class whose body starts below its header, the
header (decorators, `class` line, bases) and each statement of its body. How a file or a
changed part of it is cut into units and parsed, and what a unit keeps between versions."""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Set, Tuple

from sheetls.diagnostics.findings import Finding
from sheetls.docmodel import VersionModel
from sheetls.pysource import BIG_BLOCK
from sheetls.regions import Region
from sheetls.repair import ALIAS_POSITIONS

_IDENT = re.compile(r"[^\W\d]\w*")


@dataclass(eq=False)
class Unit:
    start: int  # first line (0-based); the unit runs to the next unit's start
    end: int
    nodes: List[ast.AST]  # what the checker visits, line numbers as of `base`
    base: int  # the start line the nodes' line numbers are for
    kind: str  # "top" (top-level statements), "head" (a class's header), "member" (of a class's body)
    block: int  # the top-level statement it is part of (an id shared by a class's head and members)
    lines: Tuple[str, ...] = ()
    context: Tuple[str, ...] = ()  # a member: its class's header lines
    found: Optional[List[Finding]] = None  # unfiltered, with line numbers as of `at`
    at: int = 0
    deps: FrozenSet[str] = frozenset()
    handlers: Tuple[Tuple[int, int, int], ...] = ()  # (line from start, column, parameters before (reader, writer))
    candidates: FrozenSet[str] = frozenset()  # the local names its imports bind
    binds: FrozenSet[str] = frozenset()  # the names it binds (a builtin is trusted only unbound)
    asked: FrozenSet[str] = frozenset()  # the names the check asked whether the file binds
    has_global: bool = True  # until its names are scanned
    class_name: str = ""  # a head: the class it names
    parents: Optional[Dict[int, ast.AST]] = None  # id(node) -> parent, from the walk of its names until checked
    noqa: Optional[Dict[int, Optional[Set[str]]]] = None  # line from start -> codes (when asked)
    shared: bool = False  # its nodes are also the resolver's parse of its block (share_parse)
    region: Optional[Region] = field(default=None, repr=False)  # that block, while shared
    _idents: Optional[FrozenSet[str]] = field(default=None, repr=False)
    # a function: its name and the globals it declares, what an edit of its body alone can change
    # for other units (the names in its header keep their meaning while the header's text stays)
    own: Optional[FrozenSet[str]] = field(default=None, repr=False)

    @property
    def idents(self) -> FrozenSet[str]:
        """The names through which other units can see this one: every identifier of its text,
        but for a function only its name, the names in what runs outside it (decorators,
        defaults, annotations) and those it declares `global`: its parameters and its body's
        other bindings are its own. (Another unit reaches a global's value, evaluated in the
        function, through the global's name: any edit of the function reaches it.)"""
        if self._idents is None:
            node = self.nodes[0] if len(self.nodes) == 1 else None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                a = node.args
                outside: List[Optional[ast.AST]] = [*node.decorator_list, *a.defaults, *a.kw_defaults, node.returns]
                outside += [
                    arg.annotation for arg in (*a.posonlyargs, *a.args, *a.kwonlyargs, a.vararg, a.kwarg) if arg
                ]
                names = {node.name}
                if self.has_global:  # the module's names it binds: their values are evaluated in it
                    names.update(name for n in ast.walk(node) if isinstance(n, ast.Global) for name in n.names)
                self.own = frozenset(names)
                for part in outside:
                    for n in ast.walk(part) if part is not None else ():
                        if isinstance(n, ast.Name):
                            names.add(n.id)
                        elif isinstance(n, ast.Attribute):
                            names.add(n.attr)
                        elif isinstance(n, ast.arg):
                            names.add(n.arg)
                self._idents = frozenset(names)
            else:
                self._idents = frozenset(_IDENT.findall("\n".join(self.lines)))
        return self._idents

    def seen_through(self, body_edited: bool) -> FrozenSet[str]:
        """The names through which other units can see this one (idents); for a function whose
        body alone was edited, its name and globals (`own`)."""
        idents = self.idents  # (computes `own` too)
        return self.own if body_edited and self.own is not None else idents

    def header_above(self, line: int) -> bool:
        """A function whose header (decorators, signature, up to the line its body starts on)
        lies wholly above 0-based `line`: an edit from `line` on is an edit of its body alone."""
        node = self.nodes[0] if len(self.nodes) == 1 else None
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) or not node.body:
            return False
        body = statement_start(node.body[0])
        return node.lineno - 1 < body <= line

    def current_nodes(self) -> List[ast.AST]:
        """The nodes, their line numbers moved to where the unit now starts (parsed again from
        its text if they were let go)."""
        if self.shared and self.base != self.start:
            # the resolver's block holds these nodes at their lines: not moved, parsed again
            self._unshare()
            self.nodes = []
        if not self.nodes and self.kind != "head":
            if self.kind == "top":
                self.nodes = list(parse_at("\n".join(self.lines), self.start).body)
            else:
                tree = parse_at("\n".join(["class _:", *self.lines]), self.start - 1)
                self.nodes = list(getattr(tree.body[0], "body", []))
            self.base = self.start
        if self.base != self.start:
            for node in self.nodes:
                ast.increment_lineno(node, self.start - self.base)
            self.base = self.start
        return self.nodes

    def _unshare(self) -> None:
        if self.region is not None:
            self.region.lent_parents = None  # (what the resolver asked of them, it keeps)
        self.shared, self.region = False, None

    def let_go(self) -> None:
        """Drop the unit's syntax tree once what is needed of it is known (its text parses
        again when it must be checked again): a 10,000-line file's trees held between
        keystrokes were 60% of the objects the garbage collector walks."""
        self._unshare()
        self.parents = None
        if self.kind != "head" and self.nodes:
            self.idents  # noqa: B018 (computed from the tree while there is one)
            self.nodes = []


def share_parse(u: Unit, model: VersionModel) -> None:
    """Give the resolver's model the unit's tree as its parse of the block the unit is, where
    the two are the same text at the same lines (a small top-level block; a statement of a big
    class's body, under the class's header): a keystroke's check would otherwise parse the edited
    block twice. The unit must not move its nodes afterwards (current_nodes parses again)."""
    if not ALIAS_POSITIONS or not u.nodes or u.kind == "head":
        return  # (before 3.10 the resolver gives `import` names positions of its own)
    k = model.block_index(u.start)
    if k < 0:
        return
    b, texts = model.blocks[k], model.texts
    if u.kind == "top":
        if (b.start, b.end) == (u.start, u.end) and b.end - b.start <= BIG_BLOCK:
            tree = ast.Module(body=list(u.nodes), type_ignores=[])  # type: ignore[arg-type]
            _lend(u, model.regions.seed(b.start, texts[b.start : b.end], tree), tree)
        return
    head = model.class_head(k)
    if head is None or u.start <= head.head_end:
        return
    child = model.child_at(k, u.start, head)
    if (child.start, child.end) != (u.start, u.end) or child.end - child.start > BIG_BLOCK:
        return
    header = model.region(k).tree  # the class's header lines alone (kept while they stay)
    cls = header.body[0] if header is not None and header.body else None
    if cls is None:
        return
    whole = copy.copy(cls)  # (the header's nodes are shared: nothing moves a parsed block's nodes)
    whole.body = list(u.nodes)  # type: ignore[attr-defined]
    whole.end_lineno = u.nodes[-1].end_lineno  # type: ignore[attr-defined]
    whole.end_col_offset = u.nodes[-1].end_col_offset  # type: ignore[attr-defined]
    lines = texts[b.start : head.head_end + 1] + texts[child.start : child.end]
    place = child.start - (head.head_end + 1 - b.start)
    tree = ast.Module(body=[whole], type_ignores=[])
    if _lend(u, model.regions.seed(place, lines, tree, b.start), whole):
        u.region.parents[id(whole)] = (tree, "body")  # type: ignore[union-attr]


def _lend(u: Unit, region: Optional[Region], container: ast.AST) -> bool:
    """The unit's nodes are the new block's (None: the cache had it already): the check lends
    the block the parents its walk found (Region.parent), its statements' container its own."""
    if region is None:
        return False
    u.shared, u.region = True, region
    region.lent_parents = u.parents
    for node in u.nodes:
        region.parents[id(node)] = (container, "body")
    return True


class Unparsable(Exception):
    pass


_blocks = iter(range(1, 1 << 62))


def statement_start(node: ast.stmt) -> int:
    """0-based first line of a statement, its decorators included."""
    decorators: List[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators]) - 1


def _groups(stmts: Sequence[ast.stmt]) -> List[List[ast.stmt]]:
    """Statements grouped so that no two groups share a line (`a = 1; b = 2` is one group)."""
    out: List[List[ast.stmt]] = []
    last_end = -1
    for stmt in stmts:
        if out and statement_start(stmt) <= last_end:
            out[-1].append(stmt)
        else:
            out.append([stmt])
        last_end = max(last_end, stmt.end_lineno - 1)  # type: ignore[operator]
    return out


def top_units(stmts: Sequence[ast.stmt], start: int, end: int, lines: Sequence[str]) -> List[Unit]:
    """The units of top-level statements covering lines [start, end): each runs from its first
    line (the first from `start`) to the next one's; a class whose body starts below its
    header is its header and its body's statements."""
    groups = _groups(stmts)
    units: List[Unit] = []
    for i, group in enumerate(groups):
        first = start if i == 0 else statement_start(group[0])
        last = end if i + 1 == len(groups) else statement_start(groups[i + 1][0])
        units.extend(_units_of(group, first, last, lines))
    return units


def _units_of(group: List[ast.stmt], first: int, last: int, lines: Sequence[str]) -> List[Unit]:
    block = next(_blocks)
    cls = group[0]
    if len(group) == 1 and isinstance(cls, ast.ClassDef) and cls.body:
        body_start = statement_start(cls.body[0])
        header_nodes: List[ast.expr] = [*cls.bases, *(k.value for k in cls.keywords)]
        head_end = max([cls.lineno] + [n.end_lineno or n.lineno for n in header_nodes]) - 1
        if body_start > head_end:
            header = [v for name, v in ast.iter_fields(cls) if name not in ("name", "body")]
            nodes: List[ast.AST] = [n for v in header for n in (v if isinstance(v, list) else [v]) if n is not None]
            head = Unit(first, body_start, nodes, first, "head", block, tuple(lines[first:body_start]))
            head.class_name = cls.name
            members = member_units(cls.body, body_start, last, lines, block, head.lines)
            return [head, *members]
    return [Unit(first, last, list(group), first, "top", block, tuple(lines[first:last]))]


def member_units(
    body: Sequence[ast.stmt], start: int, end: int, lines: Sequence[str], block: int, context: Tuple[str, ...]
) -> List[Unit]:
    groups = _groups(body)
    out = []
    for i, group in enumerate(groups):
        first = start if i == 0 else statement_start(group[0])
        last = end if i + 1 == len(groups) else statement_start(groups[i + 1][0])
        out.append(Unit(first, last, list(group), first, "member", block, tuple(lines[first:last]), context))
    return out


def parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        raise Unparsable() from e


def parse_at(text: str, first: int) -> ast.Module:
    """`text` parsed as if it started at 0-based line `first`. A small text far down a file is
    parsed at line 1 and its nodes moved (the blank lines above it would cost more: 209 against
    90 ms for a 10,000-line file's units parsed one by one); a big one is parsed under blank
    lines (moving the nodes of a 136-line function costs 0.37 ms, 7,500 blank lines ~0.05),
    by the rule of repair.repair_parse."""
    if first > 6 * len(text) + 6 * text.count("\n"):
        tree = parse(text)
        ast.increment_lineno(tree, first)
        return tree
    return parse("\n" * first + text)


def parse_chunk(lines: Sequence[str], start: int, end: int, member_indent: Optional[str]) -> List[ast.stmt]:
    """The statements of lines [start, end) parsed on their own, line numbers those of the file.
    Top-level units start a logical line at column 0 and the file before them ends one, so when
    the chunk parses, the file parses, into the units before, the chunk's and the units after.
    A member chunk is parsed as the body of a class (its lines keep their indentation) and must
    stay that class's body."""
    chunk = list(lines[start:end])
    if any("__future__" in t for t in chunk):
        raise Unparsable()  # a future import counts only at the file's top: the whole file decides
    # blank lines before it give the nodes the file's line numbers (cheaper than moving them)
    if member_indent is None:
        return parse("\n" * start + "\n".join(chunk)).body
    tree = parse("\n" * (start - 1) + "\n".join(["class _:", *chunk]))
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
        raise Unparsable()
    body = tree.body[0].body
    if any(stmt.col_offset != len(member_indent.encode("utf-8")) for stmt in body):
        raise Unparsable()
    return body


# Fields that hold no node worth a walk: names and numbers, and the shared context and operator
# nodes (`ctx` of every Name, `op` of every BinOp: one object each, whose parent is no one's).
_NO_CHILDREN = frozenset(
    ("ctx", "op", "ops", "id", "attr", "arg", "asname", "module", "level", "kind", "conversion", "is_async")
)


class _ChildFields(Dict[type, Tuple[str, ...]]):
    """A node type -> the fields of it that may hold nodes worth a walk, in ast's order (filled as
    types are met; () for what is not a node: a name, a number, None, and for a Constant, whose
    value is a Python value). names_of's walk and the rule checker's (check.py) read it."""

    def __missing__(self, kind: type) -> Tuple[str, ...]:
        fields: Tuple[str, ...] = ()
        if issubclass(kind, ast.AST) and kind is not ast.Constant:
            fields = tuple(f for f in kind._fields if f not in _NO_CHILDREN)
        self[kind] = fields
        return fields


CHILD_FIELDS = _ChildFields()


def names_of(nodes: List[ast.AST], parents: Dict[int, ast.AST]) -> Tuple[FrozenSet[str], FrozenSet[str], bool]:
    """(the local names the nodes' imports bind, every name they bind (assignment and `for`
    targets, `def`/`class` names, parameters, import aliases), whether they declare a
    `global`), in the walk that fills `parents` (id(node) -> its parent: what the checker
    needs)."""
    candidates: Set[str] = set()
    binds: Set[str] = set()
    has_global = False
    stack = list(nodes)
    while stack:
        n = stack.pop()
        for name in CHILD_FIELDS[type(n)]:
            value = getattr(n, name, None)
            if isinstance(value, ast.AST):
                parents[id(value)] = n
                stack.append(value)
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        parents[id(item)] = n
                        stack.append(item)
        if isinstance(n, (ast.Import, ast.ImportFrom)):
            candidates.update((a.asname or a.name).split(".")[0] for a in n.names)
        elif isinstance(n, ast.Name):
            if not isinstance(n.ctx, ast.Load):
                binds.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            binds.add(n.name)
        elif isinstance(n, ast.arg):
            binds.add(n.arg)
        elif isinstance(n, ast.alias):
            binds.add((n.asname or n.name).split(".")[0])
        elif isinstance(n, ast.Global):
            has_global = True
    return frozenset(candidates), frozenset(binds), has_global
