// Numbers the data hold that a computation could not: beyond float's range for a float network,
// or errors whose squares overflow a double. Each is an error naming the file, not a NaN later.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "data.hpp"
#include "neurona/neurona.hpp"

namespace neurona::cli {

enum class Values { inputs, targets };

// Where value (row, column) of the data's inputs or targets is: "iris.csv:12, column 3", by the
// file's own line and column when read from a table, else "data.idx: data row 12, input 3".
// `rows`: the data rows the values hold, in order (a split's part), when not all of them.
inline std::string place_of_value(const std::string& file, const LoadedData& loaded, Values what,
                                  Index row, Index column,
                                  const std::vector<Index>* rows = nullptr) {
  const Index data_row = rows ? (*rows)[std::size_t(row)] : row;
  const std::vector<Index>& columns =
      what == Values::inputs ? loaded.data.input_columns : loaded.data.target_columns;
  const std::string place = place_of_row(file, loaded.lines, data_row);
  // A one-hot target has a column per class, not per file column.
  const Index width = what == Values::inputs ? loaded.data.X.cols() : loaded.data.Y.cols();
  if (Index(columns.size()) == width)
    return fmt::format("{}, column {}", place, columns[std::size_t(column)] + 1);
  return fmt::format("{}, {} {}", place, what == Values::inputs ? "input" : "target", column + 1);
}

// The data in the network's precision T (in double, `values` itself: a temporary passed here is
// moved, not copied). A value beyond float's range would become infinity. `scaled`: inputs a
// model's scaling has scaled already (inputs or targets), which a scaling cannot mend.
template <class T>
Matrix<T> in_precision(Matrix<double> values, const std::string& file, const LoadedData& loaded,
                       Values what, const std::vector<Index>* rows = nullptr, bool scaled = false) {
  if constexpr (std::is_same_v<T, double>) {
    return values;
  } else {
    Matrix<T> cast = values.template cast<T>();
    for (Index i = 0; i < cast.rows(); ++i)
      for (Index j = 0; j < cast.cols(); ++j)
        if (!std::isfinite(cast(i, j)))
          throw InputError(fmt::format(
              "{}: {} {} is beyond float's range (3.4e38); {}",
              place_of_value(file, loaded, what, i, j, rows),
              what == Values::targets
                  ? (scaled ? "the target, scaled as the network takes it," : "the target")
              : scaled ? "the input, scaled as the network takes it,"
                       : "the input",
              values(i, j),
              scaled                       ? "train with --precision double"
              : what == Values::inputs     ? "scale the inputs (--scale standard) or train with "
                                             "--precision double"
              : loaded.classes.size() == 0 ? "scale the targets (--scale-targets standard) or "
                                             "train with --precision double"
                                           : "train with --precision double"));
    return cast;
  }
}

// The data's inputs or targets (`what`) scaled by `scaler`, in the network's precision. A value
// that the scaling takes out of range is named by its line and column in the file. `rows`: the
// data rows the values hold, in order (a split's part), when not all of them.
template <class T>
Matrix<T> scaled_in_precision(const Scaler& scaler, Matrix<double> values, Values what,
                              const std::string& file, const LoadedData& loaded,
                              const std::vector<Index>* rows) {
  try {
    return in_precision<T>(scaler.apply(std::move(values)), file, loaded, what, rows,
                           scaler.kind != Scaling::none);
  } catch (const ScaledValueError& e) {
    throw InputError(
        fmt::format("{}: {}", place_of_value(file, loaded, what, e.row, e.column, rows), e.detail));
  }
}

// The inputs a network takes: X after the model's scaling.
template <class T>
Matrix<T> network_inputs(const Scaler& scaler, Matrix<double> X, const std::string& file,
                         const LoadedData& loaded, const std::vector<Index>* rows = nullptr) {
  return scaled_in_precision<T>(scaler, std::move(X), Values::inputs, file, loaded, rows);
}

// The targets a regression network is trained on: Y after the model's target scaling.
template <class T>
Matrix<T> network_targets(const Scaler& target_scaler, Matrix<double> Y, const std::string& file,
                          const LoadedData& loaded, const std::vector<Index>* rows = nullptr) {
  return scaled_in_precision<T>(target_scaler, std::move(Y), Values::targets, file, loaded, rows);
}

// A model's outputs: weights or inputs large enough to overflow give infinity or NaN, which would
// be printed as a prediction (or become a class) without a word.
// `lines`: each row's line in the file, when known (see place_of_row).
template <class T>
void check_outputs_finite(const Matrix<T>& Y_hat, const std::string& file,
                          const std::vector<Index>& lines) {
  for (Index i = 0; i < Y_hat.rows(); ++i)
    for (Index j = 0; j < Y_hat.cols(); ++j)
      if (!std::isfinite(Y_hat(i, j)))
        throw InputError(fmt::format(
            "{}: the model's output {} is {}: the computation overflows {} for these inputs",
            place_of_row(file, lines, i), j + 1, Y_hat(i, j),
            std::is_same_v<T, float> ? "float" : "double"));
}

// Regression metrics of targets or predictions near double's limit overflow (1e300 squared).
inline void check_finite(const RegressionMetrics& metrics, const std::string& file) {
  if (!std::isfinite(metrics.mse) || !std::isfinite(metrics.mae) || !std::isfinite(metrics.r2))
    throw InputError(fmt::format(
        "{}: the errors overflow (mse {}, mae {}, r2 {}): targets or predictions too large to "
        "score in double",
        file, metrics.mse, metrics.mae, metrics.r2));
}

}  // namespace neurona::cli
