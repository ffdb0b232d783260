-- Test harness for sheetls in real headless Neovim 0.11.
--
-- A test file is run as `nvim --headless --clean -u tests/nvim/lua/test_x.lua` by
-- tests/nvim/test_*.py, which sets:
--   SHEETLS_ROOT       the repository (nvim-client/ is added to 'runtimepath' from there)
--   SHEETLS_WORKSPACE  a fresh temporary project folder (holds a pyproject.toml)
--   SHEETLS_PYTHON     the project's Python (checks that edited buffers parse)
--   PATH               with the project's .venv/bin first, so `sheetls` is found as a user has it
-- plus test parameters (SHEETLS_EXPANDTAB, SHEETLS_ENCODING, SHEETLS_JEDI ...).
--
-- The body of a test runs as a coroutine: typed keys and LSP replies are only processed
-- when control returns to Neovim's loop, so the body sleeps / waits between steps.
-- Each `H.check(name, fn)` is reported on its own ("ok"/"FAIL" lines on stderr); the exit
-- code is 0 when all passed, 1 on a failure, 3 when the watchdog fired.
local H = {}

H.root = assert(os.getenv('SHEETLS_ROOT'), 'SHEETLS_ROOT is not set')
H.workspace = assert(os.getenv('SHEETLS_WORKSPACE'), 'SHEETLS_WORKSPACE is not set')
H.python = os.getenv('SHEETLS_PYTHON') or 'python3'
H.failures = {}
--- The sheet's entries in order ({ prefix, title, apis }), read from the snippet source by
--- the pytest side (so the tests follow snippets/asyncio-streams.yaml).
H.entries = vim.json.decode(os.getenv('SHEETLS_ENTRIES') or '[]')
H.sheet_title = os.getenv('SHEETLS_SHEET_TITLE') or ''

--- The entry documenting `api` (a fully qualified name, or its last part).
function H.entry_for_api(api)
  for _, e in ipairs(H.entries) do
    for _, a in ipairs(e.apis) do
      if a == api or vim.endswith(a, '.' .. api) then
        return e
      end
    end
  end
  error('no entry documents ' .. api, 2)
end

function H.prefixes()
  return vim.tbl_map(function(e)
    return e.prefix
  end, H.entries)
end
H.notifications = {} --- every vim.notify call: { msg, level }

local function out(s)
  io.stderr:write(s .. '\n')
  io.stderr:flush()
end
H.log = out

--- Settings every test shares, as a user's minimal init would have them. Call at the top.
--- opts.two_lines: only the two lines of the README (runtimepath + vim.lsp.enable), with
--- Neovim's default 'completeopt' and no LspAttach set-up of our own.
--- @param opts? { watchdog_ms?: integer, enable?: boolean, two_lines?: boolean }
function H.setup(opts)
  opts = opts or {}
  assert(#H.entries > 0, 'SHEETLS_ENTRIES is empty: run the Lua tests through pytest')
  vim.g.loaded_python3_provider = 0 -- no pynvim probe (~700 ms per buffer)
  vim.o.showmode = false
  vim.o.swapfile = false
  vim.o.shortmess = vim.o.shortmess .. 'IFc'
  -- as nvim-client/README.md recommends: a menu even for one match, nothing inserted
  -- before <C-y> (with the default 'menu' alone, a single match is inserted without a
  -- menu and <C-y> then means "copy the character above the cursor")
  if not opts.two_lines then
    vim.o.completeopt = 'menu,menuone,noinsert,popup'
  end
  vim.opt.runtimepath:prepend(H.root .. '/nvim-client')
  vim.cmd('filetype plugin indent on')

  -- Record notifications (errors from LSP handlers and from the plugin arrive this way).
  local notify = vim.notify
  vim.notify = function(msg, level, o)
    table.insert(H.notifications, { msg = tostring(msg), level = level or vim.log.levels.INFO })
    out(('  [notify %s] %s'):format(level or '-', tostring(msg)))
    if (level or 0) >= vim.log.levels.WARN then
      return notify(msg, level, o) -- as Neovim would (an ERROR raised in a command is an error)
    end
  end

  -- The user setup from nvim-client/README.md: builtin LSP completion on <C-x><C-o>.
  if not opts.two_lines then
    vim.api.nvim_create_autocmd('LspAttach', {
      callback = function(ev)
        local client = vim.lsp.get_client_by_id(ev.data.client_id)
        if client and client:supports_method('textDocument/completion') then
          vim.lsp.completion.enable(true, client.id, ev.buf, { autotrigger = false })
        end
      end,
    })
  end

  -- Count answered requests per client and method (to know when a server has replied).
  H.answered = {}
  vim.api.nvim_create_autocmd('LspRequest', {
    callback = function(ev)
      local r = ev.data.request
      if r.type == 'complete' then
        local key = ev.data.client_id .. ' ' .. r.method
        H.answered[key] = (H.answered[key] or 0) + 1
      end
    end,
  })

  if opts.enable ~= false then
    vim.lsp.enable('sheetls')
  end

  local ms = opts.watchdog_ms or 60000
  vim.defer_fn(function()
    out(('WATCHDOG: the test did not finish within %d ms'):format(ms))
    for _, f in ipairs(H.failures) do
      out('FAIL ' .. f)
    end
    vim.cmd('cquit 3')
  end, ms)
end

-- Coroutine plumbing ----------------------------------------------------------------------

local co_main

local function finish()
  if #H.failures == 0 then
    out('ALL PASSED')
    vim.cmd('qall!')
  else
    out(('%d FAILED: %s'):format(#H.failures, table.concat(H.failures, '; ')))
    vim.cmd('cquit 1')
  end
end

local function resume(co, ...)
  local ok, err = coroutine.resume(co, ...)
  if not ok then
    table.insert(H.failures, 'error: ' .. tostring(err))
    out('ERROR ' .. debug.traceback(co, tostring(err)))
    finish()
  elseif coroutine.status(co) == 'dead' then
    finish()
  end
end

--- Runs `body()` as a coroutine once Neovim has started.
function H.run(body)
  vim.api.nvim_create_autocmd('VimEnter', {
    once = true,
    callback = function()
      vim.schedule(function()
        co_main = coroutine.create(body)
        resume(co_main)
      end)
    end,
  })
end

--- Lets Neovim run for `ms` milliseconds (keys, LSP replies, timers).
function H.sleep(ms)
  local co = assert(coroutine.running(), 'H.sleep outside the test coroutine')
  vim.defer_fn(function()
    resume(co)
  end, ms or 0)
  coroutine.yield()
end

--- Waits until `pred()` returns a truthy value; errors with `what` after `timeout_ms`.
--- (A guard against hanging, not a speed assertion: the limits are generous.)
function H.wait(pred, what, timeout_ms)
  timeout_ms = timeout_ms or 20000
  local waited = 0
  while true do
    local v = pred()
    if v then
      return v
    end
    if waited >= timeout_ms then
      local buf = vim.api.nvim_get_current_buf()
      local cur = vim.api.nvim_win_get_cursor(0)
      local lines = vim.api.nvim_buf_get_lines(buf, math.max(0, cur[1] - 4), cur[1] + 3, false)
      error(('timed out after %d ms waiting for %s\n  mode %s, cursor %s, lines around it:\n    %s'):format(
        timeout_ms, what, vim.fn.mode(), vim.inspect(cur), table.concat(lines, '\n    ')), 2)
    end
    H.sleep(20)
    waited = waited + 20
  end
end

--- Runs one named check; a failure is recorded and the test goes on.
function H.check(name, fn)
  local ok, err = xpcall(fn, debug.traceback)
  if ok then
    out('ok   ' .. name)
  else
    table.insert(H.failures, name)
    out('FAIL ' .. name .. '\n' .. tostring(err):gsub('\n', '\n     '))
  end
  -- leave insert/select mode and close popups between checks
  vim.cmd('stopinsert')
  if vim.snippet.active() then
    vim.snippet.stop()
  end
  H.sleep(10)
end

-- Assertions ------------------------------------------------------------------------------

function H.eq(expected, actual, what)
  if not vim.deep_equal(expected, actual) then
    error(('%s:\n  expected: %s\n  actual:   %s'):format(
      what or 'values differ', vim.inspect(expected), vim.inspect(actual)), 2)
  end
end

function H.ok(cond, what, ...)
  if not cond then
    local extra = select('#', ...) > 0 and ('\n  ' .. vim.inspect({ ... })) or ''
    error((what or 'assertion failed') .. extra, 2)
  end
  return cond
end

function H.contains(haystack, needle, what)
  if type(haystack) == 'table' then
    haystack = table.concat(haystack, '\n')
  end
  if not haystack:find(needle, 1, true) then
    error(('%s: %q not found in:\n%s'):format(what or 'missing text', needle, haystack), 2)
  end
end

-- Editor helpers --------------------------------------------------------------------------

--- Writes `lines` to `name` in the workspace and edits it; waits for the named clients
--- (default: sheetls) to attach and initialize. Returns bufnr and a table name -> client.
function H.open(name, lines, clients)
  clients = clients or { 'sheetls' }
  local path = H.workspace .. '/' .. name
  vim.fn.mkdir(vim.fn.fnamemodify(path, ':h'), 'p')
  vim.fn.writefile(lines, path)
  vim.cmd.edit(vim.fn.fnameescape(path))
  local bufnr = vim.api.nvim_get_current_buf()
  -- New lines copy the indentation of the line they are opened from ('autoindent'): the
  -- Python indent script computes it with a searchpair() that gives up after 150 ms, which
  -- a loaded machine reaches, and the tests are about what sheetls inserts, not about it.
  vim.bo[bufnr].indentexpr = ''
  vim.bo[bufnr].autoindent = true
  local by_name = {}
  for _, cname in ipairs(clients) do
    by_name[cname] = H.wait(function()
      local c = vim.lsp.get_clients({ bufnr = bufnr, name = cname })[1]
      return c and c.initialized and c
    end, cname .. ' to attach to ' .. name)
  end
  return bufnr, by_name
end

--- Feeds keys as typed ('t'), with mappings unless flags say otherwise, then lets them run.
function H.feed(keys, flags)
  vim.api.nvim_feedkeys(vim.keycode(keys), flags or 'mt', false)
  H.sleep(10)
end

--- Number of answered requests of `method` for `client`.
function H.answers(client, method)
  return H.answered[client.id .. ' ' .. method] or 0
end

--- Waits until each client has answered one more `method` request than `before`
--- (a table client_id -> count taken before the request was made).
function H.wait_answers(clients, method, before)
  for _, c in pairs(clients) do
    H.wait(function()
      return H.answers(c, method) > (before[c.id] or 0)
    end, c.name .. ' to answer ' .. method)
  end
  H.sleep(50) -- the reply handlers are scheduled right after the 'complete' event
end

function H.snapshot(clients, method)
  local t = {}
  for _, c in pairs(clients) do
    t[c.id] = H.answers(c, method)
  end
  return t
end

--- Items of the completion menu (after <C-x><C-o>), as complete_info() gives them.
function H.menu()
  return vim.fn.complete_info({ 'items', 'selected', 'mode' }).items or {}
end

--- The LSP completion item behind a menu entry, and the id of the client that sent it.
function H.lsp_item(menu_item)
  local ud = menu_item.user_data
  if type(ud) == 'table' and ud.nvim and ud.nvim.lsp then
    return ud.nvim.lsp.completion_item, ud.nvim.lsp.client_id
  end
end

--- Menu entries sent by one client.
function H.menu_from(client)
  local r = {}
  for _, it in ipairs(H.menu()) do
    local item, cid = H.lsp_item(it)
    if item and cid == client.id then
      table.insert(r, it)
    end
  end
  return r
end

--- Types `keys` in insert mode (already in insert mode) then <C-x><C-o>, and waits for
--- the given clients to answer the completion request.
function H.omni(clients)
  local before = H.snapshot(clients, 'textDocument/completion')
  H.feed('<C-x><C-o>')
  H.wait_answers(clients, 'textDocument/completion', before)
end

--- Selects the menu entry `label` (from `client` if given) with <C-n>/<C-p> and accepts it
--- with <C-y>, as a user does in the popup menu.
function H.accept(label, client)
  local items = H.menu()
  local idx
  for i, it in ipairs(items) do
    local _, cid = H.lsp_item(it)
    if it.abbr == label and (client == nil or cid == client.id) then
      idx = i - 1
      break
    end
  end
  H.ok(idx, 'the menu has no ' .. label, vim.tbl_map(function(i)
    return i.abbr
  end, items))
  H.eq(1, vim.fn.pumvisible(), 'the popup menu is visible')
  local sel = vim.fn.complete_info({ 'selected' }).selected
  local steps = sel < 0 and idx + 1 or idx - sel
  if steps < 0 then
    H.feed(('<C-p>'):rep(-steps))
  elseif steps > 0 then
    H.feed(('<C-n>'):rep(steps))
  end
  H.eq(idx, vim.fn.complete_info({ 'selected' }).selected, 'selected menu index')
  H.feed('<C-y>')
end

--- Floating windows currently open.
function H.floats()
  local r = {}
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then
      table.insert(r, w)
    end
  end
  return r
end

function H.close_floats()
  for _, w in ipairs(H.floats()) do
    pcall(vim.api.nvim_win_close, w, true)
  end
end

--- Puts the cursor on the first occurrence of `needle` on 0-based `row` (+ `offset` bytes).
function H.cursor_on(bufnr, needle, offset, row)
  local lines = vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
  for i, l in ipairs(lines) do
    if row == nil or row == i - 1 then
      local s = l:find(needle, 1, true)
      if s then
        local target = { i, s - 1 + (offset or 0) }
        local moved = false
        local au
        if vim.fn.mode() == 'n' and not vim.deep_equal(target, vim.api.nvim_win_get_cursor(0)) then
          au = vim.api.nvim_create_autocmd('CursorMoved', {
            once = true,
            callback = function()
              moved = true
            end,
          })
        end
        vim.api.nvim_win_set_cursor(0, target)
        if au then
          -- let CursorMoved fire now, as it has long before a user presses K: fired later,
          -- it would close the hover float that the next request opens
          H.wait(function()
            return moved
          end, 'CursorMoved after moving the cursor')
        end
        return i - 1, s - 1
      end
    end
  end
  error('text not found in buffer: ' .. needle, 2)
end

--- Runs vim.lsp.buf.hover() at the cursor and waits for all attached clients to answer.
--- Returns the text of the hover float (nil if no float opened) and its window.
function H.hover(clients)
  H.close_floats()
  local before = H.snapshot(clients, 'textDocument/hover')
  vim.lsp.buf.hover()
  H.wait_answers(clients, 'textDocument/hover', before)
  local wins = H.floats()
  if #wins == 0 then
    return nil
  end
  local buf = vim.api.nvim_win_get_buf(wins[1])
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n'), wins[1]
end

--- The raw reply of one client to a request at the cursor (for checks a user cannot see
--- directly, such as the range sent with a hover).
function H.request_at_cursor(client, method, extra)
  local params = vim.lsp.util.make_position_params(0, client.offset_encoding)
  if extra then
    params = vim.tbl_extend('force', params, extra)
  end
  local resp = client:request_sync(method, params, 20000, vim.api.nvim_get_current_buf())
  H.ok(resp, method .. ': no reply from ' .. client.name)
  H.ok(resp.err == nil, method .. ' returned an error', resp.err)
  return resp.result
end

--- Writes the buffer and checks that Python parses the file. Returns the file's text.
function H.assert_parses(bufnr)
  vim.api.nvim_buf_call(bufnr, function()
    vim.cmd('silent write!')
  end)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local parse = 'import ast, sys; ast.parse(open(sys.argv[1], "rb").read(), sys.argv[1])'
  local r = vim.system({ H.python, '-c', parse, path }, { text = true }):wait()
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  if r.code ~= 0 then
    error(('the edited file does not parse:\n%s\n--- file ---\n%s'):format(r.stderr, text), 2)
  end
  return text
end

--- Notifications at ERROR level or above received so far.
function H.errors()
  local r = {}
  for _, n in ipairs(H.notifications) do
    if n.level >= vim.log.levels.ERROR then
      table.insert(r, n.msg)
    end
  end
  return r
end

return H
