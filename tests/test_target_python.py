"""Hovers and completions speak for the Python the user's project targets (issue 14): the
`pythonVersion` setting, else `requires-python` in the nearest pyproject.toml, else the Python
running sheetls (in VS Code, the Python extension's interpreter starts it)."""

from __future__ import annotations

import sys

import pytest
from lsprotocol import types
from pygls.uris import from_fs_path

from lsp_helpers import initialize
from sheetls.target import ProjectTargets, lower_bound, requires_python


@pytest.mark.parametrize(
    "spec,bound",
    [
        (">=3.9", (3, 9)),
        (">=3.9,<4", (3, 9)),
        ("~=3.10", (3, 10)),
        ("^3.8", (3, 8)),
        ("==3.11.*", (3, 11)),
        (">3.9", (3, 9)),
        (">=3.8, !=3.9.*", (3, 8)),
        ("<3.12", None),
        (">=3.10.2", (3, 10)),
        ("", None),
    ],
)
def test_lower_bound_of_a_specifier(spec, bound):
    assert lower_bound(spec) == bound


def test_requires_python_is_read_from_project_then_poetry():
    assert (
        requires_python('[project]\nname = "x"\nrequires-python = ">=3.10"\n[tool.other]\nrequires-python = "3.1"\n')
        == ">=3.10"
    )
    assert requires_python('[tool.poetry.dependencies]\npython = "^3.8"\n') == "^3.8"
    assert requires_python('[project]\nname = "x"\n') is None


def test_the_nearest_pyproject_decides(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[project]\nrequires-python = ">=3.9"\n')
    inner = tmp_path / "sub" / "pkg"
    inner.mkdir(parents=True)
    targets = ProjectTargets()
    assert targets.for_path(str(inner / "a.py")).version == (3, 9)
    (tmp_path / "sub" / "pyproject.toml").write_text('[project]\nname = "no-bound"\n')
    assert targets.for_path(str(inner / "a.py")).version == sys.version_info[:2]  # nearest has none
    assert targets.for_path(str(inner / "a.py"), "3.12").version == (3, 12)
    assert targets.for_path(None).source == "the Python running sheetls"


SERVER_HOVER = "import asyncio\n\n\nasync def main():\n    server = await asyncio.start_server(h, '127.0.0.1', 0)\n"


async def _hover_and_labels(client, path):
    path.write_text(SERVER_HOVER + "    aio\n")
    uri = from_fs_path(str(path))
    text = path.read_text()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))
    )
    line = text.split("\n")[4]
    hover = await client.text_document_hover_async(
        types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(4, line.index("start_server") + 1))
    )
    completion = await client.text_document_completion_async(
        types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(5, 7))
    )
    return hover.contents.value, [i.label for i in completion.items]


async def test_requires_python_sets_what_hover_and_completion_speak_for(bare_client, tmp_path):
    await initialize(bare_client, "visual_studio_code")
    old = tmp_path / "old"
    old.mkdir()
    (old / "pyproject.toml").write_text('[project]\nname = "old"\nrequires-python = ">=3.8"\n')
    text, labels = await _hover_and_labels(bare_client, old / "a.py")
    assert "For Python 3.8" in text
    assert "`keep_alive`: 3.13+, your target is 3.8" in text
    assert "aiothread" not in labels and "aioopen" in labels  # asyncio.to_thread is 3.9+

    new = tmp_path / "new"
    new.mkdir()
    (new / "pyproject.toml").write_text('[project]\nname = "new"\nrequires-python = ">=3.13"\n')
    text, labels = await _hover_and_labels(bare_client, new / "a.py")
    assert "For Python 3.13" in text
    assert "keep_alive`: 3.13+, your target" not in text
    assert "aiothread" in labels


async def test_the_setting_wins_over_the_project(bare_client, tmp_path):
    await initialize(bare_client, "neovim", options={"pythonVersion": "3.10"})
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "p"\nrequires-python = ">=3.13"\n')
    text, labels = await _hover_and_labels(bare_client, tmp_path / "a.py")
    assert "For Python 3.10" in text and "`keep_alive`: 3.13+, your target is 3.10" in text
