"""The sheet model: plain, immutable data loaded from a pack file (see loader.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Optional, Tuple, Union

# What a call gives, as the sheet writes it (`returns`): a class ("asyncio.Server"), a tuple of
# classes (("asyncio.StreamReader", "asyncio.StreamWriter")), or None (not said).
Returns = Union[None, str, Tuple[str, ...]]

# A Python version as the sheet writes it ("3.13") and as code compares it ((3, 13)).
PyVersion = Tuple[int, int]


def parse_version(text: str) -> Optional[PyVersion]:
    """(3, 13) for "3.13"; None for anything else."""
    major, dot, minor = text.partition(".")
    if not dot or not major.isdigit() or not minor.isdigit() or len(major) > 2 or len(minor) > 3:
        return None
    return int(major), int(minor)


def version_text(version: PyVersion) -> str:
    return f"{version[0]}.{version[1]}"


@dataclass(frozen=True)
class Versions:
    """When a thing exists or applies: `added` (first version that has it), `changed` (a
    version whose behaviour differs from before), `removed` (first version without it).
    Strings as written ("3.13"); empty when not given."""

    added: str = ""
    changed: str = ""
    removed: str = ""

    def applies(self, target: Optional[PyVersion]) -> bool:
        """True when `target` has it (no target: always)."""
        if target is None:
            return True
        if self.added and target < (parse_version(self.added) or (0, 0)):
            return False
        if self.removed and target >= (parse_version(self.removed) or (99, 0)):
            return False
        return True

    def label(self) -> str:
        """ "3.13+", "before 3.12", "3.9-3.11", "" (always); a change is "changed in 3.12"."""
        if self.added and self.removed:
            span = f"{self.added} to {_before(self.removed)}"
        elif self.added:
            span = f"{self.added}+"
        elif self.removed:
            span = f"before {self.removed}"
        else:
            span = ""
        if self.changed:
            span = f"{span}, changed in {self.changed}" if span else f"changed in {self.changed}"
        return span

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def _before(removed: str) -> str:
    v = parse_version(removed)
    return version_text((v[0], v[1] - 1)) if v and v[1] > 0 else f"before {removed}"


NO_VERSIONS = Versions()


@dataclass(frozen=True)
class Param:
    """A parameter of an entry's signature that not every Python has, or that needs a word."""

    name: str
    versions: Versions = NO_VERSIONS
    note: str = ""


@dataclass(frozen=True)
class Pitfall:
    """A mistake people make, and for which Pythons it holds."""

    text: str
    versions: Versions = NO_VERSIONS


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
    versions: Versions = NO_VERSIONS  # of the entry's API itself (asyncio.to_thread: added 3.9)
    params: Tuple[Param, ...] = ()
    pitfalls: Tuple[Pitfall, ...] = ()
    returns: Returns = None  # what calling one of `apis` gives (apifacts.py follows it)


@dataclass(frozen=True)
class Member:
    """A member of an object that a sheet call returns (StreamWriter.drain, Process.communicate...)."""

    api: str  # fully qualified, e.g. "asyncio.StreamWriter.drain"
    entry: str  # id of the entry the member belongs to
    summary: str
    pitfall: str = ""
    docs: str = ""
    versions: Versions = NO_VERSIONS
    pitfalls: Tuple[Pitfall, ...] = ()  # versioned pitfalls, after `pitfall`
    returns: Returns = None  # what calling it gives
    value: Optional[str] = None  # the class of what it holds (an attribute)

    @property
    def name(self) -> str:
        return self.api.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class TypeFact:
    """What a name the pack does not document gives when called (`returns`) or holds (`value`):
    a way to the objects it does document (`asyncio.open_unix_connection`,
    `asyncio.subprocess.Process.stdout`)."""

    api: str
    returns: Returns = None
    value: Optional[str] = None


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
    types: Tuple[TypeFact, ...] = ()  # what undocumented names give (see TypeFact)
    path: str = ""
    oldest_python: str = ""  # the Python versions the pack's version data speaks for
    newest_python: str = ""

    @property
    def entries(self) -> Tuple[Entry, ...]:
        return tuple(e for s in self.sections for e in s.entries)
