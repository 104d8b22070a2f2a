// Feature scaling fitted on training inputs: offsets and scales per column, in double.
#include "neurona/scaling.hpp"

#include <fmt/format.h>

#include <cmath>

#include "neurona/error.hpp"

namespace neurona {

std::string_view to_string(Scaling scaling) {
  switch (scaling) {
    case Scaling::none:
      return "none";
    case Scaling::standard:
      return "standard";
    case Scaling::minmax:
      return "minmax";
  }
  return "?";
}

Scaling parse_scaling(std::string_view name) {
  for (const Scaling scaling : {Scaling::none, Scaling::standard, Scaling::minmax})
    if (name == to_string(scaling)) return scaling;
  throw UsageError(
      fmt::format("--scale: expected standard, minmax or none, got \"{}\"", std::string(name)));
}

template <class T>
Scaler fit_scaler(Scaling kind, const Matrix<T>& X) {
  Scaler scaler{kind, {}, {}};
  if (kind == Scaling::none) return scaler;
  if (X.rows() == 0) throw ShapeError("fit_scaler: X has no rows to fit a scaling on");
  const Matrix<double> x = X.template cast<double>();
  if (!x.allFinite()) throw InputError("fit_scaler: X holds NaN or infinity");
  const Index n = x.cols();
  scaler.offset.resize(n);
  scaler.scale.resize(n);
  for (Index j = 0; j < n; ++j) {
    const double low = x.col(j).minCoeff();
    const double high = x.col(j).maxCoeff();
    if (kind == Scaling::minmax) {
      scaler.offset(j) = low;
      scaler.scale(j) = high - low;
    } else {
      double mean = x.col(j).mean();
      // A sum of values near the largest double overflows; each divided by m first does not.
      if (!std::isfinite(mean)) mean = (x.col(j) / double(x.rows())).sum();
      // Deviations divided by the largest one before squaring, which cannot overflow either.
      const double largest = std::max(high - mean, mean - low);
      const double spread =
          largest > 0 ? largest * std::sqrt(((x.col(j).array() - mean) / largest).square().mean())
                      : 0;
      scaler.offset(j) = mean;
      scaler.scale(j) = spread;
    }
    // Equal values, tested exactly: a rounded mean would leave a spread of 1e-17 to divide by.
    if (low == high) scaler.scale(j) = 1;
    if (!std::isfinite(scaler.scale(j)) || !std::isfinite(scaler.offset(j)))
      throw InputError(fmt::format(
          "fit_scaler: column {}: values from {} to {} spread too far to scale in double", j + 1,
          low, high));
  }
  return scaler;
}

template <class T>
Matrix<T> Scaler::apply(const Matrix<T>& X) const {
  if (kind == Scaling::none) return X;
  if (X.cols() != offset.size())
    throw ShapeError(fmt::format("Scaler::apply: X has {} columns, the {} scaling was fitted on {}",
                                 X.cols(), to_string(kind), offset.size()));
  const Matrix<double> scaled =
      (X.template cast<double>().rowwise() - offset).array().rowwise() / scale.array();
  const Matrix<T> result = scaled.template cast<T>();
  for (Index i = 0; i < result.rows(); ++i)
    for (Index j = 0; j < result.cols(); ++j)
      if (!std::isfinite(result(i, j)))
        throw InputError(fmt::format(
            "row {}, column {}: scaled, ({} - {}) / {} is too large for {} precision", i + 1, j + 1,
            double(X(i, j)), offset(j), scale(j), sizeof(T) == sizeof(float) ? "float" : "double"));
  return result;
}

template Scaler fit_scaler<float>(Scaling, const Matrix<float>&);
template Scaler fit_scaler<double>(Scaling, const Matrix<double>&);
template Matrix<float> Scaler::apply<float>(const Matrix<float>&) const;
template Matrix<double> Scaler::apply<double>(const Matrix<double>&) const;

}  // namespace neurona
