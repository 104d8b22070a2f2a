// Activation functions and their derivatives, written as the tutorial writes them.
#include "neurona/activation.hpp"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "neurona/error.hpp"

namespace neurona {
namespace {

constexpr std::array<std::pair<Activation, std::string_view>, 6> names{{
    {Activation::linear, "linear"},
    {Activation::sigmoid, "sigmoid"},
    {Activation::tanh, "tanh"},
    {Activation::relu, "relu"},
    {Activation::leaky_relu, "leaky_relu"},
    {Activation::softmax, "softmax"},
}};

// The logistic function without overflow: e^-z is only formed for z >= 0.
template <class T>
T sigmoid(T z) {
  if (z >= 0) return T(1) / (T(1) + std::exp(-z));
  const T e = std::exp(z);
  return e / (T(1) + e);
}

}  // namespace

std::string_view to_string(Activation activation) {
  for (const auto& [value, name] : names)
    if (value == activation) return name;
  return "?";
}

Activation parse_activation(std::string_view name) {
  for (const auto& [value, known] : names)
    if (known == name) return value;
  throw UsageError("unknown activation \"" + std::string(name) +
                   "\"; expected linear, sigmoid, tanh, relu, leaky_relu or softmax");
}

template <class T>
void activate(Activation activation, const Matrix<T>& Z, Matrix<T>& A) {
  A.resize(Z.rows(), Z.cols());
  const T slope = T(leaky_relu_slope);
  switch (activation) {
    case Activation::linear:
      A = Z;
      return;
    case Activation::sigmoid:
      A = Z.unaryExpr([](T z) { return sigmoid(z); });
      return;
    case Activation::tanh:
      A = Z.array().tanh();
      return;
    case Activation::relu:
      A = Z.cwiseMax(T(0));
      return;
    case Activation::leaky_relu:
      A = Z.unaryExpr([slope](T z) { return z > 0 ? z : slope * z; });
      return;
    case Activation::softmax:
      // Shifting each row by its maximum keeps e^z finite and leaves the result unchanged.
      for (Index i = 0; i < Z.rows(); ++i) {
        A.row(i) = (Z.row(i).array() - Z.row(i).maxCoeff()).exp();
        A.row(i) /= A.row(i).sum();
      }
      return;
  }
}

template <class T>
void activation_backward(Activation activation, const Matrix<T>& Z, const Matrix<T>& A,
                         const Matrix<T>& dA, Matrix<T>& dZ) {
  dZ.resize(dA.rows(), dA.cols());
  const T slope = T(leaky_relu_slope);
  switch (activation) {
    case Activation::linear:  // sigma'(z) = 1
      dZ = dA;
      return;
    case Activation::sigmoid:  // sigma'(z) = a (1 - a)
      dZ = dA.array() * A.array() * (T(1) - A.array());
      return;
    case Activation::tanh:  // sigma'(z) = 1 - a^2
      dZ = dA.array() * (T(1) - A.array().square());
      return;
    case Activation::relu:  // sigma'(z) = 1 if z > 0, else 0
      dZ = (Z.array() > T(0)).select(dA, T(0));
      return;
    case Activation::leaky_relu:  // sigma'(z) = 1 if z > 0, else the slope
      dZ = (Z.array() > T(0)).select(dA, slope * dA);
      return;
    case Activation::softmax:  // da_j/dz_k = a_j (delta_jk - a_k)
      for (Index i = 0; i < A.rows(); ++i) {
        const T dot = dA.row(i).dot(A.row(i));
        dZ.row(i) = A.row(i).array() * (dA.row(i).array() - dot);
      }
      return;
  }
}

template void activate<float>(Activation, const Matrix<float>&, Matrix<float>&);
template void activate<double>(Activation, const Matrix<double>&, Matrix<double>&);
template void activation_backward<float>(Activation, const Matrix<float>&, const Matrix<float>&,
                                         const Matrix<float>&, Matrix<float>&);
template void activation_backward<double>(Activation, const Matrix<double>&, const Matrix<double>&,
                                          const Matrix<double>&, Matrix<double>&);

}  // namespace neurona
