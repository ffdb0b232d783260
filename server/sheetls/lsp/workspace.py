"""The line store (sheetls.documents) inside pygls: its documents, its workspace, and the one
hook that installs them.

- ``LineDocument`` is a pygls ``TextDocument`` whose text is a ``LineText``: the same
  constructor, ``apply_change``, ``source``, ``lines``, ``word_at_position``, offset and
  position conversions, plus ``content_lines``, ``revision`` and ``changes_since``. Positions
  in client units (UTF-16 by default) go through the workspace's pygls ``PositionCodec``, as
  pygls does; positions past the end of a line mean the end of the line (LSP), positions
  past the last line mean the end of the document. Only public ``TextDocument`` members are
  overridden, and pygls's own copy of the text is never set.
- ``LineWorkspace`` is a pygls ``Workspace`` whose text documents are ``LineDocument`` s.
- ``LineStoreProtocol`` is the hook: pygls builds its ``Workspace`` in its own ``initialize``
  handling (``LanguageServerProtocol.lsp_initialize`` assigns ``self._workspace``), just
  before it calls the server's ``initialize`` feature, so no document can be open yet; this
  protocol turns that workspace into a ``LineWorkspace`` with the same root, folders, sync
  kind and position encoding. A server gets the line store by its protocol class:
  ``LanguageServer(name, version, protocol_cls=LineStoreProtocol)`` (sheetls's own
  protocol, ``sheetls.lsp.lifecycle.SheetProtocol``, is one).

The pygls private names used here are listed in ``sheetls.lsp.pygls_privates``.
"""

from __future__ import annotations

import logging
import re
from typing import List, Optional

from lsprotocol import types
from pygls.protocol import LanguageServerProtocol
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from sheetls.documents import Lines, LineText, content_len, split_lines, static_lines

__all__ = ["LineDocument", "LineWorkspace", "LineStoreProtocol"]

log = logging.getLogger(__name__)
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class LineDocument(TextDocument):
    """A pygls ``TextDocument`` backed by an incrementally updated line store."""

    def __init__(
        self,
        uri: str,
        source: Optional[str] = None,
        version: Optional[int] = None,
        language_id: Optional[str] = None,
        local: bool = True,
        sync_kind: types.TextDocumentSyncKind = types.TextDocumentSyncKind.Incremental,
        position_codec: Optional[PositionCodec] = None,
    ):
        # pygls keeps no text of its own (source=None): a document not open reads its file there.
        super().__init__(uri, None, version, language_id, local, sync_kind, position_codec)
        self.sync_kind = sync_kind
        self.text: Optional[LineText] = LineText(source) if source is not None else None

    def _ensure_text(self) -> LineText:
        if self.text is None:
            self.text = LineText(super().source)  # not open: pygls reads the file
        return self.text

    @property
    def revision(self) -> int:
        return self.text.revision if self.text is not None else 0

    @property
    def source(self) -> str:
        return self.text.source if self.text is not None else super().source

    @property
    def lines(self) -> Lines:
        if self.text is None and self.path:
            return static_lines(split_lines(super().source))
        return self._ensure_text().lines

    @property
    def content_lines(self) -> List[str]:
        """The lines without their line breaks, as the LSP counts lines (``LineText.content_lines``)."""
        if self.text is None and self.path:
            return _LINE_BREAK.split(super().source)
        return self._ensure_text().content_lines

    def line(self, i: int) -> str:
        """Line ``i`` with its ending ("" past the end), without a snapshot."""
        return self._ensure_text().line(i)

    @property
    def line_count(self) -> int:
        return self._ensure_text().line_count

    # -- changes ----------------------------------------------------------
    def _to_server(self, text: LineText, position: types.Position):
        n = text.line_count
        line = max(position.line, 0)
        if line >= n:
            # Past the last line: the end of the document.
            if n == 0:
                return 0, 0
            last = text.line(n - 1)
            return (n, 0) if content_len(last) < len(last) else (n - 1, len(last))
        content = text.line(line)
        content = content[: content_len(content)]
        character = max(position.character, 0)
        if content.isascii():  # one code unit a character in every encoding: no per-character loop
            return line, min(character, len(content))  # LSP: past the end of a line is its end
        codec = self.position_codec
        if character >= codec.client_num_units(content):
            return line, len(content)
        p = codec.position_from_client_units([content], types.Position(line=0, character=character))
        return line, p.character

    def apply_change(self, change: types.TextDocumentContentChangeEvent) -> None:
        """An incremental change edits the touched chunks; a full one replaces the text.
        The sync kinds are pygls's: a range under full sync is applied as a full change, and
        nothing changes under sync kind None."""
        if isinstance(change, types.TextDocumentContentChangePartial):
            if self.sync_kind == types.TextDocumentSyncKind.Incremental:
                text = self._ensure_text()
                text.replace(
                    self._to_server(text, change.range.start), self._to_server(text, change.range.end), change.text
                )
                return
            log.error("a ranged change under full document sync: applied as a full change")
        if self.sync_kind != types.TextDocumentSyncKind.None_:
            self._ensure_text().set(change.text)

    def changes_since(self, revision: int):
        """``LineText.changes_since``: the line replacements made after ``revision``."""
        return self._ensure_text().changes_since(revision)

    # -- conversions that pygls does in O(file) -------------------------------
    def offset_at_server_position(self, server_position: ServerTextPosition) -> int:
        return self._ensure_text().offset(server_position.line, server_position.character)

    def server_position_at_offset(self, offset: int) -> ServerTextPosition:
        line, col = self._ensure_text().position(offset)
        return ServerTextPosition(line, col)


class LineWorkspace(Workspace):
    """A pygls ``Workspace`` whose text documents are ``LineDocument`` s."""

    @classmethod
    def like(cls, ws: Workspace) -> LineWorkspace:
        """A new one with ``ws``'s root, folders, sync kind and position encoding."""
        return cls(ws.root_uri, ws._sync_kind, list(ws.folders.values()), ws.position_encoding)

    def _create_text_document(
        self,
        doc_uri: str,
        source: Optional[str] = None,
        version: Optional[int] = None,
        language_id: Optional[str] = None,
    ) -> TextDocument:
        return LineDocument(
            doc_uri,
            source=source,
            version=version,
            language_id=language_id,
            sync_kind=self._sync_kind,
            position_codec=self.position_codec,
        )


class LineStoreProtocol(LanguageServerProtocol):
    """The hook that installs the line store: the workspace pygls makes at ``initialize``
    becomes a ``LineWorkspace`` as it is assigned (see the module's docstring)."""

    @property
    def _workspace(self) -> Optional[Workspace]:
        return self.__dict__.get("line_workspace")

    @_workspace.setter
    def _workspace(self, ws: Optional[Workspace]) -> None:
        if ws is not None and not isinstance(ws, LineWorkspace):
            if ws.text_documents:
                raise RuntimeError("the line store must be installed before any document is opened")
            ws = LineWorkspace.like(ws)
        self.__dict__["line_workspace"] = ws
