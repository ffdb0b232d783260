-- luacheck for the Neovim client and its Lua tests (`make check`; Debian's lua-check).
std = "luajit"
max_line_length = 120
-- Neovim's API: read-only except the option and variable tables (and vim.notify, which the
-- test harness replaces to record messages).
read_globals = { "vim" }
globals = { "vim.g", "vim.b", "vim.w", "vim.o", "vim.bo", "vim.wo", "vim.opt", "vim.env", "vim.notify" }
