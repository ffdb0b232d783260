"""A buffer whose path has a space and a non-ASCII letter gets completion, hover and its
folder's .sheetls/ pack in real Neovim (issue 13, bug 1: percent-escaped URIs got nothing).
See lua/test_escaped_uri.lua."""


def test_path_with_a_space_and_an_accent_gets_completion_and_hover(run_lua):
    run_lua("test_escaped_uri.lua")
