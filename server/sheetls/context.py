"""Where the cursor stands in Python source: comment, string, attribute, a name being bound,
statement start or expression; inside which kind of block (module, async def, def, class); at
what indentation; and what the rest of its line lets in.

Works on half-typed files: nothing is parsed, a small lexer runs from the nearest top-level
anchor line (a `def`, `class`, decorator or import at column 0 that is not inside a string) to
the cursor, so the cost is bounded by the size of the top-level block around the cursor, not by
the file. The lexer follows each simple statement far enough to know the places where a name is
bound (`for x in`, `with ... as x`, parameters, `import`, `global`, `del`, annotations), where
no expression may go even though one could be typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable, List, Optional, Sequence, Tuple

from sheetls.pysource import DEF_HEADER, STRING_END, TOKEN

ANCHOR = re.compile(r"(?:async[ \t]+def|def|class|import|from)\b|@")
MAX_LOOKBACK = 3000  # lines; past this the lexer starts where the look-back stopped

# Binary operators: an expression may stand before and after each.
_BINARY_OPS = frozenset("+ - * / % ** // == != < > <= >= | & ^ @ << >>".split())
_ASSIGN_OPS = frozenset("= += -= *= /= %= |= &= ^= **= //= >>= <<= @=".split())
# Tokens after which an expression may start.
_EXPR_BEFORE_OPS = _BINARY_OPS | _ASSIGN_OPS | frozenset("( [ { , : ~ -> :=".split())
_EXPR_BEFORE_KEYWORDS = frozenset(
    "return yield in if elif else and or not lambda while assert with for from is await raise".split()
)
# Statements whose header ends at a `:` outside brackets; what follows on the line is their body.
_COMPOUND = {"if", "elif", "else", "while", "for", "with", "try", "except", "finally", "def", "class", "async"}
# Simple statements that only bind or name things: no expression can start anywhere in them.
_NAMING_STATEMENTS = {"import", "global", "nonlocal"}


@dataclass(frozen=True)
class CursorContext:
    where: str  # "code", "comment", "string", "attribute" (after a dot), "binding" (a name being bound:
    #             `for word in`, a parameter, `import`...), "invalid" (e.g. after a name)
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


def find_anchor(lines: Sequence[str], line: int, in_string: Optional[Callable[[int], bool]] = None) -> int:
    """The nearest line at or above `line` where lexing can start: a `def`, `class`, decorator
    or import at column 0 that is code (`in_string(i)`, when given, says whether line i starts
    inside a triple-quoted string: a column-0 `import` in an embedded program is no anchor)."""
    stop = max(0, line - MAX_LOOKBACK)
    for i in range(line, stop - 1, -1):
        text = lines[i]
        if text[:1].isalpha() or text[:1] in "@_":
            if ANCHOR.match(text) and not (in_string is not None and in_string(i)):
                return i
    return stop


@dataclass
class _Lexed:
    where: str
    prev: Optional[Tuple[str, str]]  # last significant token before the word: (kind, value)
    prev2: Optional[Tuple[str, str]]
    statement_line: int  # line where the logical line holding the cursor starts
    logical_starts: List[bool]  # per line from the anchor: does a logical line start there?
    binding: bool = False  # the word would be a name being bound or named (for-target, parameter...)
    inline: bool = False  # the word follows a compound header's `:` or a `;` on its line (`else: word`)
    opener: str = ""  # that header's statement: "def", "async def", "class", "if"...
    in_lambda: bool = False  # the word is in a lambda's body (no `await` there)
    lambda_open: bool = False  # the word is in a lambda's parameters (a default: `lambda a=word: ...`)
    header: bool = False  # the logical line is a compound statement's header (`if ...:`)
    depth: int = 0  # open brackets at the word


class _Statement:
    """What the lexer knows of the simple statement it is in: enough to tell the places where
    a name is bound (`for x in`, parameters, `import`, `global`, `del`, annotations)."""

    __slots__ = (
        "first",
        "second",
        "fors",
        "lambda_params",
        "lambda_bodies",
        "def_depth",
        "param",
        "annotation",
        "header",
        "inline",
        "count",
        "opener",
    )

    def __init__(self, inline: bool = False, header: bool = False, opener: str = "") -> None:
        self.first = ""  # the statement's first token
        self.second = ""  # its second one (`async def`, `async for`)
        self.fors: List[int] = []  # depths of `for`s still waiting for their `in`
        self.lambda_params: List[int] = []  # depths of lambdas whose parameters are open
        self.lambda_bodies: List[int] = []  # depths of lambda bodies the lexer is in
        self.def_depth = -1  # a def header's parameter list: its depth; -1 not open yet, -2 closed, 0 `->`
        self.param = "name"  # in that list: "name", "default" or "annotation"
        self.annotation = False  # after `name:` in a simple statement (until `=`)
        self.header = header  # the logical line began with a compound keyword
        self.inline = inline  # this statement follows a header's `:` or a `;` on the same line
        self.opener = opener  # the compound statement whose header's `:` it follows: "def", "class"...
        self.count = 0  # significant tokens so far

    def is_def(self) -> bool:
        return self.first == "def" or (self.first == "async" and self.second == "def")

    def token(self, kind: str, value: str, depth: int) -> None:
        """Note a significant token at `depth` (brackets already counted for open/close)."""
        self.count += 1
        if self.count == 1:
            self.first = value if kind == "name" else ""
            if self.first in _COMPOUND and not self.inline:
                self.header = True
        elif self.count == 2:
            self.second = value if kind == "name" else ""
        if kind == "name":
            if value == "for":
                self.fors.append(depth)
            elif value == "in" and self.fors and self.fors[-1] == depth:
                self.fors.pop()
            elif value == "lambda":
                self.lambda_params.append(depth)
            return
        if kind == "open":
            if self.is_def() and self.def_depth == -1 and depth == 1:
                self.def_depth, self.param = depth, "name"
            return
        if kind == "close":
            if self.def_depth > depth:
                self.def_depth = -2  # the parameter list closed: `->` or `:` follows
            while self.lambda_bodies and self.lambda_bodies[-1] > depth:
                self.lambda_bodies.pop()
            while self.lambda_params and self.lambda_params[-1] > depth:
                self.lambda_params.pop()
            return
        if value == ":":
            if self.lambda_params and self.lambda_params[-1] == depth:
                self.lambda_bodies.append(self.lambda_params.pop())
            elif depth == self.def_depth:
                self.param = "annotation"
            elif depth == 0 and not self.header and not self.lambda_bodies:
                self.annotation = True
        elif value == "=":
            if depth == self.def_depth:
                self.param = "default"
            elif depth == 0:
                self.annotation = False
        elif value == ",":
            if depth == self.def_depth:
                self.param = "name"
            while self.lambda_bodies and self.lambda_bodies[-1] == depth:
                self.lambda_bodies.pop()
        elif value == "->":
            self.param = "annotation"
            self.def_depth = 0

    def ends_header(self, depth: int) -> bool:
        """Whether a `:` at `depth` ends this compound statement's header."""
        return self.header and not self.inline and depth == 0 and not self.lambda_params

    def binds_here(self, depth: int, prev: Optional[Tuple[str, str]]) -> bool:
        """Whether a word at `depth` after `prev` would be a name being bound or named."""
        if prev == ("name", "as") or self.first in _NAMING_STATEMENTS:
            return True
        if self.first == "from":
            return True  # `from x import y`; `yield from`/`raise ... from` never start a statement
        if self.first == "del" and depth == 0:
            return True
        if self.fors and self.fors[-1] <= depth:
            return True  # a for's target, brackets included: `for i, (word, w) in`
        if self.lambda_params and self.lambda_params[-1] == depth and prev != ("op", "="):
            return True
        if self.is_def() and (
            self.def_depth == 0
            or (depth == self.def_depth and self.param == "name")
            or (0 < self.def_depth <= depth and self.param == "annotation")
        ):
            return True  # a parameter, its annotation (`a: List[word]`) or the return annotation
        return self.annotation  # `x: Future[word] = ...`: no await in an annotation


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
    stmt = _Statement()
    while pos < end:
        m = TOKEN.match(text, pos)
        if m is None:  # never: TOKEN matches every character
            break
        kind = m.lastgroup or ""  # every alternative of TOKEN is a named group
        value = m.group()
        if kind == "str":
            quote = value.lstrip("rRbBuUfF")
            body = STRING_END[quote].match(text, m.end())
            if body is None:  # never: a string's pattern matches the empty string
                break
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
                        stmt = _Statement()
                        pos = body.end()
                        continue
            prev2, prev = prev, ("str", quote)
            stmt.token("str", quote, depth)
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
                stmt = _Statement()
        elif kind == "open":
            depth += 1
            prev2, prev = prev, ("op", value)
            stmt.token(kind, value, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
            prev2, prev = prev, ("op", value)
            stmt.token(kind, value, depth)
        elif kind != "ws":
            if kind == "op" and value == ";" and depth == 0:
                prev = prev2 = None  # `x = 1; word`: a simple statement starts (no compound one)
                stmt = _Statement(inline=True, opener=stmt.opener)
            elif kind == "op" and value == ":" and stmt.ends_header(depth):
                prev = prev2 = None  # `else: word`: a statement starts, on the header's line
                opener = f"async {stmt.second}" if stmt.first == "async" else stmt.first
                stmt = _Statement(inline=True, opener=opener)
            else:
                prev2, prev = prev, (kind, value)
                stmt.token(kind, value, depth)
        pos = m.end()
    return _Lexed(
        where,
        prev,
        prev2,
        statement_line,
        logical_starts,
        binding=stmt.binds_here(depth, prev),
        inline=stmt.inline,
        opener=stmt.opener,
        in_lambda=bool(stmt.lambda_bodies),
        lambda_open=bool(stmt.lambda_params),
        header=stmt.header,
        depth=depth,
    )


def _scope(
    lines: Sequence[str], anchor: int, statement_line: int, indent: str, logical_starts: List[bool]
) -> Tuple[str, int]:
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
        m = DEF_HEADER.match(text, len(text) - len(text.lstrip(" \t")))
        if m:
            if m.group(2) == "class":
                return "class", i
            return ("async" if m.group(1) else "def"), i
        target = width
        if width == 0:
            return "module", -1
    return "module", -1


# What may follow an expression on its line (after the word): these keep a call valid there.
_EXPR_AFTER_OPS = _BINARY_OPS | frozenset(") ] } , ; . ( [".split())
_EXPR_AFTER_KEYWORDS = {"if", "else", "for", "async", "and", "or", "in", "not", "is"}
_WORD_CHAR = re.compile(r"\w")


def _after_word(rest: str, lexed: _Lexed) -> str:
    """What the rest of the line after the word lets in: "all" (nothing follows but a comment),
    "expression" (an expression fits before what follows) or "none"."""
    if rest[:1] and _WORD_CHAR.match(rest):
        return "none"  # the cursor is inside a word
    stripped = rest.lstrip(" \t\f")
    if not stripped or stripped[0] == "#":
        return "all"
    m = TOKEN.match(stripped)
    if m is None:  # never: TOKEN matches every character
        return "none"
    kind, value = m.lastgroup, m.group()
    if kind == "close" or (kind == "op" and value in _EXPR_AFTER_OPS):
        fits = "expression"
    elif kind == "op" and value == ":" and (lexed.depth > 0 or lexed.header or lexed.lambda_open):
        fits = "expression"  # `if word:`, `{word: v}`, `x[word:]`; not an annotation `word: int`
    elif kind == "name" and value in _EXPR_AFTER_KEYWORDS:
        fits = "expression"
    else:
        return "none"
    return "none" if lexed.depth == 0 and _assigns(stripped, lexed) else fits


def _assigns(rest: str, lexed: _Lexed) -> bool:
    """Whether the rest of the line assigns (or annotates) at the word's bracket depth: then
    the word is part of a target (`word.attr = v`, `word[k] += 1`), where no call may stand."""
    depth = 0
    pos = 0
    while pos < len(rest):
        m = TOKEN.match(rest, pos)
        if m is None:  # never: TOKEN matches every character
            return False
        kind, value = m.lastgroup, m.group()
        if kind == "comment":
            return False
        if kind == "str":
            body = STRING_END[value.lstrip("rRbBuUfF")].match(rest, m.end())
            pos = body.end() if body is not None else len(rest)
            continue
        if kind == "open":
            depth += 1
        elif kind == "close":
            depth -= 1
            if depth < 0:
                return False  # the word's brackets close: what follows is outside them
        elif kind == "op" and depth == 0:
            if value == ";":
                return False
            if value in _ASSIGN_OPS or (value == ":" and not lexed.header and not lexed.lambda_open):
                return True
        pos = m.end()
    return False


def cursor_context(
    lines: Sequence[str], line: int, col: int, word_len: int = 0, in_string: Optional[Callable[[int], bool]] = None
) -> CursorContext:
    """The context at (line, col), both Python (code point) indices; `word_len` is the length
    of the identifier being typed that ends at the cursor. `in_string(i)`, when given, tells
    whether line i starts inside a triple-quoted string (see find_anchor)."""
    anchor = find_anchor(lines, line, in_string)
    lexed = _lex(lines, anchor, line, col, word_len)
    indent = _leading(lines[lexed.statement_line])
    if lexed.where != "code":
        return CursorContext(lexed.where, "none", "module", indent, False, -1)
    scope, scope_line = _scope(lines, anchor, lexed.statement_line, indent, lexed.logical_starts)
    if lexed.opener in ("def", "class"):
        scope = lexed.opener  # `def f(): word`: the word is in the body of the header on its line
    elif lexed.opener == "async def":
        scope, scope_line = "async", lexed.statement_line
    prev = lexed.prev
    after_await = prev == ("name", "await")
    if prev == ("op", "."):
        return CursorContext("attribute", "none", scope, indent, False, scope_line)
    if lexed.binding or lexed.in_lambda:
        return CursorContext("binding", "none", scope, indent, False, scope_line)
    if prev is None:
        # a statement starts here; after a header's `:` on the same line only one line fits
        position = "expression" if lexed.inline else "statement"
    elif prev[0] == "op" and prev[1] in _EXPR_BEFORE_OPS:
        position = "expression"
    elif prev[0] == "name" and prev[1] in _EXPR_BEFORE_KEYWORDS:
        position = "expression"
    else:
        return CursorContext("invalid", "none", scope, indent, False, scope_line)
    fits = _after_word(lines[line][col:], lexed)
    if fits == "none":
        return CursorContext("invalid", "none", scope, indent, False, scope_line)
    if fits == "expression":
        position = "expression"
    return CursorContext("code", position, scope, indent, after_await, scope_line)
