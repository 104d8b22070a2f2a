// The shape checks of the public functions that take several matrices of one shape: a caller's
// mismatch would otherwise be read or written past a buffer's end. (The network's own calls are
// sized by it and go to the detail:: functions unchecked.)
#pragma once

#include <fmt/format.h>

#include <string_view>

#include "neurona/error.hpp"
#include "neurona/matrix.hpp"

namespace neurona::detail {

// Throws ShapeError "<name> is RxC, <other> is RxC; expected the same shape" unless they match.
template <class A, class B>
void check_same_shape(const A& a, std::string_view name, const B& b, std::string_view other) {
  if (a.rows() != b.rows() || a.cols() != b.cols())
    throw ShapeError(fmt::format("{} is {}x{}, {} is {}x{}; expected the same shape", name,
                                 a.rows(), a.cols(), other, b.rows(), b.cols()));
}

// Throws ShapeError unless row_weights, when given, are m x 1 and their m values one array (the
// kernels read them through a pointer): a Matrix, or a view of one column of one.
template <class Weights>
void check_row_weights_shape(const Weights* row_weights, Index m) {
  if (row_weights && (row_weights->rows() != m || row_weights->cols() != 1 ||
                      (m > 1 && row_weights->outerStride() != 1)))
    throw ShapeError(fmt::format("row weights are {}x{}, expected {}x1", row_weights->rows(),
                                 row_weights->cols(), m));
}

}  // namespace neurona::detail
