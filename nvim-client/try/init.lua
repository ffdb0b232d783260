-- The minimal Neovim 0.11 init behind `make try` (nvim-client/try.sh):
--   nvim --clean -u nvim-client/try/init.lua demo.py
-- It is also the whole user setup in a few lines: nvim-client/ on the runtimepath,
-- vim.lsp.enable('sheetls'), and builtin LSP completion on <C-x><C-o>.
-- With SHEETLS_TRY_HEADLESS=1 it runs the demo without a UI and prints what a user sees.
local client_dir = vim.env.SHEETLS_NVIM_CLIENT
if not client_dir or client_dir == '' then
  -- this file is nvim-client/try/init.lua
  client_dir = vim.fs.dirname(vim.fs.dirname(vim.fs.normalize(debug.getinfo(1, 'S').source:sub(2))))
end
vim.opt.runtimepath:prepend(client_dir)

vim.g.loaded_python3_provider = 0
vim.o.swapfile = false
vim.o.number = true
vim.o.signcolumn = 'yes'
-- show the menu even for one match, do not insert before <C-y>, docs in a popup
vim.o.completeopt = 'menu,menuone,noinsert,popup'

vim.lsp.enable('sheetls')

vim.api.nvim_create_autocmd('LspAttach', {
  callback = function(ev)
    local client = vim.lsp.get_client_by_id(ev.data.client_id)
    if client and client:supports_method('textDocument/completion') then
      -- sets 'omnifunc', expands the accepted snippet with vim.snippet (<Tab> jumps)
      vim.lsp.completion.enable(true, client.id, ev.buf, { autotrigger = false })
    end
  end,
})

if vim.env.SHEETLS_TRY_HEADLESS == '1' then
  dofile(client_dir .. '/try/headless.lua')
  return
end

-- Interactive: put the cursor on the demo's "Try here" line and say what to do.
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local row = vim.fn.search('# Try here', 'nw')
      if row > 0 then
        vim.api.nvim_win_set_cursor(0, { row, 0 })
        vim.cmd('normal! zz')
      end
      -- one line that fits the screen: a longer message would stop at a hit-enter prompt
      local msg = 'sheetls demo: o, aio, <C-x><C-o>, <C-y> · K hovers · :SheetlsSheet · :qa! quits'
      local width = vim.o.columns - 12
      if vim.fn.strdisplaywidth(msg) > width then
        msg = vim.fn.strcharpart(msg, 0, math.max(width, 10))
      end
      vim.api.nvim_echo({ { msg } }, false, {})
    end)
  end,
})
