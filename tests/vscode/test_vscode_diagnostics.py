"""sheetls's diagnostics in a real VS Code (code-server 4.100.3 = VS Code 1.100.3, the built
.vsix installed), driven through Chromium as a user drives it: with `sheetls.diagnostics` on in
the folder's settings, `time.sleep(1)` inside `async def` gets a squiggle (and a hover and a
Problems entry naming SHEET101), the lightbulb and Ctrl+. offer the fix, choosing it rewrites
the line, and the saved file is the expected one and compiles. Screenshots: test-artifacts/vscode."""

from __future__ import annotations

import json

import yaml
from vscode_support import ROOT, drive

SOURCE = (
    'import asyncio\nimport time\n\n\nasync def main():\n    time.sleep(1)\n    print("done")\n\n\n'
    "asyncio.run(main())\n"
)
FIXED = SOURCE.replace("    time.sleep(1)\n", "    await asyncio.sleep(1)\n")


def test_squiggle_lightbulb_and_quick_fix_for_time_sleep_in_async_def(code_server, workspace):
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text(json.dumps({"sheetls.diagnostics": True}))
    source = workspace / "blocking.py"
    source.write_text(SOURCE)
    res = drive(
        code_server.tools,
        code_server.env,
        "quickFix",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        path=str(source),
        word="sleep",
        code="SHEET101",
        fixTitle="(SHEET101)",
        expectLine="await asyncio.sleep(1)",
    )

    # The squiggle: a warning (the rule's severity) under `time.sleep(1)`, on its line.
    word = res["wordBox"]
    under = [
        s
        for s in res["squiggles"]
        if s["x"] <= word["x"] + 1
        and s["x"] + s["width"] >= word["x"] + word["width"] - 1
        and abs((s["y"] + s["height"] / 2) - (word["y"] + word["height"] / 2)) < word["height"]
    ]
    assert under, f"no squiggle under `sleep` at {word}: {res['squiggles']}"
    assert all("squiggly-warning" in s["cls"] for s in under), under
    assert len(res["squiggles"]) == len(under), f"squiggles elsewhere too: {res['squiggles']}"

    # What VS Code shows of the diagnostic: the message, the source and the code.
    for where in ("hover", "problems"):
        text = res[where]
        assert "SHEET101" in text and "blocks the event loop" in text, f"{where}: {text!r}"
        assert "sheetls" in text, f"{where} does not name the source: {text!r}"
    # The code is a link to the docs (codeDescription.href).
    links = [a for a in res["hoverLinks"] if a["text"] == "SHEET101"]
    assert links and links[0]["href"].startswith("https://docs.python.org/3/library/asyncio"), res["hoverLinks"]
    # The lightbulb on the line is the "autofix" one: VS Code got a preferred quick fix (isPreferred).
    assert "codicon-lightbulb-autofix" in res["lightbulb"], res["lightbulb"]

    # The Quick Fix menu (Ctrl+.) lists the fix; choosing it rewrites the call.
    fixes = [a for a in res["actions"] if "SHEET101" in a and "asyncio.sleep" in a]
    assert len(fixes) == 1, f"Quick Fix menu: {res['actions']}"
    assert res["chosen"] == fixes[0], res["chosen"]

    saved = res["saved"]
    assert saved == source.read_text()
    assert saved == FIXED, f"saved file:\n{saved}\n--- expected:\n{FIXED}"
    compile(saved, str(source), "exec")


def _entry_title(api: str) -> str:
    """The title of the sheet entry documenting `api`, from the snippet source."""
    data = yaml.safe_load((ROOT / "snippets" / "asyncio-streams.yaml").read_text(encoding="utf-8"))
    for section in data["sections"]:
        for entry in section["entries"]:
            if api in entry.get("apis", []):
                return entry["title"]
    raise AssertionError(f"no entry documents {api}")


def test_the_setting_turns_them_on_and_off_without_a_restart(code_server, workspace):
    """On by default: with no sheetls.diagnostics anywhere, the server answers (its hover shows)
    and the squiggle comes under `sleep`; `false` written to the folder's settings takes it away
    (and it stays away past a later hover), `true` brings it back, and the server process is the
    same throughout."""
    user_settings = json.loads((code_server.base / "user-data" / "User" / "settings.json").read_text())
    assert "sheetls.diagnostics" not in user_settings, user_settings
    assert not (workspace / ".vscode").exists()
    source = workspace / "blocking.py"
    source.write_text(SOURCE.replace('    print("done")\n', '    await asyncio.to_thread(print, "done")\n'))
    res = drive(
        code_server.tools,
        code_server.env,
        "diagnosticsSetting",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        word="sleep",
        hoverWord="to_thread",
        hoverExpect=_entry_title("asyncio.to_thread"),
        serverNeedle=str(code_server.extensions / "python" / "launch.py"),
    )
    word = res["wordBox"]

    def under_word(found):
        return [
            s
            for s in found
            if s["x"] <= word["x"] + 1 <= s["x"] + s["width"]
            and abs((s["y"] + s["height"] / 2) - (word["y"] + word["height"] / 2)) < word["height"]
        ]

    assert under_word(res["squigglesDefault"]), (
        f"no squiggle under `sleep` at {word} by default: {res['squigglesDefault']}"
    )
    assert len(under_word(res["squigglesDefault"])) == len(res["squigglesDefault"]), res["squigglesDefault"]
    assert res["squigglesOff"] == [], f"squiggles with sheetls.diagnostics false: {res['squigglesOff']}"
    assert under_word(res["squigglesOn"]), f"no squiggle under `sleep` at {word} once true again: {res['squigglesOn']}"
    assert len(res["pidsBefore"]) == 1, f"one server for the folder expected: {res['pidsBefore']}"
    assert res["pidsAfter"] == res["pidsBefore"], f"the server was restarted: {res['pidsBefore']} -> {res['pidsAfter']}"
