// The training loop of the tutorial, generalised to mini-batches.
#include "neurona/trainer.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numeric>
#include <vector>

#include "neurona/error.hpp"
#include "neurona/random.hpp"

namespace neurona {
namespace {

template <class T>
void check_training_data(const Network<T>& network, const Matrix<T>& X, const Matrix<T>& Y,
                         const TrainOptions& options) {
  if (X.rows() < 1) throw ShapeError("there are no rows to train on");
  if (X.cols() != network.inputs() || Y.cols() != network.outputs() || Y.rows() != X.rows())
    throw ShapeError(fmt::format("X is {}x{} and Y is {}x{}; a {} network needs m x {} and m x {}",
                                 X.rows(), X.cols(), Y.rows(), Y.cols(), network.topology(),
                                 network.inputs(), network.outputs()));
  if (options.epochs < 0)
    throw UsageError(fmt::format("epochs must be 0 or more, got {}", options.epochs));
  if (options.batch_size < 0)
    throw UsageError(fmt::format("the batch size must be 0 or more, got {}", options.batch_size));
}

[[noreturn]] void diverged(Index epoch, double loss) {
  throw DivergenceError(fmt::format(
      "training diverged at epoch {}: the loss became {}. HINT: lower the learning rate, or "
      "scale the inputs",
      epoch, loss));
}

}  // namespace

template <class T>
double train(Network<T>& network, Optimizer<T>& optimizer, const Same<Matrix<T>>& X,
             const Same<Matrix<T>>& Y, const TrainOptions& options, const EpochCallback& on_epoch) {
  check_training_data(network, X, Y, options);
  const Index m = X.rows();
  const bool full_batch = options.batch_size == 0 || options.batch_size >= m;

  RandomEngine engine(options.seed);
  std::vector<Index> order(static_cast<std::size_t>(m));
  std::iota(order.begin(), order.end(), Index(0));
  Matrix<T> X_batch, Y_batch;

  double loss = 0;
  for (Index epoch = 1; epoch <= options.epochs; ++epoch) {
    if (full_batch) {
      network.forward(X);
      loss = double(network.loss(Y));
      if (!std::isfinite(loss)) diverged(epoch, loss);
      network.backward(Y);
      optimizer.step(network);
    } else {
      shuffle(order, engine);
      double weighted = 0;
      for (Index start = 0; start < m; start += options.batch_size) {
        const Index rows = std::min(options.batch_size, m - start);
        X_batch.resize(rows, X.cols());
        Y_batch.resize(rows, Y.cols());
        for (Index r = 0; r < rows; ++r) {
          X_batch.row(r) = X.row(order[std::size_t(start + r)]);
          Y_batch.row(r) = Y.row(order[std::size_t(start + r)]);
        }
        network.forward(X_batch);
        const double batch_loss = double(network.loss(Y_batch));
        if (!std::isfinite(batch_loss)) diverged(epoch, batch_loss);
        weighted += batch_loss * double(rows);
        network.backward(Y_batch);
        optimizer.step(network);
      }
      loss = weighted / double(m);
    }
    if (on_epoch) on_epoch({epoch, loss});
  }
  return loss;
}

template double train<float>(Network<float>&, Optimizer<float>&, const Matrix<float>&,
                             const Matrix<float>&, const TrainOptions&, const EpochCallback&);
template double train<double>(Network<double>&, Optimizer<double>&, const Matrix<double>&,
                              const Matrix<double>&, const TrainOptions&, const EpochCallback&);

}  // namespace neurona
