"""The findings of a document checked again after each edit, one unit at a time: a keystroke
inside a function rechecks that function, not the file.

A unit is a top-level statement (statements sharing a line are one), or, for a top-level class
whose body starts below its header, the header (decorators, `class` line, bases) and each
statement of its body (a method, mostly). Each unit keeps its findings (unfiltered, at the
line it started on when checked), the names the resolver looked up while its calls were
resolved, the names the check asked whether the file binds, and the handlers-passed-to-a-server
it holds. An edit reparses only the units it touched and the one before (the file is known to
parse when they do: every unit starts a logical line at its indentation, see `_parse_chunk`;
when they do not, the whole file decides, and while it does not parse the last version that did
is kept to compare the next one with). A unit whose text is unchanged keeps its findings, moved
to its new line, unless

- a file-level fact changed: the target Python, the names imports bind anywhere, how the fixes
  spell and import `asyncio.*`/`functools.partial`, the `from m import *` modules; then every
  unit is checked again;
- a unit it looked a name up in may have changed: a name it looked up is one through which a
  new, removed or changed unit can be seen (`Unit.idents`: every identifier of its text, for a
  function its name, what runs outside it and its globals; the resolver reaches other units only
  through names), or a unit whose handlers changed;
- a name its check asked about (`name in bound`) came to be bound in the file or stopped being;
- it is a statement of a class whose header changed, or its own handlers changed.

`check(text)` (check.py) is this from scratch, so an incremental result equals a full one by
construction, and tests/test_diagnostics_incremental.py checks the caching against it over
real files and random edits. A unit lets its syntax tree go once checked (parsed again from its
text if it must be checked again). Pure: no protocol objects; one `DocumentLint` per open
document (lsp/lint_runtime.py keeps them), made by check.document_lint()."""

from __future__ import annotations

import ast
import bisect
import operator
import re
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Counter, Dict, FrozenSet, Iterator, List, Optional, Protocol, Sequence, Set, Tuple

from sheetls.diagnostics.findings import Edit, Finding, Fix
from sheetls.diagnostics.noqa import noqa_lines, suppressed
from sheetls.docmodel import DocumentModel
from sheetls.pyimports import Imports, scan_imports

PyVersion = Tuple[int, int]
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class Engine(Protocol):
    """The rules a unit is checked with (check.py's; passed in, so that this module does not
    import that one, which checks from scratch through this one)."""

    def source(self, text: Optional[str], lines: List[str], model: Any, imports: Imports) -> Any:
        """One version of the file (check._Source)."""

    def checker(self, src: Any, python: PyVersion, bound: Set[str]) -> Any:
        """The rules' visitor over the units it is given (check._Checker)."""

    def target_for(self, path: Optional[str]) -> PyVersion:
        """The Python the file's project targets."""


# What the fixes spell in the file's own way (_Source.spelled): the same answers, the same edits.
SPELLED = (
    "asyncio.sleep",
    "asyncio.to_thread",
    "asyncio.create_subprocess_exec",
    "asyncio.get_running_loop",
    "functools.partial",
)
_IDENT = re.compile(r"[^\W\d]\w*")
_NOQA = re.compile(r"#\s*noqa", re.I)


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
    binds: FrozenSet[str] = frozenset()  # the names it binds (check._bound_names's count)
    asked: FrozenSet[str] = frozenset()  # the names the check asked whether the file binds
    has_global: bool = True  # until its names are scanned
    class_name: str = ""  # a head: the class it names
    parents: Optional[Dict[int, ast.AST]] = None  # id(node) -> parent, from the walk of its names until checked
    noqa: Optional[Dict[int, Optional[Set[str]]]] = None  # line from start -> codes (when asked)
    _idents: Optional[FrozenSet[str]] = field(default=None, repr=False)

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

    def current_nodes(self) -> List[ast.AST]:
        """The nodes, their line numbers moved to where the unit now starts (parsed again from
        its text if they were let go)."""
        if not self.nodes and self.kind != "head":
            if self.kind == "top":
                self.nodes = list(_parse("\n" * self.start + "\n".join(self.lines)).body)
            else:
                tree = _parse("\n" * (self.start - 1) + "\n".join(["class _:", *self.lines]))
                self.nodes = list(getattr(tree.body[0], "body", []))
            self.base = self.start
        if self.base != self.start:
            for node in self.nodes:
                ast.increment_lineno(node, self.start - self.base)
            self.base = self.start
        return self.nodes

    def let_go(self) -> None:
        """Drop the unit's syntax tree once what is needed of it is known (its text parses
        again when it must be checked again): a 10,000-line file's trees held between
        keystrokes were 60% of the objects the garbage collector walks."""
        self.parents = None
        if self.kind != "head" and self.nodes:
            self.idents  # noqa: B018 (computed from the tree while there is one)
            self.nodes = []


class _Unparsable(Exception):
    pass


_blocks = iter(range(1, 1 << 62))


def _statement_start(node: ast.stmt) -> int:
    """0-based first line of a statement, its decorators included."""
    decorators: List[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno] + [d.lineno for d in decorators]) - 1


def _groups(stmts: Sequence[ast.stmt]) -> List[List[ast.stmt]]:
    """Statements grouped so that no two groups share a line (`a = 1; b = 2` is one group)."""
    out: List[List[ast.stmt]] = []
    last_end = -1
    for stmt in stmts:
        if out and _statement_start(stmt) <= last_end:
            out[-1].append(stmt)
        else:
            out.append([stmt])
        last_end = max(last_end, stmt.end_lineno - 1)  # type: ignore[operator]
    return out


def _top_units(stmts: Sequence[ast.stmt], start: int, end: int, lines: Sequence[str]) -> List[Unit]:
    """The units of top-level statements covering lines [start, end): each runs from its first
    line (the first from `start`) to the next one's; a class whose body starts below its
    header is its header and its body's statements."""
    groups = _groups(stmts)
    units: List[Unit] = []
    for i, group in enumerate(groups):
        first = start if i == 0 else _statement_start(group[0])
        last = end if i + 1 == len(groups) else _statement_start(groups[i + 1][0])
        units.extend(_units_of(group, first, last, lines))
    return units


def _units_of(group: List[ast.stmt], first: int, last: int, lines: Sequence[str]) -> List[Unit]:
    block = next(_blocks)
    cls = group[0]
    if len(group) == 1 and isinstance(cls, ast.ClassDef) and cls.body:
        body_start = _statement_start(cls.body[0])
        header_nodes: List[ast.expr] = [*cls.bases, *(k.value for k in cls.keywords)]
        head_end = max([cls.lineno] + [n.end_lineno or n.lineno for n in header_nodes]) - 1
        if body_start > head_end:
            header = [v for name, v in ast.iter_fields(cls) if name not in ("name", "body")]
            nodes: List[ast.AST] = [n for v in header for n in (v if isinstance(v, list) else [v]) if n is not None]
            head = Unit(first, body_start, nodes, first, "head", block, tuple(lines[first:body_start]))
            head.class_name = cls.name
            members = _member_units(cls.body, body_start, last, lines, block, head.lines)
            return [head, *members]
    return [Unit(first, last, list(group), first, "top", block, tuple(lines[first:last]))]


def _member_units(
    body: Sequence[ast.stmt], start: int, end: int, lines: Sequence[str], block: int, context: Tuple[str, ...]
) -> List[Unit]:
    groups = _groups(body)
    out = []
    for i, group in enumerate(groups):
        first = start if i == 0 else _statement_start(group[0])
        last = end if i + 1 == len(groups) else _statement_start(groups[i + 1][0])
        out.append(Unit(first, last, list(group), first, "member", block, tuple(lines[first:last]), context))
    return out


def _parse(text: str) -> ast.Module:
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
        raise _Unparsable() from e


def _parse_chunk(lines: Sequence[str], start: int, end: int, member_indent: Optional[str]) -> List[ast.stmt]:
    """The statements of lines [start, end) parsed on their own, line numbers those of the file.
    Top-level units start a logical line at column 0 and the file before them ends one, so when
    the chunk parses, the file parses, into the units before, the chunk's and the units after.
    A member chunk is parsed as the body of a class (its lines keep their indentation) and must
    stay that class's body."""
    chunk = list(lines[start:end])
    if any("__future__" in t for t in chunk):
        raise _Unparsable()  # a future import counts only at the file's top: the whole file decides
    # blank lines before it give the nodes the file's line numbers (cheaper than moving them)
    if member_indent is None:
        return _parse("\n" * start + "\n".join(chunk)).body
    tree = _parse("\n" * (start - 1) + "\n".join(["class _:", *chunk]))
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.ClassDef):
        raise _Unparsable()
    body = tree.body[0].body
    if any(stmt.col_offset != len(member_indent.encode("utf-8")) for stmt in body):
        raise _Unparsable()
    return body


def _edits_shifted(fix: Optional[Fix], delta: int, fixed: Set[Edit]) -> Optional[Fix]:
    if fix is None:
        return None
    return Fix(
        fix.title,
        tuple(
            e if e in fixed else Edit(e.line + delta, e.col, e.end_line + delta, e.end_col, e.text) for e in fix.edits
        ),
    )


class DocumentLint:
    """One document's findings, kept per unit between versions.

    findings(lines, path, python) -> the findings of that version, as check() finds them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.lines: Optional[List[str]] = None  # the last version seen
        self.units: Optional[List[Unit]] = None  # None: the last version did not parse
        self.model = DocumentModel()
        self.imports: Optional[Imports] = None
        self.file_key: Optional[Tuple[Any, ...]] = None
        self.import_edits: Set[Edit] = set()  # the imports the fixes add (the same for every unit)
        self.candidates: Optional[Set[str]] = None  # the local names imports bind anywhere in the file
        self.bound: Counter[str] = Counter()  # name -> how many units bind it
        self.handler_units: List[Unit] = []  # the units holding a handler passed to a server
        self.python: Optional[PyVersion] = None
        self.result: Optional[Tuple[Tuple[List[str], PyVersion], List[Finding]]] = (
            None  # ((lines, python), findings) last given
        )
        self.stats = {"checked": 0, "kept": 0, "parsed_lines": 0}  # for the benchmark and tests

    # --- the parse ---------------------------------------------------------------------------
    def _full_parse(self, lines: List[str], text: Optional[str]) -> List[Unit]:
        tree = _parse(text if text is not None else "\n".join(lines))
        self.stats["parsed_lines"] += len(lines)
        if any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in tree.body):
            if any(a.name == "barry_as_FLUFL" for s in tree.body if isinstance(s, ast.ImportFrom) for a in s.names):
                raise _Unparsable()  # another grammar: not worth a special case
        return _top_units(tree.body, 0, len(lines), lines)

    def _reparse(
        self, old: List[str], lines: List[str]
    ) -> Tuple[List[Unit], List[Unit], List[Unit], Tuple[int, int, int]]:
        """The units of `lines` from those of `old` (the last version that parsed), reparsing
        the units the edit touched and the one before (an edit can join a statement to the one
        before it): (units, the old units replaced, the new ones, the change as (first line,
        lines removed, lines inserted)). _Unparsable: that part does not parse on its own."""
        assert self.units is not None
        n_old, n_new = len(old), len(lines)
        top = min(n_old, n_new)
        differs = list(map(operator.ne, old, lines))  # the lines the edit left alone, compared in C
        p = differs.index(True) if True in differs else top
        differs = list(map(operator.ne, reversed(old[p:]), reversed(lines[p:])))
        s = differs.index(True) if True in differs else min(n_old, n_new) - p
        change = (p, n_old - s - p, n_new - s - p)
        delta = n_new - n_old
        units = self.units
        starts = [u.start for u in units]
        lo_line = max(p - 1, 0)
        hi_line = max(min(max(n_old - s, p + 1), n_old) - 1, 0)
        i = max(bisect.bisect_right(starts, lo_line) - 1, 0)
        j = max(bisect.bisect_right(starts, hi_line) - 1, 0)
        new_units: Optional[List[Unit]] = None
        first_unit, last_unit = units[i], units[j]
        if first_unit.kind == "member" and last_unit.kind == "member" and first_unit.block == last_unit.block:
            head = first_unit.lines[0]
            indent = head[: len(head) - len(head.lstrip(" \t"))]
            start, end = first_unit.start, last_unit.end + delta
            try:
                body = _parse_chunk(lines, start, end, indent)
                self.stats["parsed_lines"] += end - start
                if body:
                    new_units = _member_units(body, start, end, lines, first_unit.block, first_unit.context)
            except _Unparsable:
                new_units = None
        if new_units is None:  # whole top-level statements
            while i > 0 and units[i].kind == "member":
                i -= 1
            while j + 1 < len(units) and units[j + 1].kind == "member" and units[j + 1].block == units[j].block:
                j += 1
            start, end = units[i].start, units[j].end + delta
            stmts = _parse_chunk(lines, start, end, None)
            self.stats["parsed_lines"] += end - start
            if not stmts:
                raise _Unparsable()  # nothing left there to hold the lines: the whole file decides
            new_units = _top_units(stmts, start, end, lines)
        replaced = units[i : j + 1]
        after = units[j + 1 :]
        for u in after:
            u.start += delta
            u.end += delta
        return units[:i] + new_units + after, replaced, new_units, change

    # --- the check ---------------------------------------------------------------------------
    def findings(
        self,
        lines: Sequence[str],
        path: Optional[str] = None,
        python: Optional[PyVersion] = None,
        select: Optional[Callable[[str], bool]] = None,
        text: Optional[str] = None,
    ) -> List[Finding]:
        """The findings of the version `lines` (lines as split_lines gives them; `text`, if
        given, what they were split from), as check() gives them."""
        lines = list(lines)
        if text is None and "\r" in "".join(lines):
            text = "\n".join(lines)
            lines = _LINE_BREAK.split(text)
        if python is None:
            python = self.engine.target_for(path)
        if self.result is not None and self.result[0] == (lines, python):
            found = self.result[1]
        else:
            found = self._check(lines, python, text)
            self.result = ((lines, python), found)
        return [f for f in found if select(f.code)] if select is not None else list(found)

    def _check(self, lines: List[str], python: PyVersion, text: Optional[str]) -> List[Finding]:
        change: Optional[Tuple[int, int, int]] = None
        try:
            if self.units and self.lines is not None:  # (a file of no statements: parsed whole again)
                try:
                    units, replaced, new, change = self._reparse(self.lines, lines)
                except _Unparsable:
                    units, replaced, new = self._full_parse(lines, text), self.units, []
                    new = units
            else:
                units, replaced, new = self._full_parse(lines, text), [], []
                new = units
        except _Unparsable:
            return []  # the last version that parsed stays what the next one is compared with
        fresh, removed = _carry(replaced, new)
        self.lines, self.units, self.python = lines, units, python
        # the resolver's model of this version, carried from the last one that parsed
        model = self.model.after([change] if change is not None else None, lines)
        from sheetls.apifacts import builtin_facts
        from sheetls.evaluate import handlers
        from sheetls.pyimports import still_valid

        model.use_facts(builtin_facts())
        model.function_returns = {}
        if not (
            self.imports is not None
            and change is not None
            and change[1] == change[2] == 1
            and still_valid(self.imports, change[0], lines[change[0]])
        ):
            self.imports = scan_imports(lines)
        src = self.engine.source(text, lines, model, self.imports)
        checked = [u for u in new if id(u) in fresh]
        for u in checked:
            u.parents = {}
            u.candidates, u.binds, u.has_global = _names_of(u.current_nodes(), u.parents)
            if u.kind == "head":
                u.binds |= {u.class_name}
        # the file's import-bound names and `open` binding change only with a unit that has some
        if self.candidates is None or any(u.candidates for u in (*removed, *checked)):
            self.candidates = set().union(*(u.candidates for u in units))
        # the names bound anywhere: those that came or went ask their askers to check again
        touched = set().union(*(u.binds for u in (*removed, *checked)))
        before = {name for name in touched if name in self.bound}
        for u in removed:
            self.bound.subtract(u.binds)
        for u in checked:
            self.bound.update(u.binds)
        for name in touched:
            if self.bound[name] <= 0:
                del self.bound[name]
        flipped = before ^ {name for name in touched if name in self.bound}
        src.candidates = self.candidates
        spelled = tuple((q, *src.spelled(q)) for q in SPELLED)
        file_key: Tuple[Any, ...] = (python, frozenset(src.candidates))
        file_key += (tuple((q, n, tuple(e)) for q, n, e in spelled), tuple(model.stars()))
        everything = file_key != self.file_key
        self.import_edits = {e for _, _, edits in spelled for e in edits}  # where they are, whatever moves
        self.file_key = file_key
        # what changed: units new or gone, and those whose handlers passed to a server changed
        changed: Set[str] = set()
        heads_changed = set()

        def mark(u: Unit) -> None:
            changed.update(u.idents)
            u.found = None
            if u.kind == "head":
                heads_changed.add(u.block)

        for u in removed:
            changed.update(u.idents)
        for u in checked:
            mark(u)
        found = handlers(model)
        now: Dict[int, Tuple[Unit, Tuple[Tuple[int, int, int], ...]]] = {}
        if found:
            starts = [u.start for u in units]
            by_unit: Dict[int, List[Tuple[int, int, int]]] = {}
            for (line1, col), skip in found.items():
                k = bisect.bisect_right(starts, line1 - 1) - 1
                if k >= 0:
                    by_unit.setdefault(k, []).append((line1 - 1 - units[k].start, col, skip))
            now = {id(units[k]): (units[k], tuple(sorted(v))) for k, v in by_unit.items()}
        for u, h in now.values():
            if h != u.handlers:
                mark(u)
                u.handlers = h
        for u in self.handler_units:
            if id(u) not in now and u.handlers:
                mark(u)
                u.handlers = ()
        self.handler_units = [u for u, _ in now.values()]
        bound: Optional[_Asked] = None
        for u in units:
            if (
                everything
                or u.found is None
                or (u.deps and not u.deps.isdisjoint(changed))
                or (u.asked and not u.asked.isdisjoint(flipped))
                or (heads_changed and u.kind == "member" and u.block in heads_changed)
            ):
                if bound is None:
                    bound = _Asked(self.bound)
                self._check_unit(u, src, python, bound)
                self.stats["checked"] += 1
            else:
                self.stats["kept"] += 1
        return self._assemble(units, lines)

    def _check_unit(self, u: Unit, src: Any, python: PyVersion, bound: _Asked) -> None:
        model = src.model
        model.looked_up = set()
        bound.asked = set()
        model.function_returns = {}  # what a function returns is found again: its look-ups count
        try:
            nodes = u.current_nodes()
            checker = self.engine.checker(src, python, bound)
            if u.parents is None:  # (a unit checked again for what another changed: walked now)
                u.parents = {}
                _names_of(nodes, u.parents)
            checker.parents = u.parents
            for node in nodes:
                checker.visit(node)
            u.deps = frozenset(model.looked_up)
            u.asked = frozenset(bound.asked)
        finally:
            model.looked_up = None
        u.found = checker.findings
        u.at = u.start
        u.noqa = None
        u.let_go()

    def _assemble(self, units: List[Unit], lines: List[str]) -> List[Finding]:
        """Every unit's findings at its current line, `# noqa` honoured, sorted by place."""
        import_edits = self.import_edits
        out: List[Finding] = []
        for u in units:
            if not u.found:
                continue
            delta = u.start - u.at
            if delta:
                u.found = [
                    replace(
                        f,
                        line=f.line + delta,
                        end_line=f.end_line + delta,
                        fix=_edits_shifted(f.fix, delta, import_edits),
                    )
                    for f in u.found
                ]
                u.at = u.start
            for f in u.found:
                if _NOQA.search(lines[f.line]):  # the line says noqa somewhere: is it a comment?
                    if u.noqa is None:  # the unit starts a logical line: its own tokens tell
                        u.noqa = noqa_lines("\n".join(u.lines))
                    rel = f.line - u.start
                    if rel in u.noqa and suppressed(f, {f.line: u.noqa[rel]}):
                        continue
                out.append(f)
        out.sort(key=lambda f: (f.line, f.col, f.code))
        return out


def _carry(replaced: List[Unit], new: List[Unit]) -> Tuple[Set[int], List[Unit]]:
    """The findings of replaced units carried to new units of the same text (and class header):
    (ids of the new units left to check, the replaced units none took over)."""
    by_key: Dict[Tuple[Any, ...], List[Unit]] = {}
    for u in replaced:
        by_key.setdefault((u.kind, u.lines, u.context), []).append(u)
    fresh = set()
    for u in new:
        olds = by_key.get((u.kind, u.lines, u.context))
        if olds and olds[0].found is not None:
            o = olds.pop(0)
            u.found, u.at, u.deps, u.handlers = o.found, o.at, o.deps, o.handlers
            u.candidates, u.binds, u.has_global, u.noqa = o.candidates, o.binds, o.has_global, o.noqa
            u.asked = o.asked
            u.let_go()
        else:
            fresh.add(id(u))
    removed = [u for olds in by_key.values() for u in olds]
    return fresh, removed


def _names_of(nodes: List[ast.AST], parents: Dict[int, ast.AST]) -> Tuple[FrozenSet[str], FrozenSet[str], bool]:
    """(the local names the nodes' imports bind, every name they bind as check._bound_names
    counts one, whether they declare a `global`), in the walk that fills `parents` (id(node) ->
    its parent: what the checker needs)."""
    candidates: Set[str] = set()
    binds: Set[str] = set()
    has_global = False
    stack = list(nodes)
    while stack:
        n = stack.pop()
        for name in n._fields:
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


class _Asked(Set[str]):
    """The names the file binds (check._Checker.bound), keeping each name the checker asks
    about (`name in bound`, the one use it has), so that a unit is checked again when one of
    them comes or goes; iterating over it counts as asking about them all."""

    def __init__(self, names: Counter[str]):
        super().__init__(names)
        self.asked: Set[str] = set()

    def __contains__(self, name: object) -> bool:
        self.asked.add(str(name))
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        self.asked.update(super().__iter__())
        return super().__iter__()
