"""Real typing in headless Neovim: <C-x><C-o>, <C-y>, <Tab>, at the right columns."""

import pytest


@pytest.mark.parametrize("caps", ["builtin", "nvim-cmp", "blink.cmp"])
@pytest.mark.parametrize("expandtab", ["1", "0"], ids=["expandtab", "noexpandtab"])
def test_snippet_expands_indented_with_tab_stops(run_lua, expandtab, caps):
    """Neovim's own capabilities, and those nvim-cmp / blink.cmp declare."""
    run_lua("test_snippet_typing.lua", SHEETLS_EXPANDTAB=expandtab, SHEETLS_CAPS=caps)


def test_aio_offers_the_sheet_where_code_goes_and_nothing_in_comments_or_strings(run_lua):
    run_lua("test_completion_contexts.lua")


@pytest.mark.parametrize("encoding", ["", "utf-8", "utf-16", "utf-32"], ids=["negotiated", "utf-8", "utf-16", "utf-32"])
def test_emoji_and_cjk_before_the_cursor(run_lua, encoding):
    run_lua("test_unicode.lua", SHEETLS_ENCODING=encoding)


def test_accepted_entries_bring_their_import_once_and_fit_plain_defs(run_lua):
    run_lua("test_imports.lua")
