// The matrix types of neurona. Rows are samples, as in the tutorial: X is m x n_in and a layer
// computes Z = X W + b with W n_in x n_out, so matrices are stored row-major.
#pragma once

#include <Eigen/Core>
#include <type_traits>

namespace neurona {

using Index = Eigen::Index;

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A bias b (1 x n_out), broadcast over the rows of a batch.
template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

// In a template's parameters, takes its type from the other arguments (the network), so that an
// Eigen expression such as Matrix<double>::Zero(8, 3) can be passed as a matrix.
template <class T>
using Same = std::type_identity_t<T>;

}  // namespace neurona
