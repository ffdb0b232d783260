"""nvim-client/ attaches sheetls the 0.11 way, and :SheetlsSheet shows the sheet."""


def test_attaches_to_python_buffers_only(run_lua):
    run_lua("test_attach.lua")


def test_g_sheetls_cmd_overrides_the_command(run_lua, sheetls_bin):
    run_lua("test_attach.lua", SHEETLS_CMD_OVERRIDE=f"{sheetls_bin} --stdio")


def test_sheet_command_shows_the_sheet(run_lua):
    run_lua("test_sheet_command.lua")


def test_two_lines_of_set_up_give_expanding_snippets(run_lua):
    run_lua("test_two_lines.lua")
