"""Failure containment (issue 8): an exception in one feature for one document is logged with
its traceback and answered with null; the server, the other features and other documents go on.

The failure is real code raising inside the feature handler: with SHEETLS_DEBUG=1 a document
holding a line `sheetls-debug-fault: hover` (or `completion`) makes that feature raise for that
document (sheetls/debug.py). Without SHEETLS_DEBUG the hooks do not exist at all.
"""

from __future__ import annotations

from rawlsp import RawServer

SOURCE = "import asyncio\n\nasync def main():\n    await asyncio.open_connection('h', 1)\n    aio\n"
HOVER_AT = {"line": 3, "character": 25}
COMPLETE_AT = {"line": 4, "character": 7}


def hover(srv, uri):
    return srv.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": HOVER_AT})


def complete(srv, uri):
    return srv.call("textDocument/completion", {"textDocument": {"uri": uri}, "position": COMPLETE_AT})


def test_a_failing_feature_is_logged_answered_null_and_contained():
    with RawServer(env={"SHEETLS_DEBUG": "1"}) as srv:
        srv.initialize()
        hover_fails = "file:///tmp/reliability/hover-fails.py"
        completion_fails = "file:///tmp/reliability/completion-fails.py"
        healthy = "file:///tmp/reliability/healthy.py"
        srv.open(hover_fails, SOURCE + "# sheetls-debug-fault: hover\n")
        srv.open(completion_fails, SOURCE + "# sheetls-debug-fault: completion\n")
        srv.open(healthy, SOURCE)

        answer = hover(srv, hover_fails)
        assert "error" not in answer and answer["result"] is None, answer
        logged = srv.logged_errors()
        assert len(logged) == 1 and "hover failed" in logged[0], logged
        assert "Traceback (most recent call last)" in logged[0] and "RuntimeError: injected fault in hover" in logged[0]
        assert "injected fault in hover" in srv.stderr or srv.wait_for_stderr("injected fault in hover")

        # the same document's other feature, and the same feature elsewhere, still work
        assert len(complete(srv, hover_fails)["result"]["items"]) == 6
        assert hover(srv, healthy)["result"]["contents"]["value"].startswith("### Open a TCP connection")

        answer = complete(srv, completion_fails)
        assert "error" not in answer and answer["result"] is None, answer
        assert "completion failed" in srv.logged_errors()[-1]
        assert hover(srv, completion_fails)["result"]["contents"]["value"].startswith("### Open a TCP connection")

        for _ in range(200):  # repeated failures neither pile up nor stop the server
            assert hover(srv, hover_fails)["result"] is None
        assert len(srv.logged_errors()) == 202
        assert len(complete(srv, healthy)["result"]["items"]) == 6
        assert srv.shutdown_and_exit() == 0


def test_without_sheetls_debug_there_are_no_hooks():
    with RawServer(env={"SHEETLS_DEBUG": ""}) as srv:
        caps = srv.initialize()["result"]["capabilities"]
        assert caps["executeCommandProvider"]["commands"] and not any(
            c.startswith("sheetls.debug") for c in caps["executeCommandProvider"]["commands"]
        )
        uri = "file:///tmp/reliability/no-debug.py"
        srv.open(uri, SOURCE + "# sheetls-debug-fault: hover\n")
        assert hover(srv, uri)["result"]["contents"]["value"].startswith("### Open a TCP connection")
        answer = srv.call("workspace/executeCommand", {"command": "sheetls.debugDocumentText", "arguments": [uri]})
        assert answer["error"]["code"] == -32602, answer  # no such command
        assert srv.logged_errors() == []
        assert srv.shutdown_and_exit() == 0


def test_a_failing_notification_handler_is_logged_with_its_traceback_not_popped_up():
    with RawServer() as srv:
        srv.initialize()
        # an edit to a document that was never opened makes pygls's didChange raise KeyError
        srv.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": "file:///never/opened.py", "version": 2},
                "contentChanges": [
                    {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}
                ],
            },
        )
        uri = "file:///tmp/reliability/after-failure.py"
        srv.open(uri, SOURCE)
        assert hover(srv, uri)["result"]["contents"]["value"].startswith("### Open a TCP connection")
        logged = srv.logged_errors()
        assert len(logged) == 1 and "KeyError" in logged[0] and "Traceback (most recent call last)" in logged[0], logged
        assert "update_text_document" in logged[0]  # the traceback's frames, not just the message
        assert not [n for n in srv.notifications if n["method"] == "window/showMessage"], srv.notifications
        assert srv.shutdown_and_exit() == 0
