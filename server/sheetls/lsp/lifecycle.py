"""The LSP lifecycle and the JSON-RPC envelope as the spec prescribes them, on top of pygls.

pygls 2.1 serves well-formed traffic, but at the message level it departs from the spec:

- a body that is JSON but not a JSON-RPC message gets no answer (the spec: InvalidRequest
  -32600 with id null) and a "Error in server" popup instead;
- a request whose params do not fit the method's type gets no answer at all (the client
  waits forever; the spec: InvalidParams -32602 with the request's id);
- requests before `initialize` are served (the spec: ServerNotInitialized -32002), requests
  after `shutdown` are silently dropped (the spec: InvalidRequest), and notifications before
  `initialize` are not dropped;
- every notification with a built-in handler (didOpen, didChange, didClose...) leaves a
  Future behind in `_request_futures`: memory grows with every keystroke.

`SheetProtocol` fixes these. The frames around the messages are read in `frames.py`, the
transports and the exit code are `transports.py`. Its protocol class is also the line
store's hook (`workspace.LineStoreProtocol`). The pygls private names used here are listed,
with why, in `pygls_privates.py`.
"""

from __future__ import annotations

import logging
from typing import Any, Optional

import attrs
from cattrs.errors import ClassValidationError
from lsprotocol import types
from pygls.protocol.json_rpc import RPCRequest

from sheetls.lsp.workspace import LineStoreProtocol

log = logging.getLogger("sheetls.protocol")

INVALID_REQUEST = types.ErrorCodes.InvalidRequest.value  # -32600
INVALID_PARAMS = types.ErrorCodes.InvalidParams.value  # -32602
SERVER_NOT_INITIALIZED = types.ErrorCodes.ServerNotInitialized.value  # -32002


class SheetProtocol(LineStoreProtocol):
    """LanguageServerProtocol with the spec's lifecycle rules and error answers, whose
    documents keep the line store."""

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
            log.warning('invalid message (jsonrpc is not "2.0"): %.200s', data)
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
