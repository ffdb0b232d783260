-- :SheetlsSheet [view] shows the whole sheet, rendered by the server, in a markdown
-- scratch buffer (:SheetlsSheet! in a float); it works before any Python file is open.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup()

local function sheet_window(view)
  local name = 'sheetls://sheet/' .. view
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    local b = vim.api.nvim_win_get_buf(w)
    if vim.api.nvim_buf_get_name(b) == name then
      return w, b
    end
  end
end

local function expect_sheet(buf, what)
  local text = table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
  H.contains(text, H.sheet_title, what .. ': sheet title')
  for _, e in ipairs(H.entries) do
    H.contains(text, e.title, what .. ': entry title')
  end
  H.eq('markdown', vim.bo[buf].filetype, what .. ': filetype')
  H.eq('nofile', vim.bo[buf].buftype, what .. ': buftype')
  H.eq(false, vim.bo[buf].modifiable, what .. ': modifiable')
  return text
end

local function run_cmd(cmd, view)
  vim.cmd(cmd)
  return H.wait(function()
    local w, b = sheet_window(view)
    return w and { w, b }
  end, cmd .. ' to show the sheet')
end

H.run(function()
  local texts = {}

  H.check(':SheetlsSheet before any Python file starts sheetls and shows the sheet', function()
    H.eq({}, vim.lsp.get_clients({ name = 'sheetls' }), 'no client yet')
    local wb = run_cmd('SheetlsSheet', 'standard')
    texts.standard = expect_sheet(wb[2], 'standard view')
    H.eq(wb[1], vim.api.nvim_get_current_win(), 'the sheet window has the focus')
    vim.cmd('close')
  end)

  local bufnr = H.open('app.py', { 'import asyncio', '' })

  for _, view in ipairs({ 'compact', 'detailed', 'standard' }) do
    H.check(':SheetlsSheet ' .. view .. ' from a Python buffer', function()
      vim.api.nvim_set_current_buf(bufnr)
      local wb = run_cmd('SheetlsSheet ' .. view, view)
      texts[view] = expect_sheet(wb[2], view .. ' view')
      H.log(('     %s: %d lines'):format(view, vim.api.nvim_buf_line_count(wb[2])))
      vim.api.nvim_win_close(wb[1], true)
    end)
  end

  H.check('the views differ', function()
    H.ok(texts.compact ~= texts.detailed, 'compact and detailed views are identical')
  end)

  H.check('the compact view is what `sheetls export` prints', function()
    local r = vim.system({ 'sheetls', 'export', '--format', 'markdown', '--view', 'compact' }, { text = true }):wait()
    H.eq(0, r.code, 'sheetls export exit code: ' .. (r.stderr or ''))
    H.eq(vim.trim(r.stdout), vim.trim(texts.compact or ''), 'compact sheet')
  end)

  H.check(':SheetlsSheet! opens a float', function()
    vim.api.nvim_set_current_buf(bufnr)
    local wb = run_cmd('SheetlsSheet!', 'standard')
    H.ok(vim.api.nvim_win_get_config(wb[1]).relative ~= '', 'not a floating window')
    expect_sheet(wb[2], 'float')
    H.feed('q', 'mt')
    H.wait(function()
      return not vim.api.nvim_win_is_valid(wb[1])
    end, 'q to close the float')
  end)

  H.check(':SheetlsSheet with an unknown view reports an error and opens nothing', function()
    local wins = #vim.api.nvim_list_wins()
    -- an ERROR notification raised from a command surfaces as a Vim error (E5108-like)
    local n = #H.notifications
    local ok, err = pcall(vim.cmd, 'SheetlsSheet bogus')
    H.sleep(100)
    H.eq(wins, #vim.api.nvim_list_wins(), 'windows')
    H.eq(n + 1, #H.notifications, 'one message')
    H.ok(H.notifications[n + 1].msg:find('unknown view "bogus"', 1, true), 'no error message', H.notifications[n + 1])
    H.ok(ok or tostring(err):find('unknown view', 1, true), 'unexpected error', err)
    table.remove(H.notifications)
  end)

  H.check('completion of the view argument', function()
    H.eq({ 'compact' }, vim.fn.getcompletion('SheetlsSheet c', 'cmdline'), 'completion for "c"')
    H.eq({ 'standard', 'detailed', 'compact' }, vim.fn.getcompletion('SheetlsSheet ', 'cmdline'), 'all views')
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
