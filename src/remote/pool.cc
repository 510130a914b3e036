#include "remote/pool.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "util/error.h"

namespace handoff::remote {

void run_parallel(size_t count, int threads, const std::function<void(size_t)>& job) {
  std::atomic<size_t> next{0};
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::exception_ptr first;
  size_t failures = 0;
  size_t skipped = 0;

  auto worker = [&] {
    for (;;) {
      size_t i = next.fetch_add(1);
      if (i >= count) return;
      if (cancelled.load()) {
        std::lock_guard<std::mutex> lock(mutex);
        ++skipped;
        continue;
      }
      try {
        job(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex);
        if (!first) first = std::current_exception();
        ++failures;
        cancelled.store(true);
      }
    }
  };
  size_t n = std::min<size_t>(count, static_cast<size_t>(std::max(threads, 1)));
  if (n <= 1) {
    worker();
  } else {
    std::vector<std::thread> pool;
    pool.reserve(n);
    for (size_t t = 0; t < n; ++t) pool.emplace_back(worker);
    for (auto& t : pool) t.join();
  }
  if (!first) return;
  if (failures == 1 && skipped == 0) std::rethrow_exception(first);
  try {
    std::rethrow_exception(first);
  } catch (const Error& e) {
    throw Error(fmt::format("{} ({} other transfer(s) failed, {} cancelled)", e.what(), failures - 1, skipped),
                e.hint(), e.exit_code());
  } catch (const std::exception& e) {
    throw Error(fmt::format("{} ({} other transfer(s) failed, {} cancelled)", e.what(), failures - 1, skipped));
  }
}

}  // namespace handoff::remote
