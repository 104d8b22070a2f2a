// Inside the library: the matrix product of a BLAS, for the large layers' products.
#pragma once

#include "neurona/matrix.hpp"

namespace neurona::detail {

// C = op(A) op(B) + beta C on row-major matrices, where op(A) is m x k and op(B) is k x n and
// op transposes when asked; lda, ldb and ldc are the distances between rows. Returns false, and
// does nothing, when no BLAS could be loaded or it was turned off.
template <class T>
bool blas_product(bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
                  Index lda, const T* B, Index ldb, T beta, T* C, Index ldc);

// Whether blas_product may use the BLAS; tests turn it off to check Eigen's path on large shapes.
void enable_blas(bool enabled);

// The BLAS's name and the kernel it runs ("OpenBLAS 0.3.21, kernel Zen"), or why there is none.
const char* blas_description();

}  // namespace neurona::detail
