// Seeded initial weights. The same seed gives the same bits on every run and every compiler: the
// draws use std::mt19937_64, whose stream the standard fixes, and distributions of our own.
#pragma once

#include <cstdint>

#include "neurona/network.hpp"

namespace neurona {

// Draws every W uniformly: Glorot, U(-r, r) with r = sqrt(6 / (n_in + n_out)), for linear,
// sigmoid, tanh and softmax layers; He, r = sqrt(6 / n_in), for relu and leaky_relu. Biases are 0.
template <class T>
void initialize(Network<T>& network, std::uint64_t seed);

}  // namespace neurona
