/* Uses ndconv through its installed package only (see CMakeLists.txt here).
 * Each CHECK is one call of the public C API whose result is known; add
 * checks for ndconv_conv_create / run / destroy here as the API grows. */
#include <stdio.h>
#include <string.h>

#include <ndconv/ndconv.h>

static int failures = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    if (!(cond)) {                                                    \
      fprintf(stderr, "package_consumer: %s:%d: CHECK(%s) failed\n",  \
              __FILE__, __LINE__, #cond);                             \
      ++failures;                                                     \
    }                                                                 \
  } while (0)

static void check_isa_api(void) {
  const ndconv_isa detected = ndconv_detected_isa();
  CHECK(detected != NDCONV_ISA_AUTO);
  CHECK(strcmp(ndconv_isa_name(NDCONV_ISA_SCALAR), "scalar") == 0);
  CHECK(ndconv_set_isa(NDCONV_ISA_SCALAR) == NDCONV_OK);
  CHECK(ndconv_current_isa() == NDCONV_ISA_SCALAR);
  CHECK(ndconv_set_isa(NDCONV_ISA_AUTO) == NDCONV_OK);
  CHECK(ndconv_current_isa() == detected);
  printf("package_consumer: detected ISA %s\n", ndconv_isa_name(detected));
}

static void check_error_api(void) {
  CHECK(ndconv_set_isa((ndconv_isa)5) == NDCONV_INVALID_ARGUMENT);
  CHECK(strstr(ndconv_last_error(), "isa = 5") != NULL);
  CHECK(strcmp(ndconv_status_string(NDCONV_INVALID_ARGUMENT), "NDCONV_INVALID_ARGUMENT") == 0);
}

int main(void) {
  check_isa_api();
  check_error_api();
  if (failures) {
    fprintf(stderr, "package_consumer: %d check(s) failed\n", failures);
    return 1;
  }
  printf("package_consumer: OK\n");
  return 0;
}
