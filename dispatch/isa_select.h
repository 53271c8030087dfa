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

// True if both this build and this CPU can run `isa` (a concrete level).
bool isa_available(ndconv_isa isa);

}  // namespace dispatch
}  // namespace ndconv
