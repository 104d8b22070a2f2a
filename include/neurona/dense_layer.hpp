// A fully-connected layer: Z = A_prev W + b, A = sigma(Z), and its backward pass.
//
// Symbols follow the tutorial: m = rows of the batch; A_prev (m x n_in), W (n_in x n_out),
// b (1 x n_out), Z and A (m x n_out); a leading d is dE/d(that).
#pragma once

#include "neurona/activation.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

template <class T>
struct DenseLayer {
  // A layer of n_out units on n_in inputs, with W and b zero.
  DenseLayer(Index n_in, Index n_out, Activation activation);

  Index inputs() const { return W.rows(); }
  Index units() const { return W.cols(); }

  // Z = A_prev W + b,  A = sigma(Z), kept in this layer's Z and A for the backward pass.
  void forward(const Matrix<T>& A_prev) { apply(A_prev, Z, A); }

  // The same equations into buffers of the caller's, for prediction without training state;
  // A_out may be A_prev itself.
  void apply(const Matrix<T>& A_prev, Matrix<T>& Z_out, Matrix<T>& A_out) const;

  // With dZ set: dW = A_prev^T dZ,  db = sum over rows of dZ,  and dA_prev = dZ W^T when asked.
  void backward(const Matrix<T>& A_prev, Matrix<T>* dA_prev);

  Activation activation;
  Matrix<T> W;      // n_in x n_out
  RowVector<T> b;   // 1 x n_out
  Matrix<T> dW;     // dE/dW from the last backward pass, n_in x n_out
  RowVector<T> db;  // dE/db, 1 x n_out

  // The last batch's values, m x n_out, kept for the backward pass.
  Matrix<T> Z;
  Matrix<T> A;
  Matrix<T> dZ;
};

}  // namespace neurona
