"""What the client can take, read once from its capabilities at initialize."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from lsprotocol import types


@dataclass(frozen=True)
class ClientProfile:
    """What the client can take, read once from its capabilities."""

    snippets: bool = True
    markdown: bool = True
    resolve_documentation: bool = False
    adjust_indentation: bool = False  # insertTextMode adjustIndentation is supported
    reindents_snippets: bool = False  # the snippet engine re-indents lines itself (Neovim's vim.snippet)
    label_details: bool = False


def client_profile(caps: Optional[types.ClientCapabilities], info: Optional[types.ClientInfo]) -> ClientProfile:
    td = caps.text_document if caps else None
    completion = td.completion if td else None
    item = completion.completion_item if completion else None
    doc_formats = (item.documentation_format if item else None) or [types.MarkupKind.PlainText]
    resolve = item.resolve_support.properties if item and item.resolve_support else []
    modes = item.insert_text_mode_support.value_set if item and item.insert_text_mode_support else []
    return ClientProfile(
        snippets=bool(item and item.snippet_support),
        markdown=types.MarkupKind.Markdown in doc_formats,
        resolve_documentation="documentation" in resolve,
        adjust_indentation=types.InsertTextMode.AdjustIndentation in modes,
        # Neovim's snippet engines (vim.snippet, LuaSnip, blink.cmp) re-indent every line of
        # an expanded snippet to the cursor line: pre-indented text would be indented twice.
        reindents_snippets=bool(info and info.name and info.name.lower().startswith(("neovim", "nvim"))),
        label_details=bool(item and item.label_details_support),
    )
