// The training loop: forward, backward and an optimizer step, over full batches or seeded
// mini-batches, stopping with a DivergenceError when the loss stops being a finite number.
#pragma once

#include <cstdint>
#include <functional>

#include "neurona/matrix.hpp"
#include "neurona/network.hpp"
#include "neurona/optimizer.hpp"

namespace neurona {

struct TrainOptions {
  Index epochs = 1000;
  Index batch_size = 0;    // rows per step; 0 (or at least m) is the full batch, the tutorial's
  std::uint64_t seed = 1;  // reshuffles the rows before every epoch of mini-batches
};

struct EpochStats {
  Index epoch;  // 1-based
  double loss;  // E over the epoch's rows, each batch's taken before its update
};

using EpochCallback = std::function<void(const EpochStats&)>;

// Trains on X (m x n_in) against Y (m x n_out) and returns the last epoch's loss. Calls
// on_epoch after every epoch. Throws DivergenceError naming the epoch when E is NaN or infinite;
// the network is then left as that epoch found it, for the caller to discard.
template <class T>
double train(Network<T>& network, Optimizer<T>& optimizer, const Same<Matrix<T>>& X,
             const Same<Matrix<T>>& Y, const TrainOptions& options,
             const EpochCallback& on_epoch = {});

}  // namespace neurona
