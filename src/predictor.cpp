// The forward pass for predictions: Z = A_prev W + b and A = sigma(Z), layer by layer, each
// layer's Z turned into its A in place.
#include "neurona/predictor.hpp"

#include <fmt/format.h>

#include <utility>

#include "kernels.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

template <class T>
using StridedRows = Eigen::Map<const Matrix<T>, 0, Eigen::OuterStride<>>;

}  // namespace

template <class T>
Predictor<T>::Predictor(const Network<T>& network) : inputs_(network.inputs()) {
  network.check_shapes();
  for (const auto& layer : network.layers())
    layers_.push_back({layer.W, layer.b, layer.activation});
  A_.resize(layers_.size());
}

template <class T>
ConstMatrixMap<T> Predictor<T>::predict(ConstMatrixRef<T> X) {
  if (X.cols() != inputs_)
    throw ShapeError(fmt::format("X has {} columns, the network has {} inputs", X.cols(), inputs_));
  const Index m = X.rows();
  const T* A_prev = X.data();
  Index prev_stride = X.outerStride();
  // X may be this predictor's last result, or part of it: with one layer that is where the first
  // layer writes (and its buffer may move as it grows), so such an X is read from a copy.
  Matrix<T> X_copy;
  const ConstMatrixMap<T> first = std::as_const(A_.front()).view();
  const Index span = m > 0 ? (m - 1) * X.outerStride() + X.cols() : 0;  // X's rows in memory
  if (span > 0 && X.data() < first.data() + first.size() && first.data() < X.data() + span) {
    X_copy = X;
    A_prev = X_copy.data();
    prev_stride = X_copy.cols();
  }
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const Layer& layer = layers_[l];
    const Index n_in = layer.W.rows(), n_out = layer.W.cols();
    MatrixMap<T> A = A_[l].resize(m, n_out);
    // Z = A_prev W + b:  (m x n_in) (n_in x n_out) + (1 x n_out), written where A goes
    if (detail::is_small_layer(n_in, n_out))
      detail::small_affine<T>(A_prev, prev_stride, m, n_in, n_out, layer.W.data(), layer.b.data(),
                              A.data());
    else
      detail::affine<T>(StridedRows<T>(A_prev, m, n_in, Eigen::OuterStride<>(prev_stride)), layer.W,
                        layer.b, A);
    // A = sigma(Z), in place
    if (layer.activation == Activation::softmax)
      detail::activate<T>(layer.activation, A, A);
    else
      detail::activate_values<T>(layer.activation, A.data(), A.data(), m * n_out);
    A_prev = A.data();
    prev_stride = n_out;
  }
  return std::as_const(A_.back()).view();
}

template class Predictor<float>;
template class Predictor<double>;

}  // namespace neurona
