#pragma once
/// \file
/// Runs `f(0) ... f(count-1)` on up to `jobs` threads: the parallel runner's sweeps and
/// `retrace replay-all`. With TBB, except in a ThreadSanitizer build: Debian's libtbb is not
/// built with TSan, so TSan cannot see TBB's own task hand-offs and reports them (and every
/// result a task hands back) as races. A TSan build therefore runs the same loop on plain
/// std::threads that take indices from an atomic counter, so that what TSan checks is what the
/// runs share with each other, not TBB's internals.
///
/// Example:
/// \code
///   std::vector<int> out(n);
///   retrace::detail::parallel_for(2, n, [&](std::size_t i) { out[i] = work(i); });
/// \endcode
#include <cstddef>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#if defined(__SANITIZE_THREAD__)
#define RETRACE_TSAN_BUILD 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define RETRACE_TSAN_BUILD 1
#endif
#endif

#ifdef RETRACE_TSAN_BUILD
#include <atomic>
#include <thread>
#include <vector>
#endif

namespace retrace::detail {

/// `jobs` 0: as many as TBB offers. One job (or one item) runs in the calling thread.
template <class F>
void parallel_for(unsigned jobs, std::size_t count, F&& f) {
  if (jobs == 0) jobs = static_cast<unsigned>(tbb::this_task_arena::max_concurrency());
  if (jobs <= 1 || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) f(i);
    return;
  }
#ifdef RETRACE_TSAN_BUILD
  std::atomic<std::size_t> next{0};
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < jobs; ++t)
    workers.emplace_back([&] {
      for (std::size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) f(i);
    });
  for (auto& w : workers) w.join();
#else
  tbb::task_arena arena(static_cast<int>(jobs));
  arena.execute([&] { tbb::parallel_for(std::size_t{0}, count, [&](std::size_t i) { f(i); }); });
#endif
}

} // namespace retrace::detail
