// A multilayer perceptron: dense layers in sequence and the loss they are trained on.
//
// A training step reads like the tutorial: Y_hat = net.forward(X); net.backward(Y); then an
// optimizer updates every parameter. Every gradient comes from the one forward pass.
#pragma once

#include <optional>
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

// A weight for each row's loss (m x 1), as class weights give; a Matrix or a view of one.
template <class T>
using RowWeights = std::optional<ConstMatrixRef<T>>;

template <class T>
class Network {
 public:
  // A network on `inputs` inputs with all weights and biases zero. Throws UsageError for a width
  // below 1, softmax anywhere but the output, a loss the output activation does not fit, or
  // parameters that could not fit in the memory this process may hold (memory_limit).
  Network(Index inputs, const std::vector<LayerSpec>& layers, Loss loss);

  // Throws UsageError for what the constructor refuses, for rows below 0 and, with rows > 0, when
  // that many rows through the network at once (their inputs and every layer's Z, A and dZ) would
  // need more than memory_limit(), as forward does. Allocates nothing: checks a topology
  // before building.
  static void check_topology(Index inputs, const std::vector<LayerSpec>& layers, Loss loss,
                             Index rows = 0);

  Index inputs() const { return inputs_; }
  Index outputs() const { return units_.empty() ? 0 : units_.back(); }
  Loss loss_type() const { return loss_; }
  std::vector<LayerSpec> layer_specs() const;

  // The layers, first to last. Their W and b may be set directly (the tutorial's own numbers), in
  // the shapes the network was built with: the topology is fixed (see check_shapes).
  std::vector<DenseLayer<T>>& layers() { return layers_; }
  const std::vector<DenseLayer<T>>& layers() const { return layers_; }

  // Number of weights and biases.
  Index parameter_count() const;

  // Y_hat for X (m x n_in), m x n_out. Keeps X and each layer's Z and A for backward; allocates
  // nothing once it has seen a batch of m rows or more (but see BatchStorage on Eigen's largest
  // products). Throws UsageError, before allocating, when m rows are more than the memory this
  // process may hold (see check_topology).
  ConstMatrixMap<T> forward(ConstMatrixRef<T> X);

  // E of the last forward pass against targets Y (m x n_out), each row's loss weighed by
  // row_weights (m x 1) when given, as class weights do.
  T loss(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights = std::nullopt) const;

  // Every layer's dW and db for E of the last forward pass against Y (m x n_out).
  void backward(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights = std::nullopt);

  // A training step's passes: forward(X), then E against Y, returned, and backward(Y). The same
  // values as the three calls, which each check the layers; this checks them once.
  T forward_backward(ConstMatrixRef<T> X, ConstMatrixRef<T> Y,
                     const RowWeights<T>& row_weights = std::nullopt);

  // Y_hat for X without touching the training buffers. Large inputs go through in blocks of rows
  // (about 2^22 values in the widest layer each), so that the values held besides X and Y_hat
  // stay small whatever the number of rows.
  Matrix<T> predict(ConstMatrixRef<T> X) const;

  // The same network in another precision. Throws UsageError for a finite parameter that the
  // other precision cannot hold (beyond float's 3.4e38).
  template <class U>
  Network<U> cast() const;

  // Throws ShapeError naming the layer if some W, b, dW or db no longer has the shape the network
  // was built with, and UsageError for layers added or removed through layers(), an activation
  // set there that the constructor refuses, or a network moved from (it has no layers). Every
  // pass, and every optimizer's step, checks this first.
  void check_shapes() const;

  // "3-2-4-1"
  std::string topology() const;
  // "3-2-4-1 (sigmoid, sigmoid, linear; half_squared_error)": the topology, each layer's
  // activation and the loss. Networks with the same architecture differ in their weights alone.
  std::string architecture() const;

 private:
  // Throws unless the last forward pass went through these layers with at least one row.
  void check_forward_pass() const;
  void check_inputs(ConstMatrixRef<T> X) const;
  // Y and the row weights against the last forward pass's output.
  void check_targets(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) const;
  // The passes themselves, once their arguments and the layers are checked.
  void forward_checked(ConstMatrixRef<T> X);
  T loss_checked(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) const;
  void backward_checked(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights);

  // Networks whose every layer has at most 8 inputs and units (the tutorial's) run forward and
  // backward on raw rows: for them, the views and checks of the general path cost more than the
  // arithmetic. Same equations, same kernels, same bits.
  bool all_layers_small() const;
  void forward_small();
  void backward_small();

  Index inputs_;
  Loss loss_;
  std::vector<DenseLayer<T>> layers_;
  std::vector<Index> units_;  // each layer's width, as built: what check_shapes holds W to
  BatchStorage<T> X_;         // the last forward pass's input: A_prev of the first layer
  Index rows_checked_ = 0;    // the most rows forward has found room for
};

}  // namespace neurona
