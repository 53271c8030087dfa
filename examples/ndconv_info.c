/* ndconv_info: what this machine and this build of ndconv offer.
 *
 *   ndconv_info              a human summary (detected ISA, the ones that can
 *                            be forced, the current choice and NDCONV_ISA);
 *                            exits 1 when plans cannot be created (NDCONV_ISA
 *                            names an unknown or unavailable ISA)
 *   ndconv_info --detected   the detected ISA's name only
 *   ndconv_info --available  the names of every ISA ndconv_set_isa accepts here,
 *                            space separated (scripts/test.sh reruns the test
 *                            suite under each of them)
 *   ndconv_info --tuning     the detected caches and the tuning plans use,
 *                            "name = value" lines (also in the summary)
 *   ndconv_info --cpu        the CPU: brand string, vendor, family / model /
 *                            stepping (AArch64: MIDR fields), the named
 *                            microarchitecture the tuning is keyed on, its FMA
 *                            units; "name = value" lines (also in the summary)
 *
 * Written in C against the public header only: it doubles as a check that
 * ndconv.h is valid C and that the installed C API is enough to use ndconv. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ndconv/ndconv.h"

static const ndconv_isa kConcreteIsas[] = {NDCONV_ISA_SCALAR, NDCONV_ISA_AVX2,
                                           NDCONV_ISA_AVX512, NDCONV_ISA_NEON};
enum { kConcreteIsaCount = sizeof kConcreteIsas / sizeof kConcreteIsas[0] };

/* Probes with ndconv_set_isa, the public test of availability. This changes the
   process-wide choice, so callers report the current ISA before probing. */
static void print_available(const char* separator) {
  const char* sep = "";
  for (int i = 0; i < kConcreteIsaCount; ++i) {
    if (ndconv_set_isa(kConcreteIsas[i]) == NDCONV_OK) {
      printf("%s%s", sep, ndconv_isa_name(kConcreteIsas[i]));
      sep = separator;
    }
  }
  ndconv_set_isa(NDCONV_ISA_AUTO);
  printf("\n");
}

/* The lines of `text`, each prefixed with `indent`. */
static void print_lines(const char* text, const char* indent) {
  for (const char* line = text; *line != '\0';) {
    const char* end = strchr(line, '\n');
    const int length = end ? (int)(end - line) : (int)strlen(line);
    printf("%s%.*s\n", indent, length, line);
    line += length + (end != NULL);
  }
}

/* The caches and tuning, each line prefixed with `indent`. */
static int print_tuning(const char* indent) {
  const size_t length = ndconv_tuning_string(NULL, 0);
  char* text = malloc(length + 1);
  if (text == NULL) return 1;
  ndconv_tuning_string(text, length + 1);
  print_lines(text, indent);
  free(text);
  return 0;
}

/* NULL if a plan can be created now, else why not (ndconv_last_error). */
static const char* plan_error(void) {
  ndconv_conv_desc d;
  memset(&d, 0, sizeof d);
  d.rank = 1;
  d.batch = d.in_channels = d.out_channels = 1;
  d.in_size[0] = d.kernel[0] = 1;
  const float weight = 1.0f;
  ndconv_conv* conv = NULL;
  if (ndconv_conv_create(&d, &weight, NULL, &conv) != NDCONV_OK) return ndconv_last_error();
  ndconv_conv_destroy(conv);
  return NULL;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "--detected") == 0) {
    printf("%s\n", ndconv_isa_name(ndconv_detected_isa()));
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--available") == 0) {
    print_available(" ");
    return 0;
  }
  if (argc == 2 && strcmp(argv[1], "--tuning") == 0) return print_tuning("");
  if (argc == 2 && strcmp(argv[1], "--cpu") == 0) {
    print_lines(ndconv_cpu_string(), "");
    return 0;
  }
  if (argc != 1) {
    fprintf(stderr, "usage: %s [--detected | --available | --tuning | --cpu]\n", argv[0]);
    return 2;
  }
  const char* env = getenv("NDCONV_ISA");
  printf("ndconv: SIMD convolution microkernels for CPU inference\n");
  printf("detected ISA:   %s\n", ndconv_isa_name(ndconv_detected_isa()));
  const char* error = plan_error();  /* before print_available resets the choice */
  if (error)
    printf("current ISA:    none: plans fail to create until ndconv_set_isa(): %s\n", error);
  else
    printf("current ISA:    %s\n", ndconv_isa_name(ndconv_current_isa()));
  printf("NDCONV_ISA:     %s\n", env ? env : "(not set)");
  printf("available ISAs: ");
  print_available(", ");
  printf("cpu:\n");
  print_lines(ndconv_cpu_string(), "  ");
  printf("caches and tuning:\n");
  const int tuning_status = print_tuning("  ");
  return error ? 1 : tuning_status;
}
