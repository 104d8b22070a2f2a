// Inside the library: the values of rows a network learns from, or is checked on.
#pragma once

#include <string_view>

#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"

namespace neurona::detail {

// Finite inputs, and targets that suit the loss (check_targets): a NaN input would make the loss
// NaN, and cross_entropy targets that do not sum to 1 make backprop's dZ = (A - Y) / m differ
// from the loss's gradient. Throws InputError naming the first bad value, as "the {what} input
// X(i, j) is nan" or "{what} rows: " and check_targets' message; without `what`, unprefixed.
template <class T>
void check_row_values(Loss loss, const Matrix<T>& X, const Matrix<T>& Y,
                      std::string_view what = {});

}  // namespace neurona::detail
