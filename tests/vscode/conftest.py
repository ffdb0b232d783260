"""Fixtures for the VS Code tests: one code-server for the session, with the built .vsix
installed into a temporary extensions folder, and HOME/XDG/TMPDIR in a temporary folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator

import pytest
from vscode_support import ARTIFACTS, Tools, editor_env, find_tools

# User settings: quiet and offline. wordBasedSuggestions off keeps the suggest list to what the
# language servers offer, so what is typed at a tab stop does not pop up a list of words.
USER_SETTINGS = {
    "telemetry.telemetryLevel": "off",
    "update.mode": "none",
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "extensions.ignoreRecommendations": True,
    "workbench.startupEditor": "none",
    "workbench.enableExperiments": False,
    "workbench.tips.enabled": False,
    "workbench.welcomePage.walkthroughs.openOnInstall": False,
    "chat.commandCenter.enabled": False,
    "git.enabled": False,
    "editor.hover.delay": 150,
    "editor.wordBasedSuggestions": "off",
    "security.workspace.trust.enabled": False,
    "window.restoreWindows": "none",
    "sheetls.trace.server": "messages",
}


@dataclass
class CodeServer:
    url: str
    tools: Tools
    env: Dict[str, str]
    extensions: Path
    base: Path
    log: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited with {proc.returncode}:\n{log.read_text()[-3000:]}", pytrace=False)
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.25)
    pytest.fail(f"code-server did not answer on {url}/healthz:\n{log.read_text()[-3000:]}", pytrace=False)


@pytest.fixture(scope="session")
def vscode_tools() -> Tools:
    return find_tools()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    if ARTIFACTS.exists():
        for old in ARTIFACTS.glob("*.png"):
            old.unlink()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@contextlib.contextmanager
def running_code_server(tools: Tools, base: Path, log: Path, trust: bool = False) -> Iterator[CodeServer]:
    """code-server with the .vsix installed, in its own HOME/XDG/TMPDIR under `base`.
    `trust`: workspace trust is on (folders open in Restricted Mode until the user trusts
    them, and VS Code does not ask at start-up); off by default, as in most tests."""
    env = editor_env(base)
    extensions = base / "extensions"
    data = base / "user-data"
    (data / "User").mkdir(parents=True)
    settings = dict(USER_SETTINGS)
    if trust:
        settings.update({"security.workspace.trust.enabled": True, "security.workspace.trust.startupPrompt": "never"})
    (data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    config = base / "code-server.yaml"
    config.write_text("auth: none\ncert: false\n")

    # Install the .vsix as a user would.
    install = subprocess.run(
        [
            str(tools.code_server),
            "--extensions-dir",
            str(extensions),
            "--user-data-dir",
            str(data),
            "--config",
            str(config),
            "--install-extension",
            str(tools.vsix),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    installed = sorted(p.name for p in extensions.glob("sheetls.sheetls-*")) if extensions.exists() else []
    if install.returncode != 0 or not installed:
        pytest.fail(
            f"installing {tools.vsix} failed (exit {install.returncode}):\n{install.stdout}\n{install.stderr}",
            pytrace=False,
        )

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    trust_flags = [] if trust else ["--disable-workspace-trust"]
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [
                str(tools.code_server),
                "--bind-addr",
                f"127.0.0.1:{port}",
                "--auth",
                "none",
                "--disable-telemetry",
                "--disable-update-check",
                *trust_flags,
                "--disable-getting-started-override",
                "--ignore-last-opened",
                "--config",
                str(config),
                "--user-data-dir",
                str(data),
                "--extensions-dir",
                str(extensions),
                str(base),
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # its own process group: it keeps extension hosts alive
        )
    try:
        _wait_healthy(url, proc, log)
        yield CodeServer(url, tools, env, extensions / installed[-1], base, log)
    finally:
        # End code-server with everything it started (extension hosts, language servers).
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                break
            try:
                proc.wait(timeout=10)
                time.sleep(0.5)
            except subprocess.TimeoutExpired:
                continue


@pytest.fixture(scope="session")
def code_server(vscode_tools: Tools, tmp_path_factory, artifacts: Path):
    with running_code_server(vscode_tools, tmp_path_factory.mktemp("vscode"), artifacts / "code-server.log") as server:
        yield server


@pytest.fixture(scope="module")
def trusting_code_server(vscode_tools: Tools, tmp_path_factory, artifacts: Path):
    """A code-server with workspace trust on: folders open in Restricted Mode."""
    with running_code_server(
        vscode_tools, tmp_path_factory.mktemp("vscode-trust"), artifacts / "code-server-trust.log", trust=True
    ) as server:
        yield server


@pytest.fixture
def workspace(code_server: CodeServer, request) -> Path:
    """A fresh workspace folder for one test."""
    folder = code_server.base / "ws" / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True)
    return folder


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if ARTIFACTS.exists() and any(ARTIFACTS.glob("*.png")):
        terminalreporter.write_line(f"VS Code screenshots and code-server log: {ARTIFACTS}")
