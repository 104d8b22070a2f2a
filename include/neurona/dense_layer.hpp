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
  void forward(ConstMatrixRef<T> A_prev);
  // The same equations into buffers of the caller's, for prediction without training state;
  // A_out may be A_prev itself.
  void apply(const Matrix<T>& A_prev, Matrix<T>& Z_out, Matrix<T>& A_out) const;
  // With dZ set: dW = A_prev^T dZ and db = sum over rows of dZ.
  void backward(ConstMatrixRef<T> A_prev);
  // The same, and dA_prev = dZ W^T (m x n_in), which may be the previous layer's dZ.
  void backward(ConstMatrixRef<T> A_prev, MatrixRef<T> dA_prev);

  // The last batch's values, m x n_out, kept for the backward pass.
  MatrixMap<T> Z() { return Z_.view(); }
  MatrixMap<T> A() { return A_.view(); }
  MatrixMap<T> dZ() { return dZ_.view(); }
  ConstMatrixMap<T> Z() const { return Z_.view(); }
  ConstMatrixMap<T> A() const { return A_.view(); }
  ConstMatrixMap<T> dZ() const { return dZ_.view(); }
  // Sizes Z, A and dZ for a batch of m rows, leaving their values unspecified.
  void resize_batch(Index m);

  Activation activation;
  Matrix<T> W;      // n_in x n_out
  RowVector<T> b;   // 1 x n_out
  Matrix<T> dW;     // dE/dW from the last backward pass, n_in x n_out
  RowVector<T> db;  // dE/db, 1 x n_out

 private:
  BatchStorage<T> Z_, A_, dZ_;
};

}  // namespace neurona
