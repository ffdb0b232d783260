-- vim.lsp.buf.hover() on documented APIs opens a float with the sheet's entry; on plain
-- names sheetls answers null, so (alone) no float opens.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local FIXTURE = {
  'import asyncio',
  'import time',
  '',
  '',
  'def blocking():',
  '    time.sleep(0.01)',
  '    return 42',
  '',
  '',
  'async def main():',
  '    reader, writer = await asyncio.open_connection("example.com", 80)',
  '    loop = asyncio.get_running_loop()',
  '    result = await loop.run_in_executor(None, blocking)',
  '    total = result + 1',
  '    print(total)',
  '',
  '',
  'async def handle(reader, writer):',
  '    writer.close()',
  '',
  '',
  'async def more():',
  '    server = await asyncio.start_server(handle, "127.0.0.1", 9000)',
  '    proc = await asyncio.create_subprocess_exec("python", "-c", "print(1)")',
  '    shell = await asyncio.create_subprocess_shell("echo hi")',
  '    value = await asyncio.to_thread(blocking)',
  '    print(server, proc, shell, value)',
  '',
  '',
  'asyncio.run(main())',
}

--- The columns (0-based, end exclusive) highlighted as the hovered range.
local function hover_highlight(bufnr)
  local ns = vim.api.nvim_create_namespace('nvim.lsp.hover_range')
  local marks = vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })
  if #marks == 0 then
    return nil
  end
  local m = marks[1]
  return { m[2], m[3], m[4].end_row, m[4].end_col }
end

H.run(function()
  local bufnr, c = H.open('hover.py', FIXTURE)
  local sheetls = c.sheetls

  local function expect_entry(needle, offset, api)
    local entry = H.entry_for_api(api)
    local row, col = H.cursor_on(bufnr, needle, offset)
    local text, win = H.hover({ sheetls })
    H.ok(text, 'no hover float on ' .. needle)
    H.log('     float on ' .. needle .. ':\n       ' .. text:gsub('\n', '\n       '))
    H.contains(text, entry.title, 'the float shows the entry title')
    H.ok(text:find('```python', 1, true) or text:find('```', 1, true), 'the float has no code block')
    H.contains(text, 'docs.python.org', 'the float links the Python docs')
    H.eq('markdown', vim.bo[vim.api.nvim_win_get_buf(win)].filetype, 'float filetype')
    -- the range sheetls sent is highlighted on the hovered name
    local hl = H.ok(hover_highlight(bufnr), 'no hovered range highlighted')
    local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1]
    local name = line:sub(hl[2] + 1, hl[4])
    H.eq(row, hl[1], 'highlight row')
    H.ok(vim.endswith(needle, name) and #name > 0, 'highlighted text is not the hovered name', name)
    H.ok(hl[2] <= col + offset and col + offset < hl[4], 'highlight does not cover the cursor', hl, col + offset)
    H.close_floats()
  end

  H.check('hover on asyncio.open_connection shows the sheet entry', function()
    expect_entry('asyncio.open_connection', #'asyncio.' + 3, 'asyncio.open_connection')
  end)

  H.check('hover on loop.run_in_executor shows the sheet entry', function()
    expect_entry('loop.run_in_executor', #'loop.' + 3, 'run_in_executor')
  end)

  -- every other API of the sheet, written the common way
  for _, e in ipairs(H.entries) do
    for _, api in ipairs(e.apis) do
      local name = api:match('^asyncio%.([%w_]+)$')
      if name and name ~= 'open_connection' then
        H.check('hover on asyncio.' .. name .. ' shows "' .. e.title .. '"', function()
          expect_entry('asyncio.' .. name, #'asyncio.' + 2, api)
        end)
      end
    end
  end

  local plains = { { 'total = result', 1 }, { 'blocking()', 2 }, { 'print(total)', 1 }, { 'time.sleep', 6 } }
  for _, plain in ipairs(plains) do
    H.check('nothing from sheetls on the plain name in `' .. plain[1] .. '`', function()
      H.cursor_on(bufnr, plain[1], plain[2])
      H.eq(nil, H.request_at_cursor(sheetls, 'textDocument/hover'), 'sheetls hover reply')
      local n = #H.notifications
      local text = H.hover({ sheetls })
      H.eq(nil, text, 'a float opened')
      local said = false
      for i = #H.notifications, n + 1, -1 do
        if H.notifications[i].msg:find('No information available', 1, true) then
          said = true
          table.remove(H.notifications, i) -- an INFO message, expected here
          break
        end
      end
      H.ok(said, 'Neovim did not say "No information available"', vim.list_slice(H.notifications, n + 1))
    end)
  end

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
