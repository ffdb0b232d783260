"""A minimal LSP client over stdio: stdlib asyncio only, JSON-RPC 2.0 with
Content-Length framing. Just enough to drive a language server for timing:

- ``request()`` returns the result (raises ``LspError`` on an error response);
- ``notify()`` sends a notification;
- requests the server sends us (``workspace/configuration``,
  ``client/registerCapability``, ``window/workDoneProgress/create``, ...) are
  answered with ``null`` (or a list of ``null`` for configuration) so no server
  waits on us;
- notifications the server sends are counted and the last of each method kept.

Timing uses ``time.perf_counter_ns`` around the write and the matching read.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any, Optional


class LspError(Exception):
    def __init__(self, method: str, error: dict):
        super().__init__(f"{method}: {error.get('code')} {error.get('message')}")
        self.error = error


class ServerExited(Exception):
    pass


class LspClient:
    def __init__(
        self,
        argv: list[str],
        *,
        cpu: Optional[int] = None,
        env: Optional[dict] = None,
        cwd: Optional[str] = None,
        stderr_path: Optional[str] = None,
    ):
        self.argv = list(argv)
        if cpu is not None:
            # taskset execs the server: the PID we get is the server's own.
            self.argv = ["taskset", "-c", str(cpu)] + self.argv
        self.env = env
        self.cwd = cwd
        self.stderr_path = stderr_path
        self.proc: Optional[asyncio.subprocess.Process] = None
        self._next_id = 0
        self._pending: dict[int, asyncio.Future] = {}
        self._reader_task: Optional[asyncio.Task] = None
        self._stderr_file = None
        self.notifications: dict[str, int] = {}
        self.last_notification: dict[str, Any] = {}
        self.server_requests: dict[str, int] = {}
        self.spawned_ns = 0

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    async def start(self) -> None:
        self._stderr_file = open(self.stderr_path or os.devnull, "wb")
        self.spawned_ns = time.perf_counter_ns()
        self.proc = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=self._stderr_file,
            env=self.env,
            cwd=self.cwd,
            limit=2**26,
        )
        self._reader_task = asyncio.get_running_loop().create_task(self._read_loop())

    # -- wire -------------------------------------------------------------
    def _write(self, msg: dict) -> None:
        body = json.dumps(msg, separators=(",", ":")).encode("utf-8")
        assert self.proc is not None and self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    async def _read_loop(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = await out.readline()
                    if not line:
                        raise ServerExited("server closed stdout")
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value.strip())
                if length is None:
                    continue
                body = await out.readexactly(length)
                self._dispatch(json.loads(body), time.perf_counter_ns())
        except (ServerExited, asyncio.IncompleteReadError, ConnectionError) as exc:
            err = exc if isinstance(exc, ServerExited) else ServerExited(str(exc))
            for fut in self._pending.values():
                if not fut.done():
                    fut.set_exception(err)
            self._pending.clear()

    def _dispatch(self, msg: dict, now_ns: int) -> None:
        if "id" in msg and ("result" in msg or "error" in msg) and "method" not in msg:
            fut = self._pending.pop(msg["id"], None)
            if fut is not None and not fut.done():
                fut.set_result((msg, now_ns))
            return
        method = msg.get("method")
        if method is None:
            return
        if "id" in msg:  # a request from the server: answer at once
            self.server_requests[method] = self.server_requests.get(method, 0) + 1
            result: Any = None
            if method == "workspace/configuration":
                result = [None for _ in msg.get("params", {}).get("items", [])]
            elif method == "workspace/workspaceFolders":
                result = []
            self._write({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            return
        self.notifications[method] = self.notifications.get(method, 0) + 1
        self.last_notification[method] = msg.get("params")

    # -- API --------------------------------------------------------------
    def notify(self, method: str, params: Any = None) -> None:
        msg = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            msg["params"] = params
        self._write(msg)

    async def request_timed(self, method: str, params: Any = None, timeout: float = 60.0) -> tuple[Any, int]:
        """Send a request; return (result, latency in ns from write to read)."""
        self._next_id += 1
        rid = self._next_id
        fut = asyncio.get_running_loop().create_future()
        self._pending[rid] = fut
        msg = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            msg["params"] = params
        t0 = time.perf_counter_ns()
        self._write(msg)
        try:
            reply, t1 = await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            self._pending.pop(rid, None)
            raise
        if "error" in reply:
            raise LspError(method, reply["error"])
        return reply.get("result"), t1 - t0

    async def request(self, method: str, params: Any = None, timeout: float = 60.0) -> Any:
        result, _ = await self.request_timed(method, params, timeout)
        return result

    async def stop(self, timeout: float = 5.0) -> None:
        if self.proc is None:
            return
        try:
            if self.proc.returncode is None:
                await self.request("shutdown", timeout=timeout)
                self.notify("exit")
                await asyncio.wait_for(self.proc.wait(), timeout)
        except Exception:
            pass
        finally:
            if self.proc.returncode is None:
                self.proc.kill()
                await self.proc.wait()
            if self._reader_task is not None:
                self._reader_task.cancel()
                try:
                    await self._reader_task
                except BaseException:
                    pass
            if self._stderr_file is not None:
                self._stderr_file.close()


def rss_kb(pid: int) -> Optional[int]:
    """Resident set size of a process in kB, from /proc/PID/status (VmRSS)."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None
