// Work partitioning over an ndconv_threadpool (own threads or the host's
// parallel_for). Tasks never wait for each other.
#pragma once

#include <cstddef>

#include "ndconv/ndconv.h"

namespace ndconv {
namespace dispatch {

// How many threads the pool suggests splitting work for (1 for NULL).
size_t threadpool_threads(const ndconv_threadpool* pool);

// Runs task(ctx, i) for every i in [0, count), on the pool (NULL: inline on
// the calling thread), and returns when all are done.
void parallel_for(ndconv_threadpool* pool, size_t count, ndconv_task_fn task, void* ctx);

// Convenience over the above for a lambda or any callable `f(size_t)`.
template <class F>
void parallel_for(ndconv_threadpool* pool, size_t count, F& f) {
  parallel_for(pool, count, [](void* c, size_t i) { (*static_cast<F*>(c))(i); }, &f);
}

}  // namespace dispatch
}  // namespace ndconv
