// The tutorial's two problems, as data and networks: the 3-bit majority table with its 3-2-4-1
// network, and the 1-1-1 house-price network with the tutorial's own starting weights.
#pragma once

#include <cstdint>

#include "neurona/dataset.hpp"
#include "neurona/network.hpp"

namespace neurona::tutorial {

// X (8 x 3): rows 100 010 001 000 011 101 110 111, in the tutorial's order; Y (8 x 1): 1 exactly
// when at least two bits are 1.
template <class T>
Dataset<T> majority_table();

// 3-2-4-1, sigmoid hidden layers, linear output, half_squared_error, weights drawn from `seed`.
template <class T>
Network<T> majority_network(std::uint64_t seed);

// One house of 50 square metres priced 300 (thousands of dollars): X = [50], Y = [300].
template <class T>
Dataset<T> house_table();

// 1-1-1, ReLU hidden, linear output, half_squared_error, with w1 = 0.5, b1 = 0.1, w_out = 0.4,
// b_out = 0.2.
template <class T>
Network<T> house_network();

inline constexpr double house_learning_rate = 1e-5;
inline constexpr Index house_epochs = 1000;

}  // namespace neurona::tutorial
