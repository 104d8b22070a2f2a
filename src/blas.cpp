// OpenBLAS, loaded the first time a product is large enough to want it. Its single-core matrix
// product is about 1.4 times Eigen's on the shapes of a 784-256-128-10 network (bench/medium), but
// loading it costs a few milliseconds and 3.4 MiB, which a small network's whole run (the
// tutorial's demo takes under 5 ms) should not pay: so it is opened with dlopen, on first use.
//
// Its own threads are held to one: neurona's tiles, the same whatever the thread count, are what
// threads share, so that results keep the same bits.
//
// OpenBLAS picks its kernel by the CPU's model, and on a model it does not know falls back to an
// old one: OpenBLAS 0.3.21 runs its Prescott (SSE3) kernel on a Xeon with AVX-512 that reports no
// model name, where its sgemm made 31 GFLOP/s on the 784-256-128-10 network's step and Eigen,
// compiled for the CPU, 112 (docs/PERFORMANCE.md); training that network on Fashion-MNIST took
// 49.5 s of CPU instead of 13. So when neurona is compiled for AVX2, OpenBLAS is called only with
// a kernel that uses AVX2 or AVX-512 itself; its choice is a name, so the same machine keeps
// taking the same path.
#include "blas.hpp"

#include <dlfcn.h>

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <atomic>
#include <string>
#include <type_traits>

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

const Blas& blas() {
  static const Blas loaded = [] {
    Blas blas;
    void* library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
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
  if (use == BlasUse::when_faster && !library.outruns_eigen) return false;
  const int ta = transpose_a ? transpose : no_transpose;
  const int tb = transpose_b ? transpose : no_transpose;
  if constexpr (std::is_same_v<T, float>) {
    if (!library.sgemm) return false;
    library.sgemm(row_major, ta, tb, int(m), int(n), int(k), 1.0f, A, int(lda), B, int(ldb), beta,
                  C, int(ldc));
  } else {
    if (!library.dgemm) return false;
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
