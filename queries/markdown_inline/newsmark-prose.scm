; newsmark-prose.scm (markdown_inline): markup inside a run of prose.
;
; Everything here is @newsmark.skip: invisible to the analysis, while the
; words on either side still join into one sentence and one quote, and
; offsets still point into the original file. What is not captured stays
; prose: emphasised words, link text, image-free text.

; **very**, _very_, ~~very~~: the words are prose, the delimiters are not.
(emphasis_delimiter) @newsmark.skip

; Code is not prose: a quote inside a code span is no quote. It is skipped
; (not a paragraph break) so the sentence around it stays whole.
(code_span) @newsmark.skip
; latex_block is left alone: in news, "$800 million ... $1 billion" is money,
; and the grammar would read it as one math span.

; Links: the text is prose; brackets, destination, title and label are not.
(inline_link ["[" "]"] @newsmark.skip)
; From "(" to ")" nothing is prose, the space before a title included:
; @newsmark.skip.span covers the first such capture of a match to the last.
(inline_link "(" @newsmark.skip.span ")" @newsmark.skip.span)
(full_reference_link ["[" "]"] @newsmark.skip)
(collapsed_reference_link ["[" "]"] @newsmark.skip)
(shortcut_link ["[" "]"] @newsmark.skip)
(link_destination) @newsmark.skip
(link_title) @newsmark.skip
(link_label) @newsmark.skip

; Images, autolinks and raw HTML tags carry no prose of the article.
(image) @newsmark.skip
(uri_autolink) @newsmark.skip
(email_autolink) @newsmark.skip
(html_tag) @newsmark.skip

; \* \" \[: the backslash is markup, the character after it is prose.
(backslash_escape) @newsmark.escape
