// Inside the library: the layer's equations written as plainly as Eigen allows, one expression
// each. The fast routines of kernels.hpp are tested against these on every shape they special-case.
#pragma once

#include "neurona/activation.hpp"
#include "neurona/matrix.hpp"

namespace neurona::reference {

// Z = A_prev W + b
template <class T>
Matrix<T> affine(const Matrix<T>& A_prev, const Matrix<T>& W, const RowVector<T>& b);

// dW = A_prev^T dZ and db = 1^T dZ
template <class T>
void weight_gradients(const Matrix<T>& A_prev, const Matrix<T>& dZ, Matrix<T>& dW,
                      RowVector<T>& db);

// dA_prev = dZ W^T
template <class T>
Matrix<T> input_gradient(const Matrix<T>& dZ, const Matrix<T>& W);

// A = sigma(Z), one scalar function call per element (the sigmoid without overflow).
template <class T>
Matrix<T> activate(Activation activation, const Matrix<T>& Z);

}  // namespace neurona::reference
