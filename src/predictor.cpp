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
