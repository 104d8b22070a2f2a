// The settings every optimizer shares, checked alike by optimizer.cpp's and lbfgs.cpp's.
#pragma once

namespace neurona {

// --lr: a positive, finite number. Throws UsageError naming the flag.
void check_learning_rate(double rate);

// A rate a schedule sets between epochs: 0 or more, finite. Cosine to --lr-min 0 and a step
// schedule's gamma^k underflowing reach 0, as torch's do: no step then, which is no error.
void check_scheduled_rate(double rate);

// --weight-decay: 0 or more, finite.
void check_weight_decay(double weight_decay);

}  // namespace neurona
