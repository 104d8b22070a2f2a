// The training loop: forward, backward and an optimizer step, over full batches or seeded
// mini-batches, with optional validation data, early stopping and a learning-rate schedule.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>

#include "neurona/matrix.hpp"
#include "neurona/network.hpp"
#include "neurona/optimizer.hpp"

namespace neurona {

class LearningRateSchedule;

struct TrainOptions {
  Index epochs = 1000;
  Index batch_size = 0;    // rows per step; 0 (or at least m) is the full batch, the tutorial's
  std::uint64_t seed = 1;  // shuffles the rows of each epoch of mini-batches
  Index patience = 0;      // stop after this many epochs without a better validation loss,
                           // keeping the best weights; needs Trainer::set_validation (train()
                           // has none: it refuses a patience); 0 never stops early
  bool shuffle = true;     // false: mini-batches in row order (benchmarks that compare programs)
};

struct EpochStats {
  Index epoch;             // 1-based
  double loss;             // E over the epoch's rows, each batch's taken before its update
  double validation_loss;  // E on the validation rows after the epoch; NaN without them
  double learning_rate;    // the rate this epoch's steps used
  bool best;               // the lowest validation loss so far
};

// What a checkpoint keeps of a trainer, so that a resumed run ends with the same bits.
template <class T>
struct TrainerState {
  Index epochs_done = 0;
  double best_validation_loss = std::numeric_limits<double>::infinity();
  Index best_epoch = 0;
  std::optional<Network<T>> best_network;  // the weights early stopping returns to
};

// Runs epochs one at a time, so that a caller can report, checkpoint or stop between them.
template <class T>
class Trainer {
 public:
  // Trains `network` with `optimizer`; both must outlive the trainer. Not copied or moved: it
  // keeps references to them, and its own members refer to it.
  Trainer(Network<T>& network, Optimizer<T>& optimizer, const TrainOptions& options);
  Trainer(const Trainer&) = delete;
  Trainer& operator=(const Trainer&) = delete;

  // Rows to measure the validation loss on after every epoch, kept by reference: a temporary
  // (take_rows(...), a .cast<float>()) would be gone by the first epoch, so it does not compile.
  // Throws InputError as run_epoch does for rows that are not finite or targets that do not suit
  // the loss.
  void set_validation(const Matrix<T>& X, const Matrix<T>& Y);
  void set_validation(Matrix<T>&&, const Matrix<T>&) = delete;
  void set_validation(const Matrix<T>&, Matrix<T>&&) = delete;
  void set_validation(Matrix<T>&&, Matrix<T>&&) = delete;
  // A weight for each training row's loss, m x 1 (kept by reference, so not a temporary), as
  // class weights give. Throws InputError for a weight that is negative or not finite.
  void set_row_weights(const Matrix<T>& weights);
  void set_row_weights(Matrix<T>&&) = delete;
  // Changes the optimizer's learning rate after every epoch (kept by reference).
  void set_schedule(LearningRateSchedule& schedule);

  // One more epoch on X (m x n_in) and Y (m x n_out). Throws DivergenceError naming the epoch
  // when E on a batch or on the validation rows is NaN or infinite. A batch's E is checked before
  // its update, so the network then holds the parameters that gave it: the epoch's earlier
  // batches applied, none of its non-finite gradient. (A validation loss that is not finite comes
  // after the epoch's updates: that epoch is then counted as done.) Throws UsageError when the
  // options' patience is above 0 and there are no validation rows to be patient about. Throws
  // InputError, naming the value, for an X that is not finite or a Y that does not suit the loss
  // (check_targets), in the training or the validation rows, or a row weight that is negative or
  // not finite: a NaN would otherwise pass for a diverging run. Checked every epoch, before any
  // step.
  EpochStats run_epoch(const Matrix<T>& X, const Matrix<T>& Y);

  // True when every epoch has run or early stopping's patience is spent.
  bool done() const;
  // With validation data, puts back the weights of the lowest validation loss.
  void restore_best();

  const TrainerState<T>& state() const { return state_; }
  // Continues from a state() of a trainer of the same network. Throws InputError when the state's
  // best network is another architecture than the trained one (restore_best would swap it in).
  void load_state(TrainerState<T> state);

 private:
  // E over X and Y in batches of the options' size, stepping the optimizer after each.
  double run_batches(const Matrix<T>& X, const Matrix<T>& Y, Index epoch);
  double run_batches_in_order(const Matrix<T>& X, const Matrix<T>& Y, Index epoch);
  double step(ConstMatrixRef<T> X, ConstMatrixRef<T> Y, const RowWeights<T>& weights, Index epoch);
  // Forward, loss and backward on the current batch: E at the network's parameters.
  double forward_backward();

  Network<T>& network_;
  Optimizer<T>& optimizer_;
  TrainOptions options_;
  const Matrix<T>* X_validation_ = nullptr;
  const Matrix<T>* Y_validation_ = nullptr;
  const Matrix<T>* row_weights_ = nullptr;
  LearningRateSchedule* schedule_ = nullptr;
  TrainerState<T> state_;
  std::vector<Index> order_;
  BatchStorage<T> X_batch_, Y_batch_, weights_batch_;   // a mini-batch's rows, gathered
  std::optional<ConstMatrixRef<T>> batch_X_, batch_Y_;  // the batch forward_backward scores
  RowWeights<T> batch_weights_;
  std::function<double()> evaluate_;  // forward_backward, made once: no allocation per step
};

using EpochCallback = std::function<void(const EpochStats&)>;

// Trains on X (m x n_in) against Y (m x n_out) for the options' epochs and returns the last
// epoch's loss, calling on_epoch after each. Throws DivergenceError as Trainer::run_epoch does,
// and UsageError for a patience (it has no validation rows: use a Trainer).
template <class T>
double train(Network<T>& network, Optimizer<T>& optimizer, const Same<Matrix<T>>& X,
             const Same<Matrix<T>>& Y, const TrainOptions& options,
             const EpochCallback& on_epoch = {});

}  // namespace neurona
