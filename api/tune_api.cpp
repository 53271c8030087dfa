// The C API of the measure mode's cache ("wisdom") and candidate list
// (plan/wisdom.h, plan/measure.h). ndconv_conv_create_ex and
// ndconv_conv_tune_info are in api/api.cpp, beside the plan.
#include "api/error.h"
#include "kernels/kernel_table.h"
#include "plan/isa_select.h"
#include "plan/measure.h"
#include "plan/wisdom.h"

using ndconv::dispatch::guarded;

extern "C" size_t ndconv_tune_candidates(char* buf, size_t size) {
  const ndconv::kernels::KernelTable* table = ndconv::dispatch::current_kernel_table();
  if (table == nullptr) {  // NDCONV_ISA named an ISA this machine lacks
    if (buf && size) buf[0] = '\0';
    return 0;
  }
  return ndconv::dispatch::format_candidates(*ndconv::kernels::kernel_table_for(table->isa), buf,
                                             buf ? size : 0);
}

extern "C" size_t ndconv_wisdom_export(char* buf, size_t size) {
  size_t length = 0;
  // Out of memory leaves the length 0 (and buf, when given, empty).
  guarded("ndconv_wisdom_export", [&] {
    length = ndconv::dispatch::wisdom_export(buf, buf ? size : 0);
    return NDCONV_OK;
  });
  return length;
}

extern "C" ndconv_status ndconv_wisdom_import(const char* text) {
  return guarded("ndconv_wisdom_import", [&] { return ndconv::dispatch::wisdom_import(text); });
}

extern "C" ndconv_status ndconv_wisdom_export_file(const char* path) {
  return guarded("ndconv_wisdom_export_file", [&] { return ndconv::dispatch::wisdom_export_file(path); });
}

extern "C" ndconv_status ndconv_wisdom_import_file(const char* path) {
  return guarded("ndconv_wisdom_import_file", [&] { return ndconv::dispatch::wisdom_import_file(path); });
}

extern "C" void ndconv_wisdom_clear(void) {
  guarded("ndconv_wisdom_clear", [] {
    ndconv::dispatch::wisdom_clear();
    return NDCONV_OK;
  });
}
