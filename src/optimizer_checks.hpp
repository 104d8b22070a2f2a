// The settings every optimizer shares, checked alike by optimizer.cpp's and lbfgs.cpp's.
#pragma once

#include <string_view>

#include "neurona/optimizer.hpp"

namespace neurona {

// --lr: a positive, finite number. Throws UsageError naming the flag.
void check_learning_rate(double rate);

// The settings' learning rate, or the optimizer's default when none is set; checked.
double learning_rate_of(const OptimizerSettings& settings);

// A rate a schedule sets between epochs: 0 or more, finite. Cosine to --lr-min 0 and a step
// schedule's gamma^k underflowing reach 0, as torch's do: no step then, which is no error.
void check_scheduled_rate(double rate);

// --weight-decay: 0 or more, finite.
void check_weight_decay(double weight_decay);

// For an optimizer of float networks, called last by each constructor: every setting must hold in
// float, neither 0 nor infinite there when it is not in double. Throws UsageError naming the flag.
void check_float_settings(const OptimizerSettings& settings);

// A loaded state's step count: 0 to max_optimizer_steps. Throws InputError naming the optimizer.
void check_state_steps(std::string_view optimizer, long long steps);

// Throws InputError, as "{where}NAME[i]: ...", for a buffer value that no run of the state's
// optimizer holds whatever its settings: a negative second moment (adam's and adamw's exp_avg_sq,
// rmsprop's square_avg) or step size (rprop's step_size), an lbfgs curvature (ro, H_diag) not
// above 0 or step t below 0. Other buffers and names are left to load_state, which checks these
// too; a checkpoint reader calls it to name the field.
void check_state_values(const OptimizerState& state, std::string_view where);

}  // namespace neurona
