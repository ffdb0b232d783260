"""What VS Code users see of settings, workspace trust and the licence (issue 15), in a real
VS Code (code-server) with the built .vsix:

- a settings change (sheetls.hoverExample, sheetls.maxItems) reaches the running server through
  workspace/didChangeConfiguration: the hover loses its example, the suggest list is cut, and
  the server's process is the same one;
- with workspace trust on, a folder opens in Restricted Mode: the built-in sheet completes, the
  folder's .sheetls/ pack and the pack its settings name are not offered, and the
  sheetls.serverCommand its settings name is not run; once the user trusts the folder, both
  packs are offered and that command runs;
- LICENSE (MIT) is at the repository's root and in the .vsix.
"""

from __future__ import annotations

import json
import sys
import textwrap
import zipfile

from vscode_support import ROOT, drive

from lsp_helpers import PREFIXES
from packs_support import TEAM_YAML

ENTRY_TITLE = "Open a TCP connection"
# A line of the example in the hover of asyncio.open_connection (hoverExample "full").
EXAMPLE_LINE = "await writer.wait_closed()"
HOVER_SOURCE = (
    'import asyncio\n\n\nasync def main():\n    reader, writer = await asyncio.open_connection("example.com", 80)\n'
)


def _pack(pack_id: str, prefix: str) -> str:
    return TEAM_YAML.replace("id: team-patterns", f"id: {pack_id}").replace("aiogather", prefix)


def test_license_is_mit_at_the_root_and_in_the_vsix(vscode_tools):
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License\n"), license_text[:80]
    assert "Copyright (c) 2026 the sheetls authors" in license_text
    with zipfile.ZipFile(vscode_tools.vsix) as vsix:
        names = vsix.namelist()
        packed = [
            n for n in names if n.lower() in ("extension/license", "extension/license.txt", "extension/license.md")
        ]
        assert packed, f"no LICENSE in {vscode_tools.vsix.name}: {sorted(n for n in names if 'licen' in n.lower())}"
        assert vsix.read(packed[0]).decode() == license_text, "the .vsix carries another licence text"
    manifest = json.loads((ROOT / "vscode-client" / "package.json").read_text())
    assert manifest["license"] == "MIT"


def test_every_server_option_is_a_setting():
    """Every option of the server (options.py) is a VS Code setting, except workspacePacks,
    which the extension derives from workspace trust."""
    from sheetls.options import _CAMEL

    manifest = json.loads((ROOT / "vscode-client" / "package.json").read_text())
    settings = manifest["contributes"]["configuration"]["properties"]
    missing = [camel for camel in _CAMEL.values() if camel != "workspacePacks" and f"sheetls.{camel}" not in settings]
    assert not missing, f"server options without a VS Code setting: {missing}"
    trust = manifest["capabilities"]["untrustedWorkspaces"]
    assert trust["supported"] == "limited" and trust["description"]
    assert set(trust["restrictedConfigurations"]) == {"sheetls.interpreter", "sheetls.serverCommand", "sheetls.packs"}


def test_every_setting_defaults_to_the_server_options_default():
    """VS Code sends every setting to the server, defaults included: a default that differs
    from the server's would silently change its behaviour for VS Code users (the diagnostics
    option, on by default, was still false here)."""
    from dataclasses import MISSING, fields

    from sheetls.options import _CAMEL, Options

    settings = json.loads((ROOT / "vscode-client" / "package.json").read_text())["contributes"]["configuration"][
        "properties"
    ]
    for f in fields(Options):
        setting = settings.get(f"sheetls.{_CAMEL[f.name]}")
        if setting is None:
            continue  # workspacePacks: from workspace trust
        server_default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        if server_default == ():
            assert setting["default"] in ([], {}), (f.name, setting["default"])
        else:
            assert setting["default"] == server_default, (f.name, setting["default"], server_default)


def test_settings_change_reaches_the_running_server(code_server, workspace):
    source = workspace / "settings_push.py"
    source.write_text(HOVER_SOURCE)
    res = drive(
        code_server.tools,
        code_server.env,
        "settingsPush",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        word="open_connection",
        expect=ENTRY_TITLE,
        exampleLine=EXAMPLE_LINE,
        serverNeedle=str(code_server.extensions / "python" / "launch.py"),
    )
    assert EXAMPLE_LINE in res["hoverFull"], res["hoverFull"]
    hover = res["hoverNone"]
    assert hover.lstrip().startswith(ENTRY_TITLE) and EXAMPLE_LINE not in hover, hover
    assert "asyncio.run(" not in hover, hover
    assert 0 < len(res["rowsCut"]) <= 2, res["rowsCut"]
    assert len(res["pidsBefore"]) == 1, f"one server for the folder expected: {res['pidsBefore']}"
    assert res["pidsAfter"] == res["pidsBefore"], (
        f"the server was restarted: process {res['pidsBefore']} -> {res['pidsAfter']}"
    )


def test_restricted_mode_then_trust(trusting_code_server):
    server = trusting_code_server
    folder = server.base / "ws" / "cloned-repo"
    (folder / ".sheetls").mkdir(parents=True)
    (folder / ".sheetls" / "local.yaml").write_text(_pack("repo-local", "aiolocalpack"))
    (folder / "extra-packs").mkdir()
    (folder / "extra-packs" / "extra.yaml").write_text(_pack("repo-extra", "aioextrapack"))
    marker = server.base / "workspace-server-command-ran"
    # The repository's own "server": it leaves a marker, then runs sheetls.
    (folder / "tools").mkdir()
    (folder / "tools" / "server.py").write_text(
        textwrap.dedent(f"""\
        import os, sys
        with open({str(marker)!r}, "a") as f:
            f.write("ran\\n")
        os.execv(sys.executable, [sys.executable, "-m", "sheetls", *sys.argv[1:]])
        """)
    )
    (folder / ".vscode").mkdir()
    (folder / ".vscode" / "settings.json").write_text(
        json.dumps(
            {
                "sheetls.serverCommand": [sys.executable, "${workspaceFolder}/tools/server.py"],
                "sheetls.packs": ["extra-packs"],
            }
        )
    )
    source = folder / "main.py"
    source.write_text("import asyncio\n\n\nasync def main():\n    pass")

    res = drive(
        server.tools,
        server.env,
        "trustFlow",
        url=server.url,
        folder=str(folder),
        file=source.name,
        builtin=PREFIXES,
        packs=["aiolocalpack", "aioextrapack"],
        marker=str(marker),
    )

    assert "Restricted Mode" in res["statusBefore"], f"not in Restricted Mode: {res['statusBefore']!r}"
    untrusted = " ".join(res["rowsUntrusted"])
    assert all(p in untrusted for p in PREFIXES), res["rowsUntrusted"]
    assert "aiolocalpack" not in untrusted, (
        f"the workspace's .sheetls/ pack is offered untrusted: {res['rowsUntrusted']}"
    )
    assert "aioextrapack" not in untrusted, f"the workspace's packs setting is used untrusted: {res['rowsUntrusted']}"
    assert not res["markerBeforeTrust"], "the workspace's sheetls.serverCommand ran in Restricted Mode"

    assert "Restricted Mode" not in res["statusAfter"]
    trusted = " ".join(res["rowsTrusted"])
    assert "aiolocalpack" in trusted and "aioextrapack" in trusted, res["rowsTrusted"]
    assert marker.read_text().count("ran") >= 1
