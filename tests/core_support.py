"""The built-in sheet's index, client profiles and cursor marking for the tests that call the
pure core (sheetls.completion, sheetls.context, sheetls.hover) directly, without a server."""

from __future__ import annotations

from typing import List, Tuple

from sheetls.index import SheetIndex
from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.profile import ClientProfile

SHEET = load_pack(builtin_sheet_path()).sheet
INDEX = SheetIndex.build([SHEET])
# What VS Code's and Neovim's real capabilities make of the client (sheetls.lsp reads them), and
# a client without snippets or markdown.
VSCODE = ClientProfile(snippets=True, adjust_indentation=True, resolve_documentation=True)
NEOVIM = ClientProfile(snippets=True, reindents_snippets=True)
PLAIN = ClientProfile(snippets=False, markdown=False)


def marked(text: str) -> Tuple[List[str], int, int]:
    """The document's lines and the `|` marker's (line, code point column), marker removed."""
    before, _, after = text.partition("|")
    line = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    return (before + after).split("\n"), line, col
