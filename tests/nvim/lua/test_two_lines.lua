-- The two lines of the README and nothing else (runtimepath + vim.lsp.enable, Neovim's
-- default 'completeopt'): `aio` <C-x><C-o> lists the sheet and <C-y> expands the snippet
-- with its tab stops. A user's own completion set-up keeps its options (autotrigger), and
-- vim.g.sheetls_builtin_completion = false leaves built-in completion alone.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')
H.setup({ two_lines = true })

local function completion_autocmds(buf)
  local ok, acs = pcall(vim.api.nvim_get_autocmds, { group = 'nvim.lsp.completion_' .. buf })
  return ok and acs or {}
end

local user_au

H.run(function()
  H.check('two lines: aio <C-x><C-o> <C-y> expands aioopen with its tab stops', function()
    H.eq('menu,popup', vim.o.completeopt, "Neovim's default 'completeopt' (fixture sanity)")
    local bufnr, c = H.open('two.py', { 'import asyncio', '', '', 'async def main():', '    pass' })
    local sheetls = c.sheetls
    H.wait(function()
      return #completion_autocmds(bufnr) > 0
    end, 'the plugin to enable built-in completion for the buffer')
    H.cursor_on(bufnr, '    pass')
    H.feed('O')
    H.feed('aio')
    H.omni({ sheetls })
    H.eq(H.prefixes(), vim.tbl_map(function(i)
      return i.abbr
    end, H.menu_from(sheetls)), 'the menu')
    local n = vim.api.nvim_buf_line_count(bufnr)
    H.accept('aioopen', sheetls)
    H.wait(function()
      return vim.api.nvim_buf_line_count(bufnr) > n
    end, 'the snippet to expand')
    H.sleep(50)
    H.ok(vim.snippet.active(), 'no snippet session')
    H.eq('s', vim.fn.mode(), 'first tab stop selected')
    H.feed('"localhost"')
    H.feed('<Esc>', 'nt')
    local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
    local edited = '    reader, writer = await asyncio.wait_for(asyncio.open_connection("localhost", 80), timeout=10)'
    H.contains(text, edited, 'expanded and edited')
    H.assert_parses(bufnr)
  end)

  H.check("a user's own LspAttach set-up (registered later, autotrigger on) keeps its options", function()
    user_au = vim.api.nvim_create_autocmd('LspAttach', {
      callback = function(ev)
        vim.lsp.completion.enable(true, ev.data.client_id, ev.buf, { autotrigger = true })
      end,
    })
    local bufnr = H.open('user.py', { 'x = 1' })
    H.wait(function()
      return #completion_autocmds(bufnr) > 0
    end, 'completion to be enabled')
    H.sleep(100)
    local events = vim.tbl_map(function(a)
      return a.event
    end, completion_autocmds(bufnr))
    H.ok(vim.list_contains(events, 'InsertCharPre'), 'autotrigger was lost', events)
  end)

  H.check('vim.g.sheetls_builtin_completion = false: built-in completion is left alone', function()
    vim.api.nvim_del_autocmd(user_au)
    vim.g.sheetls_builtin_completion = false
    local bufnr = H.open('optout.py', { 'x = 1' })
    H.sleep(200)
    H.eq({}, completion_autocmds(bufnr), 'completion autocmds for the buffer')
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
