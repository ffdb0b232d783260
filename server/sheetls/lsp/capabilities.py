"""The one reader of the client's capabilities: a plain `ClientProfile` (sheetls.profile),
read once at initialize, is all the rest of the server sees of them."""

from __future__ import annotations

from typing import Optional

from lsprotocol import types

from sheetls.profile import ClientProfile


def client_profile(caps: Optional[types.ClientCapabilities], info: Optional[types.ClientInfo]) -> ClientProfile:
    td = caps.text_document if caps else None
    completion = td.completion if td else None
    item = completion.completion_item if completion else None
    doc_formats = (item.documentation_format if item else None) or [types.MarkupKind.PlainText]
    resolve = item.resolve_support.properties if item and item.resolve_support else []
    modes = item.insert_text_mode_support.value_set if item and item.insert_text_mode_support else []
    hover = td.hover if td else None
    hover_formats = (hover.content_format if hover else None) or [types.MarkupKind.PlainText]
    publish = td.publish_diagnostics if td else None
    pull = td.diagnostic if td else None  # LSP 3.18 gives pulled diagnostics their own link capability
    ws = caps.workspace if caps else None
    watched = ws.did_change_watched_files if ws else None
    refresh = ws.diagnostics if ws else None
    window = caps.window if caps else None
    action = td.code_action if td else None
    action_resolve = action.resolve_support.properties if action and action.resolve_support else []
    return ClientProfile(
        snippets=bool(item and item.snippet_support),
        markdown=types.MarkupKind.Markdown in doc_formats,
        resolve_documentation="documentation" in resolve,
        adjust_indentation=types.InsertTextMode.AdjustIndentation in modes,
        # Neovim's snippet engines (vim.snippet, LuaSnip, blink.cmp) re-indent every line of
        # an expanded snippet to the cursor line: pre-indented text would be indented twice.
        reindents_snippets=bool(info and info.name and info.name.lower().startswith(("neovim", "nvim"))),
        label_details=bool(item and item.label_details_support),
        hover_markdown=types.MarkupKind.Markdown in hover_formats,
        watch_files=bool(watched is not None and watched.dynamic_registration),
        watch_relative=bool(watched is not None and watched.relative_pattern_support),
        diagnostic_links=bool(
            (publish and publish.code_description_support) or (pull and pull.code_description_support)
        ),
        pull_diagnostics=pull is not None,
        diagnostic_refresh=bool(refresh and refresh.refresh_support),
        show_document=bool(window and window.show_document and window.show_document.support),
        resolve_code_action_edit="edit" in action_resolve,
        sheet_link=_sheet_link(caps, info),
    )


def _sheet_link(caps: Optional[types.ClientCapabilities], info: Optional[types.ClientInfo]) -> str:
    """How the client opens the sheet at an entry (ClientProfile.sheet_link)."""
    experimental = caps.experimental if caps else None
    command = experimental.get("sheetlsOpenInSheet") if isinstance(experimental, dict) else None
    if isinstance(command, str) and command:
        return f"command:{command}"
    if info and info.name and info.name.lower().startswith(("neovim", "nvim")):
        return "nvim"
    return ""
