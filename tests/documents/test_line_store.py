"""The line store keeps exactly the client's text.

Model checks (hypothesis): random documents and random sequences of
incremental changes, applied to a ``LineDocument`` and to

- pygls's own ``TextDocument`` (the text it would have had), on texts whose
  only line breaks are \\n, \\r\\n and \\r, and positions a client can send;
- a reference that does what the LSP specification says, character by
  character on a plain string, on any text (form feeds, \\u2028 ...) and any
  position (past line ends, past the last line, inside a surrogate pair);

in UTF-16, UTF-8 and UTF-32, with chunks of 2 lines so edits cross chunk
boundaries. After every change: same source, same lines, same offsets.
"""

from __future__ import annotations

import contextlib
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as T
from pygls.workspace import TextDocument
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from sheetls import documents
from sheetls.documents import split_lines
from sheetls.lsp.workspace import LineDocument

ENCODINGS = [T.PositionEncodingKind.Utf16, T.PositionEncodingKind.Utf8, T.PositionEncodingKind.Utf32]
URI = "file:///tmp/doc.py"

# Pieces documents are made of: ASCII, accents, CJK, astral emoji, tabs, and
# every kind of LSP line break, including a "\r" and a "\n" apart that an edit
# can bring together.
PLAIN = st.sampled_from(["a", "b", "_", " ", "x = 1", "é", "東", "😋", "\t", "\n", "\r\n", "\r", "\r\r", "\n\n"])
EXOTIC = st.sampled_from(["\x0c", "\x0b", "\x1c", "\x85", "\u2028", "\u2029"])
PLAIN_TEXT = st.lists(PLAIN, max_size=30).map("".join)
ANY_TEXT = st.lists(st.one_of(PLAIN, EXOTIC), max_size=30).map("".join)
# LINE_STORE_EXAMPLES=5000 for a longer search.
SETTINGS = settings(
    max_examples=int(os.environ.get("LINE_STORE_EXAMPLES", "150")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@contextlib.contextmanager
def small_chunks(n: int = 2):
    old = documents.CHUNK
    documents.CHUNK = n
    try:
        yield
    finally:
        documents.CHUNK = old


def units(s: str, enc) -> int:
    return PositionCodec(enc).client_num_units(s)


def lsp_lines(text: str) -> list[str]:
    """Lines as the LSP counts them: a text ending in a line break (or empty)
    has one more, empty, line."""
    lines = split_lines(text)
    if not lines or lines[-1].endswith(("\n", "\r")):
        lines.append("")
    return lines


def content(line: str) -> str:
    return line.rstrip("\n").rstrip("\r") if not line.endswith("\r\n") else line[:-2]


def ref_offset(text: str, pos: T.Position, enc) -> int:
    """The LSP specification's offset of a position: past the end of a line is
    its end; past the last line is the end of the document; a position inside
    a character's code units is after it (as pygls rounds)."""
    lines = lsp_lines(text)
    if pos.line >= len(lines):
        return len(text)
    off = sum(len(l) for l in lines[: pos.line])
    col, seen = 0, 0
    line = content(lines[pos.line])
    for ch in line:
        if seen >= pos.character:
            break
        seen += units(ch, enc)
        col += 1
    return off + col


def ref_apply(text: str, start: T.Position, end: T.Position, new: str, enc) -> str:
    a, b = ref_offset(text, start, enc), ref_offset(text, end, enc)
    a, b = min(a, b), max(a, b)
    return text[:a] + new + text[b:]


@st.composite
def client_position(draw, text: str, enc, anywhere: bool):
    """A position a client sends: on a line, at a character boundary, within
    the line (or, if ``anywhere``, past its end, past the last line, inside a
    surrogate pair)."""
    lines = lsp_lines(text)
    if anywhere:
        line = draw(st.integers(0, len(lines) + 1))
        col = draw(st.integers(0, 12))
        return T.Position(line=line, character=col)
    line = draw(st.integers(0, len(lines) - 1))
    body = content(lines[line])
    cut = draw(st.integers(0, len(body)))
    return T.Position(line=line, character=units(body[:cut], enc))


def ordered(a: T.Position, b: T.Position, text: str, enc):
    return (a, b) if ref_offset(text, a, enc) <= ref_offset(text, b, enc) else (b, a)


def change(start: T.Position, end: T.Position, text: str):
    return T.TextDocumentContentChangePartial(range=T.Range(start=start, end=end), text=text)


def check_same(doc: LineDocument, text: str) -> None:
    assert doc.source == text
    assert list(doc.lines) == split_lines(text)
    assert "".join(doc.lines) == text
    assert len(doc.lines) == len(split_lines(text))
    expected = re.split(r"\r\n|\r|\n", text)
    content_lines = doc.content_lines
    assert isinstance(content_lines, list)
    assert list(content_lines) == expected and len(content_lines) == len(expected)
    assert [content_lines[i] for i in range(-len(expected), len(expected))] == expected * 2


@pytest.mark.slow  # generated edits, three encodings
@pytest.mark.parametrize("enc", ENCODINGS)
@SETTINGS
@given(data=st.data(), initial=PLAIN_TEXT)
def test_same_text_as_pygls_after_any_client_edits(enc, data, initial):
    codec = PositionCodec(enc)
    with small_chunks():
        mine = LineDocument(URI, initial, position_codec=codec)
        theirs = TextDocument(URI, initial, position_codec=PositionCodec(enc))
        for _ in range(data.draw(st.integers(1, 8), label="edits")):
            text = theirs.source
            a = data.draw(client_position(text, enc, anywhere=False))
            b = data.draw(client_position(text, enc, anywhere=False))
            a, b = ordered(a, b, text, enc)
            new = data.draw(PLAIN_TEXT, label="new text")
            mine.apply_change(change(T.Position(a.line, a.character), T.Position(b.line, b.character), new))
            theirs.apply_change(change(a, b, new))
            assert mine.source == theirs.source
            assert list(mine.lines) == list(theirs.lines)
            check_same(mine, theirs.source)
            # Conversions agree with pygls's at positions a client can send.
            p = data.draw(client_position(theirs.source, enc, anywhere=False))
            assert mine.offset_at_position(T.Position(p.line, p.character)) == theirs.offset_at_position(
                T.Position(p.line, p.character)
            )
            assert mine.word_at_position(T.Position(p.line, p.character)) == theirs.word_at_position(
                T.Position(p.line, p.character)
            )
            off = data.draw(st.integers(0, len(theirs.source)))
            if off < len(theirs.source):
                assert mine.server_position_at_offset(off) == theirs.server_position_at_offset(off)


@pytest.mark.slow
@pytest.mark.parametrize("enc", ENCODINGS)
@SETTINGS
@given(data=st.data(), initial=ANY_TEXT)
def test_follows_the_lsp_specification_on_any_text_and_position(enc, data, initial):
    with small_chunks():
        doc = LineDocument(URI, initial, position_codec=PositionCodec(enc))
        text = initial
        for _ in range(data.draw(st.integers(1, 8), label="edits")):
            a = data.draw(client_position(text, enc, anywhere=True))
            b = data.draw(client_position(text, enc, anywhere=True))
            new = data.draw(ANY_TEXT, label="new text")
            expected = ref_apply(text, a, b, new, enc)
            doc.apply_change(change(a, b, new))
            text = expected
            check_same(doc, text)
            i = data.draw(st.integers(0, len(text)), label="offset")
            assert doc.offset_at_server_position(doc.server_position_at_offset(i)) == i


def test_snapshots_of_lines_never_change():
    with small_chunks():
        doc = LineDocument(URI, "one\ntwo\nthree\nfour\nfive\n")
        before = doc.lines
        kept = list(before)
        doc.apply_change(change(T.Position(1, 0), T.Position(3, 2), "2\n3\n"))
        doc.apply_change(change(T.Position(0, 0), T.Position(0, 0), "zero\n"))
        assert list(before) == kept
        assert doc.source == "zero\none\n2\n3\nur\nfive\n"
        assert doc.lines is doc.lines  # one snapshot per version


def test_full_change_and_empty_documents():
    doc = LineDocument(URI, "")
    assert list(doc.lines) == [] and doc.source == ""
    doc.apply_change(change(T.Position(0, 0), T.Position(0, 0), "a\r"))
    doc.apply_change(change(T.Position(1, 0), T.Position(1, 0), "\nb"))
    assert doc.source == "a\r\nb" and list(doc.lines) == ["a\r\n", "b"]
    doc.apply_change(T.TextDocumentContentChangeWholeDocument(text="x\ny"))
    assert list(doc.lines) == ["x\n", "y"] and doc.source == "x\ny"
    doc.apply_change(change(T.Position(0, 0), T.Position(5, 0), ""))
    assert doc.source == "" and list(doc.lines) == []


def test_form_feed_is_not_a_line_break():
    # pygls's str.splitlines() would make line 1 start after the form feed.
    doc = LineDocument(URI, "import asyncio\n\x0c\nasyncio.open_connection\n")
    assert len(doc.lines) == 3
    assert doc.word_at_position(T.Position(2, 10)) == "open_connection"


def test_large_document_edits_across_chunks():
    lines = [f"line {i} 😋 é\n" for i in range(5000)]
    text = "".join(lines)
    doc = LineDocument(URI, text)
    theirs = TextDocument(URI, text)
    for k in range(200):
        line = (k * 37) % 4990

        def at(n: int, col: int) -> T.Position:  # a position the client can send
            return T.Position(n, min(col, units(content(theirs.lines[n]), T.PositionEncodingKind.Utf16)))

        doc.apply_change(change(at(line, 3), at(line + k % 3, 5), "X\n" * (k % 4)))
        theirs.apply_change(change(at(line, 3), at(line + k % 3, 5), "X\n" * (k % 4)))
    assert doc.source == theirs.source
    assert list(doc.lines) == list(theirs.lines)
    assert doc.lines[-1] == theirs.lines[-1] and doc.lines[1000:1010] == list(theirs.lines[1000:1010])
    p = ServerTextPosition(3000, 4)
    assert doc.offset_at_server_position(p) == theirs.offset_at_server_position(p)


@SETTINGS
@given(data=st.data(), initial=PLAIN_TEXT)
def test_changes_since_tells_which_lines_were_replaced(data, initial):
    """Replaying changes_since() on the old lines, taking the new lines from
    the document, gives the document's lines: a consumer that keeps per-line
    state can update only what changed."""
    enc = T.PositionEncodingKind.Utf16
    with small_chunks():
        doc = LineDocument(URI, initial)
        old_lines, old_rev = list(doc.lines), doc.revision
        text = initial
        for _ in range(data.draw(st.integers(0, 6), label="edits")):
            a = data.draw(client_position(text, enc, anywhere=True))
            b = data.draw(client_position(text, enc, anywhere=True))
            new = data.draw(ANY_TEXT, label="new text")
            doc.apply_change(change(a, b, new))
            text = ref_apply(text, a, b, new, enc)
        changes = doc.changes_since(old_rev)
        assert changes is not None
        # Replay: a sequence of (first, removed, inserted); the inserted lines'
        # text is only known for the final state, so track identities.
        marks = [("old", i) for i in range(len(old_lines))]
        for first, removed, inserted in changes:
            marks[first : first + removed] = [("new", None)] * inserted
        new_lines = list(doc.lines)
        assert len(marks) == len(new_lines)
        for (kind, i), line in zip(marks, new_lines):
            if kind == "old":
                assert old_lines[i] == line
        assert doc.changes_since(doc.revision) == []


def test_changes_since_after_a_full_change_is_unknown():
    doc = LineDocument(URI, "a\nb\n")
    rev = doc.revision
    doc.apply_change(change(T.Position(0, 0), T.Position(0, 1), "x"))
    assert doc.changes_since(rev) == [(0, 1, 1)]
    doc.apply_change(T.TextDocumentContentChangeWholeDocument(text="z"))
    assert doc.changes_since(rev) is None
