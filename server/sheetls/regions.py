"""Parsed blocks: a `Region` is one top-level block (or a skeleton of one, or a statement of a
big class under the class's header lines) parsed with repair, its nodes indexed line by line on
demand. A `RegionCache` shares them between the versions of a document while their text and
place stay: an edit re-parses only the edited block. One cache belongs to a document's model
(docmodel.DocumentModel); it is bounded by count and by text.
"""

from __future__ import annotations

import ast
import bisect
from collections import OrderedDict
from typing import Dict, List, Optional, Tuple

from sheetls.repair import parse_block

_INDEXED = (ast.Name, ast.Attribute, ast.Call, ast.alias)


class Region:
    """One parsed top-level block. Parent links and the nodes of a line are indexed lazily,
    line by line, by descending only into the nodes that span the line: a hover in one
    method of a big class does not walk the whole class."""

    def __init__(self, start: int, texts: List[str], parsed: Optional[ast.Module] = None):
        """`texts` parsed at line `start`; or, with `parsed`, their tree as parsed elsewhere (a
        text that parses as it is: nothing blanked)."""
        self.start = start
        if parsed is None:
            tree, _, blanked = parse_block(texts, start)
        else:
            tree, blanked = parsed, set()
        self.tree = tree  # line numbers are the document's (1-based)
        self.blanked = {start + k for k in blanked}
        # whether a nested function may rebind an enclosing function's name (scopes.collect_bindings
        # walks each function for `nonlocal` statements only then: 40% of a 90-line method's bindings)
        self.says_nonlocal = any("nonlocal" in t for t in texts)
        # whether an expression may bind a name (`:=`): without one, only statements do, and
        # collect_bindings need not walk expressions (most of a function's nodes)
        self.says_walrus = any(":=" in t for t in texts)
        self.parents: Dict[int, Tuple[ast.AST, str]] = {}
        # id(node) -> parent, lent by the check of the unit this block was made from (while it
        # runs: units.share_parse), so that the resolver need not walk down to a node it is given
        self.lent_parents: Optional[Dict[int, ast.AST]] = None
        self.lines: Dict[int, List[ast.AST]] = {}  # 1-based line -> Name/Attribute/Call/alias spanning it
        # id(scope node) -> its sheetls.scopes.ScopeBindings, filled by scopes.scope_bindings (typed
        # `object` here: scopes imports regions, so regions does not import scopes back)
        self.bindings: Dict[int, object] = {}
        self._keys: Dict[int, List[int]] = {}
        # a statement of a big class's body under the class's header lines: the class's first
        # line (its class-level names are found through the document model)
        self.class_start: Optional[int] = None

    def nodes_on(self, line1: int) -> List[ast.AST]:
        """The names, attributes, calls and import aliases whose span includes `line1`."""
        found = self.lines.get(line1)
        if found is None:
            found = self.lines[line1] = []
            if self.tree is not None:
                self._descend(self.tree, line1, found)
        return found

    def _descend(self, node: ast.AST, line1: int, found: List[ast.AST]) -> None:
        stack = [node]
        while stack:
            node = stack.pop()
            for name in node._fields:
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    self.parents[id(value)] = (node, name)
                    if self._spans(value, line1):
                        stack.append(value)
                elif isinstance(value, list) and value:
                    items = value
                    if len(value) > 16 and isinstance(value[0], ast.stmt):
                        items = self._near(value, line1)
                    for item in items:
                        if isinstance(item, ast.AST):
                            self.parents[id(item)] = (node, name)
                            if self._spans(item, line1):
                                stack.append(item)
            if isinstance(node, _INDEXED):
                found.append(node)

    @staticmethod
    def _first_line(node: ast.AST) -> Optional[int]:
        decorators = getattr(node, "decorator_list", None)
        return decorators[0].lineno if decorators else getattr(node, "lineno", None)

    @classmethod
    def _spans(cls, node: ast.AST, line1: int) -> bool:
        lineno = cls._first_line(node)
        if lineno is None:  # arguments, comprehension, withitem, match_case...
            return True
        return lineno <= line1 <= (getattr(node, "end_lineno", None) or lineno)

    def _near(self, body: List[ast.stmt], line1: int) -> List[ast.stmt]:
        """The statements of a long body that may span `line1` (bodies are in line order)."""
        keys = self._keys.get(id(body))
        if keys is None:
            keys = self._keys[id(body)] = [self._first_line(st) or 0 for st in body]
        i = bisect.bisect_right(keys, line1)
        return body[max(0, i - 1) : i]

    def parent(self, node: ast.AST) -> Tuple[Optional[ast.AST], str]:
        found = self.parents.get(id(node))
        if found is None and self.lent_parents is not None:
            p = self.lent_parents.get(id(node))
            if p is not None:
                found = self.parents[id(node)] = (p, _field_of(p, node))
        if found is None:
            lineno = getattr(node, "lineno", None)
            if lineno is not None:
                self.nodes_on(lineno)
                found = self.parents.get(id(node))
        return found or (None, "")


class RegionCache:
    """Parsed blocks by (place, text), least recently used dropped first: at most `size` of them
    (an AST costs ~50x its text: this bounds memory) and `chars` of block text (a big block's
    skeleton is large)."""

    def __init__(self, size: int = 32, chars: int = 200_000):
        self.size, self.chars = size, chars
        self.entries: OrderedDict[Tuple[object, str], Region] = OrderedDict()
        self._chars = 0

    def region(self, start: int, texts: List[str], class_start: Optional[int] = None) -> Region:
        """The parsed block, shared between document versions while its text and place stay.

        With `class_start`, `texts` are the header lines of a big class (which starts at that
        line) followed by one statement of its body, placed at `start` so that the statement
        has its own line numbers; the header's nodes are moved back to the class's lines."""
        key = _key(start, texts, class_start)
        region = self.entries.get(key)
        if region is None:
            region = Region(start, texts)
            if class_start is not None:
                _place_header(region, class_start, start)
            self._put(key, region)
        else:
            self.entries.move_to_end(key)
        return region

    def seed(
        self, start: int, texts: List[str], tree: ast.Module, class_start: Optional[int] = None
    ) -> Optional[Region]:
        """What region(start, texts, class_start) will answer, from a tree parsed elsewhere, the
        same as its own parse would be (a big class's header nodes already on the class's lines):
        the checker of a keystroke (diagnostics/incremental.py) has just parsed the block it
        edited, and the resolver would parse it again (0.4-0.9 ms for a 90-line method).
        The block made of `tree` (None: the cache had that block already)."""
        key = _key(start, texts, class_start)
        if key in self.entries:
            return None
        region = Region(start, texts, tree)
        region.class_start = class_start
        self._put(key, region)
        return region

    def _put(self, key: Tuple[object, str], region: Region) -> None:
        self.entries[key] = region
        self._chars += len(key[1])
        while len(self.entries) > 1 and (len(self.entries) > self.size or self._chars > self.chars):
            old, dropped = self.entries.popitem(last=False)
            self._chars -= len(old[1])
            # its bindings point back at it (Binding.region): a cycle that only the garbage
            # collector's slowest pass frees, with the whole tree (105,000 objects after
            # the first check of a 10,000-line file). Without them, it goes when unused;
            # a version model still using it finds them again.
            dropped.bindings.clear()

    def clear(self) -> None:
        for region in self.entries.values():
            region.bindings.clear()  # (the cycle through Binding.region: see region())
        self.entries.clear()
        self._chars = 0


def _field_of(parent: ast.AST, node: ast.AST) -> str:
    """The field of `parent` that holds `node`."""
    for name in parent._fields:
        value = getattr(parent, name, None)
        if value is node or (isinstance(value, list) and any(item is node for item in value)):
            return name
    return ""


def _key(start: int, texts: List[str], class_start: Optional[int]) -> Tuple[object, str]:
    return (start if class_start is None else (start, class_start), "\n".join(texts))


def _place_header(region: Region, class_start: int, start: int) -> None:
    region.class_start = class_start
    cls = region.tree.body[0] if region.tree is not None and region.tree.body else None
    delta = class_start - start
    if not isinstance(cls, ast.ClassDef) or not delta:
        return
    lines = cls.body[0].lineno - 1 if cls.body else None  # the header's lines end before the body
    for node in cls.decorator_list + cls.bases + cls.keywords + list(getattr(cls, "type_params", ())):
        ast.increment_lineno(node, delta)
    cls.lineno += delta
    region.blanked = {i + delta if lines is None or i < lines else i for i in region.blanked}
