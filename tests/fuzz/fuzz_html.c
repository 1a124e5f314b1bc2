/* fuzz_html.c: analyse any bytes as html input; see fuzz.h for what is checked. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  nm_fuzz_analyse(nm_fuzz_engine(), data, size, NM_INPUT_HTML);
  return 0;
}
