"""The sheet is faithful to the original, and every example runs for real on this machine,
against local endpoints (issue 2)."""
import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sheetls.forms import entry_example
from sheetls.loader import builtin_sheet_path, load_pack

SHEET = load_pack(builtin_sheet_path()).sheet
BY_PREFIX = {e.prefix: e for e in SHEET.entries}
# The original sheet, as published (a copy kept in the repository: a fresh clone has all it reads).
SEED = Path(__file__).resolve().parent / "data" / "original-sheet.txt"
BROKEN_REQUEST = 'b"GET / HTTP/1.1\nHost: example.com\nConnection: close\n\n"'
FIXED_REQUEST = 'b"GET / HTTP/1.1\\r\\nHost: example.com\\r\\nConnection: close\\r\\n\\r\\n"'


def _seed() -> str:
    if not SEED.exists():
        pytest.fail(f"the original sheet is missing: {SEED}")
    return SEED.read_text(encoding="utf-8")


def test_sheet_is_faithful_to_the_original():
    seed = _seed()
    assert BROKEN_REQUEST in seed  # the one broken sample, fixed in our source
    seed = seed.replace(BROKEN_REQUEST, FIXED_REQUEST)
    assert SHEET.title in seed and SHEET.summary in seed
    assert [s.title for s in SHEET.sections] == ["Streams", "Subprocesses", "Threads and Blocking Code"]
    for section in SHEET.sections:
        assert f"\n{section.title}\n\n{section.summary}\n" in seed
    assert len(SHEET.entries) == 6
    for entry in SHEET.entries:
        # title, summary, the badge row (language, version, tags), the code, the note, in order
        badge = "pythonANY" + "".join(entry.tags)
        block = f"{entry.title}\n\n{entry.summary}\n\n{badge}\npython\n{entry.example}\n{entry.note}\n"
        assert block in seed, entry.title


def test_request_is_the_fixed_bytes_literal():
    assert FIXED_REQUEST in BY_PREFIX["aioopen"].example


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(code: str, timeout: float = 30) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout)


def test_open_connection_example_talks_to_a_local_server():
    received = []

    async def scenario():
        async def handler(reader, writer):
            received.append(await reader.readuntil(b"\r\n\r\n"))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello")
            await writer.drain()
            writer.close()

        server = await asyncio.start_server(handler, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        code = entry_example(BY_PREFIX["aioopen"], {1: '"127.0.0.1"', 2: str(port)})
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", code, stdout=asyncio.subprocess.PIPE,
                                                    stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(proc.communicate(), 30)
        server.close()
        await server.wait_closed()
        return proc.returncode, out.decode(), err.decode()

    code, out, err = asyncio.run(scenario())
    assert code == 0, err
    assert received == [b"GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n"]
    assert out.startswith("HTTP/1.1 200 OK") and out.rstrip().endswith("hello")


def test_start_server_example_echoes_to_a_real_client():
    port = _free_port()
    code = entry_example(BY_PREFIX["aioserver"], {3: str(port)})
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                conn = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"server never listened: {proc.stderr.read().decode()}")
                time.sleep(0.05)
        with conn:
            conn.sendall(b"ping\n")
            reply = b""
            while not reply.endswith(b"\n"):
                chunk = conn.recv(100)
                if not chunk:
                    break
                reply += chunk
        assert reply == b"echo: ping\n"
        assert proc.poll() is None  # serve_forever keeps serving after a client leaves
    finally:
        proc.kill()
        proc.wait()


def test_subprocess_exec_example_runs_the_interpreter():
    code = entry_example(BY_PREFIX["aioexec"], {1: repr(sys.executable)})
    result = _run(code)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello from child 0\n"


def test_subprocess_exec_example_as_written_uses_python_on_path(tmp_path):
    # The sheet's own code runs "python": give it one on PATH, as a user's machine has.
    (tmp_path / "python").symlink_to(sys.executable)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run([sys.executable, "-c", BY_PREFIX["aioexec"].example], capture_output=True,
                            text=True, timeout=30, env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "hello from child 0\n"


def test_shell_example_runs_a_pipeline():
    result = _run(BY_PREFIX["aioshell"].example)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "one\ntwo\n\n"


@pytest.mark.parametrize("prefix,expected", [("aiothread", "finished\n"), ("aioexecutor", "42\n")])
def test_thread_examples_run(prefix, expected):
    result = _run(BY_PREFIX[prefix].example)
    assert result.returncode == 0, result.stderr
    assert result.stdout == expected


def test_every_example_is_the_program_form_at_defaults():
    for entry in SHEET.entries:
        assert entry_example(entry) == entry.example
        compile(entry.example, entry.prefix, "exec")
