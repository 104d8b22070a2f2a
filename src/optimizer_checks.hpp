// The settings every optimizer shares, checked alike by optimizer.cpp's and lbfgs.cpp's.
#pragma once

#include <string_view>

namespace neurona {

// --lr: a positive, finite number. Throws UsageError naming the flag.
void check_learning_rate(double rate);

// A rate a schedule sets between epochs: 0 or more, finite. Cosine to --lr-min 0 and a step
// schedule's gamma^k underflowing reach 0, as torch's do: no step then, which is no error.
void check_scheduled_rate(double rate);

// --weight-decay: 0 or more, finite.
void check_weight_decay(double weight_decay);

// A loaded state's step count: 0 to max_optimizer_steps. Throws InputError naming the optimizer.
void check_state_steps(std::string_view optimizer, long long steps);

}  // namespace neurona
