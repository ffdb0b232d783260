"""`make try` without a terminal: nvim-client/try.sh runs the demo headless and prints
what a user would see (the menu for `aio`, the hover on asyncio.open_connection)."""

import subprocess

from nvim_support import ROOT, editor_env, sheet_entries


def run_try(tmp_path):
    return subprocess.run(
        ["bash", str(ROOT / "nvim-client" / "try.sh")],
        cwd=ROOT,
        env=editor_env(tmp_path),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
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
