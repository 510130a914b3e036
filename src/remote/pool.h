#pragma once
// A fixed pool of worker threads over a list of jobs (s5cmd's
// parallel/parallel.go, without the semaphore dance). The first job that throws
// cancels the jobs not yet started; run() rethrows it on the calling thread as
// a handoff::Error saying how many other jobs failed.
#include <cstddef>
#include <functional>

namespace handoff::remote {

/// Run job(i) for i in [0, count) on up to `threads` threads (1 or less: on
/// the calling thread). Throws after all started jobs have ended.
void run_parallel(size_t count, int threads, const std::function<void(size_t)>& job);

}  // namespace handoff::remote
