// Placing values along the axes of the drawings (the loss plot, the report's decision surface).
// Internal to the library.
#pragma once

#include <limits>

namespace neurona {

// Where an axis ends when its padding would pass what a double holds.
constexpr double largest = std::numeric_limits<double>::max();

// Where `value` lies from `low` (0) to `high` (1). In halves, as high - low can be more than the
// largest double (from -1e308 to 1e308); halving is exact but for subnormals, so the place is the
// same as in wholes.
inline double place(double value, double low, double high) {
  return (value / 2 - low / 2) / (high / 2 - low / 2);
}

}  // namespace neurona
