"""The document model: what the resolver knows of one document version (`VersionModel`) and of
one open document across its versions (`DocumentModel`).

A version is cut into top-level blocks by one scan (pysource.scan) and its blocks are parsed
lazily, as the cursor needs them; a big block (over BIG_BLOCK lines) is parsed as a skeleton
around the line that matters, and a big `class` a statement of its body at a time, its
class-level names found by a search of its text (bigclass.py). The model answers the scope code's questions
about module-level names (scopes.Namespace) and carries what a keystroke cannot have changed
into the next version (`VersionModel.after`). Its caches are the model's own: the parsed
blocks are shared between the versions of one document through its `DocumentModel`.

The evaluator (evaluate.py) keeps what it derives from the model (the handlers passed to
servers, what the file's functions return) in the slots this model carries or drops.
"""

from __future__ import annotations

import ast
import bisect
import re
from collections import defaultdict
from keyword import iskeyword
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple, Union, cast

from sheetls.bigclass import BigClasses, ClassScope, RegionKey, inside_body
from sheetls.pysource import BIG_BLOCK, NOT_A_START, LineIndex, child_start_in, scan, skeleton
from sheetls.regions import Region, RegionCache
from sheetls.scopes import Binding, ScopeBindings, scope_bindings

if TYPE_CHECKING:
    from sheetls.apifacts import ApiFacts
    from sheetls.pysource import RunsIndex

_MODEL_REGIONS = 256  # parsed regions a version model holds on to (oldest dropped first)
# Lines that may pass a handler to a server: the evaluator resolves each (see evaluate.handlers).
SERVER_CALL = re.compile(r"start_(?:unix_)?server")
_GLOBAL = re.compile("global")


class VersionModel(BigClasses):
    """What the resolver knows of one document version: its blocks, parsed lazily.

    A big `class` block is not parsed as one: each statement of its body (a method, mostly)
    is parsed on its own under the class's header lines, and the class-level bindings are
    found by a search of its text, name by name. A keystroke inside a method re-parses that
    method only."""

    def __init__(self, lines: Sequence[str], regions: Optional[RegionCache] = None):
        self.lines = lines
        self.regions = regions if regions is not None else RegionCache()
        self.facts: Optional[ApiFacts] = None  # what the evaluator's slots below were derived with
        if lines and (lines[0][-1:] in ("\n", "\r") or lines[-1][-1:] in ("\n", "\r")):
            self.texts = [t.rstrip("\r\n") for t in lines]  # lines that keep their line ends
        else:
            self.texts = list(lines)
        self.index = LineIndex(self.texts)
        self.blocks, self.in_string = scan(self.texts, index=self.index)
        self._defs: Optional[Dict[str, List[int]]] = None
        self._starts = [b.start for b in self.blocks]
        self._fresh_caches()

    def _fresh_caches(self) -> None:
        self._module_bindings: Dict[str, List[Binding]] = {}
        self._class_bindings = {}
        self._class_heads = {}
        self._children = {}  # a big class's body statements found so far (child_at)
        self._stars: Optional[List[str]] = None
        # The evaluator's slots (evaluate.py): functions passed to a server -> parameters before
        # (reader, writer); per line naming a server: (names its resolution looked up, its
        # handlers, the unit an edit must leave alone); the lines naming a server; the names
        # looked up while a line is resolved; id(function node) -> (node, what it returns).
        self.handlers_found: Optional[Dict[Tuple[int, int], int]] = None
        self.handler_parts: Dict[int, Tuple[FrozenSet[str], Dict[Tuple[int, int], int], Tuple[Any, ...]]] = {}
        self.server_lines: Optional[List[int]] = None
        self.looked_up: Optional[Set[str]] = None
        self.function_returns: Dict[int, Tuple[ast.AST, object]] = {}
        self._block_text: Dict[int, str] = {}
        self._global_blocks: Dict[int, bool] = {}  # block -> whether its text says `global`
        # the runs of blocks that may bind a module-level name, and their text (module_bindings)
        self._module_runs: Optional[List[Tuple[int, int]]] = None
        self._module_index: Optional[RunsIndex] = None
        self._regions: Dict[RegionKey, Tuple[Region, int]] = {}

    @classmethod
    def after(cls, prev: VersionModel, changes: Sequence[Tuple[int, int, int]], lines: Sequence[str]) -> VersionModel:
        """The model of the next version. When every change since `prev` replaced single lines
        that neither start a statement nor touch a triple quote or a trailing backslash (the
        common keystroke inside a function), the block structure is `prev`'s and is reused:
        no rescan of the file. Anything else builds the model afresh.

        In a big class, an edit of lines inside its statements (below their first line, or
        blank and comment lines) keeps the statements' boundaries too: only the edited
        statement's parse and what depends on its names are dropped.

        What it buys: an edit then a hover at 10,000 lines, 1.0 ms p50 / 5 ms p99 instead of
        11 ms / 64 ms with a rescan per version (benchmarks/README.md, "What each piece buys")."""
        model = cls.__new__(cls)
        model.lines = lines
        model.regions, model.facts = prev.regions, prev.facts
        if lines and (lines[0][-1:] in ("\n", "\r") or lines[-1][-1:] in ("\n", "\r")):
            model.texts = [t.rstrip("\r\n") for t in lines]
        else:
            model.texts = list(lines)
        if len(model.texts) != len(prev.texts):
            return cls(lines, prev.regions)
        for first, removed, inserted in changes:
            if (
                removed != 1
                or inserted != 1
                or not (_keeps_structure(prev.texts[first]) and _keeps_structure(model.texts[first]))
            ):
                return cls(lines, prev.regions)
        model.index = LineIndex(model.texts)
        model.blocks, model.in_string, model._starts = prev.blocks, prev.in_string, prev._starts
        model._fresh_caches()
        # What the edited lines cannot have changed is carried too; the rest is found again.
        changed = sorted({first for first, _, _ in changes})
        touched = [prev.texts[i] for i in changed] + [model.texts[i] for i in changed]

        def untouched(names: Iterable[str]) -> bool:
            return not any(n in t for n in names for t in touched)

        by_block: Dict[int, List[int]] = defaultdict(list)
        for i in changed:
            by_block[prev.block_index(i)].append(i)
        whole = set()  # blocks whose every cache goes
        units = set()  # (block, first line of the statement) edited inside a big class
        for k, edited in by_block.items():
            head = prev.class_head(k) if k >= 0 else None
            if head is None or not all(
                inside_body(prev.texts[i], head) and inside_body(model.texts[i], head) and i > head.head_end
                for i in edited
            ):
                whole.add(k)
                continue
            for i in edited:
                units.add((k, prev.child_at(k, i, head).start))

        def kept(k: int, start: Optional[int]) -> bool:
            return k not in whole and (start is None or (k, start) not in units)

        def bindings_kept(found: List[Binding]) -> bool:
            return all(b.pos[0] - 1 < 0 or prev.block_index(b.pos[0] - 1) not in by_block for b in found)

        model._defs = prev._defs  # def/class names of blocks: the block structure is the same
        # An edit inside `def`/`class` blocks that say no `global` binds no module-level name: the
        # module's bindings of the names on the edited lines stand too (each was a search of the
        # whole text again: 1-2 ms a keystroke at 10,000 lines).
        private = not any("global" in t for t in touched) and all(
            k >= 0 and prev.blocks[k].defines is not None and not prev.says_global(k) for k in by_block
        )
        # which blocks say `global` stays true while no edited line says it, and so do the runs of
        # blocks that may bind a module-level name; their text while no edited line is in them
        if not any("global" in t for t in touched):
            model._global_blocks = prev._global_blocks
            model._module_runs = runs = prev._module_runs
            if runs is not None and not any(lo <= i < hi for i in changed for lo, hi in runs):
                model._module_index = prev._module_index
        model._module_bindings = {
            n: b for n, b in prev._module_bindings.items() if (private or untouched((n,))) and bindings_kept(b)
        }
        model._class_bindings = {
            key: v
            for key, v in prev._class_bindings.items()
            if key[0] not in whole and untouched((key[1],)) and not any((key[0], s) in units for s in v[1])
        }
        model._class_heads = {k: h for k, h in prev._class_heads.items() if k not in whole}
        model._children = {k: c for k, c in prev._children.items() if k not in whole}  # (no start line edited)
        model._stars = prev._stars if not any("import" in t for t in touched) else None
        if not any(SERVER_CALL.search(t) for t in touched):
            model.server_lines = prev.server_lines
        # An edit inside a function binds that function's names only (unless it says
        # `global`/`nonlocal`): a handler found elsewhere stands whatever names it touches.
        names_matter = any("global" in t or "nonlocal" in t for t in touched) or any(
            k < 0 or prev.blocks[k].defines is None for k in by_block
        )
        model.handler_parts = {
            i: part
            for i, part in prev.handler_parts.items()
            if kept(*part[2]) and (not names_matter or untouched(part[0]))
        }
        model._block_text = {k: t for k, t in prev._block_text.items() if k not in by_block}
        model._regions = {key: r for key, r in prev._regions.items() if kept(key[0], key[1] if len(key) > 1 else None)}
        return model

    def block_index(self, line: int) -> int:
        return bisect.bisect_right(self._starts, line) - 1

    def bindings_of(self, scope: ast.AST, region: Region) -> ScopeBindings:
        """The names `scope` binds; for a big class parsed a statement at a time, all of the
        class's (found in its text when asked)."""
        if (
            isinstance(scope, ast.ClassDef)
            and region.class_start is not None
            and region.tree is not None
            and region.tree.body
            and scope is region.tree.body[0]
        ):
            k = self.block_index(region.class_start)
            if k >= 0 and self.blocks[k].start == region.class_start and self.class_head(k) is not None:
                # lookup reads only names.get, `in` globals/nonlocals and stars, which a
                # ClassScope answers the way a ScopeBindings does
                return cast(ScopeBindings, ClassScope(self, k))
        return scope_bindings(scope, region)

    def region(self, k: int, focus: Optional[int] = None) -> Region:
        """Block k parsed; a big block as a skeleton with only the part around line `focus`
        whole (with focus None: functions and classes cut to their headers); a big class as
        its header and the statement of its body holding `focus`."""
        b = self.blocks[k]
        if b.end - b.start <= BIG_BLOCK:
            focus = None
        else:
            head = self.class_head(k)
            if head is not None:
                return self._class_region(k, head, focus)
            if focus is not None:
                # one skeleton per top-level child of the block (not per line)
                focus = self._child_start(k, focus)
        found = self._regions.get((k, focus))
        if found is None:
            if b.end - b.start <= BIG_BLOCK:
                region = self.regions.region(b.start, self.texts[b.start : b.end])
            else:
                region = self.regions.region(
                    b.start, skeleton(self.texts, b.start, b.end, focus, self.in_string, BIG_BLOCK)
                )
                if region.tree is None:  # the cut went wrong: parse the whole block
                    region = self.regions.region(b.start, self.texts[b.start : b.end])
            found = self._keep((k, focus), (region, b.end))
        return found[0]

    def forget_regions(self) -> None:
        """Let the blocks this version parsed go (parsed again if asked for): after a whole
        file's check they were 256 trees, 5 MB at 10,000 lines, that the next keystroke mostly
        does not need (what it needs of them is carried as bindings); and the joined text."""
        self._regions.clear()
        self.regions.clear()
        self.index = LineIndex(self.texts)  # (its joined text, 1.2 MB at 10,000 lines, joined again if asked)
        self._module_index = None  # (the text of the blocks module_bindings searches, the same)

    def _keep(self, key: RegionKey, found: Tuple[Region, int]) -> Tuple[Region, int]:
        self._regions[key] = found
        if len(self._regions) > _MODEL_REGIONS:  # bounded: a class of thousands of handlers
            del self._regions[next(iter(self._regions))]
        return found

    def _child_start(self, k: int, line: int) -> int:
        """The first line of the statement at the block's body indentation holding `line`."""
        b = self.blocks[k]
        return child_start_in(self.texts, b.start, b.end, line, self.in_string)

    def region_at(self, line: int) -> Optional[Region]:
        k = self.block_index(line)
        return self.region(k, line) if k >= 0 else None

    def unit(self, line: int) -> Tuple[int, Optional[int]]:
        """What an edit must leave alone for a result about `line` to stand: its block, or in
        a big class, the statement of the body holding it."""
        k = self.block_index(line)
        head = self.class_head(k) if k >= 0 else None
        if head is None or line <= head.head_end:
            return (k, None)
        return (k, self.child_at(k, line, head).start)

    def says_global(self, k: int) -> bool:
        """Whether block k's text says `global` (kept through the versions that do not edit a line
        saying it: joining a 37,500-line class's text for it cost 2 ms a keystroke)."""
        found = self._global_blocks.get(k)
        if found is None:
            b = self.blocks[k]
            found = self._global_blocks[k] = any("global" in t for t in self.texts[b.start : b.end])
        return found

    def _text_of(self, k: int) -> str:
        text = self._block_text.get(k)
        if text is None:
            b = self.blocks[k]
            text = self._block_text[k] = "\n".join(self.texts[b.start : b.end])
        return text

    def module_bindings(self, name: str) -> List[Binding]:
        """Every module-level binding of `name`, in file order: the `def`/`class` blocks that
        define it, and the other statements that may bind it, found by a search of the text of
        the blocks that may bind a module-level name (_binding_search; a use such as
        `asyncio.run(...)` is no binding)."""
        self.note_name(name)
        found = self._module_bindings.get(name)
        if found is not None:
            return found
        found = []
        if self._defs is None:
            self._defs = defaultdict(list)
            for k, b in enumerate(self.blocks):
                if b.defines is not None:
                    self._defs[b.defines].append(k)
        for k in self._defs.get(name, ()):
            region = self.region(k)
            node = region.tree.body[0] if region.tree is not None and region.tree.body else None
            found.append(Binding((self.blocks[k].start + 1, 0), "def", node, region=region))
        n = re.escape(name)
        lines = set()
        search = self._binding_search(name)
        if name in search.source:  # (each match holds the name)
            for binds in (  # each starts with a literal: a fast search of the text
                rf"{n}(?<![\w.]{n})\s*(?:[,:)\]]|=(?!=))",  # name = / name, / name: / name)
                rf"as\s+{n}\b",
                # one search per keyword: `(?:del|global|import)...` had no literal start, 2.4 ms
                # at 10,000 lines against 0.8 for the three; `for`: a loop's target
                *(rf"{kw}\b[^\n]*{n}\b" for kw in ("del", "global", "import", "for")),
            ):
                lines.update(search.lines_matching(re.compile(binds)))
        blocks = sorted({k for k in map(self.block_index, lines) if k >= 0})
        for k in blocks:
            if self.blocks[k].defines is not None:
                if self.says_global(k):
                    found.extend(self._global_bindings(k, name))
                continue
            region = self.region(k)
            if region.tree is None:
                continue
            found.extend(scope_bindings(region.tree, region).names.get(name, ()))
        found.sort(key=lambda bd: bd.pos)
        self._module_bindings[name] = found
        return found

    def _binding_search(self, name: str) -> Union[LineIndex, RunsIndex]:
        """Where module_bindings searches for `name`: the blocks that are no `def`/`class` and
        those that say `global` (it drops a match elsewhere), a seventh of the text of a file of
        functions and classes (a name not looked up before: 1.5 ms at 10,000 lines searching the
        whole text, 0.1 this way). A match in them running on into a `def`/`class` block (the
        text between two runs) would be `as` then its `def`, `class` or `async`: for a keyword
        (or what is no name) the whole text."""
        if not name.isidentifier() or iskeyword(name):
            return self.index
        if self._module_runs is None:
            saying = {self.block_index(i) for i in self.index.lines_matching(_GLOBAL)}
            self._global_blocks = {k: k in saying for k, b in enumerate(self.blocks) if b.defines is not None}
            runs: List[Tuple[int, int]] = []
            self._module_runs = runs
            for b in (b for k, b in enumerate(self.blocks) if b.defines is None or k in saying):
                if runs and runs[-1][1] == b.start:
                    runs[-1] = (runs[-1][0], b.end)
                else:
                    runs.append((b.start, b.end))
        if self._module_index is None:
            self._module_index = self.index.part(self._module_runs)
        return self._module_index

    def _global_bindings(self, k: int, name: str) -> List[Binding]:
        """Bindings of `name` in functions of block k that declare it `global`."""
        found: List[Binding] = []
        block = self.blocks[k]
        focuses = (
            {None}
            if block.end - block.start <= BIG_BLOCK
            else {i for i in range(block.start, block.end) if "global" in self.texts[i] and name in self.texts[i]}
        )
        for focus in focuses:
            region = self.region(k, focus)
            if region.tree is None:
                continue
            for node in ast.walk(region.tree):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    b = scope_bindings(node, region)
                    if name in b.globals:
                        found.extend(x for x in b.names.get(name, ()) if x.kind != "param" and x not in found)
        return found

    def stars(self) -> List[str]:
        if self._stars is None:
            self._stars = []
            for k, b in enumerate(self.blocks):
                if b.defines is None and "import" in self._text_of(k) and "*" in self._text_of(k):
                    region = self.region(k)
                    if region.tree is not None:
                        self._stars.extend(scope_bindings(region.tree, region).stars)
        return self._stars

    # -- what the scope code asks (scopes.Namespace) ------------------------------------------
    def note_name(self, name: str) -> None:
        if self.looked_up is not None:
            self.looked_up.add(name)

    def use_facts(self, facts: ApiFacts) -> None:
        """Evaluate with `facts` from now on; what was derived with other facts goes."""
        if facts is not self.facts:
            self.facts = facts
            self.handlers_found = None
            self.handler_parts = {}
            self.function_returns = {}


def _keeps_structure(text: str) -> bool:
    """A line whose edit cannot move a block boundary or a string (see VersionModel.after)."""
    return (not text or text[0] in NOT_A_START) and '"""' not in text and "'''" not in text and not text.endswith("\\")


class DocumentModel:
    """One open document: the model of its latest version, and the parsed blocks its versions
    share. The server keeps one per open document:

        model = document.after(changes, lines)   # each new version (changes None: unknown)
        model = document.at(lines)               # the version's model (made if need be)
    """

    def __init__(self, regions: Optional[RegionCache] = None):
        self.regions = regions if regions is not None else RegionCache()
        self.current: Optional[VersionModel] = None

    def at(self, lines: Sequence[str]) -> VersionModel:
        """The model of the version whose lines are `lines` (the current one if it is that)."""
        if self.current is None or self.current.lines is not lines:
            self.current = VersionModel(lines, self.regions)
        return self.current

    def after(self, changes: Optional[Sequence[Tuple[int, int, int]]], lines: Sequence[str]) -> VersionModel:
        """The model of the next version, `lines`, derived from the current one when the line
        changes between them are known ((first line, lines removed, lines inserted) each)."""
        if self.current is None or changes is None:
            return self.at(lines)
        if self.current.lines is not lines:
            self.current = VersionModel.after(self.current, changes, lines)
        return self.current
