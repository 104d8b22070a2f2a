// A fixed pool of worker threads that share out the tiles of one piece of work at a time.
#include "neurona/parallel.hpp"

#include "parallel.hpp"

#include <fmt/format.h>

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <new>
#include <thread>
#include <utility>
#include <vector>

#include "eigen_gemm.hpp"
#include "ending_signals.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

std::atomic<int> requested_threads{0};

// Set when the pool is destroyed at exit, after which work from a static object's destructor runs
// its tiles on the calling thread (the same bits: tiles are fixed by shape). An atomic bool has no
// destructor to run, so it can still be read then; the pool's joined workers could take no tile.
std::atomic<bool> pool_destroyed{false};

// Set in the child of a fork() made after the pool started. The child has the pool's memory but
// none of its threads: work handed to them would never be done, and joining them, or destroying
// the condition variable they waited on, would wait forever (an exit() of the child hung). The
// child runs all its work on its own thread and leaves the pool as it is, never destroyed.
std::atomic<bool> in_forked_child{false};

int cores() {
  return std::max(1, int(std::thread::hardware_concurrency()));
}

// A signal that ends the program is taken by a thread of the program's own, not by a worker: its
// handler removes temporary files, whose names only the threads that write files change.
void leave_signals_to_the_program() {
  const sigset_t signals = ending_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
}

// Workers sleep on a condition variable between pieces of work: a training step hands them a few
// products, each far longer than a wake-up. Tiles are taken from a shared counter, so a thread
// slowed by other work on its core takes fewer of them.
class ThreadPool {
 public:
  ~ThreadPool() {
    pool_destroyed.store(true);
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& worker : workers_)
      worker.join();
  }

  // An exception from a tile (std::bad_alloc) stops the tiles not yet taken and is thrown here
  // once every thread is done with the work, on whichever thread it was thrown.
  void run(Index tiles, int threads, void (*tile)(const void*, Index), const void* context) {
    std::lock_guard one_at_a_time(run_mutex_);  // callers on several threads take turns
    const int helpers = std::min<int>(threads, int(tiles)) - 1;
    while (int(workers_.size()) < helpers)
      workers_.emplace_back([this, id = int(workers_.size())] {
        leave_signals_to_the_program();
        // Made before the worker takes a tile, hence within the work that started it; if it
        // cannot be, the worker's first tile tries again and its failure reaches the caller.
        try {
          detail::keep_packing_space();
        } catch (const std::bad_alloc&) {
        }
        work(id);
      });
    {
      std::lock_guard lock(mutex_);
      tile_ = tile;
      context_ = context;
      tiles_ = tiles;
      next_.store(1);  // tile 0 is the caller's: its own packing space is made in the first work
      failure_ = nullptr;
      active_helpers_ = helpers;
      busy_ = helpers;
      ++generation_;
    }
    wake_.notify_all();
    take_tiles(0);
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return busy_ == 0; });
    tile_ = nullptr;
    if (failure_) std::rethrow_exception(std::exchange(failure_, nullptr));
  }

 private:
  // Tile `first` if it is one (the caller's), then tiles from the shared counter.
  void take_tiles(Index first = -1) {
    try {
      if (first >= 0) tile_(context_, first);
      for (Index t = next_.fetch_add(1); t < tiles_; t = next_.fetch_add(1))
        tile_(context_, t);
    } catch (...) {
      next_.store(tiles_);  // the other threads take no further tile
      std::lock_guard lock(mutex_);
      if (!failure_) failure_ = std::current_exception();
    }
  }

  void work(int id) {
    unsigned long long seen = 0;
    for (;;) {
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
        if (stopping_) return;
        seen = generation_;
        if (id >= active_helpers_) continue;  // this piece of work wants fewer helpers
      }
      take_tiles();
      {
        std::lock_guard lock(mutex_);
        if (--busy_ == 0) done_.notify_one();
      }
    }
  }

  std::mutex run_mutex_;
  std::mutex mutex_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  void (*tile_)(const void*, Index) = nullptr;
  const void* context_ = nullptr;
  Index tiles_ = 0;
  std::atomic<Index> next_{0};
  std::exception_ptr failure_;  // the first exception a tile threw
  int active_helpers_ = 0;
  int busy_ = 0;
  unsigned long long generation_ = 0;
  bool stopping_ = false;
};

}  // namespace

void set_thread_count(int threads) {
  if (threads < 0)
    throw UsageError(
        fmt::format("the thread count must be 0 (every core) or more, got {}", threads));
  requested_threads.store(threads);
}

int thread_count() {
  const int requested = requested_threads.load();
  return requested == 0 ? cores() : requested;
}

namespace detail {

void run_tiles(Index tiles, void (*tile)(const void*, Index), const void* context) {
  const int threads = thread_count();
  if (threads <= 1 || tiles <= 1 || pool_destroyed.load() || in_forked_child.load()) {
    for (Index t = 0; t < tiles; ++t)
      tile(context, t);
    return;
  }
  // Destroyed at exit, unless this process is a fork's child (see in_forked_child).
  struct Holder {
    ThreadPool* pool = nullptr;
    Holder() : pool(new ThreadPool) {
      pthread_atfork(nullptr, nullptr, [] { in_forked_child.store(true); });
    }
    ~Holder() {
      if (!in_forked_child.load()) delete pool;
    }
  };
  static Holder holder;
  holder.pool->run(tiles, threads, tile, context);
}

}  // namespace detail
}  // namespace neurona
