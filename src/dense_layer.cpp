// The dense layer's forward and backward passes, one call per tutorial equation. The products
// are in dense_kernels.cpp, which picks the fastest path for the layer's shape.
#include "neurona/dense_layer.hpp"

#include <fmt/format.h>

#include "kernels.hpp"
#include "neurona/error.hpp"
#include "resize.hpp"

namespace neurona {

template <class T>
DenseLayer<T>::DenseLayer(Index n_in, Index n_out, Activation activation)
    : activation(activation),
      W(Matrix<T>::Zero(n_in, n_out)),
      b(RowVector<T>::Zero(n_out)),
      dW(Matrix<T>::Zero(n_in, n_out)),
      db(RowVector<T>::Zero(n_out)) {}

template <class T>
void DenseLayer<T>::resize_batch(Index m) {
  Z_.resize(m, units());
  A_.resize(m, units());
  dZ_.resize(m, units());
}

template <class T>
void DenseLayer<T>::forward(ConstMatrixRef<T> A_prev) {
  if (A_prev.cols() != inputs())
    throw ShapeError(
        fmt::format("A_prev has {} columns, the layer has {} inputs", A_prev.cols(), inputs()));
  resize_batch(A_prev.rows());
  detail::affine<T>(A_prev, W, b, Z());       // Z = A_prev W + b
  detail::activate<T>(activation, Z(), A());  // A = sigma(Z)
}

template <class T>
void DenseLayer<T>::apply(const Matrix<T>& A_prev, Matrix<T>& Z_out, Matrix<T>& A_out) const {
  detail::resize_keeping_on_failure(Z_out, A_prev.rows(), units());
  detail::affine<T>(A_prev, W, b, Z_out);
  // A_prev, if it is A_out, has been used
  detail::resize_keeping_on_failure(A_out, Z_out.rows(), Z_out.cols());
  detail::activate<T>(activation, Z_out, A_out);
}

template <class T>
void DenseLayer<T>::backward(ConstMatrixRef<T> A_prev) {
  // dZ is the last forward pass's shape, m x n_out (0 x 0 before any), and A_prev must be its
  // input.
  if (A_prev.cols() != inputs() || A_prev.rows() != dZ_.view().rows() ||
      dZ_.view().cols() != units())
    throw ShapeError(fmt::format(
        "A_prev is {}x{} and dZ {}x{}; the layer takes {} inputs to {} units, and dZ is sized by "
        "a forward pass",
        A_prev.rows(), A_prev.cols(), dZ_.view().rows(), dZ_.view().cols(), inputs(), units()));
  detail::weight_gradients<T>(A_prev, dZ(), dW, db);  // dW = A_prev^T dZ,  db = 1^T dZ
}

template <class T>
void DenseLayer<T>::backward(ConstMatrixRef<T> A_prev, MatrixRef<T> dA_prev) {
  if (dA_prev.rows() != A_prev.rows() || dA_prev.cols() != A_prev.cols())
    throw ShapeError(fmt::format("dA_prev is {}x{}, expected A_prev's {}x{}", dA_prev.rows(),
                                 dA_prev.cols(), A_prev.rows(), A_prev.cols()));
  backward(A_prev);
  detail::input_gradient<T>(dZ(), W, dA_prev);  // dA_prev = dZ W^T
}

template struct DenseLayer<float>;
template struct DenseLayer<double>;

}  // namespace neurona
