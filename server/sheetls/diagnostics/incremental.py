"""The findings of a document checked again after each edit, one unit at a time: a keystroke
inside a function rechecks that function, not the file.

A unit is a top-level statement (statements sharing a line are one), or, for a top-level class
whose body starts below its header, the header (decorators, `class` line, bases) and each
statement of its body (a method, mostly). Each unit keeps its findings (unfiltered, at the
line it started on when checked), the names the resolver looked up while its calls were
resolved, the names the check asked whether the file binds, and the handlers-passed-to-a-server
it holds. An edit reparses only the units it touched and the one before (the file is known to
parse when they do: every unit starts a logical line at its indentation, see `parse_chunk`;
when they do not, the whole file decides, and while it does not parse the last version that did
is kept to compare the next one with). A unit whose text is unchanged keeps its findings, moved
to its new line, unless

- a file-level fact changed: the target Python, the names imports bind anywhere, how the fixes
  spell and import `asyncio.*`/`functools.partial`, the `from m import *` modules; then every
  unit is checked again;
- a unit it looked a name up in may have changed: a name it looked up is one through which a
  new, removed or changed unit can be seen (`Unit.idents`: every identifier of its text, for a
  function its name, what runs outside it and its globals, and for an edit of its body alone
  only its name and globals; the resolver reaches other units only through names), or a unit
  whose handlers changed;
- a name its check asked about (`name in bound`) came to be bound in the file or stopped being;
- it is a statement of a class whose header changed, or its own handlers changed.

`check(text)` (check.py) is this from scratch, so an incremental result equals a full one by
construction, and tests/test_diagnostics_incremental.py checks the caching against it over
real files and random edits. A unit lets its syntax tree go once checked (parsed again from its
text if it must be checked again). Pure: no protocol objects; one `DocumentLint` per open
document (lsp/lint_runtime.py keeps them), made by check.document_lint(). The units and how a
file is cut into them: units.py."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import replace
from typing import (
    Any,
    Callable,
    Counter,
    Dict,
    Generator,
    Iterator,
    List,
    Optional,
    Protocol,
    Sequence,
    Set,
    Tuple,
)

from sheetls.diagnostics.findings import Edit, Finding, Fix
from sheetls.diagnostics.noqa import noqa_lines, suppressed
from sheetls.diagnostics.units import (
    Unit,
    Unparsable,
    member_units,
    names_of,
    parse,
    parse_chunk,
    share_parse,
    top_units,
)
from sheetls.docmodel import DocumentModel
from sheetls.pyimports import Imports, scan_imports

PyVersion = Tuple[int, int]
CHUNK_LINES = 400  # lines of a file's first parse at a time (DocumentLint._parse_steps)
# New units over which a check holds no unit's tree longer than it needs it (and drops the parsed
# blocks its resolver kept): the first check of a 10,000-line file peaked at the whole file's tree
LET_GO_OVER = 64
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
_NOQA = re.compile(r"#\s*noqa", re.I)


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
        self.generation = 0  # checks started: a check overtaken by a later one stops (steps())

    # --- the parse ---------------------------------------------------------------------------
    def _full_parse(self, lines: List[str], text: Optional[str]) -> List[Unit]:
        tree = parse(text if text is not None else "\n".join(lines))
        self.stats["parsed_lines"] += len(lines)
        if any(isinstance(s, ast.ImportFrom) and s.module == "__future__" for s in tree.body):
            if any(a.name == "barry_as_FLUFL" for s in tree.body if isinstance(s, ast.ImportFrom) for a in s.names):
                raise Unparsable()  # another grammar: not worth a special case
        return top_units(tree.body, 0, len(lines), lines)

    def _parse_steps(self, lines: List[str], text: Optional[str]) -> Generator[None, None, List[Unit]]:
        """The whole file's units, each named (its imported and bound names) and, when they are
        many, its tree let go (parsed again when checked): parsed CHUNK_LINES at a time, yielding
        after each chunk (a 10,000-line file was one 80 ms parse), or whole where a chunk does not
        parse on its own (the whole file decides)."""
        units = (yield from self._chunks(lines)) if len(lines) > CHUNK_LINES else None
        if units is None:
            units = self._full_parse(lines, text)
            many = len(units) > LET_GO_OVER
            for u in units:
                _name(u)
                if many:
                    u.let_go()
                yield
        return units

    def _chunks(self, lines: List[str]) -> Generator[None, None, Optional[List[Unit]]]:
        """The units of chunks cut where the resolver's scan starts a top-level statement, each
        chunk's named and let go before the next is parsed (one chunk's tree at a time); None
        where a chunk does not parse on its own."""
        cuts = [0]
        for block in self.model.after(None, lines).blocks:
            if block.start - cuts[-1] >= CHUNK_LINES:
                cuts.append(block.start)
        cuts.append(len(lines))
        units: List[Unit] = []
        for start, end in zip(cuts, cuts[1:]):
            try:
                stmts = parse_chunk(lines, start, end, None)
            except Unparsable:
                return None
            if not stmts:  # (no statement where a cut starts one: the scan was wrong)
                return None
            chunk = top_units(stmts, start, end, lines)
            yield
            for u in chunk:
                _name(u)
                u.let_go()
                yield
            units += chunk
        self.stats["parsed_lines"] += len(lines)
        return units

    def _reparse(
        self, old: List[str], lines: List[str]
    ) -> Tuple[List[Unit], List[Unit], List[Unit], Tuple[int, int, int], List[Unit]]:
        """The units of `lines` from those of `old` (the last version that parsed), reparsing
        the units the edit touched and the one before (an edit can join a statement to the one
        before it): (units, the old units replaced, the new ones, the change as (first line,
        lines removed, lines inserted), the old units after the new ones, not yet moved to their
        new lines). Unparsable: that part does not parse on its own."""
        assert self.units is not None
        n_old, n_new = len(old), len(lines)
        p = _same_from_start(old, lines)
        s = _same_from_end(old, lines, min(n_old, n_new) - p)
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
                body = parse_chunk(lines, start, end, indent)
                self.stats["parsed_lines"] += end - start
                if body:
                    new_units = member_units(body, start, end, lines, first_unit.block, first_unit.context)
            except Unparsable:
                new_units = None
        if new_units is None:  # whole top-level statements
            while i > 0 and units[i].kind == "member":
                i -= 1
            while j + 1 < len(units) and units[j + 1].kind == "member" and units[j + 1].block == units[j].block:
                j += 1
            start, end = units[i].start, units[j].end + delta
            stmts = parse_chunk(lines, start, end, None)
            self.stats["parsed_lines"] += end - start
            if not stmts:
                raise Unparsable()  # nothing left there to hold the lines: the whole file decides
            new_units = top_units(stmts, start, end, lines)
        # the units after the change keep their text; they move by `change[2] - change[1]` lines
        # when the version is kept (_check_steps), not before: a check stopped early keeps nothing
        moved = units[j + 1 :]
        return units[:i] + new_units + moved, units[i : j + 1], new_units, change, moved

    # --- the check ---------------------------------------------------------------------------
    def findings(
        self,
        lines: Sequence[str],
        path: Optional[str] = None,
        python: Optional[PyVersion] = None,
        select: Optional[Callable[[str], bool]] = None,
        text: Optional[str] = None,
        split: bool = False,
    ) -> List[Finding]:
        """The findings of the version `lines` (lines as split_lines gives them; `text`, if
        given, what they were split from), as check() gives them. `split`: the lines were split
        at every line break LSP counts (\\r\\n, \\r, \\n), as a server's documents are: none is
        looked for in them (joining 10,000 lines to look cost 0.2 ms a keystroke)."""
        lines, python, text = self._version(lines, path, python, text, split)
        if self.result is not None and self.result[0] == (lines, python):
            found = self.result[1]
        else:
            found = self._check(lines, python, text)
            self.result = ((lines, python), found)
        return [f for f in found if select(f.code)] if select is not None else list(found)

    def _version(
        self, lines: Sequence[str], path: Optional[str], python: Optional[PyVersion], text: Optional[str], split: bool
    ) -> Tuple[List[str], PyVersion, Optional[str]]:
        out = list(lines)
        if text is None and not split and "\r" in "".join(out):
            text = "\n".join(out)
            out = _LINE_BREAK.split(text)
        return out, python if python is not None else self.engine.target_for(path), text

    def steps(
        self,
        lines: Sequence[str],
        path: Optional[str] = None,
        python: Optional[PyVersion] = None,
        text: Optional[str] = None,
        split: bool = False,
    ) -> Generator[None, None, Optional[List[Finding]]]:
        """findings() a step at a time: a generator that yields between steps (a chunk of the
        file parsed, a unit's names, a server call resolved, a unit checked) and returns the
        findings, or None when it was overtaken (another check of this document started
        while it waited). Its caller may stop it at any yield: what it has done stays
        consistent, and the next check does the rest (lsp/lint_runtime.py runs the first check
        of a big file this way, a slice at a time, so that the server goes on answering)."""
        lines, python, text = self._version(lines, path, python, text, split)
        if self.result is not None and self.result[0] == (lines, python):
            return list(self.result[1])
        found = yield from self._check_steps(lines, python, text)
        if found is not None:
            self.result = ((lines, python), found)
            found = list(found)
        return found

    def _check(self, lines: List[str], python: PyVersion, text: Optional[str]) -> List[Finding]:
        steps = self._check_steps(lines, python, text)
        while True:
            try:
                next(steps)
            except StopIteration as done:
                found: Optional[List[Finding]] = done.value
                assert found is not None  # (nothing else can start a check meanwhile)
                return found

    def _check_steps(
        self, lines: List[str], python: PyVersion, text: Optional[str]
    ) -> Generator[None, None, Optional[List[Finding]]]:
        """The check, in three parts. (1) What the version is made of, nothing kept yet, so that
        stopping there loses nothing: the edited units parsed (the whole file in chunks the
        first time), their names, the resolver's model, the handlers passed to servers. (2) All
        at once: the version becomes the one the next is compared with, and every unit whose
        findings it may change is marked unchecked (found None). (3) The marked units checked,
        one a step: a unit left unchecked by a stop is checked by the next check."""
        self.generation += 1
        generation = self.generation
        change: Optional[Tuple[int, int, int]] = None
        moved: List[Unit] = []
        named = True  # (_parse_steps names its units; _reparse does not)
        try:
            if self.units and self.lines is not None:  # (a file of no statements: parsed whole again)
                try:
                    units, replaced, new, change, moved = self._reparse(self.lines, lines)
                    named = False
                except Unparsable:
                    units = yield from self._parse_steps(lines, text)
                    replaced, new = self.units, units
            else:
                units = yield from self._parse_steps(lines, text)
                replaced, new = [], units
        except Unparsable:
            return []  # the last version that parsed stays what the next one is compared with
        if self.generation != generation:
            return None
        fresh, removed = _carry(replaced, new)
        checked = [u for u in new if id(u) in fresh]
        # many new units (a file's first check): each lets its tree go once its names are known, and
        # is parsed again when checked, so that the whole file's tree is never held at once
        many = len(checked) > LET_GO_OVER
        for u in checked if not named else ():
            _name(u)
            if many:
                u.let_go()
            yield
            if self.generation != generation:
                return None
        # the resolver's model of this version, carried from the last one that parsed (or made
        # afresh when a check that stopped early left the model at another version)
        carried = change is not None and self.model.current is not None and self.model.current.lines is self.lines
        model = self.model.after([change] if carried and change is not None else None, lines)
        from sheetls.apifacts import builtin_facts
        from sheetls.evaluate import handler_steps, handlers
        from sheetls.pyimports import still_valid

        model.use_facts(builtin_facts())
        model.function_returns = {}
        for u in checked if not many else ():
            share_parse(u, model)
        imports = self.imports
        if not (
            imports is not None
            and change is not None
            and change[1] == change[2] == 1
            and still_valid(imports, change[0], lines[change[0]])
        ):
            imports = scan_imports(lines)
        for _ in handler_steps(model):  # the server calls resolved (handlers() answers from them below)
            yield
            if self.generation != generation:
                return None

        # (2) the version is kept: no yield from here to the unit checks
        if change is not None and change[2] != change[1]:
            for u in moved:
                u.start += change[2] - change[1]
                u.end += change[2] - change[1]
        self.lines, self.units, self.python, self.imports = lines, units, python, imports
        src = self.engine.source(text, lines, model, imports)
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

        # functions edited in their body alone (below their header): only their name and globals
        # can have changed for other units (a typed signature's names would recheck every unit
        # that looked one of them up: 3 more units for a keystroke in asyncio's staggered_race)
        body_only = {u.start for u in checked if change is not None and u.header_above(change[0])}

        def mark(u: Unit) -> None:
            changed.update(u.seen_through(u.start in body_only))
            u.found = None
            if u.kind == "head":
                heads_changed.add(u.block)

        for u in removed:  # (the old version of a function edited in its body alone: at the same start)
            changed.update(u.seen_through(u.start in body_only))
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
        for u in units:
            if (
                everything
                or (u.deps and not u.deps.isdisjoint(changed))
                or (u.asked and not u.asked.isdisjoint(flipped))
                or (heads_changed and u.kind == "member" and u.block in heads_changed)
            ):
                u.found = None

        # (3) the marked units checked
        bound: Optional[_Asked] = None
        for u in units:
            if u.found is None:
                if bound is None:
                    bound = _Asked(self.bound)
                self._check_unit(u, src, python, bound)
                self.stats["checked"] += 1
                if many and self.stats["checked"] % LET_GO_OVER == 0:
                    model.forget_regions()  # (each unit parses its own block; few are asked for again)
                yield
                if self.generation != generation:
                    return None
            else:
                self.stats["kept"] += 1
        if many:
            model.forget_regions()
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
                _name(u)
            checker.parents = u.parents
            src.unit_region = u.region  # (None unless its nodes are the resolver's: units.share_parse)
            for node in nodes:
                checker.visit(node)
            u.deps = frozenset(model.looked_up)
            u.asked = frozenset(bound.asked)
        finally:
            model.looked_up = None
            src.unit_region = None
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


def _name(u: Unit) -> None:
    """The unit's imported and bound names (and its nodes' parents, for the checker)."""
    u.parents = {}
    u.candidates, u.binds, u.has_global = names_of(u.current_nodes(), u.parents)
    if u.kind == "head":
        u.binds |= {u.class_name}


_STEP = 256  # lines compared at a time: slices compared in C (equal lines are mostly the same objects)


def _same_from_start(old: List[str], new: List[str]) -> int:
    """How many lines the two versions share from their start (0.03 ms at 10,000 lines; a
    comparison line by line through map() was 0.4)."""
    n = min(len(old), len(new))
    i = 0
    while i < n:
        j = min(i + _STEP, n)
        if old[i:j] != new[i:j]:
            while old[i] == new[i]:
                i += 1
            return i
        i = j
    return n


def _same_from_end(old: List[str], new: List[str], most: int) -> int:
    """How many lines (at most `most`) the two versions share from their end."""
    n_old, n_new = len(old), len(new)
    i = 0
    while i < most:
        j = min(i + _STEP, most)
        if old[n_old - j : n_old - i] != new[n_new - j : n_new - i]:
            while old[n_old - 1 - i] == new[n_new - 1 - i]:
                i += 1
            return i
        i = j
    return most


def _carry(replaced: List[Unit], new: List[Unit]) -> Tuple[Set[int], List[Unit]]:
    """The findings of replaced units carried to new units of the same text (and class header):
    (ids of the new units left to check, the replaced units none took over)."""
    if not replaced:  # (a file's first check: every unit is new)
        return {id(u) for u in new}, []
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
