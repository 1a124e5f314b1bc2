; newsmark-prose.scm (markdown, the block grammar): which bytes are prose.
;
; Captures newsmark reads (src/markup.c; the Neovim plugin may read them too):
;   @newsmark.prose    prose; its inline markup is parsed by the
;                      markdown_inline grammar (queries/markdown_inline/)
;   @newsmark.skip     markup inside prose: invisible, the words on either
;                      side still join into one sentence
;   @newsmark.heading  prose inside it is a heading
; Everything no capture covers (list markers, fences, code blocks, HTML
; blocks, link definitions, blank lines) ends a paragraph and is never prose.
; Where captures nest, skip beats prose.

(inline) @newsmark.prose

; The "> " that continues a block quote onto the next line sits inside the
; paragraph: the lines on either side are one paragraph.
(inline (block_continuation) @newsmark.skip)

; Table cells hold inline text too; the pipes between them end it.
(pipe_table_cell) @newsmark.prose

(atx_heading (inline) @newsmark.heading)
(setext_heading (paragraph (inline) @newsmark.heading))
