/* Uses ndconv through its installed package only (see CMakeLists.txt here).
 * Each CHECK is one call of the public C API whose result is known. */
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

/* A 1x1 convolution over a 2x2 NHWC image with 2 input and 3 output
   channels: out[p][o] = sum_c in[p][c] * w[o][c] + bias[o], then ReLU. */
static void check_conv_api(void) {
  ndconv_conv_desc d;
  memset(&d, 0, sizeof d);
  d.rank = 2;
  d.layout = NDCONV_NXC;
  d.batch = 1;
  d.in_channels = 2;
  d.out_channels = 3;
  d.in_size[0] = d.in_size[1] = 2;
  d.kernel[0] = d.kernel[1] = 1;
  d.activation = NDCONV_ACT_RELU;
  const float w[3 * 2] = {1, 2, -1, 0, 0.5f, 0.5f};
  const float bias[3] = {0, 1, -10};
  const float in[4 * 2] = {1, 1, 2, 0, 0, 3, -1, 4};
  float out[4 * 3];
  ndconv_conv* conv = NULL;
  CHECK(ndconv_conv_create(&d, w, bias, &conv) == NDCONV_OK);
  if (!conv) return;
  CHECK(strlen(ndconv_conv_kernel_name(conv)) > 0);
  CHECK(ndconv_conv_run(conv, in, out, NULL) == NDCONV_OK);
  for (int p = 0; p < 4; ++p)
    for (int o = 0; o < 3; ++o) {
      float y = bias[o] + in[p * 2] * w[o * 2] + in[p * 2 + 1] * w[o * 2 + 1];
      y = y < 0 ? 0 : y;
      CHECK(out[p * 3 + o] == y);
    }
  ndconv_conv_destroy(conv);
  d.kernel[0] = 3;  /* larger than the 2-pixel input: rejected with a message */
  CHECK(ndconv_conv_create(&d, w, bias, &conv) == NDCONV_INVALID_ARGUMENT);
  CHECK(conv == NULL);
  CHECK(strstr(ndconv_last_error(), "kernel[0]") != NULL);
}

int main(void) {
  check_isa_api();
  check_error_api();
  check_conv_api();
  if (failures) {
    fprintf(stderr, "package_consumer: %d check(s) failed\n", failures);
    return 1;
  }
  printf("package_consumer: OK\n");
  return 0;
}
