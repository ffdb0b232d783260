"""The sheet inside VS Code (issue 17), in code-server with the built .vsix: "sheetls: Show
sheet" opens the sheet page in a webview under a strict Content-Security-Policy; an entry's
"Insert at cursor" inside an `async def` inserts the core lines at the body's indentation (the
form the server answers, sheetls.formAt) and the saved file compiles; the hover's "Open in
sheet" link reveals the entry in the webview; "Copy core lines" fills the clipboard; "Download
.py" saves the example where VS Code's Save dialog says."""

from __future__ import annotations

import ast

from vscode_support import drive

from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.page import core_lines

SHEET = load_pack(builtin_sheet_path()).sheet
ENTRY = next(e for e in SHEET.entries if e.id == "open-tcp-connection")


def test_show_sheet_opens_the_page_in_a_webview_with_a_strict_policy(code_server, workspace):
    source = workspace / "any.py"
    source.write_text("import asyncio\n")
    res = drive(
        code_server.tools,
        code_server.env,
        "showSheet",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        views=["compact", "detailed", "standard"],
        expect=ENTRY.title,
    )
    policy = dict(part.strip().split(" ", 1) for part in res["csp"].split(";") if part.strip())
    assert policy["default-src"] == "'none'", res["csp"]
    assert policy["script-src"].startswith("'nonce-") and " " not in policy["script-src"], res["csp"]
    assert policy["style-src"].startswith("'nonce-") and " " not in policy["style-src"], res["csp"]
    assert "http" not in res["csp"] and "unsafe" not in res["csp"], res["csp"]
    # Only VS Code's own webview bridge runs without the nonce (it injects it before the policy).
    others = [s for s in res["scriptsWithoutNonce"] if "globalThis.acquireVsCodeApi" not in s["text"]]
    assert not others, others
    assert not res["printShown"], "the page's Print button shows in the webview, which cannot print"
    assert res["insertButtons"] == [f"Insert at cursor: {e.title.replace('`', '')}" for e in SHEET.entries]
    for view, shown in res["views"].items():
        for entry in SHEET.entries:
            assert entry.title.replace("`", "") in shown["text"], f"the {view} view lacks {entry.title!r}"
    assert res["views"]["compact"]["text"] != res["views"]["detailed"]["text"]


def test_insert_at_cursor_in_async_def_then_open_in_sheet_from_the_hover(code_server, workspace):
    before = "import asyncio\n\n\nasync def main():\n    x = 1\n    "
    source = workspace / "insert.py"
    source.write_text(before)
    res = drive(
        code_server.tools,
        code_server.env,
        "sheetInsert",
        url=code_server.url,
        folder=str(workspace),
        file=source.name,
        path=str(source),
        anchor="open-tcp-connection",
        expect="open_connection",
        hoverWord="open_connection",
    )
    saved = res["saved"]
    tree = ast.parse(saved)  # the saved file compiles
    compile(saved, str(source), "exec")
    assert [type(n).__name__ for n in tree.body] == ["Import", "AsyncFunctionDef"], saved
    main = tree.body[1]
    core = ast.parse(core_lines(ENTRY))
    # The core lines, nothing else, went into main() after `x = 1`.
    assert [ast.dump(n) for n in main.body[1:]] == [ast.dump(n) for n in core.body], saved
    assert saved.startswith(before.rstrip(" ")), saved
    inserted = saved[len(before.rstrip(" ")) :].rstrip("\n").split("\n")
    assert inserted[0].startswith("    reader"), saved
    assert all(not line or line.startswith("    ") for line in inserted), (
        f"a line is not indented under async def:\n{saved}"
    )
    assert "body" in res["status"], res["status"]

    assert "Open in sheet" in res["hover"], res["hover"]
    assert res["revealed"] == "open-tcp-connection"
    assert res["clipboard"] == core_lines(ENTRY), res["clipboard"]
    # The page's "Download .py" saves, through VS Code's Save dialog, what the page carries: the example.
    assert res["saveProposed"].endswith("open-tcp-connection.py"), res["saveProposed"]
    assert res["downloaded"] == ENTRY.example, res["downloaded"]
