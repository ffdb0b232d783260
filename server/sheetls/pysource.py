"""The one Python source scanner: what a line's strings, comments and brackets hide, where the
top-level statements (blocks) start, and the `def`/`class` headers. No parsing; it works on
half-typed files. The resolver, the completion context (context.py), the completion forms
(forms.py) and the import scan (pyimports.py) all read Python source through it.

- lines: `string_state` (the triple quote open at a line's end), `in_string_or_comment`,
  `open_brackets`, `bracket_balance`, `indent`, `DEF_HEADER`/`def_name`, `CONTINUATION`;
- tokens: `TOKEN` and `STRING_END`, the lexer's tokens (context.py runs it);
- blocks: `scan` (top-level statements, and which lines start inside a triple-quoted string),
  `LineIndex` (offset -> line over the joined text), `RunsIndex` (a search of some runs of lines);
- big blocks: `header_end`, `child_start_in`, `skeleton` (a compound statement with every
  function and class away from one line cut to its header).
"""

from __future__ import annotations

import bisect
import re
from array import array
from dataclasses import dataclass
from itertools import accumulate, chain
from typing import Callable, List, Optional, Sequence, Tuple

# --- lines -------------------------------------------------------------------------------------
# `def`/`class` at the start of a text: group 1 `async`, group 2 the keyword, group 3 the name
# (None while the name is not typed yet).
DEF_HEADER = re.compile(r"(?:(async)[ \t]+)?(def|class)\b(?:[ \t]+([A-Za-z_]\w*))?")
CONTINUATION = re.compile(r"(?:else|elif|except|finally)\b")  # clauses that continue a statement
IDENT = re.compile(r"[^\W\d]\w*")  # Python identifiers, Unicode included
_BRACKETS = {"(": ")", "[": "]", "{": "}"}
_ONE_LINE_STRING = re.compile(r"\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'")


def def_name(text: str, pos: int = 0) -> Optional[str]:
    """The name a `def`/`class` header starting at `pos` of `text` binds; None for other text."""
    m = DEF_HEADER.match(text, pos)
    return m.group(3) if m else None


def indent(text: str) -> int:
    """Columns of leading spaces and tabs (each one column)."""
    return len(text) - len(text.lstrip(" \t"))


def string_state(text: str, state: Optional[str]) -> Optional[str]:
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


def open_brackets(text: str) -> str:
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


def bracket_balance(text: str) -> int:
    """Brackets a line opens minus those it closes, one-line strings skipped."""
    code = _ONE_LINE_STRING.sub('""', text)
    return code.count("(") + code.count("[") + code.count("{") - code.count(")") - code.count("]") - code.count("}")


# --- tokens (context.py's lexer) ------------------------------------------------------------------
TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<str>(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])?(?:'''|\"\"\"|'|\"))
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>[0-9][0-9A-Za-z_.]*)
  | (?P<open>[(\[{])
  | (?P<close>[)\]}])
  | (?P<cont>\\\n)
  | (?P<nl>\n)
  | (?P<ws>[ \t\f\r]+)
  | (?P<op>->|:=|\*\*=|//=|>>=|<<=|[-+*/%&|^@<>=!]=|\*\*|//|<<|>>|.)
    """,
    re.VERBOSE,
)
# A string's body up to its closing quote; a backslash escapes the next character, or ends
# the text when the cut before the cursor leaves it last (`"a\\nb|"` is cut after `\\`).
STRING_END = {
    "'": re.compile(r"(?:[^'\\\n]|\\.|\\\Z)*('|\n|$)", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n]|\\.|\\\Z)*("|\n|$)', re.DOTALL),
    "'''": re.compile(r"(?:[^'\\]|\\.|\\\Z|'(?!''))*(''')?", re.DOTALL),
    '"""': re.compile(r'(?:[^"\\]|\\.|\\\Z|"(?!""))*(""")?', re.DOTALL),
}


# --- blocks --------------------------------------------------------------------------------------
@dataclass
class Block:
    start: int  # first line (0-based)
    end: int  # one past the last line
    defines: Optional[str]  # the name a `def`/`class` block binds; None for other statements


NOT_A_START = frozenset(" \t#)]}\f")
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

    def lines_matching(self, pattern: re.Pattern[str]) -> List[int]:
        """The lines holding a match of `pattern`, in order, without repeats. The line breaks
        before each match are counted (in C) rather than the line starts built: a version's
        first search of its text took 1 ms more at 10,000 lines that way."""
        return _lines_matching(self.source, pattern)

    def part(self, runs: Sequence[Tuple[int, int]]) -> RunsIndex:
        """A search of some runs of these lines only (RunsIndex)."""
        return RunsIndex(self.texts, runs)


def _lines_matching(source: str, pattern: re.Pattern[str]) -> List[int]:
    found: List[int] = []
    line, at = 0, 0
    for m in pattern.finditer(source):
        line += source.count("\n", at, m.start())
        at = m.start()
        if not found or found[-1] != line:
            found.append(line)
    return found


class RunsIndex:
    """Runs of a document's lines, [lo, hi) each, joined as one text to search in place of the
    whole document's: the runs, in order, each its lines joined by line breaks as in the
    document, and between two runs a line holding only NUL, which no match of a pattern that
    needs a name, a space or a bracket can cross or start on. A search of it finds, in the
    lines of the runs, the matches a search of the whole text finds there, except those that
    run on into the lines between two runs (the caller picks runs where none can)."""

    SEPARATOR = "\n\x00\n"

    def __init__(self, texts: Sequence[str], runs: Sequence[Tuple[int, int]]):
        self.runs = list(runs)
        self.source = self.SEPARATOR.join("\n".join(texts[lo:hi]) for lo, hi in runs)
        self._at: List[int] = []  # the line of the text each run starts at
        line = 0
        for lo, hi in runs:
            self._at.append(line)
            line += hi - lo + 1

    def lines_matching(self, pattern: re.Pattern[str]) -> List[int]:
        """The document's lines holding the start of a match of `pattern` in the text, in order."""
        found = []
        for line in _lines_matching(self.source, pattern):
            k = bisect.bisect_right(self._at, line) - 1
            found.append(self.runs[k][0] + line - self._at[k])
        return found


def scan(
    texts: Sequence[str], source: Optional[str] = None, index: Optional[LineIndex] = None
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
        state = string_state(texts[i], string)
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
    candidates = [i for i, t in enumerate(texts) if t and t[0] not in NOT_A_START]
    for i in candidates:
        text = texts[i]
        if (
            (continued and i in continued)
            or (inside and in_string(i))
            or (text[0] in "efE" and CONTINUATION.match(text))
        ):
            continue
        d = def_name(text) if text[0] in "dac" else None
        if decorator and d:
            names[-1] = d
        elif decorator and text[0] == "@":
            pass
        else:
            starts.append(i)
            names.append(d)
        decorator = text[0] == "@"
    blocks = []
    for k, st in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(texts)
        blocks.append(Block(st, e, names[k]))
    return blocks, in_string


# --- big blocks ----------------------------------------------------------------------------------
BIG_BLOCK = 300  # lines: a larger block is parsed as a skeleton around the line that matters


def header_end(texts: Sequence[str], lo: int, hi: int) -> Optional[int]:
    """The line ending the compound-statement header that starts at `lo` (the one ending in
    `:`), or None."""
    for i in range(lo, min(hi, lo + 30)):
        if texts[i].split("#", 1)[0].rstrip().endswith(":"):
            return i
    return None


def skeleton(
    texts: Sequence[str], lo: int, hi: int, focus: Optional[int], in_string: Callable[[int], bool], big: int = BIG_BLOCK
) -> List[str]:
    """The lines of the compound statement texts[lo:hi] with every function and class that
    does not hold line `focus` cut to its header and `pass` (line numbers unchanged): what
    they bind stays, their bodies are not parsed. Big statements holding `focus` are cut
    the same way inside, recursively."""
    out = list(texts[lo:hi])
    _stub_bodies(texts, lo, hi, focus, in_string, out, lo, big)
    return out


def _stub_bodies(
    texts: Sequence[str],
    lo: int,
    hi: int,
    focus: Optional[int],
    in_string: Callable[[int], bool],
    out: List[str],
    base: int,
    big: int,
) -> None:
    """Cut, in `out`, the bodies of the children of texts[lo:hi] that do not hold `focus`."""
    head = header_end(texts, lo, hi)
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
        if ind != body_indent or stripped[0] in ")]}" or CONTINUATION.match(stripped):
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
            if b - a > big:
                _stub_bodies(texts, d, b, focus, in_string, out, base, big)
            continue
        if not def_name(texts[d].lstrip(" \t")):
            continue
        he = header_end(texts, d, b)
        if he is None or he + 1 >= b:
            continue
        indent = texts[d][: len(texts[d]) - len(texts[d].lstrip(" \t"))]
        out[he + 1 - base] = indent + " pass"
        for i in range(he + 2, b):
            out[i - base] = ""


def child_start_in(texts: Sequence[str], lo: int, hi: int, line: int, in_string: Callable[[int], bool]) -> int:
    """The first line of the statement at the body indentation of the compound statement
    texts[lo:hi] that holds `line`."""
    head = header_end(texts, lo, hi)
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
        if (
            stripped
            and stripped[0] not in "#)]}"
            and len(t) - len(stripped) == indent
            and not in_string(i)
            and not CONTINUATION.match(stripped)
        ):
            break
        i -= 1
    return i
