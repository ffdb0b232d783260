-- The code an accepted entry needs, through Neovim's completion: `import asyncio` added once
-- (additionalTextEdits, applied by Neovim above the cursor), the snippet still lands where
-- the word was typed with its first tab stop selected, and the file's own spelling of
-- asyncio is used. Also: what `aio` offers in a plain `def` inserts code that parses there.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local function count(lines, s)
  local n = 0
  for _, l in ipairs(lines) do
    if l == s then
      n = n + 1
    end
  end
  return n
end

--- Opens a line below `anchor`, types `word`, <C-x><C-o>, accepts `label`; returns the lines.
local function complete_below(bufnr, sheetls, anchor, word, label)
  H.cursor_on(bufnr, anchor)
  H.feed('o')
  H.feed(word)
  local typed_row = vim.api.nvim_win_get_cursor(0)[1]
  H.omni({ sheetls })
  local n = vim.api.nvim_buf_line_count(bufnr)
  H.accept(label, sheetls)
  H.wait(function()
    return vim.api.nvim_buf_line_count(bufnr) > n
  end, 'the snippet to expand')
  H.sleep(50)
  return typed_row
end

H.run(function()
  H.check('a file without the import: `import asyncio` is added once, after the docstring', function()
    local bufnr, c = H.open('noimport.py', {
      '"""A module without imports."""',
      '',
      '',
      'async def main():',
      '    print("start")',
      '',
      '',
      'async def other():',
      '    print("other")',
    })
    local sheetls = c.sheetls
    local typed_row = complete_below(bufnr, sheetls, 'print("start")', 'aioopen', 'aioopen')
    -- the snippet session is on the typed line, shifted by the lines added above it
    H.ok(vim.snippet.active(), 'no snippet session')
    H.eq('s', vim.fn.mode(), 'first tab stop selected')
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local cur = vim.api.nvim_win_get_cursor(0)[1]
    H.ok(lines[cur]:find('open_connection(', 1, true), 'the cursor is not on the inserted connection line', cur, lines)
    H.ok(cur >= typed_row, 'cursor above the typed line', cur, typed_row)
    H.eq(1, count(lines, 'import asyncio'), '`import asyncio` lines')
    H.eq('"""A module without imports."""', lines[1], 'the docstring stays first')
    local import_row
    for i, l in ipairs(lines) do
      if l == 'import asyncio' then
        import_row = i
      end
    end
    H.ok(import_row > 1 and import_row < cur, 'import not between the docstring and the body', lines)
    H.feed('<Esc>', 'nt')
    vim.snippet.stop()

    -- a second entry in the other function does not import again
    complete_below(bufnr, sheetls, 'print("other")', 'aiothread', 'aiothread')
    H.feed('<Esc>', 'nt')
    lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    H.eq(1, count(lines, 'import asyncio'), '`import asyncio` lines after a second completion')
    H.ok(table.concat(lines, '\n'):find('asyncio.to_thread(', 1, true), 'the second entry was not inserted', lines)
    H.log('     file:\n       ' .. table.concat(lines, '\n       '))
    H.assert_parses(bufnr)
  end)

  H.check('`import asyncio as aio`: the inserted code says aio.', function()
    local bufnr, c = H.open('alias.py', {
      'import asyncio as aio',
      '',
      '',
      'async def main():',
      '    print("start")',
    })
    complete_below(bufnr, c.sheetls, 'print("start")', 'aioopen', 'aioopen')
    H.feed('<Esc>', 'nt')
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local text = table.concat(lines, '\n')
    H.ok(text:find('await aio.wait_for(aio.open_connection(', 1, true), 'not spelled aio.open_connection', lines)
    H.ok(not text:find('asyncio.open_connection', 1, true), 'spelled asyncio. although the file says aio', lines)
    H.eq(0, count(lines, 'import asyncio'), 'no second import')
    H.assert_parses(bufnr)
  end)

  H.check('in a plain def, every entry offered inserts code that parses there', function()
    local fixture = {
      'import asyncio',
      '',
      '',
      'def sync_helper():',
      '    value = 1',
      '    return value',
    }
    local bufnr, c = H.open('plain_def.py', fixture)
    H.cursor_on(bufnr, 'value = 1')
    H.feed('o')
    H.feed('aio')
    H.omni({ c.sheetls })
    local offered = vim.tbl_map(function(i)
      return i.abbr
    end, H.menu_from(c.sheetls))
    H.log('     offered in a plain def: ' .. (#offered > 0 and table.concat(offered, ' ') or '(nothing)'))
    H.feed('<C-e><Esc>', 'nt')
    for _, label in ipairs(offered) do
      vim.api.nvim_buf_set_lines(bufnr, 0, -1, false, fixture)
      complete_below(bufnr, c.sheetls, 'value = 1', 'aio', label)
      H.feed('<Esc>', 'nt')
      if vim.snippet.active() then
        vim.snippet.stop()
      end
      local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
      -- `await` outside an async function parses as a name in some positions: look for it
      H.ok(not text:match('\n    [^\n]*await '), label .. ' put `await` into a plain def', text)
      H.assert_parses(bufnr)
    end
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
