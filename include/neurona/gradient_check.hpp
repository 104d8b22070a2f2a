// Checks backpropagation against central differences of the loss, parameter by parameter.
#pragma once

#include <functional>
#include <string>

#include "neurona/matrix.hpp"
#include "neurona/network.hpp"

namespace neurona {

struct GradientCheckResult {
  double max_relative_error;  // over every weight and bias
  std::string worst;          // where it was, e.g. "layer 2 W[1][3]"
  double gradient_norm;       // of the backprop gradient; near 0 means the check proved nothing
  double loss;                // E at the parameters
  // At the worst parameter, the relative error that rounding in E's differences alone can give:
  // each E is off by up to epsilon |E|, which adds about 1.5 epsilon |E| / step to a difference
  // quotient. Near max_relative_error, the check cannot tell backprop's error from rounding.
  double rounding;
};

// Told after each parameter is checked how many are done and how many there are in all, for a
// check long enough to show its progress.
using GradientCheckProgress = std::function<void(Index checked, Index total)>;

// Compares each dE/dp from backprop with the fourth-order central difference
// (8 (E(p+h) - E(p-h)) - (E(p+2h) - E(p-2h))) / 12h, on X (m x n_in) and Y (m x n_out). The
// relative error of one parameter is |backprop - numeric| / max(|backprop|, |numeric|, floor), the
// floor being 1e-6 of the largest gradient entry so that entries of nearly zero are not divided
// by their own rounding noise. Each E with p moved is that of a whole forward pass, to rounding,
// though computed from one pass by what p changes: a few multiply-adds per row for most of a
// large network's parameters rather than the whole pass's. The network is left as it was. Throws
// InputError for an input that is not finite, for targets the loss does not take (check_targets),
// and when the loss on X and Y is not finite (targets near 1e200, squared); and UsageError when the
// loss a step away is not (a step near 1e308).
template <class T>
GradientCheckResult gradient_check(const Network<T>& network, const Same<Matrix<T>>& X,
                                   const Same<Matrix<T>>& Y, double step = 1e-3,
                                   const GradientCheckProgress& progress = {});

}  // namespace neurona
