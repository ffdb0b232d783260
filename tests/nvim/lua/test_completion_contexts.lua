-- Typing `aio` then <C-x><C-o> offers the whole sheet (labels, titles, snippet kind)
-- where code can go; in comments, string literals and after a `.` sheetls offers nothing.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local CONTRACT = { 'aioopen', 'aioserver', 'aioexec', 'aioshell', 'aiothread', 'aioexecutor' }

local FIXTURE = {
  'import asyncio',
  '',
  '',
  'async def main():',
  '    value = 1',
  '',
  '',
  '# end',
}

--- Puts `before .. after` on 1-based `row`, enters insert mode between them, types `word`
--- and <C-x><C-o>; returns sheetls's menu entries and its raw answer at that spot.
local function complete_in(bufnr, sheetls, row, before, after, word)
  H.feed('<Esc>', 'nt')
  vim.api.nvim_buf_set_lines(bufnr, row - 1, row, false, { before .. after })
  if after == '' then
    vim.api.nvim_win_set_cursor(0, { row, 0 })
    H.feed('A')
  else
    vim.api.nvim_win_set_cursor(0, { row, #before })
    H.feed('i')
  end
  H.feed(word)
  H.eq(before .. word .. after, vim.api.nvim_get_current_line(), 'typed line')
  H.omni({ sheetls })
  local menu = H.menu_from(sheetls)
  local raw = H.request_at_cursor(sheetls, 'textDocument/completion')
  H.feed('<C-e><Esc>', 'nt')
  return menu, raw
end

local function raw_items(raw)
  if raw == nil or raw == vim.NIL then
    return {}
  end
  return raw.items or raw
end

H.run(function()
  local bufnr, c = H.open('contexts.py', FIXTURE)
  local sheetls = c.sheetls

  local function expect_sheet(row, before, after, where)
    local menu = complete_in(bufnr, sheetls, row, before, after, 'aio')
    local labels = vim.tbl_map(function(i)
      return i.abbr
    end, menu)
    for _, p in ipairs(CONTRACT) do
      H.ok(vim.list_contains(labels, p), ('%s: %s not offered'):format(where, p), labels)
    end
    H.eq(H.prefixes(), labels, where .. ': the menu lists the sheet, in its order')
    for i, it in ipairs(menu) do
      local e = H.entries[i]
      H.eq('Snippet', it.kind, it.abbr .. ' kind')
      H.ok(it.menu:find(e.title, 1, true), it.abbr .. ': the menu shows the entry title', it.menu, e.title)
      H.ok(type(it.info) == 'string' and it.info ~= '', it.abbr .. ': no documentation', it.info)
    end
    return menu
  end

  H.check('`aio` in an async def body offers all six entries, with titles', function()
    local menu = expect_sheet(6, '    ', '', 'async def body')
    for _, it in ipairs(menu) do
      H.log(('     %-12s %s'):format(it.abbr, it.menu))
    end
  end)

  H.check('`aio` at module level offers all six entries', function()
    expect_sheet(7, '', '', 'module level')
  end)

  local quiet = {
    { 'a comment line', '    # connect with ', '' },
    { 'a comment after code', '    value = 2  # ', '' },
    { 'a double-quoted string', '    s = "', '"' },
    { 'a single-quoted string', "    s = 'x ", "'" },
    { 'an f-string', '    s = f"{value} ', '"' },
    { 'a bytes literal', '    s = b"', '"' },
    { 'an unterminated string being typed', '    s = "', '' },
    { 'a triple-quoted string', '    s = """first line ', '"""' },
    { 'attribute access', '    asyncio.', '' },
  }
  for _, q in ipairs(quiet) do
    H.check('nothing from sheetls in ' .. q[1], function()
      local menu, raw = complete_in(bufnr, sheetls, 6, q[2], q[3], 'aio')
      H.eq({}, vim.tbl_map(function(i)
        return i.abbr
      end, menu), 'menu entries from sheetls')
      H.eq({}, vim.tbl_map(function(i)
        return i.label
      end, raw_items(raw)), 'items in the raw reply')
    end)
  end

  H.check('nothing from sheetls inside a multi-line docstring', function()
    H.feed('<Esc>', 'nt')
    vim.api.nvim_buf_set_lines(bufnr, 5, 6, false, { '    """Docstring.', '', '    """' })
    local menu, raw = complete_in(bufnr, sheetls, 7, '    ', '', 'aio')
    H.eq({}, vim.tbl_map(function(i)
      return i.abbr
    end, menu), 'menu entries from sheetls')
    H.eq({}, raw_items(raw), 'items in the raw reply')
    vim.api.nvim_buf_set_lines(bufnr, 5, 8, false, { '' })
  end)

  H.check('the sheet is offered again once the string is closed', function()
    expect_sheet(6, '    s = "aio"; ', '', 'after a closed string')
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
