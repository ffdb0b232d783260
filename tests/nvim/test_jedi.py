"""sheetls beside jedi-language-server in one buffer."""


def test_sheetls_beside_jedi_language_server(run_lua, jedi_bin):
    run_lua("test_with_jedi.lua", SHEETLS_JEDI=jedi_bin)
