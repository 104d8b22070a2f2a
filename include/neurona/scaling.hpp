// Feature scaling: each input column shifted and divided, X' = (X - offset) / scale, with offset
// and scale fitted on the training rows alone and kept with the model, so that prediction sees
// raw inputs scaled exactly as training saw them. Regression targets may be scaled alike, and the
// network's outputs then taken back to the targets' units with invert.
#pragma once

#include <string>
#include <string_view>

#include "neurona/error.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

enum class Scaling {
  none,      // X' = X
  standard,  // offset = the column's mean, scale = its standard deviation (divided by m)
  minmax,    // offset = the column's minimum, scale = maximum - minimum: X' in [0, 1]
};

// The name used in flags and model files: "none", "standard", "minmax".
std::string_view to_string(Scaling scaling);

// Parses a name as written by to_string; throws UsageError naming --scale and the accepted names.
Scaling parse_scaling(std::string_view name);

// A fitted scaling of n_in columns. A column whose training values are all equal gets scale 1
// (it becomes 0 after scaling), so nothing is ever divided by zero.
// A value that scaling takes beyond its type's range: "row 3, column 1: scaled, ...", with the row
// and column (0-based, in the X scaled) apart, for a caller that knows where that row came from.
class ScaledValueError : public InputError {
 public:
  ScaledValueError(Index row, Index column, std::string detail);
  Index row, column;
  std::string detail;  // "scaled, (1e+10 - 0) / 1e-320 is too large for double precision"
};

struct Scaler {
  Scaling kind = Scaling::none;
  RowVector<double> offset;  // 1 x n_in; empty for none
  RowVector<double> scale;   // 1 x n_in, finite and > 0; empty for none

  // X' = (X - offset) / scale, row by row, computed in double; X (m x n_in) unchanged for none.
  // Throws ShapeError when X has not n_in columns, ScaledValueError when a scaled value does not
  // fit T.
  template <class T>
  Matrix<T> apply(const Matrix<T>& X) const;
  // The same, scaling a matrix that is no longer needed in its own storage: no copy of a large
  // training set is made. The values are the same bits; on an error X is left part-scaled.
  template <class T>
  Matrix<T> apply(Matrix<T>&& X) const;
  // What apply undoes: X = X' scale + offset, computed in double, for a network's outputs trained
  // on scaled targets. Y' (m x n) unchanged for none; ShapeError when it has not n columns. A
  // value beyond T's range becomes infinite, as a network's own output would.
  template <class T>
  Matrix<T> invert(Matrix<T> Y) const;
};

// Fits a scaling on the training inputs X (m x n_in, m >= 1). Throws ShapeError for no rows,
// InputError for a column whose spread overflows a double.
template <class T>
Scaler fit_scaler(Scaling kind, const Matrix<T>& X);

}  // namespace neurona
