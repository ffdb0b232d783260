"""An incrementally updated line store for open documents.

pygls's ``TextDocument`` applies an incremental change by walking every line
and re-joining the whole text, and ``document.lines`` re-splits the whole text
on every call: ~2 ms per keystroke and ~0.4 ms per ``lines`` at 10,000 lines.
``LineDocument`` keeps the lines instead, in chunks of a few hundred, and
applies a change by rebuilding only the chunk(s) the change touches:

- ``apply_change`` costs O(edit size + touched chunk + number of chunks)
  (a chunk is <= 512 lines; 10,000 lines are ~40 chunks), never a re-split or
  re-join of the file;
- ``lines`` is an immutable snapshot (a ``Sequence[str]`` of lines with their
  line endings, like ``str.splitlines(True)``) made in O(1); a later edit
  never changes a snapshot already handed out;
- ``source`` is joined lazily, once per version, and only if someone asks;
- positions in client units (UTF-16 by default) are converted through the
  workspace's pygls ``PositionCodec``, as pygls does;
- line breaks are the LSP's: ``\\n``, ``\\r\\n`` and ``\\r`` only. (pygls splits
  with ``str.splitlines``, which also breaks at ``\\f``, ``\\v``, ``\\x1c-\\x1e``,
  ``\\x85``, ``\\u2028`` and ``\\u2029``: a form feed in a Python file moves every
  later position there. Here they are ordinary characters, as in editors.)

Positions past the end of a line mean the end of the line (LSP), positions past
the last line mean the end of the document.

Use it by giving the server a workspace that makes ``LineDocument`` s:
``use_line_store(server)`` in the ``initialize`` handler (see its docstring).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import deque
from itertools import accumulate, chain
from typing import Deque, Iterator, List, Optional, Sequence, Tuple, Union, overload

from lsprotocol import types
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import ServerTextPosition

__all__ = ["Lines", "LineDocument", "LineWorkspace", "split_lines", "use_line_store"]

LOG_LENGTH = 256  # changes remembered for changes_since()
CHUNK = 256  # lines per chunk when (re)chunking; a chunk is split above 2 * CHUNK

_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> List[str]:
    """Lines with their endings, split at LSP line breaks (\\n, \\r\\n, \\r) only."""
    return _LINE.findall(text)


def _content_len(line: str) -> int:
    """Length of a line without its line ending."""
    if line.endswith("\r\n"):
        return len(line) - 2
    if line.endswith(("\n", "\r")):
        return len(line) - 1
    return len(line)


def _chunked(lines: List[str]) -> List[List[str]]:
    if len(lines) <= 2 * CHUNK:
        return [lines] if lines else []
    return [lines[i:i + CHUNK] for i in range(0, len(lines), CHUNK)]


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

    def __getitem__(self, i: Union[int, slice]):
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
            out.extend(self._chunks[k][max(0, start - base):stop - base])
            k += 1
        return out

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self._chunks)

    def __repr__(self) -> str:
        return f"<Lines: {self._len} lines>"

    def __eq__(self, other) -> bool:
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
        self._stripped: dict = {}

    def content_lines(self) -> List[str]:
        """All lines without their line breaks (+ a last "" after a final break)."""
        old = self._stripped
        cache = {}
        out: List[str] = []
        for chunk in self.chunks:
            hit = old.get(id(chunk))
            if hit is None or hit[0] is not chunk:
                # rstrip is exact here: a stored line holds no \r or \n but its one ending
                hit = (chunk, [line.rstrip("\r\n") for line in chunk])
            cache[id(chunk)] = hit
            out += hit[1]
        self._stripped = cache
        if not self.chunks or _content_len(self.chunks[-1][-1]) < len(self.chunks[-1][-1]):
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
        merged = chunks[ka][: a - self.starts[ka]] + new + chunks[kb][b - self.starts[kb]:]
        pieces = _chunked(merged)
        # Only the touched chunks are rebuilt; the offsets are patched from ka on.
        self.chunks = chunks[:ka] + pieces + chunks[kb + 1:]
        old_lines = self.starts[kb] + len(chunks[kb]) - self.starts[ka]
        old_chars = (self.char_starts[kb + 1] if kb + 1 < len(chunks) else self.nchars) - self.char_starts[ka]
        piece_chars = [sum(map(len, p)) for p in pieces]
        dl = len(merged) - old_lines
        dc = sum(piece_chars) - old_chars
        s0, c0 = self.starts[ka], self.char_starts[ka]
        ps = list(accumulate((len(p) for p in pieces), initial=s0))[:-1]
        pc = list(accumulate(piece_chars, initial=c0))[:-1]
        tail_s = self.starts[kb + 1:]
        tail_c = self.char_starts[kb + 1:]
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


class LineDocument(TextDocument):
    """A pygls ``TextDocument`` backed by an incrementally updated line store.

    Drop-in: the same constructor, ``apply_change``, ``source``, ``lines``,
    ``word_at_position``, offset and position conversions.
    """

    def __init__(self, uri: str, source: Optional[str] = None, *args, **kwargs):
        super().__init__(uri, source, *args, **kwargs)
        self._store: Optional[_Store] = None  # built from _source when first needed
        self._lines_view: Optional[Lines] = None
        self._content_view: Optional[List[str]] = None
        # Which lines each change replaced, for consumers that update per-line
        # state instead of rescanning: (revision after, first line, lines
        # removed, lines inserted); a full change is (revision, 0, -1, -1).
        self.revision = 0
        self._log: Deque[Tuple[int, int, int, int]] = deque(maxlen=LOG_LENGTH)

    # -- lazy representations ----------------------------------------------
    def _ensure_store(self) -> _Store:
        if self._store is None:
            self._store = _Store(split_lines(self.source))
        return self._store

    @property
    def source(self) -> str:
        if self._source is None:
            if self._store is not None:
                self._source = "".join(self._store.view())
            else:
                return super().source  # not open: pygls reads the file
        return self._source

    @property
    def lines(self) -> Lines:
        if self._lines_view is None:
            if self._store is None and self._source is None and self.path:
                return Lines(*_static(split_lines(super().source)))
            self._lines_view = self._ensure_store().view()
        return self._lines_view

    @property
    def content_lines(self) -> List[str]:
        """The lines without their line breaks, as the LSP counts lines: equal to
        ``re.split(r"\\r\\n|\\r|\\n", source)`` (so a document that ends in a line
        break, or is empty, has a last empty line). A plain list, fast to index;
        one per version, made on first use from per-chunk stripped lines that
        are kept across versions: O(chunks + touched chunk) work plus one copy of
        the line references (~0.1 ms at 10,000 lines). Do not mutate it."""
        if self._content_view is None:
            if self._store is None and self._source is None and self.path:
                return _LINE_BREAK.split(super().source)
            self._content_view = self._ensure_store().content_lines()
        return self._content_view

    def line(self, i: int) -> str:
        """Line ``i`` with its ending ("" past the end), without a snapshot."""
        return self._ensure_store().line(i)

    @property
    def line_count(self) -> int:
        return self._ensure_store().n

    # -- changes ----------------------------------------------------------
    def _to_server(self, store: _Store, position: types.Position) -> Tuple[int, int]:
        n = store.n
        line = max(position.line, 0)
        if line >= n:
            # Past the last line: the end of the document.
            if n == 0:
                return 0, 0
            last = store.line(n - 1)
            return (n, 0) if _content_len(last) < len(last) else (n - 1, len(last))
        text = store.line(line)
        content = text[: _content_len(text)]
        character = max(position.character, 0)
        if character >= self._position_codec.client_num_units(content):
            return line, len(content)  # LSP: past the end of a line is its end
        p = self._position_codec.position_from_client_units(
            [content], types.Position(line=0, character=character))
        return line, p.character

    def _apply_incremental_change(self, change: types.TextDocumentContentChangePartial) -> None:
        store = self._ensure_store()
        sl, sc = self._to_server(store, change.range.start)
        el, ec = self._to_server(store, change.range.end)
        if (el, ec) < (sl, sc):
            (sl, sc), (el, ec) = (el, ec), (sl, sc)
        n = store.n
        segment = store.line(sl)[:sc] + change.text + store.line(el)[ec:]
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

    def _apply_full_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        self.revision += 1
        self._log.append((self.revision, 0, -1, -1))
        self._source = change.text
        self._store = None
        self._lines_view = None
        self._content_view = None

    def changes_since(self, revision: int) -> Optional[List[Tuple[int, int, int]]]:
        """The line replacements made after ``revision`` (see ``self.revision``),
        oldest first, as (first line, lines removed, lines inserted) in the
        line numbering of the document as it was just before each one; lines
        are counted as in ``lines``. None when that is unknown (a full change,
        or more than LOG_LENGTH changes ago): rescan everything then."""
        if revision == self.revision:
            return []
        out = [(first, removed, inserted) for rev, first, removed, inserted in self._log if rev > revision]
        if len(out) != self.revision - revision or any(r < 0 for _, r, _ in out):
            return None
        return out

    # -- conversions that pygls does in O(file) -------------------------------
    def offset_at_server_position(self, server_position: ServerTextPosition) -> int:
        return self._ensure_store().offset(server_position.line, server_position.character)

    def server_position_at_offset(self, offset: int) -> ServerTextPosition:
        line, col = self._ensure_store().position(offset)
        return ServerTextPosition(line, col)


def _static(lines: List[str]) -> Tuple[List[List[str]], List[int], int]:
    chunks = _chunked(lines)
    return chunks, [0, *accumulate(len(c) for c in chunks)][:-1] if chunks else [], len(lines)


class LineWorkspace(Workspace):
    """A pygls ``Workspace`` whose text documents are ``LineDocument`` s."""

    def _create_text_document(self, doc_uri: str, source: Optional[str] = None,
                              version: Optional[int] = None,
                              language_id: Optional[str] = None) -> TextDocument:
        return LineDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self._position_codec,
        )


def use_line_store(server) -> None:
    """Make ``server``'s workspace keep ``LineDocument`` s.

    pygls creates its ``Workspace`` in its own ``initialize`` handling, just
    before it calls the server's ``initialize`` feature; call this first thing
    in that feature (no document can be open yet). The workspace keeps its
    root, folders, sync kind and position encoding.
    """
    ws = server.workspace
    if isinstance(ws, LineWorkspace):
        return
    if ws.text_documents:
        raise RuntimeError("use_line_store must run before any document is opened")
    ws.__class__ = LineWorkspace
