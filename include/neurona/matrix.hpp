// The matrix types of neurona. Rows are samples, as in the tutorial: X is m x n_in and a layer
// computes Z = X W + b with W n_in x n_out, so matrices are stored row-major.
#pragma once

#include <Eigen/Core>

namespace neurona {

using Index = Eigen::Index;

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A bias b (1 x n_out), broadcast over the rows of a batch.
template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

}  // namespace neurona
