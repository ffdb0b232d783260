"""Where the cursor stands in Python source: comment, string, attribute, statement start or
expression; inside which kind of block (module, async def, def, class); at what indentation.

Works on half-typed files: nothing is parsed, a small lexer runs from the nearest top-level
anchor line (a `def`, `class`, decorator or import at column 0) to the cursor, so the cost is
bounded by the size of the top-level block around the cursor, not by the file.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import List, Optional, Sequence, Tuple

ANCHOR = re.compile(r"(?:async[ \t]+def|def|class|import|from)\b|@")
HEADER = re.compile(r"[ \t]*(?:(async)[ \t]+)?(def|class)\b")
MAX_LOOKBACK = 3000  # lines; past this the lexer starts where the look-back stopped

_TOKEN = re.compile(
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
_STRING_END = {
    "'": re.compile(r"(?:[^'\\\n]|\\.|\\\n)*('|\n|$)", re.DOTALL),
    '"': re.compile(r'(?:[^"\\\n]|\\.|\\\n)*("|\n|$)', re.DOTALL),
    "'''": re.compile(r"(?:[^'\\]|\\.|'(?!''))*(''')?", re.DOTALL),
    '"""': re.compile(r'(?:[^"\\]|\\.|"(?!""))*(""")?', re.DOTALL),
}
# Tokens after which an expression may start.
_EXPR_BEFORE_OPS = {"=", "(", "[", "{", ",", ":", "+", "-", "*", "/", "%", "**", "//", "==", "!=", "<", ">",
                    "<=", ">=", "|", "&", "^", "@", "~", "->", ":=", "+=", "-=", "*=", "/=", "%=", "|=", "&=", "^="}
_EXPR_BEFORE_KEYWORDS = {"return", "yield", "in", "if", "elif", "else", "and", "or", "not", "lambda", "while",
                         "assert", "del", "with", "as", "for", "from", "is", "await", "raise"}
_STATEMENT_KEYWORDS = {"else", "try", "finally"}  # `else:`/`try:`/`finally:` then a statement on the same line


@dataclass(frozen=True)
class CursorContext:
    where: str  # "code", "comment", "string", "attribute" (after a dot), "invalid" (e.g. after a name)
    position: str  # "statement" (a statement can start here), "expression", or "none"
    scope: str  # innermost enclosing block: "module", "async", "def", "class"
    indent: str  # leading whitespace of the statement the cursor is in
    after_await: bool  # the word follows `await`
    scope_line: int  # line of the enclosing def/class header (-1 at module level)

    @property
    def offers_snippets(self) -> bool:
        return self.where == "code" and self.position != "none"


def _indent_width(s: str) -> int:
    width = 0
    for ch in s:
        if ch == "\t":
            width = (width // 8 + 1) * 8
        elif ch in " \f":
            width += 1
        else:
            break
    return width


def _leading(s: str) -> str:
    return s[: len(s) - len(s.lstrip(" \t\f"))]


def find_anchor(lines: Sequence[str], line: int) -> int:
    stop = max(0, line - MAX_LOOKBACK)
    for i in range(line, stop - 1, -1):
        text = lines[i]
        if text[:1].isalpha() or text[:1] in "@_":
            if ANCHOR.match(text):
                return i
    return stop


@dataclass
class _Lexed:
    where: str
    prev: Optional[Tuple[str, str]]  # last significant token before the word: (kind, value)
    prev2: Optional[Tuple[str, str]]
    statement_line: int  # line where the logical line holding the cursor starts
    logical_starts: List[bool]  # per line from the anchor: does a logical line start there?


def _lex(lines: Sequence[str], anchor: int, line: int, col: int, word_len: int) -> _Lexed:
    text = "\n".join(lines[anchor:line]) + ("\n" if line > anchor else "") + lines[line][: col - word_len]
    end = len(text)
    pos = 0
    depth = 0
    prev: Optional[Tuple[str, str]] = None
    prev2: Optional[Tuple[str, str]] = None
    cur_line = anchor
    statement_line = anchor
    logical_starts = [True]
    where = "code"
    while pos < end:
        m = _TOKEN.match(text, pos)
        kind = m.lastgroup
        value = m.group()
        if kind == "str":
            quote = value.lstrip("rRbBuUfF")
            body = _STRING_END[quote].match(text, m.end())
            closed = bool(body.group(1)) and body.group(1) != "\n"
            if not closed and body.end() >= end:
                where = "string"
                break
            newlines = text.count("\n", m.end(), body.end())
            if newlines:
                # lines that begin inside the string do not start a logical line
                logical_starts.extend([False] * newlines)
                cur_line += newlines
                if body.group(1) == "\n":  # an unterminated one-line string ends at the newline
                    logical_starts[-1] = depth == 0
                    if depth == 0:
                        statement_line = cur_line
                        prev = prev2 = None
                        pos = body.end()
                        continue
            prev2, prev = prev, ("str", quote)
            pos = body.end()
            continue
        if kind == "comment":
            if m.end() >= end:
                where = "comment"
                break
        elif kind == "nl" or kind == "cont":
            cur_line += 1
            starts = kind == "nl" and depth == 0
            logical_starts.append(starts)
            if starts:
                statement_line = cur_line
                prev = prev2 = None
        elif kind == "open":
            depth += 1
            prev2, prev = prev, ("op", value)
        elif kind == "close":
            depth = max(0, depth - 1)
            prev2, prev = prev, ("op", value)
        elif kind != "ws":
            if kind == "op" and value == ";" and depth == 0:
                prev = prev2 = None
            else:
                prev2, prev = prev, (kind, value)
        pos = m.end()
    return _Lexed(where, prev, prev2, statement_line, logical_starts)


def _scope(lines: Sequence[str], anchor: int, statement_line: int, indent: str,
           logical_starts: List[bool]) -> Tuple[str, int]:
    target = _indent_width(indent)
    if target == 0:
        return "module", -1
    for i in range(statement_line - 1, anchor - 1, -1):
        if not logical_starts[i - anchor]:
            continue
        text = lines[i]
        stripped = text.lstrip(" \t\f")
        if not stripped or stripped.startswith("#"):
            continue
        width = _indent_width(text)
        if width >= target:
            continue
        m = HEADER.match(text)
        if m:
            if m.group(2) == "class":
                return "class", i
            return ("async" if m.group(1) else "def"), i
        target = width
        if width == 0:
            return "module", -1
    return "module", -1


def cursor_context(lines: Sequence[str], line: int, col: int, word_len: int = 0) -> CursorContext:
    """The context at (line, col), both Python (code point) indices; `word_len` is the length
    of the identifier being typed that ends at the cursor."""
    anchor = find_anchor(lines, line)
    lexed = _lex(lines, anchor, line, col, word_len)
    indent = _leading(lines[lexed.statement_line])
    if lexed.where != "code":
        return CursorContext(lexed.where, "none", "module", indent, False, -1)
    scope, scope_line = _scope(lines, anchor, lexed.statement_line, indent, lexed.logical_starts)
    prev = lexed.prev
    after_await = prev == ("name", "await")
    if prev is None:
        position = "statement"
    elif prev == ("op", "."):
        return CursorContext("attribute", "none", scope, indent, False, scope_line)
    elif prev[0] == "op" and prev[1] == ":" and lexed.prev2 is not None and lexed.prev2 == ("name", "else"):
        position = "statement"
    elif prev[0] == "op" and prev[1] in _EXPR_BEFORE_OPS:
        position = "expression"
    elif prev[0] == "name" and prev[1] in _EXPR_BEFORE_KEYWORDS:
        position = "expression"
    else:
        return CursorContext("invalid", "none", scope, indent, False, scope_line)
    return CursorContext("code", position, scope, indent, after_await, scope_line)
