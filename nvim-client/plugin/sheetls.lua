-- :SheetlsSheet [standard|detailed|compact]  show the whole sheet in a scratch buffer
-- :SheetlsSheet! [view]                       same, in a floating window (q closes it)
-- :SheetlsEntry [entry]                       the sheet at an entry (default: the one the hover under the cursor shows)
-- :SheetlsDiagnostics [on|off|toggle]         the server's SHEETxxx diagnostics and quick fixes (on by default)
-- The markdown comes from the running server (workspace/executeCommand sheetls.renderSheet).
if vim.g.loaded_sheetls then
  return
end
vim.g.loaded_sheetls = true

if vim.fn.has('nvim-0.11') == 0 then
  vim.notify_once('sheetls: nvim-client needs Neovim 0.11 or newer', vim.log.levels.WARN)
  return
end

vim.api.nvim_create_user_command('SheetlsSheet', function(cmd)
  require('sheetls').sheet({ view = cmd.fargs[1], float = cmd.bang })
end, {
  nargs = '?',
  bang = true,
  desc = 'sheetls: show the whole cheat sheet (! for a floating window)',
  complete = function(arg_lead)
    return vim.tbl_filter(function(view)
      return vim.startswith(view, arg_lead)
    end, require('sheetls').views)
  end,
})

vim.api.nvim_create_user_command('SheetlsEntry', function(cmd)
  require('sheetls.sheet').open_entry(cmd.fargs[1])
end, {
  nargs = '?',
  desc = "sheetls: the sheet at an entry (a hover's \"Open in sheet\" names it), else at the entry under the cursor",
})

vim.api.nvim_create_user_command('SheetlsDiagnostics', function(cmd)
  local arg = cmd.fargs[1] or 'toggle'
  local on -- nil: toggle
  if arg == 'on' or arg == 'off' then
    on = arg == 'on'
  elseif arg ~= 'toggle' then
    vim.notify(('sheetls: :SheetlsDiagnostics takes on, off or toggle, not %q'):format(arg), vim.log.levels.ERROR)
    return
  end
  require('sheetls').diagnostics(on)
end, {
  nargs = '?',
  desc = "sheetls: turn the server's diagnostics (SHEETxxx) and their quick fixes on or off",
  complete = function(arg_lead)
    return vim.tbl_filter(function(a)
      return vim.startswith(a, arg_lead)
    end, { 'on', 'off', 'toggle' })
  end,
})

-- With only `vim.lsp.enable('sheetls')`, <C-x><C-o> lists sheetls's entries (Neovim's default
-- LSP omnifunc) but accepting one would insert just its trigger word: the snippet expansion
-- lives in vim.lsp.completion. Enable it (no autotrigger) for buffers sheetls attaches to,
-- unless the user's own LspAttach set-up already enabled it for the buffer (it runs first:
-- this waits for the end of the LspAttach event). Opt out: vim.g.sheetls_builtin_completion = false.
vim.api.nvim_create_autocmd('LspAttach', {
  group = vim.api.nvim_create_augroup('sheetls.completion', {}),
  desc = 'sheetls: expand its snippets when accepted from the built-in completion',
  callback = function(ev)
    if vim.g.sheetls_builtin_completion == false then
      return
    end
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if not client or client.name ~= 'sheetls' then
      return
    end
    vim.schedule(function()
      if not vim.api.nvim_buf_is_valid(ev.buf) or not vim.lsp.buf_is_attached(ev.buf, client.id) then
        return
      end
      local ok, existing = pcall(vim.api.nvim_get_autocmds, { group = 'nvim.lsp.completion_' .. ev.buf })
      if ok and #existing > 0 then
        return -- the user's set-up enabled built-in completion here: leave its options alone
      end
      vim.lsp.completion.enable(true, client.id, ev.buf, { autotrigger = false })
    end)
  end,
})
