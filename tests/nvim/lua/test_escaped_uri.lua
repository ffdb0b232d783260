-- A buffer whose path has a space and a non-ASCII letter (issue 13, bug 1): Neovim sends its
-- URI percent-escaped (file:///.../my%20project%20caf%c3%a9/...); sheetls used to answer
-- nothing for such documents. The project folder (its root marker) is that folder too, so
-- the workspace folder's URI is escaped as well, and a pack in its .sheetls/ is served.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local FOLDER = 'my project café'
local FILE = FOLDER .. '/client é.py'

local FIXTURE = {
  'import asyncio',
  '',
  '',
  'async def main():',
  '    reader, writer = await asyncio.open_connection("example.com", 80)',
  '    writer.close()',
}

H.run(function()
  local project = H.workspace .. '/' .. FOLDER
  vim.fn.mkdir(project .. '/.sheetls', 'p')
  vim.fn.writefile({ '[project]', 'name = "cafe"', 'version = "0"' }, project .. '/pyproject.toml')
  vim.fn.writefile({
    '{',
    '  "Team hello": {',
    '    "scope": "python",',
    '    "prefix": "teamhello",',
    '    "body": ["print(\\"hello from the team pack\\")"],',
    '    "description": "A pack in a folder whose path has a space and an accent"',
    '  }',
    '}',
  }, project .. '/.sheetls/team.code-snippets')
  local bufnr, c = H.open(FILE, FIXTURE)
  local sheetls = c.sheetls

  H.check('the buffer and the workspace folder reach sheetls percent-escaped', function()
    local uri = vim.uri_from_bufnr(bufnr)
    H.log('     buffer URI: ' .. uri)
    H.ok(uri:find('%20', 1, true) and uri:lower():find('%c3%a9', 1, true),
      'the URI is not escaped (nothing tested)', uri)
    local folders = vim.tbl_map(function(f)
      return f.uri
    end, sheetls.workspace_folders or {})
    H.log('     workspace folders: ' .. table.concat(folders, ' '))
    H.ok(vim.list_contains(folders, vim.uri_from_fname(project)),
      'the project folder is not the workspace folder', folders)
  end)

  H.check('aio <C-x><C-o> lists the whole sheet', function()
    H.cursor_on(bufnr, 'writer.close()')
    H.feed('o')
    H.feed('aio')
    H.omni({ sheetls })
    local labels = vim.tbl_map(function(i)
      return i.abbr
    end, H.menu_from(sheetls))
    H.log('     offered: ' .. table.concat(labels, ' '))
    for _, prefix in ipairs(H.prefixes()) do
      H.ok(vim.list_contains(labels, prefix), prefix .. ' is not offered', labels)
    end
    H.feed('<C-e><Esc>', 'nt')
    vim.cmd('silent undo')
  end)

  H.check('accepting aioopen inserts the entry and the file parses', function()
    H.cursor_on(bufnr, 'writer.close()')
    H.feed('o')
    H.feed('aioopen')
    H.omni({ sheetls })
    local count = vim.api.nvim_buf_line_count(bufnr)
    H.accept('aioopen')
    H.wait(function()
      return vim.api.nvim_buf_line_count(bufnr) > count
    end, 'the snippet to expand')
    H.feed('<Esc>', 'nt')
    if vim.snippet.active() then
      vim.snippet.stop()
    end
    local text = H.assert_parses(bufnr)
    local _, n = text:gsub('open_connection%(', '')
    H.eq(2, n, 'open_connection calls in the buffer (the fixture one and the inserted one)')
    vim.cmd('silent edit!') -- back to the fixture for the hover
    vim.fn.writefile(FIXTURE, vim.api.nvim_buf_get_name(bufnr))
    vim.cmd('silent edit!')
  end)

  H.check('K on asyncio.open_connection shows the sheet entry', function()
    local entry = H.entry_for_api('asyncio.open_connection')
    H.cursor_on(bufnr, 'open_connection', 2)
    local text = H.hover({ sheetls })
    H.ok(text, 'no hover float on open_connection')
    H.log('     float: ' .. text:match('^[^\n]*'))
    H.contains(text, entry.title, 'the float shows the entry title')
    H.contains(text, 'open_connection', 'the float shows the API')
  end)

  H.check('a pack in the escaped folder\'s .sheetls/ is served', function()
    H.cursor_on(bufnr, 'writer.close()')
    H.feed('o')
    H.feed('teamhel')
    H.omni({ sheetls })
    local labels = vim.tbl_map(function(i)
      return i.abbr
    end, H.menu_from(sheetls))
    H.ok(vim.list_contains(labels, 'teamhello'), 'the .sheetls/ pack is not offered', labels)
    H.feed('<C-e><Esc>', 'nt')
    vim.cmd('silent undo')
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
