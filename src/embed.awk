# embed.awk: turn text files into one C string, for data compiled into the
# library. Each file starts with a line "@@ <file name>" so the reader knows
# which file (and so which class) the entries that follow came from.
#   awk -v name=SYMBOL -f src/embed.awk FILE...
function esc(s) {
  gsub(/\\/, "&&", s)  # "&&": the match twice; mawk mangles "\\\\"
  gsub(/"/, "\\\"", s)
  gsub(/\t/, "\\t", s)
  return s
}
BEGIN { printf "#include <stddef.h>\nconst char %s[] =\n", name }
FNR == 1 { f = FILENAME; sub(/.*\//, "", f); printf "  \"@@ %s\\n\"\n", esc(f) }
{ printf "  \"%s\\n\"\n", esc($0) }
END { printf "  \"\";\nconst size_t %s_len = sizeof %s - 1;\n", name, name }
