"""Hover misses and false answers found in real code (issue 13, bugs 4, 5 and 8, and the
misses found with them), over the real protocol with VS Code's and Neovim's profiles.

- bug 4: every `start_server` of a block registers its handler (two servers in one
  function, in two methods of one class, in nested functions of one test method);
- bug 5: `run_in_executor` is the event loop's only when the file cannot show otherwise
  (a class with its own `run_in_executor`, an instance of a local class, trollius's loop);
- generator-based coroutines (`yield from`), the Unix-socket streams, and values returned
  by the file's own helper functions;
- bug 8: a class of 12,500 methods answers after a keystroke without parsing the class.

Sources mark the cursor with `|`; `expect(...)` names the text the hover range covers."""

from __future__ import annotations

import ast

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from lsprotocol import types

from core_support import carried_and_fresh_answers, hover_answers, line_edits
from lsp_helpers import open_doc, split_cursor, utf16_col
from sheetls import bigclass, docmodel
from sheetls.docmodel import DocumentModel
from sheetls.loader import builtin_sheet_path, load_pack

SHEET = load_pack(builtin_sheet_path()).sheet
MEMBER = {m.api: m for m in SHEET.members}
ENTRY = {api: e for e in SHEET.entries for api in e.apis}


async def hover(client, marked: str):
    text, line, col = split_cursor(marked)
    uri = open_doc(client, text)
    line_text = text.split("\n")[line]
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri), position=types.Position(line, utf16_col(line_text, col))
        )
    )
    return result, line_text


async def expect(client, marked: str, api: str, name: str) -> None:
    result, line_text = await hover(client, marked)
    assert result is not None, f"no hover for {api}"
    value = result.contents.value
    if api in ENTRY:
        assert value.startswith(f"### {ENTRY[api].title}\n"), value[:80]
    else:
        assert value.startswith(f"### {api}\n"), value[:80]
        assert MEMBER[api].summary in value
    r = result.range
    assert r.start.line == r.end.line
    assert line_text[r.start.character : r.end.character] == name  # ASCII sources: units are code points


async def expect_null(client, marked: str) -> None:
    result, _ = await hover(client, marked)
    assert result is None, result.contents.value[:80]


# --- bug 4: every start_server of a block registers its handler ------------------------------
TWO_IN_ONE_FUNCTION = """import asyncio


async def echo(reader, writer):
    await writer.drain()


async def upper(reader, writer):
    data = await reader.readline()
    writer.write(data.upper())


async def main():
    one = await asyncio.start_server(echo, port=0)
    two = await asyncio.start_server(upper, port=0)
"""

# CPython's Lib/test/test_asyncio/test_streams.py: a server class inside a test method
TWO_METHODS_OF_ONE_CLASS = """import asyncio
import socket


class StreamTests:
    def test_start_server(self):

        class MyServer:

            def __init__(self, loop):
                self.server = None
                self.loop = loop

            async def handle_client(self, client_reader, client_writer):
                data = await client_reader.readline()
                client_writer.write(data)
                await client_writer.drain()

            async def handle_client_callback(self, client_reader, client_writer):
                data = await client_reader.readline()
                client_writer.write(data)
                await client_writer.drain()

            def start(self):
                sock = socket.create_server(('127.0.0.1', 0))
                self.server = self.loop.run_until_complete(
                    asyncio.start_server(self.handle_client,
                                         sock=sock))
                return sock.getsockname()

            def start_callback(self):
                sock = socket.create_server(('127.0.0.1', 0))
                addr = sock.getsockname()
                sock.close()
                self.server = self.loop.run_until_complete(
                    asyncio.start_server(self.handle_client_callback,
                                         host=addr[0], port=addr[1]))
                return addr
"""

# uvloop's tests/test_tcp.py: nested handlers, each passed in its own nested function
NESTED_IN_ONE_TEST = """import asyncio


class _TestTCP:
    def test_create_server_1(self):
        async def handle_client(reader, writer):
            data = await reader.readexactly(4)
            writer.write(b'OK')

        async def handle_client_sock(reader, writer):
            data = await reader.readexactly(4)
            await writer.drain()

        async def start_server():
            srv = await asyncio.start_server(handle_client, '127.0.0.1', 0)

        async def start_server_sock(sock):
            srv = await asyncio.start_server(handle_client_sock, sock=sock)
"""


def mark(src: str, needle: str, offset: int, nth: int = 0) -> str:
    at = -1
    for _ in range(nth + 1):
        at = src.index(needle, at + 1)
    return src[: at + offset] + "|" + src[at + offset :]


async def test_both_handlers_of_two_servers_in_one_function(client):
    await expect(client, mark(TWO_IN_ONE_FUNCTION, "writer.drain", 8), "asyncio.StreamWriter.drain", "writer.drain")
    await expect(client, mark(TWO_IN_ONE_FUNCTION, "writer.write", 8), "asyncio.StreamWriter.write", "writer.write")
    await expect(
        client, mark(TWO_IN_ONE_FUNCTION, "reader.readline", 8), "asyncio.StreamReader.readline", "reader.readline"
    )


async def test_both_handler_methods_of_one_class(client):
    for nth in (0, 1):
        await expect(
            client,
            mark(TWO_METHODS_OF_ONE_CLASS, "client_writer.write", 15, nth),
            "asyncio.StreamWriter.write",
            "client_writer.write",
        )
        await expect(
            client,
            mark(TWO_METHODS_OF_ONE_CLASS, "client_writer.drain", 15, nth),
            "asyncio.StreamWriter.drain",
            "client_writer.drain",
        )


async def test_nested_handlers_each_passed_in_a_nested_function(client):
    await expect(client, mark(NESTED_IN_ONE_TEST, "writer.write", 8), "asyncio.StreamWriter.write", "writer.write")
    await expect(client, mark(NESTED_IN_ONE_TEST, "writer.drain", 8), "asyncio.StreamWriter.drain", "writer.drain")


def big_server_class(filler: int) -> str:
    """Two handler methods, two start_server calls, far apart in a class of many methods."""
    methods = "".join(
        f"    async def m{i}(self, host):\n        r, w = await asyncio.open_connection(host, {i})\n"
        f"        await w.drain()\n\n"
        for i in range(filler)
    )
    return (
        "import asyncio\n\n\nclass Big:\n"
        "    async def first(self, reader, writer):\n        await writer.drain()\n\n"
        + methods
        + "    async def second(self, reader, writer):\n        writer.write(b'x')\n\n"
        + methods
        + "    async def serve(self):\n        await asyncio.start_server(self.first, port=0)\n"
        "        await asyncio.start_server(self.second, port=1)\n"
    )


async def test_both_handler_methods_of_a_big_class(client):
    src = big_server_class(150)
    await expect(client, mark(src, "writer.drain", 8), "asyncio.StreamWriter.drain", "writer.drain")
    await expect(client, mark(src, "writer.write", 8), "asyncio.StreamWriter.write", "writer.write")
    await expect_null(client, mark(src.replace("self.second", "self.third"), "writer.write", 8))


# --- bug 5: run_in_executor on a receiver the file shows is not a loop -----------------------
RUN_IN_EXECUTOR_NULLS = {
    "a class with its own run_in_executor": """import asyncio


class Executor:
    def run_in_executor(self, fn, *args):
        return fn(*args)

    async def go(self):
        return self.run_in_exec|utor(print, 1)
""",
    "an instance of a local class": """import asyncio


class Pool:
    def run_in_executor(self, executor, fn):
        return fn()


async def main():
    return await Pool().run_in_exec|utor(None, print)
""",
    "an instance of a local class, through a name": """import asyncio


class Pool:
    def run_in_executor(self, executor, fn):
        return fn()


async def main():
    pool = Pool()
    return await pool.run_in_exec|utor(None, print)
""",
    "a local class that has no run_in_executor": """class Pool:
    pass


async def main():
    return await Pool().run_in_exec|utor(None, print)
""",
    "a subclass inheriting its own run_in_executor": """class Base:
    def run_in_executor(self, executor, fn):
        return fn()


class Pool(Base):
    async def go(self):
        return self.run_in_exec|utor(None, print)
""",
    "trollius as asyncio": """import trollius as asyncio

loop = asyncio.get_event_loop()
loop.run_in_exec|utor(None, print)
""",
    "trollius's loop in a function": """import trollius as asyncio
from trollius import From


@asyncio.coroutine
def main():
    loop = asyncio.get_event_loop()
    yield From(loop.run_in_exec|utor(None, print))
""",
    "trollius, imported by name": """from trollius import get_event_loop

get_event_loop().run_in_exec|utor(None, print)
""",
}


async def test_run_in_executor_on_a_receiver_that_is_not_a_loop(client):
    for marked in RUN_IN_EXECUTOR_NULLS.values():
        await expect_null(client, marked)


RUN_IN_EXECUTOR_ANSWERED = {
    "a loop kept on self": "class Worker:\n    async def go(self):\n"
    "        return await self.loop.run_in_exec|utor(None, f)\n",
    "a mixin that does not define it": "class Mixin:\n    async def go(self):\n"
    "        return await self.run_in_exec|utor(None, f)\n",
    "a loop subclass": "import asyncio\n\n\nclass MyLoop(asyncio.SelectorEventLoop):\n"
    "    async def go(self):\n        return await self.run_in_exec|utor(None, f)\n",
    "a local class with a base sheetls cannot see": "from concurrent.futures import ThreadPoolExecutor\n\n\n"
    "class Pool(ThreadPoolExecutor):\n    pass\n\n\n"
    "Pool().run_in_exec|utor(None, f)\n",
    "a helper's loop": "import mylib\n\nmylib.get_loop().run_in_exec|utor(None, f)\n",
    "a loop behind a property": "import asyncio\n\n\nclass Worker:\n    @property\n    def loop(self):\n"
    "        return self._loop\n\n    async def go(self):\n"
    "        return await self.loop.run_in_exec|utor(None, f)\n",
    "a class attribute the instance rebinds": "import asyncio\n\n\nclass Worker:\n    loop = None\n\n"
    "    async def go(self):\n"
    "        return await self.loop.run_in_exec|utor(None, f)\n",
}


async def test_run_in_executor_on_a_receiver_sheetls_cannot_see_stays_answered(client):
    for marked in RUN_IN_EXECUTOR_ANSWERED.values():
        name = marked.split("|")[0].split()[-1].split("(")[-1] + marked.split("|")[1].split("(")[0]
        name = name.lstrip(").")  # after a call, the range is the method's name
        await expect(client, marked, "asyncio.AbstractEventLoop.run_in_executor", name)


# --- generator-based coroutines, Unix sockets, the file's own helpers ------------------------
YIELD_FROM = """import asyncio


@asyncio.coroutine
def run(host):
    proc = yield from asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)
    out, err = yield from proc.communicate()
    reader, writer = yield from asyncio.open_connection(host, 80)
    writer.write(b"x")
    yield from writer.drain()
"""

UNIX = """import asyncio


async def handle(reader, writer):
    await writer.drain()


async def main(path):
    reader, writer = await asyncio.open_unix_connection(path)
    writer.write(b"x")
    data = await reader.readline()
    server = await asyncio.start_unix_server(handle, path=path)
    async with server:
        await server.serve_forever()
"""

HELPERS = """import asyncio


async def connect(host):
    return await asyncio.wait_for(asyncio.open_connection(host, 80), timeout=5)


async def connect_pair(host):
    reader, writer = await asyncio.open_connection(host, 80)
    return reader, writer


async def spawn(*args):
    proc = await asyncio.create_subprocess_exec(*args, stdout=asyncio.subprocess.PIPE)
    return proc


class Client:
    async def open(self):
        return await connect(self.host)

    async def talk(self):
        r, w = await self.open()
        await w.drain()


async def main():
    r, w = await connect("h")
    await w.drain()
    reader, writer = await connect_pair("h")
    writer.write(b"x")
    proc = await spawn("ls")
    out, err = await proc.communicate()
"""


async def test_generator_based_coroutines(client):
    await expect(
        client, mark(YIELD_FROM, "proc.communicate", 6), "asyncio.subprocess.Process.communicate", "proc.communicate"
    )
    await expect(client, mark(YIELD_FROM, "writer.write", 8), "asyncio.StreamWriter.write", "writer.write")
    await expect(client, mark(YIELD_FROM, "writer.drain", 8), "asyncio.StreamWriter.drain", "writer.drain")


async def test_unix_socket_streams(client):
    await expect(client, mark(UNIX, "writer.write", 8), "asyncio.StreamWriter.write", "writer.write")
    await expect(client, mark(UNIX, "reader.readline", 8), "asyncio.StreamReader.readline", "reader.readline")
    await expect(client, mark(UNIX, "writer.drain", 8), "asyncio.StreamWriter.drain", "writer.drain")  # the handler
    await expect(client, mark(UNIX, "server.serve_forever", 8), "asyncio.Server.serve_forever", "server.serve_forever")


async def test_values_returned_by_the_files_own_helpers(client):
    await expect(client, mark(HELPERS, "w.drain", 3, 1), "asyncio.StreamWriter.drain", "w.drain")
    await expect(client, mark(HELPERS, "writer.write", 8), "asyncio.StreamWriter.write", "writer.write")
    await expect(
        client, mark(HELPERS, "proc.communicate", 6, 0), "asyncio.subprocess.Process.communicate", "proc.communicate"
    )
    await expect(client, mark(HELPERS, "w.drain", 3, 0), "asyncio.StreamWriter.drain", "w.drain")  # self.open()


HELPER_NULLS = {
    "a helper that may return something else": """import asyncio


async def connect(host):
    if not host:
        return None
    return await asyncio.open_connection(host, 80)


async def main():
    r, w = await connect("h")
    await w.dra|in()
""",
    "a helper that returns nothing": """import asyncio


async def connect(host):
    await asyncio.open_connection(host, 80)


async def main():
    r, w = await connect("h")
    await w.dra|in()
""",
    "a helper that calls itself": """import asyncio


async def connect(host):
    return await connect(host)


async def main():
    r, w = await connect("h")
    await w.dra|in()
""",
    "the helper's own name": """import asyncio


async def connect(host):
    return await asyncio.open_connection(host, 80)


async def main():
    r, w = await conn|ect("h")
""",
}


async def test_helpers_answer_only_what_they_always_return(client):
    for marked in HELPER_NULLS.values():
        await expect_null(client, marked)


# --- bug 8: a class body of 12,500 methods -----------------------------------------------------
def huge_class() -> str:
    methods = "".join(
        f"    async def m{i}(self, host):\n        r, w = await asyncio.open_connection(host, {i})\n\n"
        for i in range(12500)
    )
    return (
        "import asyncio\n\n\nclass Huge:\n"
        "    async def handle(self, reader, writer):\n        # typing here\n        await writer.drain()\n\n"
        + methods
        + "    async def serve(self):\n        await asyncio.start_server(self.handle, port=0)\n"
    )


async def test_hover_after_keystrokes_in_a_huge_class(client):
    text = huge_class()
    lines = text.split("\n")
    assert len(lines) > 37500
    uri = open_doc(client, text)
    typing = lines.index("        # typing here")
    drain = typing + 1
    opened = lines.index("    async def m9000(self, host):") + 1

    async def at(line: int, col: int):
        return await client.text_document_hover_async(
            types.HoverParams(text_document=types.TextDocumentIdentifier(uri), position=types.Position(line, col))
        )

    for version in range(2, 8):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[
                    types.TextDocumentContentChangePartial(
                        range=types.Range(types.Position(typing, 21), types.Position(typing, 21)), text="x"
                    )
                ],
            )
        )
        drained = await at(drain, 22)
        assert drained.contents.value.startswith("### asyncio.StreamWriter.drain\n")
        called = await at(opened, lines[opened].index("open_connection") + 3)
        assert called.contents.value.startswith(f"### {ENTRY['asyncio.open_connection'].title}\n")
    # an edit that makes `handle` no longer the handler
    serve = len(lines) - 2
    col = lines[serve].index("self.handle") + 5
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=9),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(serve, col), types.Position(serve, col + 6)), text="other"
                )
            ],
        )
    )
    assert await at(drain, 22) is None


# --- a big class's carried model answers like a fresh one ----------------------------------------
BIG_METHODS = """    async def handle(self, reader, writer):
        data = await reader.readline()
        writer.write(data)
        await writer.drain()

    async def serve(self):
        await asyncio.start_server(self.handle, port=0)
        await asyncio.start_server(functools.partial(self.other, 1), port=1)

    async def other(self, n, reader, writer):
        await writer.drain()

    async def connect(self, host):
        return await asyncio.open_connection(host, 80)

    async def talk(self):
        r, w = await self.connect("h")
        await w.drain()
        return await self.loop.run_in_executor(None, print)

    limit = asyncio.open_connection

    async def spawn(self):
        proc = await asyncio.create_subprocess_exec("ls")
        out, err = await proc.communicate()

"""
BIG_SOURCE = (
    "import asyncio\nimport functools\n\n\nclass Big:\n"
    + BIG_METHODS * 12
    + "\n\nasync def main():\n    r, w = await Big().connect('h')\n    await w.drain()\n"
    + "    Big().run_in_executor(None, print)\n"
).split("\n")
BIG_FRAGMENTS = [
    "asyncio = None",
    "x",
    " ",
    "(",
    ")",
    "self.handle",
    "def run_in_executor(self): pass",
    "global asyncio; asyncio = None",
    "handle = print",
    "return None",
    "writer",
    ".drain()",
    "#",
    "async def handle(self, reader, writer):",
    "connect = None",
    "@staticmethod",
    "else:",
]


def test_the_big_source_is_a_big_class_with_answers():
    model = DocumentModel().at(BIG_SOURCE)
    k = next(k for k, b in enumerate(model.blocks) if b.defines == "Big")
    assert model.class_head(k) is not None  # parsed a statement of its body at a time
    found = {a[0] for a in hover_answers(BIG_SOURCE, 1).values() if a}
    assert {
        "asyncio.StreamWriter.drain",
        "asyncio.StreamReader.readline",
        "asyncio.open_connection",
        "asyncio.AbstractEventLoop.run_in_executor",
        "asyncio.subprocess.Process.communicate",
    } <= found


@pytest.mark.slow  # two minutes of generated edits
@settings(max_examples=60, deadline=None, derandomize=True)
@given(line_edits(BIG_SOURCE, BIG_FRAGMENTS))
def test_a_carried_model_of_a_big_class_answers_like_a_fresh_one(edits):
    carried, fresh = carried_and_fresh_answers(BIG_SOURCE, edits, indent="        ", step=11, final_step=2)
    assert carried == fresh


CLASS_LEVEL = """    asyncio = None
    shadowed = asyncio.open_connection

    def open_connection(self):
        pass

    oc = open_connection
    if True:
        import asyncio
    again = asyncio.open_connection

    async def uses(self, writer=asyncio.StreamWriter):
        await asyncio.open_connection("h", 1)

    @staticmethod
    def run_in_executor(executor, fn):
        return fn()

    async def own(self):
        return self.run_in_executor(None, print)

"""


SHADOWING_CLASS = (
    "import asyncio\nimport functools\n\n\nclass Big:\n"
    + CLASS_LEVEL
    + BIG_METHODS * 10
    + CLASS_LEVEL
    + "\nx = Big().run_in_executor\n"
).split("\n")


@pytest.mark.slow
@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    st.lists(
        st.tuples(
            st.integers(5, len(SHADOWING_CLASS) - 4), st.sampled_from([f for f in BIG_FRAGMENTS if "global" not in f])
        ),
        max_size=3,
    )
)
def test_a_big_class_parsed_a_statement_at_a_time_answers_like_the_whole_class(edits):
    """The class-level names found by searching the class's text are the ones Python binds:
    every answer matches the one given when the class is parsed whole. (Not with `global` in
    the class body: a big class's scope does not read it.)"""
    lines = list(SHADOWING_CLASS)
    for line, fragment in edits:
        text = lines[line]
        lines[line] = (text[: len(text) - len(text.lstrip())] or "    ") + fragment
    try:
        ast.parse("\n".join(lines))
    except SyntaxError:
        assume(False)  # half-typed: each way repairs its own part of the class
    assert DocumentModel().at(lines).class_head(2) is not None
    parts = hover_answers(lines, step=2)
    big_block = docmodel.BIG_BLOCK
    try:
        docmodel.BIG_BLOCK = bigclass.BIG_BLOCK = 10**6  # no block is big: the class is parsed whole
        whole = hover_answers(lines, step=2)  # a fresh model
    finally:
        docmodel.BIG_BLOCK = bigclass.BIG_BLOCK = big_block
    assert parts == whole
