// A persistent pool of worker threads. The calling thread always takes the first chunk, so
// set_num_threads(1) runs everything inline.
#include "parallel.h"
#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace tg {

namespace {

class Pool {
 public:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    size_ = hw == 0 ? 1 : static_cast<int>(hw);
  }
  ~Pool() { stop(); }

  int size() const { return size_; }
  void resize(int n) {
    std::lock_guard<std::mutex> run(run_mu_);
    stop();
    size_ = std::max(1, n);
  }

  void run(int64_t n, int64_t chunks, const std::function<void(int64_t, int64_t)>& fn) {
    std::lock_guard<std::mutex> run(run_mu_);  // one parallel region at a time
    start_workers();
    {
      std::lock_guard<std::mutex> lk(mu_);
      fn_ = &fn;
      n_ = n;
      chunks_ = chunks;
      pending_ = static_cast<int>(chunks);
      next_.store(0);
      generation_++;
    }
    cv_.notify_all();
    work();
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [&] { return pending_ == 0; });
    fn_ = nullptr;
  }

 private:
  void run_chunk(int64_t c) {
    int64_t per = (n_ + chunks_ - 1) / chunks_;
    int64_t b = c * per, e = std::min(n_, b + per);
    if (b < e) (*fn_)(b, e);
  }

  void start_workers() {
    if (!workers_.empty() || size_ <= 1) return;
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = false;
      gen = generation_;
    }
    // Each worker starts from the generation current at its spawn, so that a job posted
    // before the thread first runs is not missed.
    for (int i = 1; i < size_; i++) workers_.emplace_back([this, gen] { loop(gen); });
  }

  void stop() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
      generation_++;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void loop(uint64_t seen) {
    while (true) {
      {
        std::unique_lock<std::mutex> lk(mu_);
        // quit_ is checked too: stop() may run before a new thread first waits.
        cv_.wait(lk, [&] { return generation_ != seen || quit_; });
        seen = generation_;
        if (quit_) return;
      }
      work();
    }
  }

  // Takes chunks until none is left; the caller and the workers all run this.
  void work() {
    while (true) {
      int64_t c = next_.fetch_add(1);
      if (c >= chunks_) break;
      run_chunk(c);
      std::lock_guard<std::mutex> lk(mu_);
      if (--pending_ == 0) done_cv_.notify_all();
    }
  }

  int size_;
  std::vector<std::thread> workers_;
  std::mutex run_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  const std::function<void(int64_t, int64_t)>* fn_ = nullptr;
  int64_t n_ = 0, chunks_ = 0;
  std::atomic<int64_t> next_{0};
  int pending_ = 0;
  uint64_t generation_ = 0;
  bool quit_ = false;
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destructors
  return *p;
}

thread_local bool t_in_parallel = false;

}  // namespace

void set_num_threads(int n) { pool().resize(n); }
int get_num_threads() { return pool().size(); }

void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  int threads = pool().size();
  if (threads <= 1 || n < 2 * grain || t_in_parallel) {
    fn(0, n);
    return;
  }
  int64_t chunks = std::min<int64_t>(threads, n / grain);
  t_in_parallel = true;
  pool().run(n, chunks, [&](int64_t b, int64_t e) {
    bool prev = t_in_parallel;
    t_in_parallel = true;
    fn(b, e);
    t_in_parallel = prev;
  });
  t_in_parallel = false;
}

}  // namespace tg
