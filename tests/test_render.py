"""Rendering details people see in hovers and completion docs."""

import ast
import re

import pytest

from sheetls.loader import builtin_sheet_path, load_pack
from sheetls.model import Versions, parse_version
from sheetls.render import entry_markdown, entry_plain, format_signature, member_markdown, sheet_markdown

SHEET = load_pack(builtin_sheet_path()).sheet


@pytest.mark.parametrize("entry", SHEET.entries, ids=lambda e: e.prefix)
def test_signatures_wrap_to_the_hover_width_and_stay_python(entry):
    text = format_signature(entry.signature)
    assert all(len(line) <= 72 for line in text.split("\n")[1:-1]), text
    name, _, rest = text.partition("(")
    # the wrapped signature is still a valid def header: nothing lost or reordered
    ast.parse(f"def f({rest}: pass")
    squeeze = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    assert squeeze(text).replace(",)", ")", 1) == squeeze(entry.signature)


def test_short_signatures_are_left_alone():
    assert (
        format_signature("asyncio.to_thread(func: Callable[..., T], /, *args, **kwargs) -> T")
        == "asyncio.to_thread(func: Callable[..., T], /, *args, **kwargs) -> T"
    )


def test_signature_and_example_are_set_apart():
    text = entry_markdown(SHEET.entries[0])
    assert "\n\n**Example**\n\n```python\nimport asyncio" in text
    assert text.index("```python\nasyncio.open_connection(") < text.index("**Example**")


# --- versions: the target Python (issue 14) ---------------------------------------------------

BY_PREFIX = {e.prefix: e for e in SHEET.entries}
MEMBERS = {m.api: m for m in SHEET.members}


def test_versions_apply_and_label():
    v = Versions(added="3.11", removed="3.13")
    assert [v.applies(t) for t in [(3, 10), (3, 11), (3, 12), (3, 13)]] == [False, True, True, False]
    assert v.applies(None)
    assert v.label() == "3.11 to 3.12"
    assert Versions(added="3.13").label() == "3.13+"
    assert Versions(removed="3.12").label() == "before 3.12"
    assert Versions(changed="3.12").label() == "changed in 3.12" and Versions(changed="3.12").applies((3, 9))
    assert parse_version("3.10") == (3, 10) and parse_version("3.1.0") is None and parse_version("x") is None


def test_a_parameter_the_target_lacks_is_marked_not_hidden():
    entry = BY_PREFIX["aioserver"]
    text = entry_markdown(entry, target=(3, 10))
    assert "keep_alive=None" in text  # still in the signature
    assert "**For Python 3.10:**" in text
    assert "- `keep_alive`: 3.13+, your target is 3.10" in text
    assert "- `ssl_shutdown_timeout`: 3.11+, your target is 3.10" in text
    newer = entry_markdown(entry, target=(3, 13))
    assert "your target" not in newer and "- `keep_alive`: 3.13+" in newer
    plain = entry_plain(entry, target=(3, 12))
    assert "For Python 3.12:\n" in plain and "`keep_alive`: 3.13+, your target is 3.12" in plain


def test_an_api_the_target_lacks_is_marked():
    text = entry_plain(BY_PREFIX["aiothread"], target=(3, 8))
    assert "`asyncio.to_thread`: 3.9+, your target is 3.8" in text
    assert "For Python 3.9:" in entry_plain(BY_PREFIX["aiothread"], target=(3, 9))
    assert "all of it is there" in entry_plain(BY_PREFIX["aiothread"], target=(3, 9))


def test_pitfalls_are_those_of_the_target():
    entry = BY_PREFIX["aioserver"]
    shutdown, old_handler = "waits until every client has disconnected", "stays open and the client waits forever"
    every = entry_markdown(entry)
    assert "- (3.12+) Cancelling" in every and "- (before 3.11) After an exception" in every
    assert shutdown not in entry_markdown(entry, target=(3, 11)) and old_handler not in entry_markdown(
        entry, target=(3, 11)
    )
    assert shutdown in entry_markdown(entry, target=(3, 12)) and old_handler in entry_markdown(entry, target=(3, 10))
    exec_entry = BY_PREFIX["aioexec"]
    assert "closes a piped stdin only when given" in entry_plain(exec_entry, target=(3, 11))
    assert "closes a piped stdin only when given" not in entry_plain(exec_entry, target=(3, 12))


def test_member_notes_speak_for_the_target():
    communicate = MEMBERS["asyncio.subprocess.Process.communicate"]
    owner = BY_PREFIX["aioexec"]
    old, new = member_markdown(communicate, owner, target=(3, 11)), member_markdown(communicate, owner, target=(3, 12))
    assert "leaves a piped stdin open" in old and "leaves a piped stdin open" not in new
    assert "closes a piped stdin even without" in new and "closes a piped stdin even without" not in old
    close_clients = MEMBERS["asyncio.Server.close_clients"]
    assert "**Python:** 3.13+, your target is 3.12" in member_markdown(
        close_clients, BY_PREFIX["aioserver"], target=(3, 12)
    )
    assert "**Python:** 3.13+\n" in member_markdown(close_clients, BY_PREFIX["aioserver"])


def test_the_sheet_says_which_python_it_speaks_for():
    assert "\n*For Python 3.9 to 3.13.*\n" in sheet_markdown(SHEET)
    text = sheet_markdown(SHEET, "detailed", target=(3, 10))
    assert "\n*For Python 3.10.*\n" in text and "`keep_alive`: 3.13+, your target is 3.10" in text
