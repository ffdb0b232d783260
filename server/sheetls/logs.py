"""Logging: stderr (or a file). Never stdout: stdout carries the protocol. A running server
also forwards its log to the client (sheetls.lsp.logs)."""

from __future__ import annotations

import logging
import sys
from typing import Optional

LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}


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
