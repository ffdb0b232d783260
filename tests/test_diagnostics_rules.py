"""sheetls.diagnostics: every rule's positive and negative cases, each fix applied and compiled,
and for `time.sleep` and `subprocess.run` the fixed program run: it does the same thing and the
event loop keeps ticking during the call."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import List, Optional, Tuple

import pytest

from sheetls.diagnostics import RULES, Edit, Finding, Fix, apply_fixes, check


def found(src: str, python: Optional[Tuple[int, int]] = (3, 13)) -> List[Finding]:
    return check(textwrap.dedent(src), python=python)


def codes(src: str, python: Optional[Tuple[int, int]] = (3, 13)) -> List[str]:
    return [f.code for f in found(src, python)]


def fixed(src: str, python: Tuple[int, int] = (3, 13)) -> str:
    text = textwrap.dedent(src)
    new, _ = apply_fixes(text, check(text, python=python))
    compile(new, "<fixed>", "exec")
    return new


# --- SHEET101 time.sleep --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "src",
    [
        "import time\nasync def f():\n    time.sleep(1)\n",
        "import time as t\nasync def f():\n    t.sleep(1)\n",
        "from time import sleep\nasync def f():\n    sleep(1)\n",
        "from time import sleep as nap\nasync def f():\n    nap(1)\n",
        "import time\nasync def f():\n    async def g():\n        time.sleep(1)\n",
        "import time\nclass C:\n    async def m(self):\n        time.sleep(1)\n",
    ],
)
def test_sleep_found(src):
    assert codes(src) == ["SHEET101"]


@pytest.mark.parametrize(
    "src",
    [
        "import time\ndef f():\n    time.sleep(1)\n",  # plain def
        "import time\nasync def f():\n    def g():\n        time.sleep(1)\n",  # nested plain def
        "import time, asyncio\nasync def f():\n    await asyncio.to_thread(lambda: time.sleep(1))\n",  # lambda
        "import time\nasync def f():\n    await loop.run_in_executor(None, lambda: time.sleep(1))\n",
        "import asyncio\nasync def f():\n    await asyncio.sleep(1)\n",
        "from time import sleep\nasync def f():\n    def sleep(x): pass\n    sleep(1)\n",  # shadowed
        "import time\nasync def f(time):\n    time.sleep(1)\n",  # a parameter shadows the module
        "import time as t\nfor t in [1]:\n    pass\nasync def f():\n    t.sleep(1)\n",  # a loop rebinds it
        "async def f():\n    time.sleep(1)\n",  # never imported
        "import time\ntime.sleep(1)\n",  # module level
        "import time\nasync def f():\n    time.sleep(1)  # noqa: SHEET101\n",
        "import time\nasync def f():\n    time.sleep(1)  # noqa: ASYNC251\n",
        "import time\nasync def f():\n    time.sleep(1)  # noqa\n",
    ],
)
def test_sleep_not_found(src):
    assert codes(src) == []


def test_noqa_for_another_code_does_not_silence():
    assert codes("import time\nasync def f():\n    time.sleep(1)  # noqa: SHEET102, E501\n") == ["SHEET101"]
    assert codes("import time\nasync def f():\n    s = '# noqa'; time.sleep(1)\n") == ["SHEET101"]


def test_sleep_fix_in_the_files_spelling_adding_the_import():
    new = fixed('''\
        """Doc."""
        import time as t


        async def f():
            t.sleep(0.5)  # keep this comment
        ''')
    assert "    await asyncio.sleep(0.5)  # keep this comment\n" in new
    assert new.startswith('"""Doc."""\nimport asyncio\nimport time as t\n')
    new = fixed("from asyncio import sleep as asleep\nfrom time import sleep\nasync def f():\n    sleep(1)\n")
    assert "    await asleep(1)\n" in new and new.count("import") == 2
    new = fixed("import asyncio as aio\nimport time\nasync def f():\n    time.sleep(1)\n")
    assert "    await aio.sleep(1)\n" in new and "import asyncio\n" not in new


def test_sleep_used_as_a_value_is_flagged_but_not_fixed():
    [finding] = found("import time\nasync def f():\n    x = time.sleep(1)\n")
    assert finding.fix is None


# --- SHEET102 subprocess, os.system, os.popen -----------------------------------------------------
@pytest.mark.parametrize(
    "call,ruff",
    [
        ("subprocess.run(['ls'])", "ASYNC221"),
        ("subprocess.call(['ls'])", "ASYNC221"),
        ("subprocess.check_call(['ls'])", "ASYNC221"),
        ("subprocess.check_output(['ls'])", "ASYNC221"),
        ("subprocess.Popen(['ls'])", "ASYNC220"),
        ("os.system('ls')", "ASYNC221"),
        ("os.popen('ls')", "ASYNC220"),
    ],
)
def test_subprocess_found(call, ruff):
    [finding] = found(f"import os, subprocess\nasync def f():\n    {call}\n")
    assert (finding.code, finding.ruff) == ("SHEET102", ruff)
    assert finding.url.endswith("#asyncio.create_subprocess_exec")
    assert codes(f"import os, subprocess\nasync def f():\n    {call}  # noqa: {ruff}\n") == []
    assert codes(f"import os, subprocess\ndef f():\n    {call}\n") == []


@pytest.mark.parametrize(
    "call,use",
    [
        ("subprocess.run(['ls'])", "exec"),
        ("subprocess.run(['ls'], shell=False)", "exec"),
        ("subprocess.run('ls | wc', shell=True)", "shell"),
        ("subprocess.check_output(cmd, shell=flag)", "shell"),
        ("os.system('ls')", "shell"),
        ("os.popen('ls')", "shell"),
    ],
)
def test_subprocess_message_names_the_sheets_exec_or_shell_pattern(call, use):
    [finding] = found(f"import os, subprocess\nasync def f(cmd, flag):\n    {call}\n")
    assert finding.message.endswith(f"use `asyncio.create_subprocess_{use}()`")


def test_subprocess_fix_exec_for_the_simple_run_shape_else_to_thread():
    new = fixed("import subprocess\nasync def f():\n    subprocess.run(['ls', '-l'])\n")
    assert "    await (await asyncio.create_subprocess_exec('ls', '-l')).wait()\n" in new
    # every other shape keeps its arguments and its meaning (check=, capture, the return value)
    # in the sheet's thread pattern
    for call, after in (
        ("subprocess.run(['ls'], check=True)", "await asyncio.to_thread(subprocess.run, ['ls'], check=True)"),
        ("subprocess.run('ls', shell=True)", "await asyncio.to_thread(subprocess.run, 'ls', shell=True)"),
        ("subprocess.run([*argv])", "await asyncio.to_thread(subprocess.run, [*argv])"),
        ("x = subprocess.run(['ls'])", "x = await asyncio.to_thread(subprocess.run, ['ls'])"),
        ("return subprocess.check_output(['ls'])", "return await asyncio.to_thread(subprocess.check_output, ['ls'])"),
        ("rc = os.system('ls')", "rc = await asyncio.to_thread(os.system, 'ls')"),
    ):
        new = fixed(f"import os, subprocess\nasync def f(argv):\n    {call}\n")
        assert f"    {after}\n" in new, call
    # a process object comes back (Popen, os.popen): its reads and waits would still block
    for call in ("subprocess.Popen(['ls'])", "os.popen('ls')", "print(subprocess.run(['ls']))"):
        [finding] = found(f"import os, subprocess\nasync def f():\n    {call}\n")
        assert finding.fix is None, call


def test_subprocess_fix_keeps_comments_across_lines():
    new = fixed(
        "import asyncio, subprocess\nasync def f():\n"
        "    subprocess.run([\n        'ls',  # list\n        '-l',\n    ])\n"
    )
    assert "await (await asyncio.create_subprocess_exec(\n        'ls',  # list\n        '-l',\n    )).wait()\n" in new


# --- SHEET103 blocking I/O ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "imports,call",
    [
        ("import requests", "requests.get(url)"),
        ("from requests import post", "post(url, json=data)"),
        ("import urllib.request", "urllib.request.urlopen(url)"),
        ("from urllib.request import urlopen", "urlopen(url)"),
        ("import socket", "socket.create_connection(('h', 1))"),
        ("", "open('f')"),
        ("from pathlib import Path", "Path('f').read_text()"),
        ("import pathlib", "pathlib.Path('f').write_text('x')"),
    ],
)
def test_blocking_io_found_and_fixed(imports, call):
    src = f"{imports}\nasync def f(url, data):\n    {call}\n"
    assert codes(src) == ["SHEET103"]
    new = fixed(src)
    assert "await asyncio.to_thread(" in new
    assert codes(f"{imports}\ndef f(url, data):\n    {call}\n") == []


def test_to_thread_fix_shapes():
    new = fixed("async def f():\n    data = open('f', 'rb')\n    return open('g')\n")
    assert "    data = await asyncio.to_thread(open, 'f', 'rb')\n" in new
    assert "    return await asyncio.to_thread(open, 'g')\n" in new
    new = fixed("from pathlib import Path\nasync def f():\n    Path('f').read_text()\n")
    assert "    await asyncio.to_thread(Path('f').read_text)\n" in new
    [finding] = found("async def f():\n    with open('f') as fh:\n        pass\n")
    assert finding.fix is None


def test_open_shadowed_is_not_the_builtin():
    assert codes("from gzip import open\nasync def f():\n    open('f')\n") == []
    assert codes("def open(p): pass\nasync def f():\n    open('f')\n") == []


def test_open_is_shadowed_by_scope_not_by_a_class_bodys_method():
    """G1: a class body's `def open` is not visible in its methods nor outside the class; a module
    or function binding shadows the builtin there and in the functions nested in it."""
    src = """\
class LocalFS:
    async def open(self, path, mode):
        return open(path, mode)


async def check(name):
    with open(name) as f:
        return f.read()
"""
    assert [(f.code, f.ruff, f.line) for f in found(src)] == [("SHEET103", "ASYNC230", 2), ("SHEET103", "ASYNC230", 6)]
    assert "        return await asyncio.to_thread(open, path, mode)\n" in fixed(src)
    assert codes("open = print\nasync def f():\n    open('f')\n") == []
    assert codes("async def f():\n    open('f')\nopen = print\n") == []  # bound later: still the module's
    assert codes("def g():\n    def open(p): pass\n    async def h():\n        open('f')\n") == []
    assert codes("async def f():\n    from gzip import open\n    open('f')\n") == []
    # the function's own binding does not reach a sibling
    src = "def g():\n    def open(p): pass\nasync def h():\n    open('f')\n"
    assert codes(src) == ["SHEET103"]


def test_input_builtin():
    """G6: `input()` is ruff's ASYNC250; the fix runs it in a thread, also inside an expression."""
    src = "async def ask():\n    name = input('name: ')\n    print(input())\n    return name\n"
    assert [(f.code, f.ruff) for f in found(src)] == [("SHEET103", "ASYNC250")] * 2
    new = fixed(src)
    assert "    name = await asyncio.to_thread(input, 'name: ')\n" in new
    assert "    print((await asyncio.to_thread(input)))\n" in new
    assert codes("def ask():\n    return input()\n") == []
    assert codes("from builtins import print as input\nasync def ask():\n    input()\n") == []
    assert codes("async def ask(input):\n    input()\n") == []
    assert codes("async def ask():\n    input()  # noqa: ASYNC250\n") == []


def test_path_open_is_flagged_not_fixed():
    """G2: `Path(...).open()` and `.open()` on a name bound to a Path or annotated Path."""
    src = """\
import pathlib
from pathlib import Path

SOCKET = Path("/tmp/app.sock")


async def send_self(given: Path, name):
    with pathlib.Path(__file__).open("rb") as f:
        f.read()
    with SOCKET.open("rb") as g:
        g.read()
    given.open()
    p = Path(name)
    fh = p.open()
"""
    findings = found(src)
    assert [(f.code, f.ruff, f.line) for f in findings] == [("SHEET103", "ASYNC230", n) for n in (7, 9, 11, 13)]
    assert all(f.fix is None for f in findings)
    # not a Path: a file object, a string, anyio's Path (its methods are awaited), a plain def
    assert codes("async def f(fs, name):\n    fs.open(name)\n    name.open()\n") == []
    assert codes("import pathlib\nfrom anyio import Path\nasync def f(n):\n    await Path(n).open()\n") == []
    assert codes("from pathlib import Path\ndef f(n):\n    Path(n).open()\n") == []


@pytest.mark.parametrize(
    "call", ["os.path.exists(name)", "os.path.isdir(name)", "os.path.getsize(name)", "os.path.realpath(name)"]
)
def test_os_path_queries(call):
    """G3: os.path's file-system queries (ruff ASYNC240), fixed as statements and in expressions."""
    src = f"import os\nasync def f(name):\n    x = {call}\n    if {call} or not {call}:\n        return {call}\n"
    findings = found(src)
    assert [(f.code, f.ruff) for f in findings] == [("SHEET103", "ASYNC240")] * 4
    func, _, args = call.rstrip(")").partition("(")
    new = fixed(src)
    assert f"    x = await asyncio.to_thread({func}, {args})\n" in new
    wrapped = f"(await asyncio.to_thread({func}, {args}))"
    assert f"    if {wrapped} or not {wrapped}:\n" in new
    assert f"        return await asyncio.to_thread({func}, {args})\n" in new
    assert codes(f"import os\nasync def f(name):\n    x = {call}  # noqa: ASYNC240\n") == []


def test_os_path_queries_from_import_and_what_is_not_flagged():
    src = "from os.path import exists as ex, isfile\nasync def f(n):\n    assert ex(n) and isfile(n)\n"
    assert codes(src) == ["SHEET103", "SHEET103"]
    assert "    assert (await asyncio.to_thread(ex, n)) and (await asyncio.to_thread(isfile, n))\n" in fixed(src)
    # string functions: no system call (abspath: one getcwd)
    for fn in ("normpath", "join", "dirname", "basename", "splitext", "abspath", "expanduser"):
        assert codes(f"import os\nasync def f(n):\n    return os.path.{fn}(n)\n") == [], fn
    assert codes("import os\ndef f(n):\n    return os.path.exists(n)\n") == []
    # a decorator runs where the function is defined, not in the coroutine
    assert (
        codes("import os, pytest\n@pytest.mark.skipif(not os.path.isdir('/p'), reason='r')\nasync def t():\n    pass\n")
        == []
    )
    assert codes("import os\nasync def t(a=os.path.exists('x')):\n    pass\n") == []


def test_no_await_fix_in_a_class_body_inside_a_coroutine():
    """`await` is a SyntaxError in a class body, even one inside an `async def`."""
    src = "import os\nasync def f(n):\n    class A:\n        x = open(n)\n        y = os.path.exists(n)\n    return A\n"
    findings = found(src)
    assert [f.code for f in findings] == ["SHEET103", "SHEET103"] and all(f.fix is None for f in findings)


def test_os_path_in_a_generator_expression_is_flagged_not_fixed():
    """An `await` inside a generator expression would make it an async generator (any() fails)."""
    src = "import os\nasync def f(names):\n    return any(os.path.exists(n) for n in names)\n"
    [finding] = found(src)
    assert finding.code == "SHEET103" and finding.fix is None
    src = "import os\nasync def f(names):\n    return [os.path.getsize(n) for n in names]\n"
    assert "    return [(await asyncio.to_thread(os.path.getsize, n)) for n in names]\n" in fixed(src)


def test_path_methods_on_a_path_held_in_a_name():
    """G4: pathlib's I/O methods on `Path(...)`, a name bound to one (here or at module level, also
    through `/`), a parameter annotated `Path`; fixed in the same shapes as the os.path queries."""
    src = """\
from pathlib import Path

HERE = Path(__file__).parent


async def probe(name: str, given: Path):
    p = Path(name)
    p.write_text("x")
    assert p.exists() and p.is_dir()
    size = p.stat().st_size
    data = given.read_bytes()
    Path(name).symlink_to("target")
    q = p / "sub"
    q.mkdir()
    cfg: Path = Path.home() / ".cfg"
    cfg.unlink()
    s = name.replace("a", "b")
    HERE.resolve()
    return size, data, s
"""
    findings = found(src)
    lines = [f.line + 1 for f in findings]
    assert lines == [8, 9, 9, 10, 11, 12, 14, 16]  # not HERE: `.parent` is not followed
    assert {f.ruff for f in findings} == {"ASYNC240"}
    new = fixed(src)
    assert '    await asyncio.to_thread(p.write_text, "x")\n' in new
    assert "    assert (await asyncio.to_thread(p.exists)) and (await asyncio.to_thread(p.is_dir))\n" in new
    assert "    size = (await asyncio.to_thread(p.stat)).st_size\n" in new
    assert "    data = await asyncio.to_thread(given.read_bytes)\n" in new
    assert '    await asyncio.to_thread(Path(name).symlink_to, "target")\n' in new
    assert "    await asyncio.to_thread(q.mkdir)\n" in new
    assert codes("from pathlib import Path\ndef f(p: Path):\n    p.exists()\n") == []
    assert codes("async def f(p):\n    p.exists()\n    p.replace('a', 'b')\n") == []  # not known to be a Path
    # a name rebound to something else is no longer the Path
    assert (
        codes("from pathlib import Path\nasync def f(n):\n    p = Path(n)\n    p = str(p)\n    p.replace('a', 'b')\n")
        == []
    )


@pytest.mark.parametrize(
    "before,after",
    [
        ("P = Path('x')", "P = 'x'"),  # the Path's binding, in another unit, changes
        ("P = 'x'", "P = Path('x')"),
        ("def g(): pass", "def open(p): pass"),  # a module-level `open` appears in another unit
        ("def open(p): pass", "def g(): pass"),
        ("class C:\n    def input(self): pass", "input = print"),
    ],
)
def test_an_edit_of_another_unit_rechecks_the_calls_that_depend_on_it(before, after):
    """The names the checks look up (a Path's binding, a shadowing `open`/`input`) are in other
    units: an open document's incremental result stays the one from scratch."""
    from sheetls.diagnostics.check import document_lint, split_lines

    template = "from pathlib import Path\n{}\n\n\nasync def f():\n    P.exists()\n    open('f')\n    input()\n"
    lint = document_lint()
    for version in (template.format(before), template.format(after)):
        got = lint.findings(split_lines(version), python=(3, 13))
        assert [(f.line, f.code) for f in got] == [(f.line, f.code) for f in found(version)]
    assert codes(template.format(before)) != codes(template.format(after))


def test_path_read_text_is_ruffs_async240():
    """G5: the same check as ruff's ASYNC240, so its noqa silences it."""
    assert {"ASYNC210", "ASYNC230", "ASYNC240", "ASYNC250"} <= set(RULES["SHEET103"].ruff)
    src = "from pathlib import Path\nasync def load(name):\n    return Path(name).read_text()  # noqa: ASYNC240\n"
    assert codes(src) == []
    [finding] = found(src.replace("  # noqa: ASYNC240", ""))
    assert finding.ruff == "ASYNC240"


def test_fixed_file_system_calls_give_the_same_results(tmp_path):
    """The fixed os.path and pathlib calls, run: the same answers as before the fix."""
    program = textwrap.dedent(f"""\
        import asyncio
        import os
        from pathlib import Path

        ROOT = Path({str(tmp_path)!r})


        async def main():
            p = ROOT / "a.txt"
            p.write_text("hello")
            if os.path.exists(p) and not os.path.isdir(p):
                print("size", os.path.getsize(p), p.stat().st_size)
            print(p.read_text(), p.is_file(), (ROOT / "missing").exists())


        asyncio.run(main())
        """)
    new, applied = apply_fixes(program, check(program, python=(3, 9)))
    assert applied == 8 and new.count("await asyncio.to_thread(") == 8
    before = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True).stdout
    (tmp_path / "a.txt").unlink()
    after = subprocess.run([sys.executable, "-c", new], capture_output=True, text=True, check=True).stdout
    assert before == after == "size 5 5\nhello True False\n"


# --- SHEET104 os.wait* ----------------------------------------------------------------------------
@pytest.mark.parametrize("call", ["os.wait()", "os.waitpid(pid, 0)", "os.wait3(0)", "os.wait4(pid, 0)"])
def test_os_wait(call):
    [finding] = found(f"import os\nasync def f(pid):\n    {call}\n")
    assert (finding.code, finding.ruff) == ("SHEET104", "ASYNC222")
    assert codes(f"import os\nasync def f(pid):\n    {call}  # noqa: ASYNC222\n") == []
    func, _, args = call.rstrip(")").partition("(")
    after = f"await asyncio.to_thread({func}, {args})" if args else f"await asyncio.to_thread({func})"
    assert f"    {after}\n" in fixed(f"import os\nasync def f(pid):\n    {call}\n")


# --- SHEET201 un-awaited coroutine ----------------------------------------------------------------
STREAMS = "import asyncio\nasync def f():\n    reader, writer = await asyncio.open_connection('h', 1)\n"


@pytest.mark.parametrize(
    "line",
    [
        "writer.drain()",
        "writer.wait_closed()",
        "asyncio.open_connection('h', 1)",
        "reader.read(10)",
        "asyncio.to_thread(print, 1)",
        "asyncio.sleep(1)",
    ],
)
def test_unawaited_coroutine(line):
    src = STREAMS + f"    {line}\n    await writer.wait_closed()\n"
    assert "SHEET201" in codes(src)
    assert f"    await {line}\n" in fixed(src)


def test_unawaited_process_methods():
    src = "import asyncio\nasync def f():\n    proc = await asyncio.create_subprocess_exec('ls')\n"
    src += "    proc.communicate()\n"
    assert codes(src) == ["SHEET201"]
    assert "    await proc.communicate()\n" in fixed(src)


def test_awaited_or_kept_coroutines_are_fine():
    assert codes(STREAMS + "    await writer.drain()\n    writer.write(b'x')\n    await writer.wait_closed()\n") == []
    assert codes(STREAMS + "    task = asyncio.ensure_future(writer.drain())\n    await writer.wait_closed()\n") == []
    assert codes(STREAMS + "    coro = writer.drain()\n    await coro\n    await writer.wait_closed()\n") == []


# --- SHEET202 close without wait_closed -----------------------------------------------------------
def test_close_without_wait_closed():
    src = STREAMS + "    writer.write(b'x')\n    writer.close()\n"
    assert codes(src) == ["SHEET202"]
    assert "    writer.close()\n    await writer.wait_closed()\n" in fixed(src)
    assert codes(STREAMS + "    writer.close()\n    await writer.wait_closed()\n") == []
    # a handler's writer, found through start_server
    handler = "import asyncio\nasync def handle(reader, writer):\n    writer.close()\n"
    handler += "async def main():\n    await asyncio.start_server(handle, 'h', 1)\n"
    assert codes(handler) == ["SHEET202"]


def test_close_in_a_plain_def_is_not_flagged():
    src = "import asyncio\ndef f(writer: asyncio.StreamWriter):\n    writer.close()\n"
    assert codes(src) == []


def test_close_then_the_writer_handed_to_a_helper_is_not_flagged():
    """FP-S1: a helper that waits (asyncssh's maybe_wait_closed, test_ssl's self.wait_closed)."""
    helper = "async def maybe_wait_closed(writer):\n    await writer.wait_closed()\n"
    src = STREAMS + "    writer.close()\n    await maybe_wait_closed(writer)\n"
    assert codes(helper + src) == []
    assert codes(STREAMS + "    writer.close()\n    await self.wait_closed(writer=writer)\n") == []
    # handed over before the close: the close is still not waited for
    assert codes(STREAMS + "    log(writer)\n    writer.close()\n") == ["SHEET202"]


def test_stdin_close_of_a_waited_process_is_not_flagged():
    """FP-S2: closing a child's stdin sends EOF; the pipe is done with the process."""
    start = (
        "import asyncio\nfrom asyncio.subprocess import PIPE\nasync def feed(data):\n"
        "    proc = await asyncio.create_subprocess_exec('cat', stdin=PIPE, stdout=PIPE)\n"
        "    proc.stdin.write(data)\n    await proc.stdin.drain()\n    proc.stdin.close()\n"
    )
    assert codes(start + "    out = await proc.stdout.read()\n    await proc.wait()\n") == []
    assert codes(start + "    out, _ = await proc.communicate()\n") == []
    # nothing waits for the process: flagged as before
    assert codes(start + "    out = await proc.stdout.read()\n") == ["SHEET202"]
    assert codes(start + "    out = await proc.stdout.read()\n    proc.wait()\n") == ["SHEET202", "SHEET201"]


# --- SHEET208 write() without drain() -------------------------------------------------------------
@pytest.mark.parametrize(
    "body,where",
    [
        ("    for x in items:\n        writer.write(x)\n", "in a loop"),
        ("    while items:\n        writer.writelines([items.pop()])\n", "in a loop"),
        ("    for x in items:\n        if x:\n            writer.write(x)\n", "in a loop"),
        (
            "    for x in items:\n        try:\n            writer.write(x)\n"
            "        except OSError:\n            pass\n",
            "in a loop",
        ),
        ("    for x in items:\n        writer.write(x)\n        await other.drain()\n", "in a loop"),
        ("    writer.write(b'GET')\n    data = await reader.read(100)\n", "before a read"),
        ("    writer.write(b'GET')\n    if items:\n        line = await reader.readline()\n", "before a read"),
    ],
)
def test_write_without_drain(body, where):
    src = STREAMS.replace("f():", "f(items, other):") + body + "    writer.close()\n    await writer.wait_closed()\n"
    [finding] = found(src)
    assert (finding.code, finding.rule.severity) == (
        ("SHEET208", "warning") if where == "in a loop" else ("SHEET209", "information")
    )
    new = fixed(src)
    assert codes(new) == []
    write = next(l for l in body.splitlines() if ".write" in l)
    assert f"{write}\n{write[: len(write) - len(write.lstrip())]}await writer.drain()\n" in new


@pytest.mark.parametrize(
    "body",
    [
        "    for x in items:\n        writer.write(x)\n        await writer.drain()\n",
        "    while True:\n        await writer.drain()\n        writer.write(b'x')\n",
        "    writer.write(b'GET')\n    await writer.drain()\n    data = await reader.read(100)\n",
        "    writer.write(b'bye')\n",  # one write, then close: close() flushes
        "    writer.write(b'GET')\n    data = json.loads(other.read())\n",  # not a stream read
        "    for x in items:\n        writer.write(x)  # noqa: SHEET208\n",
        "    def plain(w):\n        for x in items:\n            w.write(x)\n",
    ],
)
def test_write_with_drain_or_no_loop_is_fine(body):
    src = STREAMS.replace("f():", "f(items, other):") + body + "    writer.close()\n    await writer.wait_closed()\n"
    assert codes("import json\n" + src) == []


def test_write_without_drain_fix_only_for_a_plain_line():
    src = STREAMS.replace("f():", "f(items):") + "    for x in items:\n        writer.write(x); n = 1\n"
    src += "    await writer.wait_closed()\n"
    [finding] = found(src)
    assert finding.code == "SHEET208" and finding.fix is None


# --- SHEET203 wait() with unread pipes ------------------------------------------------------------
PROC = "import asyncio\nasync def f():\n    proc = await asyncio.create_subprocess_exec('ls', {kw})\n"


def test_wait_with_unread_pipe():
    src = PROC.format(kw="stdout=asyncio.subprocess.PIPE") + "    await proc.wait()\n"
    [finding] = found(src)
    assert finding.code == "SHEET203" and "stdout=PIPE" in finding.message
    assert "    await proc.communicate()\n" in fixed(src)
    src = "from asyncio.subprocess import PIPE\n" + PROC.format(kw="stderr=PIPE") + "    rc = await proc.wait()\n"
    [finding] = found(src)
    assert finding.fix is None  # the value is used: communicate() gives something else


@pytest.mark.parametrize(
    "kw,rest",
    [
        ("", "    await proc.wait()\n"),  # no pipe
        ("stdout=asyncio.subprocess.PIPE", "    data = await proc.stdout.read()\n    await proc.wait()\n"),
        ("stdout=asyncio.subprocess.PIPE", "    await proc.communicate()\n"),
        ("stdout=asyncio.subprocess.DEVNULL", "    await proc.wait()\n"),
    ],
)
def test_wait_fine(kw, rest):
    assert codes(PROC.format(kw=kw) + rest) == []


# --- SHEET204 shell command from variables --------------------------------------------------------
@pytest.mark.parametrize(
    "cmd,how",
    [('f"ls {d}"', "f-string"), ('"ls %s" % d', "%"), ('"ls " + d', "+"), ('"ls {}".format(d)', ".format()")],
)
def test_shell_from_variables(cmd, how):
    [finding] = found(f"import asyncio\nasync def f(d):\n    await asyncio.create_subprocess_shell({cmd})\n")
    assert finding.code == "SHEET204" and f"({how})" in finding.message and finding.fix is None


def test_shell_constant_is_fine():
    assert codes("import asyncio\nasync def f():\n    await asyncio.create_subprocess_shell('ls -l | wc')\n") == []
    assert codes("import asyncio, shlex\nasync def f(d):\n    await asyncio.create_subprocess_shell(cmd)\n") == []


# --- SHEET205 run_in_executor keywords ------------------------------------------------------------
def test_run_in_executor_keywords():
    head = "import asyncio\nasync def f(g):\n    loop = asyncio.get_running_loop()\n"
    src = head + "    await loop.run_in_executor(None, g, 1, x=2)\n"
    assert codes(src) == ["SHEET205"]
    new = fixed(src)
    assert "    await loop.run_in_executor(None, functools.partial(g, 1, x=2))\n" in new
    assert "import functools\n" in new
    ok = head + "    await loop.run_in_executor(None, g, 1)\n"
    assert codes(ok) == []
    spelled = "from functools import partial\n" + src
    assert "run_in_executor(None, partial(g, 1, x=2))" in fixed(spelled)


# --- SHEET206 get_event_loop in a coroutine -------------------------------------------------------
def test_get_event_loop_in_coroutine():
    src = "import asyncio\nasync def f():\n    loop = asyncio.get_event_loop()\n"
    [finding] = found(src)
    assert finding.code == "SHEET206" and finding.rule.severity == "information"
    assert "deprecat" not in finding.message and "prefer `asyncio.get_running_loop()`" in finding.message
    assert "    loop = asyncio.get_running_loop()\n" in fixed(src)
    assert codes("import asyncio\ndef f():\n    loop = asyncio.get_event_loop()\n") == []


# --- SHEET207 keep_alive before 3.13, limit=None --------------------------------------------------
def test_keep_alive_before_313():
    src = "import asyncio\nasync def f(h):\n    await asyncio.start_server(h, 'h', 1, keep_alive=True)\n"
    assert codes(src, python=(3, 12)) == ["SHEET207"]
    assert codes(src, python=(3, 13)) == []


def test_limit_none():
    assert codes("import asyncio\nasync def f():\n    await asyncio.open_connection('h', 1, limit=None)\n") == [
        "SHEET207"
    ]
    assert codes("import asyncio\nasync def f():\n    await asyncio.open_connection('h', 1, limit=2**20)\n") == []


# --- the registry and apply_fixes -----------------------------------------------------------------
def test_every_rule_points_at_a_sheet_entry():
    from sheetls.loader import builtin_sheet_path
    from sheetls.packs import load_path

    sheet = load_path(builtin_sheet_path()).sheet
    assert sheet is not None
    ids = {e.id for e in sheet.entries}
    for rule in RULES.values():
        assert rule.entry in ids, rule.code
        assert rule.url.startswith("https://docs.python.org/3/library/asyncio"), rule.code


def test_every_rule_is_documented():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    docs = (root / "docs" / "rules.md").read_text(encoding="utf-8")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for code in RULES:
        assert f"## {code}" in docs and code in readme, code
    assert docs.count("Not caught") >= len(RULES)


def test_a_fix_that_would_not_compile_leaves_the_file():
    text = "x = 1\n"
    bad = Finding("SHEET101", "m", 0, 0, 0, 1, Fix("t", (Edit(0, 0, 0, 1, "def"),)))
    assert apply_fixes(text, [bad]) == (text, 0)


def test_overlapping_fixes_apply_once_and_imports_are_added_once():
    src = "import time\nasync def f():\n    time.sleep(1)\n    time.sleep(2)\n"
    new = fixed(src)
    assert new.count("import asyncio") == 1 and new.count("await asyncio.sleep") == 2
    assert codes(new) == []


def test_non_ascii_columns_are_code_points():
    [finding] = found("import time\nasync def f():\n    s = 'é'; time.sleep(1)\n")
    assert finding.col == len("    s = 'é'; ")
    new = fixed("import asyncio, time\nasync def f():\n    s = 'é'; time.sleep(1)\n")
    assert "s = 'é'; await asyncio.sleep(1)" in new


def test_files_that_do_not_parse_have_no_findings():
    assert codes("import time\nasync def f(:\n    time.sleep(1)\n") == []


def test_crlf_lines():
    new = fixed("import time\r\nasync def f():\r\n    time.sleep(1)\r\n")
    assert "    await asyncio.sleep(1)\r\n" in new
    # the lines a fix adds (an import, a wait_closed() after the close) end with the file's break too
    assert new.startswith("import asyncio\r\nimport time\r\n") and new.count("\n") == new.count("\r\n")
    new = fixed(STREAMS.replace("\n", "\r\n") + "    writer.close()\r\n")
    assert "    writer.close()\r\n    await writer.wait_closed()\r\n" in new
    assert new.count("\n") == new.count("\r\n")


# --- the fixed programs still do the same, and the loop keeps ticking -----------------------------
TICKER = """
import asyncio
import subprocess
import sys
import time

ticks = 0


async def ticker():
    global ticks
    while True:
        await asyncio.sleep(0.01)
        ticks += 1


async def work():
{work}


async def main():
    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.02)
    before = ticks
    await work()
    print("ticks during work:", ticks - before, flush=True)
    task.cancel()


asyncio.run(main())
"""


def run(program: str) -> Tuple[str, int]:
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    lines = done.stdout.splitlines()
    return "\n".join(lines[:-1]), int(lines[-1].rsplit(" ", 1)[1])


@pytest.mark.slow  # two CPythons per case, each waiting 0.4 s: not in make test-fast
@pytest.mark.parametrize(
    "work,output",
    [
        ("    time.sleep(0.4)\n    print('slept', flush=True)", "slept"),
        (
            "    subprocess.run([sys.executable, '-c', 'import time; time.sleep(0.4); print(\"child\")'])\n"
            "    print('after', flush=True)",
            "child\nafter",
        ),
        (
            "    done = subprocess.run([sys.executable, '-c', 'import time; time.sleep(0.4); print(1)'],\n"
            "                          capture_output=True, text=True, check=True)\n"
            "    print('child said', done.stdout.strip(), flush=True)",
            "child said 1",
        ),
    ],
)
def test_fixed_program_does_the_same_and_the_loop_ticks(work, output):
    program = TICKER.format(work=work)
    assert [f.code for f in check(program, python=(3, 9))] in (["SHEET101"], ["SHEET102"])
    new, applied = apply_fixes(program, check(program, python=(3, 9)))
    assert applied == 1
    before_out, before_ticks = run(program)
    after_out, after_ticks = run(new)
    assert before_out == after_out == output
    assert before_ticks <= 2  # blocked: the ticker never ran during the call
    assert after_ticks >= 10  # 0.4 s at 10 ms a tick, with room for a busy machine


def test_rules_that_apply_in_plain_functions_too():
    src = "import asyncio\ndef f(g, d):\n    loop = asyncio.new_event_loop()\n    loop.run_in_executor(None, g, x=1)\n"
    assert codes(src) == ["SHEET205"]
    src = "import asyncio\ndef f(d):\n    return asyncio.create_subprocess_shell(f'ls {d}')\n"
    assert codes(src) == ["SHEET204"]
    src = "import asyncio\ndef f(h):\n    return asyncio.start_server(h, limit=None)\n"
    assert codes(src) == ["SHEET207"]


@pytest.mark.slow  # every file of the stdlib's asyncio and of sheetls: not in make test-fast
def test_real_code_never_crashes_and_every_fix_compiles():
    """The stdlib's asyncio package and sheetls's own server: no exception, and the fixes of
    every file that has some apply and compile (apply_fixes refuses a result that does not)."""
    import asyncio
    import pathlib

    import sheetls

    files = sorted(pathlib.Path(asyncio.__file__).parent.glob("*.py"))
    files += sorted(pathlib.Path(sheetls.__file__).parent.rglob("*.py"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        findings = check(text, str(path), (3, 9))
        if any(f.fix for f in findings):
            new, applied = apply_fixes(text, findings)
            assert applied, path
            compile(new, str(path), "exec")
    assert len(files) > 40
