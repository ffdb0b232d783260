-- Real typing: `aioopen` <C-x><C-o> <C-y> inside an `async def` nested two levels deep
-- (a method of a class, inside a `try:` block), with 'expandtab' on or off
-- (SHEETLS_EXPANDTAB=1|0). The body must land at the block's indentation, in the
-- editor's indent character, <Tab> must reach the next tab stop, typing must replace
-- the placeholder, and the file must parse.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')

-- SHEETLS_CAPS: the completion capabilities the client declares. `builtin` is Neovim 0.11's
-- own; `nvim-cmp` and `blink.cmp` are what those plugins add to it (cmp_nvim_lsp's
-- default_capabilities(), blink.cmp's get_lsp_capabilities()), so the test shows what
-- sheetls sends their users; expansion is by vim.snippet, the engine blink.cmp uses by
-- default and nvim-cmp's `snippet.expand` usually calls.
local caps = os.getenv('SHEETLS_CAPS') or 'builtin'
local DECLARED = {
  ['nvim-cmp'] = {
    snippetSupport = true,
    insertReplaceSupport = true,
    labelDetailsSupport = true,
    resolveSupport = { properties = { 'documentation', 'detail', 'additionalTextEdits' } },
    insertTextModeSupport = { valueSet = { 1, 2 } },
  },
  ['blink.cmp'] = {
    snippetSupport = true,
    insertReplaceSupport = true,
    labelDetailsSupport = true,
    resolveSupport = { properties = { 'documentation', 'detail', 'additionalTextEdits' } },
    insertTextModeSupport = { valueSet = { 1 } },
  },
}
if caps ~= 'builtin' then
  vim.lsp.config('sheetls', {
    capabilities = {
      textDocument = { completion = { completionItem = assert(DECLARED[caps], caps), insertTextMode = 1 } },
    },
  })
end
H.setup()

local expandtab = os.getenv('SHEETLS_EXPANDTAB') ~= '0'
local unit = expandtab and '    ' or '\t'
local style = expandtab and 'spaces' or 'tabs'

local function src(lines)
  -- The fixture is written with 4-space indentation; a tab file uses one tab per level.
  if expandtab then
    return lines
  end
  return vim.tbl_map(function(l)
    local ws, rest = l:match('^( *)(.*)$')
    return ('\t'):rep(#ws / 4) .. rest
  end, lines)
end

local FIXTURE = src({
  'import asyncio',
  '',
  '',
  'class Fetcher:',
  '    async def fetch(self):',
  '        try:',
  '            pass',
  '        finally:',
  '            pass',
  '',
  '    async def serve(self):',
  '        while True:',
  '            pass',
})

local function set_indent_options()
  -- after the python ftplugin (which sets PEP 8 options), as a user's ftplugin/after would
  vim.bo.expandtab = expandtab
  vim.bo.tabstop = expandtab and 8 or 4
  vim.bo.shiftwidth = 4
  vim.bo.softtabstop = expandtab and 4 or 0
end

local function accept(label)
  H.accept(label)
end

local function indent_of(line)
  return line:match('^%s*')
end

--- Checks the lines the expansion produced (between two known rows).
local function check_block(lines, base)
  H.ok(#lines >= 2, 'expected a multi-line body', lines)
  local bad = expandtab and '\t' or ' '
  local level = function(line)
    local ws = indent_of(line)
    H.ok(not ws:find(bad, 1, true), ('line indented with %s in a file that uses %s:\n%q'):format(
      expandtab and 'tabs' or 'spaces', style, line), lines)
    H.ok(vim.startswith(ws, base), ('line indented less than the block (%q):\n%q'):format(base, line), lines)
    local extra = ws:sub(#base + 1)
    H.ok(#extra % #unit == 0, ('indentation is not a whole number of levels:\n%q'):format(line), lines)
    return #extra / #unit
  end
  H.eq(0, level(lines[1]), 'indent level of the first line (relative to the block)')
  local prev, depth_open = 0, 0
  for i = 2, #lines do
    local l = lines[i]
    if l:match('%S') then
      local lv = level(l)
      local prev_line = lines[i - 1]
      if prev_line:match(':%s*$') and depth_open == 0 then
        H.eq(prev + 1, lv, ('line %d follows a block opener, one level deeper'):format(i))
      elseif depth_open == 0 then
        H.ok(lv <= prev, ('line %d is indented deeper than its block:\n%s'):format(i, table.concat(lines, '\n')))
      end
      if depth_open == 0 then
        prev = lv
      end
      local _, opens = l:gsub('[%(%[{]', '')
      local _, closes = l:gsub('[%)%]}]', '')
      depth_open = math.max(0, depth_open + opens - closes)
    end
  end
end

local function selected_text()
  local region = vim.fn.getregion(vim.fn.getpos('v'), vim.fn.getpos('.'), { type = 'v' })
  return table.concat(region, '\n')
end

local function replacement_for(placeholder)
  if placeholder:match('^%d+$') then
    return '8642'
  elseif placeholder:match('^".*"$') then
    return '"sheet.test"'
  elseif placeholder:match('^b".*"$') then
    return 'b"PING\\r\\n"'
  else
    return 'sheet_value'
  end
end

H.run(function()
  local bufnr, c = H.open('fetcher_' .. style .. '.py', FIXTURE)
  local sheetls = c.sheetls
  set_indent_options()

  local nested = 'aioopen <C-x><C-o> <C-y> in an async def nested two levels'
  H.check(nested .. ' (' .. style .. ', ' .. caps .. ' capabilities)', function()
    H.cursor_on(bufnr, 'try:')
    local try_row = vim.api.nvim_win_get_cursor(0)[1] -- 1-based
    local base = unit:rep(3)
    vim.api.nvim_win_set_cursor(0, { try_row + 1, 0 }) -- the `pass` of the try block
    H.feed('O')
    H.eq(base, indent_of(vim.api.nvim_get_current_line()), 'indent of the new line (fixture sanity)')
    H.feed('aioopen')
    H.omni({ sheetls })
    local labels = vim.tbl_map(function(i)
      return i.abbr
    end, H.menu_from(sheetls))
    H.ok(vim.list_contains(labels, 'aioopen'), 'aioopen not offered', labels)
    for _, it in ipairs(H.menu_from(sheetls)) do
      if it.abbr == 'aioopen' then
        local item = H.lsp_item(it)
        H.log(('     %s client: sheetls sent insertTextFormat=%s insertTextMode=%s, %s, first lines %q'):format(
          caps, tostring(item.insertTextFormat), tostring(item.insertTextMode),
          item.textEdit and (item.textEdit.range and 'textEdit' or 'InsertReplaceEdit') or 'insertText',
          ((item.textEdit and item.textEdit.newText or item.insertText or ''):match('^[^\n]*\n[^\n]*') or '')))
      end
    end
    local lines_before = vim.api.nvim_buf_line_count(bufnr)
    accept('aioopen')
    H.wait(function()
      return vim.api.nvim_buf_line_count(bufnr) > lines_before
    end, 'the snippet to expand')
    H.sleep(50)

    -- the expansion sits between the `try:` row and the original `pass`
    local all = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local pass_row
    for r = try_row + 1, #all do
      if all[r] == unit:rep(3) .. 'pass' then
        pass_row = r
        break
      end
    end
    H.ok(pass_row, 'the original body line was lost', all)
    local block = vim.list_slice(all, try_row + 1, pass_row - 1)
    H.log('     inserted:\n       ' .. table.concat(block, '\n       '):gsub('\t', '<TAB>'))
    H.ok(block[1]:find('await asyncio.wait_for(asyncio.open_connection(', 1, true),
      'first line is not the connection', block)
    H.ok(not table.concat(block, '\n'):find('aioopen', 1, true), 'the typed prefix was left in the buffer', block)
    local text = table.concat(block, '\n')
    H.ok(not text:find('${', 1, true) and not text:find('$0', 1, true), 'raw snippet syntax in the buffer', block)
    check_block(block, base)

    -- tab stops: the first placeholder is selected; typing replaces it
    H.ok(vim.snippet.active(), 'no active snippet session after accepting')
    H.eq('s', vim.fn.mode(), 'mode at the first tab stop (select mode)')
    local row1 = vim.api.nvim_win_get_cursor(0)[1]
    local ph1 = selected_text()
    H.ok(ph1 ~= '', 'nothing selected at the first tab stop')
    local col1 = math.min(vim.fn.getpos('v')[3], vim.fn.getpos('.')[3]) - 1
    local typed1 = replacement_for(ph1)
    H.feed(typed1)
    local line1 = vim.api.nvim_buf_get_lines(bufnr, row1 - 1, row1, false)[1]
    H.eq(typed1, line1:sub(col1 + 1, col1 + #typed1), 'typed text replaces the placeholder ' .. ph1)

    -- <Tab> (mappings on, in a feedkeys of its own) moves to the next tab stop
    local before_tab = vim.api.nvim_win_get_cursor(0)
    vim.api.nvim_feedkeys(vim.keycode('<Tab>'), 'm', false)
    H.wait(function()
      return not vim.deep_equal(before_tab, vim.api.nvim_win_get_cursor(0)) and vim.fn.mode() == 's'
    end, '<Tab> to select the next tab stop')
    local ph2 = selected_text()
    local row2 = vim.api.nvim_win_get_cursor(0)[1]
    local col2 = math.min(vim.fn.getpos('v')[3], vim.fn.getpos('.')[3]) - 1
    H.ok(ph2 ~= '' and ph2 ~= ph1, 'the second tab stop has its own placeholder', ph1, ph2)
    local typed2 = replacement_for(ph2)
    H.feed(typed2)
    local line2 = vim.api.nvim_buf_get_lines(bufnr, row2 - 1, row2, false)[1]
    H.eq(typed2, line2:sub(col2 + 1, col2 + #typed2), 'typed text replaces the placeholder ' .. ph2)
    H.log(('     tab stops: %s -> %s, %s -> %s'):format(ph1, typed1, ph2, typed2))
    H.feed('<Esc>', 'nt')
    H.assert_parses(bufnr)
  end)

  local nested_block = 'aioserver: a body with a nested block keeps its structure'
  H.check(nested_block .. ' (' .. style .. ', ' .. caps .. ' capabilities)', function()
    H.cursor_on(bufnr, 'while True:')
    local row = vim.api.nvim_win_get_cursor(0)[1]
    local base = unit:rep(3)
    vim.api.nvim_win_set_cursor(0, { row + 1, 0 }) -- the `pass` of the loop
    H.feed('O')
    H.eq(base, indent_of(vim.api.nvim_get_current_line()), 'indent of the new line (fixture sanity)')
    H.feed('aioserver')
    H.omni({ sheetls })
    local lines_before = vim.api.nvim_buf_line_count(bufnr)
    accept('aioserver')
    H.wait(function()
      return vim.api.nvim_buf_line_count(bufnr) > lines_before
    end, 'the snippet to expand')
    H.sleep(50)
    H.feed('<Esc>', 'nt')
    if vim.snippet.active() then
      vim.snippet.stop()
    end
    local all = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    -- the inserted lines may include a helper placed elsewhere by the server; check the
    -- block that replaced the typed word: from `row + 1` to the original `pass`
    local start = row + 1
    local stop
    for r = start, #all do
      if all[r] == base .. 'pass' then
        stop = r - 1
        break
      end
    end
    H.ok(stop and stop > start, 'no multi-line block found', all)
    local block = vim.list_slice(all, start, stop)
    H.log('     inserted:\n       ' .. table.concat(block, '\n       '):gsub('\t', '<TAB>'))
    H.ok(table.concat(block, '\n'):find('asyncio.start_server(', 1, true), 'no start_server call', block)
    check_block(block, base)
    H.assert_parses(bufnr)
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
