-- sheetls helpers for Neovim 0.11+. The sheet itself always comes from the server
-- (`workspace/executeCommand` "sheetls.renderSheet"): nothing of it is written here.
local M = {}

--- The views the server renders.
M.views = { 'standard', 'detailed', 'compact' }

local function notify(msg, level)
  vim.notify('sheetls: ' .. msg, level or vim.log.levels.ERROR)
end

--- The sheetls client for a buffer: the one attached to it, else any running one.
--- @param bufnr? integer
--- @return vim.lsp.Client?
function M.client(bufnr)
  bufnr = bufnr or vim.api.nvim_get_current_buf()
  local attached = vim.lsp.get_clients({ name = 'sheetls', bufnr = bufnr })
  if attached[1] then
    return attached[1]
  end
  return vim.lsp.get_clients({ name = 'sheetls' })[1]
end

--- Start sheetls without attaching it to any buffer (for :SheetlsSheet from a
--- non-Python buffer before any Python file was opened).
--- @return vim.lsp.Client?
local function start_detached()
  local config = vim.lsp.config.sheetls
  if not config then
    return nil
  end
  config = vim.deepcopy(config)
  if type(config.root_dir) ~= 'string' then
    -- (a root_dir function needs a buffer; the sheet does not depend on the root)
    config.root_dir = vim.fs.root(0, config.root_markers or {}) or vim.fn.getcwd()
  end
  local ok, id = pcall(vim.lsp.start, config, { attach = false, silent = true })
  if ok and id then
    return vim.lsp.get_client_by_id(id)
  end
  return nil
end

--- Calls `fn(client)` once the client has finished initializing.
local function when_ready(client, fn, waited)
  waited = waited or 0
  if client:is_stopped() then
    notify('the server stopped before it was ready (see :checkhealth vim.lsp / :LspLog)')
  elseif client.initialized then
    fn(client)
  elseif waited > 10000 then
    notify('the server did not finish initializing within 10 s')
  else
    vim.defer_fn(function()
      when_ready(client, fn, waited + 20)
    end, 20)
  end
end

local function sheet_lines(markdown)
  local lines = vim.split(markdown, '\n', { plain = true })
  while #lines > 1 and lines[#lines] == '' do
    lines[#lines] = nil
  end
  return lines
end

--- Fills (or creates) the scratch buffer for a view.
local function sheet_buffer(view, lines)
  local name = 'sheetls://sheet/' .. view
  local buf = vim.fn.bufnr('^' .. vim.pesc(name) .. '$')
  if buf == -1 or not vim.api.nvim_buf_is_valid(buf) then
    buf = vim.api.nvim_create_buf(false, true) -- unlisted scratch buffer
    vim.api.nvim_buf_set_name(buf, name)
  end
  vim.bo[buf].buftype = 'nofile'
  vim.bo[buf].bufhidden = 'hide'
  vim.bo[buf].swapfile = false
  vim.bo[buf].modifiable = true
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, lines)
  vim.bo[buf].modifiable = false
  vim.bo[buf].modified = false
  vim.bo[buf].filetype = 'markdown'
  return buf
end

local function show_split(buf)
  local win = vim.fn.bufwinid(buf)
  if win ~= -1 then
    vim.api.nvim_set_current_win(win)
  else
    vim.cmd('botright split')
    win = vim.api.nvim_get_current_win()
    vim.api.nvim_win_set_buf(win, buf)
  end
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.wo[win].conceallevel = 2
  vim.api.nvim_win_set_cursor(win, { 1, 0 })
  return win
end

local function show_float(buf)
  local columns, rows = vim.o.columns, vim.o.lines
  local width = math.max(20, math.min(100, columns - 4))
  local height = math.max(5, math.min(rows - 4, vim.api.nvim_buf_line_count(buf)))
  local win = vim.api.nvim_open_win(buf, true, {
    relative = 'editor',
    width = width,
    height = height,
    row = math.floor((rows - height) / 2),
    col = math.floor((columns - width) / 2),
    style = 'minimal',
    border = 'rounded',
    title = ' sheetls ',
    title_pos = 'center',
  })
  vim.wo[win].wrap = true
  vim.wo[win].linebreak = true
  vim.wo[win].conceallevel = 2
  vim.keymap.set('n', 'q', '<cmd>close<cr>', { buffer = buf, nowait = true, desc = 'Close the sheet' })
  return win
end

--- Shows the whole sheet, rendered by the server, in a scratch buffer (split) or a float.
--- The buffer's keys (yank, insert, next/previous entry) are sheetls.sheet's; `anchor`: open at that entry.
--- @param opts? { view?: string, float?: boolean, bufnr?: integer, anchor?: string,
---   on_shown?: fun(buf: integer, win: integer) }
function M.sheet(opts)
  opts = opts or {}
  local view = opts.view or 'standard'
  if not vim.list_contains(M.views, view) then
    notify(('unknown view %q (expected one of: %s)'):format(view, table.concat(M.views, ', ')))
    return
  end
  local bufnr = opts.bufnr or vim.api.nvim_get_current_buf()
  local client = M.client(bufnr) or start_detached()
  if not client then
    notify("no sheetls client: is `sheetls` on $PATH and vim.lsp.enable('sheetls') called?")
    return
  end
  when_ready(client, function(c)
    local params = {
      command = 'sheetls.renderSheet',
      arguments = { { format = 'markdown', view = view } },
    }
    c:request('workspace/executeCommand', params, function(err, result)
      if err then
        notify('sheetls.renderSheet failed: ' .. tostring(err.message))
        return
      end
      if type(result) ~= 'string' or result == '' then
        notify('sheetls.renderSheet returned no markdown')
        return
      end
      local buf = sheet_buffer(view, sheet_lines(result))
      local win = opts.float and show_float(buf) or show_split(buf)
      require('sheetls.sheet').attach(buf, win, c, view, opts.anchor)
      if opts.on_shown then
        opts.on_shown(buf, win)
      end
    end, vim.api.nvim_buf_is_valid(bufnr) and bufnr or nil)
  end)
end

--- The `diagnostics` option as a config (or a client) gives it: its settings (what a
--- `settings` config or :SheetlsDiagnostics sent last) over its init_options, else the
--- server's default, on (sheetls's options.py): only an explicit `false` turns them off.
--- @param settings? table
--- @param init_options? table
--- @return boolean
local function diagnostics_in(settings, init_options)
  settings = settings or {}
  local value = vim.tbl_get(settings, 'sheetls', 'diagnostics')
  if value == nil then
    value = settings.diagnostics
  end
  if value == nil then
    value = (init_options or {}).diagnostics
  end
  return value ~= false
end

--- Whether the server's diagnostics (SHEETxxx findings and their quick fixes) are on: for
--- `client` if given, else for the clients started from now on.
--- @param client? vim.lsp.Client
--- @return boolean
function M.diagnostics_enabled(client)
  if client then
    return diagnostics_in(client.settings, client.config.init_options)
  end
  local config = vim.lsp.config.sheetls or {}
  return diagnostics_in(config.settings, config.init_options)
end

--- Pulls the diagnostics of every buffer the client is attached to again, as Neovim 0.12
--- does on the server's `workspace/diagnostic/refresh` (0.11 pulls only on open and change).
--- @param client_id integer
function M.pull_diagnostics(client_id)
  vim.schedule(function()
    local client = vim.lsp.get_client_by_id(client_id)
    if not client or not client:supports_method('textDocument/diagnostic') then
      return
    end
    for bufnr in pairs(client.attached_buffers) do
      if vim.api.nvim_buf_is_loaded(bufnr) then
        local params = { textDocument = vim.lsp.util.make_text_document_params(bufnr) }
        client:request('textDocument/diagnostic', params, nil, bufnr) -- Neovim's own handler
      end
    end
  end)
end

--- Turns the server's diagnostics on or off (`nil`: the other way round) in every running
--- sheetls client, without a restart (workspace/didChangeConfiguration: the server publishes
--- or clears them at once), and for the clients started later (the `settings` of
--- vim.lsp.config.sheetls, which Neovim sends to a new server after initializing it).
--- @param on? boolean
--- @return boolean on
function M.diagnostics(on)
  if on == nil then
    local c = M.client()
    on = not M.diagnostics_enabled(c)
  end
  local change = { sheetls = { diagnostics = on } }
  if vim.lsp.config.sheetls then
    vim.lsp.config('sheetls', { settings = change })
  end
  for _, c in ipairs(vim.lsp.get_clients({ name = 'sheetls' })) do
    c.settings = vim.tbl_deep_extend('force', c.settings or {}, change)
    c:notify('workspace/didChangeConfiguration', { settings = c.settings })
  end
  vim.notify(('sheetls: diagnostics %s'):format(on and 'on' or 'off'), vim.log.levels.INFO)
  return on
end

return M
