// Eigen's GEMM called one level below its expressions, so that its packing space comes from a
// buffer the thread keeps. The rest is what the expression does: the same block sizes and the
// same kernel, so the same bits (tests/kernels_test.cpp compares them).
#include "eigen_gemm.hpp"

#include <algorithm>
#include <cstddef>

namespace neurona::detail {
namespace {

constexpr std::size_t kept_bytes = std::size_t(8) << 20;

// Set when this thread's packing space is destroyed: the objects of a thread are destroyed before
// the static ones (for the main thread, at exit), and a product run from a static object's
// destructor then leaves its blocks to Eigen rather than packing into freed memory. A bool has
// no destructor, so it can still be read then.
template <class T>
thread_local bool space_destroyed = false;

// An Eigen vector, as it leaves new space uninitialized, like Eigen's own packing space: only
// what the blocks use is ever touched, for a small product far less than the space kept.
template <class T>
struct PackingSpace {
  Eigen::Matrix<T, Eigen::Dynamic, 1> values;
  ~PackingSpace() { space_destroyed<T> = true; }
};

// This thread's space, made whole the first time it is wanted rather than grown product by
// product: which thread takes which tile of a shared product changes from run to run, and one
// that first met a larger tile after the first step would allocate then. (Eigen's blocks are not
// monotone in the rows either: on one machine a 784-10 layer in float packs 119 KB for 53 rows
// and 194 KB for 52.) Null when it is destroyed already.
template <class T>
T* packing_space() {
  if (space_destroyed<T>) return nullptr;
  thread_local PackingSpace<T> space;
  if (space.values.size() == 0) space.values.resize(Index(kept_bytes / sizeof(T)));
  return space.values.data();
}

// The block sizes Eigen's gemm_blocking_space chooses for a product on one thread, with the
// packing space taken from the thread's buffer. Eigen computes a row-major C as the column-major
// C^T = op(B)^T op(A)^T, whose rows are C's columns.
template <class T>
class KeptBlocking : public Eigen::internal::level3_blocking<T, T> {
 public:
  KeptBlocking(Index m, Index n, Index k) {
    this->m_mc = n;
    this->m_nc = m;
    this->m_kc = k;
    Eigen::internal::computeProductBlockingSizes<T, T, 1>(this->m_kc, this->m_mc, this->m_nc,
                                                          Index(1));
    // Both blocks on the alignment of Eigen's own packing space.
    const Index size_a = aligned(this->m_mc * this->m_kc);
    const std::size_t size = std::size_t(size_a + this->m_kc * this->m_nc);
    if (size > kept_bytes / sizeof(T)) return;  // null blocks: Eigen allocates them
    T* space = packing_space<T>();
    if (!space) return;
    this->m_blockA = space;
    this->m_blockB = space + size_a;
  }

 private:
  static Index aligned(Index size) {
    constexpr Index align = EIGEN_DEFAULT_ALIGN_BYTES / Index(sizeof(T));
    return (size + align - 1) / align * align;
  }
};

// C += op(A) op(B), with the storage orders of op(A) and op(B) known at compile time.
template <class T, int a_order, int b_order>
void gemm(Index m, Index n, Index k, const T* A, Index lda, const T* B, Index ldb, T* C,
          Index ldc) {
  KeptBlocking<T> blocking(m, n, k);
  using Product =
      Eigen::internal::general_matrix_matrix_product<Index, T, a_order, false, T, b_order, false,
                                                     Eigen::RowMajor, 1>;
  Product::run(m, n, k, A, lda, B, ldb, C, 1, ldc, T(1), blocking);
}

}  // namespace

void keep_packing_space() {
  packing_space<float>();
  packing_space<double>();
}

bool eigen_uses_gemm(Index m, Index n, Index k) {
  return m > 1 && n > 1 && k > 0 && m + n + k >= EIGEN_GEMM_TO_COEFFBASED_THRESHOLD;
}

template <class T>
void eigen_gemm(bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
                Index lda, const T* B, Index ldb, T beta, T* C, Index ldc) {
  // `=` sets C to 0 and then adds the product, as Eigen's does.
  if (beta == T(0))
    Eigen::Map<Matrix<T>, 0, Eigen::OuterStride<>>(C, m, n, Eigen::OuterStride<>(ldc)).setZero();
  // A transposed row-major matrix is a column-major one with the same data and stride.
  constexpr int row = Eigen::RowMajor, column = Eigen::ColMajor;
  if (transpose_a && transpose_b)
    gemm<T, column, column>(m, n, k, A, lda, B, ldb, C, ldc);
  else if (transpose_a)
    gemm<T, column, row>(m, n, k, A, lda, B, ldb, C, ldc);
  else if (transpose_b)
    gemm<T, row, column>(m, n, k, A, lda, B, ldb, C, ldc);
  else
    gemm<T, row, row>(m, n, k, A, lda, B, ldb, C, ldc);
}

template void eigen_gemm<float>(bool, bool, Index, Index, Index, const float*, Index, const float*,
                                Index, float, float*, Index);
template void eigen_gemm<double>(bool, bool, Index, Index, Index, const double*, Index,
                                 const double*, Index, double, double*, Index);

}  // namespace neurona::detail
