// The training loop of the tutorial, generalised to mini-batches, validation and early stopping.
#include "neurona/trainer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "kernels.hpp"
#include "neurona/error.hpp"
#include "neurona/loss.hpp"
#include "neurona/random.hpp"
#include "neurona/schedule.hpp"
#include "row_values.hpp"
#include "same_shape.hpp"

namespace neurona {
namespace {

template <class T>
void check_rows(const Network<T>& network, const Matrix<T>& X, const Matrix<T>& Y,
                const char* what) {
  if (X.rows() < 1) throw ShapeError(fmt::format("there are no {} rows", what));
  if (X.cols() != network.inputs() || Y.cols() != network.outputs() || Y.rows() != X.rows())
    throw ShapeError(fmt::format(
        "{} X is {}x{} and Y is {}x{}; a {} network needs m x {} and m x {}", what, X.rows(),
        X.cols(), Y.rows(), Y.cols(), network.topology(), network.inputs(), network.outputs()));
}

template <class T>
void check_row_weights(const Matrix<T>& weights) {
  if ((weights.array() >= T(0)).all() && weights.allFinite()) return;
  for (Index i = 0; i < weights.size(); ++i)
    if (const T weight = weights.data()[i]; !(std::isfinite(weight) && weight >= 0))
      throw InputError(
          fmt::format("row weight {} is {}; weights must be finite and 0 or more", i, weight));
}

[[noreturn]] void diverged(Index epoch, double loss) {
  throw DivergenceError(fmt::format(
      "training diverged at epoch {}: the loss became {}. HINT: lower the learning rate, or "
      "scale the inputs",
      epoch, std::isnan(loss) ? std::abs(loss) : loss));  // "nan", not the sign bit's "-nan"
}

// Early stopping watches the validation loss: without validation rows a patience would be ignored.
[[noreturn]] void refuse_patience(Index patience) {
  throw UsageError(fmt::format(
      "a patience of {} epochs needs validation rows to watch (Trainer::set_validation)",
      patience));
}

// Each epoch's shuffle comes from its own engine, seeded by the run's seed and the epoch, so
// that a run resumed at any epoch draws the same batches as one never stopped.
RandomEngine epoch_engine(std::uint64_t seed, Index epoch) {
  std::uint64_t mixed = seed + 0x9e3779b97f4a7c15ULL * std::uint64_t(epoch);  // splitmix64
  mixed = (mixed ^ (mixed >> 30)) * 0xbf58476d1ce4e5b9ULL;
  mixed = (mixed ^ (mixed >> 27)) * 0x94d049bb133111ebULL;
  return RandomEngine(mixed ^ (mixed >> 31));
}

template <class T>
RowWeights<T> weights_of(const Matrix<T>* row_weights) {
  return row_weights ? RowWeights<T>(*row_weights) : std::nullopt;
}

}  // namespace

template <class T>
Trainer<T>::Trainer(Network<T>& network, Optimizer<T>& optimizer, const TrainOptions& options)
    : network_(network),
      optimizer_(optimizer),
      options_(options),
      evaluate_([this] { return forward_backward(); }) {
  if (options.epochs < 0)
    throw UsageError(fmt::format("epochs must be 0 or more, got {}", options.epochs));
  if (options.batch_size < 0)
    throw UsageError(fmt::format("the batch size must be 0 or more, got {}", options.batch_size));
  if (options.patience < 0)
    throw UsageError(fmt::format("the patience must be 0 or more, got {}", options.patience));
}

template <class T>
void Trainer<T>::set_validation(const Matrix<T>& X, const Matrix<T>& Y) {
  check_rows(network_, X, Y, "validation");
  detail::check_row_values(network_.loss_type(), X, Y, "validation");
  X_validation_ = &X;
  Y_validation_ = &Y;
}

template <class T>
void Trainer<T>::set_row_weights(const Matrix<T>& weights) {
  check_row_weights(weights);
  row_weights_ = &weights;
}

template <class T>
void Trainer<T>::set_schedule(LearningRateSchedule& schedule) {
  schedule_ = &schedule;
}

template <class T>
bool Trainer<T>::done() const {
  if (state_.epochs_done >= options_.epochs) return true;
  return options_.patience > 0 && X_validation_ &&
         state_.epochs_done - state_.best_epoch >= options_.patience;
}

template <class T>
void Trainer<T>::restore_best() {
  if (state_.best_network) network_ = *state_.best_network;
}

template <class T>
double Trainer<T>::forward_backward() {
  return double(network_.forward_backward(*batch_X_, *batch_Y_, batch_weights_));
}

template <class T>
double Trainer<T>::step(ConstMatrixRef<T> X, ConstMatrixRef<T> Y, const RowWeights<T>& weights,
                        Index epoch) {
  batch_X_.emplace(X);
  batch_Y_.emplace(Y);
  batch_weights_.reset();  // a Ref is rebound by constructing it anew, never by assignment
  if (weights) batch_weights_.emplace(*weights);
  const double loss = forward_backward();           // every gradient from this one forward pass,
  if (!std::isfinite(loss)) diverged(epoch, loss);  // (a gradient of it would spoil the network)
  optimizer_.update(network_, evaluate_);           // then the update (L-BFGS may evaluate again)
  return loss;
}

template <class T>
double Trainer<T>::run_batches(const Matrix<T>& X, const Matrix<T>& Y, Index epoch) {
  const Index m = X.rows();
  if (options_.batch_size == 0 || options_.batch_size >= m) {
    return step(X, Y, weights_of(row_weights_), epoch);
  }
  if (!options_.shuffle) return run_batches_in_order(X, Y, epoch);
  order_.resize(std::size_t(m));
  std::iota(order_.begin(), order_.end(), Index(0));
  RandomEngine engine = epoch_engine(options_.seed, epoch);
  shuffle(order_, engine);
  double weighted = 0;
  for (Index start = 0; start < m; start += options_.batch_size) {
    const Index rows = std::min(options_.batch_size, m - start);
    auto X_batch = X_batch_.resize(rows, X.cols());
    auto Y_batch = Y_batch_.resize(rows, Y.cols());
    auto weights_batch = weights_batch_.resize(row_weights_ ? rows : 0, 1);
    for (Index r = 0; r < rows; ++r) {
      const Index source = order_[std::size_t(start + r)];
      X_batch.row(r) = X.row(source);
      Y_batch.row(r) = Y.row(source);
      if (row_weights_) weights_batch(r, 0) = (*row_weights_)(source, 0);
    }
    const double loss =
        step(X_batch, Y_batch, row_weights_ ? RowWeights<T>(weights_batch) : std::nullopt, epoch);
    weighted += loss * double(rows);
  }
  return weighted / double(m);
}

template <class T>
double Trainer<T>::run_batches_in_order(const Matrix<T>& X, const Matrix<T>& Y, Index epoch) {
  const Index m = X.rows();
  double weighted = 0;
  for (Index start = 0; start < m; start += options_.batch_size) {
    const Index rows = std::min(options_.batch_size, m - start);
    const double loss = step(
        X.middleRows(start, rows), Y.middleRows(start, rows),
        row_weights_ ? RowWeights<T>(row_weights_->middleRows(start, rows)) : std::nullopt, epoch);
    weighted += loss * double(rows);
  }
  return weighted / double(m);
}

template <class T>
EpochStats Trainer<T>::run_epoch(const Matrix<T>& X, const Matrix<T>& Y) {
  check_rows(network_, X, Y, "training");
  // Every epoch, though the rows be the same: a caller may change them in place, or give new ones
  // where old ones were. O(m (n_in + n_out)) against the O(m parameters) of the epoch.
  detail::check_row_values(network_.loss_type(), X, Y, "training");
  if (options_.patience > 0 && !X_validation_) refuse_patience(options_.patience);
  detail::check_row_weights_shape(row_weights_, X.rows());
  if (row_weights_) check_row_weights(*row_weights_);
  if (X_validation_)
    detail::check_row_values(network_.loss_type(), *X_validation_, *Y_validation_, "validation");
  const Index epoch = state_.epochs_done + 1;
  EpochStats stats{epoch, 0, std::nan(""), optimizer_.learning_rate(), false};
  stats.loss = run_batches(X, Y, epoch);
  state_.epochs_done = epoch;

  if (X_validation_) {
    network_.forward(*X_validation_);
    stats.validation_loss = double(network_.loss(*Y_validation_));
    if (!std::isfinite(stats.validation_loss)) diverged(epoch, stats.validation_loss);
    if (stats.validation_loss < state_.best_validation_loss) {
      state_.best_validation_loss = stats.validation_loss;
      state_.best_epoch = epoch;
      state_.best_network = network_;
      stats.best = true;
    }
  }
  if (schedule_) {
    optimizer_.set_learning_rate(schedule_->epoch_end(
        epoch, stats.loss,
        X_validation_ ? std::optional<double>(stats.validation_loss) : std::nullopt));
  }
  return stats;
}

template <class T>
double train(Network<T>& network, Optimizer<T>& optimizer, const Same<Matrix<T>>& X,
             const Same<Matrix<T>>& Y, const TrainOptions& options, const EpochCallback& on_epoch) {
  if (options.patience > 0) refuse_patience(options.patience);  // for 0 epochs too
  Trainer<T> trainer(network, optimizer, options);
  double loss = 0;
  while (!trainer.done()) {
    const EpochStats stats = trainer.run_epoch(X, Y);
    loss = stats.loss;
    if (on_epoch) on_epoch(stats);
  }
  return loss;
}

template <class T>
void Trainer<T>::load_state(TrainerState<T> state) {
  if (state.best_network && state.best_network->architecture() != network_.architecture())
    throw InputError(fmt::format("the trainer state's best network is {}, the trained one {}",
                                 state.best_network->architecture(), network_.architecture()));
  state_ = std::move(state);
}

template class Trainer<float>;
template class Trainer<double>;
template double train<float>(Network<float>&, Optimizer<float>&, const Matrix<float>&,
                             const Matrix<float>&, const TrainOptions&, const EpochCallback&);
template double train<double>(Network<double>&, Optimizer<double>&, const Matrix<double>&,
                              const Matrix<double>&, const TrainOptions&, const EpochCallback&);

}  // namespace neurona
