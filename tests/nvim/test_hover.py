"""vim.lsp.buf.hover() in headless Neovim: the sheet's entry on its APIs, nothing elsewhere."""


def test_hover_float_on_documented_apis_and_nothing_on_plain_names(run_lua):
    run_lua("test_hover.lua")
