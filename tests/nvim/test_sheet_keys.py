"""The :SheetlsSheet buffer's keys in headless Neovim (issue 17): Y yanks the example of the
entry under the cursor, I inserts the entry into the previous window at its cursor in the form
the server says fits (sheetls.formAt), :SheetlsEntry opens the sheet at an entry.
See lua/test_sheet_keys.lua."""


def test_yank_and_insert_keys_and_sheetls_entry(run_lua):
    run_lua("test_sheet_keys.lua")
