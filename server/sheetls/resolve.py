"""What the name under the cursor refers to, as a fully qualified API name, resolved the way
Python resolves it.

How it works:
- The document is cut into top-level blocks (a statement starting at column 0 and the
  indented lines after it) by one cheap scan (about 2 ms at 10,000 lines; lines inside
  triple-quoted strings, after a backslash, `else:`-like clauses and decorated defs are
  handled). Only the block under the cursor is parsed with `ast`, plus, for a name bound at
  module level, the few non-`def` statements that may bind that name (imports,
  assignments, `as` targets). Parsed blocks are cached by their text and place (so an edit
  re-parses only the edited block), and the block list per document version, both in small
  bounded LRU caches.
- A big block is parsed as a skeleton around the line that matters; a big `class` is not
  parsed as one at all: the statement of its body under the cursor (a method) is parsed
  under the class's header lines, and its class-level names are found by a search of its
  text, like the module's. A keystroke inside a method keeps the class's structure and
  re-parses that method only.
- A block that does not parse (a line being typed, an unclosed bracket) is repaired before
  parsing: the unclosed bracket is closed at the end of its line, a missing `:` added, an
  empty block given `pass`, continuation lines of a cut statement dropped, and a line that
  still fails is blanked (a header line becomes `if True:` so its body keeps its scope).
  Everything else in the block resolves as usual; on a blanked line the dotted name under
  the cursor is read from the text and its root resolved through the scopes around it.
- Names resolve through Python's scopes: function (parameters, assignments, imports inside
  the function, `global`/`nonlocal`), enclosing functions, class bodies (only for code
  directly in them), comprehensions, then the module, then `from asyncio import *`. In the
  scope of the cursor, the last binding before the cursor counts (a name rebound after its
  import is no longer the import; a name assigned later in the same function is a local);
  from a nested scope (a function body seen from the module), the scope's last binding.
- Values are followed through the calls the sheet documents: `open_connection` (and
  `open_unix_connection`) gives a (StreamReader, StreamWriter) pair, `start_server` (and
  `start_unix_server`) a Server, `create_subprocess_*` a Process, `get_running_loop()` the
  loop; tuple unpacking, `await` and `yield from`, `wait_for(...)`, `async with server as s`,
  `proc.stdout`/`stdin`/`stderr`, parameter annotations, the `(reader, writer)` parameters of
  every handler passed to a server (a function, a method via `self.x`, a lambda, or
  `functools.partial`), and the file's own functions: a call gives what all their `return`s
  give when those agree (nothing when one differs or returns nothing).
- `self` is an instance of its class, `Pool()` an instance of the file's class `Pool`: their
  members are looked up in the class body, then in the bases the file defines.
- `<receiver>.run_in_executor` with a receiver sheetls cannot see into (a parameter,
  `self.loop`, an instance of a class with a base from elsewhere) is taken as the loop's
  method: the name is asyncio's own. Not on a receiver the file shows: its own class that
  defines `run_in_executor` or, as an exact instance, has none; the loop of trollius.
"""
from __future__ import annotations

import ast
import bisect
import sys
from array import array
import re
from collections import OrderedDict, defaultdict
from itertools import accumulate, chain
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Tuple

from sheetls.pyimports import Imports, scan_imports

# --- what sheetls knows about asyncio's objects ----------------------------------------------
READER = "asyncio.StreamReader"
WRITER = "asyncio.StreamWriter"
SERVER = "asyncio.Server"
PROCESS = "asyncio.subprocess.Process"
LOOP = "asyncio.AbstractEventLoop"

# Other spellings of the same objects (submodules, base classes) -> the name the sheet uses.
ALIASES = {
    "asyncio.subprocess.create_subprocess_exec": "asyncio.create_subprocess_exec",
    "asyncio.subprocess.create_subprocess_shell": "asyncio.create_subprocess_shell",
    "asyncio.streams.open_connection": "asyncio.open_connection",
    "asyncio.streams.start_server": "asyncio.start_server",
    "asyncio.streams.open_unix_connection": "asyncio.open_unix_connection",
    "asyncio.streams.start_unix_server": "asyncio.start_unix_server",
    "asyncio.streams.StreamReader": READER,
    "asyncio.streams.StreamWriter": WRITER,
    "asyncio.threads.to_thread": "asyncio.to_thread",
    "asyncio.base_events.Server": SERVER,
    "asyncio.events.AbstractEventLoop": LOOP,
    "asyncio.base_events.BaseEventLoop": LOOP,
    "asyncio.BaseEventLoop": LOOP,
    "asyncio.events.get_running_loop": "asyncio.get_running_loop",
    "asyncio.events.get_event_loop": "asyncio.get_event_loop",
    "asyncio.events.new_event_loop": "asyncio.new_event_loop",
    "asyncio.Process": PROCESS,
}
CLASSES = {READER, WRITER, SERVER, PROCESS, LOOP}
# Loop methods: `<something unknown>.run_in_executor` (a loop from `self.loop`, a parameter, a
# helper of another module) is taken as the event loop's method; the name belongs to asyncio.
# Not when the file shows the receiver: an instance of one of its own classes (which may
# define the method itself), or the loop of trollius (a separate library, whose event loop is
# not asyncio's).
LOOP_METHODS = {"run_in_executor": LOOP + ".run_in_executor"}
LOOP_CLASSES = {LOOP, "asyncio.SelectorEventLoop", "asyncio.ProactorEventLoop"}
FOREIGN_LOOP_LIBRARIES = {"trollius"}
_LOOP_GETTERS = {"get_event_loop", "get_running_loop", "new_event_loop"}
SERVERS = {"asyncio.start_server", "asyncio.start_unix_server"}  # call a handler with (reader, writer)


@dataclass(frozen=True)
class Target:
    api: str  # fully qualified, e.g. "asyncio.open_connection"
    line: int
    start: int  # code point range of the hovered name on `line`
    end: int


# --- values ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """The expression names this API object: a module, function, class, method or constant."""

    name: str


@dataclass(frozen=True)
class Inst:
    """An instance of the class `cls` (a StreamWriter, a Process...)."""

    cls: str


@dataclass(frozen=True)
class Tup:
    items: Tuple[object, ...]


@dataclass(frozen=True, eq=False)
class LocalClass:
    """A class the file defines (its members are looked up in its body, then its bases)."""

    node: ast.ClassDef
    region: "Region"


@dataclass(frozen=True, eq=False)
class LocalInst:
    """An instance of a class the file defines: exact for `Pool()`, not for `self` (which
    may be an instance of a subclass defined elsewhere)."""

    cls: LocalClass
    exact: bool


@dataclass(frozen=True, eq=False)
class Func:
    """A function the file defines: calling it gives what all its `return`s give."""

    node: ast.AST
    region: "Region"


class _Other:
    """Known, and not an API object: a literal, a deleted name, a local function or class
    seen as a value of its own."""

    def __repr__(self) -> str:
        return "OTHER"


OTHER = _Other()
# None stands for "unknown" (a parameter, an attribute of `self`, a call of a user function).

RETURNS: Dict[str, object] = {
    "asyncio.open_connection": Tup((Inst(READER), Inst(WRITER))),
    "asyncio.open_unix_connection": Tup((Inst(READER), Inst(WRITER))),
    "asyncio.start_server": Inst(SERVER),
    "asyncio.start_unix_server": Inst(SERVER),
    "asyncio.create_subprocess_exec": Inst(PROCESS),
    "asyncio.create_subprocess_shell": Inst(PROCESS),
    "asyncio.get_running_loop": Inst(LOOP),
    "asyncio.get_event_loop": Inst(LOOP),
    "asyncio.new_event_loop": Inst(LOOP),
}
# Calls whose awaited result is the awaited result of their first argument.
PASSTHROUGH = {"asyncio.wait_for", "asyncio.shield", "asyncio.create_task", "asyncio.ensure_future"}
ATTRIBUTES: Dict[str, object] = {
    PROCESS + ".stdout": Inst(READER),
    PROCESS + ".stderr": Inst(READER),
    PROCESS + ".stdin": Inst(WRITER),
}


def normalize(name: str) -> str:
    parts = name.split(".")
    for k in range(len(parts), 1, -1):
        head = ".".join(parts[:k])
        if head in ALIASES:
            return ".".join([ALIASES[head]] + parts[k:])
    return name


def attribute(value: object, attr: str) -> object:
    if isinstance(value, Ref):
        return Ref(normalize(f"{value.name}.{attr}"))
    if isinstance(value, Inst):
        return ATTRIBUTES.get(f"{value.cls}.{attr}", Ref(f"{value.cls}.{attr}"))
    if value is None and attr in LOOP_METHODS:
        return Ref(LOOP_METHODS[attr])
    return None


def call_result(value: object) -> object:
    if isinstance(value, Ref):
        if value.name in RETURNS:
            return RETURNS[value.name]
        if value.name in CLASSES:
            return Inst(value.name)
        library, _, last = value.name.partition(".")
        last = last.rsplit(".", 1)[-1]
        if library in FOREIGN_LOOP_LIBRARIES and (last in _LOOP_GETTERS or last.endswith("EventLoop")):
            return Inst(f"{library}.AbstractEventLoop")  # that library's loop: none of asyncio's names
    return None


def instance_of(annotation: object) -> object:
    if isinstance(annotation, Ref) and annotation.name in CLASSES:
        return Inst(annotation.name)
    return None


# --- lines and blocks ------------------------------------------------------------------------
_DEF_HEAD = re.compile(r"(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)")
_CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")
_IDENT = re.compile(r"[^\W\d]\w*")  # Python identifiers, Unicode included


def _string_state(text: str, state: Optional[str]) -> Optional[str]:
    """The triple quote still open at the end of `text`, given the one open at its start."""
    i, n = 0, len(text)
    while i < n:
        if state:
            j = text.find(state, i)
            while j > 0 and text[j - 1] == "\\":
                j = text.find(state, j + 1)
            if j < 0:
                return state
            i, state = j + 3, None
            continue
        c = text[i]
        if c == "#":
            return None
        if c in "\"'":
            if text.startswith(c * 3, i):
                state, i = c * 3, i + 3
                continue
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        i += 1
    return state


def in_string_or_comment(text: str, col: int) -> bool:
    """Whether code point `col` of a line is inside a string (as far as the line shows) or a
    comment."""
    i, n = 0, len(text)
    while i < n and i <= col:
        c = text[i]
        if c == "#":
            return True
        if c in "\"'":
            q = c * 3 if text.startswith(c * 3, i) else c
            j = i + len(q)
            while j < n and not text.startswith(q, j):
                j += 2 if text[j] == "\\" else 1
            end = min(j + len(q), n)
            if col < end or j >= n:
                return True
            i = end
            continue
        i += 1
    return False


@dataclass
class Block:
    start: int  # first line (0-based)
    end: int  # one past the last line
    defines: Optional[str]  # the name a `def`/`class` block binds; None for other statements


_NOT_A_START = frozenset(" \t#)]}\f")
_TRIPLE2 = re.compile(r"\"\"\"")  # two literal searches: faster than one alternation
_TRIPLE1 = re.compile(r"'''")
_BACKSLASH_EOL = re.compile(r"\\\n")


def scan_blocks(texts: Sequence[str], source: Optional[str] = None) -> List[Block]:
    return scan(texts, source)[0]


class LineIndex:
    """The document joined once, and offset -> line (the line starts are computed on demand)."""

    def __init__(self, texts: Sequence[str], source: Optional[str] = None):
        self.texts = texts
        self._source = source
        self._starts = array("q")  # 8 bytes a line (a list of ints costs 36)

    @property
    def source(self) -> str:
        if self._source is None:  # joined on first use: a quiet edit's model may never need it
            self._source = "\n".join(self.texts)
        return self._source

    def line_of(self, offset: int) -> int:
        if not self._starts:
            self._starts.append(0)
            self._starts.extend(accumulate(len(t) + 1 for t in self.texts))
        return bisect.bisect_right(self._starts, offset) - 1

    def lines_matching(self, pattern: "re.Pattern[str]") -> List[int]:
        """The lines holding a match of `pattern`, in order, without repeats."""
        found: List[int] = []
        for m in pattern.finditer(self.source):
            i = self.line_of(m.start())
            if not found or found[-1] != i:
                found.append(i)
        return found


def scan(texts: Sequence[str], source: Optional[str] = None, index: Optional[LineIndex] = None
         ) -> Tuple[List[Block], Callable[[int], bool]]:
    """Top-level statements: a line starting at column 0 (not a comment, a closing bracket,
    an `else:`-like clause, a line after a backslash, a decorated def, or a line inside a
    triple-quoted string) starts a block.

    Regular expressions over the joined text find the few lines that matter (column-0 lines,
    lines with triple quotes, lines ending in a backslash); Python only loops over those."""
    index = index or LineIndex(texts, source)
    source = index.source
    line_of = index.line_of

    # lines inside triple-quoted strings (from the line after the opening quote to the closing line)
    inside: List[Tuple[int, int]] = []
    string: Optional[str] = None
    opened = -1
    seen = -1
    quotes = sorted(m.start() for m in chain(_TRIPLE2.finditer(source), _TRIPLE1.finditer(source)))
    for at in quotes:
        i = line_of(at)
        if i <= seen:
            continue
        seen = i
        state = _string_state(texts[i], string)
        if string is None and state is not None:
            opened = i
        elif string is not None and state is None:
            inside.append((opened + 1, i + 1))
        elif string is not None and state is not None and state != string:
            inside.append((opened + 1, i + 1))
            opened = i
        string = state
    if string is not None:
        inside.append((opened + 1, len(texts)))
    inside_starts = [a for a, _ in inside]
    continued = {line_of(m.start()) + 1 for m in _BACKSLASH_EOL.finditer(source)}

    def in_string(i: int) -> bool:
        k = bisect.bisect_right(inside_starts, i) - 1
        return k >= 0 and inside[k][0] <= i < inside[k][1]

    starts: List[int] = []
    names: List[Optional[str]] = []
    decorator = False
    candidates = [i for i, t in enumerate(texts) if t and t[0] not in _NOT_A_START]
    for i in candidates:
        text = texts[i]
        if (continued and i in continued) or (inside and in_string(i)) or (text[0] in "efE" and _CONTINUATION.match(text)):
            continue
        d = _DEF_HEAD.match(text) if text[0] in "dac" else None
        if decorator and d:
            names[-1] = d.group(1)
        elif decorator and text[0] == "@":
            pass
        else:
            starts.append(i)
            names.append(d.group(1) if d else None)
        decorator = text[0] == "@"
    blocks = []
    for k, st in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(texts)
        blocks.append(Block(st, e, names[k]))
    return blocks, in_string


# --- big blocks -----------------------------------------------------------------------------
BIG_BLOCK = 300  # lines: a larger block is parsed as a skeleton around the line that matters


def _header_end(texts: Sequence[str], lo: int, hi: int) -> Optional[int]:
    """The line ending the compound-statement header that starts at `lo` (the one ending in
    `:`), or None."""
    for i in range(lo, min(hi, lo + 30)):
        if texts[i].split("#", 1)[0].rstrip().endswith(":"):
            return i
    return None


def skeleton(texts: Sequence[str], lo: int, hi: int, focus: Optional[int],
             in_string: Callable[[int], bool]) -> List[str]:
    """The lines of the compound statement texts[lo:hi] with every function and class that
    does not hold line `focus` cut to its header and `pass` (line numbers unchanged): what
    they bind stays, their bodies are not parsed. Big statements holding `focus` are cut
    the same way inside, recursively."""
    out = list(texts[lo:hi])
    _cut(texts, lo, hi, focus, in_string, out, lo)
    return out


def _cut(texts, lo, hi, focus, in_string, out, base) -> None:
    head = _header_end(texts, lo, hi)
    if head is None:
        return
    children: List[int] = []
    body_indent = None
    for i in range(head + 1, hi):
        t = texts[i]
        stripped = t.lstrip(" \t")
        if not stripped or stripped[0] == "#" or in_string(i):
            continue
        ind = len(t) - len(stripped)
        if body_indent is None:
            body_indent = ind
        if ind != body_indent or stripped[0] in ")]}" or _CONTINUATION.match(stripped):
            continue
        if children and texts[children[-1]].lstrip(" \t").startswith("@"):
            if not stripped.startswith("@"):
                children.append(-i)  # the def of a decorated child: same child
            continue
        children.append(i)
    starts = [c for c in children if c >= 0]
    defs = {-c for c in children if c < 0}
    for k, a in enumerate(starts):
        b = starts[k + 1] if k + 1 < len(starts) else hi
        d = next((x for x in range(a, b) if x in defs), a)
        if focus is not None and a <= focus < b:
            if b - a > BIG_BLOCK:
                _cut(texts, d, b, focus, in_string, out, base)
            continue
        if not _DEF_HEAD.match(texts[d].lstrip(" \t")):
            continue
        he = _header_end(texts, d, b)
        if he is None or he + 1 >= b:
            continue
        indent = texts[d][: len(texts[d]) - len(texts[d].lstrip(" \t"))]
        out[he + 1 - base] = indent + " pass"
        for i in range(he + 2, b):
            out[i - base] = ""


# --- parsed regions --------------------------------------------------------------------------
_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef,
           ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_FUNCS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_INDENTED_AFTER = re.compile(r"on line (\d+)")


def _open_brackets(text: str) -> str:
    """Closers for the brackets a line leaves open (strings and comments skipped)."""
    stack: List[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            break
        if c in "\"'":
            q = c * 3 if text.startswith(c * 3, i) else c
            j = text.find(q, i + len(q))
            if j < 0:
                break
            i = j + len(q)
            continue
        if c in _BRACKETS:
            stack.append(_BRACKETS[c])
        elif c in ")]}" and stack:
            stack.pop()
        i += 1
    return "".join(reversed(stack))


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" \t"))


def repair_parse(texts: List[str], attempts: int = 40, first_line: int = 0
                 ) -> Tuple[Optional[ast.Module], List[str], set]:
    """Parse `texts` (one block starting at 0-based line `first_line` of the document),
    repairing what a half-typed file breaks. Returns the tree (its line numbers are the
    document's), the lines as parsed, and the block's lines (0-based) that were blanked.

    A short block far down a long file is parsed at line 1 and its tree's line numbers moved
    after: the tokenizer would spend more on the blank lines above it than the move costs."""
    texts = list(texts)
    shift = first_line if first_line > 6 * sum(map(len, texts)) + 6 * len(texts) else 0
    first_line -= shift
    lead = "\n" * first_line
    blanked: set = set()
    touched: Dict[int, int] = defaultdict(int)
    for _ in range(attempts):
        try:
            tree = ast.parse(lead + "\n".join(texts))
            if shift:
                ast.increment_lineno(tree, shift)
            return tree, texts, blanked
        except SyntaxError as err:
            msg = err.msg or ""
            line = (err.lineno or 0) - 1 - first_line
            if not 0 <= line < len(texts):
                line = len(texts) - 1
            touched[line] += 1
            text = texts[line]
            m = _INDENTED_AFTER.search(msg)
            if msg.startswith("expected an indented block") and m and 0 < int(m.group(1)) - first_line <= len(texts):
                head = int(m.group(1)) - 1 - first_line
                texts[head] = texts[head] + " pass"
                continue
            if touched[line] == 1 and "was never closed" in msg:
                closers = _open_brackets(text)
                if closers:
                    texts[line] = text + closers
                    continue
            if touched[line] <= 2 and msg == "expected ':'" and not text.rstrip().endswith(":"):
                texts[line] = text.rstrip() + ":"
                continue
            if msg == "unexpected indent":
                # continuation lines of a statement cut short: blank the whole indented run
                base = _indent(text)
                k = line
                while k < len(texts) and (not texts[k].strip() or _indent(texts[k]) >= base):
                    if texts[k].strip():
                        texts[k] = ""
                        blanked.add(k)
                    k += 1
                continue
            if "unterminated triple-quoted" in msg:
                texts[line] = ""
                blanked.add(line)
                continue
            # blank the line; a header keeps its body in scope as `if True:`
            nxt = next((t for t in texts[line + 1:] if t.strip()), "")
            if text.strip() and _indent(nxt) > _indent(text):
                texts[line] = text[: _indent(text)] + "if True:"
            else:
                texts[line] = ""
            blanked.add(line)
            if touched[line] > 3:
                return None, texts, blanked
    return None, texts, blanked


_START_SERVER = re.compile(r"start_(?:unix_)?server")
_ALIAS_POSITIONS = sys.version_info >= (3, 10)  # before 3.10, `import` names have no positions
_IMPORT_KEYWORD = re.compile(r"\bimport\b")


def _place_aliases(tree: ast.AST, texts: List[str], first_line: int) -> None:
    """Python 3.9: give the names of `import` statements the positions 3.10 gives them, read
    from the statement's text (names in order after `import`, each with its `as` name)."""
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)):
            continue
        lo = node.lineno - 1 - first_line
        lines = texts[lo:node.end_lineno - first_line]
        joined = "\n".join(lines)
        first = lines[0].encode("utf-8")[:node.col_offset].decode("utf-8", "replace") if lines else ""
        keyword = _IMPORT_KEYWORD.search(joined, len(first))
        at = keyword.end() if keyword else len(first)
        for alias in node.names:
            parts = alias.name.split(".")
            found = re.compile(r"\s*\.\s*".join(map(re.escape, parts)) + (r"(?!\w)" if parts[-1] != "*" else "")
                               ).search(joined, at)
            if found is None:
                break
            end = found.end()
            if alias.asname:
                named = re.compile(r"\s+as\s+" + re.escape(alias.asname) + r"\b").match(joined, end)
                end = named.end() if named else end
            for attr, offset in (("lineno", found.start()), ("end_lineno", end)):
                row = joined.count("\n", 0, offset)
                line_start = joined.rfind("\n", 0, offset) + 1
                setattr(alias, attr, node.lineno + row)
                col = len(joined[line_start:offset].encode("utf-8"))
                setattr(alias, "col_offset" if attr == "lineno" else "end_col_offset", col)
            at = end
_INDEXED = (ast.Name, ast.Attribute, ast.Call, ast.alias)


class Region:
    """One parsed top-level block. Parent links and the nodes of a line are indexed lazily,
    line by line, by descending only into the nodes that span the line: a hover in one
    method of a big class does not walk the whole class."""

    def __init__(self, start: int, texts: List[str]):
        self.start = start
        tree, parsed, blanked = repair_parse(texts, first_line=start)
        if tree is not None and not _ALIAS_POSITIONS:
            _place_aliases(tree, parsed, start)
        self.tree = tree  # line numbers are the document's (1-based)
        self.blanked = {start + k for k in blanked}
        self.parents: Dict[int, Tuple[ast.AST, str]] = {}
        self.lines: Dict[int, List[ast.AST]] = {}  # 1-based line -> Name/Attribute/Call/alias spanning it
        self.bindings: Dict[int, "ScopeBindings"] = {}
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
        return body[max(0, i - 1):i]

    def parent(self, node: ast.AST) -> Tuple[Optional[ast.AST], str]:
        found = self.parents.get(id(node))
        if found is None:
            lineno = getattr(node, "lineno", None)
            if lineno is not None:
                self.nodes_on(lineno)
                found = self.parents.get(id(node))
        return found or (None, "")


_REGIONS: "OrderedDict[Tuple[int, str], Region]" = OrderedDict()
_REGION_CACHE_SIZE = 32  # parsed blocks kept (an AST costs ~50x its text: this bounds RSS)...
_REGION_CACHE_CHARS = 200_000  # ...and at most this much block text (a big block's skeleton is large)
_region_chars = 0
_MODEL_REGIONS = 256  # parsed regions a document model holds on to (oldest dropped first)


def region_for(start: int, texts: List[str], class_start: Optional[int] = None) -> Region:
    """The parsed block, shared between document versions while its text and place stay.

    With `class_start`, `texts` are the header lines of a big class (which starts at that
    line) followed by one statement of its body, placed at `start` so that the statement has
    its own line numbers; the header's nodes are moved back to the class's lines."""
    global _region_chars
    key = (start if class_start is None else (start, class_start), "\n".join(texts))
    region = _REGIONS.get(key)
    if region is None:
        region = Region(start, texts)
        if class_start is not None:
            _place_header(region, class_start, start)
        _REGIONS[key] = region
        _region_chars += len(key[1])
        while len(_REGIONS) > 1 and (len(_REGIONS) > _REGION_CACHE_SIZE or _region_chars > _REGION_CACHE_CHARS):
            old, _ = _REGIONS.popitem(last=False)
            _region_chars -= len(old[1])
    else:
        _REGIONS.move_to_end(key)
    return region


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


def clear_caches() -> None:
    """Forget every parsed block and document model (tests; memory pressure)."""
    global _region_chars
    _REGIONS.clear()
    _MODELS.clear()
    _region_chars = 0


# --- bindings --------------------------------------------------------------------------------
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
    globals: set = field(default_factory=set)
    nonlocals: set = field(default_factory=set)
    stars: List[str] = field(default_factory=list)


def _end(node: ast.AST) -> Tuple[int, int]:
    return node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]


def _start(node: ast.AST) -> Tuple[int, int]:
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


# `match` patterns (Python 3.10+; on 3.9 no node is one of these)
_MATCH_NAMES = tuple(getattr(ast, n) for n in ("MatchAs", "MatchStar") if hasattr(ast, n))
_MATCH_MAPPING = tuple(getattr(ast, n) for n in ("MatchMapping",) if hasattr(ast, n))


def collect_bindings(scope: ast.AST, region: Region) -> ScopeBindings:
    """The names a scope binds (not descending into nested scopes)."""
    out = ScopeBindings()

    def bind(name: str, b: Binding) -> None:
        b.region = region
        out.names[name].append(b)

    def bind_target(target: ast.AST, value: Optional[ast.AST], path: Tuple[int, ...], pos) -> None:
        if isinstance(target, ast.Name):
            bind(target.id, Binding(pos, "assign" if value is not None else "other", value, path))
        elif isinstance(target, (ast.Tuple, ast.List)):
            for i, elt in enumerate(target.elts):
                if isinstance(elt, ast.Starred):
                    bind_target(elt.value, None, (), pos)
                else:
                    bind_target(elt, value, path + (i,), pos)
        elif isinstance(target, ast.Starred):
            bind_target(target.value, None, (), pos)

    if isinstance(scope, _FUNCS):
        a = scope.args
        positional = a.posonlyargs + a.args
        for i, arg in enumerate(positional):
            bind(arg.arg, Binding(_start(scope), "param", scope, index=i, annotation=arg.annotation))
        for arg in a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x is not None]:
            bind(arg.arg, Binding(_start(scope), "param", scope, index=-1, annotation=None))
        body: List[ast.AST] = [scope.body] if isinstance(scope, ast.Lambda) else list(scope.body)
    elif isinstance(scope, (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
        for gen in scope.generators:
            bind_target(gen.target, None, (), _start(scope))
        body = [scope.elt] if not isinstance(scope, ast.DictComp) else [scope.key, scope.value]
        body += [g.iter for g in scope.generators[1:]] + [c for g in scope.generators for c in g.ifs]
    elif isinstance(scope, ast.ClassDef):
        body = list(scope.body)
    else:
        body = list(scope.body)  # Module

    stack = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bind(node.name, Binding(_start(node), "def", node))
            # decorators, defaults and bases run in this scope
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
            bind(node.name, Binding(_start(node), "other"))
        elif isinstance(node, ast.Delete):
            for target in node.targets:
                bind_target(target, None, (), _end(node))
        elif isinstance(node, _MATCH_NAMES) and node.name:
            bind(node.name, Binding(_start(node), "other"))
        elif isinstance(node, _MATCH_MAPPING) and node.rest:
            bind(node.rest, Binding(_start(node), "other"))
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
    if isinstance(scope, _FUNCS) and not isinstance(scope, ast.Lambda):
        # `nonlocal x` in a nested function rebinds this scope's x
        for inner in ast.walk(scope):
            if inner is not scope and isinstance(inner, (ast.FunctionDef, ast.AsyncFunctionDef)):
                ib = scope_bindings(inner, region)
                for name in ib.nonlocals & set(out.names):
                    out.names[name].extend(x for x in ib.names.get(name, ()) if x.kind != "param")
    return out


# --- the document model ------------------------------------------------------------------
class _ClassScope:
    """The class-level bindings of a big class whose body is parsed one statement at a
    time: found, name by name, by a search of the class's text (DocModel.class_bindings)."""

    globals: frozenset = frozenset()
    nonlocals: frozenset = frozenset()
    stars: List[str] = []

    def __init__(self, model: "DocModel", k: int):
        self.names = _ClassNames(model, k)


class _ClassNames:
    def __init__(self, model: "DocModel", k: int):
        self.model, self.k = model, k

    def get(self, name: str, default=None):
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


class DocModel:
    """What the resolver knows of one document version: its blocks, parsed lazily.

    A big `class` block is not parsed as one: each statement of its body (a method, mostly)
    is parsed on its own under the class's header lines, and the class-level bindings are
    found by a search of its text, name by name. A keystroke inside a method re-parses that
    method only."""

    def __init__(self, lines: Sequence[str]):
        self.lines = lines
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
        self._class_bindings: Dict[Tuple[int, str], Tuple[List[Binding], frozenset]] = {}
        self._class_heads: Dict[int, Optional[ClassHead]] = {}
        self._stars: Optional[List[str]] = None
        self._handlers: Optional[Dict[Tuple[int, int], int]] = None
        # line holding `start_server` -> (names its resolution looked up, handlers, unit)
        self._handler_parts: Dict[int, Tuple[frozenset, Dict[Tuple[int, int], int], tuple]] = {}
        self._server_lines: Optional[List[int]] = None
        self._deps: Optional[set] = None  # names looked up, while a handler part is resolved
        self._returns: Dict[int, Tuple[ast.AST, object]] = {}
        self._block_text: Dict[int, str] = {}
        self._regions: Dict[tuple, Tuple[Region, int]] = {}

    @classmethod
    def after(cls, prev: "DocModel", changes: Sequence[Tuple[int, int, int]], lines: Sequence[str]) -> "DocModel":
        """The model of the next version. When every change since `prev` replaced single lines
        that neither start a statement nor touch a triple quote or a trailing backslash (the
        common keystroke inside a function), the block structure is `prev`'s and is reused:
        no rescan of the file. Anything else builds the model afresh.

        In a big class, an edit of lines inside its statements (below their first line, or
        blank and comment lines) keeps the statements' boundaries too: only the edited
        statement's parse and what depends on its names are dropped."""
        model = cls.__new__(cls)
        model.lines = lines
        if lines and (lines[0][-1:] in ("\n", "\r") or lines[-1][-1:] in ("\n", "\r")):
            model.texts = [t.rstrip("\r\n") for t in lines]
        else:
            model.texts = list(lines)
        if len(model.texts) != len(prev.texts):
            return cls(lines)
        for first, removed, inserted in changes:
            if removed != 1 or inserted != 1 or not (_quiet(prev.texts[first]) and _quiet(model.texts[first])):
                return cls(lines)
        model.index = LineIndex(model.texts)
        model.blocks, model.in_string, model._starts = prev.blocks, prev.in_string, prev._starts
        model._fresh_caches()
        # What the edited lines cannot have changed is carried too; the rest is found again.
        changed = sorted({first for first, _, _ in changes})
        touched = [prev.texts[i] for i in changed] + [model.texts[i] for i in changed]

        def untouched(names) -> bool:
            return not any(n in t for n in names for t in touched)

        by_block: Dict[int, List[int]] = defaultdict(list)
        for i in changed:
            by_block[prev.block_index(i)].append(i)
        whole = set()  # blocks whose every cache goes
        units = set()  # (block, first line of the statement) edited inside a big class
        for k, edited in by_block.items():
            head = prev.class_head(k) if k >= 0 else None
            if head is None or not all(_inside(prev.texts[i], head) and _inside(model.texts[i], head)
                                       and i > head.head_end for i in edited):
                whole.add(k)
                continue
            for i in edited:
                units.add((k, prev.child_at(k, i, head).start))

        def kept(k: int, start: Optional[int]) -> bool:
            return k not in whole and (start is None or (k, start) not in units)

        def bindings_kept(found: List[Binding]) -> bool:
            return all(b.pos[0] - 1 < 0 or prev.block_index(b.pos[0] - 1) not in by_block for b in found)

        model._defs = prev._defs  # def/class names of blocks: the block structure is the same
        model._module_bindings = {n: b for n, b in prev._module_bindings.items()
                                  if untouched((n,)) and bindings_kept(b)}
        model._class_bindings = {key: v for key, v in prev._class_bindings.items()
                                 if key[0] not in whole and untouched((key[1],))
                                 and not any((key[0], s) in units for s in v[1])}
        model._class_heads = {k: h for k, h in prev._class_heads.items() if k not in whole}
        model._stars = prev._stars if not any("import" in t for t in touched) else None
        if not any(_START_SERVER.search(t) for t in touched):
            model._server_lines = prev._server_lines
        # An edit inside a function binds that function's names only (unless it says
        # `global`/`nonlocal`): a handler found elsewhere stands whatever names it touches.
        names_matter = any("global" in t or "nonlocal" in t for t in touched) or any(
            k < 0 or prev.blocks[k].defines is None for k in by_block)
        model._handler_parts = {i: part for i, part in prev._handler_parts.items()
                                if kept(*part[2]) and (not names_matter or untouched(part[0]))}
        model._block_text = {k: t for k, t in prev._block_text.items() if k not in by_block}
        model._regions = {key: r for key, r in prev._regions.items() if kept(key[0], key[1] if len(key) > 1 else None)}
        return model

    def block_index(self, line: int) -> int:
        return bisect.bisect_right(self._starts, line) - 1

    # -- big classes: one statement of the body at a time -----------------------------------
    def class_head(self, k: int) -> Optional[ClassHead]:
        """The head of block k if it is a big `class` (parsed a statement at a time)."""
        if k in self._class_heads:
            return self._class_heads[k]
        head = None
        b = self.blocks[k]
        if b.end - b.start > BIG_BLOCK and b.defines is not None:
            line = next((i for i in range(b.start, min(b.end, b.start + 60))
                         if _DEF_HEAD.match(self.texts[i])), None)
            end = _header_end(self.texts, line, b.end) if line is not None else None
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
        return (bool(stripped) and stripped[0] not in "#)]}" and len(t) - len(stripped) == indent
                and not self.in_string(i) and not _CONTINUATION.match(stripped))

    def child_at(self, k: int, line: int, head: ClassHead) -> Child:
        """The statement of the class body holding `line` (below the class header), with
        its decorators."""
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
        def_line = d if d < end and _DEF_HEAD.match(self.texts[d].lstrip(" \t")) else None
        e = max(d, line) + 1
        while e < end and not self._starts_child(e, head.indent):
            e += 1
        return Child(start, e, def_line)

    def _class_region(self, k: int, head: ClassHead, focus: Optional[int]) -> Region:
        """Block k, a big class, parsed around line `focus`: its header lines, then the one
        statement of its body holding `focus` at its own lines (a big statement cut to a
        skeleton around `focus`). Without a focus (or on the header), the header alone."""
        b = self.blocks[k]
        header = self.texts[b.start:head.head_end + 1]
        if focus is None or focus <= head.head_end:
            key: tuple = (k, None)
            found = self._regions.get(key)
            if found is None:
                pad = " " * head.indent + "pass"
                found = self._keep(key, (region_for(b.start, header + [pad], class_start=b.start), b.end))
            return found[0]
        child = self.child_at(k, focus, head)
        if child.end - child.start > BIG_BLOCK:
            inner = _child_start_in(self.texts, child.start, child.end, focus, self.in_string)
            key = (k, child.start, inner)
            texts = skeleton(self.texts, child.start, child.end, focus, self.in_string)
        else:
            key = (k, child.start)
            texts = None
        found = self._regions.get(key)
        if found is None:
            if texts is None:
                texts = self.texts[child.start:child.end]
            region = region_for(child.start - len(header), header + texts, class_start=b.start)
            found = self._keep(key, (region, child.end))
        return found[0]

    def class_bindings(self, k: int, name: str) -> List[Binding]:
        """The bindings of `name` directly in the body of big class k, in file order: the
        statements of the body that may bind it are found by a search of the class's text
        (as module_bindings does for the module), and only those are parsed."""
        key = (k, name)
        found = self._class_bindings.get(key)
        if self._deps is not None:
            self._deps.add(name)
        if found is not None:
            return found[0]
        head = self.class_head(k)
        bindings: List[Binding] = []
        sources = set()
        if head is not None:
            text = self._text_of(k)
            n = re.escape(name)
            offsets = []
            for binds in (rf"{n}(?<![\w.]{n})\s*(?:[,:)\]]|=(?!=))", rf"as\s+{n}\b",
                          rf"(?:del|global|import|for)\b[^\n]*{n}\b", rf"(?:def|class)\s+{n}\b"):
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

    def bindings_of(self, scope: ast.AST, region: Region):
        """The names `scope` binds; for a big class parsed a statement at a time, all of the
        class's (found in its text when asked)."""
        if isinstance(scope, ast.ClassDef) and region.class_start is not None and region.tree is not None \
                and region.tree.body and scope is region.tree.body[0]:
            k = self.block_index(region.class_start)
            if k >= 0 and self.blocks[k].start == region.class_start and self.class_head(k) is not None:
                return _ClassScope(self, k)
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
                region = region_for(b.start, self.texts[b.start:b.end])
            else:
                region = region_for(b.start, skeleton(self.texts, b.start, b.end, focus, self.in_string))
                if region.tree is None:  # the cut went wrong: parse the whole block
                    region = region_for(b.start, self.texts[b.start:b.end])
            found = self._keep((k, focus), (region, b.end))
        return found[0]

    def _keep(self, key: tuple, found: Tuple[Region, int]) -> Tuple[Region, int]:
        self._regions[key] = found
        if len(self._regions) > _MODEL_REGIONS:  # bounded: a class of thousands of handlers
            del self._regions[next(iter(self._regions))]
        return found

    def _child_start(self, k: int, line: int) -> int:
        """The first line of the statement at the block's body indentation holding `line`."""
        b = self.blocks[k]
        return _child_start_in(self.texts, b.start, b.end, line, self.in_string)

    def region_at(self, line: int) -> Optional[Region]:
        k = self.block_index(line)
        return self.region(k, line) if k >= 0 else None

    def _unit(self, line: int) -> tuple:
        """What an edit must leave alone for a result about `line` to stand: its block, or in
        a big class, the statement of the body holding it."""
        k = self.block_index(line)
        head = self.class_head(k) if k >= 0 else None
        if head is None or line <= head.head_end:
            return (k, None)
        return (k, self.child_at(k, line, head).start)

    def _text_of(self, k: int) -> str:
        text = self._block_text.get(k)
        if text is None:
            b = self.blocks[k]
            text = self._block_text[k] = "\n".join(self.texts[b.start:b.end])
        return text

    def module_bindings(self, name: str) -> List[Binding]:
        """Every module-level binding of `name`, in file order: the `def`/`class` blocks that
        define it, and the other statements that may bind it, found by one search of the
        document's text (a use such as `asyncio.run(...)` is no binding)."""
        if self._deps is not None:
            self._deps.add(name)
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
        for binds in (  # each starts with a literal: a fast search of the whole text
                rf"{n}(?<![\w.]{n})\s*(?:[,:)\]]|=(?!=))",  # name = / name, / name: / name)
                rf"as\s+{n}\b",
                rf"(?:del|global|import)\b[^\n]*{n}\b"):
            lines.update(self.index.lines_matching(re.compile(binds)))
        blocks = sorted({k for k in map(self.block_index, lines) if k >= 0})
        for k in blocks:
            if self.blocks[k].defines is not None:
                if "global" in self._text_of(k):
                    found.extend(self._global_bindings(k, name))
                continue
            region = self.region(k)
            if region.tree is None:
                continue
            found.extend(scope_bindings(region.tree, region).names.get(name, ()))
        found.sort(key=lambda bd: bd.pos)
        self._module_bindings[name] = found
        return found

    def _global_bindings(self, k: int, name: str) -> List[Binding]:
        """Bindings of `name` in functions of block k that declare it `global`."""
        found: List[Binding] = []
        block = self.blocks[k]
        focuses = {None} if block.end - block.start <= BIG_BLOCK else {
            i for i in range(block.start, block.end) if "global" in self.texts[i] and name in self.texts[i]}
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

    def handlers(self) -> Dict[Tuple[int, int], int]:
        """Functions passed to `start_server` (or `start_unix_server`) as its callback -> how
        many leading parameters come before (reader, writer) (1 for a method, more for
        `functools.partial` args). Every line naming a server is resolved on its own, and
        kept while an edit leaves its statement and the names it looked up alone."""
        if self._handlers is not None:
            return self._handlers
        self._handlers = merged = {}  # seen, partly filled, by the look-ups below
        if self._server_lines is None:
            self._server_lines = self.index.lines_matching(_START_SERVER)
        for i in self._server_lines:
            part = self._handler_parts.get(i)
            if part is None:
                part = self._handler_parts[i] = self._handlers_on_line(i)
            merged.update(part[1])
        return merged

    def _handlers_on_line(self, i: int) -> Tuple[frozenset, Dict[Tuple[int, int], int], tuple]:
        found: Dict[Tuple[int, int], int] = {}
        k = self.block_index(i)
        unit = self._unit(i)
        if k < 0:
            return frozenset(), found, unit
        region = self.region(k, i)
        if region.tree is None:
            return frozenset(), found, unit
        outer, self._deps = self._deps, set()
        try:
            for node in list(region.nodes_on(i + 1)):
                if isinstance(node, ast.Call):
                    self._handler_of_call(node, region, found)
            deps = frozenset(self._deps)
        finally:
            self._deps = outer
        return deps, found, unit

    def _handler_of_call(self, call: ast.Call, region: Region, found: Dict[Tuple[int, int], int]) -> None:
        server = evaluate(self, call.func, region)
        if not (isinstance(server, Ref) and server.name in SERVERS):
            return
        cb = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "client_connected_cb"), None)
        skip = 0
        if (isinstance(cb, ast.Call) and cb.args
                and evaluate(self, cb.func, region) == Ref("functools.partial")):
            skip = len(cb.args) - 1
            cb = cb.args[0]
        if isinstance(cb, ast.Lambda):
            found[_start(cb)] = skip
        elif isinstance(cb, ast.Name):
            b = lookup(self, cb.id, scopes_of(region, cb), _start(cb), region)
            if b is not None and b.kind == "def" and isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[_start(b.node)] = skip
        elif isinstance(cb, ast.Attribute) and isinstance(cb.value, ast.Name):
            cls = _enclosing(region, cb, ast.ClassDef)
            if cls is not None:
                if self._deps is not None:
                    self._deps.add(cb.attr)
                for b in self.bindings_of(cls, region).names.get(cb.attr, ()):
                    if b.kind == "def" and isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        found[_start(b.node)] = skip + 1


def _inside(text: str, head: ClassHead) -> bool:
    """A line that cannot start a statement of the class body: blank, a comment, or deeper."""
    stripped = text.lstrip(" \t")
    return not stripped or stripped[0] == "#" or len(text) - len(stripped) > head.indent


def _child_start_in(texts: Sequence[str], lo: int, hi: int, line: int, in_string: Callable[[int], bool]) -> int:
    """The first line of the statement at the body indentation of the compound statement
    texts[lo:hi] that holds `line`."""
    head = _header_end(texts, lo, hi)
    if head is None or line <= head:
        return lo
    indent = None
    for i in range(head + 1, hi):
        t = texts[i]
        stripped = t.lstrip(" \t")
        if stripped and stripped[0] != "#" and not in_string(i):
            indent = len(t) - len(stripped)
            break
    if indent is None:
        return lo
    i = line
    while i > head + 1:
        t = texts[i]
        stripped = t.lstrip(" \t")
        if (stripped and stripped[0] not in "#)]}" and len(t) - len(stripped) == indent
                and not in_string(i) and not _CONTINUATION.match(stripped)):
            break
        i -= 1
    return i


def scope_bindings(scope: ast.AST, region: Region) -> ScopeBindings:
    found = region.bindings.get(id(scope))
    if found is None:
        found = region.bindings[id(scope)] = collect_bindings(scope, region)
    return found


def _enclosing(region: Region, node: ast.AST, kind) -> Optional[ast.AST]:
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
    chain.append(region.tree)
    return chain


def scopes_at_line(region: Region, line1: int, indent: int) -> List[ast.AST]:
    """The scopes of a (blanked) line, from the statements around it and its indentation."""
    container: ast.AST = region.tree
    while True:
        bodies = [getattr(container, f, None) for f in ("body", "orelse", "finalbody", "handlers", "cases")]
        last = None
        for body in bodies:
            if isinstance(body, list):
                for stmt in body:
                    if isinstance(stmt, ast.AST) and hasattr(stmt, "lineno") and stmt.lineno <= line1:
                        if last is None or stmt.lineno >= last.lineno:
                            last = stmt
        if last is None or last.col_offset >= indent or not any(
                isinstance(getattr(last, f, None), list) for f in ("body", "handlers", "cases")):
            break
        container = last
    chain: List[ast.AST] = []
    node: Optional[ast.AST] = container
    child_field = "body"
    while node is not None:
        if isinstance(node, _SCOPES) and child_field == "body":
            chain.append(node)
        parent, fld = region.parent(node)
        node, child_field = parent, fld if parent is not None else "body"
    if not chain or chain[-1] is not region.tree:
        chain.append(region.tree)
    return chain


def lookup(model: DocModel, name: str, scopes: List[ast.AST], pos: Tuple[int, int], region: Region) -> Optional[Binding]:
    """The binding `name` refers to at `pos`, seen from `scopes` (innermost first)."""
    if model._deps is not None:
        model._deps.add(name)
    flow = True  # the use runs where it stands (not later, from a nested function)
    skip_to_function = False
    for depth, scope in enumerate(scopes):
        is_module = isinstance(scope, ast.Module)
        if is_module:
            break
        if isinstance(scope, ast.ClassDef) and depth > 0:
            continue  # class bodies are not visible from the functions inside them
        if skip_to_function and not isinstance(scope, _FUNCS):
            continue
        skip_to_function = False
        b = model.bindings_of(scope, region)
        if name in b.globals:
            return _module_lookup(model, name, pos if flow else None)
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
    return _module_lookup(model, name, pos if flow else None)


def _module_lookup(model: DocModel, name: str, pos: Optional[Tuple[int, int]]) -> Optional[Binding]:
    found = model.module_bindings(name)
    if pos is not None:
        found = [b for b in found if b.pos <= pos]
    if found:
        return found[-1]
    for module in model.stars():
        return Binding((0, 0), "import", name=f"{module}.{name}")
    return None


_MAX_DEPTH = 24


def binding_value(model: DocModel, b: Optional[Binding], depth: int = 0) -> object:
    if b is None:
        return None
    if b.kind == "import":
        return Ref(normalize(b.name))
    if depth > _MAX_DEPTH:
        return None
    if b.kind == "assign":
        value = evaluate(model, b.node, b.region, depth + 1)
        for i in b.path:
            value = value.items[i] if isinstance(value, Tup) and i < len(value.items) else None
        return value
    if b.kind == "annotated":
        value = evaluate(model, b.node, b.region, depth + 1) if b.node is not None else None
        if value is None and b.annotation is not None:
            value = instance_of(evaluate(model, b.annotation, b.region, depth + 1))
        return value
    if b.kind == "with":
        value = evaluate(model, b.node, b.region, depth + 1)
        return value if value == Inst(SERVER) else (None if value is None else OTHER)
    if b.kind == "param":
        if b.annotation is not None:
            value = instance_of(evaluate(model, b.annotation, b.region, depth + 1))
            if value is not None:
                return value
        func = b.node
        skip = model.handlers().get(_start(func)) if func is not None else None
        if skip is not None and b.index >= 0:
            value = {0: Inst(READER), 1: Inst(WRITER)}.get(b.index - skip)
            if value is not None:
                return value
        if b.index == 0 and isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.region is not None:
            return _first_parameter(func, b.region)
        return None
    if b.kind == "def":
        if isinstance(b.node, ast.ClassDef) and b.region is not None:
            return LocalClass(b.node, b.region)
        if isinstance(b.node, (ast.FunctionDef, ast.AsyncFunctionDef)) and b.region is not None:
            return Func(b.node, b.region)
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
    return cls if "classmethod" in decorators else LocalInst(cls, exact=False)


def _decorator_names(node: Optional[ast.AST]) -> set:
    """The last names of a definition's decorators (`property`, `functools.cached_property`)."""
    names = set()
    for d in getattr(node, "decorator_list", ()):
        d = d.func if isinstance(d, ast.Call) else d
        names.add(d.id if isinstance(d, ast.Name) else d.attr if isinstance(d, ast.Attribute) else "")
    return names


def _class_member(model: DocModel, cls: LocalClass, attr: str, depth: int, seen: set) -> Tuple[Optional[Binding], str]:
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
        elif isinstance(value, Ref) and value.name in LOOP_CLASSES:
            inherited = "loop"
        elif value is None and isinstance(base, ast.Name) and base.id == "object":
            inherited = "known"
        else:
            inherited = "unknown"
        if inherited == "loop" or (inherited == "unknown" and status == "known"):
            status = inherited
    return None, status


def member(model: DocModel, value: object, attr: str, depth: int = 0) -> object:
    """`value.attr` for everything `attribute` covers and the file's own classes."""
    if not isinstance(value, (LocalClass, LocalInst)):
        return attribute(value, attr)
    cls = value if isinstance(value, LocalClass) else value.cls
    if model._deps is not None:
        model._deps.add(attr)
    found, bases = _class_member(model, cls, attr, depth, {id(cls.node)})
    if found is not None:
        if attr in LOOP_METHODS:
            return OTHER  # the class's own run_in_executor
        if found.kind != "def":
            return None  # a class attribute: the instance may hold another value
        decorators = _decorator_names(found.node)
        if decorators & {"property", "cached_property"} and found.region is not None:
            return returns_of(model, Func(found.node, found.region), depth + 1)
        if decorators - {"staticmethod", "classmethod"}:
            return None  # wrapped by something sheetls cannot see
        return binding_value(model, found, depth + 1)
    if attr in LOOP_METHODS:
        exact = isinstance(value, LocalClass) or value.exact
        if bases == "known" and exact:
            return OTHER  # the file shows the whole class: it has no such method
        return Ref(LOOP_METHODS[attr])
    return None


_PENDING = object()


def returns_of(model: DocModel, func: Func, depth: int) -> object:
    """What calling the file's function `func` gives: the value every one of its `return`s
    gives, when they all agree (and None when one returns nothing or something else)."""
    memo = model._returns.get(id(func.node))
    if memo is not None and memo[0] is func.node:
        return None if memo[1] is _PENDING else memo[1]
    model._returns[id(func.node)] = (func.node, _PENDING)  # a function calling itself: unknown
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
    model._returns[id(func.node)] = (func.node, value)
    return value


def evaluate(model: DocModel, node: Optional[ast.AST], region: Optional[Region], depth: int = 0) -> object:
    if node is None or region is None or depth > _MAX_DEPTH:
        return None
    if isinstance(node, ast.Name):
        return binding_value(model, lookup(model, node.id, scopes_of(region, node), _start(node), region), depth + 1)
    if isinstance(node, ast.Attribute):
        return member(model, evaluate(model, node.value, region, depth + 1), node.attr, depth + 1)
    if isinstance(node, ast.Call):
        func = evaluate(model, node.func, region, depth + 1)
        if isinstance(func, Ref) and func.name in PASSTHROUGH and node.args:
            return evaluate(model, node.args[0], region, depth + 1)
        if isinstance(func, Func):
            return returns_of(model, func, depth + 1)
        if isinstance(func, LocalClass):
            return LocalInst(func, exact=True)
        return call_result(func)
    if isinstance(node, (ast.Await, ast.YieldFrom)):  # `yield from`: generator-based coroutines
        return evaluate(model, node.value, region, depth + 1)
    if isinstance(node, ast.NamedExpr):
        return evaluate(model, node.value, region, depth + 1)
    if isinstance(node, ast.Tuple):
        return Tup(tuple(evaluate(model, e, region, depth + 1) for e in node.elts))
    if isinstance(node, ast.Subscript):
        value = evaluate(model, node.value, region, depth + 1)
        idx = node.slice
        if isinstance(value, Tup) and isinstance(idx, ast.Constant) and isinstance(idx.value, int):
            return value.items[idx.value] if -len(value.items) <= idx.value < len(value.items) else None
        return None
    if isinstance(node, (ast.Constant, ast.JoinedStr, ast.List, ast.Dict, ast.Set, ast.Lambda, ast.BinOp,
                         ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Compare)):
        return OTHER
    return None


# --- the cursor ------------------------------------------------------------------------------
_MODELS: "OrderedDict[int, DocModel]" = OrderedDict()
_MODEL_CACHE_SIZE = 4  # documents (versions) whose model is kept: the open ones a user hovers in


def _quiet(text: str) -> bool:
    """A line whose edit cannot move a block boundary or a string (see DocModel.after)."""
    return (not text or text[0] in _NOT_A_START) and "\"\"\"" not in text and "'''" not in text \
        and not text.endswith("\\")


def carry_model(old_lines: Sequence[str], changes: Optional[Sequence[Tuple[int, int, int]]],
                new_lines: Sequence[str]) -> None:
    """Derive the model of `new_lines` from the cached model of `old_lines`, if there is one
    and the line changes between them are known (the server's line store reports them)."""
    prev = _MODELS.get(id(old_lines))
    if prev is None or prev.lines is not old_lines or changes is None or id(new_lines) in _MODELS:
        return
    _MODELS[id(new_lines)] = DocModel.after(prev, changes, new_lines)
    if len(_MODELS) > _MODEL_CACHE_SIZE:
        _MODELS.popitem(last=False)


def model_for(lines: Sequence[str]) -> DocModel:
    """One model per document version: keyed by the identity of the version's lines (the
    server keeps one lines object per version; the cache holds it, so the id stays unique)."""
    key = id(lines)
    model = _MODELS.get(key)
    if model is not None and model.lines is lines:
        _MODELS.move_to_end(key)
        return model
    model = DocModel(lines)
    _MODELS[key] = model
    if len(_MODELS) > _MODEL_CACHE_SIZE:
        _MODELS.popitem(last=False)
    return model


def _byte_col(text: str, col: int) -> int:
    return len(text[:col].encode("utf-8", "surrogatepass"))


def _char_col(text: str, byte_col: int) -> int:
    return len(text.encode("utf-8", "surrogatepass")[:byte_col].decode("utf-8", "surrogatepass"))


def _dotted(node: ast.AST) -> bool:
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name)


Known = Callable[[str], bool]


def resolve_at(lines: Sequence[str], line: int, col: int, imports: Optional[Imports] = None,
               known: Optional[Known] = None) -> Optional[Target]:
    """The API named at (line, code point col), or None. `known(api)` says which qualified
    names the sheet documents (default: any name under `asyncio`)."""
    if line < 0 or line >= len(lines):
        return None
    known = known or (lambda api: api.startswith("asyncio."))
    model = model_for(lines)
    text = model.texts[line]
    if col < 0 or col > len(text):
        return None
    region = model.region_at(line)
    if region is None or region.tree is None:
        return _line_based(model, line, col, known, imports) if region is not None else None
    if line in region.blanked:
        return _textual(model, region, line, col, known)
    return _from_tree(model, region, line, col, known)


def _from_tree(model: DocModel, region: Region, line: int, col: int, known: Known) -> Optional[Target]:
    text = model.texts[line]
    bcol = _byte_col(text, col)
    line1 = line + 1
    hit: Optional[ast.AST] = None
    for node in region.nodes_on(line1):
        if isinstance(node, ast.Name) and node.lineno == line1 and node.col_offset <= bcol < node.end_col_offset:
            if isinstance(node.ctx, ast.Load):
                hit = node
        elif isinstance(node, ast.Attribute) and node.end_lineno == line1:
            start = node.end_col_offset - len(node.attr.encode("utf-8"))
            if start <= bcol < node.end_col_offset:
                hit = node
        elif isinstance(node, ast.alias) and node.lineno == line1:
            name_end = node.col_offset + len(node.name.encode("utf-8"))
            if node.col_offset <= bcol < name_end:
                return _from_import(region, node, line, text, bcol, known)
            if node.asname and node.end_lineno == line1:
                as_start = node.end_col_offset - len(node.asname.encode("utf-8"))
                if as_start <= bcol < node.end_col_offset:  # `as oc`: the local name of the API
                    return _from_import(region, node, line, text, bcol, known, (as_start, node.end_col_offset))
    if hit is None:
        return None
    node = hit
    while True:
        value = evaluate(model, node, region)
        if isinstance(value, Ref) and known(value.name):
            return _target(value.name, node, line, text)
        parent, fld = region.parent(node)
        if isinstance(parent, ast.Attribute) and fld == "value":
            node = parent
            continue
        return None


def _target(api: str, node: ast.AST, line: int, text: str) -> Target:
    line1 = line + 1
    if _dotted(node) and node.lineno == line1 and node.end_lineno == line1:  # type: ignore[attr-defined]
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    elif isinstance(node, ast.Attribute):
        end = node.end_col_offset
        start = end - len(node.attr.encode("utf-8"))
    else:
        start, end = node.col_offset, node.end_col_offset  # type: ignore[attr-defined]
    return Target(api, line, _char_col(text, start), _char_col(text, end))


def _from_import(region: Region, alias: ast.alias, line: int, text: str, bcol: int, known: Known,
                 asname: Optional[Tuple[int, int]] = None) -> Optional[Target]:
    """`from asyncio import open_connection [as oc]`: the imported name (or its local name)
    is the API itself."""
    stmt, _ = region.parent(alias)
    if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
        api = normalize(f"{stmt.module}.{alias.name}")
    elif isinstance(stmt, ast.Import) and asname is not None:
        api = normalize(alias.name)
    elif isinstance(stmt, ast.Import):
        # `import asyncio.subprocess`: the part under the cursor and what comes before it
        parts = alias.name.split(".")
        offset = alias.col_offset
        api = ""
        for i, part in enumerate(parts):
            end = offset + len(part.encode("utf-8"))
            if bcol < end:
                api = normalize(".".join(parts[: i + 1]))
                break
            offset = end + 1
    else:
        return None
    if not api or not known(api):
        return None
    start, end = asname or (alias.col_offset, alias.col_offset + len(alias.name.encode("utf-8")))
    return Target(api, line, _char_col(text, start), _char_col(text, end))


def dotted_chain(text: str, col: int) -> Optional[Tuple[List[Optional[str]], List[Tuple[int, int]], int]]:
    """The dotted chain of identifiers through `col`: parts (None for a non-name root such as
    a call), their code point spans, and the index of the part under `col`."""
    spans = [(m.start(), m.end()) for m in _IDENT.finditer(text)]
    at = next((k for k, (s, e) in enumerate(spans) if s <= col < e), None)
    if at is None:
        return None

    def joined(a: Tuple[int, int], b: Tuple[int, int]) -> bool:
        return text[a[1]:b[0]].strip(" \t") == "."

    first = at
    while first > 0 and joined(spans[first - 1], spans[first]):
        first -= 1
    last = at
    while last + 1 < len(spans) and joined(spans[last], spans[last + 1]):
        last += 1
    parts: List[Optional[str]] = [text[s:e] for s, e in spans[first:last + 1]]
    chain_spans = spans[first:last + 1]
    before = text[: chain_spans[0][0]].rstrip(" \t")
    if before.endswith("."):
        parts.insert(0, None)
        chain_spans.insert(0, (chain_spans[0][0], chain_spans[0][0]))
        at += 1
    return parts, chain_spans, at - first


def _chain_target(model: DocModel, line: int, col: int, known: Known, root) -> Optional[Target]:
    text = model.texts[line]
    if in_string_or_comment(text, col):
        return None
    found = dotted_chain(text, col)
    if found is None:
        return None
    parts, spans, at = found
    values: List[object] = [root(parts[0], _byte_col(text, spans[0][0])) if parts[0] is not None else None]
    for k in range(1, len(parts)):
        values.append(member(model, values[-1], parts[k]))  # type: ignore[arg-type]
    first = 0 if parts[0] is not None else 1
    for k in range(max(at, first), len(parts)):
        value = values[k]
        if isinstance(value, Ref) and known(value.name):
            return Target(value.name, line, spans[first][0], spans[k][1])
    return None


def _textual(model: DocModel, region: Region, line: int, col: int, known: Known) -> Optional[Target]:
    """The cursor is on a line that had to be blanked to parse its block: read the dotted
    name from the text and resolve its root through the scopes around the line."""
    scopes = scopes_at_line(region, line + 1, _indent(model.texts[line]))

    def root(name: str, byte_col: int) -> object:
        return binding_value(model, lookup(model, name, scopes, (line + 1, byte_col), region))

    return _chain_target(model, line, col, known, root)


def _line_based(model: DocModel, line: int, col: int, known: Known, imports: Optional[Imports]) -> Optional[Target]:
    """Last resort, for a block that stays broken after repair: the file's imports."""
    names = (imports if imports is not None else scan_imports(model.texts)).names

    def root(name: str, byte_col: int) -> object:
        return Ref(normalize(names[name])) if name in names else None

    return _chain_target(model, line, col, known, root)
