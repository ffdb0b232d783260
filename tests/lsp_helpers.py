"""Shared helpers for the protocol tests: start sheetls over stdio with a real client profile,
open documents, and place cursors written as `|` in test sources."""

from __future__ import annotations

import itertools
import sys
from typing import Optional, Tuple

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from sheetls.snippet_syntax import parse, to_plain

SERVER = ClientServerConfig(server_command=[sys.executable, "-m", "sheetls", "--stdio"])
PROFILES = {
    "visual_studio_code": ("Visual Studio Code", "1.65.2"),
    "neovim": ("Neovim", "0.11.0"),
}
# The built-in sheet's prefixes in its order: the one list of them the tests share
# (test_loader checks the sheet against it).
PREFIXES = ["aioopen", "aioserver", "aioexec", "aioshell", "aiothread", "aioexecutor"]
_counter = itertools.count()


async def initialize(
    client: LanguageClient, profile: str, *, options=None, capabilities=None, encodings=None
) -> types.InitializeResult:
    caps = capabilities if capabilities is not None else client_capabilities(profile)
    if encodings is not None:
        caps.general = types.GeneralClientCapabilities(position_encodings=encodings)
    name, version = PROFILES.get(profile, (profile, "0"))
    return await client.initialize_session(
        types.InitializeParams(
            capabilities=caps,
            client_info=types.ClientInfo(name=name, version=version),
            initialization_options=options,
        )
    )


def split_cursor(text: str) -> Tuple[str, int, int]:
    """Remove the `|` cursor marker; return text and the marker's (line, code point column)."""
    before, _, after = text.partition("|")
    line = before.count("\n")
    col = len(before) - (before.rfind("\n") + 1)
    return before + after, line, col


def utf16_col(line_text: str, col: int) -> int:
    return len(line_text[:col].encode("utf-16-le")) // 2


def open_doc(client: LanguageClient, text: str, language: str = "python", suffix: str = ".py") -> str:
    uri = f"file:///tmp/sheetls-test-{next(_counter)}{suffix}"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language, version=1, text=text)
        )
    )
    return uri


async def complete_at(
    client: LanguageClient, marked: str, language: str = "python", units=utf16_col
) -> Tuple[Optional[types.CompletionList], str, str, int]:
    text, line, col = split_cursor(marked)
    uri = open_doc(client, text, language)
    result = await client.text_document_completion_async(
        types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(line, units(text.split("\n")[line], col)),
        )
    )
    return result, uri, text, line


async def hover_at(client: LanguageClient, marked: str, units=utf16_col) -> Optional[types.Hover]:
    text, line, col = split_cursor(marked)
    uri = open_doc(client, text)
    return await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri),
            position=types.Position(line, units(text.split("\n")[line], col)),
        )
    )


def apply_edits(text: str, edits) -> str:
    """Apply LSP TextEdits (UTF-16 ranges) to text, last first."""
    lines = text.split("\n")

    def offset(pos: types.Position) -> int:
        before = sum(len(l) + 1 for l in lines[: pos.line])
        line = lines[pos.line] if pos.line < len(lines) else ""
        units = 0
        for i, ch in enumerate(line):
            if units >= pos.character:
                return before + i
            units += 2 if ord(ch) > 0xFFFF else 1
        return before + len(line)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def labels(result) -> list:
    return [i.label for i in (result.items if result else [])]


def accept_item(profile: str, text: str, item: types.CompletionItem) -> str:
    """The buffer after the user accepts `item`, as the client would expand it: snippet
    placeholders at their defaults, and with adjustIndentation (VS Code) or a snippet engine
    that re-indents (Neovim's vim.snippet), continuation lines get the cursor line's indent
    and a snippet's tabs become the editor's indentation (VS Code's normalizeIndentation,
    vim.snippet under 'expandtab'): 4 spaces, as both set up Python files, unless the file
    itself indents with tabs."""
    edit = item.text_edit
    new = edit.new_text
    if item.insert_text_format == types.InsertTextFormat.Snippet:
        new = to_plain(parse(new))
        reindents = profile == "neovim"
    else:
        reindents = False
    if item.insert_text_mode == types.InsertTextMode.AdjustIndentation or reindents:
        if item.insert_text_format == types.InsertTextFormat.Snippet and not _indents_with_tabs(text):
            new = "\n".join(_expand_leading_tabs(l) for l in new.split("\n"))
        line = text.split("\n")[edit.range.start.line]
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        first, *rest = new.split("\n")
        new = "\n".join([first] + [indent + r if r.strip() else r for r in rest])
    main = types.TextEdit(edit.range, new)
    return apply_edits(text, [main] + list(item.additional_text_edits or []))


def _indents_with_tabs(text: str) -> bool:
    return any(line.startswith("\t") for line in text.split("\n"))


def _expand_leading_tabs(line: str) -> str:
    stripped = line.lstrip("\t")
    return "    " * (len(line) - len(stripped)) + stripped
