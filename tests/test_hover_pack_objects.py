"""A pack describes the objects its calls return (`returns`, `value`, `types`): hover follows
them to the pack's members, as it does for asyncio's."""

from sheetls.hover import hover_at
from sheetls.index import SheetIndex
from sheetls.loader import load_text

PACK = """\
schema: 1
id: mylib
title: My library
summary: Connections.
sections:
  - id: conn
    title: Connections
    summary: Talk to a peer.
    entries:
      - id: connect
        title: Connect
        summary: Open a connection.
        prefix: mlconnect
        apis: [mylib.connect]
        returns: mylib.Connection
        imports: [mylib]
        body: |
          conn = await mylib.connect("host")
          await conn.send(b"hi")
members:
  - api: mylib.Connection.send
    entry: connect
    summary: Sends bytes.
  - api: mylib.Stream.flush
    entry: connect
    summary: Flushes the stream.
  - api: mylib.Connection.stream
    entry: connect
    summary: The connection's stream.
    value: mylib.Stream
types:
  - api: mylib.pair
    returns: [mylib.Stream, mylib.Stream]
"""

SOURCE = [
    "import mylib",
    "",
    "async def main(c: mylib.Connection):",
    "    conn = await mylib.connect('h')",
    "    await conn.send(b'x')",
    "    left, right = mylib.pair()",
    "    right.flush()",
    "    conn.stream.flush()",
    "    c.send(b'')",
]


def _api(index, line, word):
    answer = hover_at(index, SOURCE, line, SOURCE[line].index(word), markdown=False)
    return answer and answer.target.api


def test_a_pack_describes_the_objects_its_calls_return():
    result = load_text(PACK, "mylib.yaml")
    assert result.ok, [str(e) for e in result.errors]
    sheet = result.sheet
    assert sheet.entries[0].returns == "mylib.Connection"
    assert sheet.types[0].returns == ("mylib.Stream", "mylib.Stream")
    index = SheetIndex.build([sheet])
    assert _api(index, 4, "send") == "mylib.Connection.send"
    assert _api(index, 6, "flush") == "mylib.Stream.flush"
    assert _api(index, 7, "flush") == "mylib.Stream.flush"
    assert _api(index, 8, "send") == "mylib.Connection.send"  # an annotation names the class


def test_returns_is_checked_with_file_line_and_field():
    bad = PACK.replace("returns: mylib.Connection", "returns: 3").replace(
        "returns: [mylib.Stream, mylib.Stream]", "returns: [mylib.Stream, 'not a name']"
    )
    errors = [str(e) for e in load_text(bad, "mylib.yaml").errors]
    assert any(e.startswith("mylib.yaml:15: sections[0].entries[0].returns: expected a class name") for e in errors), (
        errors
    )
    assert any(e.startswith("mylib.yaml:33: types[0].returns[1]: expected a dotted name") for e in errors), errors
    empty = PACK.replace("    returns: [mylib.Stream, mylib.Stream]\n", "")
    assert [str(e) for e in load_text(empty, "mylib.yaml").errors] == [
        "mylib.yaml:32: types[0]: says neither what the name returns nor its value"
    ]
