"""Look-up structures over the loaded packs: what completion and hover ask, answered without a scan.

- prefix and keyword look-ups are bisections over sorted keys (O(log n + matches));
- API names map straight to their entry, member names to their note.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from sheetls.model import Entry, Member, Sheet

if TYPE_CHECKING:
    from sheetls.apifacts import ApiFacts


@dataclass(frozen=True)
class Match:
    entry: Entry
    order: int  # position in the sheet order (pack order, then entry order)
    key: str  # the prefix or keyword the typed word matched


def _keywords(entry: Entry) -> Iterable[str]:
    """Words that find an entry besides its prefix: API names (and their `_` suffixes), tags."""
    for api in entry.apis:
        name = api.rsplit(".", 1)[-1]
        parts = name.split("_")
        for i in range(len(parts)):
            yield "_".join(parts[i:])
    for tag in entry.tags:
        yield tag
        if "-" in tag:
            yield tag.replace("-", "_")


@dataclass
class SheetIndex:
    sheets: Tuple[Sheet, ...] = ()
    entries: List[Entry] = field(default_factory=list)
    _prefix_keys: List[Tuple[str, int]] = field(default_factory=list)
    _keyword_keys: List[Tuple[str, int]] = field(default_factory=list)
    by_api: Dict[str, Entry] = field(default_factory=dict)
    by_id: Dict[Tuple[str, str], Entry] = field(default_factory=dict)
    members: Dict[str, Tuple[Member, Entry]] = field(default_factory=dict)
    member_names: Dict[str, List[str]] = field(default_factory=dict)  # "drain" -> ["asyncio.StreamWriter.drain"]
    _facts: Optional[ApiFacts] = field(default=None, repr=False, compare=False)

    @property
    def facts(self) -> ApiFacts:
        """What the packs say their calls return and their attributes hold (the resolver's
        facts), made on first use: hover only."""
        if self._facts is None:
            from sheetls.apifacts import ApiFacts

            self._facts = ApiFacts.from_sheets(self.sheets)
        return self._facts

    @classmethod
    def build(cls, sheets: Sequence[Sheet]) -> SheetIndex:
        index = cls(sheets=tuple(sheets))
        for sheet in sheets:
            for entry in sheet.entries:
                order = len(index.entries)
                index.entries.append(entry)
                index.by_id[(sheet.id, entry.id)] = entry
                index._prefix_keys.append((entry.prefix.lower(), order))
                for word in set(_keywords(entry)):
                    index._keyword_keys.append((word.lower(), order))
                for api in entry.apis:
                    index.by_api.setdefault(api, entry)
            for member in sheet.members:
                owner = index.by_id.get((sheet.id, member.entry))
                if owner is not None and member.api not in index.members:
                    index.members[member.api] = (member, owner)
                    index.member_names.setdefault(member.name, []).append(member.api)
        index._prefix_keys.sort()
        index._keyword_keys.sort()
        return index

    def find(self, word: str, limit: int = 200) -> Tuple[List[Match], bool]:
        """Entries whose prefix starts with `word`, or with an API-name part or tag that does.

        Returns the matches in sheet order and whether the list was cut at `limit`.
        """
        w = word.lower()
        found: Dict[int, str] = {}
        prefix_of: Callable[[int], str] = lambda o: self.entries[o].prefix  # noqa: E731
        for keys, getkey in ((self._prefix_keys, prefix_of), (self._keyword_keys, None)):
            i = bisect.bisect_left(keys, (w, -1))
            while i < len(keys) and keys[i][0].startswith(w):
                key, order = keys[i]
                if order not in found:
                    found[order] = getkey(order) if getkey else key
                i += 1
                if len(found) > limit * 4:  # enough to fill `limit` in sheet order
                    break
        orders = sorted(found)
        cut = len(orders) > limit
        return [Match(self.entries[o], o, found[o]) for o in orders[:limit]], cut

    def all(self, limit: int = 200) -> Tuple[List[Match], bool]:
        return [Match(e, i, e.prefix) for i, e in enumerate(self.entries[:limit])], len(self.entries) > limit

    def entry_for_api(self, api: str) -> Optional[Entry]:
        return self.by_api.get(api)

    def member(self, api: str) -> Optional[Tuple[Member, Entry]]:
        return self.members.get(api)
