// Inside the library: resizing a matrix that may already hold values, safe when memory runs out.
//
// Eigen 3.4's resize frees a matrix's values before it allocates the new ones, and when that
// allocation fails it throws with the matrix still pointing at the freed block: its next resize,
// or its destructor while the exception unwinds, frees that block again, and glibc aborts the
// process ("free(): invalid size") instead of the bad_alloc reaching the caller. Here the new
// block is allocated first, so a failure leaves the matrix as it was. (A matrix that is empty,
// or keeps its number of values, has nothing to free: Eigen's own resize is safe there.)
#pragma once

#include "neurona/matrix.hpp"

namespace neurona::detail {

template <class PlainMatrix>
void resize_keeping_on_failure(PlainMatrix& matrix, Index rows, Index cols) {
  if (matrix.size() == 0 || matrix.size() == rows * cols)
    matrix.resize(rows, cols);
  else
    matrix = PlainMatrix(rows, cols);  // moved in: the old block is freed once the new one exists
}

}  // namespace neurona::detail
