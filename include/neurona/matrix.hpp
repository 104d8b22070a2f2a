// The matrix types of neurona. Rows are samples, as in the tutorial: X is m x n_in and a layer
// computes Z = X W + b with W n_in x n_out, so matrices are stored row-major.
#pragma once

#include <Eigen/Core>
#include <type_traits>
#include <vector>

namespace neurona {

using Index = Eigen::Index;

template <class T>
using Matrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A bias b (1 x n_out), broadcast over the rows of a batch.
template <class T>
using RowVector = Eigen::Matrix<T, 1, Eigen::Dynamic>;

// Views of a matrix's values stored elsewhere (a layer's batch buffers), and references that take
// a Matrix, a view or a block of rows without copying it.
template <class T>
using MatrixMap = Eigen::Map<Matrix<T>>;
template <class T>
using ConstMatrixMap = Eigen::Map<const Matrix<T>>;
template <class T>
using MatrixRef = Eigen::Ref<Matrix<T>>;
template <class T>
using ConstMatrixRef = Eigen::Ref<const Matrix<T>>;

// Storage for an m x n matrix whose m changes from batch to batch (the last mini-batch of an
// epoch is smaller). It only ever grows, so once the largest batch has been seen, resizing it
// allocates nothing: a training step after the first allocates no buffer of its own. (Eigen's
// matrix products, for layers wider than 8 and products OpenBLAS does not take, pack their
// operands into 8 MiB that each thread keeps from its first product; a product whose blocks need
// more has Eigen allocate them each time.)
template <class T>
class BatchStorage {
 public:
  // The values become unspecified.
  MatrixMap<T> resize(Index rows, Index cols) {
    if (rows == rows_ && cols == cols_) return view();
    if (std::size_t(rows * cols) > values_.size()) values_.resize(std::size_t(rows * cols));
    rows_ = rows;
    cols_ = cols;
    return view();
  }
  MatrixMap<T> view() { return MatrixMap<T>(values_.data(), rows_, cols_); }
  ConstMatrixMap<T> view() const { return ConstMatrixMap<T>(values_.data(), rows_, cols_); }

 private:
  std::vector<T, Eigen::aligned_allocator<T>> values_;
  Index rows_ = 0, cols_ = 0;
};

// In a template's parameters, takes its type from the other arguments (the network), so that an
// Eigen expression such as Matrix<double>::Zero(8, 3) can be passed as a matrix.
template <class T>
using Same = std::type_identity_t<T>;

}  // namespace neurona
