-- The :SheetlsSheet buffer's keys (issue 17): Y yanks the example of the entry under the
-- cursor, I inserts the entry into the previous window at its cursor in the form the server
-- says fits there (sheetls.formAt); :SheetlsEntry opens the sheet at an entry, as the hover's
-- "Open in sheet" line says.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local function sheet_window()
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    local b = vim.api.nvim_win_get_buf(w)
    if vim.api.nvim_buf_get_name(b) == 'sheetls://sheet/standard' then
      return w, b
    end
  end
end

--- :SheetlsSheet (or another command showing it), then wait for the window and its outline.
local function show(cmd)
  local _, old = sheet_window()
  local tick = old and vim.api.nvim_buf_get_changedtick(old)
  vim.cmd(cmd)
  local wb = H.wait(function()
    local w, b = sheet_window()
    local fresh = w and (b ~= old or vim.api.nvim_buf_get_changedtick(b) ~= tick)
    return fresh and require('sheetls.sheet').entry_at(b, 1e9) and { w, b }
  end, cmd .. ' to show the sheet with its outline')
  return wb[1], wb[2]
end

--- The sheet buffer's line of `text` (1-based), the first from the top.
local function line_of(buf, text)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l == text then
      return i
    end
  end
  error('no line ' .. text .. ' in the sheet', 2)
end

--- The lines of the python fence under the heading `title`, as the user sees them.
local function example_under(buf, title)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local i = line_of(buf, '### ' .. title)
  while lines[i] ~= '```python' do
    i = i + 1
  end
  local out = {}
  i = i + 1
  while lines[i] ~= '```' do
    table.insert(out, lines[i])
    i = i + 1
  end
  return out
end

H.run(function()
  local bufnr = H.open('app.py', { 'import asyncio', '', '', 'async def main():', '    x = 1', '    ' })
  local pywin = vim.api.nvim_get_current_win()
  vim.api.nvim_win_set_cursor(pywin, { 6, 3 }) -- normal mode on the blank line's last space
  local first = H.entries[1]
  local second = H.entries[2]
  local swin, sbuf = show('SheetlsSheet')

  H.check('Y yanks the example of the entry under the cursor, linewise', function()
    vim.api.nvim_set_current_win(swin)
    vim.api.nvim_win_set_cursor(swin, { line_of(sbuf, '### ' .. second.title) + 3, 0 })
    H.feed('Y')
    local want = example_under(sbuf, second.title)
    H.eq(table.concat(want, '\n') .. '\n', vim.fn.getreg('"'), 'the unnamed register')
    H.eq('V', vim.fn.getregtype('"'), 'linewise')
    H.ok(#want > 3, 'the example has its lines')
  end)

  H.check('"aY yanks into register a', function()
    vim.api.nvim_win_set_cursor(swin, { line_of(sbuf, '### ' .. first.title), 0 })
    H.feed('"aY')
    H.eq(table.concat(example_under(sbuf, first.title), '\n') .. '\n', vim.fn.getreg('a'), 'register a')
  end)

  H.check('I inside an async def inserts the core lines at the body indentation; the file compiles', function()
    vim.api.nvim_set_current_win(swin)
    vim.api.nvim_win_set_cursor(swin, { line_of(sbuf, '### ' .. first.title) + 2, 0 })
    local tick = vim.api.nvim_buf_get_changedtick(bufnr)
    H.feed('I')
    H.wait(function()
      return vim.api.nvim_buf_get_changedtick(bufnr) ~= tick and vim.api.nvim_get_current_win() == pywin
    end, 'the entry in the Python buffer')
    H.sleep(100)
    vim.snippet.stop()
    H.feed('<Esc>', 'nt')
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    H.eq({ 'import asyncio', '', '', 'async def main():', '    x = 1' }, vim.list_slice(lines, 1, 5), 'the lines above')
    local body = vim.list_slice(lines, 6)
    local text = table.concat(body, '\n')
    H.contains(text, 'asyncio.open_connection(', 'the entry')
    H.ok(not text:find('asyncio.run', 1, true), 'the program went in, not the core lines', text)
    for _, l in ipairs(body) do
      H.ok(l == '' or vim.startswith(l, '    '), 'a line is not indented under async def', l)
    end
    H.ok(vim.startswith(body[1], '    reader, writer = await'), 'first line at the body indentation', body[1])
    local python = H.assert_parses(bufnr)
    -- Inside main(): the module holds the import and the function only.
    local check = 'import ast, sys; t = ast.parse(sys.stdin.read()); '
      .. 'assert [type(n).__name__ for n in t.body] == ["Import", "AsyncFunctionDef"], ast.dump(t)'
    local r = vim.system({ H.python, '-c', check }, { text = true, stdin = python }):wait()
    H.eq(0, r.code, r.stderr)
  end)

  H.check('I at module level of an empty file inserts the runnable program', function()
    local prog = H.open('prog.py', { '' })
    local progwin = vim.api.nvim_get_current_win()
    swin, sbuf = show('SheetlsSheet')
    vim.api.nvim_win_set_cursor(swin, { line_of(sbuf, '### ' .. second.title) + 1, 0 })
    H.feed('I')
    H.wait(function()
      return #vim.api.nvim_buf_get_lines(prog, 0, -1, false) > 3 and vim.api.nvim_get_current_win() == progwin
    end, 'the program in prog.py')
    H.sleep(100)
    vim.snippet.stop()
    H.feed('<Esc>', 'nt')
    local text = H.assert_parses(prog)
    H.contains(text, 'asyncio.run(', 'the program')
    H.contains(text, 'import asyncio', 'its import')
  end)

  H.check('the hover names :SheetlsEntry; :SheetlsEntry on an API opens the sheet at its entry', function()
    vim.api.nvim_set_current_win(pywin)
    vim.api.nvim_set_current_buf(bufnr)
    H.cursor_on(bufnr, 'open_connection', 3)
    local text = H.hover({ vim.lsp.get_clients({ name = 'sheetls', bufnr = bufnr })[1] })
    H.ok(text, 'no hover')
    H.contains(text, ':SheetlsEntry open-tcp-connection', 'the hover')
    H.close_floats()
    vim.api.nvim_set_current_win(pywin)
    H.cursor_on(bufnr, 'open_connection', 3)
    local w, b = sheet_window()
    if w then
      vim.api.nvim_win_close(w, true)
    end
    vim.cmd('SheetlsEntry')
    H.wait(function()
      w, b = sheet_window()
      return w and vim.api.nvim_win_get_cursor(w)[1] == line_of(b, '### ' .. first.title)
    end, ':SheetlsEntry to show the sheet at ' .. first.title)
  end)

  H.check(':SheetlsEntry ANCHOR opens the sheet at that entry', function()
    vim.cmd('SheetlsEntry start-tcp-server')
    H.wait(function()
      local w, b = sheet_window()
      return w and vim.api.nvim_win_get_cursor(w)[1] == line_of(b, '### ' .. second.title)
    end, ':SheetlsEntry start-tcp-server')
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
