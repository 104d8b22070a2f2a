// A multilayer perceptron: dense layers in sequence and the loss they are trained on.
//
// A training step reads like the tutorial: Y_hat = net.forward(X); net.backward(Y); then an
// optimizer updates every parameter. Every gradient comes from the one forward pass.
#pragma once

#include <string>
#include <vector>

#include "neurona/dense_layer.hpp"
#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

// One layer of a topology: its width and its activation.
struct LayerSpec {
  Index units;
  Activation activation;
};

template <class T>
class Network {
 public:
  // A network on `inputs` inputs with all weights and biases zero. Throws UsageError for a width
  // below 1, softmax anywhere but the output, a loss the output activation does not fit, or
  // parameters that could not fit in this machine's memory.
  Network(Index inputs, const std::vector<LayerSpec>& layers, Loss loss);

  Index inputs() const { return inputs_; }
  Index outputs() const { return layers_.back().units(); }
  Loss loss_type() const { return loss_; }
  std::vector<LayerSpec> layer_specs() const;

  // The layers, first to last. Their W and b may be set directly (the tutorial's own numbers).
  std::vector<DenseLayer<T>>& layers() { return layers_; }
  const std::vector<DenseLayer<T>>& layers() const { return layers_; }

  // Number of weights and biases.
  Index parameter_count() const;

  // Y_hat for X (m x n_in), m x n_out. Keeps each layer's Z and A for backward.
  const Matrix<T>& forward(const Matrix<T>& X);

  // E of the last forward pass against targets Y (m x n_out); row_weights (m x 1) weigh each
  // row's loss, as class weights do.
  T loss(const Matrix<T>& Y, const Matrix<T>* row_weights = nullptr) const;

  // Every layer's dW and db for E of the last forward pass against Y (m x n_out).
  void backward(const Matrix<T>& Y, const Matrix<T>* row_weights = nullptr);

  // Y_hat for X without touching the training buffers.
  Matrix<T> predict(const Matrix<T>& X) const;

  // The same network in another precision.
  template <class U>
  Network<U> cast() const;

  // Throws ShapeError naming the layer if some W or b no longer fits the topology.
  void check_shapes() const;

  // "3-2-4-1"
  std::string topology() const;

 private:
  Index inputs_;
  Loss loss_;
  std::vector<DenseLayer<T>> layers_;
  Matrix<T> X_;  // the last forward pass's input: A_prev of the first layer
};

}  // namespace neurona
