// Activation functions and their derivatives, written as the tutorial writes them.
#include "neurona/activation.hpp"

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "kernels.hpp"
#include "neurona/error.hpp"
#include "resize.hpp"
#include "same_shape.hpp"

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

namespace detail {

// A = sigma(Z) element by element, for arrays or matrices of any layout.
template <class T, class In, class Out>
void activate_elements(Activation activation, const In& z, Out&& a) {
  const T slope = T(leaky_relu_slope);
  switch (activation) {
    case Activation::linear:
      a = z;
      return;
    case Activation::sigmoid:
      // 1 / (1 + e^-z) in vector registers; e^-z may overflow to infinity, giving exactly 0.
      a = (T(1) + (-z).exp()).inverse();
      return;
    case Activation::tanh:
      a = z.tanh();
      return;
    case Activation::relu:
      a = z.max(T(0));
      return;
    case Activation::leaky_relu:
      a = (z > T(0)).select(z, slope * z);
      return;
    case Activation::softmax:
      break;
  }
}

// dZ = dA (.) sigma'(Z) element by element; dz may be da.
template <class T, class In, class Out>
void activation_backward_elements(Activation activation, const In& z, const In& a, const In& da,
                                  Out&& dz) {
  const T slope = T(leaky_relu_slope);
  switch (activation) {
    case Activation::linear:  // sigma'(z) = 1
      if (dz.data() != da.data()) dz = da;
      return;
    case Activation::sigmoid:  // sigma'(z) = a (1 - a)
      dz = da * a * (T(1) - a);
      return;
    case Activation::tanh:  // sigma'(z) = 1 - a^2
      dz = da * (T(1) - a.square());
      return;
    case Activation::relu:  // sigma'(z) = 1 if z > 0, else 0
      dz = (z > T(0)).select(da, T(0));
      return;
    case Activation::leaky_relu:  // sigma'(z) = 1 if z > 0, else the slope
      dz = (z > T(0)).select(da, slope * da);
      return;
    case Activation::softmax:
      break;
  }
}

template <class T>
void activate(Activation activation, ConstMatrixRef<T> Z, MatrixRef<T> A) {
  if (activation == Activation::softmax) {
    // Shifting each row by its maximum keeps e^z finite and leaves the result unchanged.
    for (Index i = 0; i < Z.rows(); ++i) {
      A.row(i) = (Z.row(i).array() - Z.row(i).maxCoeff()).exp();
      A.row(i) /= A.row(i).sum();
    }
  } else if (is_contiguous<T>(Z) && is_contiguous<T>(A)) {
    activate_elements<T>(activation, flat<T>(Z), flat_writable<T>(A));
  } else {
    activate_elements<T>(activation, Z.array(), A.array());
  }
}

template <class T>
void activation_backward(Activation activation, ConstMatrixRef<T> Z, ConstMatrixRef<T> A,
                         ConstMatrixRef<T> dA, MatrixRef<T> dZ) {
  if (activation == Activation::softmax) {  // da_j/dz_k = a_j (delta_jk - a_k)
    for (Index i = 0; i < A.rows(); ++i) {
      const T dot = dA.row(i).dot(A.row(i));
      dZ.row(i).array() = A.row(i).array() * (dA.row(i).array() - dot);
    }
  } else if (is_contiguous<T>(Z) && is_contiguous<T>(A) && is_contiguous<T>(dA) &&
             is_contiguous<T>(dZ)) {
    activation_backward_elements<T>(activation, flat<T>(Z), flat<T>(A), flat<T>(dA),
                                    flat_writable<T>(dZ));
  } else {
    activation_backward_elements<T>(activation, Z.array(), A.array(), dA.array(), dZ.array());
  }
}

template <class T>
void activate_values(Activation activation, const T* Z, T* A, Index size) {
  // Fewer values than one vector register holds, as in a row of the tutorial's network: Eigen
  // would work out their alignment and then take each through its scalar routines, -z, std::exp,
  // 1 + e and 1 / x, which cost less written out here (the same operations, so the same bits).
  if (size < Index(Eigen::internal::packet_traits<T>::size)) {
    if (activation == Activation::sigmoid) {
      for (Index i = 0; i < size; ++i)
        A[i] = T(1) / (T(1) + std::exp(-Z[i]));
      return;
    }
    if (activation == Activation::linear && A == Z) return;
  }
  activate_elements<T>(activation, Eigen::Map<const FlatArray<T>>(Z, size),
                       Eigen::Map<FlatArray<T>>(A, size));
}

template <class T>
void activation_backward_values(Activation activation, const T* Z, const T* A, const T* dA, T* dZ,
                                Index size) {
  using Values = Eigen::Map<const FlatArray<T>>;
  activation_backward_elements<T>(activation, Values(Z, size), Values(A, size), Values(dA, size),
                                  Eigen::Map<FlatArray<T>>(dZ, size));
}

}  // namespace detail

template <class T>
void activate(Activation activation, const Matrix<T>& Z, Matrix<T>& A) {
  detail::resize_keeping_on_failure(A, Z.rows(), Z.cols());
  detail::activate<T>(activation, Z, A);
}

template <class T>
void activation_backward(Activation activation, const Matrix<T>& Z, const Matrix<T>& A,
                         const Matrix<T>& dA, Matrix<T>& dZ) {
  detail::check_same_shape(A, "A", Z, "Z");
  detail::check_same_shape(dA, "dA", Z, "Z");
  if (&dZ != &dA) detail::resize_keeping_on_failure(dZ, dA.rows(), dA.cols());
  detail::activation_backward<T>(activation, Z, A, dA, dZ);
}

#define NEURONA_ACTIVATIONS(T)                                                                   \
  template void detail::activate<T>(Activation, ConstMatrixRef<T>, MatrixRef<T>);                \
  template void detail::activation_backward<T>(Activation, ConstMatrixRef<T>, ConstMatrixRef<T>, \
                                               ConstMatrixRef<T>, MatrixRef<T>);                 \
  template void detail::activate_values<T>(Activation, const T*, T*, Index);                     \
  template void detail::activation_backward_values<T>(Activation, const T*, const T*, const T*,  \
                                                      T*, Index);
NEURONA_ACTIVATIONS(float)
NEURONA_ACTIVATIONS(double)
#undef NEURONA_ACTIVATIONS
template void activate<float>(Activation, const Matrix<float>&, Matrix<float>&);
template void activate<double>(Activation, const Matrix<double>&, Matrix<double>&);
template void activation_backward<float>(Activation, const Matrix<float>&, const Matrix<float>&,
                                         const Matrix<float>&, Matrix<float>&);
template void activation_backward<double>(Activation, const Matrix<double>&, const Matrix<double>&,
                                          const Matrix<double>&, Matrix<double>&);

}  // namespace neurona
