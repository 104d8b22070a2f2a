// The network's forward and backward passes through any depth.
#include "neurona/network.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <new>
#include <utility>

#include "kernels.hpp"
#include "neurona/error.hpp"
#include "neurona/memory.hpp"
#include "resize.hpp"
#include "same_shape.hpp"

namespace neurona {
namespace {

// "3-2-4-1"
std::string topology_text(Index inputs, const std::vector<LayerSpec>& layers) {
  std::string text = std::to_string(inputs);
  for (const LayerSpec& layer : layers)
    text += fmt::format("-{}", layer.units);
  return text;
}

}  // namespace

template <class T>
void Network<T>::check_topology(Index inputs, const std::vector<LayerSpec>& layers, Loss loss,
                                Index rows) {
  if (inputs < 1) throw UsageError(fmt::format("a network needs at least 1 input, got {}", inputs));
  if (rows < 0) throw UsageError(fmt::format("a batch needs 0 rows or more, got {}", rows));
  if (layers.empty()) throw UsageError("a network needs at least one layer");
  if (to_string(loss) == "?") throw UsageError(fmt::format("no such loss ({})", int(loss)));
  // Counted in double, which cannot overflow here: W, b, dW and db; per row, its inputs and each
  // layer's Z, A and dZ.
  double parameters = 0;
  double per_row = double(inputs);
  Index n_in = inputs;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const LayerSpec& layer = layers[l];
    if (layer.units < 1)
      throw UsageError(fmt::format("layer {} needs at least 1 unit, got {}", l + 1, layer.units));
    if (to_string(layer.activation) == "?")
      throw UsageError(
          fmt::format("layer {}: no such activation ({})", l + 1, int(layer.activation)));
    if (layer.activation == Activation::softmax && l + 1 != layers.size())
      throw UsageError(fmt::format("layer {}: softmax is only for the output layer", l + 1));
    // e^z / e^z: the output is 1 whatever the weights, and no gradient reaches them.
    if (layer.activation == Activation::softmax && layer.units == 1)
      throw UsageError(fmt::format(
          "layer {}: softmax over one unit is always 1; for one output use sigmoid", l + 1));
    parameters += (double(n_in) + 1.0) * double(layer.units);
    per_row += 3.0 * double(layer.units);
    n_in = layer.units;
  }
  check_output_fits_loss(layers.back().activation, loss);
  const double GiB = double(1 << 30);
  const double weights = 2.0 * parameters * sizeof(T);
  const MemoryLimit available = memory_limit();
  if (weights > available.bytes)
    throw UsageError(
        fmt::format("the network's weights and gradients need {:.3g} GiB, more than {}",
                    weights / GiB, available.description()));
  const double values = double(rows) * per_row * sizeof(T);
  if (weights + values > available.bytes)
    throw UsageError(fmt::format(
        "{} at once need{} {:.3g} GiB (the weights and gradients {:.3g} GiB, the rows' values "
        "in every layer {:.3g} GiB), more than {}",
        rows == 1 ? "1 row" : fmt::format("{} rows", rows), rows == 1 ? "s" : "",
        (weights + values) / GiB, weights / GiB, values / GiB, available.description()));
}

namespace {

template <class T>
void check_row_weights(const RowWeights<T>& row_weights, Index rows) {
  detail::check_row_weights_shape(row_weights ? &*row_weights : nullptr, rows);
}

template <class T>
const T* weights_data(const RowWeights<T>& row_weights) {
  return row_weights ? row_weights->data() : nullptr;
}

}  // namespace

template <class T>
Network<T>::Network(Index inputs, const std::vector<LayerSpec>& layers, Loss loss)
    : inputs_(inputs), loss_(loss) {
  check_topology(inputs, layers, loss);
  Index n_in = inputs;
  try {
    units_.reserve(layers.size());
    for (const LayerSpec& layer : layers) {
      layers_.emplace_back(n_in, layer.units, layer.activation);
      units_.push_back(layer.units);
      n_in = layer.units;
    }
  } catch (const std::bad_alloc&) {
    // Named by the whole topology and the layer that failed: the layers built so far are only
    // the part that fitted.
    const Index units = layers[layers_.size()].units;
    throw UsageError(fmt::format(
        "cannot allocate the weights of layer {} ({} x {}, {:.3g} GiB with its gradients) of a {} "
        "network",
        layers_.size() + 1, n_in, units,
        2.0 * (double(n_in) + 1.0) * double(units) * sizeof(T) / double(1 << 30),
        topology_text(inputs, layers)));
  }
}

template <class T>
std::vector<LayerSpec> Network<T>::layer_specs() const {
  std::vector<LayerSpec> specs;
  for (const auto& layer : layers_)
    specs.push_back({layer.units(), layer.activation});
  return specs;
}

template <class T>
Index Network<T>::parameter_count() const {
  Index count = 0;
  for (const auto& layer : layers_)
    count += layer.W.size() + layer.b.size();
  return count;
}

template <class T>
std::string Network<T>::topology() const {
  return topology_text(inputs_, layer_specs());
}

template <class T>
void Network<T>::check_shapes() const {
  if (layers_.empty() && units_.empty())
    throw UsageError("a network needs at least one layer; this one has none (it was moved from)");
  if (layers_.size() != units_.size())
    throw UsageError(
        fmt::format("the {}-layer network now has {} layers: layers() may change "
                    "weights, not add or remove layers",
                    units_.size(), layers_.size()));
  Index n_in = inputs_;
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    const auto& layer = layers_[l];
    const Index units = units_[l];
    if (layer.W.rows() != n_in || layer.W.cols() != units || layer.b.cols() != units)
      throw ShapeError(fmt::format(
          "layer {}: W is {}x{} and b is 1x{}; the network was built with W {}x{} and b 1x{}",
          l + 1, layer.W.rows(), layer.W.cols(), layer.b.cols(), n_in, units, units));
    if (layer.dW.rows() != n_in || layer.dW.cols() != units || layer.db.cols() != units)
      throw ShapeError(fmt::format(
          "layer {}: dW is {}x{} and db is 1x{}; the network was built with W {}x{} and b 1x{}",
          l + 1, layer.dW.rows(), layer.dW.cols(), layer.db.cols(), n_in, units, units));
    // What the constructor refuses, set through layers() after it. (Compared as numbers: this runs
    // in every pass and step, and for the tutorial's network costs more than its arithmetic if
    // done by name.)
    if (int(layer.activation) < int(Activation::linear) ||
        int(layer.activation) > int(Activation::softmax))
      throw UsageError(
          fmt::format("layer {}: no such activation ({})", l + 1, int(layer.activation)));
    if (layer.activation == Activation::softmax && (l + 1 != layers_.size() || units == 1))
      throw UsageError(
          fmt::format("layer {}: softmax is only for an output layer of 2 units or more", l + 1));
    n_in = units;
  }
  if (loss_ != Loss::half_squared_error) check_output_fits_loss(layers_.back().activation, loss_);
}

// The loss and the gradients are of the last forward pass: there must be one, of at least one row
// (a mean over no rows is 0/0), that went through every layer (one that ran out of memory midway
// left the layers after it at another batch's size).
template <class T>
void Network<T>::check_forward_pass() const {
  check_shapes();
  const Index m = X_.view().rows();
  if (m == 0)
    throw ShapeError("no rows to take the loss of: forward a batch of at least one row first");
  for (const auto& layer : layers_)
    if (layer.A().rows() != m || layer.A().cols() != layer.units())
      throw ShapeError("the last forward pass did not finish: forward the batch again");
}

template <class T>
void Network<T>::check_inputs(ConstMatrixRef<T> X) const {
  if (X.cols() != inputs_)
    throw ShapeError(fmt::format("X has {} columns, the network has {} inputs", X.cols(), inputs_));
}

template <class T>
ConstMatrixMap<T> Network<T>::forward(ConstMatrixRef<T> X) {
  check_inputs(X);
  check_shapes();
  forward_checked(X);
  return std::as_const(layers_.back()).A();
}

template <class T>
void Network<T>::forward_checked(ConstMatrixRef<T> X) {
  // Refused before the buffers grow: past this machine's memory the kernel ends the process.
  if (X.rows() > rows_checked_) {
    check_topology(inputs_, layer_specs(), loss_, X.rows());
    rows_checked_ = X.rows();
  }
  auto X_copy = X_.resize(X.rows(), X.cols());
  if (detail::is_contiguous<T>(X))
    detail::flat_writable<T>(X_copy) = detail::flat<T>(X);
  else
    X_copy = X;
  if (all_layers_small()) {
    forward_small();
  } else {
    layers_.front().forward(X_.view());
    for (std::size_t l = 1; l < layers_.size(); ++l)
      layers_[l].forward(layers_[l - 1].A());
  }
}

template <class T>
bool Network<T>::all_layers_small() const {
  for (const auto& layer : layers_)
    if (!detail::is_small_layer(layer.inputs(), layer.units())) return false;
  return true;
}

// The loop of forward, on the rows themselves: Z = A_prev W + b, A = sigma(Z), layer by layer.
template <class T>
void Network<T>::forward_small() {
  const Index m = X_.view().rows();
  const T* A_prev = X_.view().data();
  for (auto& layer : layers_) {
    layer.resize_batch(m);
    detail::small_affine<T>(A_prev, layer.inputs(), m, layer.inputs(), layer.units(),
                            layer.W.data(), layer.b.data(), layer.Z().data());
    if (layer.activation == Activation::softmax)
      detail::activate<T>(layer.activation, layer.Z(), layer.A());
    else
      detail::activate_values<T>(layer.activation, layer.Z().data(), layer.A().data(),
                                 m * layer.units());
    A_prev = layer.A().data();
  }
}

template <class T>
void Network<T>::check_targets(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) const {
  const auto& out = layers_.back();
  if (Y.rows() != out.A().rows() || Y.cols() != out.A().cols())
    throw ShapeError(fmt::format("Y is {}x{}, the last forward pass gave {}x{}", Y.rows(), Y.cols(),
                                 out.A().rows(), out.A().cols()));
  check_row_weights(row_weights, Y.rows());
}

template <class T>
T Network<T>::loss(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) const {
  check_forward_pass();
  check_targets(Y, row_weights);
  return loss_checked(Y, row_weights);
}

template <class T>
T Network<T>::loss_checked(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) const {
  const auto& out = layers_.back();
  return detail::loss_value<T>(loss_, out.activation, out.Z(), out.A(), Y,
                               weights_data(row_weights));
}

template <class T>
void Network<T>::backward(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) {
  check_forward_pass();
  check_targets(Y, row_weights);
  backward_checked(Y, row_weights);
}

template <class T>
void Network<T>::backward_checked(ConstMatrixRef<T> Y, const RowWeights<T>& row_weights) {
  auto& out = layers_.back();
  detail::loss_gradient<T>(loss_, out.activation, out.Z(), out.A(), Y, out.dZ(),
                           weights_data(row_weights));
  if (all_layers_small()) {
    backward_small();
    return;
  }
  for (std::size_t l = layers_.size(); l-- > 1;) {
    // dA_prev = dZ W^T lands in the previous layer's dZ, then dZ_prev = dA_prev (.) sigma'(Z_prev)
    auto& prev = layers_[l - 1];
    layers_[l].backward(prev.A(), prev.dZ());
    detail::activation_backward<T>(prev.activation, prev.Z(), prev.A(), prev.dZ(), prev.dZ());
  }
  layers_.front().backward(X_.view());
}

// forward, loss and backward with the checks each makes, made once: Y and the row weights against
// X's rows before anything is computed, rather than against the forward pass after it.
template <class T>
T Network<T>::forward_backward(ConstMatrixRef<T> X, ConstMatrixRef<T> Y,
                               const RowWeights<T>& row_weights) {
  check_inputs(X);
  check_shapes();
  if (X.rows() == 0)
    throw ShapeError("no rows to take the loss of: a batch needs at least one row");
  if (Y.rows() != X.rows() || Y.cols() != outputs())
    throw ShapeError(fmt::format("Y is {}x{}, X has {} rows and the network {} outputs", Y.rows(),
                                 Y.cols(), X.rows(), outputs()));
  check_row_weights(row_weights, Y.rows());
  forward_checked(X);
  const T E = loss_checked(Y, row_weights);
  backward_checked(Y, row_weights);
  return E;
}

// The loop of backward from the output layer's dZ on, on the rows themselves.
template <class T>
void Network<T>::backward_small() {
  const Index m = X_.view().rows();
  for (std::size_t l = layers_.size(); l-- > 0;) {
    auto& layer = layers_[l];
    const T* A_prev = l > 0 ? layers_[l - 1].A().data() : X_.view().data();
    // dW = A_prev^T dZ,  db = 1^T dZ
    detail::small_weight_gradients<T>(A_prev, layer.dZ().data(), m, layer.inputs(), layer.units(),
                                      layer.dW.data(), layer.db.data());
    if (l == 0) break;
    // dA_prev = dZ W^T into the previous layer's dZ, then dZ_prev = dA_prev (.) sigma'(Z_prev)
    auto& prev = layers_[l - 1];
    T* dZ_prev = prev.dZ().data();
    detail::small_input_gradient<T>(layer.dZ().data(), m, layer.inputs(), layer.units(),
                                    layer.W.data(), dZ_prev);
    detail::activation_backward_values<T>(prev.activation, prev.Z().data(), prev.A().data(),
                                          dZ_prev, dZ_prev, m * prev.units());
  }
}

template <class T>
Matrix<T> Network<T>::predict(ConstMatrixRef<T> X) const {
  check_inputs(X);
  check_shapes();
  // Rows in blocks of about 2^22 values in the widest layer (32 MiB in double): predicting a large
  // file holds its inputs, its outputs and two blocks, rather than every row's values in the
  // widest layer twice. A block's products are large enough for every thread.
  Index widest = inputs_;
  for (const auto& layer : layers_)
    widest = std::max(widest, layer.units());
  const Index block = std::max(Index(1), (Index(1) << 22) / widest);
  Matrix<T> A, Z;
  if (X.rows() <= block) {
    A = X;
    for (const auto& layer : layers_)
      layer.apply(A, Z, A);
    return A;
  }
  Matrix<T> Y_hat(X.rows(), outputs());
  for (Index first = 0; first < X.rows(); first += block) {
    const Index rows = std::min(block, X.rows() - first);
    detail::resize_keeping_on_failure(A, rows, X.cols());
    A = X.middleRows(first, rows);
    for (const auto& layer : layers_)
      layer.apply(A, Z, A);
    Y_hat.middleRows(first, rows) = A;
  }
  return Y_hat;
}

template <class T>
template <class U>
Network<U> Network<T>::cast() const {
  Network<U> result(inputs_, layer_specs(), loss_);
  for (std::size_t l = 0; l < layers_.size(); ++l) {
    result.layers()[l].W = layers_[l].W.template cast<U>();
    result.layers()[l].b = layers_[l].b.template cast<U>();
    // Past float's range a finite parameter becomes infinite, and every prediction NaN.
    const bool was_finite = detail::all_finite<T>(layers_[l].W) && layers_[l].b.allFinite();
    if (was_finite &&
        !(detail::all_finite<U>(result.layers()[l].W) && result.layers()[l].b.allFinite()))
      throw UsageError(fmt::format(
          "layer {}: a parameter beyond float's range (3.4e38) cannot be held in single precision",
          l + 1));
  }
  return result;
}

template <class T>
std::string Network<T>::architecture() const {
  std::string activations;
  for (const auto& layer : layers_)
    activations +=
        fmt::format("{}{}", activations.empty() ? "" : ", ", to_string(layer.activation));
  return fmt::format("{} ({}; {})", topology(), activations, to_string(loss_));
}

template class Network<float>;
template class Network<double>;
template Network<float> Network<float>::cast<float>() const;
template Network<double> Network<float>::cast<double>() const;
template Network<float> Network<double>::cast<float>() const;
template Network<double> Network<double>::cast<double>() const;

}  // namespace neurona
