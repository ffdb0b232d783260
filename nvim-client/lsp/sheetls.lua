-- sheetls for Neovim 0.11+: `vim.lsp.enable('sheetls')` picks this file up from the
-- runtimepath (any `lsp/sheetls.lua` on 'runtimepath' is merged into vim.lsp.config.sheetls).
--
-- Override anything the usual 0.11 way, before or after enabling:
--   vim.lsp.config('sheetls', { cmd = { '/path/to/venv/bin/sheetls' } })
--   vim.lsp.config('sheetls', { init_options = { logLevel = 'debug' } })
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
  },
}
