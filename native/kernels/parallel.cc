// A persistent pool of worker threads. The calling thread always takes part, so
// set_num_threads(1) runs everything inline and a pool of n has n - 1 workers.
//
// One job at a time (run_mu_). A job is a range split into chunks that the caller and the
// workers claim with an atomic counter, so a worker that wakes late simply finds fewer
// chunks left (or none) and nothing waits on it.
//
// Protocol (all under mu_ unless atomic):
//   caller:  publish fn/n/chunks, open_ = true, gen_++  -> wake sleepers -> claim chunks
//            -> open_ = false (no one joins any more) -> wait until active_ == 0
//   worker:  wait for gen_ to change (spin briefly, then sleep on cv_) -> if open_, active_++
//            -> claim chunks -> active_-- (wake the caller if it sleeps and this was the last)
// Because the caller returns only once active_ is 0, no worker can still be reading the job
// when the next one is published. Idle workers spin ~50 us before sleeping: long enough to
// catch back-to-back ops without a futex wake, short enough not to fight other processes
// (or PyTorch's own pool) for the cores.
//
// An exception thrown by a chunk (on any thread) is caught, the remaining chunks are
// skipped, and the first exception is rethrown on the caller once the job has drained.
#include "parallel.h"
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
#include <immintrin.h>
#endif

namespace tg {

namespace {

inline void cpu_relax() {
#if defined(__x86_64__) || defined(_M_X64) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  __asm__ __volatile__("yield");
#endif
}

// Spins until pred() holds or `budget` elapses; true if pred() held.
template <class Pred>
bool spin_until(Pred pred, std::chrono::microseconds budget) {
  auto deadline = std::chrono::steady_clock::now() + budget;
  while (true) {
    for (int i = 0; i < 64; i++) {
      if (pred()) return true;
      cpu_relax();
    }
    if (std::chrono::steady_clock::now() >= deadline) return pred();
  }
}

constexpr int64_t kChunksPerThread = 4;
constexpr std::chrono::microseconds kWorkerSpin{50};
constexpr std::chrono::microseconds kCallerSpin{200};

class Pool {
 public:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    size_ = hw == 0 ? 1 : static_cast<int>(hw);
  }

  int size() const { return size_.load(std::memory_order_relaxed); }

  void resize(int n) {
    n = std::max(1, n);
    std::lock_guard<std::mutex> run(run_mu_);
    if (n == size()) return;
    stop_workers();
    size_.store(n, std::memory_order_relaxed);
  }

  void run(int64_t n, int64_t chunks, const std::function<void(int64_t, int64_t)>& fn) {
    std::lock_guard<std::mutex> run(run_mu_);
    start_workers();
    {
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = &fn;
      n_ = n;
      chunks_ = chunks;
      next_.store(0, std::memory_order_relaxed);
      failed_.store(false, std::memory_order_relaxed);
      error_ = nullptr;
      open_ = true;
      gen_.fetch_add(1, std::memory_order_release);
      if (sleepers_ > 0) cv_.notify_all();
    }
    work();
    std::unique_lock<std::mutex> lk(mu_);
    open_ = false;
    if (active_.load(std::memory_order_acquire) != 0) {
      lk.unlock();
      if (!spin_until([&] { return active_.load(std::memory_order_acquire) == 0; }, kCallerSpin)) {
        lk.lock();
        caller_waiting_ = true;
        done_cv_.wait(lk, [&] { return active_.load(std::memory_order_acquire) == 0; });
        caller_waiting_ = false;
      } else {
        lk.lock();
      }
    }
    fn_ = nullptr;
    std::exception_ptr err = error_;
    error_ = nullptr;
    lk.unlock();
    if (err) std::rethrow_exception(err);
  }

 private:
  void start_workers() {
    if (!workers_.empty() || size() <= 1) return;
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = false;
    }
    // A worker's first `seen` is the generation at its creation, not at its start: a thread
    // that starts late must still notice a quit (or job) published in between.
    uint64_t g = gen_.load(std::memory_order_acquire);
    for (int i = 1; i < size(); i++) workers_.emplace_back([this, g] { loop(g); });
  }

  void stop_workers() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
      gen_.fetch_add(1, std::memory_order_release);
      cv_.notify_all();
    }
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void loop(uint64_t seen) {
    while (true) {
      auto changed = [&] { return gen_.load(std::memory_order_acquire) != seen; };
      std::unique_lock<std::mutex> lk(mu_, std::defer_lock);
      if (spin_until(changed, kWorkerSpin)) {
        lk.lock();
      } else {
        lk.lock();
        sleepers_++;
        cv_.wait(lk, changed);
        sleepers_--;
      }
      seen = gen_.load(std::memory_order_acquire);
      if (quit_) return;
      if (!open_) continue;  // woke after the caller finished this job alone
      active_.fetch_add(1, std::memory_order_acq_rel);
      lk.unlock();
      work();
      if (active_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
        std::lock_guard<std::mutex> g(mu_);
        if (caller_waiting_) done_cv_.notify_one();
      }
    }
  }

  // Claims chunks until none is left; the caller and the workers all run this.
  void work() {
    while (true) {
      int64_t c = next_.fetch_add(1, std::memory_order_relaxed);
      if (c >= chunks_) return;
      if (failed_.load(std::memory_order_relaxed)) continue;  // drain without running
      int64_t per = (n_ + chunks_ - 1) / chunks_;
      int64_t b = c * per, e = std::min(n_, b + per);
      if (b >= e) continue;
      try {
        (*fn_)(b, e);
      } catch (...) {
        std::lock_guard<std::mutex> lk(mu_);
        if (!error_) error_ = std::current_exception();
        failed_.store(true, std::memory_order_relaxed);
      }
    }
  }

  std::atomic<int> size_{1};
  std::vector<std::thread> workers_;
  std::mutex run_mu_;  // one job at a time; also guards workers_
  std::mutex mu_;
  std::condition_variable cv_, done_cv_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> active_{0};
  std::atomic<int64_t> next_{0};
  std::atomic<bool> failed_{false};
  // The job (written under mu_ before gen_ changes; read by workers that joined it).
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, chunks_ = 0;
  bool open_ = false, quit_ = false, caller_waiting_ = false;
  int sleepers_ = 0;
  std::exception_ptr error_;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destructors
  return *p;
}

thread_local bool t_in_parallel = false;

// Marks this thread as inside a parallel region (nested parallel_for runs inline).
struct InParallel {
  bool prev;
  InParallel() : prev(t_in_parallel) { t_in_parallel = true; }
  ~InParallel() { t_in_parallel = prev; }
};

}  // namespace

void set_num_threads(int n) { pool().resize(n); }
int get_num_threads() { return pool().size(); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  grain = std::max<int64_t>(1, grain);
  int threads = pool().size();
  if (threads <= 1 || n < 2 * grain || t_in_parallel) {
    fn(0, n);
    return;
  }
  // A few chunks per thread, claimed dynamically: when a thread is late (descheduled by
  // another process on a busy machine, or still waking up) the others take its share instead
  // of waiting for it; with exactly one chunk per thread the caller would wait out a whole
  // scheduler time slice. Chunk boundaries depend only on n and the chunk count.
  int64_t chunks = std::min<int64_t>(int64_t(threads) * kChunksPerThread, n / grain);
  InParallel guard;
  pool().run(n, chunks, [&](int64_t b, int64_t e) {
    InParallel inner;
    fn(b, e);
  });
}

void parallel_tasks(int64_t n, const std::function<void(int64_t)>& fn) {
  if (n <= 0) return;
  if (pool().size() <= 1 || n == 1 || t_in_parallel) {
    for (int64_t i = 0; i < n; i++) fn(i);
    return;
  }
  InParallel guard;
  pool().run(n, n, [&](int64_t b, int64_t e) {
    InParallel inner;
    for (int64_t i = b; i < e; i++) fn(i);
  });
}

}  // namespace tg
