// Inside the library: the layer's equations written as plainly as Eigen allows, one expression
// each. The fast routines of kernels.hpp are tested against these on every shape they special-case.
#pragma once

#include <vector>

#include "neurona/activation.hpp"
#include "neurona/matrix.hpp"
#include "neurona/network.hpp"

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

// dE/dp for every parameter, in detail::central_differences' order, each E from a whole forward
// pass of a copy of the network with p moved.
template <class T>
std::vector<double> central_differences(const Network<T>& network, const Matrix<T>& X,
                                        const Matrix<T>& Y, double step);

}  // namespace neurona::reference
