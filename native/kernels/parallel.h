// parallel_for: splits [0, n) across the persistent thread pool when the work is big enough.
// Tiny ops never pay for threads: below `grain` elements it runs on the calling thread.
#pragma once
#include <cstdint>
#include <functional>

namespace tg {

void set_num_threads(int n);
int get_num_threads();

// fn(begin, end) is called on disjoint chunks covering [0, n).
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

// fn(task) for every task in [0, n), each claimed on its own by whichever thread is free:
// dynamic load balancing for a few coarse, possibly uneven pieces of work (GEMM blocks).
// Runs inline when there is one thread, one task, or when already inside a parallel region.
void parallel_tasks(int64_t n, const std::function<void(int64_t)>& fn);

// Elements below which elementwise kernels stay single-threaded.
constexpr int64_t kElementwiseGrain = 32768;

}  // namespace tg
