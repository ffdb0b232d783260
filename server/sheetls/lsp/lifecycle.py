"""The LSP base protocol as the spec prescribes it, on top of pygls.

pygls 2.1 serves well-formed traffic, but on bad traffic it departs from the spec:

- a body that is not JSON, or not a JSON-RPC message, gets no answer (the spec: ParseError
  -32700 / InvalidRequest -32600 with id null) and a "Error in server" popup instead;
- a request whose params do not fit the method's type gets no answer at all (the client
  waits forever; the spec: InvalidParams -32602 with the request's id);
- requests before `initialize` are served (the spec: ServerNotInitialized -32002), requests
  after `shutdown` are silently dropped (the spec: InvalidRequest), and notifications before
  `initialize` are not dropped;
- `exit` always ends the process with code 0: pygls raises SystemExit(1) for an `exit`
  without `shutdown`, then swallows it in `start_io` (the spec: 0 after shutdown, 1 without);
- every notification with a built-in handler (didOpen, didChange, didClose...) leaves a
  Future behind in `_request_futures`: memory grows with every keystroke;
- a notification handler that raises pops up "Error in server" in the editor, and its
  traceback is logged nowhere;
- a wrong Content-Length loses the following message too, a header line in another case
  (`content-length:`) is not recognised, and a huge Content-Length is read into memory.

`SheetProtocol` fixes the message level, `ProtocolServer.start_io` / `start_tcp` the framing
and the exit code. Limits: a header line is at most MAX_HEADER_LINE bytes, a message body at most
MAX_MESSAGE_BYTES; a bigger body is skipped in chunks (never held in memory) and logged.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, BinaryIO, Callable, Optional

import attrs
from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import RPCRequest

log = logging.getLogger("sheetls.protocol")

MAX_HEADER_LINE = 8 * 1024
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
READ_CHUNK = 64 * 1024

PARSE_ERROR = types.ErrorCodes.ParseError.value  # -32700
INVALID_REQUEST = types.ErrorCodes.InvalidRequest.value  # -32600
INVALID_PARAMS = types.ErrorCodes.InvalidParams.value  # -32602
SERVER_NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized.value  # -32002

_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*\r?\n")
_FRAME_START = re.compile(rb"Content-Length:[ \t]*\d+[ \t]*\r\n", re.IGNORECASE)


class SheetProtocol(LanguageServerProtocol):
    """LanguageServerProtocol with the spec's lifecycle rules and error answers."""

    def __init__(self, server, converter):
        super().__init__(server, converter)
        self.initialize_seen = False

    # --- bookkeeping ---------------------------------------------------------------------
    def _execute_handler(self, msg_id, handler, callback, args=None, kwargs=None):
        """pygls files the future of every generator handler (didOpen, didChange, didClose
        ... are generators) under a fresh uuid in `_request_futures`, and only requests ever
        take theirs out: each notification leaked a Future (9,000 after 3,000 edit cycles,
        ~5 kB each). Take it out when it is done."""

        def done(future, _callback=callback):
            try:
                _callback(future)
            finally:
                if self._request_futures.get(msg_id) is future:
                    del self._request_futures[msg_id]

        super()._execute_handler(msg_id, handler, done, args, kwargs)

    # --- answers without a handler -------------------------------------------------------
    def send_error(self, msg_id: Any, code: int, message: str) -> None:
        """An error response; `msg_id` None is sent as `"id": null`, as JSON-RPC requires."""
        self._send_data({"jsonrpc": "2.0", "id": msg_id, "error": {"code": code, "message": message}})

    # --- one decoded JSON value ----------------------------------------------------------
    def handle_json(self, data: Any) -> None:
        """Check the JSON-RPC envelope, structure the params, then dispatch."""
        if not isinstance(data, dict):
            what = "a batch (JSON array)" if isinstance(data, list) else type(data).__name__
            log.warning("invalid message: %s, not a JSON-RPC object", what)
            self.send_error(None, INVALID_REQUEST, f"Invalid Request: expected a JSON-RPC object, got {what}")
            return
        msg_id = data.get("id")
        has_id = "id" in data
        if has_id and (isinstance(msg_id, bool) or not isinstance(msg_id, (int, str))):
            self.send_error(None, INVALID_REQUEST, "Invalid Request: id must be an integer or a string")
            return
        if data.get("jsonrpc") != "2.0":
            log.warning("invalid message (jsonrpc is not \"2.0\"): %.200s", data)
            self.send_error(msg_id, INVALID_REQUEST, 'Invalid Request: "jsonrpc" must be "2.0"')
            return
        method = data.get("method")
        if "method" in data and not isinstance(method, str):
            self.send_error(msg_id if has_id else None, INVALID_REQUEST, "Invalid Request: method must be a string")
            return
        if method is None and not has_id:
            log.warning("invalid message (neither method nor id): %.200s", data)
            self.send_error(None, INVALID_REQUEST, "Invalid Request: a message needs a method or an id")
            return
        if method is not None and has_id and _is_notification(self.get_message_type(method)):
            # e.g. {"id": 1, "method": "exit"}: every request gets an answer, and a
            # notification's handler must not run as a request (exit would end the process)
            self.send_error(msg_id, INVALID_REQUEST, f"Invalid Request: {method} is a notification, sent with an id")
            return
        if not self.admit(method, msg_id, method is not None and has_id):
            return
        try:
            message = self._converter.structure(data, self._message_type(data))
        except Exception as exc:  # ClassValidationError, or whatever cattrs raises on odd input
            detail = _validation_summary(exc)
            if method == types.INITIALIZE:
                self.initialize_seen = False  # a failed initialize does not count
            if method is not None and has_id:
                log.warning("request %r (id %r): invalid params: %s", method, msg_id, detail)
                self.send_error(msg_id, INVALID_PARAMS, f"Invalid params for {method}: {detail}")
            else:
                log.warning("dropping %s with invalid params: %s", method or "response", detail)
            return
        super().handle_message(message)  # admitted above

    def _message_type(self, data: dict):
        from lsprotocol.types import ResponseErrorMessage
        from pygls.protocol.json_rpc import JsonRPCNotification, JsonRPCRequestMessage, JsonRPCResponseMessage

        if "method" in data:
            default = JsonRPCRequestMessage if "id" in data else JsonRPCNotification
            return self.get_message_type(data["method"]) or default
        if "error" in data:
            return ResponseErrorMessage
        return self._result_types.pop(data["id"], None) or JsonRPCResponseMessage

    # --- lifecycle -----------------------------------------------------------------------
    def admit(self, method: Optional[str], msg_id: Any, is_request: bool) -> bool:
        """The spec's lifecycle: answer or drop what may not be served now; True to serve."""
        if method == types.EXIT:
            return True
        if self._shutdown:
            if is_request:
                self.send_error(msg_id, INVALID_REQUEST, f"Invalid Request: the server is shut down ({method})")
            elif method is not None:
                log.debug("dropping %s after shutdown", method)
            return False
        if not self.initialize_seen:
            if is_request and method == types.INITIALIZE:
                self.initialize_seen = True
                return True
            if is_request:
                self.send_error(msg_id, SERVER_NOT_INITIALIZED, f"Server not initialized: {method} before initialize")
                return False
            if method is not None:
                log.debug("dropping notification %s before initialize", method)
                return False
            return True
        if is_request and method == types.INITIALIZE:
            self.send_error(msg_id, INVALID_REQUEST, "Invalid Request: initialize may only be sent once")
            return False
        return True

    def handle_message(self, message) -> None:
        # Also the entry point of pygls's own reader (TCP): the lifecycle applies there too.
        method = getattr(message, "method", None)
        is_request = method is not None and isinstance(message, RPCRequest)
        if self.admit(method, getattr(message, "id", None), is_request):
            super().handle_message(message)


def _is_notification(message_type) -> bool:
    """An lsprotocol message type without an id field: a notification."""
    return message_type is not None and attrs.has(message_type) and "id" not in attrs.fields_dict(message_type)


def _validation_summary(exc: BaseException) -> str:
    if isinstance(exc, ClassValidationError):
        try:
            from cattrs import transform_error

            return "; ".join(transform_error(exc))[:500]
        except Exception:
            pass
    return f"{type(exc).__name__}: {exc}"[:500]


# --- framing --------------------------------------------------------------------------------
class FrameReader:
    """Buffered reading of the byte stream with push-back (to resynchronise on a frame)."""

    def __init__(self, read_chunk: Callable[[], "asyncio.Future[bytes]"]):
        self._read_chunk = read_chunk
        self._buf = bytearray()
        self._eof = False

    async def _fill(self) -> bool:
        if self._eof:
            return False
        chunk = await self._read_chunk()
        if not chunk:
            self._eof = True
            return False
        self._buf += chunk
        return True

    async def readline(self, limit: int) -> Optional[bytes]:
        """A line with its b"\\n"; a longer-than-`limit` run without one comes back cut."""
        start = 0
        while True:
            idx = self._buf.find(b"\n", start)
            if idx >= 0 and idx < limit:
                line = bytes(self._buf[: idx + 1])
                del self._buf[: idx + 1]
                return line
            if len(self._buf) >= limit:
                line = bytes(self._buf[:limit])
                del self._buf[:limit]
                return line
            start = len(self._buf)
            if not await self._fill():
                if self._buf:
                    line = bytes(self._buf)
                    self._buf.clear()
                    return line
                return None

    async def readexactly(self, n: int) -> Optional[bytes]:
        while len(self._buf) < n:
            if not await self._fill():
                return None
        data = bytes(self._buf[:n])
        del self._buf[:n]
        return data

    async def skip(self, n: int) -> bool:
        while n > 0:
            if not self._buf and not await self._fill():
                return False
            take = min(n, len(self._buf))
            del self._buf[:take]
            n -= take
        return True

    def unread(self, data: bytes) -> None:
        self._buf[:0] = data


async def read_frames(reader: FrameReader, protocol: SheetProtocol, stop: threading.Event) -> None:
    """Read `Content-Length` framed messages until EOF or `stop`; bad frames are answered
    (ParseError) or skipped with a log line, and reading resumes at the next frame."""
    while not stop.is_set():
        length: Optional[int] = None
        bad = False
        while True:  # one header block
            line = await reader.readline(MAX_HEADER_LINE)
            if line is None:
                return
            if line in (b"\r\n", b"\n"):
                if length is not None and not bad:
                    break
                if length is None and not bad:
                    continue  # stray blank line between messages
                log.warning("skipping a header block with a bad Content-Length")
                length, bad = None, False
                continue
            m = _HEADER.fullmatch(line)
            if m is None:
                log.warning("malformed header line %.80r: skipping to the next Content-Length", line)
                length, bad = None, False
                found = _FRAME_START.search(line, 1)
                if found:
                    reader.unread(line[found.start():])
                continue
            name, value = m.group(1).lower(), m.group(2)
            if name == b"content-length":
                if value.isdigit():
                    length = int(value)
                else:
                    log.warning("bad Content-Length %.40r", value)
                    bad = True
            elif name == b"content-type" and b"charset" in value.lower() and not re.search(rb"charset=\"?utf-?8", value, re.I):
                log.warning("Content-Type %.80r: sheetls reads UTF-8 only", value)
        if length > MAX_MESSAGE_BYTES:
            log.error("message of %d bytes is over the %d-byte limit: skipped", length, MAX_MESSAGE_BYTES)
            if not await reader.skip(length):
                return
            continue
        body = await reader.readexactly(length)
        if body is None:
            log.warning("end of input inside a message body (Content-Length %d)", length)
            return
        handle_body(body, reader, protocol)


def handle_body(body: bytes, reader: Optional[FrameReader], protocol: SheetProtocol) -> None:
    try:
        data = json.loads(body)
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        log.warning("ParseError: %s in a %d-byte message body", exc, len(body))
        if reader is not None:
            # A Content-Length that was too long swallowed the start of the next frame:
            # give it back so that message is still served.
            found = _FRAME_START.search(body)
            if found:
                reader.unread(body[found.start():])
        protocol.send_error(None, PARSE_ERROR, f"Parse error: {exc}")
        return
    try:
        protocol.handle_json(data)
    except JsonRpcException as exc:
        log.warning("message failed: %s", exc)
    except Exception:
        log.exception("unexpected error while handling a message")


class ProtocolServer(LanguageServer):
    """A pygls LanguageServer that speaks the base protocol as the spec says (see above)."""

    def __init__(self, name: str, version: str, *args, **kwargs):
        kwargs.setdefault("protocol_cls", SheetProtocol)
        super().__init__(name, version, *args, **kwargs)

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
        log.error("%s: %s\nTraceback (most recent call last):\n%s", where, getattr(error, "message", None) or error, trace)

    def start_io(self, stdin: Optional[BinaryIO] = None, stdout: Optional[BinaryIO] = None):
        """Serve over stdio until EOF or `exit`; `exit` ends the process with 0 after
        `shutdown`, 1 without (pygls computes that code but then swallows it)."""
        stdin = stdin or sys.stdin.buffer
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheetls-stdin")
        read = getattr(stdin, "read1", None) or stdin.read

        async def main():
            loop = asyncio.get_running_loop()
            reader = FrameReader(lambda: loop.run_in_executor(pool, read, READ_CHUNK))
            await read_frames(reader, self.protocol, self._stop_event)

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
        self._stop_event = threading.Event()

        async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
            log.info("client connected from %s", writer.get_extra_info("peername"))
            self.protocol.set_writer(writer)  # type: ignore[arg-type]
            await read_frames(FrameReader(lambda: reader.read(READ_CHUNK)), self.protocol, self._stop_event)
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
