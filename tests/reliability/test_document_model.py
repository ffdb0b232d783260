"""Document model exactness (issue 8): long random incremental didChange sequences, under each
position encoding, leave the server with exactly the text a reference model computes, and
completion and hover anywhere in the result answer without an error.

The server runs over stdio with SHEETLS_DEBUG=1, which adds the `sheetls.debugDocumentText`
command (sheetls/debug.py) that returns the server's own text of a document. Hypothesis runs
derandomized (the same examples on every run); SHEETLS_HYPOTHESIS_EXAMPLES=500 searches wider.
"""

from __future__ import annotations

import itertools
import os
import re
from typing import List, Tuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawlsp import RawServer

EXAMPLES = int(os.environ.get("SHEETLS_HYPOTHESIS_EXAMPLES", "30"))
_FIXED = EXAMPLES <= 30  # CI: the same examples every run, nothing stored between runs
PROFILE = settings(
    max_examples=EXAMPLES,
    derandomize=_FIXED,
    database=None if _FIXED else settings.default.database,
    deadline=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

UNITS = {
    "utf-8": lambda ch: len(ch.encode("utf-8")),
    "utf-16": lambda ch: 2 if ord(ch) > 0xFFFF else 1,
    "utf-32": lambda ch: 1,
}
_BREAK = re.compile(r"\r\n|\r|\n")

PIECES = [
    "a",
    "x",
    "_",
    " ",
    "    ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "é",
    "中文",
    "😀",
    "𝄞",
    "a😀b",
    "import asyncio\n",
    "aio",
    "asyncio.open_connection(",
    "loop.run_in_executor",
    "async def main():\r\n",
    "    await asyncio.to_thread(f)\n",
    "# ü €\n",
    "'''\n",
    '"',
    "(",
]
INSERT = st.lists(st.sampled_from(PIECES), max_size=6).map("".join)
SEED = st.integers(min_value=0, max_value=2**31)
START = st.lists(st.sampled_from(PIECES), max_size=30).map("".join)
# (kind, seed, seed, text, whole text): kind 0 (one change in 20) replaces the whole document
EDIT = st.tuples(st.integers(0, 19), SEED, SEED, INSERT, START)


class Model:
    """The reference: a str, and LSP positions (line, units) over it per the spec."""

    def __init__(self, text: str, encoding: str):
        self.text = text
        self.units = UNITS[encoding]

    def lines(self) -> List[Tuple[int, str]]:
        """(start offset, content without its line break) for each line."""
        out, start = [], 0
        for m in _BREAK.finditer(self.text):
            out.append((start, self.text[start : m.start()]))
            start = m.end()
        out.append((start, self.text[start:]))
        return out

    def position(self, seed: int) -> Tuple[int, int, int]:
        """A valid position chosen by `seed`: (offset, line, character in units)."""
        lines = self.lines()
        line = seed % len(lines)
        start, content = lines[line]
        col = (seed // len(lines)) % (len(content) + 1)
        return start + col, line, sum(self.units(ch) for ch in content[:col])

    def change(self, kind: int, seed_a: int, seed_b: int, new: str, whole: str) -> dict:
        if kind == 0:
            self.text = whole
            return {"text": whole}
        return self.edit(seed_a, seed_b, new)

    def edit(self, seed_a: int, seed_b: int, new: str) -> dict:
        a, b = sorted([self.position(seed_a), self.position(seed_b)])
        self.text = self.text[: a[0]] + new + self.text[b[0] :]
        return {
            "range": {"start": {"line": a[1], "character": a[2]}, "end": {"line": b[1], "character": b[2]}},
            "text": new,
        }


_uris = itertools.count()


@pytest.fixture(scope="module", params=["utf-8", "utf-16", "utf-32"])
def server(request):
    with RawServer(env={"SHEETLS_DEBUG": "1"}) as srv:
        answer = srv.initialize(encodings=[request.param])
        assert answer["result"]["capabilities"]["positionEncoding"] == request.param
        srv.encoding = request.param
        yield srv
        assert srv.shutdown_and_exit() == 0


def server_text(srv: RawServer, uri: str) -> str:
    answer = srv.call("workspace/executeCommand", {"command": "sheetls.debugDocumentText", "arguments": [uri]})
    assert "error" not in answer, answer
    return answer["result"]["text"]


@PROFILE
@given(
    start=START,
    batches=st.lists(st.lists(EDIT, min_size=1, max_size=3), min_size=1, max_size=60),
    probes=st.lists(SEED, min_size=2, max_size=4),
)
def test_incremental_edits_keep_the_text_exact(server, start, batches, probes):
    srv, enc = server, server.encoding
    uri = f"file:///tmp/reliability/model-{next(_uris)}.py"
    model = Model(start, enc)
    srv.open(uri, start)
    for version, batch in enumerate(batches, start=2):
        changes = [model.change(*e) for e in batch]  # applied in order, as the spec says
        srv.notify(
            "textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}
        )
    assert server_text(srv, uri) == model.text

    for seed in probes:
        _, line, character = model.position(seed)
        where = {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}
        for method in ("textDocument/completion", "textDocument/hover"):
            answer = srv.call(method, where)
            assert "error" not in answer, (method, where, answer)
    assert srv.logged_errors() == []  # no feature failed (each failure is logged as an Error)
    srv.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_the_model_itself():
    """The reference model's positions, checked by hand on a mixed line (so the property
    above compares against something right)."""
    m = Model("a😀b\r\né\rx\n", "utf-16")
    assert [c for _, c in m.lines()] == ["a😀b", "é", "x", ""]
    assert m.edit(0 + 4 * 2, 0 + 4 * 2, "") == {
        "range": {"start": {"line": 0, "character": 3}, "end": {"line": 0, "character": 3}},
        "text": "",
    }
    m = Model("a😀b", "utf-8")
    change = m.edit(2, 3, "Z")  # line 0, cols 2 and 3 -> after the emoji (5 bytes), after b (6 bytes)
    assert change["range"]["start"]["character"] == 5 and change["range"]["end"]["character"] == 6
    assert m.text == "a😀Z"
