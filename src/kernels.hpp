// Inside the library: the routines a training step runs, on views of the batch buffers, so that
// no matrix is copied or allocated. The public functions of activation.hpp and loss.hpp call them.
#pragma once

#include <cmath>

#include "neurona/activation.hpp"
#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"

namespace neurona::detail {

// The values of a matrix stored without gaps, as one column, so that element-wise work runs
// through vector registers whatever the matrix's width (a row of 2 fills no AVX register).
template <class T>
using FlatArray = Eigen::Array<T, Eigen::Dynamic, 1>;
template <class T>
bool is_contiguous(const ConstMatrixRef<T>& M) {
  return M.outerStride() == M.cols() || M.rows() <= 1;
}
template <class T>
Eigen::Map<const FlatArray<T>> flat(const ConstMatrixRef<T>& M) {
  return {M.data(), M.size()};
}
template <class T>
Eigen::Map<FlatArray<T>> flat_writable(MatrixRef<T> M) {
  return {M.data(), M.size()};
}

// Whether every value of M is finite. x - x is 0 for a finite x and NaN for an infinity or a
// NaN, so the sum of x - x is NaN exactly when some value is not: one pass in vector registers,
// in the order the values are stored. Eigen's allFinite() tests them one at a time and walks a
// row-major matrix column by column, a cache miss a value once the rows are wide (0.2 to 0.8 s
// for Fashion-MNIST's 60000 x 784 images; 17 ms in storage order one at a time, 8 ms summed).
template <class T>
bool all_finite(const ConstMatrixRef<T>& M) {
  auto none_infinite_or_nan = [](const auto& values) {
    return !std::isnan((values - values).sum());
  };
  if (is_contiguous<T>(M)) return none_infinite_or_nan(flat<T>(M));
  for (Index i = 0; i < M.rows(); ++i)
    if (!none_infinite_or_nan(M.row(i).array())) return false;
  return true;
}

// Z = A_prev W + b:  (m x n_in) (n_in x n_out) + (1 x n_out) broadcast over the m rows.
template <class T>
void affine(ConstMatrixRef<T> A_prev, const Matrix<T>& W, const RowVector<T>& b, MatrixRef<T> Z);

// dW = A_prev^T dZ:  (n_in x m) (m x n_out);  db = sum over the rows of dZ (1 x n_out).
template <class T>
void weight_gradients(ConstMatrixRef<T> A_prev, ConstMatrixRef<T> dZ, Matrix<T>& dW,
                      RowVector<T>& db);

// dA_prev = dZ W^T:  (m x n_out) (n_out x n_in).
template <class T>
void input_gradient(ConstMatrixRef<T> dZ, const Matrix<T>& W, MatrixRef<T> dA_prev);

// The same three products for a layer of at most 8 inputs and 8 units (is_small_layer), on rows
// stored without gaps (m x n_in, m x n_out, row-major; A_prev's rows a_stride apart) and without
// views or checks: in networks as small as the tutorial's, building views and choosing a path
// cost more than the arithmetic. Network runs a network whose every layer is small through
// these, and Predictor every small layer; the values are the bits of the functions above.
constexpr int small_layer_size = 8;
inline bool is_small_layer(Index n_in, Index n_out) {
  return n_in <= small_layer_size && n_out <= small_layer_size;
}
template <class T>
void small_affine(const T* A_prev, Index a_stride, Index m, Index n_in, Index n_out, const T* W,
                  const T* b, T* Z);
template <class T>
void small_weight_gradients(const T* A_prev, const T* dZ, Index m, Index n_in, Index n_out, T* dW,
                            T* db);
template <class T>
void small_input_gradient(const T* dZ, Index m, Index n_in, Index n_out, const T* W, T* dA_prev);

// A = sigma(Z), both m x n.
template <class T>
void activate(Activation activation, ConstMatrixRef<T> Z, MatrixRef<T> A);

// dZ = dA (.) sigma'(Z), all m x n; dZ may be dA itself.
template <class T>
void activation_backward(Activation activation, ConstMatrixRef<T> Z, ConstMatrixRef<T> A,
                         ConstMatrixRef<T> dA, MatrixRef<T> dZ);

// The element-wise activations (every one but softmax) on `size` values stored without gaps:
// A = sigma(Z), and dZ = dA (.) sigma'(Z), where dZ may be dA.
template <class T>
void activate_values(Activation activation, const T* Z, T* A, Index size);
template <class T>
void activation_backward_values(Activation activation, const T* Z, const T* A, const T* dA, T* dZ,
                                Index size);

// E and dE/dZ of the output layer, as loss.hpp describes them; row_weights is null or holds one
// weight per row.
template <class T>
T loss_value(Loss loss, Activation output, ConstMatrixRef<T> Z, ConstMatrixRef<T> A,
             ConstMatrixRef<T> Y, const T* row_weights);
template <class T>
void loss_gradient(Loss loss, Activation output, ConstMatrixRef<T> Z, ConstMatrixRef<T> A,
                   ConstMatrixRef<T> Y, MatrixRef<T> dZ, const T* row_weights);

}  // namespace neurona::detail
