// Feature scaling fitted on training inputs: offsets and scales per column, in double.
#include "neurona/scaling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

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

// Every statistic is gathered in passes along the rows as they are stored: walking a row-major
// matrix down its columns touches a new cache line for every value, which for 50000 images of 784
// pixels cost seconds. Each column's values are still combined in row order, starting from its
// first, exactly as a sum or minimum down the column combines them, so the offsets and scales are
// the same bits. A fused multiply-add would round once where the column's own sum of squares
// rounds twice, and change those bits, so none is allowed to form.
template <class T>
Scaler fit_scaler(Scaling kind, const Matrix<T>& X) {
  // No rows are refused whatever the kind: training on none would fail later, further from why.
  if (X.rows() == 0) throw ShapeError("fit_scaler: X has no rows to fit a scaling on");
  Scaler scaler{kind, {}, {}};
  if (kind == Scaling::none) return scaler;
  const Index m = X.rows();
  const Index n = X.cols();
  const std::size_t columns = std::size_t(n);
  std::vector<double> low(columns), high(columns), sum(columns);
  bool finite = true;
  for (Index j = 0; j < n; ++j) {
    const double value = double(X(0, j));
    finite &= std::isfinite(value);
    low[j] = high[j] = sum[j] = value;
  }
  for (Index i = 1; i < m; ++i) {
    const T* row = X.data() + i * n;
    for (Index j = 0; j < n; ++j) {
      const double value = double(row[j]);
      finite &= std::isfinite(value);
      low[j] = std::min(low[j], value);
      high[j] = std::max(high[j], value);
      sum[j] += value;
    }
  }
  if (!finite) throw InputError("fit_scaler: X holds NaN or infinity");

  scaler.offset.resize(n);
  scaler.scale.resize(n);
  if (kind == Scaling::standard) {
    std::vector<double> mean(columns), largest(columns), squares(columns);
    for (Index j = 0; j < n; ++j) {
      mean[j] = sum[j] / double(m);
      // A sum of values near the largest double overflows; each divided by m first does not.
      if (!std::isfinite(mean[j])) {
        mean[j] = double(X(0, j)) / double(m);
        for (Index i = 1; i < m; ++i)
          mean[j] += double(X(i, j)) / double(m);
      }
      // Deviations divided by the largest one before squaring, which cannot overflow either.
      largest[j] = std::max(high[j] - mean[j], mean[j] - low[j]);
      if (!(largest[j] > 0)) largest[j] = 1;  // no spread: its squares are never used
    }
    // A row's squares go through memory before they are added: a compiler free to fuse a
    // product into the sum it enters (GCC by default, across statements) cannot fuse a load.
    std::vector<double> row_squares(columns);
    for (Index i = 0; i < m; ++i) {
      const T* row = X.data() + i * n;
      for (Index j = 0; j < n; ++j) {
        const double deviation = (double(row[j]) - mean[j]) / largest[j];
        row_squares[j] = deviation * deviation;
      }
      if (i == 0)
        squares = row_squares;
      else
        for (Index j = 0; j < n; ++j)
          squares[j] += row_squares[j];
    }
    for (Index j = 0; j < n; ++j) {
      const bool spread = std::max(high[j] - mean[j], mean[j] - low[j]) > 0;
      scaler.offset(j) = mean[j];
      scaler.scale(j) = spread ? largest[j] * std::sqrt(squares[j] / double(m)) : 0;
    }
  } else {
    for (Index j = 0; j < n; ++j) {
      scaler.offset(j) = low[j];
      scaler.scale(j) = high[j] - low[j];
    }
  }
  for (Index j = 0; j < n; ++j) {
    // Equal values, tested exactly: a rounded mean would leave a spread of 1e-17 to divide by.
    if (low[j] == high[j]) scaler.scale(j) = 1;
    if (!std::isfinite(scaler.scale(j)) || !std::isfinite(scaler.offset(j)))
      throw InputError(
          fmt::format("column {}: values from {} to {} spread too far to scale in double", j + 1,
                      low[j], high[j]));
  }
  return scaler;
}

ScaledValueError::ScaledValueError(Index row, Index column, std::string detail)
    : InputError(fmt::format("row {}, column {}: {}", row + 1, column + 1, detail)),
      row(row),
      column(column),
      detail(std::move(detail)) {}

namespace {

// X' = (X - offset) / scale into `out`, which may be `in` itself: each value is read before its
// place is written, and the message for one too large quotes the input, not what replaced it.
template <class T>
void scale_rows(const Scaler& scaler, const Matrix<T>& in, Matrix<T>& out) {
  if (in.cols() != scaler.offset.size())
    throw ShapeError(fmt::format("Scaler::apply: X has {} columns, the {} scaling was fitted on {}",
                                 in.cols(), to_string(scaler.kind), scaler.offset.size()));
  const Index n = in.cols();
  const double* offset = scaler.offset.data();
  const double* scale = scaler.scale.data();
  for (Index i = 0; i < in.rows(); ++i) {
    const T* from = in.data() + i * n;
    T* to = out.data() + i * n;
    for (Index j = 0; j < n; ++j) {
      const double value = double(from[j]);
      const T result = T((value - offset[j]) / scale[j]);
      if (!std::isfinite(result))
        throw ScaledValueError(
            i, j,
            fmt::format("scaled, ({} - {}) / {} is too large for {} precision", value, offset[j],
                        scale[j], sizeof(T) == sizeof(float) ? "float" : "double"));
      to[j] = result;
    }
  }
}

}  // namespace

template <class T>
Matrix<T> Scaler::apply(const Matrix<T>& X) const {
  if (kind == Scaling::none) return X;
  Matrix<T> result(X.rows(), X.cols());
  scale_rows(*this, X, result);
  return result;
}

template <class T>
Matrix<T> Scaler::apply(Matrix<T>&& X) const {
  if (kind != Scaling::none) scale_rows(*this, X, X);
  return std::move(X);
}

template <class T>
Matrix<T> Scaler::invert(Matrix<T> Y) const {
  if (kind == Scaling::none) return Y;
  if (Y.cols() != offset.size())
    throw ShapeError(
        fmt::format("Scaler::invert: Y has {} columns, the {} scaling was fitted on {}", Y.cols(),
                    to_string(kind), offset.size()));
  for (Index i = 0; i < Y.rows(); ++i)
    for (Index j = 0; j < Y.cols(); ++j)
      Y(i, j) = T(double(Y(i, j)) * scale(j) + offset(j));
  return Y;
}

template Scaler fit_scaler<float>(Scaling, const Matrix<float>&);
template Scaler fit_scaler<double>(Scaling, const Matrix<double>&);
template Matrix<float> Scaler::apply<float>(const Matrix<float>&) const;
template Matrix<double> Scaler::apply<double>(const Matrix<double>&) const;
template Matrix<float> Scaler::apply<float>(Matrix<float>&&) const;
template Matrix<double> Scaler::apply<double>(Matrix<double>&&) const;
template Matrix<float> Scaler::invert<float>(Matrix<float>) const;
template Matrix<double> Scaler::invert<double>(Matrix<double>) const;

}  // namespace neurona
