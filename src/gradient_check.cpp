// Gradient check by central differences.
#include "neurona/gradient_check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <type_traits>

#include "central_differences.hpp"
#include "neurona/error.hpp"
#include "row_values.hpp"

namespace neurona {
namespace {

std::string name_of(const detail::Parameter& p) {
  return p.i < 0 ? fmt::format("layer {} b[{}]", p.layer + 1, p.j + 1)
                 : fmt::format("layer {} W[{}][{}]", p.layer + 1, p.i + 1, p.j + 1);
}

}  // namespace

template <class T>
GradientCheckResult gradient_check(const Network<T>& checked, const Same<Matrix<T>>& X,
                                   const Same<Matrix<T>>& Y, double step,
                                   const GradientCheckProgress& progress) {
  // Rows that training would refuse, refused as Trainer does: a NaN input or targets the loss does
  // not take would be reported as backprop's error.
  detail::check_row_values<T>(checked.loss_type(), X, Y);
  // forward and backward keep every layer's values: a copy leaves the caller's network as it was.
  Network<T> network = checked;
  network.forward(X);
  // Differences of an infinite loss are NaN: there would be nothing to compare backprop with.
  const double loss = double(network.loss(Y));
  if (!std::isfinite(loss))
    throw InputError(fmt::format(
        "the loss at these weights is {}: it overflows {} for this network and data, so no "
        "difference of it can be taken",
        loss, std::is_same_v<T, float> ? "float" : "double"));
  network.backward(Y);

  // Every entry of the gradient: each layer's dW row by row, then its db.
  auto each_entry = [&](auto visit) {
    for (const auto& layer : network.layers()) {
      for (Index k = 0; k < layer.dW.size(); ++k)
        visit(double(layer.dW.data()[k]));
      for (Index k = 0; k < layer.db.size(); ++k)
        visit(double(layer.db.data()[k]));
    }
  };
  double largest = 0, squared = 0;
  each_entry([&](double g) { largest = std::max(largest, std::abs(g)); });
  // Squares of the entries over the largest, which cannot overflow where the entries themselves
  // (near 1e200) do not.
  if (largest > 0) each_entry([&](double g) { squared += (g / largest) * (g / largest); });

  GradientCheckResult result{0.0, "", largest * std::sqrt(squared), loss, 0.0};
  const double rounding = 1.5 * std::numeric_limits<T>::epsilon() * std::abs(loss) / step;
  const double floor = 1e-6 * largest;
  const Index total = network.parameter_count();
  Index checked_count = 0;
  std::optional<detail::Parameter> worst;
  auto compare = [&](const detail::Parameter& p, double numeric) {
    const auto& layer = network.layers()[p.layer];
    const double analytic = double(p.i < 0 ? layer.db(p.j) : layer.dW(p.i, p.j));
    // A step that overflows a parameter or the loss measures nothing: it is the step's fault.
    if (!std::isfinite(numeric))
      throw UsageError(fmt::format(
          "a step of {:g} takes the loss out of range at {} (it is {:g} at these weights); take a "
          "smaller step",
          step, name_of(p), loss));
    const double scale = std::max({std::abs(analytic), std::abs(numeric), floor});
    double error = scale > 0 ? std::abs(analytic - numeric) / scale : 0.0;
    if (!std::isfinite(error)) error = HUGE_VAL;  // a NaN must fail the check, not vanish from it
    if (!worst || error > result.max_relative_error) {
      result.max_relative_error = error;
      worst = p;
      result.rounding = scale > 0 ? rounding / scale : 0.0;
    }
    if (progress) progress(++checked_count, total);
  };
  detail::central_differences<T>(network, X, Y, step, compare);
  if (worst) result.worst = name_of(*worst);
  return result;
}

template GradientCheckResult gradient_check<float>(const Network<float>&, const Matrix<float>&,
                                                   const Matrix<float>&, double,
                                                   const GradientCheckProgress&);
template GradientCheckResult gradient_check<double>(const Network<double>&, const Matrix<double>&,
                                                    const Matrix<double>&, double,
                                                    const GradientCheckProgress&);

}  // namespace neurona
