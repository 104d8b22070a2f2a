// The dense layer's forward and backward passes, one matrix expression per tutorial equation.
#include "neurona/dense_layer.hpp"

namespace neurona {

template <class T>
DenseLayer<T>::DenseLayer(Index n_in, Index n_out, Activation activation)
    : activation(activation),
      W(Matrix<T>::Zero(n_in, n_out)),
      b(RowVector<T>::Zero(n_out)),
      dW(Matrix<T>::Zero(n_in, n_out)),
      db(RowVector<T>::Zero(n_out)) {}

template <class T>
void DenseLayer<T>::apply(const Matrix<T>& A_prev, Matrix<T>& Z_out, Matrix<T>& A_out) const {
  Z_out.noalias() = A_prev * W;  // (m x n_in) (n_in x n_out)
  Z_out.rowwise() += b;          // b broadcast over the m rows
  activate(activation, Z_out, A_out);
}

template <class T>
void DenseLayer<T>::backward(const Matrix<T>& A_prev, Matrix<T>* dA_prev) {
  dW.noalias() = A_prev.transpose() * dZ;                // (n_in x m) (m x n_out)
  db = dZ.colwise().sum();                               // 1 x n_out
  if (dA_prev) dA_prev->noalias() = dZ * W.transpose();  // (m x n_out) (n_out x n_in)
}

template struct DenseLayer<float>;
template struct DenseLayer<double>;

}  // namespace neurona
