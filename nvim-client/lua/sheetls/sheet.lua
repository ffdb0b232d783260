-- The :SheetlsSheet buffer's keys (issue 17): which entry stands under the cursor comes from
-- the server (workspace/executeCommand "sheetls.sheetOutline": where each entry stands in the
-- markdown it renders), and so does what goes into the code (sheetls.formAt: the form that
-- fits the place, decided as completion decides). Nothing of the sheet is written here.
--
--   Y  yank the example (the runnable program) of the entry under the cursor (into v:register)
--   I  insert the entry into the previous window at its cursor, as completion would insert it
--      there (the core lines inside an async def, a program at module level...)
--   ]] / [[  next / previous entry
local M = {}

--- Keys of the sheet buffer (change them before the first :SheetlsSheet).
M.keys = { yank = 'Y', insert = 'I', next = ']]', prev = '[[' }

local outlines = {} --- bufnr -> { view, entries, client_id }

local function notify(msg, level)
  vim.notify('sheetls: ' .. msg, level or vim.log.levels.ERROR)
end

--- The entry under the cursor of the sheet window `win` (the last one starting at or above it).
--- @return table? entry { line, end, pack, id, anchor, title, prefix, example, core }
function M.entry_at(buf, row)
  local outline = outlines[buf]
  if not outline then
    return nil
  end
  local found
  for _, e in ipairs(outline.entries) do
    if e.line < row then
      found = e
    end
  end
  return found
end

local function current_entry(buf)
  if not outlines[buf] then
    notify('the sheet outline has not arrived yet: try again')
    return nil
  end
  local e = M.entry_at(buf, vim.api.nvim_win_get_cursor(0)[1])
  if not e then
    notify('no entry under the cursor (move into an entry of the sheet)', vim.log.levels.WARN)
  end
  return e
end

--- Yank the example of the entry under the cursor into `register` (linewise).
function M.yank(buf, register)
  local e = current_entry(buf)
  if not e then
    return
  end
  register = (register == nil or register == '') and '"' or register
  vim.fn.setreg(register, e.example, 'l')
  vim.notify(('sheetls: yanked the example of %s (%d lines)'):format(e.title, #vim.split(vim.trim(e.example), '\n')))
end

--- The window to insert into: the previous window (wincmd p), else a window of the tab
--- showing a buffer sheetls is attached to.
local function target_window(sheet_win)
  local prev = vim.fn.win_getid(vim.fn.winnr('#'))
  local function ok(w)
    if w == 0 or w == sheet_win or not vim.api.nvim_win_is_valid(w) then
      return false
    end
    local b = vim.api.nvim_win_get_buf(w)
    return #vim.lsp.get_clients({ name = 'sheetls', bufnr = b }) > 0
  end
  if ok(prev) then
    return prev
  end
  for _, w in ipairs(vim.api.nvim_tabpage_list_wins(0)) do
    if ok(w) then
      return w
    end
  end
  return nil
end

--- Put `text` into `win` at (row, col) (0-based, bytes): a snippet through vim.snippet (which
--- indents continuation lines like the cursor line, as the server expects from Neovim), plain
--- text as it is.
local function put(win, row, col, text, is_snippet)
  vim.api.nvim_set_current_win(win)
  if not is_snippet then
    local buf = vim.api.nvim_win_get_buf(win)
    vim.api.nvim_buf_set_text(buf, row, col, row, col, vim.split(text, '\n', { plain = true }))
    return
  end
  -- vim.snippet.expand inserts at the cursor: let it stand after the line's last character.
  local ve = vim.wo[win].virtualedit
  vim.wo[win].virtualedit = 'onemore'
  vim.api.nvim_win_set_cursor(win, { row + 1, col })
  local ok, err = pcall(vim.snippet.expand, text)
  vim.wo[win].virtualedit = ve
  if not ok then
    error(err, 0)
  end
end

--- Insert the entry under the cursor into the previous window at its cursor, in the form the
--- server says fits there. On a blank line the entry goes after the line's indentation.
--- @param on_done? fun(err?: string) called when done (tests)
function M.insert(buf, on_done)
  local function fail(msg)
    notify(msg)
    if on_done then
      on_done(msg)
    end
  end
  local e = current_entry(buf)
  if not e then
    return on_done and on_done('no entry')
  end
  local sheet_win = vim.api.nvim_get_current_win()
  local win = target_window(sheet_win)
  if not win then
    return fail('no window to insert into: open a Python file sheetls is attached to, then come back to the sheet')
  end
  local tbuf = vim.api.nvim_win_get_buf(win)
  local client = vim.lsp.get_clients({ name = 'sheetls', bufnr = tbuf })[1]
  local cursor = vim.api.nvim_win_get_cursor(win)
  local row = cursor[1] - 1
  local line = vim.api.nvim_buf_get_lines(tbuf, row, row + 1, false)[1] or ''
  local col = line:match('^%s*$') and #line or cursor[2]
  local tick = vim.api.nvim_buf_get_changedtick(tbuf)
  local params = {
    command = 'sheetls.formAt',
    arguments = {
      {
        uri = vim.uri_from_bufnr(tbuf),
        position = { line = row, character = vim.str_utfindex(line, client.offset_encoding, col, false) },
        anchor = e.anchor,
      },
    },
  }
  client:request('workspace/executeCommand', params, function(err, result)
    if err then
      return fail('sheetls.formAt failed: ' .. tostring(err.message))
    end
    if type(result) ~= 'table' or type(result.text) ~= 'string' then
      local reason = type(result) == 'table' and result.reason
      return fail(('%s does not fit there: %s'):format(e.title, type(reason) == 'string' and reason or 'no answer'))
    end
    if not vim.api.nvim_win_is_valid(win) or vim.api.nvim_buf_get_changedtick(tbuf) ~= tick then
      return fail('the buffer changed while the server answered: try again')
    end
    -- The imports go above; an extmark keeps the insertion point where it was.
    local ns = vim.api.nvim_create_namespace('sheetls.sheet.insert')
    local mark = vim.api.nvim_buf_set_extmark(tbuf, ns, row, col, { right_gravity = false })
    local edits = result.additionalTextEdits or {}
    if #edits > 0 then
      vim.lsp.util.apply_text_edits(edits, tbuf, client.offset_encoding)
    end
    local at = vim.api.nvim_buf_get_extmark_by_id(tbuf, ns, mark, {})
    vim.api.nvim_buf_del_extmark(tbuf, ns, mark)
    local ok, perr = pcall(put, win, at[1], at[2], result.text, result.isSnippet)
    if not ok then
      return fail('inserting ' .. e.title .. ': ' .. tostring(perr))
    end
    vim.notify(('sheetls: inserted %s (%s)'):format(e.title, result.form or ''))
    if on_done then
      on_done(nil)
    end
  end, tbuf)
end

--- Move the cursor of `win` to the entry `anchor`.
function M.jump(buf, win, anchor)
  local outline = outlines[buf]
  for _, e in ipairs(outline and outline.entries or {}) do
    if e.anchor == anchor then
      if vim.api.nvim_win_is_valid(win) then
        vim.api.nvim_win_set_cursor(win, { e.line + 1, 0 })
        vim.api.nvim_win_call(win, function()
          vim.cmd('normal! zt')
        end)
      end
      return true
    end
  end
  notify(('no entry %q in the sheet'):format(anchor))
  return false
end

local function step(buf, direction)
  local outline = outlines[buf]
  if not outline then
    return
  end
  local row = vim.api.nvim_win_get_cursor(0)[1]
  local entries = outline.entries
  local target
  if direction > 0 then
    for _, e in ipairs(entries) do
      if e.line + 1 > row then
        target = e
        break
      end
    end
  else
    for i = #entries, 1, -1 do
      if entries[i].line + 1 < row then
        target = entries[i]
        break
      end
    end
  end
  if target then
    vim.api.nvim_win_set_cursor(0, { target.line + 1, 0 })
  end
end

--- Called by :SheetlsSheet once the sheet buffer is shown: fetch where each entry stands,
--- set the keys, and jump to `anchor` when given.
--- @param on_ready? fun() called once the outline is there (tests)
function M.attach(buf, win, client, view, anchor, on_ready)
  outlines[buf] = nil
  local function map(lhs, fn, desc)
    vim.keymap.set('n', lhs, fn, { buffer = buf, nowait = true, silent = true, desc = desc })
  end
  map(M.keys.yank, function()
    M.yank(buf, vim.v.register)
  end, "sheetls: yank the example of the entry under the cursor")
  map(M.keys.insert, function()
    M.insert(buf)
  end, 'sheetls: insert the entry into the previous window at its cursor')
  map(M.keys.next, function()
    step(buf, 1)
  end, 'sheetls: next entry')
  map(M.keys.prev, function()
    step(buf, -1)
  end, 'sheetls: previous entry')
  local params = { command = 'sheetls.sheetOutline', arguments = { { view = view } } }
  client:request('workspace/executeCommand', params, function(err, result)
    if err or type(result) ~= 'table' or type(result.entries) ~= 'table' then
      notify('sheetls.sheetOutline failed: ' .. tostring(err and err.message or 'no answer'))
      return
    end
    local lines = vim.api.nvim_buf_is_valid(buf) and vim.api.nvim_buf_get_lines(buf, 0, -1, false) or {}
    local first = result.entries[1]
    if first and not (lines[first.line + 1] or ''):find(first.title, 1, true) then
      notify('the sheet changed since it was shown: run :SheetlsSheet again', vim.log.levels.WARN)
      return
    end
    outlines[buf] = { view = view, entries = result.entries, client_id = client.id }
    if anchor then
      M.jump(buf, win, anchor)
    end
    if on_ready then
      on_ready()
    end
  end)
end

--- :SheetlsEntry [anchor]: the sheet buffer at the entry `anchor` (as a hover's "Open in
--- sheet" line names it), or at the entry the hover under the cursor shows.
function M.open_entry(anchor)
  local sheetls = require('sheetls')
  if anchor and anchor ~= '' then
    return sheetls.sheet({ view = 'standard', anchor = anchor })
  end
  local bufnr = vim.api.nvim_get_current_buf()
  local client = vim.lsp.get_clients({ name = 'sheetls', bufnr = bufnr })[1]
  if not client then
    notify(':SheetlsEntry without an entry: put the cursor on an API in a Python buffer sheetls is attached to')
    return
  end
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  local args = { uri = params.textDocument.uri, position = params.position }
  local request = { command = 'sheetls.entryAt', arguments = { args } }
  client:request('workspace/executeCommand', request, function(err, result)
    if err then
      return notify('sheetls.entryAt failed: ' .. tostring(err.message))
    end
    if type(result) ~= 'table' or type(result.anchor) ~= 'string' then
      return notify('the sheet has no entry for what is under the cursor', vim.log.levels.WARN)
    end
    sheetls.sheet({ view = 'standard', anchor = result.anchor, bufnr = bufnr })
  end, bufnr)
end

return M
