"""An incrementally updated line store for open documents (pure: no protocol).

pygls's ``TextDocument`` applies an incremental change by walking every line
and re-joining the whole text, and ``document.lines`` re-splits the whole text
on every call: ~2 ms per keystroke and ~0.4 ms per ``lines`` at 10,000 lines.
``LineText`` keeps the lines instead, in chunks of a few hundred, and
applies a change by rebuilding only the chunk(s) the change touches:

- ``replace`` costs O(edit size + touched chunk + number of chunks)
  (a chunk is <= 512 lines; 10,000 lines are ~40 chunks), never a re-split or
  re-join of the file;
- ``lines`` is an immutable snapshot (a ``Sequence[str]`` of lines with their
  line endings, like ``str.splitlines(True)``) made in O(1); a later edit
  never changes a snapshot already handed out;
- ``source`` is joined lazily, once per version, and only if someone asks;
- line breaks are the LSP's: ``\\n``, ``\\r\\n`` and ``\\r`` only. (pygls splits
  with ``str.splitlines``, which also breaks at ``\\f``, ``\\v``, ``\\x1c-\\x1e``,
  ``\\x85``, ``\\u2028`` and ``\\u2029``: a form feed in a Python file moves every
  later position there. Here they are ordinary characters, as in editors.)

Positions here are (line, code point column). The protocol side, client units (UTF-16 by
default) and "past the end" rules, is ``sheetls.lsp.workspace.LineDocument``, the pygls
``TextDocument`` that keeps its text in a ``LineText``.

What it buys (benchmarks/README.md, "What each piece buys"): sheetls's edit then hover at
10,000 lines is 1.0 ms with it, 15 ms without (pygls's document, and no line diffs to carry
facts across versions with).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from itertools import accumulate, chain
from typing import Deque, Dict, Iterator, List, Optional, Sequence, Tuple, Union, overload

__all__ = ["Lines", "LineText", "split_lines", "static_lines"]

LOG_LENGTH = 256  # changes remembered for changes_since()
CHUNK = 256  # lines per chunk when (re)chunking; a chunk is split above 2 * CHUNK

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")


def split_lines(text: str) -> List[str]:
    """Lines with their endings, split at LSP line breaks (\\n, \\r\\n, \\r) only."""
    return _LINE.findall(text)


def content_len(line: str) -> int:
    """Length of a line without its line ending."""
    if line.endswith("\r\n"):
        return len(line) - 2
    if line.endswith(("\n", "\r")):
        return len(line) - 1
    return len(line)


def _chunked(lines: List[str]) -> List[List[str]]:
    if len(lines) <= 2 * CHUNK:
        return [lines] if lines else []
    return [lines[i : i + CHUNK] for i in range(0, len(lines), CHUNK)]


class Lines(Sequence[str]):
    """An immutable snapshot of a document's lines (with their endings)."""

    __slots__ = ("_chunks", "_starts", "_len")

    def __init__(self, chunks: List[List[str]], starts: List[int], length: int):
        self._chunks = chunks
        self._starts = starts
        self._len = length

    def __len__(self) -> int:
        return self._len

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> List[str]: ...

    def __getitem__(self, i: Union[int, slice]) -> Union[str, List[str]]:
        if isinstance(i, slice):
            return list(self)[i] if (i.step or 1) != 1 or len(self) < 64 else self._slice(i)
        n = self._len
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("line index out of range")
        k = bisect_right(self._starts, i) - 1
        return self._chunks[k][i - self._starts[k]]

    def _slice(self, s: slice) -> List[str]:
        start, stop, _ = s.indices(self._len)
        if start >= stop:
            return []
        out: List[str] = []
        k = bisect_right(self._starts, start) - 1
        while k < len(self._chunks) and self._starts[k] < stop:
            base = self._starts[k]
            out.extend(self._chunks[k][max(0, start - base) : stop - base])
            k += 1
        return out

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self._chunks)

    def __repr__(self) -> str:
        return f"<Lines: {self._len} lines>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (Lines, list, tuple)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]


class _Store:
    """Chunked lines plus per-chunk line and character offsets. Every edit builds
    new outer lists and new chunk lists for the touched chunks only; lists are
    never mutated after construction, so snapshots stay valid."""

    __slots__ = ("chunks", "starts", "char_starts", "n", "nchars", "_stripped")

    def __init__(self, lines: List[str]):
        self._set(_chunked(lines))
        # id(chunk) -> (chunk, its lines without line breaks); chunks never change.
        self._stripped: Dict[int, Tuple[List[str], List[str]]] = {}

    def content_lines(self) -> List[str]:
        """All lines without their line breaks (+ a last "" after a final break)."""
        old = self._stripped
        cache: Dict[int, Tuple[List[str], List[str]]] = {}
        out: List[str] = []
        for chunk in self.chunks:
            hit = old.get(id(chunk))
            if hit is None or hit[0] is not chunk:
                # rstrip is exact here: a stored line holds no \r or \n but its one ending
                hit = (chunk, [line.rstrip("\r\n") for line in chunk])
            cache[id(chunk)] = hit
            out += hit[1]
        self._stripped = cache
        if not self.chunks or content_len(self.chunks[-1][-1]) < len(self.chunks[-1][-1]):
            out.append("")
        return out

    def _set(self, chunks: List[List[str]]) -> None:
        self.chunks = chunks
        sizes = [len(c) for c in chunks]
        self.starts = [0, *accumulate(sizes)][:-1] if chunks else []
        self.n = sum(sizes)
        chars = [sum(map(len, c)) for c in chunks]
        self.char_starts = [0, *accumulate(chars)][:-1] if chunks else []
        self.nchars = sum(chars)

    def view(self) -> Lines:
        return Lines(self.chunks, self.starts, self.n)

    def chunk_of(self, i: int) -> int:
        return bisect_right(self.starts, i) - 1

    def line(self, i: int) -> str:
        if not 0 <= i < self.n:
            return ""
        k = self.chunk_of(i)
        return self.chunks[k][i - self.starts[k]]

    def replace(self, a: int, b: int, new: List[str]) -> None:
        """Replace lines [a, b) with ``new``."""
        chunks = self.chunks
        if not chunks:
            self._set(_chunked(new))
            return
        ka = self.chunk_of(min(a, self.n - 1))
        kb = self.chunk_of(min(max(a, b - 1), self.n - 1))
        merged = chunks[ka][: a - self.starts[ka]] + new + chunks[kb][b - self.starts[kb] :]
        pieces = _chunked(merged)
        # Only the touched chunks are rebuilt; the offsets are patched from ka on.
        self.chunks = chunks[:ka] + pieces + chunks[kb + 1 :]
        old_lines = self.starts[kb] + len(chunks[kb]) - self.starts[ka]
        old_chars = (self.char_starts[kb + 1] if kb + 1 < len(chunks) else self.nchars) - self.char_starts[ka]
        piece_chars = [sum(map(len, p)) for p in pieces]
        dl = len(merged) - old_lines
        dc = sum(piece_chars) - old_chars
        s0, c0 = self.starts[ka], self.char_starts[ka]
        ps = list(accumulate((len(p) for p in pieces), initial=s0))[:-1]
        pc = list(accumulate(piece_chars, initial=c0))[:-1]
        tail_s = self.starts[kb + 1 :]
        tail_c = self.char_starts[kb + 1 :]
        if dl:
            tail_s = [s + dl for s in tail_s]
        if dc:
            tail_c = [c + dc for c in tail_c]
        self.starts = self.starts[:ka] + ps + tail_s
        self.char_starts = self.char_starts[:ka] + pc + tail_c
        self.n += dl
        self.nchars += dc

    def offset(self, line: int, col: int) -> int:
        if line >= self.n:
            return self.nchars
        k = self.chunk_of(line)
        chunk = self.chunks[k]
        base = self.starts[k]
        return self.char_starts[k] + sum(map(len, chunk[: line - base])) + col

    def position(self, offset: int) -> Tuple[int, int]:
        if offset >= self.nchars or not self.chunks:
            return self.n, 0
        k = bisect_right(self.char_starts, offset) - 1
        rest = offset - self.char_starts[k]
        for j, line in enumerate(self.chunks[k]):
            if rest < len(line):
                return self.starts[k] + j, rest
            rest -= len(line)
        return self.starts[k] + len(self.chunks[k]), 0  # pragma: no cover


class LineText:
    """One document's text in the line store, with the log of the lines each edit replaced.

    Positions are (line, code point column), already clamped to the text: the protocol's
    units and its "past the end" rules are the caller's (``sheetls.lsp.workspace``)."""

    def __init__(self, source: str):
        self._source: Optional[str] = source  # joined lazily, once per version
        self._store: Optional[_Store] = None  # built from _source when first needed
        self._lines_view: Optional[Lines] = None
        self._content_view: Optional[List[str]] = None
        # Which lines each change replaced, for consumers that update per-line
        # state instead of rescanning: (revision after, first line, lines
        # removed, lines inserted); a full change is (revision, 0, -1, -1).
        self.revision = 0
        self._log: Deque[Tuple[int, int, int, int]] = deque(maxlen=LOG_LENGTH)

    def _ensure_store(self) -> _Store:
        if self._store is None:
            self._store = _Store(split_lines(self.source))
        return self._store

    @property
    def source(self) -> str:
        if self._source is None:
            self._source = "".join(self._ensure_store().view())
        return self._source

    @property
    def lines(self) -> Lines:
        if self._lines_view is None:
            self._lines_view = self._ensure_store().view()
        return self._lines_view

    @property
    def content_lines(self) -> List[str]:
        """The lines without their line breaks, as the LSP counts lines: equal to
        ``re.split(r"\\r\\n|\\r|\\n", source)`` (so a text that ends in a line
        break, or is empty, has a last empty line). A plain list, fast to index;
        one per version, made on first use from per-chunk stripped lines that
        are kept across versions: O(chunks + touched chunk) work plus one copy of
        the line references (~0.1 ms at 10,000 lines). Do not mutate it."""
        if self._content_view is None:
            self._content_view = self._ensure_store().content_lines()
        return self._content_view

    def line(self, i: int) -> str:
        """Line ``i`` with its ending ("" past the end), without a snapshot."""
        return self._ensure_store().line(i)

    @property
    def line_count(self) -> int:
        return self._ensure_store().n

    # -- changes ----------------------------------------------------------
    def replace(self, start: Tuple[int, int], end: Tuple[int, int], text: str) -> None:
        """Replace the text between two positions (either order) with ``text``."""
        store = self._ensure_store()
        (sl, sc), (el, ec) = sorted((start, end))
        n = store.n
        segment = store.line(sl)[:sc] + text + store.line(el)[ec:]
        a, b = sl, min(el + 1, n)
        # Keep "\r\n" one line break when an edit joins a "\r" and a "\n".
        if a > 0 and segment.startswith("\n") and store.line(a - 1).endswith("\r"):
            a -= 1
            segment = store.line(a) + segment
        if segment.endswith("\r") and b < n and store.line(b).startswith("\n"):
            segment += store.line(b)
            b += 1
        new_lines = split_lines(segment)
        store.replace(a, b, new_lines)
        self.revision += 1
        self._log.append((self.revision, a, b - a, len(new_lines)))
        self._source = None
        self._lines_view = None
        self._content_view = None

    def set(self, text: str) -> None:
        """Replace the whole text."""
        self.revision += 1
        self._log.append((self.revision, 0, -1, -1))
        self._source = text
        self._store = None
        self._lines_view = None
        self._content_view = None

    def changes_since(self, revision: int) -> Optional[List[Tuple[int, int, int]]]:
        """The line replacements made after ``revision`` (see ``self.revision``),
        oldest first, as (first line, lines removed, lines inserted) in the
        line numbering of the text as it was just before each one; lines
        are counted as in ``lines``. None when that is unknown (a full change,
        or more than LOG_LENGTH changes ago): rescan everything then."""
        if revision == self.revision:
            return []
        out = [(first, removed, inserted) for rev, first, removed, inserted in self._log if rev > revision]
        if len(out) != self.revision - revision or any(r < 0 for _, r, _ in out):
            return None
        return out

    # -- conversions in O(chunk), not O(file) ----------------------------------
    def offset(self, line: int, col: int) -> int:
        return self._ensure_store().offset(line, col)

    def position(self, offset: int) -> Tuple[int, int]:
        return self._ensure_store().position(offset)


def static_lines(lines: List[str]) -> Lines:
    """A ``Lines`` snapshot of a list of lines."""
    chunks = _chunked(lines)
    return Lines(chunks, [0, *accumulate(len(c) for c in chunks)][:-1] if chunks else [], len(lines))
