"""Logging: stderr (or a file), and window/logMessage to the client once it is connected.
Never stdout: stdout carries the protocol."""
from __future__ import annotations

import logging
import sys
import threading
from typing import Optional

from lsprotocol import types

LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}
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
            level = max(l for l in _TO_LSP if l <= max(record.levelno, logging.DEBUG))
            self.server.window_log_message(types.LogMessageParams(type=_TO_LSP[level], message=self.format(record)))
        except Exception:  # the client may be gone; never let logging fail a request
            pass
        finally:
            self._busy.on = False


def setup(verbosity: int = 0, log_file: Optional[str] = None) -> logging.Logger:
    logger = logging.getLogger("sheetls")
    logger.setLevel(logging.DEBUG if verbosity >= 1 else logging.INFO)
    handler = logging.FileHandler(log_file, encoding="utf-8") if log_file else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger.addHandler(handler)
    pygls_logger = logging.getLogger("pygls")
    pygls_logger.setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    pygls_logger.addHandler(handler)
    return logger
