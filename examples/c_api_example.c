/* A C program using only ndconv.h: a 3x3 convolution with padding 1 over a
   1-channel 4x4 image (NCHW), one output channel that sums each 3x3
   neighbourhood, plus a bias of 0.5 and ReLU. Creates, runs, prints, destroys. */
#include <stdio.h>
#include <string.h>

#include "ndconv/ndconv.h"

int main(void) {
  ndconv_conv_desc desc;
  memset(&desc, 0, sizeof desc); /* zero means the defaults: stride 1, groups 1, ... */
  desc.rank = 2;
  desc.layout = NDCONV_NCX;
  desc.batch = 1;
  desc.in_channels = 1;
  desc.out_channels = 1;
  desc.in_size[0] = 4;
  desc.in_size[1] = 4;
  desc.kernel[0] = 3;
  desc.kernel[1] = 3;
  desc.padding = NDCONV_PAD_SAME_UPPER;
  desc.activation = NDCONV_ACT_RELU;

  float weights[9];
  for (int i = 0; i < 9; ++i) weights[i] = 1.0f;
  const float bias[1] = {0.5f};
  float input[16];
  for (int i = 0; i < 16; ++i) input[i] = (float)i;

  int64_t out_size[NDCONV_MAX_RANK];
  ndconv_status st = ndconv_conv_output_size(&desc, out_size);
  if (st != NDCONV_OK) {
    fprintf(stderr, "output_size: %s: %s\n", ndconv_status_string(st), ndconv_last_error());
    return 1;
  }
  ndconv_conv* conv = NULL;
  st = ndconv_conv_create(&desc, weights, bias, &conv);
  if (st != NDCONV_OK) {
    fprintf(stderr, "create: %s: %s\n", ndconv_status_string(st), ndconv_last_error());
    return 1;
  }
  float output[16];
  ndconv_threadpool* pool = ndconv_threadpool_create(2);
  st = ndconv_conv_run(conv, input, output, pool);
  ndconv_threadpool_destroy(pool);
  if (st != NDCONV_OK) {
    fprintf(stderr, "run: %s: %s\n", ndconv_status_string(st), ndconv_last_error());
    ndconv_conv_destroy(conv);
    return 1;
  }
  printf("kernel: %s, output %lld x %lld\n", ndconv_conv_kernel_name(conv),
         (long long)out_size[0], (long long)out_size[1]);
  for (int y = 0; y < 4; ++y) {
    for (int x = 0; x < 4; ++x) printf(" %6.1f", output[y * 4 + x]);
    printf("\n");
  }
  ndconv_conv_destroy(conv);
  /* The top-left output sums inputs 0, 1, 4, 5 plus the bias. */
  return output[0] == 10.5f && output[5] == 45.5f ? 0 : 1;
}
