"""`make try` without a terminal: nvim-client/try.sh runs the demo headless and prints
what a user would see (the menu for `aio`, the hover on asyncio.open_connection)."""

import fcntl
import os
import pty
import re
import signal
import struct
import subprocess
import termios
import threading
import time
from pathlib import Path

import pytest
from nvim_support import ROOT, editor_env, sheet_entries


def run_try(tmp_path):
    return subprocess.run(
        ["bash", str(ROOT / "nvim-client" / "try.sh")],
        cwd=ROOT,
        env=editor_env(tmp_path),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        errors="replace",
        timeout=240,
    )


def test_try_without_a_terminal_prints_the_menu_and_the_hover(nvim, sheetls_bin, tmp_path):
    first = run_try(tmp_path)
    print(first.stdout, first.stderr)
    assert first.returncode == 0, first.stdout + first.stderr
    out = first.stdout
    menu, _, hover = out.partition("K on `asyncio.open_connection`")
    assert hover, f"no hover section in:\n{out}"
    for entry in sheet_entries():
        line = next((l for l in menu.splitlines() if l.strip().startswith(entry["prefix"] + " ")), None)
        assert line is not None, f"{entry['prefix']} not in the menu printed:\n{menu}"
        assert entry["title"] in line, f"{entry['prefix']}'s title missing from: {line!r}"
    assert "Open a TCP connection" in hover
    assert "docs.python.org" in hover

    # idempotent: a second run prints the same demo and leaves the demo file untouched
    demo = (ROOT / "nvim-client" / "demo" / "demo.py").read_bytes()
    second = run_try(tmp_path)
    assert second.returncode == 0, second.stdout + second.stderr
    assert second.stdout == first.stdout
    assert (ROOT / "nvim-client" / "demo" / "demo.py").read_bytes() == demo


def _remote(nvim, sock, expr):
    r = subprocess.run(
        [nvim, "--server", str(sock), "--remote-expr", expr],
        capture_output=True,
        text=True,
        timeout=30,
        stdin=subprocess.DEVNULL,
    )
    return r.stdout.strip() if r.returncode == 0 else None


def _until(fn, what, seconds=120, context=lambda: ""):
    """Poll fn() until it returns something truthy (a guard against hanging, not a speed
    check: the limit is generous for a loaded machine)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}\n{context()}", pytrace=False)


def _screen_text(raw: bytes) -> str:
    """The terminal output without its escape sequences (for failure messages)."""
    text = re.sub(
        rb"\x1b\[[0-9;?>]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[P^_].*?\x1b\\\\|\x1b[()][0-9A-Za-z]|\x1b[=>]", b"", raw
    )
    return text.decode("utf-8", "replace")[-3000:]


def test_try_in_a_terminal_opens_neovim_on_the_demo(nvim, sheetls_bin, tmp_path):
    """`make try` from a terminal: a real pty; keys typed as a user would, the editor's state
    read through Neovim's own RPC socket."""
    env = editor_env(tmp_path)
    env["TERM"] = "xterm-256color"
    tmpdir = Path(env["TMPDIR"])
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        ["bash", str(ROOT / "nvim-client" / "try.sh")],
        cwd=ROOT,
        env=env,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
    )
    os.close(slave)
    screen = bytearray()

    def drain():
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            screen.extend(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        screen_tail = lambda: "--- screen ---\n" + _screen_text(bytes(screen))  # noqa: E731

        def demo_socket():
            # try.sh first runs a short-lived `nvim --headless` to check the version, and it
            # listens too: take the socket of the Neovim that has the demo open, looked up
            # again on each poll (a socket seen once may belong to the checker, gone a moment later).
            try:
                candidates = list(tmpdir.glob("**/nvim.*.0"))
            except OSError:  # the checker's folder went away during the walk
                return None
            for candidate in candidates:
                if _remote(nvim, candidate, "expand('%:t')") == "demo.py":
                    return candidate
            return None

        sock = _until(demo_socket, "Neovim's RPC socket (with demo.py open)", context=screen_tail)
        remote = lambda expr: _remote(nvim, sock, expr)  # noqa: E731
        clients_expr = (
            "luaeval('vim.inspect(vim.tbl_map(function(c) return c.name end,"
            " vim.lsp.get_clients({_uninitialized = true})))')"
        )

        def attach_context():
            return "\n".join(
                [
                    f"clients (any state): {remote(clients_expr)}",
                    "messages: {}".format(remote("execute('messages')")),
                    screen_tail(),
                ]
            )

        _until(
            lambda: remote("luaeval('#vim.lsp.get_clients({name=\"sheetls\"})')") == "1",
            "sheetls to attach",
            context=attach_context,
        )
        assert remote("expand('%:t')") == "demo.py"
        assert "# Try here" in remote("getline('.')"), "the cursor is not on the demo's 'Try here' line"

        os.write(master, b"oaio\x18\x0f")  # o, aio, <C-x><C-o>
        labels = _until(
            lambda: (
                remote(
                    "luaeval('table.concat(vim.tbl_map(function(i) return i.abbr end,"
                    ' vim.fn.complete_info({"items"}).items), " ")\')'
                )
                or None
            ),
            "the completion menu",
            context=screen_tail,
        )
        assert labels.split() == [e["prefix"] for e in sheet_entries()]
        os.write(master, b"\x19")  # <C-y>
        _until(
            lambda: "open_connection(" in (remote("getline(line('.'))") or ""),
            "the snippet to expand",
            context=screen_tail,
        )
        os.write(master, b"\x1b:qa!\r")
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        os.close(master)
        reader.join(timeout=5)
    assert not list(tmpdir.glob("sheetls-try.*")), "try.sh left its temporary folder behind"
