-- sheetls for Neovim 0.11+: `vim.lsp.enable('sheetls')` picks this file up from the
-- runtimepath (any `lsp/sheetls.lua` on 'runtimepath' is merged into vim.lsp.config.sheetls).
--
-- Override anything the usual 0.11 way, before or after enabling:
--   vim.lsp.config('sheetls', { cmd = { '/path/to/venv/bin/sheetls' } })
--   vim.lsp.config('sheetls', { init_options = { logLevel = 'debug' } })
--   vim.lsp.config('sheetls', { init_options = { diagnostics = false } })  -- no SHEETxxx findings / quick fixes
-- or, before the config is first read, set `vim.g.sheetls_cmd` (a string or a list).

--- @return string[]
local function cmd()
  local c = vim.g.sheetls_cmd
  if type(c) == 'string' and c ~= '' then
    return { c }
  elseif type(c) == 'table' and #c > 0 then
    return c
  end
  return { 'sheetls' }
end

-- Neovim 0.11 pulls diagnostics (textDocument/diagnostic) when a buffer opens or changes, but
-- has no handler for the server's `workspace/diagnostic/refresh` (0.12 has one): turned on or
-- off by :SheetlsDiagnostics, sheetls's diagnostics would show or go only at the next edit.
-- For 0.11 the refresh is declared and answered here: each attached buffer is pulled again.
local capabilities, handlers
if vim.fn.has('nvim-0.12') == 0 then
  capabilities = { workspace = { diagnostics = { refreshSupport = true } } }
  handlers = {
    ['workspace/diagnostic/refresh'] = function(_, _, ctx)
      require('sheetls').pull_diagnostics(ctx.client_id)
      return vim.NIL
    end,
  }
end

---@type vim.lsp.Config
return {
  cmd = cmd(),
  filetypes = { 'python' },
  root_markers = {
    'pyproject.toml',
    'setup.py',
    'setup.cfg',
    'requirements.txt',
    'Pipfile',
    '.git',
  },
  -- Initialization options understood by sheetls (camelCase on the wire).
  -- `packs` (a list of extra snippet packs) is left out unless you set it: an empty Lua
  -- table would not say whether it is a list or an object.
  init_options = {
    logLevel = 'info',
    builtinSheet = true,
    -- `diagnostics` (the asyncio mistakes the sheet documents, SHEET101..., with quick fixes for
    -- vim.lsp.buf.code_action()) is left to the server's default, on; `diagnostics = false`
    -- turns them off, and :SheetlsDiagnostics on|off|toggle switches them in the running server.
  },
  capabilities = capabilities,
  handlers = handlers,
}
