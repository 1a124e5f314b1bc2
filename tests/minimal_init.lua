-- A clean Neovim for the tests: no user config, no other plugins, only this
-- repository on 'runtimepath'. The library comes from $NEWSMARK_LIB (set by
-- tests/test_nvim.sh to $NM_BUILD/libnewsmark.so) or <repo>/build.
local root = vim.fn.fnamemodify(debug.getinfo(1, "S").source:sub(2), ":p:h:h")
vim.opt.runtimepath = { root, vim.env.VIMRUNTIME }
vim.opt.packpath = {}
vim.opt.swapfile = false
vim.opt.shadafile = "NONE"
vim.opt.more = false
vim.g.newsmark_test_root = root
vim.cmd("runtime! plugin/newsmark.lua")
