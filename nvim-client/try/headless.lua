-- `make try` without a terminal: the same demo, run in headless Neovim, printing what a
-- user would see: the menu offered for `aio` (typed, then <C-x><C-o>) and the hover float
-- on `asyncio.open_connection` (K). Exit code 0 when both were shown, 1 otherwise.
local function say(s)
  io.stdout:write(s .. '\n')
  io.stdout:flush()
end

local function fail(msg)
  io.stderr:write('sheetls demo: ' .. msg .. '\n')
  vim.cmd('cquit 1')
end

vim.o.showmode = false
vim.opt.shortmess:append('c')
vim.defer_fn(function()
  fail('timed out (is `sheetls` installed? try `sheetls --version`)')
end, 60000)

local co

local function sleep(ms)
  vim.defer_fn(function()
    local ok, err = coroutine.resume(co)
    if not ok then
      fail(debug.traceback(co, err))
    end
  end, ms)
  coroutine.yield()
end

local function wait(pred, what)
  for _ = 1, 1000 do
    local v = pred()
    if v then
      return v
    end
    sleep(20)
  end
  fail('gave up waiting for ' .. what)
end

local function feed(keys)
  vim.api.nvim_feedkeys(vim.keycode(keys), 'mt', false)
  sleep(10)
end

local function answered(client, method)
  -- the reply has come once no request of that method is pending
  return wait(function()
    for _, r in pairs(client.requests) do
      if r.method == method and r.type == 'pending' then
        return false
      end
    end
    return true
  end, 'sheetls to answer ' .. method)
end

local function demo()
  local bufnr = vim.api.nvim_get_current_buf()
  local file = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(bufnr), ':t')
  local client = wait(function()
    local c = vim.lsp.get_clients({ bufnr = bufnr, name = 'sheetls' })[1]
    return c and c.initialized and c
  end, 'sheetls to attach')
  say(('Neovim %s, sheetls attached to %s (position encoding %s)'):format(
    tostring(vim.version()), file, client.offset_encoding))
  say('')

  -- Completion: o, aio, <C-x><C-o>
  local row = vim.fn.search('# Try here', 'nw')
  vim.api.nvim_win_set_cursor(0, { row, 0 })
  feed('o')
  feed('aio')
  feed('<C-x><C-o>')
  answered(client, 'textDocument/completion')
  local items = wait(function()
    local i = vim.fn.complete_info({ 'items' }).items
    return #i > 0 and i
  end, 'the completion menu')
  say(('Typing `aio` then <C-x><C-o> in main() offers %d entries:'):format(#items))
  local width = 0
  for _, it in ipairs(items) do
    width = math.max(width, vim.fn.strdisplaywidth(it.abbr))
  end
  for _, it in ipairs(items) do
    say(('  %s  %-7s  %s'):format(it.abbr .. (' '):rep(width - vim.fn.strdisplaywidth(it.abbr)), it.kind, it.menu))
  end
  feed('<C-e><Esc>')
  vim.cmd('silent! undo')
  say('')

  -- Hover: K on asyncio.open_connection
  local hrow = vim.fn.search('asyncio.open_connection', 'nw')
  local line = vim.api.nvim_buf_get_lines(bufnr, hrow - 1, hrow, false)[1]
  local col = line:find('open_connection', 1, true)
  local moved = false
  vim.api.nvim_create_autocmd('CursorMoved', {
    once = true,
    callback = function()
      moved = true
    end,
  })
  vim.api.nvim_win_set_cursor(0, { hrow, col + 2 })
  -- CursorMoved closes hover floats: let it fire before asking for the hover
  wait(function()
    return moved
  end, 'the cursor to move')
  vim.lsp.buf.hover()
  answered(client, 'textDocument/hover')
  local win = wait(function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then
        return w
      end
    end
  end, 'the hover float')
  local lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(win), 0, -1, false)
  say(('K on `asyncio.open_connection` (line %d) shows:'):format(hrow))
  say('  ┌' .. ('─'):rep(70))
  for _, l in ipairs(lines) do
    say('  │ ' .. l)
  end
  say('  └' .. ('─'):rep(70))
  say('')
  say('Run `make try` in a terminal to try it yourself; `:SheetlsSheet` shows the whole sheet.')
  vim.cmd('qall!')
end

vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      co = coroutine.create(demo)
      local ok, err = coroutine.resume(co)
      if not ok then
        fail(debug.traceback(co, err))
      end
    end)
  end,
})
