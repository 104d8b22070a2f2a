// Gradient descent.
#include "neurona/optimizer.hpp"

#include <fmt/format.h>

#include <cmath>

#include "neurona/error.hpp"

namespace neurona {

template <class T>
GradientDescent<T>::GradientDescent(T learning_rate) : learning_rate_(learning_rate) {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    throw UsageError(
        fmt::format("the learning rate must be a positive number, got {}", learning_rate));
}

template <class T>
void GradientDescent<T>::step(Network<T>& network) {
  for (auto& layer : network.layers()) {
    layer.W -= learning_rate_ * layer.dW;  // W <- W - alpha dE/dW
    layer.b -= learning_rate_ * layer.db;  // b <- b - alpha dE/db
  }
}

template class GradientDescent<float>;
template class GradientDescent<double>;

}  // namespace neurona
