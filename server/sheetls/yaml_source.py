"""Safe YAML reading with a line number on every value.

Packs come from any repository a user opens, so this reader builds plain data from the
composed node tree itself: only the standard scalar, sequence and mapping tags are accepted
(never `!!python/...`), aliases are refused (no alias bombs), nesting depth and file size
are bounded.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Dict, List, Union

import yaml

try:  # libyaml when present: ~10x faster parsing; the pure-Python parser otherwise
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32

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


class YamlError(ValueError):
    """An unreadable or unsafe YAML file; `line` is 1-based (0 when the file has no line)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Y:
    """A YAML value with the 1-based line it starts on.

    `value` is a str/int/float/bool/None, a list of Y, or a dict of str -> Y. For a block
    scalar (`|` or `>`), its text starts on the line after `line`.
    """

    value: Union[None, str, int, float, bool, List["Y"], Dict[str, "Y"]]
    line: int
    block: bool = False
    key_line: int = 0  # for a mapping value: the line of its key

    def plain(self) -> Any:
        """The value without line information."""
        if isinstance(self.value, list):
            return [v.plain() for v in self.value]
        if isinstance(self.value, dict):
            return {k: v.plain() for k, v in self.value.items()}
        return self.value


def read_text(path: str, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a pack file as UTF-8 text, refusing huge, binary and non-UTF-8 files."""
    try:
        size = os.path.getsize(path)
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}") from None
    if size > max_bytes:
        raise YamlError(f"file is {size:,} bytes, over the {max_bytes:,}-byte limit for a pack")
    try:
        with open(path, "rb") as f:
            data = f.read(max_bytes + 1)
    except OSError as exc:
        raise YamlError(f"cannot read file: {exc.strerror or exc}") from None
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise YamlError("binary file (NUL byte): a pack must be UTF-8 text", line)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", line) from None


def parse_yaml(text: str) -> Y:
    """Parse one YAML document into Y values; raise YamlError with the line of the problem."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlError(f"invalid YAML: {exc.problem or exc.context}", mark.line + 1 if mark else 0) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"invalid YAML: {exc}") from None
    except RecursionError:
        raise YamlError(f"invalid YAML: nesting deeper than the parser allows") from None
    finally:
        loader.dispose()
    if node is None:
        raise YamlError("the file is empty", 1)
    return _build(node, loader, set(), 0)


def _build(node: yaml.Node, loader, seen: set, depth: int) -> Y:
    line = node.start_mark.line + 1
    if depth > MAX_DEPTH:
        raise YamlError(f"nesting deeper than {MAX_DEPTH} levels", line)
    if id(node) in seen:
        raise YamlError("YAML aliases (*name) are not allowed in a pack", line)
    if isinstance(node, yaml.ScalarNode):
        if node.tag not in _SCALAR_TAGS:
            raise YamlError(f"tag {_short(node.tag)} is not allowed (only plain strings, numbers, booleans, null)", line)
        value = node.value if node.tag == _STR else loader.construct_object(node)
        return Y(value, line, block=node.style in ("|", ">"))
    seen.add(id(node))
    if isinstance(node, yaml.SequenceNode):
        if node.tag != _SEQ:
            raise YamlError(f"tag {_short(node.tag)} is not allowed on a list", line)
        return Y([_build(item, loader, seen, depth + 1) for item in node.value], line)
    if isinstance(node, yaml.MappingNode):
        if node.tag != _MAP:
            raise YamlError(f"tag {_short(node.tag)} is not allowed on a mapping", line)
        out: Dict[str, Y] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlError("mapping keys must be plain strings (no merge keys)", key_line)
            key = key_node.value
            if key in out:
                raise YamlError(f"duplicate key {key!r} (first at line {out[key].key_line})", key_line)
            value = _build(value_node, loader, seen, depth + 1)
            value.key_line = key_line
            out[key] = value
        return Y(out, line)
    raise YamlError(f"unsupported YAML node {type(node).__name__}", line)  # pragma: no cover


def _short(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:") :] if tag.startswith("tag:yaml.org,2002:") else tag
