// Activation functions sigma, applied element-wise to Z (softmax row-wise), and their backward
// passes. Symbols follow the tutorial: Z and A are m x n (rows are samples); dA = dE/dA.
#pragma once

#include <string_view>

#include "neurona/matrix.hpp"

namespace neurona {

enum class Activation {
  linear,      // a = z
  sigmoid,     // a = 1 / (1 + e^-z)
  tanh,        // a = tanh z
  relu,        // a = max(0, z); the derivative at z = 0 is taken as 0, as in the tutorial
  leaky_relu,  // a = z for z > 0, else 0.01 z (PyTorch's default slope)
  softmax,     // a_j = e^(z_j) / sum_k e^(z_k) over each row; output layers only
};

inline constexpr double leaky_relu_slope = 0.01;

// The name used in flags and model files ("sigmoid", "leaky_relu", ...).
std::string_view to_string(Activation activation);

// Parses a name as written by to_string; throws UsageError naming the accepted names.
Activation parse_activation(std::string_view name);

// A = sigma(Z). A may not alias Z.
template <class T>
void activate(Activation activation, const Matrix<T>& Z, Matrix<T>& A);

// dZ = dA (.) sigma'(Z) for element-wise activations; for softmax the Jacobian product of each row,
// dZ = A (.) (dA - sum_j dA_j A_j). Z, A, dA and dZ are all m x n; dZ may alias dA.
template <class T>
void activation_backward(Activation activation, const Matrix<T>& Z, const Matrix<T>& A,
                         const Matrix<T>& dA, Matrix<T>& dZ);

}  // namespace neurona
