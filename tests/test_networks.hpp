// Random networks and data for the tests, drawn from a seed so every run sees the same cases.
#pragma once

#include <cmath>
#include <vector>

#include "neurona/dataset.hpp"
#include "neurona/initialization.hpp"
#include "neurona/network.hpp"
#include "neurona/random.hpp"

namespace neurona::testing {

// A network of `hidden.size() + 1` layers: random widths 1..5, the given hidden activations, the
// given output activation and loss, weights drawn from `seed`.
inline Network<double> random_network(Index inputs, const std::vector<Activation>& hidden,
                                      Activation output, Index outputs, Loss loss,
                                      std::uint64_t seed) {
  RandomEngine engine(seed);
  std::vector<LayerSpec> specs;
  for (Activation activation : hidden)
    specs.push_back({Index(1 + uniform_below(engine, 5)), activation});
  specs.push_back({outputs, output});
  Network<double> net(inputs, specs, loss);
  initialize(net, seed);
  // Biases too, so that the check covers them away from zero.
  for (auto& layer : net.layers())
    for (Index j = 0; j < layer.b.cols(); ++j)
      layer.b(j) = 0.5 * (2 * uniform01(engine) - 1);
  return net;
}

// m rows of inputs in [-2, 2] and targets that fit the loss: real numbers, 0/1, or one-hot rows.
inline Dataset<double> random_data(Index m, Index inputs, Index outputs, Loss loss,
                                   std::uint64_t seed) {
  RandomEngine engine(seed ^ 0x9e3779b97f4a7c15ULL);
  Dataset<double> data;
  data.X = Matrix<double>::NullaryExpr(m, inputs, [&] { return 4 * uniform01(engine) - 2; });
  data.Y = Matrix<double>::Zero(m, outputs);
  for (Index i = 0; i < m; ++i) {
    if (loss == Loss::cross_entropy) {
      data.Y(i, Index(uniform_below(engine, std::uint64_t(outputs)))) = 1;
      continue;
    }
    for (Index j = 0; j < outputs; ++j)
      data.Y(i, j) = loss == Loss::binary_cross_entropy ? double(uniform_below(engine, 2))
                                                        : 2 * uniform01(engine) - 1;
  }
  return data;
}

// True when every ReLU-family pre-activation is at least `margin` from its kink at 0, where the
// central difference straddles two slopes and cannot agree with either.
inline bool away_from_kinks(Network<double>& net, const Matrix<double>& X, double margin) {
  net.forward(X);
  for (const auto& layer : net.layers())
    if (layer.activation == Activation::relu || layer.activation == Activation::leaky_relu)
      if (layer.Z().array().abs().minCoeff() < margin) return false;
  return true;
}

}  // namespace neurona::testing
