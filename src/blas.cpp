// OpenBLAS, loaded the first time a product is large enough to want it. Its single-core matrix
// product is about 1.4 times Eigen's on the shapes of a 784-256-128-10 network (bench/medium), but
// loading it costs a few milliseconds and 3.4 MiB, which a small network's whole run (the
// tutorial's demo takes under 5 ms) should not pay: so it is opened with dlopen, on first use.
//
// Its own threads are held to one: neurona's tiles, the same whatever the thread count, are what
// threads share, so that results keep the same bits. It is loaded so (see below), and told so
// after loading, for an environment that gave it a count.
//
// OpenBLAS picks its kernel by the CPU's model, and on a model it does not know falls back to an
// old one: OpenBLAS 0.3.21 runs its Prescott (SSE3) kernel on a Xeon with AVX-512 that reports no
// model name, where its sgemm made 31 GFLOP/s on the 784-256-128-10 network's step and Eigen,
// compiled for the CPU, 112 (docs/PERFORMANCE.md); training that network on Fashion-MNIST took
// 49.5 s of CPU instead of 13. So when neurona is compiled for AVX2, OpenBLAS is called only with
// a kernel that uses AVX2 or AVX-512 itself; its choice is a name, so the same machine keeps
// taking the same path.
//
// Under a limit on the address space (ulimit -v), OpenBLAS 0.3.21 hangs rather than fail: each
// of its threads when it starts, and each call that finds no buffer free, maps a work buffer of
// 128 MiB, and a mapping refused is tried again forever (the process's exit then waits for the
// thread that tries). So OpenBLAS is loaded with no threads of its own (OPENBLAS_NUM_THREADS=1
// for the moment of loading, unless the environment sets a count), and only when the buffers of
// its threads and of neurona's fit beside what the process holds; and a thread's first product
// through it is refused (std::bad_alloc) when that thread's buffer no longer would.
#include "blas.hpp"

#include <dlfcn.h>

#include <fmt/format.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <atomic>
#include <cstdlib>
#include <new>
#include <optional>
#include <string>
#include <type_traits>

#include "neurona/memory.hpp"
#include "neurona/parallel.hpp"

namespace neurona::detail {
namespace {

// The C interface's constants and signatures, as cblas.h gives them for OpenBLAS's 32-bit ints.
constexpr int row_major = 101, no_transpose = 111, transpose = 112;
using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int,
                       float, float*, int);
using Dgemm = void (*)(int, int, int, int, int, int, double, const double*, int, const double*, int,
                       double, double*, int);

// A function, not a global: a product may come from another static object's constructor.
std::string eigen_name() {
  return "Eigen " + std::to_string(EIGEN_WORLD_VERSION) + "." +
         std::to_string(EIGEN_MAJOR_VERSION) + "." + std::to_string(EIGEN_MINOR_VERSION);
}

struct Blas {
  Sgemm sgemm = nullptr;
  Dgemm dgemm = nullptr;
  bool outruns_eigen = false;  // worth calling: products go to it under BlasUse::when_faster
  std::string description = eigen_name() + ": libopenblas.so.0 could not be loaded";
};

std::atomic<BlasUse> in_use{BlasUse::when_faster};

// What to set for a faster kernel: the one OpenBLAS would take for this CPU, were it known.
std::string faster_kernel_hint() {
#if defined(__x86_64__) || defined(__i386__)
  return std::string("; OPENBLAS_CORETYPE=") +
         (__builtin_cpu_supports("avx512f") ? "SkylakeX" : "Haswell") +
         " gives OpenBLAS a faster one";
#else
  return "";
#endif
}

// OpenBLAS 0.3.21's work buffer on x86-64 (BUFFER_SIZE, 32 << 22 bytes, and a page), mapped for
// each of its threads when it is loaded and for each call that finds none free; and room for the
// rest of the process's work beside them.
constexpr double openblas_buffer = double((32 << 22) + 4096);
constexpr double room_beside = double(64 << 20);

// The thread counts OpenBLAS reads from the environment when it is loaded, first to last.
constexpr std::array<const char*, 3> thread_variables{"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS",
                                                      "OMP_NUM_THREADS"};

// The thread count OpenBLAS reads from the environment when it is loaded (the first of these
// variables above 0), or 0 when none gives one: it then starts a thread for each core.
int openblas_thread_count() {
  for (const char* name : thread_variables)
    if (const char* value = std::getenv(name); value && std::atoi(value) > 0)
      return std::atoi(value);
  return 0;
}

// Empty when OpenBLAS's buffers fit this process's address space, else why they do not.
std::string buffers_beyond_the_limit(double buffers, const std::string& whose) {
  const MemoryLimit limit = memory_limit();
  if (!limit.address_space) return "";
  const double in_use = limit.in_use();
  if (in_use + buffers + room_beside <= limit.bytes) return "";
  return fmt::format(
      "OpenBLAS's work buffers ({} GiB: 128 MiB for each {}) would not fit {} beside the {} GiB "
      "this process holds",
      gib(buffers), whose, limit.description(), gib(in_use));
}

const Blas& blas() {
  static const Blas loaded = [] {
    Blas blas;
    // OpenBLAS's own threads besides the caller's: none when the environment gives no count,
    // as it is then loaded with one.
    const int given = openblas_thread_count(), ours = thread_count();
    const int theirs = std::max(0, given - 1);
    const std::string beyond = buffers_beyond_the_limit(
        double(theirs + ours) * openblas_buffer,
        theirs > 0 ? fmt::format("of its {} threads and neurona's {}", theirs, ours)
                   : fmt::format("of neurona's {} thread{}", ours, ours == 1 ? "" : "s"));
    if (!beyond.empty()) {
      blas.description = eigen_name() + ": " + beyond;
      return blas;
    }
    // Set only while loading, when the environment gives no count: OpenBLAS reads it then, and
    // the program's own environment is left as it was.
    const char* before = given == 0 ? std::getenv("OPENBLAS_NUM_THREADS") : nullptr;
    const std::optional<std::string> kept =
        before ? std::optional<std::string>(before) : std::nullopt;
    if (given == 0) setenv("OPENBLAS_NUM_THREADS", "1", 1);
    void* library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (given == 0)
      kept ? setenv("OPENBLAS_NUM_THREADS", kept->c_str(), 1) : unsetenv("OPENBLAS_NUM_THREADS");
    if (!library) return blas;
    auto set_threads = reinterpret_cast<void (*)(int)>(dlsym(library, "openblas_set_num_threads"));
    auto config = reinterpret_cast<const char* (*)()>(dlsym(library, "openblas_get_config"));
    auto core = reinterpret_cast<const char* (*)()>(dlsym(library, "openblas_get_corename"));
    blas.sgemm = reinterpret_cast<Sgemm>(dlsym(library, "cblas_sgemm"));
    blas.dgemm = reinterpret_cast<Dgemm>(dlsym(library, "cblas_dgemm"));
    if (!blas.sgemm || !blas.dgemm || !set_threads) {
      blas.sgemm = nullptr;
      blas.dgemm = nullptr;
      blas.description =
          eigen_name() + ": libopenblas.so.0 lacks cblas_sgemm, cblas_dgemm or its thread setting";
      return blas;
    }
    set_threads(1);
    const std::string kernel = core ? core() : "unknown";
    const std::string openblas = std::string(config ? config() : "OpenBLAS") + ", kernel " + kernel;
    blas.outruns_eigen = kernel_outruns_eigen(kernel);
    blas.description = blas.outruns_eigen ? openblas
                                          : eigen_name() + " (faster here than " + openblas +
                                                faster_kernel_hint() + ")";
    return blas;
  }();
  return loaded;
}

bool fits_int(Index value) {
  return value <= Index(0x7fffffff);
}

}  // namespace

bool kernel_outruns_eigen(const std::string& kernel) {
#ifdef __AVX2__
  // OpenBLAS 0.3.21's names of its kernels with AVX2 (Haswell, Zen) or AVX-512.
  constexpr std::array<const char*, 5> wide{"Haswell", "Zen", "SkylakeX", "Cooperlake",
                                            "SapphireRapids"};
  return std::find(wide.begin(), wide.end(), kernel) != wide.end();
#else
  return true;  // Eigen's own kernel is no wider than SSE's
#endif
}

void set_blas_use(BlasUse use) {
  in_use = use;
}

template <class T>
bool blas_product(bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
                  Index lda, const T* B, Index ldb, T beta, T* C, Index ldc) {
  const BlasUse use = in_use.load(std::memory_order_relaxed);
  if (use == BlasUse::never) return false;
  if (!fits_int(m) || !fits_int(n) || !fits_int(k) || !fits_int(lda) || !fits_int(ldb) ||
      !fits_int(ldc))
    return false;
  const Blas& library = blas();
  if (!library.sgemm || (use == BlasUse::when_faster && !library.outruns_eigen)) return false;
  // A thread's first call may map a buffer of its own (see the top of this file).
  thread_local bool buffer_fits = false;
  if (!buffer_fits) {
    if (!buffers_beyond_the_limit(openblas_buffer, "call").empty()) throw std::bad_alloc();
    buffer_fits = true;
  }
  const int ta = transpose_a ? transpose : no_transpose;
  const int tb = transpose_b ? transpose : no_transpose;
  if constexpr (std::is_same_v<T, float>) {
    library.sgemm(row_major, ta, tb, int(m), int(n), int(k), 1.0f, A, int(lda), B, int(ldb), beta,
                  C, int(ldc));
  } else {
    library.dgemm(row_major, ta, tb, int(m), int(n), int(k), 1.0, A, int(lda), B, int(ldb), beta, C,
                  int(ldc));
  }
  return true;
}

template bool blas_product<float>(bool, bool, Index, Index, Index, const float*, Index,
                                  const float*, Index, float, float*, Index);
template bool blas_product<double>(bool, bool, Index, Index, Index, const double*, Index,
                                   const double*, Index, double, double*, Index);

}  // namespace neurona::detail

namespace neurona {

std::string large_product_library() {
  return detail::blas().description;
}

}  // namespace neurona
