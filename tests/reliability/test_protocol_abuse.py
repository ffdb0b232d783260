"""Protocol abuse (issue 8): garbage on the wire gets the error the spec prescribes (or is
ignored where the spec says so), and the server keeps serving.

Spec references: JSON-RPC 2.0 section 5.1 (ParseError -32700 / InvalidRequest -32600 with id
null, InvalidParams -32602, MethodNotFound -32601), LSP 3.17 base protocol (header part),
initialize (-32002 before it, notifications dropped), shutdown (InvalidRequest after it), exit
(code 0 after shutdown, 1 without), $/cancelRequest and $/ notifications (may be ignored).
"""

from __future__ import annotations

import json

import pytest
from rawlsp import RawServer, frame

DOC = "import asyncio\n\nasync def main():\n    await asyncio.open_connection('h', 1)\n    aio\n"
URI = "file:///tmp/reliability/abuse.py"
HOVER = {"textDocument": {"uri": URI}, "position": {"line": 3, "character": 20}}
COMPLETE = {"textDocument": {"uri": URI}, "position": {"line": 4, "character": 7}}

PARSE_ERROR, INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS = -32700, -32600, -32601, -32602
SERVER_NOT_INITIALIZED = -32002


def assert_serving(srv: RawServer) -> None:
    """The server still answers a real hover with the sheet's entry."""
    answer = srv.call("textDocument/hover", HOVER)
    assert answer["result"]["contents"]["value"].startswith("### Open a TCP connection"), answer


def error_of(answer: dict, code: int, msg_id=None) -> str:
    assert answer.get("id") == msg_id and "error" in answer, answer
    assert answer["error"]["code"] == code, answer
    return answer["error"]["message"]


@pytest.fixture(scope="module")
def srv():
    """One server for the abuse tests: each test also checks it still serves afterwards."""
    with RawServer(env={"SHEETLS_DEBUG": "1"}) as s:
        s.initialize()
        s.open(URI, DOC)
        yield s
        assert s.shutdown_and_exit() == 0


# --- before initialize, after shutdown, exit ----------------------------------------------
def test_before_initialize_requests_fail_and_notifications_are_dropped():
    with RawServer(env={"SHEETLS_DEBUG": "1"}) as s:
        error_of(s.call("textDocument/hover", HOVER), SERVER_NOT_INITIALIZED, 1)
        error_of(s.call("shutdown"), SERVER_NOT_INITIALIZED, 2)
        s.open(URI, DOC)  # a notification before initialize: dropped
        answer = s.initialize()
        assert answer["result"]["serverInfo"]["name"] == "sheetls"
        text = s.call("workspace/executeCommand", {"command": "sheetls.debugDocumentText", "arguments": [URI]})
        assert text["result"] is None  # the early didOpen was dropped, as the spec says
        error_of(s.call("initialize", {"capabilities": {}}), INVALID_REQUEST, s._next_id)  # only once
        s.open(URI, DOC)
        assert_serving(s)
        assert s.shutdown_and_exit() == 0


def test_an_initialize_with_bad_params_can_be_retried():
    with RawServer() as s:
        error_of(s.call("initialize", {"processId": None}), INVALID_PARAMS, 1)  # no capabilities
        error_of(s.call("textDocument/hover", HOVER), SERVER_NOT_INITIALIZED, 2)
        assert s.initialize()["result"]["serverInfo"]["name"] == "sheetls"
        s.open(URI, DOC)
        assert_serving(s)
        assert s.shutdown_and_exit() == 0


def test_after_shutdown_requests_are_invalid_and_exit_gives_0():
    with RawServer() as s:
        s.initialize()
        s.open(URI, DOC)
        assert s.call("shutdown")["result"] is None
        for method, params in [
            ("textDocument/hover", HOVER),
            ("textDocument/completion", COMPLETE),
            ("shutdown", None),
        ]:
            error_of(s.call(method, params), INVALID_REQUEST, s._next_id)
        s.notify(
            "textDocument/didChange", {"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": ""}]}
        )
        s.notify("exit")
        assert s.wait() == 0


def test_exit_without_shutdown_gives_1():
    with RawServer() as s:
        s.initialize()
        s.open(URI, DOC)
        assert_serving(s)
        s.notify("exit")
        assert s.wait() == 1


def test_exit_before_initialize_gives_1():
    with RawServer() as s:
        s.notify("exit")
        assert s.wait() == 1


# --- framing and JSON -----------------------------------------------------------------------
def test_invalid_json_is_a_parse_error_and_serving_goes_on(srv):
    for body in [b"{", b"{bad json}", b"\xff\xfe not utf-8", b'{"jsonrpc": "2.0", "id": 1, "method": ', b""]:
        srv.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        error_of(srv.response(), PARSE_ERROR, None)  # Content-Length: 0 too: "" is not JSON
    assert_serving(srv)


@pytest.mark.parametrize(
    "body, what",
    [
        (b"[]", "batch"),
        (b'[{"jsonrpc": "2.0", "id": 7, "method": "shutdown"}]', "batch"),
        (b"42", "int"),
        (b'"hello"', "str"),
        (b"null", "NoneType"),
    ],
)
def test_json_that_is_not_a_message_is_an_invalid_request(srv, body, what):
    srv.write(frame(body))
    assert what in error_of(srv.response(), INVALID_REQUEST, None)
    assert_serving(srv)


@pytest.mark.parametrize(
    "message, msg_id",
    [
        ({"id": 5, "method": "textDocument/hover", "params": HOVER}, 5),  # no "jsonrpc"
        ({"jsonrpc": "1.0", "id": 6, "method": "textDocument/hover", "params": HOVER}, 6),
        ({"jsonrpc": "2.0", "id": 7, "method": 12}, 7),
        ({"jsonrpc": "2.0", "id": {"a": 1}, "method": "textDocument/hover", "params": HOVER}, None),
        ({"jsonrpc": "2.0", "id": True, "method": "textDocument/hover", "params": HOVER}, None),
        ({"jsonrpc": "2.0"}, None),
    ],
)
def test_malformed_envelopes_are_invalid_requests(srv, message, msg_id):
    srv.send(message)
    error_of(srv.response(), INVALID_REQUEST, msg_id)
    assert_serving(srv)


@pytest.mark.parametrize("method", ["exit", "initialized", "textDocument/didClose"])
def test_a_notification_method_sent_as_a_request_is_answered_not_run(srv, method):
    srv.send({"jsonrpc": "2.0", "id": 31, "method": method, "params": {"textDocument": {"uri": URI}}})
    assert "is a notification" in error_of(srv.response(), INVALID_REQUEST, 31)
    assert_serving(srv)  # still running (exit did not run), the document still open


def test_malformed_headers_are_skipped(srv):
    srv.write(b"this is not a header\r\n\r\n")
    srv.write(b"Content-Length: twelve\r\n\r\n{}")  # a body with no usable length: skipped
    srv.write(b"X" * 100_000 + b"\r\n")  # a 100 kB header line (limit 8 kB)
    srv.write(bytes(range(256)) * 4)  # binary noise
    srv.write(b"\r\n\r\n")
    hover = json.dumps({"jsonrpc": "2.0", "id": 900, "method": "textDocument/hover", "params": HOVER}).encode()
    # header names are case-insensitive; Content-Type is optional and may come first
    srv.write(
        b"content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-length: %d\r\n\r\n" % len(hover) + hover
    )
    answer = srv.response(900)
    assert answer["result"]["contents"]["value"].startswith("### Open a TCP connection")
    assert_serving(srv)


def test_wrong_content_length_loses_only_that_message(srv):
    def hover(i):
        return json.dumps({"jsonrpc": "2.0", "id": i, "method": "textDocument/hover", "params": HOVER}).encode()

    # too short: the rest of the body is garbage before the next frame
    srv.write(b"Content-Length: 10\r\n\r\n" + hover(1001) + frame(hover(1002)))
    error_of(srv.response(), PARSE_ERROR, None)
    assert srv.response(1002)["result"] is not None
    # too long: the body runs into the next frame, which is still served
    srv.write(b"Content-Length: %d\r\n\r\n" % (len(hover(1003)) + 60) + hover(1003) + frame(hover(1004)))
    error_of(srv.response(), PARSE_ERROR, None)
    assert srv.response(1004)["result"] is not None
    assert_serving(srv)


def test_a_message_over_the_size_limit_is_skipped_without_holding_it(srv):
    from sheetls.lsp.frames import MAX_MESSAGE_BYTES

    before = srv.rss_kb()
    size = MAX_MESSAGE_BYTES + 1024 * 1024
    srv.write(b"Content-Length: %d\r\n\r\n" % size)
    chunk = b" " * (1024 * 1024)
    for _ in range(size // len(chunk)):
        srv.write(chunk)
    assert_serving(srv)
    assert srv.rss_kb() - before < 16 * 1024, "a skipped message must not be held in memory"


# --- methods and params ----------------------------------------------------------------------
def test_unknown_methods(srv):
    error_of(srv.call("sheetls/noSuchMethod", {}), METHOD_NOT_FOUND, srv._next_id)
    error_of(srv.call("$/noSuchRequest", {}), METHOD_NOT_FOUND, srv._next_id)
    srv.notify("sheetls/noSuchNotification", {"x": 1})  # ignored: no answer to a notification
    srv.notify("$/noSuchNotification", {})
    assert_serving(srv)  # the next response is the hover's, nothing in between


@pytest.mark.parametrize(
    "method, params",
    [
        ("textDocument/hover", {"textDocument": {"uri": URI}, "position": {"line": "three", "character": 1}}),
        ("textDocument/hover", {"textDocument": {"uri": URI}}),
        ("textDocument/hover", [1, 2, 3]),
        ("textDocument/hover", None),
        ("textDocument/completion", {"textDocument": URI, "position": {"line": 0, "character": 0}}),
        ("textDocument/completion", {"textDocument": {"uri": URI}, "position": {"line": -1, "character": 0}}),
        ("completionItem/resolve", {"kind": 1}),  # no label
        ("workspace/executeCommand", {"command": ["sheetls.renderSheet"]}),
        ("workspace/executeCommand", {"command": "sheetls.noSuchCommand"}),
    ],
)
def test_wrong_param_types_are_invalid_params(srv, method, params):
    message = {"jsonrpc": "2.0", "id": 4242, "method": method}
    if params is not None:
        message["params"] = params
    srv.send(message)
    error_of(srv.response(), INVALID_PARAMS, 4242)
    assert_serving(srv)


def test_notifications_with_wrong_params_are_dropped(srv):
    srv.notify("textDocument/didChange", {"textDocument": {"uri": URI}, "contentChanges": "all of it"})
    srv.notify("textDocument/didOpen", {"textDocument": 7})
    srv.notify(
        "textDocument/didChange",
        {"textDocument": {"uri": "file:///never/opened.py", "version": 2}, "contentChanges": [{"text": "x"}]},
    )
    srv.notify("textDocument/didClose", {"textDocument": {"uri": "file:///never/opened.py"}})
    assert_serving(srv)
    text = srv.call("workspace/executeCommand", {"command": "sheetls.debugDocumentText", "arguments": [URI]})
    assert text["result"]["text"] == DOC  # the bad didChange did not touch the document


def test_cancel_request_for_any_id(srv):
    for msg_id in [1, 10**12, -5, "no-such-request", "", 0]:
        srv.notify("$/cancelRequest", {"id": msg_id})
    for params in [{"id": {"x": 1}}, {"id": None}, {}, None, [1]]:
        srv.notify("$/cancelRequest", params)
    answered = srv.request("textDocument/hover", HOVER)
    srv.notify("$/cancelRequest", {"id": answered})  # racing the answer: either is fine
    answer = srv.response(answered)
    assert "result" in answer or answer["error"]["code"] == -32800  # RequestCancelled
    assert_serving(srv)


def test_a_flood_of_10000_requests_is_answered_exactly_once_each(srv):
    n = 10_000
    methods = [("textDocument/hover", HOVER), ("textDocument/completion", COMPLETE)]
    pending = {}
    for i in range(n):
        method, params = methods[i % 2]
        msg_id = srv.request(method, params)
        pending[msg_id] = method
        if i % 500 == 499:  # let the pipes drain while sending (the server answers meanwhile)
            while len(pending) > 250:
                answer = srv.response()
                assert "error" not in answer, answer
                assert pending.pop(answer["id"]) in ("textDocument/hover", "textDocument/completion")
    while pending:
        answer = srv.response()
        assert "error" not in answer, answer
        method = pending.pop(answer["id"])
        if method == "textDocument/hover":
            assert answer["result"]["contents"]["value"].startswith("### Open a TCP connection")
        else:
            assert len(answer["result"]["items"]) == 6
    assert_serving(srv)
