"""The TCP transport (`sheetls --tcp`) frames and answers like stdio: garbage gets ParseError,
ill-typed params InvalidParams, and `exit` gives 0 after shutdown, 1 without."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time

import pytest
from rawlsp import frame


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class TcpClient:
    def __init__(self, sock: socket.socket):
        self.sock = sock
        self.buf = b""

    def send(self, message) -> None:
        self.sock.sendall(frame(message) if not isinstance(message, bytes) else message)

    def _fill(self) -> None:
        chunk = self.sock.recv(65536)
        assert chunk, "the server closed the connection"
        self.buf += chunk

    def receive(self) -> dict:
        while b"\r\n\r\n" not in self.buf:
            self._fill()
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        length = next(int(l.split(b":")[1]) for l in head.split(b"\r\n") if l.lower().startswith(b"content-length"))
        while len(self.buf) < length:
            self._fill()
        body, self.buf = self.buf[:length], self.buf[length:]
        return json.loads(body)

    def response(self) -> dict:
        while True:
            msg = self.receive()
            if "method" not in msg:
                return msg


@pytest.fixture()
def tcp_server():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "sheetls", "--tcp", "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=30)
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read().decode()
            time.sleep(0.05)
    try:
        yield proc, TcpClient(sock)
    finally:
        sock.close()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _init(client: TcpClient) -> None:
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "initialize",
            "params": {"processId": None, "rootUri": None, "capabilities": {}},
        }
    )
    assert client.response()["result"]["serverInfo"]["name"] == "sheetls"
    client.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})


@pytest.mark.parametrize("shutdown, code", [(True, 0), (False, 1)])
def test_tcp_answers_garbage_as_the_spec_says_and_exits_with_its_codes(tcp_server, shutdown, code):
    proc, client = tcp_server
    client.send({"jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": {}})
    assert client.response()["error"]["code"] == -32002  # before initialize
    _init(client)
    client.send(b"Content-Length: 7\r\n\r\n{nope!}")
    answer = client.response()
    assert answer["id"] is None and answer["error"]["code"] == -32700, answer
    client.send({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": {"position": "here"}})
    answer = client.response()
    assert answer["id"] == 2 and answer["error"]["code"] == -32602
    client.send(
        {
            "jsonrpc": "2.0",
            "method": "textDocument/didOpen",
            "params": {
                "textDocument": {
                    "uri": "file:///tmp/tcp-abuse.py",
                    "languageId": "python",
                    "version": 1,
                    "text": "aioop",
                }
            },
        }
    )
    client.send(
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "textDocument/completion",
            "params": {"textDocument": {"uri": "file:///tmp/tcp-abuse.py"}, "position": {"line": 0, "character": 5}},
        }
    )
    assert [i["label"] for i in client.response()["result"]["items"]] == ["aioopen"]
    if shutdown:
        client.send({"jsonrpc": "2.0", "id": 4, "method": "shutdown"})
        assert client.response() == {"jsonrpc": "2.0", "id": 4, "result": None}
    client.send({"jsonrpc": "2.0", "method": "exit"})
    assert proc.wait(timeout=30) == code
