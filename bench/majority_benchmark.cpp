// Google Benchmark programs for the tutorial's 3-2-4-1 network: one full-batch training epoch
// (forward, backward, step) in double and float, and prediction of one row and of 10,000 rows.
#include <benchmark/benchmark.h>

#include <neurona/neurona.hpp>

namespace {

using neurona::Index;
using neurona::Matrix;

// The same rows bench/compare's workload 3 uses: x_ij = ((3 i + j) * 2654435761 mod 2^32) / 2^32.
template <class T>
Matrix<T> prediction_rows(Index rows) {
  Matrix<T> X(rows, 3);
  for (Index i = 0; i < rows; ++i)
    for (Index j = 0; j < 3; ++j)
      X(i, j) = T(double(std::uint64_t(3 * i + j) * 2654435761ULL % 4294967296ULL) / 4294967296.0);
  return X;
}

// The step as the README writes it; train() adds the checks of its rows and of the loss per epoch.
template <class T>
void BM_majority_epoch(benchmark::State& state) {
  const neurona::Dataset<T> data = neurona::tutorial::majority_table<T>();
  neurona::Network<T> network = neurona::tutorial::majority_network<T>(1);
  neurona::GradientDescent<T> optimizer{T(0.5)};
  for (auto _ : state) {
    network.forward(data.X);
    network.backward(data.Y);
    optimizer.step(network);
  }
  benchmark::DoNotOptimize(network.layers().back().b(0));
}
BENCHMARK(BM_majority_epoch<double>);
BENCHMARK(BM_majority_epoch<float>);

// The step as train() takes it: the three passes in one call, which checks the layers once.
template <class T>
void BM_majority_forward_backward(benchmark::State& state) {
  const neurona::Dataset<T> data = neurona::tutorial::majority_table<T>();
  neurona::Network<T> network = neurona::tutorial::majority_network<T>(1);
  neurona::GradientDescent<T> optimizer{T(0.5)};
  for (auto _ : state) {
    benchmark::DoNotOptimize(network.forward_backward(data.X, data.Y));
    optimizer.step(network);
  }
  benchmark::DoNotOptimize(network.layers().back().b(0));
}
BENCHMARK(BM_majority_forward_backward<double>);
BENCHMARK(BM_majority_forward_backward<float>);

// train() for a fixed count of epochs, per epoch: what a user of the library pays.
template <class T>
void BM_majority_train(benchmark::State& state) {
  const neurona::Dataset<T> data = neurona::tutorial::majority_table<T>();
  const neurona::Network<T> start = neurona::tutorial::majority_network<T>(1);
  const Index epochs = state.range(0);
  for (auto _ : state) {
    state.PauseTiming();
    neurona::Network<T> network = start;
    neurona::GradientDescent<T> optimizer{T(0.5)};
    state.ResumeTiming();
    benchmark::DoNotOptimize(neurona::train(network, optimizer, data.X, data.Y, {epochs, 0, 1}));
  }
  state.SetItemsProcessed(state.iterations() * epochs);
}
BENCHMARK(BM_majority_train<double>)->Arg(1000);
BENCHMARK(BM_majority_train<float>)->Arg(1000);

template <class T>
void BM_majority_predict(benchmark::State& state) {
  const neurona::Network<T> network = neurona::tutorial::majority_network<T>(1);
  const Matrix<T> X = prediction_rows<T>(state.range(0));
  for (auto _ : state)
    benchmark::DoNotOptimize(network.predict(X));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_majority_predict<double>)->Arg(1)->Arg(10000);
BENCHMARK(BM_majority_predict<float>)->Arg(1)->Arg(10000);

}  // namespace

BENCHMARK_MAIN();
