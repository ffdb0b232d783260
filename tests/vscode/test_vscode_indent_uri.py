"""Issue 13 in a real VS Code (code-server, the built .vsix installed), driven as a user drives it:

- bug 9, the indentation unit: in a file with no indented block sheetls sends the nested
  blocks of `aioserver` indented by a snippet tab, and VS Code (insertTextMode
  adjustIndentation) turns each leading tab into the editor's indentation: with
  `editor.tabSize: 2, editor.insertSpaces: true` the blocks step by 2 spaces. In a file whose
  code indents by 4 under a docstring whose bullets indent by 2 (the `make try` demo), the
  blocks step by the code's 4, whatever the editor's tabSize.
- bug 1, percent-escaped URIs: a workspace folder and file whose path has a space and a
  non-ASCII letter (VS Code sends `file:///.../my%20project%20caf%C3%A9/caf%C3%A9.py`) get
  the sheet's completion and hover.

What is checked is what the user gets, whatever the snippet's exact text: the saved file
compiles, every block in it steps by the expected unit, and the accepted text holds a block
inside a block (tests/indent_check.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from vscode_support import ROOT, drive, server_completion

from indent_check import block_steps, inserted_lines, problems
from lsp_helpers import PREFIXES

PREFIX = "aioserver"
ENTRY_TITLE = "Open a TCP connection"  # the entry documenting asyncio.open_connection
# The editor's own indentation setting, as a user or workspace sets it.
TWO_SPACES = {"editor.tabSize": 2, "editor.insertSpaces": True, "editor.detectIndentation": False}


def _demo_up_to_main() -> str:
    """nvim-client/demo/demo.py (4-space code, 2-space docstring bullets) up to the end of
    main(), so that the end of the file is inside main()."""
    text = (ROOT / "nvim-client" / "demo" / "demo.py").read_text(encoding="utf-8")
    return text[: text.index('\n\n\nif __name__ == "__main__":')]


def _accept(code_server, workspace: Path, name: str, text: str, new_line: bool, unit: str) -> str:
    (workspace / ".vscode").mkdir()
    (workspace / ".vscode" / "settings.json").write_text(json.dumps(TWO_SPACES))
    source = workspace / name
    source.write_text(text)
    res = drive(
        code_server.tools,
        code_server.env,
        "acceptAtEnd",
        url=code_server.url,
        folder=str(workspace),
        file=name,
        path=str(source),
        prefix=PREFIX,
        newLine=new_line,
    )
    saved = res["saved"]
    # What the server sent at that spot (to show what VS Code made of it).
    lines = text.split("\n")
    typed = text + ("\n" + lines[-1][: len(lines[-1]) - len(lines[-1].lstrip())] if new_line else "") + PREFIX
    last = typed.split("\n")
    argv = [sys.executable, str(code_server.extensions / "python" / "launch.py"), "--stdio"]  # the bundled server
    item = server_completion(
        argv,
        code_server.env,
        code_server.base / f"lsp-{name}.log",
        typed,
        len(last) - 1,
        len(last[-1]),
        PREFIX,
        workspace,
    )
    print(
        f"--- {name}: sheetls sent (insertTextMode {item.get('insertTextMode')}):\n"
        + item["textEdit"]["newText"].replace("\t", "<TAB>")
        + f"\n--- the saved file (tabs shown as <TAB>):\n{saved.replace(chr(9), '<TAB>')}"
    )
    first, last_line = inserted_lines(text, saved)
    assert "start_server(" in "\n".join(saved.split("\n")[first - 1 : last_line]), (
        f"the accepted item is not the server:\n{saved}"
    )
    found = problems(saved, unit, (first, last_line), name)
    steps = [(s.line, s.step) for s in block_steps(saved)] if not any("compile" in p for p in found) else []
    assert not found, "\n".join(found) + f"\nblock steps: {steps}\n--- saved file:\n{saved}"
    return saved


def test_file_without_blocks_steps_by_the_editor_tab_size(code_server, workspace):
    """`import asyncio` and an empty line: the program's nested blocks step by 2 spaces."""
    _accept(code_server, workspace, "noblock.py", "import asyncio\n\n", new_line=False, unit="  ")


def test_demo_file_steps_by_its_code_unit_not_its_docstring(code_server, workspace):
    """Inside main() of the demo (tabSize 2 in the editor): the nested blocks step by 4."""
    _accept(code_server, workspace, "demo.py", _demo_up_to_main(), new_line=True, unit="    ")


def _escaped_project(workspace: Path) -> Path:
    folder = workspace / "my project café"
    folder.mkdir()
    (folder / "café.py").write_text(
        "import asyncio\n\n\nasync def main():\n"
        '    reader, writer = await asyncio.open_connection("example.com", 80)\n'
        "    writer.close()"
    )
    assert "%20" in folder.as_uri() and "%C3%A9" in folder.as_uri()
    return folder


def test_escaped_folder_gets_completion(code_server, workspace):
    folder = _escaped_project(workspace)
    prefixes = PREFIXES
    res = drive(
        code_server.tools,
        code_server.env,
        "suggestList",
        url=code_server.url,
        folder=str(folder),
        file="café.py",
        prefix="aio",
        expect=prefixes,
    )
    labels = {row.split()[0] for row in res["rows"] if row.split()}
    assert set(prefixes) <= labels, res["rows"]


def test_escaped_folder_gets_hover(code_server, workspace):
    folder = _escaped_project(workspace)
    res = drive(
        code_server.tools,
        code_server.env,
        "hover",
        url=code_server.url,
        folder=str(folder),
        file="café.py",
        word="open_connection",
        expect=ENTRY_TITLE,
    )
    hover = res["hover"]
    assert hover.lstrip().startswith(ENTRY_TITLE), f"hover widget: {hover!r}"
    assert "open_connection" in hover, hover
