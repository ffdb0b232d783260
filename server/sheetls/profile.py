"""What the client can take: plain data, read once from its capabilities at initialize
(by sheetls.lsp.capabilities; nothing here knows the protocol)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ClientProfile:
    """What the client can take, read once from its capabilities."""

    snippets: bool = True
    markdown: bool = True  # completion documentation in markdown
    resolve_documentation: bool = False
    adjust_indentation: bool = False  # insertTextMode adjustIndentation is supported
    reindents_snippets: bool = False  # the snippet engine re-indents lines itself (Neovim's vim.snippet)
    label_details: bool = False
    hover_markdown: bool = True  # hovers in markdown (else plain text)
    watch_files: bool = False  # the client watches files for the server (dynamic registration)
    watch_relative: bool = False  # ... with patterns relative to a base folder
    diagnostic_links: bool = False  # publishDiagnostics codeDescriptionSupport
    pull_diagnostics: bool = False  # textDocument.diagnostic: the client pulls (the server does not push)
    diagnostic_refresh: bool = False  # workspace.diagnostics.refreshSupport: the server may ask for a re-pull
    show_document: bool = False  # window.showDocument.support
    resolve_code_action_edit: bool = False  # codeAction resolveSupport covers "edit": computed on resolve
    # How the client opens the sheet at an entry from a hover's "Open in sheet" link: "command:NAME"
    # (the client declares experimental.sheetlsOpenInSheet = NAME, a command it trusts in hover
    # markdown: VS Code), "nvim" (Neovim: the :SheetlsEntry command), "" (no link).
    sheet_link: str = ""
