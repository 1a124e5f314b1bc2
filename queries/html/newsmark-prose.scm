; newsmark-prose.scm (html): which bytes of a web page are prose.
;
; Captures newsmark reads (src/markup.c; the Neovim plugin may read them too):
;   @newsmark.prose    text (entities included: nm__html_entity decodes them)
;   @newsmark.skip     markup inside prose: invisible, the words on either
;                      side still join into one sentence
;   @newsmark.break    markup that ends a paragraph
;   @newsmark.hide     an element whose whole content is not article prose
;   @newsmark.mute     an element whose content is skipped inside the line
;   @newsmark.heading  prose inside it is a heading
;   @newsmark.boiler   prose inside it is page furniture
; Where captures nest, break beats skip beats prose; hide and mute win over
; everything inside them. Whitespace no capture covers is prose; any other
; byte no capture covers (raw text of scripts and styles, doctypes, the
; debris of broken markup) ends a paragraph.
; Tag names are matched without regard to case (HTML ignores it).

(text) @newsmark.prose
(entity) @newsmark.prose

; Tags of inline elements sit inside a line of prose: <em>, <a href=...>.
; Their attributes go with them.
((start_tag (tag_name) @_tag) @newsmark.skip
  (#any-of? @_tag "a" "abbr" "acronym" "b" "bdi" "bdo" "big" "cite" "data" "del"
    "dfn" "em" "font" "i" "img" "ins" "label" "mark" "nobr" "q" "s" "small" "span"
    "strike" "strong" "sub" "sup" "time" "u" "wbr" "code" "kbd" "samp" "tt" "var"))
((end_tag (tag_name) @_tag) @newsmark.skip
  (#any-of? @_tag "a" "abbr" "acronym" "b" "bdi" "bdo" "big" "cite" "data" "del"
    "dfn" "em" "font" "i" "img" "ins" "label" "mark" "nobr" "q" "s" "small" "span"
    "strike" "strong" "sub" "sup" "time" "u" "wbr" "code" "kbd" "samp" "tt" "var"))
((self_closing_tag (tag_name) @_tag) @newsmark.skip
  (#any-of? @_tag "a" "b" "i" "img" "span" "wbr"))

; Every other tag (<p>, <br>, <div>, <li>, <h2>, ...) ends a paragraph.
((start_tag (tag_name) @_tag) @newsmark.break
  (#not-any-of? @_tag "a" "abbr" "acronym" "b" "bdi" "bdo" "big" "cite" "data" "del"
    "dfn" "em" "font" "i" "img" "ins" "label" "mark" "nobr" "q" "s" "small" "span"
    "strike" "strong" "sub" "sup" "time" "u" "wbr" "code" "kbd" "samp" "tt" "var"))
((end_tag (tag_name) @_tag) @newsmark.break
  (#not-any-of? @_tag "a" "abbr" "acronym" "b" "bdi" "bdo" "big" "cite" "data" "del"
    "dfn" "em" "font" "i" "img" "ins" "label" "mark" "nobr" "q" "s" "small" "span"
    "strike" "strong" "sub" "sup" "time" "u" "wbr" "code" "kbd" "samp" "tt" "var"))
((self_closing_tag (tag_name) @_tag) @newsmark.break
  (#not-any-of? @_tag "a" "b" "i" "img" "span" "wbr"))
(erroneous_end_tag) @newsmark.break

; A comment is invisible on the page; it does not split the sentence it
; sits in, and nothing inside it is prose.
(comment) @newsmark.skip

; Code inside a line (<code>, <kbd>): skipped like Markdown's `code`, so
; a quote mark inside it is no quote.
((element (start_tag (tag_name) @_tag)) @newsmark.mute
  (#any-of? @_tag "code" "kbd" "samp" "tt" "var"))

; Elements with no article prose inside: the page head, code blocks,
; embedded graphics and media, form controls, templates.
((element (start_tag (tag_name) @_tag)) @newsmark.hide
  (#any-of? @_tag "head" "pre" "template" "noscript" "svg" "math" "select" "option"
    "button" "textarea" "iframe" "object" "video" "audio" "canvas"))

((element (start_tag (tag_name) @_tag)) @newsmark.heading
  (#any-of? @_tag "h1" "h2" "h3" "h4" "h5" "h6"))

; Page furniture: asides, navigation, footers, and blocks whose class or id
; says they are related links, sharing or sign-up boxes.
((element (start_tag (tag_name) @_tag)) @newsmark.boiler
  (#any-of? @_tag "aside" "nav" "footer"))
((element
  (start_tag
    (attribute (attribute_name) @_name
      (quoted_attribute_value (attribute_value) @_value)))) @newsmark.boiler
  (#any-of? @_name "class" "id")
  ; "\v" asks Neovim's regex for this (PCRE-like) syntax; newsmark drops it.
  (#match? @_value "\\v(related|newsletter|promo|share|social|subscribe|sidebar|recommend|comments|also-read|read-more)"))
