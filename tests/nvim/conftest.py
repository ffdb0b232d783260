"""Fixtures for the Neovim tests: see nvim_support.py for how a Lua file is run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from nvim_support import (
    LUA_DIR,
    MIN_NVIM,
    ROOT,
    LuaRun,
    _nvim_version,
    editor_env,
    find_tool,
    missing,
    sheet_entries,
    sheet_title,
)


@pytest.fixture(scope="session")
def nvim() -> str:
    path = find_tool("nvim")
    if path is None:
        missing("Neovim (nvim) is not installed")
    version = _nvim_version(path)
    if version is None or version[:2] < MIN_NVIM:
        missing(f"{path} is Neovim {version}, the tests need 0.11 or newer")
    return path


@pytest.fixture(scope="session")
def sheetls_bin() -> str:
    path = find_tool("sheetls")
    if path is None:
        missing("the sheetls console script is not installed")
    return path


@pytest.fixture(scope="session")
def jedi_bin() -> str:
    path = find_tool("jedi-language-server")
    if path is None:
        missing("jedi-language-server is not installed")
    return path


@pytest.fixture
def run_lua(nvim: str, sheetls_bin: str, tmp_path: Path):
    """run_lua("test_x.lua", SHEETLS_FOO="bar") -> LuaRun; fails the test on Lua failures."""

    def run(name: str, *, expect_ok: bool = True, **params: str) -> LuaRun:
        workspace = tmp_path / "workspace"
        workspace.mkdir(exist_ok=True)
        (workspace / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
        env = editor_env(tmp_path)
        env.update(
            SHEETLS_ROOT=str(ROOT),
            SHEETLS_WORKSPACE=str(workspace),
            SHEETLS_PYTHON=sys.executable,
            SHEETLS_ENTRIES=json.dumps(sheet_entries()),
            SHEETLS_SHEET_TITLE=sheet_title(),
        )
        env.update({k: str(v) for k, v in params.items()})
        try:
            proc = subprocess.run(
                [nvim, "--headless", "--clean", "-u", str(LUA_DIR / name)],
                cwd=workspace,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                errors="replace",
                timeout=240,
            )
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"{name}: Neovim did not exit\n{e.output or ''}", pytrace=False)
        result = LuaRun(proc.returncode, proc.stdout, workspace)
        if proc.returncode == 0:
            print(result.output)
        if expect_ok and proc.returncode != 0:
            pytest.fail(
                f"{name} failed in Neovim (exit {proc.returncode}):\n{proc.stdout}",
                pytrace=False,
            )
        return result

    return run
