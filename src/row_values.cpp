// The values of rows a network learns from, or is checked on.
#include "row_values.hpp"

#include <fmt/format.h>

#include <cmath>
#include <string>

#include "kernels.hpp"
#include "neurona/error.hpp"

namespace neurona::detail {

template <class T>
void check_row_values(Loss loss, const Matrix<T>& X, const Matrix<T>& Y, std::string_view what) {
  const std::string prefix = what.empty() ? "" : std::string(what) + " ";
  if (!all_finite<T>(X))
    for (Index i = 0; i < X.rows(); ++i)
      for (Index j = 0; j < X.cols(); ++j)
        if (!std::isfinite(X(i, j)))
          throw InputError(fmt::format("the {}input X({}, {}) is {}; inputs must be finite", prefix,
                                       i, j, X(i, j)));
  try {
    check_targets<T>(loss, Y);
  } catch (const InputError& e) {
    if (what.empty()) throw;
    throw InputError(fmt::format("{} rows: {}", what, e.what()));
  }
}

template void check_row_values<float>(Loss, const Matrix<float>&, const Matrix<float>&,
                                      std::string_view);
template void check_row_values<double>(Loss, const Matrix<double>&, const Matrix<double>&,
                                       std::string_view);

}  // namespace neurona::detail
