// Glorot and He uniform initialisation from a seed.
#include "neurona/initialization.hpp"

#include <cmath>

#include "neurona/random.hpp"

namespace neurona {

template <class T>
void initialize(Network<T>& network, std::uint64_t seed) {
  RandomEngine engine(seed);
  for (auto& layer : network.layers()) {
    const double fan_in = double(layer.inputs());
    const double fan_out = double(layer.units());
    const bool rectifier =
        layer.activation == Activation::relu || layer.activation == Activation::leaky_relu;
    const double r = rectifier ? std::sqrt(6.0 / fan_in) : std::sqrt(6.0 / (fan_in + fan_out));
    for (Index i = 0; i < layer.W.rows(); ++i)
      for (Index j = 0; j < layer.W.cols(); ++j)
        layer.W(i, j) = T(r * (2.0 * uniform01(engine) - 1.0));
    layer.b.setZero();
  }
}

template void initialize<float>(Network<float>&, std::uint64_t);
template void initialize<double>(Network<double>&, std::uint64_t);

}  // namespace neurona
