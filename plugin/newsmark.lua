-- newsmark: registers the :Newsmark command and the <Plug> mappings only.
-- Nothing is set up or loaded here: the plugin's code and the native library
-- load on first use, and require("newsmark").setup(opts) is the user's call.

if vim.g.loaded_newsmark then return end
vim.g.loaded_newsmark = true

vim.api.nvim_create_user_command("Newsmark", function(args)
  require("newsmark.plugin").command(args)
end, {
  nargs = "+",
  desc = "newsmark: enable|disable|toggle|sources|explain|rules|reload|compare [dir]|compare-jump|compare-clear",
  complete = function(lead, cmdline) return require("newsmark.plugin").complete(lead, cmdline) end,
})

-- No default keys: map these to what you like, e.g.
--   vim.keymap.set("n", "]q", "<Plug>(newsmark-next-quote)")
vim.keymap.set("n", "<Plug>(newsmark-next-quote)", function()
  require("newsmark.plugin").jump(1, vim.v.count1)
end, { desc = "newsmark: next quote" })
vim.keymap.set("n", "<Plug>(newsmark-prev-quote)", function()
  require("newsmark.plugin").jump(-1, vim.v.count1)
end, { desc = "newsmark: previous quote" })
vim.keymap.set("n", "<Plug>(newsmark-compare-jump)", function()
  require("newsmark.compare").jump(vim.v.count1)
end, { desc = "newsmark: open the other text of the variant under the cursor" })
