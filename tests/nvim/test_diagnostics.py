"""sheetls's diagnostics in headless Neovim 0.11 with nvim-client/: on by default (the server's
`diagnostics` option), SHEET101 on `time.sleep(1)` in an `async def` (vim.diagnostic.get, the
float), the preferred quick fix applied through vim.lsp.buf.code_action (the `gra` menu and
apply = true with a filter), the fixed buffer compiled, noqa comments; turned off through
`init_options` or `settings`, nothing until :SheetlsDiagnostics turns them on, and
:SheetlsDiagnostics off / toggle clearing them."""

import pytest


@pytest.mark.parametrize("mode", ["default", "settings"])
def test_diagnostics_and_quick_fix_when_on(run_lua, mode):
    """On with nothing set (the default) or with `settings = { sheetls = { diagnostics = true } }`."""
    run_lua("test_diagnostics.lua", SHEETLS_DIAG_MODE=mode)


@pytest.mark.parametrize("mode", ["off", "settings_off"])
def test_nothing_when_turned_off_until_sheetls_diagnostics_turns_them_on(run_lua, mode):
    """Off through `init_options = { diagnostics = false }` (the documented way) or `settings`."""
    run_lua("test_diagnostics.lua", SHEETLS_DIAG_MODE=mode)
