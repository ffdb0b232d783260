"""sheetls's diagnostics in headless Neovim 0.11 with nvim-client/: SHEET101 on `time.sleep(1)`
in an `async def` (vim.diagnostic.get, the float), the preferred quick fix applied through
vim.lsp.buf.code_action (the `gra` menu and apply = true with a filter), the fixed buffer
compiled, noqa comments, and the option off by default, switched by :SheetlsDiagnostics."""

import pytest


@pytest.mark.parametrize("mode", ["init_options", "settings"])
def test_diagnostics_and_quick_fix_when_turned_on(run_lua, mode):
    """On through `init_options` (the documented way) or through `settings`."""
    run_lua("test_diagnostics.lua", SHEETLS_DIAG_MODE=mode)


def test_nothing_when_off_until_sheetls_diagnostics_turns_them_on(run_lua):
    run_lua("test_diagnostics.lua", SHEETLS_DIAG_MODE="off")
