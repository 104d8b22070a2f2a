// Inside the library: the matrix product of a BLAS, for the large layers' products.
#pragma once

#include "neurona/matrix.hpp"

#include <string>

namespace neurona::detail {

// C = op(A) op(B) + beta C on row-major matrices, where op(A) is m x k and op(B) is k x n and
// op transposes when asked; lda, ldb and ldc are the distances between rows. Returns false, and
// does nothing, when no BLAS could be loaded or set_blas_use rules it out. Throws std::bad_alloc
// when a thread's first call would need a work buffer beyond the address-space limit.
template <class T>
bool blas_product(bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
                  Index lda, const T* B, Index ldb, T beta, T* C, Index ldc);

// when_faster (the library's choice): OpenBLAS when its kernel outruns Eigen's products.
// Tests take never and always, to check Eigen's path and OpenBLAS's on large shapes.
enum class BlasUse { never, when_faster, always };
void set_blas_use(BlasUse use);

// Whether OpenBLAS's kernel of this name outruns Eigen as compiled here: one with AVX2 or
// AVX-512, when Eigen has AVX2 (any, when it has not).
bool kernel_outruns_eigen(const std::string& kernel);

}  // namespace neurona::detail
