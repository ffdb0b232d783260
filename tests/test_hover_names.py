"""Hover that resolves Python names (issue 4), over the real protocol with VS Code's and
Neovim's capability profiles: every import spelling, the objects the sheet's calls return,
shadowing and rebinding, nested scopes, half-typed files, non-ASCII lines, plain-text
clients. Null wherever the name is not the sheet's API, and which binding a name has in
nested scopes, are checked on the hover core directly (no server: the protocol adds nothing).

Sources mark the cursor with `|`; `expect(...)` names the text the hover range must cover
(the dotted name around the cursor)."""

import sys
from typing import Optional

import pytest
from lsprotocol import types
from pytest_lsp import client_capabilities

from core_support import INDEX
from core_support import marked as cursor_lines
from lsp_helpers import initialize, open_doc, split_cursor
from sheetls import hover as hover_core
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.render import format_signature

SHEET = load_pack(builtin_sheet_path()).sheet
ENTRY = {api: e for e in SHEET.entries for api in e.apis}
MEMBER = {m.api: m for m in SHEET.members}
BY_ID = {e.id: e for e in SHEET.entries}


def units_for(encoding: str):
    def units(text: str, col: int) -> int:
        if encoding == "utf-8":
            return len(text[:col].encode("utf-8"))
        if encoding == "utf-32":
            return col
        return len(text[:col].encode("utf-16-le")) // 2

    return units


def client_encoding(client) -> str:
    """The encoding the server chose: the client's first (pygls supports all three)."""
    general = client.capabilities.general if client.capabilities else None
    encodings = general.position_encodings if general and general.position_encodings else None
    return encodings[0] if encodings else "utf-16"


async def hover(client, marked: str, encoding: Optional[str] = None):
    """Open `marked` (cursor at `|`) and hover there; returns (hover, text, line, col)."""
    text, line, col = split_cursor(marked)
    uri = open_doc(client, text)
    units = units_for(encoding or client_encoding(client))
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(line, units(text.split("\n")[line], col)),
        )
    )
    return result, text, line, col


def covered(result: types.Hover, text: str, line: int, encoding: str) -> str:
    """The text the hover's range covers (ranges are on one line)."""
    r = result.range
    assert r.start.line == r.end.line == line
    line_text = text.split("\n")[line]
    units = units_for(encoding)
    cols = list(range(len(line_text) + 1))
    start = next(i for i in cols if units(line_text, i) == r.start.character)
    end = next(i for i in cols if units(line_text, i) == r.end.character)
    return line_text[start:end]


async def expect(client, marked: str, api: str, name: str, encoding: Optional[str] = None) -> str:
    """Hovering at `|` shows the sheet's entry (or member note) for `api`, on range `name`."""
    encoding = encoding or client_encoding(client)
    result, text, line, col = await hover(client, marked, encoding)
    assert result is not None, f"no hover for {api}"
    value = result.contents.value
    assert result.contents.kind == types.MarkupKind.Markdown
    if api in ENTRY:
        entry = ENTRY[api]
        assert value.startswith(f"### {entry.title}\n")
        assert entry.summary in value and entry.note in value and entry.docs in value
        assert f"type `{entry.prefix}` to insert" in value
        assert "```python\n" + format_signature(entry.signature) + "\n```" in value
    else:
        member = MEMBER[api]
        owner = BY_ID[member.entry]
        assert value.startswith(f"### {api}\n"), value
        assert member.summary in value and member.pitfall in value and owner.title in value
        assert member.docs in value and owner.prefix in value
    assert covered(result, text, line, encoding) == name
    r = result.range
    assert r.start.character <= units_for(encoding)(text.split("\n")[line], col) < r.end.character
    return value


async def expect_null(client, marked: str) -> None:
    result, *_ = await hover(client, marked)
    assert result is None, result.contents.value[:80] if result else None


# --- every import spelling ---------------------------------------------------------------------
IMPORT_SPELLINGS = [
    (
        "import asyncio\n\nasync def main():\n    r, w = await asyncio.open_con|nection('h', 80)\n",
        "asyncio.open_connection",
        "asyncio.open_connection",
    ),
    (
        "import asyncio as aio\n\nasync def main():\n    r, w = await aio.open_conn|ection('h', 80)\n",
        "asyncio.open_connection",
        "aio.open_connection",
    ),
    (
        "from asyncio import open_connection\n\nasync def main():\n    r, w = await open_conn|ection('h', 80)\n",
        "asyncio.open_connection",
        "open_connection",
    ),
    (
        "from asyncio import open_connection as oc\n\nasync def main():\n    r, w = await o|c('h', 80)\n",
        "asyncio.open_connection",
        "oc",
    ),
    (
        "from asyncio import (\n    sleep,\n    start_server as serve,\n)\n\nasync def main():\n"
        "    s = await ser|ve(h, 'h', 1)\n",
        "asyncio.start_server",
        "serve",
    ),
    (
        "from asyncio import subprocess as asp\n\nasync def main():\n    p = await asp.create_subprocess_|exec('ls')\n",
        "asyncio.create_subprocess_exec",
        "asp.create_subprocess_exec",
    ),
    (
        "import asyncio\n\nasync def main():\n    p = await asyncio.subprocess.create_subprocess_|exec('ls')\n",
        "asyncio.create_subprocess_exec",
        "asyncio.subprocess.create_subprocess_exec",
    ),
    (
        "import asyncio.subprocess\n\nasync def main():\n"
        "    p = await asyncio.subprocess.create_subprocess_sh|ell('ls')\n",
        "asyncio.create_subprocess_shell",
        "asyncio.subprocess.create_subprocess_shell",
    ),
    (
        "import asyncio.subprocess as sp\n\nasync def main():\n    p = await sp.create_subprocess_sh|ell('ls')\n",
        "asyncio.create_subprocess_shell",
        "sp.create_subprocess_shell",
    ),
    (
        "import time\n\nasync def main():\n    import asyncio\n    return await asyncio.to_th|read(time.sleep, 1)\n",
        "asyncio.to_thread",
        "asyncio.to_thread",
    ),
    (
        "async def main():\n    from asyncio import to_thread as tt\n    return await t|t(print)\n",
        "asyncio.to_thread",
        "tt",
    ),
    (
        "from asyncio import *\n\nasync def main():\n    return await to_th|read(print)\n",
        "asyncio.to_thread",
        "to_thread",
    ),
    (
        "import asyncio\n\nasync def main():\n    loop = asyncio.get_running_loop()\n"
        "    return await loop.run_in_exec|utor(None, print)\n",
        "asyncio.AbstractEventLoop.run_in_executor",
        "loop.run_in_executor",
    ),
    (
        "import asyncio\n\nasync def main():\n"
        "    return await asyncio.get_running_loop().run_in_exec|utor(None, print)\n",
        "asyncio.AbstractEventLoop.run_in_executor",
        "run_in_executor",
    ),
    ("from asyncio import open_conn|ection\n", "asyncio.open_connection", "open_connection"),
    ("from asyncio import open_conn|ection as oc\n", "asyncio.open_connection", "open_connection"),
    ("from asyncio import open_connection as o|c\n", "asyncio.open_connection", "oc"),
    ("import asyncio.subprocess as s|p\n", "asyncio.subprocess.PIPE", None),
    ("import asyncio\nasyncio.run(asyncio.start_ser|ver(h, 'h', 1))\n", "asyncio.start_server", "asyncio.start_server"),
]


@pytest.mark.parametrize(
    "marked,api,name", IMPORT_SPELLINGS, ids=[f"{i}:{s[2]}" for i, s in enumerate(IMPORT_SPELLINGS)]
)
async def test_each_import_spelling_hovers_the_entry(client, marked, api, name):
    if name is None:  # a module: not an API of the sheet
        await expect_null(client, marked)
    else:
        await expect(client, marked, api, name)


async def test_every_part_of_the_dotted_name_hovers_the_whole_name(client):
    src = "import asyncio\n\nasync def main():\n    p = await asyncio.subprocess.create_subprocess_exec('ls')\n"
    for part in ("asyncio", "subprocess", "create_subprocess_exec"):
        marked = (
            src.replace(f"{part}.", f"{part[:2]}|{part[2:]}.", 1)
            if part != "create_subprocess_exec"
            else src.replace(part, part[:3] + "|" + part[3:])
        )
        await expect(client, marked, "asyncio.create_subprocess_exec", "asyncio.subprocess.create_subprocess_exec")
    await expect(
        client,
        "import asyncio\nPIPE = asyncio.subpro|cess.PIPE\n",
        "asyncio.subprocess.PIPE",
        "asyncio.subprocess.PIPE",
    )


# --- the objects the sheet's calls return --------------------------------------------------------
CLIENT = """import asyncio


async def main():
    reader, writer = await asyncio.open_connection("example.com", 80)
    writer.write(b"GET / HTTP/1.0\\r\\n\\r\\n")
    await writer.drain()
    data = await reader.read(200)
    writer.close()
    await writer.wait_closed()
"""

SERVER = """import asyncio


async def handle(reader, writer):
    data = await reader.readline()
    writer.write(b"echo: " + data)
    await writer.drain()
    writer.close()
    await writer.wait_closed()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 9000)
    async with server:
        await server.serve_forever()
"""

SUBPROCESS = """import asyncio


async def main():
    proc = await asyncio.create_subprocess_exec(
        "python", "-c", "print(1)",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    print(stdout.decode().strip(), proc.returncode)
    shell = await asyncio.create_subprocess_shell("echo hi", stdout=asyncio.subprocess.PIPE)
    line = await shell.stdout.readline()
    out, _ = await shell.communicate()
"""

EXECUTOR = """import asyncio


async def main():
    loop = asyncio.get_running_loop()
    result = await loop.run_in_executor(None, print)
"""


def mark(src: str, needle: str, offset: int, nth: int = 0) -> str:
    at = -1
    for _ in range(nth + 1):
        at = src.index(needle, at + 1)
    return src[: at + offset] + "|" + src[at + offset :]


BOUND = [
    (CLIENT, "writer.write", 8, "asyncio.StreamWriter.write"),
    (CLIENT, "writer.drain", 8, "asyncio.StreamWriter.drain"),
    (CLIENT, "reader.read", 8, "asyncio.StreamReader.read"),
    (CLIENT, "writer.close", 8, "asyncio.StreamWriter.close"),
    (CLIENT, "writer.wait_closed", 8, "asyncio.StreamWriter.wait_closed"),
    (SERVER, "reader.readline", 9, "asyncio.StreamReader.readline"),
    (SERVER, "writer.write", 8, "asyncio.StreamWriter.write"),
    (SERVER, "writer.drain", 8, "asyncio.StreamWriter.drain"),
    (SERVER, "writer.close", 8, "asyncio.StreamWriter.close"),
    (SERVER, "writer.wait_closed", 8, "asyncio.StreamWriter.wait_closed"),
    (SERVER, "server.serve_forever", 8, "asyncio.Server.serve_forever"),
    (SUBPROCESS, "asyncio.subprocess.PIPE", 20, "asyncio.subprocess.PIPE"),
    (SUBPROCESS, "proc.communicate", 6, "asyncio.subprocess.Process.communicate"),
    (SUBPROCESS, "proc.returncode", 6, "asyncio.subprocess.Process.returncode"),
    (SUBPROCESS, "shell.stdout.readline", 14, "asyncio.StreamReader.readline"),
    (SUBPROCESS, "shell.communicate", 7, "asyncio.subprocess.Process.communicate"),
    (EXECUTOR, "loop.run_in_executor", 6, "asyncio.AbstractEventLoop.run_in_executor"),
    (EXECUTOR, "asyncio.get_running_loop", 9, "asyncio.get_running_loop"),
]


@pytest.mark.parametrize("src,needle,offset,api", BOUND, ids=[f"{b[1]}" for b in BOUND])
async def test_members_of_objects_the_sheet_returns(client, src, needle, offset, api):
    await expect(client, mark(src, needle, offset), api, needle)


async def test_the_object_name_itself_and_its_unknown_members_get_null(client):
    await expect_null(client, mark(CLIENT, "reader, writer", 10))  # the assignment target
    await expect_null(client, CLIENT + "    writer.get_extra_info('peername')\n".replace("get_", "ge|t_"))
    await expect_null(client, mark(SERVER, "async def handle(reader, writer)", 25))  # a parameter


HANDLERS = [
    # a method passed as self.handle
    """import asyncio


class Echo:
    async def handle(self, reader, writer):
        await writer.dr|ain()

    async def run(self):
        server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
""",
    # a handler nested in main, passed there
    """import asyncio


async def main():
    async def on_client(r, w):
        w.write(await r.readline())
        await w.dr|ain()

    srv = await asyncio.start_server(on_client, port=0)
""",
    # functools.partial binds leading arguments; keyword client_connected_cb=
    """import asyncio
import functools


async def handle(name, reader, writer):
    await writer.dr|ain()


async def main():
    srv = await asyncio.start_server(client_connected_cb=functools.partial(handle, "x"), port=0)
""",
    # annotations say it without any start_server
    """import asyncio


async def send(writer: asyncio.StreamWriter, data: bytes) -> None:
    writer.write(data)
    await writer.dr|ain()
""",
    # wrapped in asyncio.wait_for (a timeout)
    """import asyncio


async def main():
    reader, writer = await asyncio.wait_for(asyncio.open_connection("h", 80), timeout=5)
    await writer.dr|ain()
""",
    # async with ... as
    """import asyncio


async def main():
    async with await asyncio.start_server(print, port=0) as srv:
        await srv.serve_for|ever()
""",
]


@pytest.mark.parametrize(
    "src", HANDLERS, ids=["method", "nested", "partial", "annotation", "wait_for", "async-with-as"]
)
async def test_handlers_annotations_and_context_managers(client, src):
    api = "asyncio.Server.serve_forever" if "serve_for|ever" in src else "asyncio.StreamWriter.drain"
    name = src.split("|")[0].rsplit(" ", 1)[-1].split("(")[-1] + src.split("|")[1].split("(")[0]
    await expect(client, src, api, name)


async def test_run_in_executor_on_a_loop_sheetls_cannot_see(client):
    """`run_in_executor` names only the event loop's method: a loop kept on `self` or passed
    as a parameter still gets the entry; a receiver known to be something else does not."""
    await expect(
        client,
        "class Worker:\n    async def go(self):\n        return await self.loop.run_in_exec|utor(None, f)\n",
        "asyncio.AbstractEventLoop.run_in_executor",
        "self.loop.run_in_executor",
    )
    await expect(
        client,
        "async def go(loop):\n    return await loop.run_in_exec|utor(None, f)\n",
        "asyncio.AbstractEventLoop.run_in_executor",
        "loop.run_in_executor",
    )
    await expect_null(client, "import mylib\n\nmylib.run_in_exec|utor(None, f)\n")
    await expect_null(client, "def run_in_executor():\n    pass\n\n\nrun_in_exec|utor()\n")


async def test_a_function_not_passed_to_start_server_gets_no_stream_notes(client):
    await expect_null(client, "import asyncio\n\n\nasync def handle(reader, writer):\n    await writer.dr|ain()\n")
    await expect_null(
        client,
        "import asyncio\n\n\nasync def handle(reader, writer):\n    await writer.drain()\n\n\n"
        "async def other(reader, writer):\n    await writer.dr|ain()\n\n\n"
        "async def main():\n    await asyncio.start_server(handle, port=0)\n",
    )


# --- shadowing, rebinding, nested scopes ---------------------------------------------------------
NULLS = {
    "own open_connection": "async def open_connection(host, port):\n    return host, port\n\n\n"
    "async def main():\n    await open_conn|ection('h', 1)\n",
    "own def after the import": "from asyncio import open_connection\n\n\ndef open_connection(h, p):\n    pass\n\n\n"
    "async def main():\n    await open_conn|ection('h', 1)\n",
    "parameter named asyncio": "import asyncio\n\n\nasync def main(asyncio):\n"
    "    await asyncio.open_conn|ection('h', 1)\n",
    "local named asyncio": "import asyncio\n\n\nasync def main():\n    asyncio = FakeModule()\n"
    "    await asyncio.open_conn|ection('h', 1)\n",
    "local assigned later (unbound local)": "import asyncio\n\n\nasync def main():\n"
    "    await asyncio.open_conn|ection('h', 1)\n    asyncio = None\n",
    "rebound after import": "import asyncio\nasyncio = None\nasyncio.open_conn|ection('h', 1)\n",
    "rebound later in the module": "import asyncio\n\n\nasync def main():\n    await asyncio.open_conn|ection('h', 1)\n"
    "\n\nasyncio = None\n",
    "import after the use at module level": "asyncio.open_conn|ection('h', 1)\nimport asyncio\n",
    "for loop variable": "import asyncio\n\n\ndef f(mods):\n    for asyncio in mods:\n"
    "        asyncio.open_conn|ection()\n",
    "comprehension variable": "import asyncio\n\nxs = [asyncio.open_conn|ection for asyncio in mods]\n",
    "lambda parameter": "import asyncio\n\nf = lambda asyncio: asyncio.open_conn|ection()\n",
    "nested function parameter": "import asyncio\n\n\nasync def main():\n    def inner(asyncio):\n"
    "        return asyncio.to_thr|ead(print)\n",
    "except as": "import asyncio\n\ntry:\n    pass\nexcept Exception as asyncio:\n    asyncio.to_thr|ead(print)\n",
    "with as": "import asyncio\n\nwith open('f') as asyncio:\n    asyncio.to_thr|ead(print)\n",
    "not imported at all": "async def main():\n    await asyncio.open_conn|ection('h', 1)\n",
    "another module's function": "import mylib\n\nmylib.open_conn|ection('h', 1)\n",
    "relative import": "from .asyncio import open_connection\n\nopen_conn|ection('h', 1)\n",
    "writer not from open_connection": "async def main():\n    writer = open('f', 'w')\n    writer.wri|te('x')\n",
    "writer rebound": "import asyncio\n\n\nasync def main():\n    r, writer = await asyncio.open_connection('h', 1)\n"
    "    writer = open('f', 'w')\n    writer.wri|te('x')\n",
    "comment": "import asyncio\n# asyncio.open_conn|ection('h', 1)\n",
    "string": "import asyncio\nx = 'asyncio.open_conn|ection'\n",
    "docstring": 'import asyncio\n\n\ndef f():\n    """Calls\n    asyncio.open_conn|ection for you.\n    """\n',
    "keyword argument": "import asyncio\n\n\nasync def main():\n"
    "    await asyncio.create_subprocess_exec('ls', std|out=asyncio.subprocess.PIPE)\n",
    "the module alone": "import asyncio\n\nasyncio.r|un(main())\n",
    "a plain name": "import asyncio\n\n\nasync def main():\n    total = resu|lt + 1\n",
    "whitespace": "import asyncio\n\n\nasync def main():\n |   await asyncio.sleep(1)\n",
    "the import of the module": "import asyn|cio\n",
    "time.sleep": "import time\n\ntime.sl|eep(1)\n",
    "class attribute is not visible in methods": "import asyncio\n\n\nclass C:\n"
    "    open_connection = asyncio.open_connection\n\n"
    "    async def m(self):\n        await open_conn|ection('h', 1)\n",
}


@pytest.mark.parametrize("marked", list(NULLS.values()), ids=list(NULLS))
def test_null_where_the_name_is_not_the_api(marked):
    """A null answer shows nothing the protocol adds: the hover core, called directly."""
    lines, line, col = cursor_lines(marked)
    answer = hover_core.hover_at(INDEX, lines, line, col)
    assert answer is None, answer.text[:80]


SCOPES = {
    "use before a later rebinding in the same function": (
        "import asyncio\n\n\nasync def main():\n    await asyncio.to_thr|ead(print)\n    import os as asyncio\n",
        None,
    ),
    "use before rebinding": ("import asyncio\nasyncio.to_thr|ead(print)\nasyncio = None\n", "asyncio.to_thread"),
    "closure over the outer function's writer": (
        "import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_connection('h', 1)\n\n"
        "    async def send(data):\n        writer.write(data)\n        await writer.dra|in()\n",
        "asyncio.StreamWriter.drain",
    ),
    "class body sees module names": (
        "import asyncio\n\n\nclass C:\n    oc = asyncio.open_conn|ection\n",
        "asyncio.open_connection",
    ),
    "method, module import, class attribute of the same name": (
        "import asyncio\n\n\nclass C:\n    asyncio = None\n\n    async def m(self):\n"
        "        await asyncio.open_conn|ection('h', 1)\n",
        "asyncio.open_connection",
    ),
    "import inside a method of a nested class": (
        "class Outer:\n    class Inner:\n        async def m(self):\n            import asyncio as a\n"
        "            return await a.to_thr|ead(print)\n",
        "asyncio.to_thread",
    ),
    "global statement": (
        "asyncio = None\n\n\ndef setup():\n    global asyncio\n    import asyncio\n\n\nasync def main():\n"
        "    await asyncio.to_thr|ead(print)\n",
        "asyncio.to_thread",
    ),
    "nonlocal rebinding": (
        "import asyncio\n\n\ndef outer():\n    aio = asyncio\n\n    def inner():\n        nonlocal aio\n"
        "        aio = None\n\n"
        "    def user():\n        return aio.to_thr|ead(print)\n",
        None,
    ),
    "comprehension iterable runs outside": (
        "import asyncio\n\n\ndef f(asyncio_list):\n    return [x for x in asyncio.to_thr|ead(print)]\n",
        "asyncio.to_thread",
    ),
    "conditional import in try": (
        "try:\n    import asyncio\nexcept ImportError:\n    asyncio = None\nelse:\n    pass\n\n\n"
        "async def main():\n    await asyncio.to_thr|ead(print)\n",
        None,
    ),
    "module-level import inside if": (
        "import sys\nif sys.version_info >= (3, 9):\n    import asyncio\n\n\nasync def main():\n"
        "    await asyncio.to_thr|ead(print)\n",
        "asyncio.to_thread",
    ),
    "alias of the function": (
        "import asyncio\n\nrun_blocking = asyncio.to_thread\n\n\nasync def main():\n    await run_bloc|king(print)\n",
        "asyncio.to_thread",
    ),
    # where names are bound without a walk of every expression (scopes.collect_bindings)
    "walrus in a condition binds in the function": (
        "import asyncio\n\n\nasync def main():\n    if (aio := asyncio):\n        pass\n"
        "    await aio.to_thr|ead(print)\n",
        "asyncio.to_thread",
    ),
    "walrus in a call's argument binds in the function": (
        "import asyncio\n\n\nasync def main():\n    print(aio := asyncio)\n    await aio.to_thr|ead(print)\n",
        "asyncio.to_thread",
    ),
    "walrus rebinding the module's name": (
        "import asyncio\n\n\nasync def main():\n    if (asyncio := None) is None:\n        pass\n"
        "    await asyncio.to_thr|ead(print)\n",
        None,
    ),
    "walrus in a decorator of a nested def": (
        "import asyncio\n\n\ndef outer():\n    @(aio := asyncio).coroutine\n    def inner():\n        pass\n"
        "    return aio.to_thr|ead(print)\n",
        "asyncio.to_thread",
    ),
    "nonlocal two functions down": (
        "import asyncio\n\n\ndef outer():\n    aio = asyncio\n\n    def mid():\n        def inner():\n"
        "            nonlocal aio\n            aio = None\n\n    def user():\n        return aio.to_thr|ead(print)\n",
        None,
    ),
    "nonlocal in a method of a class inside the function": (
        "import asyncio\n\n\ndef outer():\n    aio = asyncio\n\n    class K:\n        def m(self):\n"
        "            nonlocal aio\n            aio = None\n\n    def user():\n        return aio.to_thr|ead(print)\n",
        None,
    ),
    "names bound in if/try/with/for bodies": (
        "import asyncio\n\n\nasync def main(x):\n    for _ in x:\n        try:\n            with x:\n"
        "                if x:\n                    pass\n                else:\n                    asyncio = None\n"
        "        except OSError:\n            pass\n    await asyncio.to_thr|ead(print)\n",
        None,
    ),
    "except clause's name": (
        "import asyncio\n\n\nasync def main(x):\n    try:\n        pass\n    except OSError as asyncio:\n        pass\n"
        "    await asyncio.to_thr|ead(print)\n",
        None,
    ),
}
if sys.version_info >= (3, 10):
    SCOPES["a match case's capture"] = (
        "import asyncio\n\n\nasync def main(x):\n    match x:\n        case [asyncio]:\n            pass\n"
        "    await asyncio.to_thr|ead(print)\n",
        None,
    )


@pytest.mark.parametrize("case", list(SCOPES.values()), ids=list(SCOPES))
def test_scopes_like_python(case):
    """Which binding a name has is the resolver's answer: the hover core, called directly (the
    protocol tests above show how an answer reaches the client)."""
    marked, api = case
    lines, line, col = cursor_lines(marked)
    answer = hover_core.hover_at(INDEX, lines, line, col)
    if api is None:
        assert answer is None, answer.text[:80]
    else:
        name = (
            marked.split("|")[0].split()[-1].split("(")[-1].split("=")[-1]
            + marked.split("|")[1].split("(")[0].split("\n")[0]
        )
        assert answer is not None and answer.target.api == api
        t = answer.target
        assert t.line == line and lines[line][t.start : t.end] == name.strip() and t.start <= col < t.end


# --- half-typed files -------------------------------------------------------------------------
HALF_TYPED = {
    "unclosed bracket above": (
        "import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_connection('h', 80\n"
        "    writer.write(b'x')\n    await writer.dra|in()\n",
        "asyncio.StreamWriter.drain",
        "writer.drain",
    ),
    "on the line with the unclosed bracket": (
        "import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_conn|ection('h', \n",
        "asyncio.open_connection",
        "asyncio.open_connection",
    ),
    "inside an unclosed multi-line call": (
        "import asyncio\n\n\nasync def main():\n    proc = await asyncio.create_subprocess_exec(\n        'ls',\n"
        "        stdout=asyncio.subprocess.PI|PE,\n\n    out, err = await proc.communicate()\n",
        "asyncio.subprocess.PIPE",
        "asyncio.subprocess.PIPE",
    ),
    "after an unclosed multi-line call": (
        "import asyncio\n\n\nasync def main():\n    proc = await asyncio.create_subprocess_exec(\n        'ls',\n"
        "        stdout=asyncio.subprocess.PIPE,\n\n    out, err = await proc.communi|cate()\n",
        "asyncio.subprocess.Process.communicate",
        "proc.communicate",
    ),
    "a line being typed above": (
        "import asyncio\n\n\nasync def main():\n    r, writer = await asyncio.open_connection('h', 1)\n    writer.\n"
        "    await writer.dra|in()\n",
        "asyncio.StreamWriter.drain",
        "writer.drain",
    ),
    "on the line being typed": (
        "import asyncio\n\n\nasync def main():\n    loop = asyncio.get_running_loop()\n"
        "    x = await loop.run_in_exec|utor(None, f) +\n    print(x)\n",
        "asyncio.AbstractEventLoop.run_in_executor",
        "loop.run_in_executor",
    ),
    "header without colon": (
        "import asyncio\n\n\nasync def main()\n    await asyncio.to_thr|ead(print)\n",
        "asyncio.to_thread",
        "asyncio.to_thread",
    ),
    "a broken function elsewhere": (
        "import asyncio\n\n\ndef broken(:\n    pass\n\n\nasync def main():\n    await asyncio.to_thr|ead(print)\n",
        "asyncio.to_thread",
        "asyncio.to_thread",
    ),
    "an unterminated string above": (
        "import asyncio\n\n\nasync def main():\n    s = 'abc\n    await asyncio.to_thr|ead(print)\n",
        "asyncio.to_thread",
        "asyncio.to_thread",
    ),
    "imports still being typed": (
        "import asyncio\nfrom asyncio import (open_connection,\n\n\nasync def main():\n"
        "    await asyncio.to_thr|ead(print)\n",
        "asyncio.to_thread",
        "asyncio.to_thread",
    ),
}


@pytest.mark.parametrize("case", list(HALF_TYPED.values()), ids=list(HALF_TYPED))
async def test_half_typed_files_resolve_what_makes_sense(client, case):
    marked, api, name = case
    await expect(client, marked, api, name)


async def test_half_typed_files_keep_shadowing(client):
    await expect_null(
        client, "import asyncio\n\n\nasync def main(asyncio):\n    x = (1,\n    await asyncio.to_thr|ead(print)\n"
    )
    await expect_null(client, "import asyncio\n\n\nasync def main():\n    x = 'asyncio.to_thr|ead(' +\n")


# --- non-ASCII lines and position encodings -----------------------------------------------------
NON_ASCII = [
    "import asyncio\n\n\nasync def main():\n    é = 'café'; r, w = await asyncio.open_conn|ection('h', 1)\n",
    "import asyncio\n\n\nasync def main():\n    名前 = '東京'; r, w = await asyncio.open_conn|ection('h', 1)\n",
    "import asyncio\n\n\nasync def main():\n    s = '😀🎉'; r, w = await asyncio.open_conn|ection('h', 1)\n",
    "import asyncio\n\n\nasync def main():\n"
    "    r, w = await asyncio.open_connection('😀', 1); await w.dra|in()  # ünïcode\n",
]


@pytest.mark.parametrize("marked", NON_ASCII, ids=["e-acute", "cjk", "emoji", "emoji-member"])
async def test_non_ascii_before_the_name(client, marked):
    api = "asyncio.StreamWriter.drain" if "dra|in" in marked else "asyncio.open_connection"
    name = "w.drain" if "dra|in" in marked else "asyncio.open_connection"
    await expect(client, marked, api, name)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
async def test_non_ascii_under_each_negotiated_encoding(bare_client, encoding):
    result = await initialize(bare_client, "visual_studio_code", encodings=[encoding])
    assert result.capabilities.position_encoding == encoding
    for marked in NON_ASCII[:3]:
        await expect(bare_client, marked, "asyncio.open_connection", "asyncio.open_connection", encoding)


# --- plain-text clients, hoverExample, documents that change ------------------------------------
async def test_plain_text_client_gets_plain_text(bare_client):
    caps = client_capabilities("visual_studio_code")
    caps.text_document.hover = types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText])
    await initialize(bare_client, "visual_studio_code", capabilities=caps)
    entry = ENTRY["asyncio.open_connection"]
    result, *_ = await hover(
        bare_client, CLIENT.replace("asyncio.open_connection", "asyncio.open_con|nection"), "utf-16"
    )
    assert result.contents.kind == types.MarkupKind.PlainText
    value = result.contents.value
    assert value.startswith(entry.title + "\n") and entry.summary in value and entry.docs in value
    assert "Type aioopen to insert." in value and 'writer.write(b"GET' in value
    assert "```" not in value and "###" not in value
    member = MEMBER["asyncio.StreamWriter.drain"]
    result, *_ = await hover(bare_client, mark(CLIENT, "writer.drain", 8), "utf-16")
    value = result.contents.value
    assert result.contents.kind == types.MarkupKind.PlainText
    assert value.startswith(member.api + "\n") and f"Pitfall: {member.pitfall}" in value and "**" not in value


@pytest.mark.parametrize("mode", ["full", "short", "none"])
async def test_hover_example_option(bare_client, mode):
    await initialize(bare_client, "visual_studio_code", options={"hoverExample": mode})
    result, *_ = await hover(
        bare_client, CLIENT.replace("asyncio.open_connection", "asyncio.open_con|nection"), "utf-16"
    )
    value = result.contents.value
    core = 'reader, writer = await asyncio.wait_for(asyncio.open_connection("example.com", 80), timeout=10)'
    assert ("asyncio.run(main())" in value) == (mode == "full")
    assert (core in value) == (mode != "none")
    assert "[Python docs](" in value and "type `aioopen` to insert" in value


async def test_hover_follows_document_changes(client):
    text = "import asyncio\n\n\nasync def main():\n    await asyncio.to_thread(print)\n"
    uri = open_doc(client, text)
    pos = types.Position(4, 22)

    async def at() -> Optional[types.Hover]:
        return await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), pos))

    assert (await at()) is not None
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(3, 0), types.Position(3, 0)), text="asyncio = None\n"
                )
            ],
        )
    )
    pos = types.Position(5, 22)
    assert (await at()) is None  # a user's `asyncio`, rebound above the function
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=3),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(types.Position(3, 0), types.Position(4, 0)), text=""
                )
            ],
        )
    )
    pos = types.Position(4, 22)
    assert (await at()) is not None


async def test_large_file_hovers_in_the_middle(client):
    """A 10,000-line file: the name resolves through a module import 5,000 lines above."""
    body = "".join(f"def f{i}(x):\n    return x + {i}\n\n\n" for i in range(2500))
    text = "import asyncio\n\n\n" + body + "async def main():\n    await asyncio.to_thr|ead(print)\n" + body
    assert text.count("\n") > 10000
    await expect(client, text, "asyncio.to_thread", "asyncio.to_thread")


async def test_non_python_documents_get_nothing(client):
    text, line, col = split_cursor("import asyncio\nasyncio.open_conn|ection\n")
    uri = open_doc(client, text, language="plaintext", suffix=".txt")
    result = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(line, col))
    )
    assert result is None


async def test_big_class_with_a_half_typed_method(client):
    """A class of over 1,000 lines (parsed as a skeleton around the method under the cursor):
    handler methods passed as `self.handle`, and a method being typed."""
    methods = "".join(
        f"    async def m{i}(self, host):\n        r, w = await asyncio.open_connection(host, {i})\n"
        f"        await w.drain()\n\n"
        for i in range(300)
    )
    head = "import asyncio\n\n\nclass Big:\n"
    handler = (
        "    async def handle(self, reader, writer):\n        line = await reader.readline()\n"
        "        await writer.dr|ain()\n\n"
    )
    typing = (
        "    async def typing(self):\n        proc = await asyncio.create_subprocess_exec('ls',\n"
        "        out, err = await proc.communi|cate()\n\n"
    )
    serve = "    async def serve(self):\n        await asyncio.start_server(self.handle, port=0)\n"
    text = head + methods + handler + methods + typing.replace("|", "") + serve
    await expect(
        client, text.replace("await writer.drain", "await writer.dr|ain"), "asyncio.StreamWriter.drain", "writer.drain"
    )
    await expect(
        client,
        head + methods + handler.replace("|", "") + methods + typing + serve,
        "asyncio.subprocess.Process.communicate",
        "proc.communicate",
    )
    await expect_null(
        client,
        head
        + methods
        + handler.replace("|", "")
        + methods
        + typing.replace("|", "")
        + serve.replace("self.handle", "self.other")
        + "    async def x(self, reader, writer):\n        await writer.dr|ain()\n",
    )


async def test_non_ascii_identifiers(client):
    src = (
        "import asyncio\n\n\nasync def main():\n    r, 書き手 = await asyncio.open_connection('h', 1)\n"
        "    書き手.wri|te(b'x'){tail}\n"
    )
    await expect(client, src.format(tail=""), "asyncio.StreamWriter.write", "書き手.write")
    await expect(client, src.format(tail=" +"), "asyncio.StreamWriter.write", "書き手.write")  # a line being typed
