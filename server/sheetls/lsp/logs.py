"""The log, forwarded to the client as window/logMessage once it is connected."""

from __future__ import annotations

import logging
import threading

from lsprotocol import types

_TO_LSP = {
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
    logging.DEBUG: types.MessageType.Log,
}


class ClientLogHandler(logging.Handler):
    """Forward records to the client as window/logMessage (esbonio's habit)."""

    def __init__(self, server):
        super().__init__()
        self.server = server
        self._busy = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._busy, "on", False) or not getattr(self.server, "connected", False):
            return
        self._busy.on = True
        try:
            level = max(lv for lv in _TO_LSP if lv <= max(record.levelno, logging.DEBUG))
            self.server.window_log_message(types.LogMessageParams(type=_TO_LSP[level], message=self.format(record)))
        except Exception:  # the client may be gone; never let logging fail a request
            pass
        finally:
            self._busy.on = False


def attach_client_logging(server) -> None:
    """Forward the "sheetls" log to `server`'s client."""
    handler = ClientLogHandler(server)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logging.getLogger("sheetls").addHandler(handler)
