// Inside the library: Eigen's general matrix product (GEMM) without its heap allocations, for the
// layers' products that no BLAS takes.
#pragma once

#include "neurona/matrix.hpp"

namespace neurona::detail {

// Whether Eigen's expression for an (m x k) (k x n) product runs its GEMM. It does not for a
// product with one row or one column (a matrix-vector product), with k = 0, or with m + n + k
// under 20 (a product coefficient by coefficient), and those allocate nothing.
bool eigen_uses_gemm(Index m, Index n, Index k);

// C = op(A) op(B) + beta C, beta 0 or 1, with blas_product's arguments (row-major matrices, op
// transposing when asked), by Eigen's GEMM as `C.noalias() = op(A) * op(B)` (or `+=`) runs it
// where eigen_uses_gemm, to the last bit. Eigen takes the space it packs A into, or B into, from
// the heap when it passes its 128 KiB stack limit, which with the caches of some processors is
// already a 300-10 layer on 128 rows; here both come from a buffer each thread keeps, of 8 MiB
// made at the thread's first product (only the pages its blocks use are ever touched), so no
// later product allocates. Blocks larger than that are left to Eigen, which allocates them for
// the product.
template <class T>
void eigen_gemm(bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
                Index lda, const T* B, Index ldb, T beta, T* C, Index ldc);

// Makes this thread's packing space for float and double now: a worker of the thread pool does
// at its start, so that the tiles it takes later allocate nothing. Throws std::bad_alloc.
void keep_packing_space();

}  // namespace neurona::detail
