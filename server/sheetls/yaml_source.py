"""Safe YAML reading with a line number on every value.

Packs come from any repository a user opens, so this reader builds plain data itself, in one
streaming pass over the parser's events (no node tree, no recursion, no constructor of
PyYAML's beyond the standard scalars):

- only the standard scalar, sequence and mapping tags are accepted (never `!!python/...`:
  nothing named in a pack is ever imported or called);
- aliases (`*name`) and merge keys are refused (no alias bombs);
- bounded: the file (MAX_FILE_BYTES), nesting (MAX_DEPTH), the number of YAML nodes
  (MAX_NODES), which bounds the memory the result takes; only regular files are read (a
  FIFO, a device or a directory named like a pack is refused without blocking).

Measured bounds (SECURITY.md has the table; tests/reliability/test_hostile_packs.py measures
them again): the worst shape found under these limits (480,000 values nested 31 deep) takes
4-6 s and 126 MB peak RSS for the whole `sheetls check`; a 10,000-entry pack parses in 0.31 s.
"""

from __future__ import annotations

import os
import stat
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple, Union

if TYPE_CHECKING:  # (PyYAML itself is imported on first parse)
    from yaml.events import ScalarEvent

# A PyYAML SafeLoader or CSafeLoader. Any: the stubs type the C parser's events as
# Optional[Event], and _build dispatches on each event's exact type, which mypy cannot follow.
_YamlLoader = Any

yaml: Any = None  # PyYAML, imported on first parse: the server's start-up need not wait for it
_Loader: Any = None


def _import_yaml() -> None:
    global yaml, _Loader
    if yaml is None:
        import yaml as _yaml

        # libyaml when present: ~10x faster parsing; the pure-Python parser otherwise
        _Loader = getattr(_yaml, "CSafeLoader", None) or _yaml.SafeLoader
        yaml = _yaml


MAX_FILE_BYTES = 8 * 1024 * 1024  # a 10,000-entry pack is 3.7 MB
MAX_DEPTH = 32  # a pack needs 6 levels
MAX_NODES = 500_000  # a 10,000-entry pack has 200,000

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


class YamlError(ValueError):
    """An unreadable or unsafe YAML file; `line` is 1-based (0 when the file has no line)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


class YamlNode:
    """A YAML value with the 1-based line it starts on.

    `value` is a str/int/float/bool/None, a list of YamlNode, or a dict of str -> YamlNode. For a block
    scalar (`|` or `>`), its text starts on the line after `line`. (Slots: a big pack has
    ~200,000 of these.)
    """

    __slots__ = ("value", "line", "block", "key_line")

    def __init__(
        self,
        value: Union[None, str, int, float, bool, List[YamlNode], Dict[str, YamlNode]],
        line: int,
        block: bool = False,
        key_line: int = 0,
    ):
        self.value = value
        self.line = line
        self.block = block
        self.key_line = key_line  # for a mapping value: the line of its key

    def __repr__(self) -> str:
        return f"YamlNode({self.value!r}, line={self.line})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, YamlNode) and (self.value, self.line, self.block, self.key_line) == (
            other.value,
            other.line,
            other.block,
            other.key_line,
        )

    __hash__ = None  # type: ignore[assignment]  # mutable: not hashable

    def plain(self) -> Any:
        """The value without line information."""
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        return self.value


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a pack file as UTF-8 text, refusing non-regular, huge, binary and non-UTF-8 files."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then refuses it.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = (
                "a directory"
                if stat.S_ISDIR(st.st_mode)
                else "a FIFO"
                if stat.S_ISFIFO(st.st_mode)
                else "a device"
                if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
                else "a socket"
                if stat.S_ISSOCK(st.st_mode)
                else "not a regular file"
            )
            raise YamlError(f"cannot read file: it is {kind}, not a regular file")
        if st.st_size > max_bytes:
            raise YamlError(f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit for a pack")
        chunks = []
        total = 0
        while total <= max_bytes:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if len(data) > max_bytes:  # grew while being read
        raise YamlError(f"file is over the {max_bytes:,}-byte limit for a pack")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise YamlError("binary file (NUL byte): a pack must be UTF-8 text", line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line) from None


def parse_yaml(text: str, max_nodes: int = MAX_NODES, max_depth: int = MAX_DEPTH) -> YamlNode:
    """Parse one YAML document into YamlNode values; raise YamlError with the line of the problem."""
    _import_yaml()
    loader = _Loader(text)
    try:
        return _build(loader, max_nodes, max_depth)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", mark.line + 1 if mark else 0) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else 0
        raise YamlError(f"invalid YAML: {exc.reason} (character {exc.character!r})", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    finally:
        loader.dispose()


# An open collection while building: its node, its value as a mapping or as a list, the key
# its next value goes under and that key's line.
_Open = Tuple[Optional[YamlNode], Optional[Dict[str, YamlNode]], Optional[List[YamlNode]], Optional[str], int]


def _build(loader: _YamlLoader, max_nodes: int, max_depth: int) -> YamlNode:
    """One pass over the events: check, count and build. The innermost open collection and
    its pending key live in locals; the outer ones wait on a stack."""
    loader.get_event()  # StreamStart
    if loader.check_event(yaml.StreamEndEvent):
        raise YamlError("the file is empty", 1)
    loader.get_event()  # DocumentStart
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    seq_end, map_end = yaml.SequenceEndEvent, yaml.MappingEndEvent
    # Plain scalars whose first character starts no implicit tag (bool, int, null...) are
    # strings: most of a pack, resolved here without PyYAML's per-value resolver call.
    resolvable = frozenset(loader.yaml_implicit_resolvers)
    get_event = loader.get_event
    stack: List[_Open] = []  # (cur, cur_map, cur_seq, key, key_line) of each outer collection
    cur: Optional[YamlNode] = None  # the innermost open collection
    cur_map: Optional[Dict[str, YamlNode]] = None  # ...its value when it is a mapping
    cur_seq: Optional[List[YamlNode]] = None  # ...its value when it is a list
    key: Optional[str] = None  # ...whose next value goes under this key
    key_line = 0
    root: Optional[YamlNode] = None
    nodes = 0
    while root is None:
        event = get_event()
        kind = type(event)
        line = event.start_mark.line + 1
        if kind is map_end or kind is seq_end:
            if cur is None:  # never: the parser closes only what it opened
                raise YamlError("unbalanced YAML events", line)
            y = cur
            cur, cur_map, cur_seq, key, key_line = stack.pop()
        else:
            nodes += 1
            if nodes > max_nodes:
                raise YamlError(f"more than {max_nodes:,} YAML values: over the limit for a pack", line)
            if kind is scalar_event:
                tag = event.tag
                value = event.value
                if tag is None or tag == "!":
                    if not event.implicit[0] or (value and value[0] not in resolvable):
                        tag = _STR
                    else:
                        tag = loader.resolve(yaml.ScalarNode, value, event.implicit)
                if cur_map is not None and key is None:  # a mapping's key
                    if tag == _MERGE:
                        raise YamlError("merge keys (<<) are not allowed in a pack", line)
                    if value in cur_map:
                        first = cur_map[value].key_line
                        raise YamlError(f"duplicate key {value!r} (first at line {first})", line)
                    key, key_line = value, line
                    continue
                style = event.style
                y = YamlNode(
                    value if tag == _STR else _scalar(loader, event, tag, line), line, style == "|" or style == ">"
                )
            elif kind is mapping_start or kind is sequence_start:
                if cur_map is not None and key is None:
                    raise YamlError("mapping keys must be plain strings", line)
                if len(stack) >= max_depth:
                    raise YamlError(f"nesting deeper than {max_depth} levels", line)
                is_map = kind is mapping_start
                tag = event.tag
                if tag is None or tag == "!":
                    tag = _MAP if is_map else _SEQ
                if tag != (_MAP if is_map else _SEQ):
                    raise YamlError(f"tag {_short(tag)} is not allowed on a {'mapping' if is_map else 'list'}", line)
                stack.append((cur, cur_map, cur_seq, key, key_line))
                if is_map:
                    cur_map, cur_seq = {}, None
                    cur = YamlNode(cur_map, line)
                else:
                    cur_map, cur_seq = None, []
                    cur = YamlNode(cur_seq, line)
                key, key_line = None, 0
                continue
            elif isinstance(event, yaml.AliasEvent):
                raise YamlError("YAML aliases (*name) are not allowed in a pack", line)
            else:
                raise YamlError(f"unexpected YAML event {kind.__name__}", line)
        # attach the finished value to its parent
        if cur is None:
            root = y
        elif cur_map is not None and key is not None:
            y.key_line = key_line
            cur_map[key] = y
            key = None
        elif cur_seq is not None:
            cur_seq.append(y)
        else:  # never: a mapping's value comes after its key
            raise YamlError("a mapping value without a key", line)
    loader.get_event()  # DocumentEnd
    if not loader.check_event(yaml.StreamEndEvent):
        event = loader.peek_event()
        raise YamlError("a pack is one YAML document; found another", event.start_mark.line + 1)
    return root


def _scalar(loader: _YamlLoader, event: ScalarEvent, tag: str, line: int) -> Union[None, str, int, float, bool]:
    if tag == _STR:
        return event.value
    if tag not in _SCALAR_TAGS:
        raise YamlError(f"tag {_short(tag)} is not allowed (only plain strings, numbers, booleans, null)", line)
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        # the standard constructor of one of the scalar tags: one of these
        value: Union[None, str, int, float, bool] = loader.yaml_constructors[tag](loader, node)
        return value
    except Exception as exc:  # e.g. an integer of 10,000 digits (int() refuses over 4,300)
        raise YamlError(f"cannot read {_short(tag)} value {event.value[:40]!r}: {exc}", line) from None


def _short(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
