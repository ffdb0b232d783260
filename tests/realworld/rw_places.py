"""What the real-world suite knows about a Python file without asking the server: where its
comments, strings and f-string text are, which names stand at binding places, where statements
start, the file's own indentation unit (all from `tokenize`, not from sheetls's code); which
places to try (seeded), whether a text compiles, and how a client expands an accepted item.

Offsets are code points into the text; `LineIndex` turns them into LSP positions in the
negotiated encoding, with LSP's line terminators (\\r\\n, \\n and \\r)."""

from __future__ import annotations

import bisect
import io
import keyword
import random
import re
import tokenize
import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from lsprotocol import types

from lsp_helpers import PREFIXES
from sheetls.snippet_syntax import parse, to_plain

_TERMINATOR = re.compile(r"\r\n|\r|\n")


# --------------------------------------------------------------------------- positions
class LineIndex:
    """LSP lines of a text: offsets <-> (line, character) in 'utf-16', 'utf-8' or 'utf-32'."""

    def __init__(self, text: str, encoding: str = "utf-16"):
        self.text = text
        self.encoding = encoding
        self.starts = [0]
        self.ends = []  # end of each line's content (before its terminator)
        for m in _TERMINATOR.finditer(text):
            self.ends.append(m.start())
            self.starts.append(m.end())
        self.ends.append(len(text))

    def _units(self, s: str) -> int:
        if self.encoding == "utf-8":
            return len(s.encode("utf-8", "surrogatepass"))
        if self.encoding == "utf-32":
            return len(s)
        return len(s.encode("utf-16-le", "surrogatepass")) // 2

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def line_text(self, line: int) -> str:
        return self.text[self.starts[line] : self.ends[line]]

    def position(self, offset: int) -> types.Position:
        line = self.line_of(offset)
        col = min(offset, self.ends[line]) - self.starts[line]
        return types.Position(line, self._units(self.line_text(line)[:col]))

    def offset(self, pos: types.Position) -> int:
        if pos.line >= len(self.starts):
            return len(self.text)
        content = self.line_text(pos.line)
        units = 0
        for i, ch in enumerate(content):
            if units >= pos.character:
                return self.starts[pos.line] + i
            units += self._units(ch)
        return self.ends[pos.line]

    def range(self, start: int, end: int) -> types.Range:
        return types.Range(self.position(start), self.position(end))

    def snap(self, offset: int) -> int:
        """An offset that is a valid position: never between \\r and \\n."""
        if 0 < offset < len(self.text) and self.text[offset - 1] == "\r" and self.text[offset] == "\n":
            return offset - 1
        return offset


def apply_edits(text: str, edits, encoding: str = "utf-16") -> str:
    """LSP TextEdits applied as a client does (ranges against the text before any edit)."""
    idx = LineIndex(text, encoding)
    spans = sorted(
        ((idx.offset(e.range.start), idx.offset(e.range.end), i, e.new_text) for i, e in enumerate(edits)), reverse=True
    )
    for start, end, _, new in spans:
        text = text[:start] + new + text[end:]
    return text


def expand_item(profile: str, text: str, item: types.CompletionItem, encoding: str = "utf-16") -> Tuple[str, str]:
    """(buffer after accepting `item`, the main edit's text as the client inserts it).

    The same client model as tests/lsp_helpers.accept_item (placeholders at their defaults;
    VS Code's adjustIndentation and Neovim's vim.snippet give continuation lines the cursor
    line's indentation), with LSP's line terminators and the negotiated position encoding."""
    edit = item.text_edit
    if isinstance(edit, types.InsertReplaceEdit):
        edit = types.TextEdit(edit.insert, edit.new_text)
    new = edit.new_text
    reindents = False
    if item.insert_text_format == types.InsertTextFormat.Snippet:
        new = to_plain(parse(new))
        reindents = profile == "neovim"
    if item.insert_text_mode == types.InsertTextMode.AdjustIndentation or reindents:
        idx = LineIndex(text, encoding)
        line = idx.line_text(edit.range.start.line) if edit.range.start.line < len(idx.starts) else ""
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        first, *rest = new.split("\n")
        new = "\n".join([first] + [indent + r if r.strip() else r for r in rest])
    main = types.TextEdit(edit.range, new)
    return apply_edits(text, [main] + list(item.additional_text_edits or []), encoding), new


# --------------------------------------------------------------------------- compiling
def compile_error(text: str) -> Optional[str]:
    """None when `text` compiles as a module (the compiler's checks included: `await` outside
    an async function, `return` outside a function, late `from __future__`...)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(text, "<realworld>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError) as e:
        lineno = getattr(e, "lineno", None)
        return f"{type(e).__name__}: {getattr(e, 'msg', e)} (line {lineno})"
    except (MemoryError, RecursionError) as e:  # too deep for the compiler: not a plain name's fault
        return f"{type(e).__name__}"
    return None


class CompileCache:
    def __init__(self):
        self._seen: Dict[int, Optional[str]] = {}

    def error(self, text: str) -> Optional[str]:
        key = hash(text)
        if key not in self._seen:
            self._seen[key] = compile_error(text)
        return self._seen[key]


# --------------------------------------------------------------------------- the file's facts
@dataclass
class Span:
    start: int
    end: int
    kind: str
    extra: str = ""


@dataclass
class StatementStart:
    offset: int  # start of the physical line
    indent: str  # this statement's indentation
    indents: Tuple[str, ...]  # every indentation a new line may take before it


@dataclass
class Facts:
    text: str
    names: List[Span] = field(default_factory=list)  # NAME tokens with the kind of place
    comments: List[Span] = field(default_factory=list)
    strings: List[Span] = field(default_factory=list)  # extra: prefix + quote
    statements: List[StatementStart] = field(default_factory=list)
    unit: Optional[str] = None  # the file's indentation unit ('    ', '  ', '\t'...)
    api_names: List[Span] = field(default_factory=list)  # names the sheet documents


API_NAMES = frozenset(
    {
        "open_connection",
        "start_server",
        "open_unix_connection",
        "start_unix_server",
        "create_subprocess_exec",
        "create_subprocess_shell",
        "to_thread",
        "run_in_executor",
        "drain",
        "communicate",
        "readline",
        "readexactly",
        "readuntil",
        "read",
        "write",
        "close",
        "wait_closed",
        "wait",
        "serve_forever",
        "get_running_loop",
        "PIPE",
        "STDOUT",
        "DEVNULL",
        "writelines",
        "write_eof",
        "at_eof",
        "get_extra_info",
        "returncode",
        "kill",
        "terminate",
    }
)

_OPENERS = {"(": ")", "[": "]", "{": "}"}


def _line_starts_nl(text: str) -> List[int]:
    """Start offsets of the lines tokenize sees (it splits at \\n only)."""
    starts = [0]
    for m in re.finditer("\n", text):
        starts.append(m.end())
    return starts


def indent_unit(deltas: Counter) -> Optional[str]:
    if not deltas:
        return None
    return deltas.most_common(1)[0][0]


def analyze(text: str) -> Facts:
    facts = Facts(text)
    starts = _line_starts_nl(text)

    def off(rc: Tuple[int, int]) -> int:
        row, col = rc
        return starts[row - 1] + col if row - 1 < len(starts) else len(text)

    toks = list(tokenize.generate_tokens(io.StringIO(text).readline))
    stack = [""]  # indentation stack of code
    prev_stack: Tuple[str, ...] = ("",)
    deltas: Counter = Counter()
    logical: List[tokenize.TokenInfo] = []  # significant tokens of the current logical line
    depth = 0
    for_depths: List[int] = []
    lambda_depths: List[int] = []
    fstring_depth = 0
    fstring_start = 0
    new_line = True
    for tok in toks:
        tt = tok.type
        if fstring_depth:  # Python 3.12+: an f-string's inner tokens belong to its span
            if tt == getattr(tokenize, "FSTRING_START", -1):
                fstring_depth += 1
            elif tt == getattr(tokenize, "FSTRING_END", -1):
                fstring_depth -= 1
                if not fstring_depth:
                    _add_string(facts, text, fstring_start, off(tok.end))
            continue
        if tt == getattr(tokenize, "FSTRING_START", -1):
            fstring_depth, fstring_start = 1, off(tok.start)
            logical.append(tok)
            new_line = False
            continue
        if tt == tokenize.INDENT:
            parent = stack[-1]
            if tok.string.startswith(parent) and len(tok.string) > len(parent):
                deltas[tok.string[len(parent) :]] += 1
            stack.append(tok.string)
            continue
        if tt == tokenize.DEDENT:
            stack.pop()
            continue
        if tt in (tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
            continue
        if tt == tokenize.COMMENT:
            facts.comments.append(Span(off(tok.start), off(tok.end), "comment"))
            continue
        if tt == tokenize.NEWLINE:
            logical, depth, for_depths, lambda_depths = [], 0, [], []
            new_line = True
            prev_stack = tuple(stack)
            continue
        if new_line:
            line_start = starts[tok.start[0] - 1]
            indent = text[line_start : off(tok.start)]
            if indent.strip(" \t\f") == "":
                indents = tuple(dict.fromkeys(list(prev_stack) + list(stack)))
                facts.statements.append(StatementStart(line_start, indent, indents))
            new_line = False
        if tt == tokenize.STRING:
            _add_string(facts, text, off(tok.start), off(tok.end))
        elif tt == tokenize.OP:
            if tok.string in _OPENERS:
                depth += 1
            elif tok.string in (")", "]", "}"):
                depth = max(0, depth - 1)
            elif tok.string == ":" and lambda_depths and lambda_depths[-1] == depth:
                lambda_depths.pop()
        elif tt == tokenize.NAME:
            if keyword.iskeyword(tok.string):
                if tok.string == "for":
                    for_depths.append(depth)
                elif tok.string == "in" and for_depths and for_depths[-1] == depth:
                    for_depths.pop()
                elif tok.string == "lambda":
                    lambda_depths.append(depth)
            else:
                kind = _name_kind(tok, logical, depth, for_depths, lambda_depths)
                span = Span(off(tok.start), off(tok.end), kind)
                facts.names.append(span)
                if tok.string in API_NAMES:
                    facts.api_names.append(span)
        logical.append(tok)
    facts.unit = indent_unit(deltas)
    return facts


def _name_kind(tok, logical, depth, for_depths, lambda_depths) -> str:
    words = [t.string for t in logical if t.type in (tokenize.NAME, tokenize.OP)]
    prev = words[-1] if words else ""
    first = words[0] if words else ""
    if first == "async" and len(words) > 1:
        first = words[1]
    if prev == ".":
        return "after-dot"
    if prev == "def":
        return "def-name"
    if prev == "class":
        return "class-name"
    if first in ("import", "from"):
        if prev == "as":
            return "import-as"
        if first == "from" and "import" not in words:
            return "from-module"
        return "import-name" if first == "from" else "import-module"
    if prev == "as":
        return {"with": "with-as", "except": "except-as", "case": "case-as"}.get(first, "as")
    if first in ("global", "nonlocal"):
        return first
    if first == "del" and depth == 0 and prev in ("del", ","):
        return "del"
    if for_depths and depth >= for_depths[-1]:
        return "for-target" if first == "for" and len(for_depths) == 1 and for_depths[0] == 0 else "comp-for-target"
    if lambda_depths and lambda_depths[-1] == depth and prev in ("lambda", ",", "*", "**"):
        return "lambda-param"
    if first == "def" and depth == 1 and prev in ("(", ",", "*", "**"):
        return "def-param"
    if first == "@":
        return "decorator"
    if not words:
        return "statement-expr"
    return "expression"


_STRING_PREFIX = re.compile(r"([A-Za-z]*)('''|\"\"\"|'|\")")


def _add_string(facts: Facts, text: str, start: int, end: int) -> None:
    m = _STRING_PREFIX.match(text, start)
    if not m:
        return
    prefix, quote = m.group(1), m.group(2)
    kind = "fstring" if "f" in prefix.lower() else "string"
    facts.strings.append(Span(start, end, kind, prefix + quote))


def fstring_text_offsets(text: str, span: Span) -> List[int]:
    """Offsets inside an f-string's literal text (outside its {fields}), body only."""
    quote = span.extra.lstrip("abfrtuABFRTU")
    body_start = span.start + len(span.extra)
    body_end = span.end - len(quote)
    out = []
    i = body_start
    while i < body_end:
        ch = text[i]
        if ch in "{}" and i + 1 < body_end and text[i + 1] == ch:
            out.append(i)
            i += 2
            continue
        if ch == "{":
            nest = 0
            while i < body_end:
                c = text[i]
                if c in "([{":
                    nest += 1
                elif c in ")]}":
                    nest -= 1
                    if nest == 0:
                        break
                elif c in "'\"" and c not in quote:
                    j = text.find(c, i + 1, body_end)
                    i = j if j >= 0 else body_end
                i += 1
            i += 1
            continue
        out.append(i)
        i += 1
    return out


def _after_backslash(text: str, i: int) -> bool:
    n = 0
    while i - 1 - n >= 0 and text[i - 1 - n] == "\\":
        n += 1
    return n % 2 == 1


# --------------------------------------------------------------------------- places
WORDS = ("aio",) * 8 + tuple(PREFIXES) + ("tcp", "client", "stdout", "open_conn", "to_thread", "subprocess")

ONE_LINERS = {
    "one-line:if": ("if c: {w}", 0),
    "one-line:else": ("if c: pass\n{i}else: {w}", 1),
    "one-line:elif": ("if c: pass\n{i}elif d: {w}", 1),
    "one-line:for": ("for x in y: {w}", 0),
    "one-line:while": ("while c: {w}", 0),
    "one-line:with": ("with c: {w}", 0),
    "one-line:try": ("try: {w}\n{i}except E: pass", 0),
    "one-line:except": ("try: pass\n{i}except E: {w}", 1),
    "one-line:finally": ("try: pass\n{i}finally: {w}", 1),
    "one-line:def": ("def f(): {w}", 0),
    "one-line:async-def": ("async def f(): {w}", 0),
    "one-line:class": ("class C: {w}", 0),
    "one-line:semicolon": ("x = 1; {w}", 0),
}

NO_ITEMS = ("comment", "string", "fstring-text", "after-dot")


@dataclass
class Place:
    kind: str
    start: int  # the original text's span [start, end) is replaced by `new`
    end: int
    new: str
    cursor: int  # the cursor's offset in the place's text
    word: str
    expect: str  # "compile": items must compile where the plain word compiles; "none": no items

    def apply(self, text: str) -> str:
        return text[: self.start] + self.new + text[self.end :]


def _candidates(facts: Facts, rng: random.Random) -> Dict[str, List]:
    """Every place kind -> candidate generators (each returns a Place given a word)."""
    text = facts.text
    c: Dict[str, List] = {}

    def add(kind, fn):
        c.setdefault(kind, []).append(fn)

    for st in facts.statements:
        for ind in st.indents:
            kind = "statement" if ind == st.indent else "statement-outer"

            def mk(w, st=st, ind=ind, kind=kind):
                new = f"{ind}{w}\n"
                return Place(kind, st.offset, st.offset, new, st.offset + len(ind) + len(w), w, "compile")

            add(kind, mk)
        for kind, (template, _) in ONE_LINERS.items():

            def mk1(w, st=st, template=template, kind=kind):
                marked = st.indent + template.format(w="\0", i=st.indent) + "\n"
                cursor = st.offset + marked.index("\0") + len(w)
                return Place(kind, st.offset, st.offset, marked.replace("\0", w), cursor, w, "compile")

            add(kind, mk1)
    for sp in facts.names:
        if sp.kind == "after-dot":

            def mkd(w, sp=sp):
                w = w if rng.random() < 0.8 else ""
                return Place("after-dot", sp.start, sp.end, w, sp.start + len(w), w, "none")

            add("after-dot", mkd)
            continue

        def mkn(w, sp=sp):
            return Place(sp.kind, sp.start, sp.end, w, sp.start + len(w), w, "compile")

        add(sp.kind, mkn)
    for sp in facts.comments:
        line_no = text.count("\n", 0, sp.start)
        if line_no < 2 and re.search(r"coding[:=]", text[sp.start : sp.end]):
            continue

        def mkc(w, sp=sp):
            at = rng.randint(sp.start + 1, sp.end)
            return Place("comment", at, at, " " + w, at + 1 + len(w), w, "none")

        add("comment", mkc)
    for sp in facts.strings:
        quote = sp.extra.lstrip("abfrtuABFRTU")
        body = list(range(sp.start + len(sp.extra), sp.end - len(quote) + 1))
        # one kind per spelling (b', rb""", f'...), so that rare kinds are tried as often as common ones
        spelling = "".join(sorted(sp.extra[: len(sp.extra) - len(quote)].lower())) + quote
        if sp.kind == "fstring":
            offsets = [o for o in fstring_text_offsets(text, sp) if not _after_backslash(text, o)]
            kind = f"fstring-text:{spelling}"
        else:
            offsets = [o for o in body if not _after_backslash(text, o)]
            kind = f"string:{spelling}"
        if not offsets:
            continue

        def mks(w, sp=sp, offsets=offsets, kind=kind):
            at = rng.choice(offsets)
            return Place(kind, at, at, " " + w, at + 1 + len(w), w, "none")

        add(kind, mks)
    return c


def sample_places(facts: Facts, rng: random.Random, budget: int, plain_compiles) -> List[Place]:
    """Up to `budget` places, round-robin over the kinds the file offers (so rare binding
    places are tried as often as plain expressions), each kind's candidates in random order.
    A "compile" place is kept only where the file with the plain word compiles."""
    cands = _candidates(facts, rng)
    for lst in cands.values():
        rng.shuffle(lst)
    kinds = sorted(cands)
    rng.shuffle(kinds)
    out: List[Place] = []
    tries = dict.fromkeys(kinds, 0)
    while len(out) < budget and kinds:
        for kind in list(kinds):
            if len(out) >= budget:
                break
            lst = cands[kind]
            while lst:
                no_items = kind.split(":")[0] in NO_ITEMS
                place = lst.pop()(rng.choice(("aio", "aioopen", "tcp")) if no_items else rng.choice(WORDS))
                tries[kind] += 1
                if place.expect == "none" or plain_compiles(place.apply(facts.text)):
                    out.append(place)
                    break
                if tries[kind] > 40:  # this kind rarely compiles here: stop trying it
                    lst.clear()
            if not lst:
                kinds.remove(kind)
    return out


# --------------------------------------------------------------------------- indentation
def nested_deltas(final: str, start_line: int, inserted: str) -> List[str]:
    """Indentation steps of the blocks an insertion nests: the INDENT deltas that tokenize
    finds in the inserted lines (dedented to their first line's indentation)."""
    if "\n" not in inserted:
        return []
    idx = LineIndex(final)
    last = min(start_line + inserted.count("\n"), len(idx.starts) - 1)
    lines = [idx.line_text(i) for i in range(start_line, last + 1)]
    base = lines[0][: len(lines[0]) - len(lines[0].lstrip(" \t"))]
    body = []
    for line in lines:
        body.append(line[len(base) :] if line.startswith(base) else line.lstrip(" \t"))
    out = []
    stack = [""]
    try:
        for tok in tokenize.generate_tokens(io.StringIO("\n".join(body) + "\n").readline):
            if tok.type == tokenize.INDENT:
                parent = stack[-1]
                out.append(tok.string[len(parent) :] if tok.string.startswith(parent) else tok.string)
                stack.append(tok.string)
            elif tok.type == tokenize.DEDENT:
                stack.pop()
    except (tokenize.TokenError, IndentationError, SyntaxError):
        pass
    return out


def choose_files(paths: Sequence[str], rng: random.Random, n: int) -> List[str]:
    paths = sorted(paths)
    if n >= len(paths):
        return paths
    return sorted(rng.sample(paths, n))
