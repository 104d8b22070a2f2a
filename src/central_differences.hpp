// Inside the library: the slopes of the loss that gradient_check compares backprop with.
#pragma once

#include <cstddef>
#include <functional>

#include "neurona/matrix.hpp"
#include "neurona/network.hpp"

namespace neurona::detail {

// One parameter: W(i, j) of a layer (from 0), or its b(j) when i is -1.
struct Parameter {
  std::size_t layer;
  Index i, j;
};

// dE/dp for every parameter p, each by the fourth-order central difference
// (8 (E(p+h) - E(p-h)) - (E(p+2h) - E(p-2h))) / 12h on X (m x n_in) and Y (m x n_out), handed to
// `slope` with the parameter, in the order of the layers, each layer's W row by row, then its b.
// `network` has run forward on X: each E is computed from the values that pass left in its layers,
// changing only what the moved parameter changes (see the .cpp), and is the E of a whole forward
// pass with p moved, to rounding. reference::central_differences takes those whole passes.
template <class T>
void central_differences(const Network<T>& network, const Matrix<T>& X, const Matrix<T>& Y,
                         double step,
                         const std::function<void(const Parameter& p, double slope)>& slope);

}  // namespace neurona::detail
