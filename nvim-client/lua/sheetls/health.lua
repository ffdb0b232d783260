-- :checkhealth sheetls
local M = {}

function M.check()
  local h = vim.health
  h.start('sheetls')

  if vim.fn.has('nvim-0.11') == 1 then
    h.ok('Neovim ' .. tostring(vim.version()))
  else
    h.error('Neovim ' .. tostring(vim.version()) .. ' is too old', 'sheetls for Neovim needs 0.11 or newer')
    return
  end

  local config = vim.lsp.config.sheetls
  if not config then
    h.error('no configuration named sheetls', 'add nvim-client/ to the runtimepath (it provides lsp/sheetls.lua)')
    return
  end

  local cmd = config.cmd
  if type(cmd) == 'table' and cmd[1] then
    local exe = vim.fn.exepath(cmd[1])
    if exe == '' then
      h.error(
        ('the server command %q is not executable'):format(cmd[1]),
        {
          'install sheetls (pip install sheetls) or put its folder on $PATH',
          "or set vim.lsp.config('sheetls', { cmd = { '/path/to/sheetls' } })",
        }
      )
    else
      local r = vim.system({ exe, '--version' }, { text = true }):wait(10000)
      local version = vim.trim((r.stdout ~= '' and r.stdout or r.stderr) or '')
      if r.code == 0 then
        h.ok(('server: %s (%s)'):format(exe, version))
      else
        h.error(('`%s --version` failed (exit %s): %s'):format(exe, tostring(r.code), version))
      end
    end
  else
    h.info('the server command is a function: not checked')
  end

  if vim.lsp.is_enabled('sheetls') then
    h.ok('enabled for filetypes: ' .. table.concat(config.filetypes or {}, ', '))
  else
    h.warn('not enabled', "call vim.lsp.enable('sheetls') in your init.lua")
  end

  local clients = vim.lsp.get_clients({ name = 'sheetls' })
  if #clients == 0 then
    h.info('no sheetls client running (open a Python file)')
  end
  for _, c in ipairs(clients) do
    local bufs = vim.tbl_map(function(b)
      return vim.fn.fnamemodify(vim.api.nvim_buf_get_name(b), ':~:.')
    end, vim.tbl_keys(c.attached_buffers))
    h.ok(('client %d: root %s, position encoding %s, diagnostics %s, attached to %s'):format(
      c.id,
      c.root_dir or '(none: single file)',
      c.offset_encoding,
      require('sheetls').diagnostics_enabled(c) and 'on' or 'off (:SheetlsDiagnostics on)',
      #bufs > 0 and table.concat(bufs, ', ') or 'no buffer'
    ))
  end
end

return M
