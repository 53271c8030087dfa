#include "plan/isa_select.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "plan/cpu_features.h"
#include "plan/tuned_table.h"
#include "plan/tuning.h"
#include "api/error.h"
#include "api/raw_enum.h"

namespace ndconv {
namespace dispatch {
namespace {

// The process-wide choice. kEnvError marks an NDCONV_ISA value that could not
// be honoured: plans then fail to create (with env_error_message) until
// ndconv_set_isa picks a level, rather than silently running another ISA.
constexpr int kEnvError = -1;

struct IsaState {
  std::atomic<int> isa{NDCONV_ISA_AUTO};
  ndconv_status env_status = NDCONV_OK;
  char env_error_message[256] = "";
};

// The fastest level this build and CPU have: the widest, except where the
// tuning says the core runs AVX-512 no faster than AVX2 (one 512-bit FMA
// unit: Tuning::prefer_avx2_to_avx512); forcing AVX-512 stays possible.
ndconv_isa detect_best() {
  const CpuFeatures& f = cpu_features();
#if defined(NDCONV_HAVE_AVX512)
  const bool avx2_as_fast = tuning().prefer_avx2_to_avx512 && isa_available(NDCONV_ISA_AVX2);
  if (f.avx512 && !avx2_as_fast) return NDCONV_ISA_AVX512;
#endif
#if defined(NDCONV_HAVE_AVX2)
  if (f.avx2_fma) return NDCONV_ISA_AVX2;
#endif
#if defined(NDCONV_HAVE_NEON)
  if (f.neon) return NDCONV_ISA_NEON;
#endif
  (void)f;
  return NDCONV_ISA_SCALAR;
}

bool parse_isa_name(const char* text, ndconv_isa* isa) {
  static const struct { const char* name; ndconv_isa isa; } names[] = {
      {"auto", NDCONV_ISA_AUTO},  {"scalar", NDCONV_ISA_SCALAR}, {"avx2", NDCONV_ISA_AVX2},
      {"avx512", NDCONV_ISA_AVX512}, {"neon", NDCONV_ISA_NEON}};
  for (const auto& n : names) {
    if (std::strcmp(text, n.name) == 0) {
      *isa = n.isa;
      return true;
    }
  }
  return false;
}

IsaState& state() {
  static IsaState* s = [] {
    auto* st = new IsaState();  // never destroyed: usable from other static destructors
    const char* env = std::getenv("NDCONV_ISA");
    if (env == nullptr || *env == '\0') return st;
    ndconv_isa isa = NDCONV_ISA_AUTO;
    if (!parse_isa_name(env, &isa)) {
      st->env_status = NDCONV_INVALID_ARGUMENT;
      std::snprintf(st->env_error_message, sizeof st->env_error_message,
                    "NDCONV_ISA = \"%s\" is not an ISA name (auto, scalar, avx2, avx512, neon)",
                    env);
    } else if (isa != NDCONV_ISA_AUTO && !isa_available(isa)) {
      st->env_status = NDCONV_UNSUPPORTED;
      std::snprintf(st->env_error_message, sizeof st->env_error_message,
                    "NDCONV_ISA = \"%s\" is not available: this %s; the best available is \"%s\"",
                    env,
                    kernels::kernel_table_for(isa) ? "CPU (or its OS) lacks it"
                                                   : "build has no kernels for it",
                    ndconv_isa_name(detect_best()));
    } else {
      st->isa.store(isa);
      return st;
    }
    st->isa.store(kEnvError);
    // Said once at load time too: a typo in a deployment's environment should
    // be visible even before the first plan fails.
    std::fprintf(stderr, "ndconv: %s; plans will fail to create until ndconv_set_isa()\n",
                 st->env_error_message);
    return st;
  }();
  return *s;
}

// Reads NDCONV_ISA when the library is loaded, as the API promises.
const bool load_time_env_read = (state(), true);

}  // namespace

bool isa_available(ndconv_isa isa) {
  if (kernels::kernel_table_for(isa) == nullptr) return false;
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case NDCONV_ISA_SCALAR: return true;
    case NDCONV_ISA_AVX2: return f.avx2_fma;
    case NDCONV_ISA_AVX512: return f.avx512;
    case NDCONV_ISA_NEON: return f.neon;
    default: return false;
  }
}

const kernels::KernelTable* current_kernel_table() {
  ndconv_status ignored;
  return current_kernel_table(&ignored);
}

const kernels::KernelTable* current_kernel_table(ndconv_status* status) {
  IsaState& st = state();
  const int isa = st.isa.load();
  *status = NDCONV_OK;
  if (isa == kEnvError) {
    *status = fail(st.env_status, st.env_error_message);
    return nullptr;
  }
  // The ISA's table with the main tiles the tuning picks for this CPU.
  return tuned_kernel_table(kernels::kernel_table_for(
      isa == NDCONV_ISA_AUTO ? detect_best() : static_cast<ndconv_isa>(isa)));
}

}  // namespace dispatch
}  // namespace ndconv

using ndconv::dispatch::failf;

extern "C" ndconv_isa ndconv_detected_isa(void) { return ndconv::dispatch::detect_best(); }

extern "C" ndconv_status ndconv_set_isa(ndconv_isa isa) {
  const int raw = ndconv::dispatch::raw_enum_value(isa);
  if (raw < NDCONV_ISA_AUTO || raw > NDCONV_ISA_NEON)
    return failf(NDCONV_INVALID_ARGUMENT, "isa = %d is not an ndconv_isa value (0 .. 4)", raw);
  if (isa != NDCONV_ISA_AUTO && !ndconv::dispatch::isa_available(isa))
    return failf(NDCONV_UNSUPPORTED, "isa = %s is not available on this %s (best: %s)",
                 ndconv_isa_name(isa),
                 ndconv::kernels::kernel_table_for(isa) ? "CPU" : "build",
                 ndconv_isa_name(ndconv::dispatch::detect_best()));
  ndconv::dispatch::state().isa.store(isa);
  return NDCONV_OK;
}

extern "C" ndconv_isa ndconv_current_isa(void) {
  const int isa = ndconv::dispatch::state().isa.load();
  if (isa < 0) return NDCONV_ISA_AUTO;  // kEnvError: no ISA, plans fail to create
  if (isa == NDCONV_ISA_AUTO) return ndconv::dispatch::detect_best();
  return static_cast<ndconv_isa>(isa);
}

extern "C" const char* ndconv_isa_name(ndconv_isa isa) {
  switch (ndconv::dispatch::raw_enum_value(isa)) {
    case NDCONV_ISA_AUTO: return "auto";
    case NDCONV_ISA_SCALAR: return "scalar";
    case NDCONV_ISA_AVX2: return "avx2";
    case NDCONV_ISA_AVX512: return "avx512";
    case NDCONV_ISA_NEON: return "neon";
  }
  return "unknown";
}
