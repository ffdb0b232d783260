-- sheetls's diagnostics (SHEETxxx) and quick fixes in Neovim. They are on by default (the
-- server's `diagnostics` option); the modes are how a user leaves them on or turns them off:
--   SHEETLS_DIAG_MODE=default       nothing (nvim-client/ as it comes): diagnostics and quick fixes
--   SHEETLS_DIAG_MODE=settings      vim.lsp.config('sheetls', { settings = { sheetls = { diagnostics = true } } })
--   SHEETLS_DIAG_MODE=off           vim.lsp.config('sheetls', { init_options = { diagnostics = false } }):
--                                   no diagnostics, no quick fix, until :SheetlsDiagnostics turns
--                                   them on in the running server
--   SHEETLS_DIAG_MODE=settings_off  the same through settings = { sheetls = { diagnostics = false } }
-- What is checked is what Neovim makes of them: vim.diagnostic.get(), the float, the code
-- action menu (`gra`), vim.lsp.buf.code_action({ apply = true, filter = ... }), the buffer after.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')

local MODE = os.getenv('SHEETLS_DIAG_MODE') or 'default'
local OFF = MODE == 'off' or MODE == 'settings_off'
if MODE == 'settings' then
  vim.lsp.config('sheetls', { settings = { sheetls = { diagnostics = true } } })
elseif MODE == 'off' then
  vim.lsp.config('sheetls', { init_options = { diagnostics = false } })
elseif MODE == 'settings_off' then
  vim.lsp.config('sheetls', { settings = { sheetls = { diagnostics = false } } })
elseif MODE ~= 'default' then
  error('unknown SHEETLS_DIAG_MODE ' .. MODE)
end
H.setup({ watchdog_ms = 120000 })

local BLOCKING = {
  'import asyncio',
  'import time',
  '',
  '',
  'async def main():',
  '    time.sleep(1)',
  '    print("done")',
  '',
  '',
  'def plain():',
  '    time.sleep(1)',
  '',
  '',
  'asyncio.run(main())',
}
local ROW = 5 -- 0-based row of the call inside async def
local FIXED = '    await asyncio.sleep(1)'

--- The buffer's lines.
local function lines(bufnr)
  return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false)
end

--- Waits until the buffer has diagnostics (from any namespace: pushed or pulled), then a
--- moment more, and returns them sorted by position.
local function wait_diagnostics(bufnr, what)
  H.wait(function()
    return #vim.diagnostic.get(bufnr) > 0
  end, what or 'diagnostics on ' .. vim.api.nvim_buf_get_name(bufnr))
  H.sleep(200)
  local ds = vim.diagnostic.get(bufnr)
  table.sort(ds, function(a, b)
    return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col)
  end)
  return ds
end

local function wait_no_diagnostics(bufnr, what)
  H.wait(function()
    return #vim.diagnostic.get(bufnr) == 0
  end, what or 'the diagnostics to clear')
end

local function brief(ds)
  return vim.tbl_map(function(d)
    return ('%d:%d %s %s'):format(d.lnum, d.col, tostring(d.code), d.message)
  end, ds)
end

--- Python compiles the buffer's text (written to its file first).
local function assert_compiles(bufnr)
  vim.api.nvim_buf_call(bufnr, function()
    vim.cmd('silent write!')
  end)
  local path = vim.api.nvim_buf_get_name(bufnr)
  local code = 'import sys; compile(open(sys.argv[1], "rb").read(), sys.argv[1], "exec")'
  local r = vim.system({ H.python, '-c', code, path }, { text = true }):wait()
  local text = table.concat(lines(bufnr), '\n')
  H.ok(r.code == 0, 'the fixed file does not compile', r.stderr, text)
  return text
end

--- The raw textDocument/codeAction answer of sheetls at the cursor, as Neovim asks it (with
--- the line's diagnostics in the context).
local function code_actions_at_cursor(client, bufnr)
  local params = vim.lsp.util.make_range_params(0, client.offset_encoding)
  local row = vim.api.nvim_win_get_cursor(0)[1] - 1
  params.context = {
    diagnostics = vim.lsp.diagnostic.from(vim.diagnostic.get(bufnr, { lnum = row })),
    triggerKind = 1,
  }
  local resp = client:request_sync('textDocument/codeAction', params, 20000, bufnr)
  H.ok(resp and resp.err == nil, 'textDocument/codeAction failed', resp)
  return resp.result or {}
end

local function quick_fixes(actions)
  return vim.tbl_filter(function(a)
    return a.kind == 'quickfix'
  end, actions)
end

local function preferred(actions)
  return vim.tbl_filter(function(a)
    return a.isPreferred == true
  end, actions)
end

--- vim.lsp.buf.code_action({ apply = true }) with the preferred action only, as a user maps
--- it; waits until the line `row` changes and returns its new text.
local function apply_preferred(bufnr, row)
  local before = lines(bufnr)[row + 1]
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      return action.isPreferred == true
    end,
  })
  H.wait(function()
    return lines(bufnr)[row + 1] ~= before
  end, 'the preferred code action to change line ' .. (row + 1))
  return lines(bufnr)[row + 1]
end

--- Checks the SHEET101 diagnostic of BLOCKING.
local function expect_sheet101(bufnr)
  local ds = wait_diagnostics(bufnr, 'SHEET101 on time.sleep(1) in async def')
  H.eq(1, #ds, 'one diagnostic (none in the plain def): ' .. vim.inspect(brief(ds)))
  local d = ds[1]
  local line = lines(bufnr)[ROW + 1]
  local col = line:find('time.sleep(1)', 1, true) - 1
  H.eq('SHEET101', d.code, 'code')
  H.eq('sheetls', d.source, 'source')
  H.eq({ ROW, col, ROW, col + #'time.sleep(1)' }, { d.lnum, d.col, d.end_lnum, d.end_col }, 'range')
  H.eq(vim.diagnostic.severity.WARN, d.severity, 'severity')
  H.contains(d.message, 'asyncio.sleep', 'message')
  return d
end

--- What :checkhealth sheetls says about the client's diagnostics ('on' or 'off ...').
local function health_diagnostics()
  local win = vim.api.nvim_get_current_win()
  vim.cmd('checkhealth sheetls')
  local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
  vim.cmd('bwipeout!')
  if vim.api.nvim_win_is_valid(win) then
    vim.api.nvim_set_current_win(win)
  end
  return H.ok(text:match('diagnostics (o[nf]f?[^,]*),'), 'no "diagnostics" in :checkhealth sheetls', text)
end

H.run(function()
  if OFF then
    local bufnr, c = H.open('off.py', BLOCKING)
    local client = c.sheetls

    H.check(MODE .. ': turned off, the server publishes nothing and offers no quick fix', function()
      if MODE == 'off' then
        H.eq(false, client.config.init_options.diagnostics, 'init_options.diagnostics')
      else
        H.eq(false, vim.tbl_get(client.settings, 'sheetls', 'diagnostics'), 'settings.sheetls.diagnostics')
      end
      H.eq(false, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
      H.eq(false, require('sheetls').diagnostics_enabled(), 'diagnostics_enabled() for later clients')
      H.eq('off (:SheetlsDiagnostics on)', health_diagnostics(), ':checkhealth sheetls')
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      -- the server has read the document by the time it answers this request
      H.eq({}, quick_fixes(code_actions_at_cursor(client, bufnr)), 'quick fixes offered')
      H.sleep(1500) -- well past the server's 0.3 s debounce
      H.eq({}, brief(vim.diagnostic.get(bufnr)), 'diagnostics with the option off')
    end)

    H.check(':SheetlsDiagnostics (toggle) turns them on in the running server', function()
      vim.cmd('SheetlsDiagnostics')
      H.eq(true, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
      expect_sheet101(bufnr)
      H.eq(1, #vim.lsp.get_clients({ name = 'sheetls' }), 'the same client (no restart)')
      H.eq('on', health_diagnostics(), ':checkhealth sheetls')
    end)

    H.check('and the quick fix is then applied by vim.lsp.buf.code_action', function()
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      H.eq(FIXED, apply_preferred(bufnr, ROW), 'the fixed line')
      assert_compiles(bufnr)
      wait_no_diagnostics(bufnr, 'SHEET101 to clear once fixed')
      vim.cmd('silent undo')
      expect_sheet101(bufnr)
    end)

    H.check('a server started later (another project) gets the option from :SheetlsDiagnostics', function()
      vim.fn.mkdir(H.workspace .. '/other', 'p')
      vim.fn.writefile({ '[project]', 'name = "other"', 'version = "0"' }, H.workspace .. '/other/pyproject.toml')
      local b2, c2 = H.open('other/late.py', BLOCKING)
      H.ok(c2.sheetls.id ~= client.id, 'a second client for the other root', c2.sheetls.root_dir)
      expect_sheet101(b2)
      vim.cmd('buffer ' .. bufnr)
    end)

    H.check(':SheetlsDiagnostics off clears them and the quick fixes go', function()
      vim.cmd('SheetlsDiagnostics off')
      wait_no_diagnostics(bufnr, 'the diagnostics to clear after :SheetlsDiagnostics off')
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      H.eq({}, quick_fixes(code_actions_at_cursor(client, bufnr)), 'quick fixes offered')
      H.eq(false, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
    end)

    H.check(':SheetlsDiagnostics with a bad argument says so', function()
      local n = #H.notifications
      pcall(vim.cmd, 'SheetlsDiagnostics maybe')
      local said = H.notifications[n + 1]
      H.ok(said and said.msg:find('on, off or toggle', 1, true), 'no error message', H.notifications)
      table.remove(H.notifications, n + 1) -- expected here
    end)
  else
    local bufnr, c = H.open('blocking.py', BLOCKING)
    local client = c.sheetls

    H.check(MODE .. ': SHEET101 on time.sleep(1) inside async def, source sheetls, at its columns', function()
      if MODE == 'default' then
        H.eq(nil, client.config.init_options.diagnostics, 'init_options.diagnostics (the server decides)')
        H.eq(nil, vim.tbl_get(client.settings, 'sheetls', 'diagnostics'), 'settings.sheetls.diagnostics')
      end
      H.eq(true, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
      H.eq(true, require('sheetls').diagnostics_enabled(), 'diagnostics_enabled() for later clients')
      expect_sheet101(bufnr)
    end)

    H.check(':checkhealth sheetls says diagnostics on', function()
      H.eq('on', health_diagnostics(), ':checkhealth sheetls')
    end)

    H.check('the diagnostic float shows the message and the code', function()
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      H.close_floats()
      local fbuf = vim.diagnostic.open_float()
      H.ok(fbuf, 'no float opened')
      local text = table.concat(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false), '\n')
      H.log('     float: ' .. text:gsub('\n', '\n            '))
      H.contains(text, 'blocks the event loop', 'message in the float')
      H.contains(text, '[SHEET101]', 'code in the float')
      H.close_floats()
      fbuf = vim.diagnostic.open_float({ source = true })
      text = table.concat(vim.api.nvim_buf_get_lines(fbuf, 0, -1, false), '\n')
      H.contains(text, 'sheetls: ', 'source in the float with source = true')
      H.close_floats()
    end)

    H.check('sheetls offers one preferred quick fix for it', function()
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      local actions = code_actions_at_cursor(client, bufnr)
      local pref = preferred(actions)
      H.eq(1, #pref, 'preferred actions: ' .. vim.inspect(vim.tbl_map(function(a)
        return a.title
      end, actions)))
      H.eq('quickfix', pref[1].kind, 'kind of the preferred action')
      H.contains(pref[1].title, 'SHEET101', 'title names the rule')
      H.contains(pref[1].title, 'asyncio.sleep', 'title says the fix')
      H.eq('SHEET101', ((pref[1].diagnostics or {})[1] or {}).code, 'the action names its diagnostic')
    end)

    --- `gra` on the diagnostic's line, with vim.ui.select recorded instead of shown: the menu's
    --- items, their titles and the callback that chooses one.
    local function gra_menu()
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      local menu
      local select = vim.ui.select
      vim.ui.select = function(items, opts, on_choice) -- luacheck: ignore 122
        menu = { items = items, opts = opts, on_choice = on_choice }
      end
      H.feed('gra')
      local ok, err = pcall(H.wait, function()
        return menu
      end, 'the code action menu')
      vim.ui.select = select -- luacheck: ignore 122
      assert(ok, err)
      local titles = vim.tbl_map(menu.opts.format_item, menu.items)
      H.log('     menu: ' .. table.concat(titles, ' | '))
      return menu, titles
    end

    H.check("\"Show the sheet's entry\" from `gra` opens the sheet's source at the entry", function()
      local menu, titles = gra_menu()
      local pick
      for i, t in ipairs(titles) do
        if t:find("sheet's entry", 1, true) then
          pick = i
        end
      end
      H.ok(pick, 'no "Show the sheet\'s entry" in the menu', titles)
      menu.on_choice(menu.items[pick], pick)
      H.wait(function()
        return vim.api.nvim_get_current_buf() ~= bufnr
      end, 'the entry to open')
      local name = vim.api.nvim_buf_get_name(0)
      H.ok(vim.startswith(name, vim.fs.normalize(H.root .. '/snippets/')) and name:find('%.ya?ml$'),
        'not the sheet source', name)
      H.ok(vim.api.nvim_get_current_line():find('id:', 1, true), 'the cursor is not on an entry id',
        vim.api.nvim_get_current_line())
      vim.cmd('buffer ' .. bufnr)
    end)

    H.check('`gra` (vim.lsp.buf.code_action) lists the fix; choosing it fixes the line', function()
      local menu, titles = gra_menu()
      local pick
      for i, item in ipairs(menu.items) do
        if item.action.isPreferred then
          pick = i
        end
      end
      H.ok(pick, 'no preferred action in the menu', titles)
      H.contains(titles[pick], 'SHEET101', 'menu entry')
      menu.on_choice(menu.items[pick], pick)
      H.wait(function()
        return lines(bufnr)[ROW + 1] == FIXED
      end, 'the line to read ' .. FIXED)
      assert_compiles(bufnr)
      wait_no_diagnostics(bufnr, 'SHEET101 to clear once fixed')
    end)

    H.check('after undo it is back, and code_action({ apply = true, filter = isPreferred }) fixes it', function()
      vim.cmd('silent undo')
      H.eq('    time.sleep(1)', lines(bufnr)[ROW + 1], 'line after undo')
      expect_sheet101(bufnr)
      H.cursor_on(bufnr, 'time.sleep(1)', 0, ROW)
      H.eq(FIXED, apply_preferred(bufnr, ROW), 'the fixed line')
      local text = assert_compiles(bufnr)
      H.eq(BLOCKING[ROW + 2], lines(bufnr)[ROW + 2], 'the next line is untouched')
      H.ok(not text:find('time.sleep(1)\n    print', 1, true), 'the call in async def is gone', text)
      H.eq('    time.sleep(1)', lines(bufnr)[11], 'the plain def keeps its time.sleep')
      wait_no_diagnostics(bufnr, 'SHEET101 to clear once fixed')
    end)

    H.check('the fix adds `import asyncio` to a file that has none', function()
      local b = H.open('noimport.py', { 'import time', '', '', 'async def main():', '    time.sleep(1)' })
      local ds = wait_diagnostics(b)
      H.eq({ 'SHEET101' }, vim.tbl_map(function(d)
        return d.code
      end, ds), 'codes')
      H.cursor_on(b, 'time.sleep(1)', 0)
      apply_preferred(b, ds[1].lnum)
      H.wait(function()
        return vim.list_contains(lines(b), '    await asyncio.sleep(1)')
      end, 'the fixed call')
      local text = assert_compiles(b)
      H.ok(vim.list_contains(lines(b), 'import asyncio'), 'no import asyncio added', text)
    end)

    H.check('noqa: SHEET101, ASYNC251 and a bare noqa silence it; another code does not', function()
      local b = H.open('noqa.py', {
        'import asyncio',
        'import time',
        '',
        '',
        'async def main():',
        '    time.sleep(1)  # noqa: SHEET101',
        '    time.sleep(2)  # noqa: ASYNC251',
        '    time.sleep(3)  # noqa',
        '    time.sleep(4)  # noqa: SHEET102',
        '    print("é😀漢字"); time.sleep(5)',
        '    loop = asyncio.get_event_loop()',
        '    print(loop)',
      })
      local ds = wait_diagnostics(b)
      local text = lines(b)
      local got = vim.tbl_map(function(d)
        return { d.code, d.lnum, d.col, d.end_col }
      end, ds)
      local s9 = text[10]:find('time.sleep(5)', 1, true) - 1 -- a byte column after multibyte text
      local s10 = text[11]:find('asyncio.get_event_loop()', 1, true) - 1
      H.eq({
        { 'SHEET101', 8, 4, 4 + #'time.sleep(4)' },
        { 'SHEET101', 9, s9, s9 + #'time.sleep(5)' },
        { 'SHEET206', 10, s10, s10 + #'asyncio.get_event_loop()' },
      }, got, 'diagnostics (code, row, byte columns): ' .. vim.inspect(brief(ds)))
      -- not deprecated in a coroutine (docs/rules.md, SHEET206): no Deprecated tag
      H.ok(not (ds[3]._tags and ds[3]._tags.deprecated), 'SHEET206 is tagged deprecated', ds[3])
      vim.cmd('buffer ' .. bufnr)
    end)

    H.check("code_action({ context = { only = { 'source.fixAll' } }, apply = true }) fixes the whole file", function()
      local b = H.open('fixall.py', {
        'import asyncio',
        'import time',
        '',
        '',
        'async def main():',
        '    time.sleep(1)',
        '    loop = asyncio.get_event_loop()',
        '    time.sleep(2)',
        '    print(loop)',
      })
      H.eq({ 'SHEET101', 'SHEET206', 'SHEET101' }, vim.tbl_map(function(d)
        return d.code
      end, wait_diagnostics(b)), 'codes before')
      local before = lines(b)
      vim.lsp.buf.code_action({ context = { only = { 'source.fixAll' } }, apply = true })
      H.wait(function()
        return not vim.deep_equal(before, lines(b))
      end, 'the fix-all action to change the file')
      H.eq({
        '    await asyncio.sleep(1)',
        '    loop = asyncio.get_running_loop()',
        '    await asyncio.sleep(2)',
        '    print(loop)',
      }, vim.list_slice(lines(b), 6, 9), 'the fixed body')
      assert_compiles(b)
      wait_no_diagnostics(b, 'fixall.py to have no findings left')
      vim.cmd('buffer ' .. bufnr)
    end)

    H.check(':SheetlsDiagnostics (toggle) from on turns them off in every buffer, and back on', function()
      local b = vim.fn.bufnr('noqa.py')
      vim.cmd('SheetlsDiagnostics')
      wait_no_diagnostics(b, 'noqa.py to lose its diagnostics')
      H.eq(false, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
      H.eq('off (:SheetlsDiagnostics on)', health_diagnostics(), ':checkhealth sheetls')
      vim.cmd('SheetlsDiagnostics')
      H.eq(3, #wait_diagnostics(b, 'noqa.py to get them back'), 'diagnostics back on noqa.py')
      H.eq(true, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
    end)

    H.check(':SheetlsDiagnostics off clears them and the quick fixes go; on brings them back', function()
      local b = vim.fn.bufnr('noqa.py')
      vim.cmd('SheetlsDiagnostics off')
      wait_no_diagnostics(b, 'noqa.py to lose its diagnostics')
      vim.cmd('buffer ' .. b)
      H.cursor_on(b, 'time.sleep(4)', 0)
      H.eq({}, quick_fixes(code_actions_at_cursor(client, b)), 'quick fixes offered with diagnostics off')
      H.eq(false, require('sheetls').diagnostics_enabled(client), 'diagnostics_enabled(client)')
      vim.cmd('SheetlsDiagnostics on')
      H.eq(3, #wait_diagnostics(b, 'noqa.py to get them back'), 'diagnostics back on noqa.py')
      H.eq('on', health_diagnostics(), ':checkhealth sheetls')
      vim.cmd('buffer ' .. bufnr)
    end)
  end

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
end)
