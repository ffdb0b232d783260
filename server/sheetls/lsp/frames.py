"""Reading the base protocol's frames (`Content-Length` headers and a JSON body) off a byte
stream, as the spec says and sturdier than pygls 2.1's reader:

- a body that is not JSON gets ParseError -32700 with id null (pygls: no answer, and an
  "Error in server" popup);
- a wrong Content-Length does not lose the following message (reading resumes at the next
  frame), a header line in another case (`content-length:`) is recognised, and a huge
  Content-Length is never read into memory.

Limits: a header line is at most MAX_HEADER_LINE bytes, a message body at most
MAX_MESSAGE_BYTES; a bigger body is skipped in chunks (never held in memory) and logged.
Each decoded body goes to the protocol's `handle_json` (lifecycle.py); no pygls private is
used here.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from typing import TYPE_CHECKING, Awaitable, Callable, Optional

from lsprotocol import types
from pygls.exceptions import JsonRpcException

if TYPE_CHECKING:
    from sheetls.lsp.lifecycle import SheetProtocol

log = logging.getLogger("sheetls.protocol")

MAX_HEADER_LINE = 8 * 1024
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
READ_CHUNK = 64 * 1024
PARSE_ERROR = types.ErrorCodes.ParseError.value  # -32700

_HEADER = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*\r?\n")
_FRAME_START = re.compile(rb"Content-Length:[ \t]*\d+[ \t]*\r\n", re.IGNORECASE)


class FrameReader:
    """Buffered reading of the byte stream with push-back (to resynchronise on a frame)."""

    def __init__(self, read_chunk: Callable[[], Awaitable[bytes]]):
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
                    reader.unread(line[found.start() :])
                continue
            name, value = m.group(1).lower(), m.group(2)
            if name == b"content-length":
                if value.isdigit():
                    length = int(value)
                else:
                    log.warning("bad Content-Length %.40r", value)
                    bad = True
            elif (
                name == b"content-type"
                and b"charset" in value.lower()
                and not re.search(rb"charset=\"?utf-?8", value, re.I)
            ):
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
                reader.unread(body[found.start() :])
        protocol.send_error(None, PARSE_ERROR, f"Parse error: {exc}")
        return
    try:
        protocol.handle_json(data)
    except JsonRpcException as exc:
        log.warning("message failed: %s", exc)
    except Exception:
        log.exception("unexpected error while handling a message")
