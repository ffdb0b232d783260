"""Big classes: a top-level `class` block over BIG_BLOCK lines is parsed a statement of its body
at a time, under the class's header lines (a keystroke in a method parses that method), and its
class-level names are found by a search of its text, name by name. `BigClasses` is that part of
the resolver's model of a version (docmodel.VersionModel is one); `ClassScope` answers the scope
code's questions about such a class's names the way a ScopeBindings does."""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Tuple, Union

from sheetls.pysource import BIG_BLOCK, CONTINUATION, Block, child_start_in, def_name, header_end, skeleton
from sheetls.regions import Region, RegionCache
from sheetls.scopes import Binding, scope_bindings

# A parsed region's key: (block, None), or a big class's (block, statement of its body), with the
# inner start when that statement is cut to a skeleton.
RegionKey = Union[Tuple[int, Optional[int]], Tuple[int, int, int]]


class ClassScope:
    """The class-level bindings of a big class whose body is parsed one statement at a
    time: found, name by name, by a search of the class's text (VersionModel.class_bindings)."""

    globals: FrozenSet[str] = frozenset()
    nonlocals: FrozenSet[str] = frozenset()
    stars: List[str] = []

    def __init__(self, model: BigClasses, k: int):
        self.names = _ClassNames(model, k)


class _ClassNames:
    def __init__(self, model: BigClasses, k: int):
        self.model, self.k = model, k

    def get(self, name: str, default: Optional[List[Binding]] = None) -> Optional[List[Binding]]:
        return self.model.class_bindings(self.k, name) or default

    def __contains__(self, name: str) -> bool:
        return bool(self.model.class_bindings(self.k, name))


@dataclass
class ClassHead:
    """A big `class` block: its `class` line, the line ending its header, the body's indent."""

    line: int
    head_end: int
    indent: int


@dataclass
class Child:
    """A statement directly in a big class's body: lines [start, end), and for a `def` or
    `class` the line of its header (after its decorators)."""

    start: int
    end: int
    def_line: Optional[int]


class BigClasses:
    """The big-class part of a version's model (docmodel.VersionModel), over the model's blocks,
    texts and caches."""

    blocks: List[Block]
    texts: List[str]
    in_string: Callable[[int], bool]
    regions: RegionCache
    _regions: Dict[RegionKey, Tuple[Region, int]]
    _class_heads: Dict[int, Optional[ClassHead]]
    _children: Dict[int, Tuple[List[int], List[Child]]]  # block -> the body's statements found (starts, them)
    _class_bindings: Dict[Tuple[int, str], Tuple[List[Binding], FrozenSet[int]]]

    if TYPE_CHECKING:  # (the model's own)

        def _keep(self, key: RegionKey, found: Tuple[Region, int]) -> Tuple[Region, int]: ...

        def _text_of(self, k: int) -> str: ...

        def note_name(self, name: str) -> None: ...

    def class_head(self, k: int) -> Optional[ClassHead]:
        """The head of block k if it is a big `class` (parsed a statement at a time)."""
        if k in self._class_heads:
            return self._class_heads[k]
        head = None
        b = self.blocks[k]
        if b.end - b.start > BIG_BLOCK and b.defines is not None:
            line = next((i for i in range(b.start, min(b.end, b.start + 60)) if def_name(self.texts[i])), None)
            end = header_end(self.texts, line, b.end) if line is not None else None
            if line is not None and self.texts[line].startswith("class") and end is not None:
                for i in range(end + 1, b.end):
                    t = self.texts[i]
                    stripped = t.lstrip(" \t")
                    if stripped and stripped[0] != "#" and not self.in_string(i):
                        if len(t) > len(stripped):
                            head = ClassHead(line, end, len(t) - len(stripped))
                        break
        self._class_heads[k] = head
        return head

    def _starts_child(self, i: int, indent: int) -> bool:
        t = self.texts[i]
        stripped = t.lstrip(" \t")
        return (
            bool(stripped)
            and stripped[0] not in "#)]}"
            and len(t) - len(stripped) == indent
            and not self.in_string(i)
            and not CONTINUATION.match(stripped)
        )

    def child_at(self, k: int, line: int, head: ClassHead) -> Child:
        """The statement of the class body holding `line` (below the class header), with
        its decorators. The statements found are kept: they cut the body into spans, and every
        line of a span has the same answer (each resolved call asked again, 0.3 ms a keystroke
        in a 1,000-line class)."""
        starts, children = self._children.setdefault(k, ([], []))
        i = bisect.bisect_right(starts, line) - 1
        if i >= 0 and line < children[i].end:
            return children[i]
        child = self._find_child(k, line, head)
        i = bisect.bisect_left(starts, child.start)
        starts.insert(i, child.start)
        children.insert(i, child)
        return child

    def _find_child(self, k: int, line: int, head: ClassHead) -> Child:
        end = self.blocks[k].end
        i = line
        while i > head.head_end + 1 and not self._starts_child(i, head.indent):
            i -= 1
        start = i
        j = start - 1
        while j > head.head_end:  # decorators above a def
            t = self.texts[j]
            stripped = t.lstrip(" \t")
            ind = len(t) - len(stripped)
            if not stripped or stripped[0] in "#)]}" or ind > head.indent or self.in_string(j):
                j -= 1
                continue
            if ind == head.indent and stripped[0] == "@":
                start = j
                j -= 1
                continue
            break
        d = start
        while d < end and (not self._starts_child(d, head.indent) or self.texts[d].lstrip(" \t").startswith("@")):
            d += 1
        def_line = d if d < end and def_name(self.texts[d].lstrip(" \t")) else None
        e = min(max(d, line) + 1, end)  # no statement starts below `line`: the class ends it
        while e < end and not self._starts_child(e, head.indent):
            e += 1
        return Child(start, e, def_line)

    def _class_region(self, k: int, head: ClassHead, focus: Optional[int]) -> Region:
        """Block k, a big class, parsed around line `focus`: its header lines, then the one
        statement of its body holding `focus` at its own lines (a big statement cut to a
        skeleton around `focus`). Without a focus (or on the header), the header alone."""
        b = self.blocks[k]
        header = self.texts[b.start : head.head_end + 1]
        if focus is None or focus <= head.head_end:
            key: RegionKey = (k, None)
            found = self._regions.get(key)
            if found is None:
                pad = " " * head.indent + "pass"
                found = self._keep(key, (self.regions.region(b.start, header + [pad], class_start=b.start), b.end))
            return found[0]
        child = self.child_at(k, focus, head)
        if child.end - child.start > BIG_BLOCK:
            inner = child_start_in(self.texts, child.start, child.end, focus, self.in_string)
            key = (k, child.start, inner)
            texts = skeleton(self.texts, child.start, child.end, focus, self.in_string, BIG_BLOCK)
        else:
            key = (k, child.start)
            texts = None
        found = self._regions.get(key)
        if found is None:
            if texts is None:
                texts = self.texts[child.start : child.end]
            region = self.regions.region(child.start - len(header), header + texts, class_start=b.start)
            found = self._keep(key, (region, child.end))
        return found[0]

    def class_bindings(self, k: int, name: str) -> List[Binding]:
        """The bindings of `name` directly in the body of big class k, in file order: the
        statements of the body that may bind it are found by a search of the class's text
        (as module_bindings does for the module), and only those are parsed."""
        key = (k, name)
        found = self._class_bindings.get(key)
        self.note_name(name)
        if found is not None:
            return found[0]
        head = self.class_head(k)
        bindings: List[Binding] = []
        sources = set()
        if head is not None:
            text = self._text_of(k)
            n = re.escape(name)
            offsets: List[int] = []
            for binds in (
                rf"{n}(?<![\w.]{n})\s*(?:[,:)\]]|=(?!=))",
                rf"as\s+{n}\b",
                # one search per keyword: each starts with a literal, the alternation did not
                *(rf"{kw}\b[^\n]*{n}\b" for kw in ("del", "global", "import", "for")),
                rf"(?:def|class)\s+{n}\b",
            ):
                offsets.extend(m.start() for m in re.finditer(binds, text))
            offsets.sort()
            line, at = self.blocks[k].start, 0
            seen = set()
            for off in offsets:
                line += text.count("\n", at, off)
                at = off
                if line <= head.head_end:
                    continue
                child = self.child_at(k, line, head)
                if child.start in seen or (child.def_line is not None and line > child.def_line):
                    continue  # inside a method: not the class's binding
                seen.add(child.start)
                region = self._class_region(k, head, line)
                tree = region.tree
                if tree is not None and tree.body and isinstance(tree.body[0], ast.ClassDef):
                    mine = scope_bindings(tree.body[0], region).names.get(name, ())
                    if mine:
                        bindings.extend(mine)
                        sources.add(child.start)
            bindings.sort(key=lambda bd: bd.pos)
        self._class_bindings[key] = (bindings, frozenset(sources))
        return bindings


def inside_body(text: str, head: ClassHead) -> bool:
    """A line that cannot start a statement of the class body: blank, a comment, or deeper."""
    stripped = text.lstrip(" \t")
    return not stripped or stripped[0] == "#" or len(text) - len(stripped) > head.indent
