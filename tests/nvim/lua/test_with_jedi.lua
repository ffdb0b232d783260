-- sheetls beside jedi-language-server (SHEETLS_JEDI) in the same buffer, configured the
-- 0.11 way: both attach, sheetls's items and hover appear next to jedi's, nothing breaks.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')

local jedi_cmd = os.getenv('SHEETLS_JEDI')
assert(jedi_cmd, 'SHEETLS_JEDI is not set')
vim.lsp.config('jedi_language_server', {
  cmd = { jedi_cmd },
  filetypes = { 'python' },
  root_markers = { 'pyproject.toml', 'setup.py', '.git' },
})
vim.lsp.enable('jedi_language_server')
H.setup()

local FIXTURE = {
  'import asyncio',
  '',
  '',
  'async def main():',
  '    reader, writer = await asyncio.open_connection("example.com", 80)',
  '    total = 41 + 1',
  '    print(total)',
  '',
}

H.run(function()
  local bufnr, c = H.open('both.py', FIXTURE, { 'sheetls', 'jedi_language_server' })
  local sheetls, jedi = c.sheetls, c.jedi_language_server
  local both = { sheetls, jedi }

  H.check('both servers are attached to the buffer', function()
    local names = vim.tbl_map(function(cl)
      return cl.name
    end, vim.lsp.get_clients({ bufnr = bufnr }))
    table.sort(names)
    H.eq({ 'jedi_language_server', 'sheetls' }, names, 'attached clients')
  end)

  H.check('`aio` offers the six entries of sheetls among the menu, and aioopen expands', function()
    vim.api.nvim_win_set_cursor(0, { 7, 0 })
    H.feed('o')
    H.feed('aio')
    H.omni(both)
    local labels = vim.tbl_map(function(i)
      return i.abbr
    end, H.menu_from(sheetls))
    H.eq(H.prefixes(), labels, 'sheetls entries in the menu')
    H.log(('     menu: %d entries (%d from sheetls, %d from jedi)'):format(#H.menu(), #labels, #H.menu_from(jedi)))
    local n = vim.api.nvim_buf_line_count(bufnr)
    H.accept('aioopen', sheetls)
    H.wait(function()
      return vim.api.nvim_buf_line_count(bufnr) > n
    end, 'the snippet to expand')
    H.sleep(50)
    H.feed('<Esc>', 'nt')
    local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 7, -1, false), '\n')
    H.contains(text, 'await asyncio.wait_for(asyncio.open_connection(', 'expanded body')
    H.assert_parses(bufnr)
  end)

  H.check('hover on asyncio.open_connection shows sheetls entry next to jedi', function()
    H.cursor_on(bufnr, 'asyncio.open_connection', #'asyncio.' + 2)
    local text = H.ok(H.hover(both), 'no hover float')
    H.log('     float:\n       ' .. text:gsub('\n', '\n       '))
    H.contains(text, '# sheetls', 'sheetls section of the float')
    H.contains(text, '# jedi_language_server', 'jedi section of the float')
    H.contains(text, H.entry_for_api('asyncio.open_connection').title, 'sheet entry in the float')
    H.close_floats()
  end)

  H.check('hover on a plain name: jedi speaks alone', function()
    H.cursor_on(bufnr, 'print(total)', 7)
    H.eq(nil, H.request_at_cursor(sheetls, 'textDocument/hover'), 'sheetls hover reply')
    local text = H.ok(H.hover(both), 'no hover float (jedi should answer)')
    H.ok(not text:find('# sheetls', 1, true), 'sheetls took part in the float', text)
    for _, e in ipairs(H.entries) do
      H.ok(not text:find(e.title, 1, true), 'a sheet entry in the float', text)
    end
    H.close_floats()
  end)

  H.check('both servers still run and nothing reported an error', function()
    H.ok(not sheetls:is_stopped(), 'sheetls stopped')
    H.ok(not jedi:is_stopped(), 'jedi stopped')
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
