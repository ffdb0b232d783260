"""The command line and packaging: --version, --tcp, python -m, and a wheel installed
elsewhere still finds the built-in sheet (issue 2)."""

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # builds and installs a wheel: not in make test-fast

ROOT = Path(__file__).resolve().parents[1]


def test_version():
    out = subprocess.run([sys.executable, "-m", "sheetls", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "sheetls 0.1.0"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _frame(obj) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def _read_message(sock) -> dict:
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(1)
    length = int([h for h in data.decode().split("\r\n") if h.lower().startswith("content-length")][0].split(":")[1])
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return json.loads(body)


def test_tcp_serves_initialize_and_completion():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sheetls", "--tcp", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
                time.sleep(0.05)
        with sock:
            sock.sendall(
                _frame(
                    {
                        "jsonrpc": "2.0",
                        "id": 1,
                        "method": "initialize",
                        "params": {"processId": None, "rootUri": None, "capabilities": {}},
                    }
                )
            )
            reply = _read_message(sock)
            while reply.get("id") != 1:
                reply = _read_message(sock)
            assert reply["result"]["serverInfo"]["name"] == "sheetls"
            sock.sendall(_frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
            sock.sendall(
                _frame(
                    {
                        "jsonrpc": "2.0",
                        "method": "textDocument/didOpen",
                        "params": {
                            "textDocument": {
                                "uri": "file:///tmp/tcp.py",
                                "languageId": "python",
                                "version": 1,
                                "text": "aioop",
                            }
                        },
                    }
                )
            )
            sock.sendall(
                _frame(
                    {
                        "jsonrpc": "2.0",
                        "id": 2,
                        "method": "textDocument/completion",
                        "params": {
                            "textDocument": {"uri": "file:///tmp/tcp.py"},
                            "position": {"line": 0, "character": 5},
                        },
                    }
                )
            )
            reply = _read_message(sock)
            while reply.get("id") != 2:
                reply = _read_message(sock)
            assert [i["label"] for i in reply["result"]["items"]] == ["aioopen"]
            # no snippetSupport declared: plain text with placeholders at their defaults
            assert "${" not in reply["result"]["items"][0]["textEdit"]["newText"]
    finally:
        proc.kill()
        proc.wait()


def test_wheel_installed_elsewhere_finds_its_sheet(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = wheels.glob("sheetls-*.whl")
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    assert (site / "sheetls" / "data" / "asyncio-streams.yaml").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sheetls.loader as l, sys; p = l.builtin_sheet_path(); print(p); "
            "r = l.load_pack(p); sys.exit(0 if r.ok and len(r.sheet.entries) == 6 else 1)",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().startswith(str(site))
