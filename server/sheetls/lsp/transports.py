"""The transports: stdio and TCP, each reading frames with `frames.py`, and the exit code the
spec prescribes. pygls 2.1 raises SystemExit(1) for an `exit` without `shutdown` and 0 after
it, then swallows it in `start_io` (the process always ends with 0); a notification handler
that raises pops up "Error in server" in the editor, and its traceback is logged nowhere.
`ProtocolServer` serves with `SheetProtocol` (lifecycle.py), ends the process with the
spec's code, and logs a failed notification handler with its traceback.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, Optional

from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer

from sheetls.lsp.frames import READ_CHUNK, FrameReader, read_frames
from sheetls.lsp.lifecycle import SheetProtocol

log = logging.getLogger("sheetls.protocol")


class ProtocolServer(LanguageServer):
    """A pygls LanguageServer that speaks the base protocol as the spec says (see above)."""

    protocol: SheetProtocol  # the default `protocol_cls` below; the frame reader needs its error replies

    def __init__(self, name: str, version: str, *args, **kwargs):
        kwargs.setdefault("protocol_cls", SheetProtocol)
        super().__init__(name, version, *args, **kwargs)
        # set by the stdin thread when it has read bytes the event loop has not handled yet: a long
        # check (lint_runtime) lets the loop run as soon as it sees it (over TCP it is never set)
        self.input_waiting = threading.Event()
        self.last_input = 0.0  # time.monotonic() when bytes last came from the client

    def report_server_error(self, error: Exception, source) -> None:
        """A failed notification handler (or a failed send): log it with its traceback, to
        stderr and the client's log. pygls would pop up "Error in server: ..." in the editor
        instead, without the traceback anywhere; request failures are answered, not reported."""
        from pygls.exceptions import FeatureRequestError

        if source is FeatureRequestError:
            return
        data = getattr(error, "data", None)
        trace = "".join(data.get("traceback", [])) if isinstance(data, dict) else ""
        where = getattr(source, "__name__", str(source))
        log.error(
            "%s: %s\nTraceback (most recent call last):\n%s", where, getattr(error, "message", None) or error, trace
        )

    def start_io(self, stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None):
        """Serve over stdio until EOF or `exit`; `exit` ends the process with 0 after
        `shutdown`, 1 without (pygls computes that code but then swallows it)."""
        stdin = stdin or sys.stdin.buffer
        stop = self._stop_event = threading.Event()
        # stdin is read in a thread, which needs the interpreter's lock to say it has read a
        # message: while a long check runs, it got it after 5 ms (the default switch interval)
        sys.setswitchinterval(0.001)
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheetls-stdin")
        read = getattr(stdin, "read1", None) or stdin.read
        waiting = self.input_waiting

        def read_chunk(n: int) -> bytes:
            data = read(n)
            self.last_input = time.monotonic()
            waiting.set()
            return data

        def next_chunk():
            waiting.clear()  # (what was read before has been handed to the loop)
            return asyncio.get_running_loop().run_in_executor(pool, read_chunk, READ_CHUNK)

        async def main():
            await read_frames(FrameReader(next_chunk), self.protocol, stop)

        code: Optional[int] = None
        try:
            asyncio.run(main())
        except SystemExit as exc:  # the `exit` notification
            code = exc.code if isinstance(exc.code, int) else 1
        except BrokenPipeError:
            log.error("the client closed the connection")
        except KeyboardInterrupt:
            pass
        finally:
            pool.shutdown(wait=False)
            self.shutdown()
        if code is not None:
            logging.shutdown()
            sys.exit(code)

    def start_tcp(self, host: str, port: int) -> None:
        """Serve one client at a time over TCP with the same framing and exit codes as stdio."""
        stop = self._stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
            log.info("client connected from %s", writer.get_extra_info("peername"))
            self.protocol.set_writer(writer)

            async def read_chunk() -> bytes:
                data = await reader.read(READ_CHUNK)
                self.last_input = time.monotonic()
                return data

            await read_frames(FrameReader(read_chunk), self.protocol, stop)
            log.info("client disconnected")
            self.shutdown()

        async def serve():
            self._server = await asyncio.start_server(connection, host, port)
            log.info("serving on %s", ", ".join(str(s.getsockname()) for s in self._server.sockets))
            async with self._server:
                await self._server.serve_forever()

        code: Optional[int] = None
        try:
            asyncio.run(serve())
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except (asyncio.CancelledError, KeyboardInterrupt):
            pass
        finally:
            self.shutdown()
        if code is not None:
            logging.shutdown()
            sys.exit(code)
