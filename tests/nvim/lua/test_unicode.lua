-- A line holding é, emoji and CJK text before the cursor completes and hovers at the right
-- columns. SHEETLS_ENCODING empty: the encoding Neovim and sheetls negotiate by default;
-- utf-8 / utf-16 / utf-32: Neovim offers only that one (as an older client would).
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')

local forced = os.getenv('SHEETLS_ENCODING') or ''
if forced ~= '' then
  vim.lsp.config('sheetls', { capabilities = { general = { positionEncodings = { forced } } } })
end
H.setup()

local PREFIX = '    label = "héllo 😀 漢字 🎉"; '
local FIXTURE = {
  'import asyncio',
  '',
  '',
  'async def main():',
  PREFIX .. 'reader, writer = await asyncio.open_connection("例え.example", 80)',
  '    pass',
}

H.run(function()
  local bufnr, c = H.open('unicode.py', FIXTURE)
  local sheetls = c.sheetls
  local enc = sheetls.offset_encoding

  H.check('position encoding', function()
    H.log('     negotiated: ' .. enc)
    if forced ~= '' then
      H.eq(forced, enc, 'the encoding Neovim offered alone')
    else
      H.ok(vim.list_contains({ 'utf-8', 'utf-16', 'utf-32' }, enc), 'unexpected encoding', enc)
    end
  end)

  H.check('hover after emoji and CJK: the float and the highlighted name (' .. enc .. ')', function()
    local entry = H.entry_for_api('asyncio.open_connection')
    local row, col = H.cursor_on(bufnr, 'open_connection', 4)
    local text = H.hover({ sheetls })
    H.ok(text, 'no hover float')
    H.contains(text, entry.title, 'the float shows the entry')
    -- the range in the reply, read in the negotiated encoding, covers the name
    local result = H.request_at_cursor(sheetls, 'textDocument/hover')
    H.ok(result and result.range, 'the hover reply has no range', result)
    local line = vim.api.nvim_buf_get_lines(bufnr, row, row + 1, false)[1]
    local s = vim.str_byteindex(line, enc, result.range.start.character, false)
    local e = vim.str_byteindex(line, enc, result.range['end'].character, false)
    local name = line:sub(s + 1, e)
    H.ok(name == 'open_connection' or name == 'asyncio.open_connection',
      'the range does not cover the name', name, result.range)
    -- and Neovim highlights exactly that
    local ns = vim.api.nvim_create_namespace('nvim.lsp.hover_range')
    local m = vim.api.nvim_buf_get_extmarks(bufnr, ns, 0, -1, { details = true })[1]
    H.ok(m, 'no highlighted range')
    H.eq({ row, s, e }, { m[2], m[3], m[4].end_col }, 'highlighted bytes')
    H.ok(s <= col + 4 and col + 4 < e, 'range misses the cursor')
    H.close_floats()
  end)

  H.check('completion after emoji and CJK replaces exactly the typed word (' .. enc .. ')', function()
    vim.api.nvim_win_set_cursor(0, { 6, 0 })
    H.feed('S')
    vim.api.nvim_set_current_line(PREFIX)
    H.feed('<End>')
    H.feed('aioopen')
    H.omni({ sheetls })
    local menu = H.menu_from(sheetls)
    local item
    for _, it in ipairs(menu) do
      if it.abbr == 'aioopen' then
        item = H.lsp_item(it)
      end
    end
    H.ok(item, 'aioopen not offered', vim.tbl_map(function(i)
      return i.abbr
    end, menu))
    local line = vim.api.nvim_get_current_line()
    H.eq(PREFIX .. 'aioopen', line, 'typed line')
    if item.textEdit then
      local r = item.textEdit.range or item.textEdit.replace or item.textEdit.insert
      H.eq(#PREFIX, vim.str_byteindex(line, enc, r.start.character, false), 'textEdit start (bytes)')
      H.eq(#line, vim.str_byteindex(line, enc, r['end'].character, false), 'textEdit end (bytes)')
    end
    local row = vim.api.nvim_win_get_cursor(0)[1]
    H.accept('aioopen', sheetls)
    H.wait(function()
      return vim.api.nvim_buf_get_lines(bufnr, row - 1, row, false)[1] ~= PREFIX .. 'aioopen'
    end, 'the snippet to expand')
    H.sleep(50)
    H.feed('<Esc>', 'nt')
    local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
    local expanded
    for i = 6, #lines do
      if vim.startswith(lines[i], PREFIX) then
        expanded = lines[i]
        break
      end
    end
    H.ok(expanded, 'the line with the emoji lost its text', lines)
    -- after `;` only a simple statement fits: the entry's call, as one expression statement
    H.ok(vim.startswith(expanded:sub(#PREFIX + 1), 'await asyncio.wait_for(asyncio.open_connection('),
      'the call does not start where `aioopen` was', expanded)
    H.ok(not table.concat(lines, '\n'):find('aioopen', 1, true), 'the typed prefix was left behind')
    H.assert_parses(bufnr)
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
