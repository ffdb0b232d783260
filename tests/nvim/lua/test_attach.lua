-- nvim-client/ as a user adds it: runtimepath + vim.lsp.enable('sheetls').
-- sheetls attaches to Python buffers (root = the project folder), not to other files;
-- vim.g.sheetls_cmd overrides the command.
local H = dofile(os.getenv('SHEETLS_ROOT') .. '/tests/nvim/lua/harness.lua')

local override = os.getenv('SHEETLS_CMD_OVERRIDE')
if override then
  vim.g.sheetls_cmd = vim.split(override, ' ', { trimempty = true })
end
H.setup()

H.run(function()
  local bufnr, c = H.open('pkg/app.py', { 'import asyncio', '' })
  local client = c.sheetls

  H.check('the config comes from nvim-client/lsp/sheetls.lua', function()
    H.eq({ 'python' }, client.config.filetypes, 'filetypes')
    H.eq('info', client.config.init_options.logLevel, 'init_options.logLevel')
    H.eq(true, client.config.init_options.builtinSheet, 'init_options.builtinSheet')
    if override then
      H.eq(vim.split(override, ' ', { trimempty = true }), client.config.cmd, 'cmd from vim.g.sheetls_cmd')
    else
      H.eq({ 'sheetls' }, client.config.cmd, 'default cmd')
    end
  end)

  H.check('root_dir is the folder holding pyproject.toml', function()
    H.eq(vim.fs.normalize(H.workspace), vim.fs.normalize(client.root_dir), 'root_dir')
  end)

  H.check('the server initialized and advertises completion, hover and renderSheet', function()
    local caps = client.server_capabilities
    H.ok(caps.completionProvider, 'no completionProvider', caps)
    H.ok(caps.hoverProvider, 'no hoverProvider', caps)
    local cmds = (caps.executeCommandProvider or {}).commands or {}
    H.ok(vim.list_contains(cmds, 'sheetls.renderSheet'), 'sheetls.renderSheet not advertised', cmds)
    H.ok(vim.list_contains({ 'utf-8', 'utf-16', 'utf-32' }, client.offset_encoding),
      'offset encoding', client.offset_encoding)
    H.log('     negotiated position encoding: ' .. client.offset_encoding)
  end)

  H.check('a second Python buffer reuses the same client', function()
    local b2 = H.open('pkg/other.py', { 'x = 1' })
    H.eq(1, #vim.lsp.get_clients({ name = 'sheetls' }), 'number of sheetls clients')
    H.ok(vim.lsp.get_clients({ bufnr = b2, name = 'sheetls' })[1], 'not attached to other.py')
  end)

  H.check('a non-Python file gets no sheetls', function()
    vim.fn.writefile({ 'aio' }, H.workspace .. '/notes.txt')
    vim.cmd.edit(vim.fn.fnameescape(H.workspace .. '/notes.txt'))
    H.sleep(300)
    H.eq({}, vim.lsp.get_clients({ bufnr = 0, name = 'sheetls' }), 'clients on notes.txt')
  end)

  H.check(':checkhealth sheetls reports the server, its version and the client', function()
    vim.cmd('checkhealth sheetls')
    local text = table.concat(vim.api.nvim_buf_get_lines(0, 0, -1, false), '\n')
    H.log('     ' .. text:gsub('\n', '\n     '))
    H.ok(not text:find('ERROR', 1, true), 'health errors', text)
    H.contains(text, 'sheetls', 'health section')
    H.ok(text:find('server: .*sheetls') and text:find('%d+%.%d+'), 'no server path and version', text)
    H.contains(text, 'enabled for filetypes: python', 'enabled')
    H.contains(text, 'position encoding ' .. client.offset_encoding, 'client line')
    vim.cmd('bwipeout!')
  end)

  H.check('no errors were reported', function()
    H.eq({}, H.errors(), 'error notifications')
  end)
  local _ = bufnr
end)
