"""The pack YAML reader (sheetls/yaml_source.py): the same values as yaml.safe_load for every
document a pack may hold, with the right lines, and a clear refusal of everything else."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetls.loader import builtin_sheet_path
from sheetls.yaml_source import MAX_DEPTH, YamlError, parse_yaml

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=30),
)
KEYS = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12)
DATA = st.recursive(
    SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEYS, inner, max_size=5)),
    max_leaves=40,
)


@settings(
    max_examples=150, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(
    data=st.dictionaries(KEYS, DATA, min_size=1, max_size=6),
    style=st.sampled_from([None, False, True]),
    unicode=st.booleans(),
)
def test_same_values_as_safe_load(data, style, unicode):
    text = yaml.safe_dump(data, default_flow_style=style, allow_unicode=unicode, sort_keys=False)
    expected = yaml.safe_load(text)
    assert parse_yaml(text).plain() == expected


def test_the_builtin_sheet_reads_as_safe_load_does():
    text = open(builtin_sheet_path(), encoding="utf-8").read()
    assert parse_yaml(text).plain() == yaml.safe_load(text)


def test_lines_of_values_and_keys():
    root = parse_yaml("a: 1\nb:\n  - x\n  - |\n    block\nc: {d: e}\n")
    assert root.line == 1
    assert (root.value["a"].line, root.value["a"].key_line) == (1, 1)
    items = root.value["b"].value
    assert [i.line for i in items] == [3, 4] and items[1].block and not items[0].block
    assert root.value["c"].value["d"].line == 6 and root.value["c"].key_line == 6


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("a: 1\nb: &x [1]\nc: *x\n", 3, "aliases (*name) are not allowed"),
        ("a: &s text\nb: *s\n", 2, "aliases (*name) are not allowed"),
        ("base: &b {k: 1}\nm:\n  <<: *b\n", 3, "merge keys (<<) are not allowed"),
        ("m:\n  <<: {k: 1}\n", 2, "merge keys (<<) are not allowed"),
        ("a: 1\na: 2\n", 2, "duplicate key 'a' (first at line 1)"),
        ("a: !!python/object:os.system x\n", 1, "tag !!python/object:os.system is not allowed"),
        ("a: !!python/name:os.system\n", 1, "tag !!python/name:os.system is not allowed"),
        ("- !!python/object/apply:os.system [ls]\n", 1, "tag !!python/object/apply:os.system is not allowed on a list"),
        ("a: !!binary aGk=\n", 1, "tag !!binary is not allowed"),
        ("a: 2024-01-01\n", 1, "tag !!timestamp is not allowed"),
        ("a: !custom x\n", 1, "tag !custom is not allowed"),
        ("? [k]\n: v\n", 1, "mapping keys must be plain strings"),
        ("a: 1\n---\nb: 2\n", 2, "one YAML document"),
        ("a: 1\nb: [\n", 3, "invalid YAML"),
        ("a: 1\nb: \x07\n", 2, "control characters are not allowed"),
        ("", 1, "the file is empty"),
        ("# only a comment\n", 1, "the file is empty"),
        ("n: " + "7" * 5000 + "\n", 1, "cannot read !!int"),
    ],
)
def test_refusals_name_the_line(text, line, message):
    with pytest.raises(YamlError) as info:
        parse_yaml(text)
    assert info.value.line == line and message in info.value.message, (info.value.line, info.value.message)


def test_depth_and_node_limits():
    parse_yaml("[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1))  # 31 lists inside the root list: fine
    with pytest.raises(YamlError, match=f"nesting deeper than {MAX_DEPTH} levels"):
        parse_yaml("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1))
    with pytest.raises(YamlError, match="more than 1,000 YAML values") as info:
        parse_yaml("- a\n" * 2000, max_nodes=1000)
    assert info.value.line == 1000
