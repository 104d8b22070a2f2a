// OpenBLAS, loaded the first time a product is large enough to want it. Its single-core matrix
// product is about 1.4 times Eigen's on the shapes of a 784-256-128-10 network (bench/medium), but
// loading it costs a few milliseconds and 3.4 MiB, which a small network's whole run (the
// tutorial's demo takes under 5 ms) should not pay: so it is opened with dlopen, on first use.
//
// Its own threads are held to one: neurona's tiles, the same whatever the thread count, are what
// threads share, so that results keep the same bits.
#include "blas.hpp"

#include <dlfcn.h>

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

struct Blas {
  Sgemm sgemm = nullptr;
  Dgemm dgemm = nullptr;
  const char* description = "none: libopenblas.so.0 could not be loaded";
};

std::atomic<bool> enabled{true};

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
          "none: libopenblas.so.0 lacks cblas_sgemm, cblas_dgemm or its thread setting";
      return blas;
    }
    set_threads(1);
    static std::string text =
        std::string(config ? config() : "OpenBLAS") + ", kernel " + (core ? core() : "unknown");
    blas.description = text.c_str();
    return blas;
  }();
  return loaded;
}

bool fits_int(Index value) {
  return value <= Index(0x7fffffff);
}

}  // namespace

void enable_blas(bool on) {
  enabled = on;
}

const char* blas_description() {
  return blas().description;
}

template <class T>
bool blas_product(bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
                  Index lda, const T* B, Index ldb, T beta, T* C, Index ldc) {
  if (!enabled.load(std::memory_order_relaxed)) return false;
  if (!fits_int(m) || !fits_int(n) || !fits_int(k) || !fits_int(lda) || !fits_int(ldb) ||
      !fits_int(ldc))
    return false;
  const Blas& library = blas();
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
