// The settings every optimizer shares, checked alike by optimizer.cpp's and lbfgs.cpp's.
#include "optimizer_checks.hpp"

#include <fmt/format.h>

#include <cmath>

#include "neurona/error.hpp"
#include "neurona/optimizer.hpp"

namespace neurona {

void check_learning_rate(double rate) {
  if (!(rate > 0) || !std::isfinite(rate))
    throw UsageError(fmt::format("--lr must be a positive number, got {}", rate));
}

double learning_rate_of(const OptimizerSettings& settings) {
  const double rate = settings.learning_rate.value_or(default_learning_rate(settings.name));
  check_learning_rate(rate);
  return rate;
}

void check_scheduled_rate(double rate) {
  if (!(rate >= 0) || !std::isfinite(rate))
    throw UsageError(fmt::format("the scheduled learning rate must be 0 or more, got {}", rate));
}

void check_weight_decay(double weight_decay) {
  if (!(weight_decay >= 0) || !std::isfinite(weight_decay))
    throw UsageError(fmt::format("--weight-decay must be 0 or more, got {}", weight_decay));
}

void check_state_steps(std::string_view optimizer, long long steps) {
  if (steps < 0 || steps > max_optimizer_steps)
    throw InputError(fmt::format("the {} state's steps must be 0 to 2^53 ({}), got {}", optimizer,
                                 max_optimizer_steps, steps));
}

}  // namespace neurona
