"""The indentation unit of inserted nested blocks in real Neovim (issue 13, bug 9): the file's
code unit where the file has one (never its docstring's), else the editor's own setting
(vim.snippet turns the snippet's tab into 'shiftwidth' spaces with 'expandtab', keeps it
with 'noexpandtab'). See lua/test_indent_unit.lua."""

import pytest


@pytest.mark.parametrize("sw", ["", "2"], ids=["ftplugin-defaults", "shiftwidth-2"])
def test_demo_file_gets_its_code_unit_not_its_docstring_one(run_lua, sw):
    """`make try`'s demo (4-space code, 2-space docstring bullets): 4-space steps, also when
    'shiftwidth' is 2."""
    run_lua("test_indent_unit.lua", SHEETLS_CASE="demo", SHEETLS_SW=sw)


@pytest.mark.parametrize(
    "expandtab,sw",
    [("1", "2"), ("1", "4"), ("0", "4")],
    ids=["expandtab-sw2", "expandtab-sw4", "noexpandtab"],
)
def test_file_without_blocks_follows_the_editor_setting(run_lua, expandtab, sw):
    run_lua("test_indent_unit.lua", SHEETLS_CASE="noblock", SHEETLS_EXPANDTAB=expandtab, SHEETLS_SW=sw)
