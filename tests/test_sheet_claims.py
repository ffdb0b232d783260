"""Each claim the sheet makes about asyncio's behaviour, run on every CPython from the oldest
supported to the newest this machine has (tests/pythons.py), asserting what the sheet says for
that version: the sheet's own version data (`added`/`removed` of params, members, pitfalls)
decides what each version must do (issue 14). Every scenario is local and has a timeout; a
"hang" is measured as "not done within a couple of seconds" and then cleaned up."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

import pythons
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.model import Versions

pytestmark = pytest.mark.slow  # every claim on five CPythons: not in make test-fast

SHEET = load_pack(builtin_sheet_path()).sheet
BY_PREFIX = {e.prefix: e for e in SHEET.entries}
MEMBERS = {m.api: m for m in SHEET.members}
V = pytest.mark.parametrize("version", pythons.VERSIONS, ids=pythons.IDS)


def param(prefix: str, name: str) -> Versions:
    return next(p for p in BY_PREFIX[prefix].params if p.name == name).versions


def pitfall(owner, fragment: str) -> Versions:
    """The versions of the pitfall whose text has `fragment` (an entry's or a member's)."""
    found = [p for p in owner.pitfalls if fragment in p.text]
    assert len(found) == 1, (fragment, [p.text for p in owner.pitfalls])
    return found[0].versions


def run_json(version, body: str, timeout: float = 90) -> dict:
    """Run `body` (the inside of `async def main(R):`, filling the dict R) under that CPython."""
    indented = "\n".join("    " + line if line.strip() else line for line in body.strip("\n").split("\n"))
    code = f"""import asyncio, json, sys, os, time, inspect, functools, contextvars, threading
R = {{}}
async def main(R):
{indented}
asyncio.run(main(R))
print(json.dumps(R))
"""
    return pythons.run_json(version, code, timeout)


# --- 1. limit -------------------------------------------------------------------------------------


@V
def test_limit_defaults_to_65536_and_none_breaks_it(version):
    r = run_json(
        version,
        r"""
R["defaults"] = [inspect.signature(getattr(asyncio, f)).parameters["limit"].default
                 for f in ("open_connection", "start_server", "create_subprocess_exec", "create_subprocess_shell")]
async def hello(reader, writer):
    writer.write(b"hi\n"); await writer.drain(); writer.close()
server = await asyncio.start_server(hello, "127.0.0.1", 0)
port = server.sockets[0].getsockname()[1]
try:
    await asyncio.open_connection("127.0.0.1", port, limit=None)
    R["open_connection"] = "ok"
except TypeError:
    R["open_connection"] = "TypeError"
server.close()
broken = await asyncio.start_server(hello, "127.0.0.1", 0, limit=None)
reader, writer = await asyncio.open_connection("127.0.0.1", broken.sockets[0].getsockname()[1])
R["start_server_client_got"] = (await asyncio.wait_for(reader.read(), 10)).decode()
writer.close(); broken.close()
proc = await asyncio.create_subprocess_exec(
    sys.executable, "-c", "print('out')", stdout=asyncio.subprocess.PIPE, limit=None
)
R["subprocess"] = repr(await asyncio.wait_for(proc.communicate(), 10))
""",
    )
    assert r["defaults"] == [65536] * 4 == [2**16] * 4
    for prefix in ("aioopen", "aioserver", "aioexec", "aioshell"):
        assert "limit=65536" in BY_PREFIX[prefix].signature and "limit=None" not in BY_PREFIX[prefix].signature
    assert r["open_connection"] == "TypeError"
    assert r["start_server_client_got"] == ""  # the connection fails: the client is dropped, no greeting
    assert r["subprocess"] == "(None, None)"  # the piped output is lost


# --- 2. the exec example's interpreter and its failing child ----------------------------------------

ORIGINAL_EXEC = """import asyncio

async def main():
    proc = await asyncio.create_subprocess_exec(
        "python",
        "-c",
        "import sys; sys.exit('broken')",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await proc.communicate()
    print(stdout.decode().strip(), proc.returncode)

asyncio.run(main())
"""


@V
def test_the_original_exec_example_needs_python_on_path_and_hides_failure(version, tmp_path):
    (tmp_path / "python3").symlink_to(pythons.python(version))  # a system with only python3
    env = {"PATH": str(tmp_path)}
    result = pythons.run(version, ORIGINAL_EXEC, env=env, timeout=60)
    assert result.returncode == 1 and "FileNotFoundError" in result.stderr
    (tmp_path / "python").symlink_to(pythons.python(version))
    result = pythons.run(version, ORIGINAL_EXEC, env=env, timeout=60)
    assert (result.returncode, result.stdout, result.stderr) == (0, " 1\n", "")  # the failure, silenced
    assert "sys.executable" in BY_PREFIX["aioexec"].example and '"python"' not in BY_PREFIX["aioexec"].example


# --- 3. communicate() and stdin; wait() after kill(); a timeout leaves the child ---------------------


@V
def test_communicate_closes_stdin_only_from_312(version):
    r = run_json(
        version,
        r"""
async def child_reading_stdin(**kw):
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import sys; sys.stdin.read(); print('done')",
                                                stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    try:
        out, _ = await asyncio.wait_for(proc.communicate(**kw), 3)
        return out.decode().strip()
    except asyncio.TimeoutError:
        proc.kill(); await proc.communicate()
        return "hung"
R["no_input"] = await child_reading_stdin()
R["empty_input"] = await child_reading_stdin(input=b"")
""",
    )
    stays_open = pitfall(BY_PREFIX["aioexec"], "closes a piped stdin only when given")
    member_old = pitfall(MEMBERS["asyncio.subprocess.Process.communicate"], "leaves a piped stdin open")
    member_new = pitfall(MEMBERS["asyncio.subprocess.Process.communicate"], "closes a piped stdin even")
    assert stays_open.applies(version) == member_old.applies(version) == (not member_new.applies(version))
    assert MEMBERS["asyncio.subprocess.Process.communicate"].versions.changed == "3.12"
    assert r["no_input"] == ("hung" if stays_open.applies(version) else "done")
    assert r["empty_input"] == "done"  # the sheet's fix, on every version


@V
def test_wait_after_kill_hangs_on_an_unread_pipe_from_311(version):
    r = run_json(
        version,
        r"""
proc = await asyncio.create_subprocess_exec(
    sys.executable, "-c", "import sys, time; sys.stdout.write('x' * 1000000); sys.stdout.flush(); time.sleep(60)",
    stdout=asyncio.subprocess.PIPE)
await asyncio.sleep(1.5)  # the child has filled the pipe and the reader's buffer
proc.kill()
try:
    await asyncio.wait_for(proc.wait(), 3)
    R["wait"] = "returned"
except asyncio.TimeoutError:
    R["wait"] = "hung"
out, _ = await asyncio.wait_for(proc.communicate(), 10)  # the sheet's fix: read the pipe
R["communicate"] = [proc.returncode, len(out) > 0]
""",
    )
    hangs = pitfall(BY_PREFIX["aioexec"], "`await proc.wait()` returns only once the pipes are closed")
    assert pitfall(MEMBERS["asyncio.subprocess.Process.wait"], "after `kill()` it hangs") == hangs
    assert r["wait"] == ("hung" if hangs.applies(version) else "returned")
    assert r["communicate"] == [-9, True]


@V
def test_a_timeout_on_communicate_leaves_the_child_running_until_killed(version):
    r = run_json(
        version,
        r"""
proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(60)",
                                            stdout=asyncio.subprocess.PIPE)
try:
    await asyncio.wait_for(proc.communicate(), 0.5)
except asyncio.TimeoutError:
    R["timed_out"] = True
os.kill(proc.pid, 0)  # still there
R["returncode_after_timeout"] = proc.returncode
proc.kill()
await asyncio.wait_for(proc.communicate(), 10)
R["returncode"] = proc.returncode
""",
    )
    assert r == {"timed_out": True, "returncode_after_timeout": None, "returncode": -9}
    pitfall(BY_PREFIX["aioexec"], "leaves the child running")


# --- 4. versions of parameters ------------------------------------------------------------------------


@V
def test_keep_alive_and_ssl_shutdown_timeout_exist_from_their_version(version):
    r = run_json(
        version,
        r"""
async def noop(reader, writer):
    writer.close()
async def attempt(coro):
    try:
        result = await coro
    except (TypeError, ValueError) as exc:
        return type(exc).__name__
    (result[1] if isinstance(result, tuple) else result).close()
    return "ok"
server = await asyncio.start_server(noop, "127.0.0.1", 0)
port = server.sockets[0].getsockname()[1]
R["keep_alive"] = await attempt(asyncio.start_server(noop, "127.0.0.1", 0, keep_alive=True))
R["server_sst"] = await attempt(asyncio.start_server(noop, "127.0.0.1", 0, ssl_shutdown_timeout=5))
R["open_sst"] = await attempt(asyncio.open_connection("127.0.0.1", port, ssl_shutdown_timeout=5))
R["to_thread"] = hasattr(asyncio, "to_thread")
server.close()
""",
    )
    keep_alive = param("aioserver", "keep_alive")
    assert keep_alive.added == "3.13"
    assert r["keep_alive"] == ("ok" if keep_alive.applies(version) else "TypeError")
    for key, prefix in (("server_sst", "aioserver"), ("open_sst", "aioopen")):
        sst = param(prefix, "ssl_shutdown_timeout")
        assert sst.added == "3.11"
        # from 3.11 it exists, and without ssl it is a ValueError (the sheet's note)
        assert r[key] == ("ValueError" if sst.applies(version) else "TypeError"), key
    assert "ValueError" in next(p for p in BY_PREFIX["aioopen"].params if p.name == "ssl_shutdown_timeout").note
    assert r["to_thread"] == BY_PREFIX["aiothread"].versions.applies(version) is True


def test_to_thread_is_missing_before_39():
    """The sheet's `added: "3.9"` on to_thread, measured where a 3.8 is installed (older than
    what the project supports: optional)."""
    if not pythons.find((3, 8)):
        pytest.skip("no CPython 3.8 installed (optional: older than the project supports)")
    assert not BY_PREFIX["aiothread"].versions.applies((3, 8))
    result = pythons.run((3, 8), "import asyncio; print(hasattr(asyncio, 'to_thread'))", timeout=30)
    assert result.stdout == "False\n"


# --- 5. serve_forever shutdown with an idle client ------------------------------------------------


@V
def test_an_idle_client_blocks_shutdown_from_312_and_the_sheets_fixes_work(version):
    r = run_json(
        version,
        r"""
async def scenario(fix):
    writers = set()
    async def handle(reader, writer):
        writers.add(writer)
        try:
            await reader.readline()
        finally:
            writers.discard(writer)
            writer.close()
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async def serve():
        async with server:
            await server.serve_forever()
    task = asyncio.ensure_future(serve())
    reader, writer = await asyncio.open_connection("127.0.0.1", port)  # connected, then idle
    await asyncio.sleep(0.3)
    if fix == "close_clients":
        server.close_clients()
    elif fix == "writers":
        for w in list(writers):
            w.close()
    task.cancel()
    try:
        await asyncio.wait_for(asyncio.shield(task), 3)
    except asyncio.CancelledError:
        return "stopped"
    except asyncio.TimeoutError:
        return "blocked"
    finally:
        writer.close()
        await asyncio.sleep(0.1)
    return "returned"
R["close_clients_exists"] = hasattr(asyncio.Server, "close_clients") and hasattr(asyncio.Server, "abort_clients")
for fix in ["none", "writers"] + (["close_clients"] if R["close_clients_exists"] else []):
    R[fix] = await scenario(fix)
""",
    )
    blocks = pitfall(BY_PREFIX["aioserver"], "one idle client blocks shutdown")
    assert blocks == pitfall(MEMBERS["asyncio.Server.serve_forever"], "an idle client blocks it")
    assert r["none"] == ("blocked" if blocks.applies(version) else "stopped")
    assert r["writers"] == "stopped"  # closing the handlers' writers: every version
    has = MEMBERS["asyncio.Server.close_clients"].versions
    assert has == MEMBERS["asyncio.Server.abort_clients"].versions and has.added == "3.13"
    assert r["close_clients_exists"] == has.applies(version)
    if has.applies(version):
        assert r["close_clients"] == "stopped"


# --- 6. timeouts ---------------------------------------------------------------------------------


@V
def test_read_waits_forever_without_a_timeout_and_the_timeout_error_class(version):
    r = run_json(
        version,
        r"""
async def silent(reader, writer):
    await asyncio.sleep(30)
server = await asyncio.start_server(silent, "127.0.0.1", 0)
reader, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
try:
    await asyncio.wait_for(reader.read(200), timeout=0.5)
except asyncio.TimeoutError as exc:
    R["timed_out"] = True
    R["is_builtin"] = isinstance(exc, TimeoutError)
R["has_timeout_cm"] = hasattr(asyncio, "timeout")
if R["has_timeout_cm"]:
    try:
        async with asyncio.timeout(0.5):
            await reader.read(200)
    except TimeoutError:
        R["cm_timed_out"] = True
writer.close(); server.close()
""",
    )
    assert r["timed_out"] is True
    not_builtin = pitfall(BY_PREFIX["aioopen"], "is not the built-in `TimeoutError`")
    assert r["is_builtin"] == (not not_builtin.applies(version))
    cm = pitfall(BY_PREFIX["aioopen"], "async with asyncio.timeout(10)")
    assert r["has_timeout_cm"] == cm.applies(version)
    assert r.get("cm_timed_out", False) == cm.applies(version)


# --- 7. threads and executors --------------------------------------------------------------------


@V
def test_cancelling_to_thread_does_not_stop_the_thread_and_run_waits(version):
    code = r"""import asyncio, json, time
R = {}
done = []
def blocking():
    time.sleep(1.5)
    done.append(1)
async def main():
    task = asyncio.ensure_future(asyncio.to_thread(blocking))
    await asyncio.sleep(0.1)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        R["cancelled"] = True
    R["done_at_cancel"] = bool(done)
start = time.monotonic()
asyncio.run(main())
R["run_took"] = time.monotonic() - start
R["done_after_run"] = bool(done)
print(json.dumps(R))
"""
    r = pythons.run_json(version, code, timeout=60)
    assert r["cancelled"] and not r["done_at_cancel"]
    assert r["done_after_run"] and r["run_took"] >= 1.4  # asyncio.run waited for the thread
    pitfall(BY_PREFIX["aiothread"], "does not stop the thread")


@V
def test_one_default_pool_of_min_32_cpu_plus_4_threads(version):
    """One shared pool of min(32, CPUs + 4) threads; from 3.13 the CPUs the process may use
    (os.process_cpu_count): the child is pinned to one CPU to tell the two apart."""
    r = run_json(
        version,
        r"""
if hasattr(os, "sched_setaffinity"):
    os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
loop = asyncio.get_running_loop()
names = [await asyncio.to_thread(lambda: threading.current_thread().name)]
first = loop._default_executor
names.append(await loop.run_in_executor(None, lambda: threading.current_thread().name))
R["same_executor"] = loop._default_executor is first
R["max_workers"] = first._max_workers
R["machine"] = min(32, (os.cpu_count() or 1) + 4)
R["process"] = min(32, len(os.sched_getaffinity(0)) + 4) if hasattr(os, "sched_getaffinity") else R["machine"]
R["names"] = names
""",
    )
    assert r["same_executor"]
    assert r["max_workers"] == (r["process"] if version >= (3, 13) else r["machine"]), r
    assert all(n.startswith("asyncio_") for n in r["names"]), r["names"]
    text = " ".join(p.text for p in BY_PREFIX["aiothread"].pitfalls)
    assert "min(32, os.cpu_count() + 4)" in text and "from 3.13 `os.process_cpu_count()`" in text


@V
def test_run_in_executor_takes_no_kwargs_and_no_context(version):
    r = run_json(
        version,
        r"""
loop = asyncio.get_running_loop()
def f(a, *, key="default"):
    return f"{a}-{key}"
try:
    await loop.run_in_executor(None, f, 1, key="x")
    R["kwargs"] = "ok"
except TypeError:
    R["kwargs"] = "TypeError"
R["partial"] = await loop.run_in_executor(None, functools.partial(f, 1, key="x"))
var = contextvars.ContextVar("var", default="unset")
var.set("set")
R["to_thread_sees"] = await asyncio.to_thread(var.get)
R["executor_sees"] = await loop.run_in_executor(None, var.get)
R["copy_context_sees"] = await loop.run_in_executor(None, contextvars.copy_context().run, var.get)
""",
    )
    assert r == {
        "kwargs": "TypeError",
        "partial": "1-x",
        "to_thread_sees": "set",
        "executor_sees": "unset",
        "copy_context_sees": "set",
    }
    pitfall(BY_PREFIX["aioexecutor"], "functools.partial")
    pitfall(BY_PREFIX["aioexecutor"], "Context variables are not carried")


PROCESS_POOL = """import asyncio, multiprocessing
from concurrent.futures import ProcessPoolExecutor

def square(n):
    return n * n

async def main():
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    loop = asyncio.get_running_loop()
    try:
        print(await loop.run_in_executor(pool, FUNC, 7))
    finally:
        pool.shutdown()

"""


@V
@pytest.mark.parametrize("case", ["guarded", "lambda", "unguarded"])
def test_process_pool_needs_picklable_functions_and_the_main_guard(version, case, tmp_path):
    code = PROCESS_POOL.replace("FUNC", "(lambda n: n * n)" if case == "lambda" else "square")
    code += 'if __name__ == "__main__":\n    asyncio.run(main())\n' if case != "unguarded" else "asyncio.run(main())\n"
    script = tmp_path / "pool.py"
    script.write_text(code)
    # run as a file, so that spawn re-imports it as __mp_main__
    proc = subprocess.run(
        [pythons.python(version), str(script)], capture_output=True, text=True, timeout=120, cwd=str(tmp_path)
    )
    if case == "guarded":
        assert (proc.returncode, proc.stdout) == (0, "49\n"), proc.stderr
    elif case == "lambda":
        assert proc.returncode != 0 and re.search(r"pickl|local object", proc.stderr, re.I), proc.stderr[-2000:]
    else:
        assert proc.returncode != 0 and ("bootstrapping phase" in proc.stderr or "BrokenProcessPool" in proc.stderr), (
            proc.stderr[-2000:]
        )
    pitfall(BY_PREFIX["aioexecutor"], "must pickle")


# --- 8. streams' errors ---------------------------------------------------------------------------


@V
def test_readuntil_readexactly_and_readline_errors(version):
    r = run_json(
        version,
        r"""
async def outcome(coro):
    try:
        return repr(await coro)
    except Exception as exc:
        return type(exc).__name__ + (":" + repr(exc.partial) if hasattr(exc, "partial") else "")
small = asyncio.StreamReader(limit=10); small.feed_data(b"x" * 20)
R["readuntil_over_limit"] = await outcome(small.readuntil(b"\n"))
eof = asyncio.StreamReader(); eof.feed_data(b"ab"); eof.feed_eof()
R["readuntil_eof"] = await outcome(eof.readuntil(b"\n"))
eof = asyncio.StreamReader(); eof.feed_data(b"ab"); eof.feed_eof()
R["readexactly_eof"] = await outcome(eof.readexactly(5))
long = asyncio.StreamReader(); long.feed_data(b"x" * 70000 + b"\n")
R["readline_over_limit"] = await outcome(long.readline())
""",
    )
    assert r == {
        "readuntil_over_limit": "LimitOverrunError",
        "readuntil_eof": "IncompleteReadError:b'ab'",
        "readexactly_eof": "IncompleteReadError:b'ab'",
        "readline_over_limit": "ValueError",
    }
    assert "LimitOverrunError" in MEMBERS["asyncio.StreamReader.readuntil"].pitfall
    assert "IncompleteReadError" in MEMBERS["asyncio.StreamReader.readexactly"].pitfall


@V
def test_an_exception_in_a_handler_is_only_logged(version):
    result = pythons.run(
        version,
        r"""import asyncio, json
R = {}
async def main():
    async def handle(reader, writer):
        raise RuntimeError("boom in the handler")
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    reader, writer = await asyncio.open_connection("127.0.0.1", server.sockets[0].getsockname()[1])
    try:
        R["client_read"] = repr(await asyncio.wait_for(reader.read(), 2))
    except asyncio.TimeoutError:
        R["client_read"] = "hung"
    writer.close()
    server.close()
asyncio.run(main())
print(json.dumps(R))
""",
        timeout=60,
    )
    assert result.returncode == 0  # nothing raised to the program
    assert "boom in the handler" in result.stderr  # only logged
    r = json.loads(result.stdout.strip().splitlines()[-1])
    stays_open = pitfall(BY_PREFIX["aioserver"], "the connection stays open")
    assert r["client_read"] == ("hung" if stays_open.applies(version) else "b''")
    # how it is logged differs ("Task exception was never retrieved" before 3.11, "Unhandled
    # exception in client_connected_cb" from 3.11): the sheet quotes neither
    assert "client_connected_cb" not in " ".join(p.text for p in BY_PREFIX["aioserver"].pitfalls)
    pitfall(BY_PREFIX["aioserver"], "only logged, never raised to you")


# --- 9. Windows: subprocesses need the Proactor loop -------------------------------------------------


@V
def test_subprocesses_need_the_proactor_loop_which_is_windows_default(version):
    r = run_json(
        version,
        r"""
import asyncio.base_events as be, asyncio.selector_events as se
R["selector_lacks_subprocess"] = (
    se.BaseSelectorEventLoop._make_subprocess_transport is be.BaseEventLoop._make_subprocess_transport
)
try:
    await be.BaseEventLoop._make_subprocess_transport(None, None, None, None, None, None, None, None)
except NotImplementedError:
    R["raises"] = "NotImplementedError"
source = open(os.path.join(os.path.dirname(asyncio.__file__), "windows_events.py")).read()
R["proactor_default"] = bool(
    __import__("re").search(r"^_?DefaultEventLoopPolicy = WindowsProactorEventLoopPolicy$", source, __import__("re").M)
)
R["proactor_subprocess"] = (
    "def _make_subprocess_transport" in source.split("class ProactorEventLoop", 1)[1].split("\nclass ", 1)[0]
)
""",
    )
    assert r == {
        "selector_lacks_subprocess": True,
        "raises": "NotImplementedError",
        "proactor_default": True,
        "proactor_subprocess": True,
    }
    for prefix in ("aioexec", "aioshell"):
        pitfall(BY_PREFIX[prefix], "Proactor event loop (the default since 3.8)")
