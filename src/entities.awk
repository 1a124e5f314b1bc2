# entities.awk: turn WHATWG's entities.json (one entity a line, sorted by
# name with `LC_ALL=C sort`) into C tables for nm__html_entity (markup.c).
# Names keep their ';' when they have one; legacy names without ';' are
# listed too, as HTML parsers accept them. Entities of two code points are
# left out: a decoder that returns one character cannot give them.
#   LC_ALL=C sort html_entities.json | awk -f src/entities.awk
BEGIN { n = 0 }
match($0, /"&[A-Za-z0-9]+;?": *\{ *"codepoints": *\[[0-9]+\]/) {
  entry = substr($0, RSTART, RLENGTH)
  name = entry; sub(/^"&/, "", name); sub(/".*/, "", name)
  code = entry; sub(/.*\[/, "", code); sub(/\]$/, "", code)
  names[n] = name; codes[n] = code; n++
}
END {
  print "#include <stddef.h>\n#include <stdint.h>"
  print "const char *const nm__entity_names[] = {"
  for (i = 0; i < n; i++) printf "  \"%s\",\n", names[i]
  print "};\nconst uint32_t nm__entity_codes[] = {"
  for (i = 0; i < n; i++) printf "  %s,\n", codes[i]
  printf "};\nconst size_t nm__entity_count = %d;\n", n
}
