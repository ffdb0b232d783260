-- :SheetlsSheet [standard|detailed|compact]  show the whole sheet in a scratch buffer
-- :SheetlsSheet! [view]                       same, in a floating window (q closes it)
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
