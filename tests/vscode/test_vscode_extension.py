"""sheetls in a real VS Code (code-server 4.100.3 = VS Code 1.100.3) with the built .vsix
installed, driven through Chromium as a user drives it: typing, accepting a suggestion, Tab
through the tab stops, saving, hovering, running a command from the palette."""

from __future__ import annotations

import ast
import socket
import subprocess
import sys
import threading

import pytest
from vscode_support import apply_completion, drive, server_completion

from lsp_helpers import PREFIXES

ENTRY_TITLE = "Open a TCP connection"
PREFIX = "aioopen"


def bundled_server_argv(code_server) -> list:
    """The installed extension's own launcher, as the extension starts it."""
    return [sys.executable, str(code_server.extensions / "python" / "launch.py"), "--stdio"]


def test_vsix_carries_the_server_and_no_copy_of_the_entries(code_server):
    """The installed extension runs its bundled server on a bare Python; its code names no entry."""
    ext = code_server.extensions
    assert (ext / "bundled" / "libs" / "sheetls").is_dir(), "the server is not bundled in the .vsix"
    compiled = [p for p in (ext / "bundled").rglob("*") if p.suffix in (".so", ".pyd", ".dylib")]
    assert not compiled, f"the bundle must stay pure Python: {compiled}"
    # `python -I` ignores PYTHONPATH and user site-packages: only what the .vsix carries is used.
    out = subprocess.run(
        [sys.executable, "-I", "-S", str(ext / "python" / "launch.py"), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0, out.stderr
    assert "sheetls" in out.stdout + out.stderr
    bundle_js = (ext / "dist" / "extension.js").read_text()
    for title in (ENTRY_TITLE, "Start a TCP server", "Run a subprocess with exec"):
        assert title not in bundle_js, f"the extension carries a copy of the entry {title!r}"


def test_completion_inside_async_def(code_server, workspace):
    """`aioopen` inside `async def`: the suggest widget lists the entry with its docs; Enter
    inserts the body at the function's indentation; Tab moves through the tab stops; the
    saved file parses and is exactly what the server's item says it should be."""
    source = workspace / "client.py"
    source.write_text("import asyncio\n\n\nasync def main():")
    typed = {1: "qqhost", 2: "qqport"}  # typed at the first two tab stops
    res = drive(
        code_server.tools,
        code_server.env,
        "completeInAsyncDef",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        path=str(source),
        prefix=PREFIX,
        expectDocs=ENTRY_TITLE,
        tabStops=[typed[1], typed[2]],
    )

    row = next((r for r in res["rows"] if PREFIX in r), None)
    assert row is not None, f"no {PREFIX} row in the suggest widget: {res['rows']}"
    assert ENTRY_TITLE in row, f"the {PREFIX} row does not show the entry title: {row!r}"
    assert ENTRY_TITLE in res["details"], f"docs pane: {res['details']!r}"
    assert "open_connection" in res["details"], f"the docs pane does not show the entry's docs: {res['details']!r}"

    saved = res["saved"]
    try:
        tree = ast.parse(saved)
    except SyntaxError as exc:
        pytest.fail(f"the saved file does not parse ({exc}):\n{saved}")
    # The body went inside main(): the module holds only the import and the function.
    assert [type(n).__name__ for n in tree.body] == ["Import", "AsyncFunctionDef"], saved
    main = tree.body[1]
    calls = [ast.unparse(n.func) for n in ast.walk(main) if isinstance(n, ast.Call)]
    assert "asyncio.open_connection" in calls, saved
    body_lines = saved.split("\n")[4:]
    assert body_lines[0].startswith("    reader") or body_lines[0].startswith("    "), saved
    assert all(not line or line.startswith("    ") for line in body_lines), (
        f"a line of the body is not indented under async def:\n{saved}"
    )
    # Tab moved through the stops: what was typed at each landed in a separate place.
    assert typed[1] in saved and typed[2] in saved, saved
    assert f"{typed[1]}{typed[2]}" not in saved and f"{typed[1]}    {typed[2]}" not in saved, saved

    # Exactly what VS Code should make of the server's item at that spot.
    before = "import asyncio\n\n\nasync def main():\n    " + PREFIX
    item = server_completion(
        bundled_server_argv(code_server),
        code_server.env,
        code_server.base / "lsp-async.log",
        before,
        4,
        4 + len(PREFIX),
        PREFIX,
        workspace,
    )
    expected = apply_completion(before, item, typed)
    assert saved == expected, f"saved file:\n{saved}\n--- expected from the server's item:\n{expected}"


class _OneShotServer:
    """A local TCP server that answers one request, so the generated client has someone to talk to."""

    REPLY = b"HTTP/1.1 200 OK\r\nContent-Length: 19\r\nConnection: close\r\n\r\nhello from sheetls\n"

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1)
        self.port = self.sock.getsockname()[1]
        self.received = b""
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        self.sock.settimeout(120)
        try:
            conn, _ = self.sock.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(30)
            try:
                self.received = conn.recv(4096)
            except OSError:
                pass
            conn.sendall(self.REPLY)

    def close(self):
        self.sock.close()


def test_completion_at_module_level_inserts_a_runnable_program(code_server, workspace):
    """In an empty file, `aioopen` inserts a whole program; with the host and port stops filled
    in, it runs and talks to a server."""
    source = workspace / "program.py"
    source.write_text("")
    server = _OneShotServer()
    try:
        res = drive(
            code_server.tools,
            code_server.env,
            "completeAtModuleLevel",
            url=code_server.url,
            folder=str(workspace),
            file=source.name,
            path=str(source),
            prefix=PREFIX,
            tabStops=['"127.0.0.1"', str(server.port)],
        )
        saved = res["saved"]
        try:
            tree = ast.parse(saved)
        except SyntaxError as exc:
            pytest.fail(f"the program does not parse ({exc}):\n{saved}")
        kinds = [type(n).__name__ for n in tree.body]
        assert "Import" in kinds and "AsyncFunctionDef" in kinds, f"not a program:\n{saved}"
        assert "asyncio.run(" in saved, f"the program does not run its main:\n{saved}"
        assert '"127.0.0.1"' in saved and str(server.port) in saved, f"the tab stops did not take the values:\n{saved}"
        item = server_completion(
            bundled_server_argv(code_server),
            code_server.env,
            code_server.base / "lsp-module.log",
            PREFIX,
            0,
            len(PREFIX),
            PREFIX,
            workspace,
        )
        expected = apply_completion(PREFIX, item, {1: '"127.0.0.1"', 2: str(server.port)})
        assert saved == expected, f"saved file:\n{saved}\n--- expected from the server's item:\n{expected}"
        run = subprocess.run(
            [sys.executable, str(source)], capture_output=True, text=True, timeout=120, cwd=str(workspace)
        )
        assert run.returncode == 0, f"the program failed:\n{saved}\n--- stderr:\n{run.stderr}"
        assert "hello from sheetls" in run.stdout, run.stdout
        assert server.received.startswith(b"GET / HTTP/1.1"), server.received
    finally:
        server.close()


def test_hover_shows_the_sheet_entry(code_server, workspace):
    source = workspace / "hover.py"
    source.write_text(
        'import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_connection("example.com", 80)\n'
    )
    res = drive(
        code_server.tools,
        code_server.env,
        "hover",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        word="open_connection",
        expect=ENTRY_TITLE,
    )
    hover = res["hover"]
    assert hover.lstrip().startswith(ENTRY_TITLE), f"hover widget: {hover!r}"
    assert "open_connection" in hover, hover


def test_restart_command_and_setting_changes_restart_the_server(code_server, workspace):
    """ "sheetls: Restart server" keeps the server working; a change of sheetls.interpreter
    restarts it with the new interpreter (a broken one gives the error, a good one brings it back)."""
    source = workspace / "restart.py"
    source.write_text(
        'import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_connection("example.com", 80)\n'
    )
    res = drive(
        code_server.tools,
        code_server.env,
        "restartAndSettings",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        word="open_connection",
        expect=ENTRY_TITLE,
        badPython="/nonexistent/sheetls-python",
        goodPython=sys.executable,
        badServer="/nonexistent/sheetls-server",
        goodServer=[sys.executable, "-m", "sheetls"],
    )
    for key in ("hoverFirst", "hoverAfterRestart", "hoverAfterFix", "hoverWithServerCommand"):
        assert res[key].lstrip().startswith(ENTRY_TITLE), f"{key}: {res[key]!r}"
    assert "sheetls.interpreter" in res["notification"], res["notification"]
    assert "sheetls.serverCommand" in res["serverNotification"], res["serverNotification"]


def test_aio_lists_every_entry(code_server, workspace):
    source = workspace / "listing.py"
    source.write_text("import asyncio\n\n\nasync def main():")
    prefixes = PREFIXES
    res = drive(
        code_server.tools,
        code_server.env,
        "suggestList",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        prefix="aio",
        expect=prefixes,
    )
    labels = {row.split()[0] for row in res["rows"] if row.split()}
    assert set(prefixes) <= labels, res["rows"]


def test_show_sheet_command_opens_the_sheet(code_server, workspace):
    source = workspace / "any.py"
    source.write_text("import asyncio\n")
    res = drive(
        code_server.tools,
        code_server.env,
        "showSheet",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        views=["standard", "compact"],
        expect=ENTRY_TITLE,
    )
    views = res["views"]
    for view in ("standard", "compact"):
        text = views[view]["text"]
        for title in (ENTRY_TITLE, "Start a TCP server", "Run a subprocess with exec"):
            assert title in text, f"the {view} sheet lacks {title!r}:\n{text[:2000]}"
    assert views["standard"]["text"] != views["compact"]["text"], "the two views render the same"


def test_missing_interpreter_shows_the_fix(code_server, workspace):
    """A sheetls.interpreter that does not exist gives an error naming the setting and the fix."""
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text('{"sheetls.interpreter": "/nonexistent/bin/python3"}')
    source = workspace / "app.py"
    source.write_text("import asyncio\n")
    res = drive(
        code_server.tools,
        code_server.env,
        "missingInterpreter",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        badPython="/nonexistent/bin/python3",
    )
    text = res["notification"]
    assert "/nonexistent/bin/python3" in text, text
    assert "sheetls.interpreter" in text and "3.9" in text, text
