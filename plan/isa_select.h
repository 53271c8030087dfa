// Which ISA new plans use: the detected best level, or what ndconv_set_isa /
// the NDCONV_ISA environment variable forced.
#pragma once

#include "kernels/kernel_table.h"
#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

// The kernel table new plans must use, or nullptr with the error recorded
// (ndconv_last_error) when NDCONV_ISA named an unknown or unavailable ISA and
// no ndconv_set_isa call has replaced it since.
const kernels::KernelTable* current_kernel_table();
// The same, also storing the status a caller should return when it is nullptr
// (NDCONV_INVALID_ARGUMENT or NDCONV_UNSUPPORTED; NDCONV_OK otherwise).
const kernels::KernelTable* current_kernel_table(ndconv_status* status);

// True if both this build and this CPU can run `isa` (a concrete level).
bool isa_available(ndconv_isa isa);

}  // namespace dispatch
}  // namespace ndconv
