-- The unit nested blocks are indented by (issue 13, bug 9), with real typing:
-- `aioserver` <C-x><C-o> <C-y> inserts a handler function and an `async with` block.
--
--   SHEETLS_CASE=demo     the `make try` demo file (nvim-client/demo/demo.py: 4-space code
--                         under a docstring whose bullet lines indent by 2), on a new line
--                         inside main(): the blocks step by the code's 4 spaces, whatever
--                         'shiftwidth' says (SHEETLS_SW, default: the python ftplugin's).
--   SHEETLS_CASE=noblock  `import asyncio` and an empty line, no indented block: the file
--                         has no unit, so the editor's own setting decides ('shiftwidth'
--                         spaces with 'expandtab', tabs with 'noexpandtab').
--
-- What is checked is what the user gets, whatever the snippet's exact text: every block of
-- the buffer steps by the expected unit, the inserted lines hold a block inside a block, and
-- the buffer compiles (tests/indent_check.py, with tokenize and compile()).
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local case = assert(os.getenv('SHEETLS_CASE'), 'SHEETLS_CASE is not set')
local sw = tonumber(os.getenv('SHEETLS_SW') or '')
local expandtab = os.getenv('SHEETLS_EXPANDTAB') ~= '0'

local function shown(s)
  return (s:gsub('\t', '<TAB>'))
end

--- Runs tests/indent_check.py on the written buffer: every block steps by `unit`, lines
--- first..last (1-based) hold a nested block, the file compiles.
local function check_indentation(bufnr, unit, first, last)
  vim.api.nvim_buf_call(bufnr, function()
    vim.cmd('silent write!')
  end)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local argv = {
    H.python, H.root .. '/tests/indent_check.py', path, vim.json.encode(unit), tostring(first), tostring(last),
  }
  local r = vim.system(argv, { text = true }):wait()
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  local ok, report = pcall(vim.json.decode, r.stdout or '')
  H.ok(ok and type(report) == 'table', 'tests/indent_check.py gave no report', r.stdout, r.stderr)
  local steps = {}
  for _, s in ipairs(report.steps or {}) do
    table.insert(steps, ('%d:%s'):format(s[1], shown(s[2])))
  end
  H.log('     block steps (line:step): ' .. table.concat(steps, ' '))
  if #report.problems > 0 then
    error(('%s\n--- buffer (tabs shown as <TAB>) ---\n%s'):format(table.concat(report.problems, '\n'), shown(text)), 2)
  end
end

--- The 1-based, inclusive range of `after` that is not in `before`.
local function inserted(before, after)
  local head = 0
  while head < math.min(#before, #after) and before[head + 1] == after[head + 1] do
    head = head + 1
  end
  local tail = 0
  while tail < math.min(#before, #after) - head and before[#before - tail] == after[#after - tail] do
    tail = tail + 1
  end
  return head + 1, #after - tail
end

H.run(function()
  local lines, name
  if case == 'demo' then
    lines = vim.fn.readfile(H.root .. '/nvim-client/demo/demo.py')
    name = 'demo.py'
  else
    lines = { 'import asyncio', '' }
    name = 'noblock.py'
  end
  local bufnr, c = H.open(name, lines)
  local sheetls = c.sheetls
  -- after the python ftplugin (which sets PEP 8's expandtab, shiftwidth=4), as a user's
  -- after/ftplugin or modeline would
  if sw then
    vim.bo[bufnr].shiftwidth = sw
    vim.bo[bufnr].softtabstop = expandtab and sw or 0
  end
  vim.bo[bufnr].expandtab = expandtab
  if not expandtab then
    vim.bo[bufnr].tabstop = vim.bo[bufnr].shiftwidth
  end
  local unit
  if case == 'demo' then
    unit = '    ' -- the demo's code indents by 4 (its docstring's bullets by 2)
  else
    unit = expandtab and (' '):rep(vim.fn.shiftwidth()) or '\t'
  end
  local settings = ('%s shiftwidth=%d tabstop=%d'):format(
    expandtab and 'expandtab' or 'noexpandtab', vim.fn.shiftwidth(), vim.bo[bufnr].tabstop)

  H.check(('%s: aioserver steps its nested blocks by %q (%s)'):format(name, shown(unit), settings), function()
    local before
    if case == 'demo' then
      H.cursor_on(bufnr, '# Try here')
      H.feed('o')
      H.eq('    ', vim.api.nvim_get_current_line(), 'the new line inside main() (fixture sanity)')
    else
      vim.api.nvim_win_set_cursor(0, { 2, 0 }) -- the empty line under the import
      H.feed('A')
      H.eq('', vim.api.nvim_get_current_line(), 'the module-level line (fixture sanity)')
    end
    before = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    H.feed('aioserver')
    H.omni({ sheetls })
    for _, it in ipairs(H.menu_from(sheetls)) do
      if it.abbr == 'aioserver' then
        local item = H.lsp_item(it)
        local text = item.textEdit and item.textEdit.newText or item.insertText or ''
        H.log(('     sheetls sent (insertTextFormat=%s insertTextMode=%s):\n       %s'):format(
          tostring(item.insertTextFormat), tostring(item.insertTextMode), shown(text):gsub('\n', '\n       ')))
      end
    end
    local count = vim.api.nvim_buf_line_count(bufnr)
    H.accept('aioserver')
    H.wait(function()
      return vim.api.nvim_buf_line_count(bufnr) > count
    end, 'the snippet to expand')
    H.sleep(50)
    H.feed('<Esc>', 'nt')
    if vim.snippet.active() then
      vim.snippet.stop()
    end
    local after = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local first, last = inserted(before, after)
    local block = vim.list_slice(after, first, last)
    H.log(('     buffer lines %d-%d after accepting:\n       %s'):format(
      first, last, shown(table.concat(block, '\n       '))))
    H.ok(table.concat(block, '\n'):find('start_server(', 1, true), 'the accepted item is not the server', block)
    H.ok(not table.concat(block, '\n'):find('aioserver', 1, true), 'the typed prefix was left in the buffer', block)
    check_indentation(bufnr, unit, first, last)
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
