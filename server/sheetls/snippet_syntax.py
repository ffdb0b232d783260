"""LSP snippet syntax: parse, validate, and render snippet bodies.

Grammar (LSP 3.17 "Snippet Syntax")::

    any         ::= tabstop | placeholder | choice | variable | text
    tabstop     ::= '$' int | '${' int '}' | '${' int transform '}'
    placeholder ::= '${' int ':' any* '}'
    choice      ::= '${' int '|' text (',' text)* '|}'
    variable    ::= '$' var | '${' var '}' | '${' var ':' any* '}' | '${' var transform '}'

Outside a construct, `$`, `}` and `\\` must be escaped with a backslash. We are stricter than
VS Code (which keeps a stray `$` or `\\` literally) so that a pack renders the same everywhere.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Sequence, Union


class SnippetSyntaxError(ValueError):
    """A snippet body that is not valid LSP snippet syntax; `offset` indexes the body."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.message = message
        self.offset = offset


@dataclass
class Text:
    value: str


@dataclass
class Tabstop:
    index: int
    transform: Optional[str] = None


@dataclass
class Placeholder:
    index: int
    children: List[Node] = field(default_factory=list)


@dataclass
class Choice:
    index: int
    options: List[str] = field(default_factory=list)


@dataclass
class Variable:
    name: str
    children: Optional[List[Node]] = None
    transform: Optional[str] = None


Node = Union[Text, Tabstop, Placeholder, Choice, Variable]

_INT = re.compile(r"[0-9]+")
_PLAIN_RUN = re.compile(r"[^$}\\]+")
# Variables LSP clients resolve (LSP 3.17 plus VS Code's widely used extras). Any other
# `$name` in a pack is almost surely a dollar sign that should have been escaped.
KNOWN_VARIABLES = frozenset(
    """
TM_SELECTED_TEXT TM_CURRENT_LINE TM_CURRENT_WORD TM_LINE_INDEX TM_LINE_NUMBER TM_FILENAME
TM_FILENAME_BASE TM_DIRECTORY TM_FILEPATH RELATIVE_FILEPATH CLIPBOARD WORKSPACE_NAME
WORKSPACE_FOLDER CURSOR_INDEX CURSOR_NUMBER CURRENT_YEAR CURRENT_YEAR_SHORT CURRENT_MONTH
CURRENT_MONTH_NAME CURRENT_MONTH_NAME_SHORT CURRENT_DATE CURRENT_DAY_NAME CURRENT_DAY_NAME_SHORT
CURRENT_HOUR CURRENT_MINUTE CURRENT_SECOND CURRENT_SECONDS_UNIX CURRENT_TIMEZONE_OFFSET RANDOM
RANDOM_HEX UUID BLOCK_COMMENT_START BLOCK_COMMENT_END LINE_COMMENT
""".split()
)
_VAR = re.compile(r"[_a-zA-Z][_a-zA-Z0-9]*")


class _Parser:
    def __init__(self, source: str, strict_variables: bool = True):
        self.s = source
        self.i = 0
        self.strict_variables = strict_variables

    def variable(self, name: str, start: int) -> None:
        if self.strict_variables and name not in KNOWN_VARIABLES:
            raise self.error(f"unknown snippet variable '${name}' (write '\\$' for a literal dollar sign)", start)

    def error(self, message: str, offset: Optional[int] = None) -> SnippetSyntaxError:
        return SnippetSyntaxError(message, self.i if offset is None else offset)

    def parse(self, inside: bool = False, opened_at: int = 0) -> List[Node]:
        """Parse `any*`; when `inside` a placeholder, stop before its closing `}`."""
        nodes: List[Node] = []
        text: List[str] = []  # the current run of text, in pieces (escapes end a piece)
        s = self.s
        n = len(s)
        i = self.i
        plain_run = _PLAIN_RUN.match
        while i < n:
            c = s[i]
            if c == "\\":
                nxt = s[i + 1 : i + 2]
                if nxt in ("$", "}", "\\"):
                    text.append(nxt)
                    i += 2
                    continue
                self.i = i
                raise self.error("unescaped '\\' (write '\\\\' for a backslash)")
            if c == "}":
                self.i = i
                if inside:
                    if text:
                        nodes.append(Text("".join(text)))
                    return nodes
                raise self.error("unescaped '}' outside a placeholder (write '\\}')")
            if c == "$":
                if text:
                    nodes.append(Text("".join(text)))
                    text = []
                self.i = i
                nodes.append(self.construct())
                i = self.i
                continue
            m = plain_run(s, i)  # a run of ordinary characters at once
            assert m is not None  # the characters that end a run are handled above
            text.append(m.group())
            i = m.end()
        self.i = i
        if inside:
            raise self.error("unclosed '${': missing '}'", opened_at)
        if text:
            nodes.append(Text("".join(text)))
        return nodes

    def construct(self) -> Node:
        start = self.i
        s = self.s
        self.i += 1  # '$'
        m = _INT.match(s, self.i)
        if m:
            self.i = m.end()
            return Tabstop(int(m.group()))
        m = _VAR.match(s, self.i)
        if m:
            self.variable(m.group(), start)
            self.i = m.end()
            return Variable(m.group())
        if s[self.i : self.i + 1] != "{":
            raise self.error("unescaped '$' (write '\\$' for a dollar sign)", start)
        self.i += 1
        m = _INT.match(s, self.i)
        if m:
            index = int(m.group())
            self.i = m.end()
            c = s[self.i : self.i + 1]
            if c == "}":
                self.i += 1
                return Tabstop(index)
            if c == ":":
                self.i += 1
                children = self.parse(inside=True, opened_at=start)
                self.i += 1  # '}'
                return Placeholder(index, children)
            if c == "|":
                self.i += 1
                return Choice(index, self.choice_options(start))
            if c == "/":
                transform = self.transform(start)
                return Tabstop(index, transform)
            raise self.error(f"unexpected {c!r} after '${{{index}'" if c else "unclosed '${'", start)
        m = _VAR.match(s, self.i)
        if m:
            name = m.group()
            self.variable(name, start)
            self.i = m.end()
            c = s[self.i : self.i + 1]
            if c == "}":
                self.i += 1
                return Variable(name)
            if c == ":":
                self.i += 1
                children = self.parse(inside=True, opened_at=start)
                self.i += 1
                return Variable(name, children)
            if c == "/":
                return Variable(name, None, self.transform(start))
            raise self.error(f"unexpected {c!r} after '${{{name}'" if c else "unclosed '${'", start)
        raise self.error("'${' must be followed by a tab stop number or a variable name", start)

    def choice_options(self, start: int) -> List[str]:
        s = self.s
        options: List[str] = []
        cur: List[str] = []
        while self.i < len(s):
            c = s[self.i]
            if c == "\\" and s[self.i + 1 : self.i + 2] in ("$", "}", "\\", ",", "|"):
                cur.append(s[self.i + 1])
                self.i += 2
                continue
            if c == ",":
                options.append("".join(cur))
                cur = []
                self.i += 1
                continue
            if c == "|" and s[self.i + 1 : self.i + 2] == "}":
                options.append("".join(cur))
                self.i += 2
                return options
            cur.append(c)
            self.i += 1
        raise self.error("unclosed choice: missing '|}'", start)

    def transform(self, start: int) -> str:
        """Skip `/regex/format/options}`; kept verbatim, applied by the client."""
        s = self.s
        begin = self.i
        slashes = 0
        while self.i < len(s):
            c = s[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c == "/":
                slashes += 1
            elif c == "}" and slashes >= 3:
                self.i += 1
                return s[begin : self.i - 1]
            self.i += 1
        raise self.error("unclosed transform: expected '/regex/format/options}'", start)


def parse(source: str, strict_variables: bool = True) -> List[Node]:
    """Parse a snippet body; raise SnippetSyntaxError with the offset of the first error.

    With `strict_variables`, only the variables clients know (KNOWN_VARIABLES) are accepted."""
    return _Parser(source, strict_variables).parse()


def _defaults(nodes: Sequence[Node], out: Dict[int, List[Node]]) -> None:
    for node in nodes:
        if isinstance(node, Placeholder):
            out.setdefault(node.index, node.children)
            _defaults(node.children, out)
        elif isinstance(node, Choice):
            out.setdefault(node.index, [Text(node.options[0] if node.options else "")])
        elif isinstance(node, Variable) and node.children:
            _defaults(node.children, out)


def to_plain(nodes: Sequence[Node], values: Optional[Dict[int, str]] = None) -> str:
    """The text a snippet inserts when every tab stop takes its default (or `values[index]`).

    A bare `$1` mirrors the default of the `${1:...}` placeholder elsewhere in the body.
    """
    return to_plain_many([nodes], values)[0]


def to_plain_many(parts: Sequence[Sequence[Node]], values: Optional[Dict[int, str]] = None) -> List[str]:
    """`to_plain` of snippets that share their tab stops (a `$1` in one mirrors a
    `${1:...}` in another, as an entry's helpers and body do): one text each."""
    defaults: Dict[int, List[Node]] = {}
    for nodes in parts:
        _defaults(nodes, defaults)
    values = values or {}
    texts: List[str] = []
    for nodes in parts:
        out: List[str] = []

        def emit(seq: Sequence[Node], out: List[str] = out) -> None:
            for node in seq:
                if isinstance(node, Text):
                    out.append(node.value)
                elif isinstance(node, (Tabstop, Placeholder, Choice)):
                    if node.index in values:
                        out.append(values[node.index])
                    elif isinstance(node, Placeholder):
                        emit(node.children)
                    else:
                        emit(defaults.get(node.index, []))
                elif isinstance(node, Variable):
                    emit(node.children or [])

        emit(nodes)
        texts.append("".join(out))
    return texts


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def to_snippet(nodes: Sequence[Node]) -> str:
    """Serialise nodes back to snippet syntax (the inverse of parse)."""
    out: List[str] = []
    for node in nodes:
        if isinstance(node, Text):
            out.append(escape(node.value))
        elif isinstance(node, Tabstop):
            out.append(f"${{{node.index}/{node.transform}}}" if node.transform else f"${node.index}")
        elif isinstance(node, Placeholder):
            out.append(f"${{{node.index}:{to_snippet(node.children)}}}")
        elif isinstance(node, Choice):
            opts = ",".join(
                o.replace("\\", "\\\\").replace(",", "\\,").replace("|", "\\|").replace("$", "\\$").replace("}", "\\}")
                for o in node.options
            )
            out.append(f"${{{node.index}|{opts}|}}")
        elif isinstance(node, Variable):
            if node.transform:
                out.append(f"${{{node.name}/{node.transform}}}")
            elif node.children is not None:
                out.append(f"${{{node.name}:{to_snippet(node.children)}}}")
            else:
                out.append(f"${{{node.name}}}")
    return "".join(out)


def map_text(nodes: Sequence[Node], fn: Callable[[str], str]) -> List[Node]:
    """A copy of `nodes` with `fn` applied to every literal text run (at any depth)."""
    result: List[Node] = []
    for node in nodes:
        if isinstance(node, Text):
            result.append(Text(fn(node.value)))
        elif isinstance(node, Placeholder):
            result.append(Placeholder(node.index, map_text(node.children, fn)))
        elif isinstance(node, Choice):
            result.append(Choice(node.index, [fn(o) for o in node.options]))
        elif isinstance(node, Variable) and node.children is not None:
            result.append(Variable(node.name, map_text(node.children, fn), node.transform))
        else:
            result.append(node)
    return result


def tab_stops(nodes: Sequence[Node]) -> List[int]:
    """The distinct tab stop indices in order of first appearance."""
    seen: List[int] = []

    def walk(seq: Sequence[Node]) -> None:
        for node in seq:
            if isinstance(node, (Tabstop, Placeholder, Choice)) and node.index not in seen:
                seen.append(node.index)
            if isinstance(node, Placeholder):
                walk(node.children)
            elif isinstance(node, Variable) and node.children:
                walk(node.children)

    walk(nodes)
    return seen
