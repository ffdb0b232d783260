"""What the resolver knows of the objects the sheet's calls give: the values it follows, and the
facts that tell it how (`ApiFacts`).

The facts about a pack's own objects are data, read from the loaded packs (snippets/README.md,
"What calls return"): what an entry's APIs, a member or a name of the pack's `types` list
`returns` when called (a class, or a list of classes for a tuple) and what an attribute holds
(`value`). `asyncio.open_connection` returns `[asyncio.StreamReader, asyncio.StreamWriter]`,
`asyncio.subprocess.Process.stdout` holds an `asyncio.StreamReader`. Every class named there is
one whose call or annotation gives an instance.

What stays code is how Python and asyncio spell and pass things, not a pack's objects: other
spellings of asyncio's names (`ALIASES`), calls that give what their first argument gives
(`PASSTHROUGH`), the servers that call a handler with (reader, writer), and the event loop's
`run_in_executor` on a receiver sheetls cannot see into.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, FrozenSet, Optional, Sequence, Set, Tuple, Union

if TYPE_CHECKING:
    from sheetls.model import Returns, Sheet
    from sheetls.regions import Region

# --- values ---------------------------------------------------------------------------------------
# None stands for "unknown" (a parameter, an attribute of `self`, a call of something unseen).


@dataclass(frozen=True)
class ApiName:
    """The expression names this API object: a module, function, class, method or constant."""

    name: str


@dataclass(frozen=True)
class ApiObject:
    """An instance of the API class `cls` (a StreamWriter, a Process...)."""

    cls: str


@dataclass(frozen=True)
class ValueTuple:
    items: Tuple[object, ...]


@dataclass(frozen=True, eq=False)
class LocalClass:
    """A class the file defines (its members are looked up in its body, then its bases)."""

    node: ast.ClassDef
    region: Region


@dataclass(frozen=True, eq=False)
class LocalInstance:
    """An instance of a class the file defines: exact for `Pool()`, not for `self` (which
    may be an instance of a subclass defined elsewhere)."""

    cls: LocalClass
    exact: bool


@dataclass(frozen=True, eq=False)
class LocalFunction:
    """A function the file defines: calling it gives what all its `return`s give."""

    node: ast.AST
    region: Region


class _Other:
    """Known, and not an API object: a literal, a deleted name, a local function or class
    seen as a value of its own."""

    def __repr__(self) -> str:
        return "OTHER"


OTHER = _Other()

# --- how Python and asyncio spell and pass things (code, not a pack's data) -----------------------
READER = "asyncio.StreamReader"
WRITER = "asyncio.StreamWriter"
SERVER = "asyncio.Server"
PROCESS = "asyncio.subprocess.Process"
LOOP = "asyncio.AbstractEventLoop"

# Other spellings of the same objects (submodules, base classes) -> the name the sheet uses.
ALIASES = {
    "asyncio.subprocess.create_subprocess_exec": "asyncio.create_subprocess_exec",
    "asyncio.subprocess.create_subprocess_shell": "asyncio.create_subprocess_shell",
    "asyncio.streams.open_connection": "asyncio.open_connection",
    "asyncio.streams.start_server": "asyncio.start_server",
    "asyncio.streams.open_unix_connection": "asyncio.open_unix_connection",
    "asyncio.streams.start_unix_server": "asyncio.start_unix_server",
    "asyncio.streams.StreamReader": READER,
    "asyncio.streams.StreamWriter": WRITER,
    "asyncio.threads.to_thread": "asyncio.to_thread",
    "asyncio.base_events.Server": SERVER,
    "asyncio.events.AbstractEventLoop": LOOP,
    "asyncio.base_events.BaseEventLoop": LOOP,
    "asyncio.BaseEventLoop": LOOP,
    "asyncio.events.get_running_loop": "asyncio.get_running_loop",
    "asyncio.events.get_event_loop": "asyncio.get_event_loop",
    "asyncio.events.new_event_loop": "asyncio.new_event_loop",
    "asyncio.Process": PROCESS,
}
# Calls whose awaited result is the awaited result of their first argument.
PASSTHROUGH = frozenset({"asyncio.wait_for", "asyncio.shield", "asyncio.create_task", "asyncio.ensure_future"})
# Servers that call a handler with (reader, writer).
SERVERS = frozenset({"asyncio.start_server", "asyncio.start_unix_server"})
HANDLER_PARAMETERS = (READER, WRITER)
# Loop methods: `<something unknown>.run_in_executor` (a loop from `self.loop`, a parameter, a
# helper of another module) is taken as the event loop's method; the name belongs to asyncio.
# Not when the file shows the receiver: an instance of one of its own classes (which may
# define the method itself), or the loop of trollius (a separate library, whose event loop is
# not asyncio's).
LOOP_METHODS = {"run_in_executor": LOOP + ".run_in_executor"}
LOOP_CLASSES = frozenset({LOOP, "asyncio.SelectorEventLoop", "asyncio.ProactorEventLoop"})
FOREIGN_LOOP_LIBRARIES = frozenset({"trollius"})
_LOOP_GETTERS = frozenset({"get_event_loop", "get_running_loop", "new_event_loop"})


def normalize(name: str) -> str:
    parts = name.split(".")
    for k in range(len(parts), 1, -1):
        head = ".".join(parts[:k])
        if head in ALIASES:
            return ".".join([ALIASES[head]] + parts[k:])
    return name


def _value_of(returns: Union[str, Tuple[str, ...]]) -> object:
    """A `returns` as the pack writes it (a class, or a tuple of classes) as a value."""
    if isinstance(returns, str):
        return ApiObject(returns)
    return ValueTuple(tuple(ApiObject(c) for c in returns))


def _classes_in(returns: Union[str, Tuple[str, ...]]) -> Tuple[str, ...]:
    return (returns,) if isinstance(returns, str) else tuple(returns)


@dataclass(frozen=True, eq=False)
class ApiFacts:
    """What calls give (`returns`: API name -> value), what attributes hold (`attributes`:
    qualified attribute -> value) and the classes whose call or annotation gives an instance."""

    returns: Dict[str, object] = field(default_factory=dict)
    attributes: Dict[str, object] = field(default_factory=dict)
    classes: FrozenSet[str] = frozenset()

    @classmethod
    def from_sheets(cls, sheets: Sequence[Sheet]) -> ApiFacts:
        """The facts the packs declare; for a name several packs describe, the first pack's."""
        returns: Dict[str, object] = {}
        attributes: Dict[str, object] = {}
        classes: Set[str] = set()

        def note(api: str, gives: Returns, holds: Optional[str]) -> None:
            if gives:
                returns.setdefault(api, _value_of(gives))
                classes.update(_classes_in(gives))
            if holds:
                attributes.setdefault(api, ApiObject(holds))
                classes.add(holds)

        for sheet in sheets:
            for entry in sheet.entries:
                for api in entry.apis:
                    note(api, entry.returns, None)
            for member in sheet.members:
                note(member.api, member.returns, member.value)
            for fact in sheet.types:
                note(fact.api, fact.returns, fact.value)
        return cls(returns, attributes, frozenset(classes))

    def attribute(self, value: object, attr: str) -> object:
        if isinstance(value, ApiName):
            return ApiName(normalize(f"{value.name}.{attr}"))
        if isinstance(value, ApiObject):
            return self.attributes.get(f"{value.cls}.{attr}", ApiName(f"{value.cls}.{attr}"))
        if value is None and attr in LOOP_METHODS:
            return ApiName(LOOP_METHODS[attr])
        return None

    def call_result(self, value: object) -> object:
        if isinstance(value, ApiName):
            if value.name in self.returns:
                return self.returns[value.name]
            if value.name in self.classes:
                return ApiObject(value.name)
            library, _, last = value.name.partition(".")
            last = last.rsplit(".", 1)[-1]
            if library in FOREIGN_LOOP_LIBRARIES and (last in _LOOP_GETTERS or last.endswith("EventLoop")):
                return ApiObject(f"{library}.AbstractEventLoop")  # that library's loop: none of asyncio's names
        return None

    def instance_of(self, annotation: object) -> object:
        if isinstance(annotation, ApiName) and annotation.name in self.classes:
            return ApiObject(annotation.name)
        return None


_BUILTIN: Optional[ApiFacts] = None


def builtin_facts() -> ApiFacts:
    """The built-in sheet's facts: what the resolver uses when no sheet index is given."""
    global _BUILTIN
    if _BUILTIN is None:
        from sheetls.loader import builtin_sheet_path, load_pack

        sheet = load_pack(builtin_sheet_path()).sheet
        _BUILTIN = ApiFacts.from_sheets([sheet] if sheet is not None else [])
    return _BUILTIN
