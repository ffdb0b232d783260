"""A raw stdio client for sheetls: send any bytes (garbage included), read framed replies.

pytest-lsp's client only sends well-formed messages; protocol abuse and floods of 100,000
requests need a client that writes bytes as they are and reads answers in bulk.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from typing import Any, Dict, List, Optional

SERVER_CMD = [sys.executable, "-m", "sheetls", "--stdio"]


def frame(body: Any) -> bytes:
    data = body if isinstance(body, bytes) else json.dumps(body).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(data) + data


class RawServer:
    """sheetls as a subprocess; replies are parsed on a thread into a queue."""

    def __init__(
        self, env: Optional[Dict[str, str]] = None, args: Optional[List[str]] = None, prefix: Optional[List[str]] = None
    ):
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.stderr_lines: List[str] = []
        self.proc = subprocess.Popen(
            (prefix or []) + SERVER_CMD + (args or []),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=full_env,
        )
        self.messages: queue.Queue[dict] = queue.Queue()
        self.notifications: List[dict] = []  # every message from the server that has a method
        self._next_id = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # --- output side ---------------------------------------------------------------------
    def _read(self) -> None:
        out = self.proc.stdout
        while True:
            length = None
            while True:
                line = out.readline()
                if not line:
                    return
                if line == b"\r\n":
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value.strip())
            self.messages.put(json.loads(out.read(length)))

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr_lines.append(line.decode("utf-8", "replace"))

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def wait_for_stderr(self, text: str, timeout: float = 10) -> bool:
        """True once `text` shows up on the server's stderr (written by another thread)."""
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.stderr:
                return True
            time.sleep(0.05)
        return False

    # --- input side ----------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def send(self, message: dict) -> None:
        self.write(frame(message))

    def new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def request(self, method: str, params: Any = None, msg_id: Any = None) -> Any:
        msg_id = self.new_id() if msg_id is None else msg_id
        msg = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)
        return msg_id

    def notify(self, method: str, params: Any = None) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self.send(msg)

    # --- waiting -------------------------------------------------------------------------
    def next_message(self, timeout: float = 30) -> dict:
        try:
            return self.messages.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(
                f"no message from the server within {timeout}s; stderr:\n{self.stderr[-3000:]}"
            ) from None

    def response(self, msg_id: Any = None, timeout: float = 30) -> dict:
        """The next response (skipping notifications and server requests); with msg_id, check it."""
        while True:
            msg = self.next_message(timeout)
            if "method" in msg:
                self.notifications.append(msg)
                if "id" in msg:  # a request from the server (registerCapability, ...): accept it
                    self.send({"jsonrpc": "2.0", "id": msg["id"], "result": None})
                continue
            if msg_id is not None:
                assert msg.get("id") == msg_id, f"expected the answer to {msg_id!r}, got {msg}"
            return msg

    def call(self, method: str, params: Any = None, timeout: float = 30) -> dict:
        return self.response(self.request(method, params), timeout)

    def initialize(self, options: Any = None, encodings: Optional[List[str]] = None) -> dict:
        caps: dict = {
            "textDocument": {
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "completion": {"completionItem": {"snippetSupport": True}},
            }
        }
        if encodings:
            caps["general"] = {"positionEncodings": encodings}
        answer = self.call(
            "initialize", {"processId": None, "rootUri": None, "capabilities": caps, "initializationOptions": options}
        )
        self.notify("initialized", {})
        return answer

    def open(self, uri: str, text: str, language: str = "python", version: int = 1) -> None:
        self.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": version, "text": text}},
        )

    def shutdown_and_exit(self, timeout: float = 30) -> int:
        answer = self.call("shutdown")
        assert answer.get("result", "missing") is None, answer
        self.notify("exit")
        return self.wait(timeout)

    def wait(self, timeout: float = 30) -> int:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"server did not exit within {timeout}s; stderr:\n{self.stderr[-3000:]}") from None

    def logged_errors(self) -> List[str]:
        """window/logMessage messages of type Error received so far (sheetls logs every
        failure it contains there, with the traceback)."""
        return [
            n["params"]["message"]
            for n in self.notifications
            if n.get("method") == "window/logMessage" and n["params"].get("type") == 1
        ]

    def rss_kb(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except OSError:
                pass
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> RawServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
