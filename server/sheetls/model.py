"""The sheet model: plain, immutable data loaded from a pack file (see loader.py)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Tuple


@dataclass(frozen=True)
class Entry:
    """One pattern of the sheet: what completion inserts and hover explains."""

    id: str
    title: str
    summary: str
    prefix: str
    body: str  # LSP snippet syntax: the core lines, as inside `async def main():`
    section: str = ""  # id of the section that holds the entry
    tags: Tuple[str, ...] = ()
    apis: Tuple[str, ...] = ()  # fully qualified, e.g. "asyncio.open_connection"
    signature: str = ""
    docs: str = ""
    note: str = ""
    imports: Tuple[str, ...] = ()  # modules the full program imports
    helpers: str = ""  # LSP snippet syntax: module-level helpers the program needs
    example: str = ""  # the runnable program, assembled from imports/helpers/body (forms.py)
    raw: bool = False  # insert `body` as it is, wherever code goes (VS Code snippet files)
    pack: str = ""  # id of the pack that defines the entry
    path: str = ""  # file the entry was loaded from
    lines: Dict[str, int] = field(default_factory=dict, compare=False, hash=False)  # field -> 1-based line


@dataclass(frozen=True)
class Member:
    """A member of an object that a sheet call returns (StreamWriter.drain, Process.communicate...)."""

    api: str  # fully qualified, e.g. "asyncio.StreamWriter.drain"
    entry: str  # id of the entry the member belongs to
    summary: str
    pitfall: str = ""
    docs: str = ""

    @property
    def name(self) -> str:
        return self.api.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    summary: str
    entries: Tuple[Entry, ...] = ()


@dataclass(frozen=True)
class Sheet:
    """One pack: the built-in sheet or a user's pack."""

    id: str
    title: str
    summary: str
    language: str = "python"
    sections: Tuple[Section, ...] = ()
    members: Tuple[Member, ...] = ()
    path: str = ""

    @property
    def entries(self) -> Tuple[Entry, ...]:
        return tuple(e for s in self.sections for e in s.entries)
