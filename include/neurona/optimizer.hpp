// Optimizers: each step updates every parameter from the gradients of the last backward pass.
#pragma once

#include "neurona/network.hpp"

namespace neurona {

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Updates every W and b of the network from its dW and db.
  virtual void step(Network<T>& network) = 0;
};

// Gradient descent, the tutorial's: p <- p - alpha dE/dp for every parameter p.
template <class T>
class GradientDescent : public Optimizer<T> {
 public:
  // Throws UsageError unless alpha is a positive, finite number.
  explicit GradientDescent(T learning_rate);
  void step(Network<T>& network) override;
  T learning_rate() const { return learning_rate_; }

 private:
  T learning_rate_;
};

}  // namespace neurona
