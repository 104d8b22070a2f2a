// Random numbers that are the same on every platform: std::mt19937_64 is fully specified, but the
// standard distributions are not, so the few draws neurona needs are written here.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "neurona/matrix.hpp"

namespace neurona {

using RandomEngine = std::mt19937_64;

// Uniform in [0, 1), from the top 53 bits of one draw.
inline double uniform01(RandomEngine& engine) {
  return double(engine() >> 11) * 0x1.0p-53;
}

// Uniform integer in [0, n), without modulo bias (rejection of the incomplete top range).
inline std::uint64_t uniform_below(RandomEngine& engine, std::uint64_t n) {
  const std::uint64_t limit = engine.max() - engine.max() % n;
  std::uint64_t draw;
  do
    draw = engine();
  while (draw >= limit);
  return draw % n;
}

// Fisher-Yates shuffle of `order` in place.
inline void shuffle(std::vector<Index>& order, RandomEngine& engine) {
  for (std::size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[uniform_below(engine, i)]);
}

}  // namespace neurona
