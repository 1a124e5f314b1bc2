# newsmark: libnewsmark, the annotate filter, the Lua 5.4 module.
# `make run` and `make test` first run `make setup`, which installs what a
# fresh Debian machine lacks and does nothing when everything is there.

PREFIX ?= /usr/local
LIBDIR ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
DATADIR ?= $(PREFIX)/share/newsmark
LUA_VERSION ?= 5.4
LUA_CMOD ?= $(PREFIX)/lib/lua/$(LUA_VERSION)
LUA_LMOD ?= $(PREFIX)/share/lua/$(LUA_VERSION)

CC ?= cc
B ?= build
PKG_CONFIG ?= pkg-config
PCRE2_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags libpcre2-8 2>/dev/null)
PCRE2_LIBS ?= $(shell $(PKG_CONFIG) --libs libpcre2-8 2>/dev/null)
TS_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags tree-sitter 2>/dev/null)
TS_LIBS ?= $(shell $(PKG_CONFIG) --libs tree-sitter 2>/dev/null)
LUA_CFLAGS ?= $(shell $(PKG_CONFIG) --cflags lua$(LUA_VERSION) 2>/dev/null)
LUA_LIBS ?= $(shell $(PKG_CONFIG) --libs lua$(LUA_VERSION) 2>/dev/null)

OPT ?= -O2
CFLAGS ?= $(OPT) -g
WARN := -Wall -Wextra -Wshadow -Wpedantic
ifeq ($(SAN),1)
  CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
  LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L $(WARN) -fPIC -fvisibility=hidden \
  -Isrc -I$(B)/gen $(PCRE2_CFLAGS) $(TS_CFLAGS) $(CFLAGS)

# The library: one file per stage (src/internal.h says which).
LIB_SRC := src/doc.c src/lexicon.c src/markup.c src/segment.c src/quotes.c \
  src/attribution.c src/rules.c src/markers.c src/json.c
LIB_OBJ := $(LIB_SRC:src/%.c=$(B)/obj/%.o) $(B)/obj/gen_lexicon.o
LIB_LIBS := $(PCRE2_LIBS) $(TS_LIBS)

LEXICONS := $(sort $(wildcard src/lexicon/*.txt))

.PHONY: all run test check setup install uninstall clean bench fuzz
all: $(B)/libnewsmark.so $(B)/libnewsmark.a $(B)/annotate $(B)/newsmark.pc

$(B)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MD -MP -c $< -o $@

$(B)/obj/gen_%.o: $(B)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -MD -MP -c $< -o $@

# Lexicons are plain text, embedded as one string: "@@ FILE" heads each file.
$(B)/gen/lexicon.c: $(LEXICONS) src/embed.awk
	@mkdir -p $(@D)
	awk -v name=nm__lexicon_text -f src/embed.awk $(LEXICONS) > $@.tmp && mv $@.tmp $@

$(B)/libnewsmark.so: $(LIB_OBJ)
	$(CC) -shared -o $@ $^ $(LDFLAGS) $(LIB_LIBS)

$(B)/libnewsmark.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^

$(B)/annotate: $(B)/obj/annotate.o $(B)/libnewsmark.a
	$(CC) -o $@ $^ $(LDFLAGS) $(LIB_LIBS) $(LUA_LIBS) -lm

$(B)/newsmark.pc: newsmark.pc.in
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' \
	  -e 's|@VERSION@|$(shell sed -n 's/^#define NM_VERSION_MAJOR //p' src/newsmark.h).$(shell sed -n 's/^#define NM_VERSION_MINOR //p' src/newsmark.h).$(shell sed -n 's/^#define NM_VERSION_PATCH //p' src/newsmark.h)|' $< > $@

clean:
	rm -rf $(B)

-include $(wildcard $(B)/obj/*.d)
