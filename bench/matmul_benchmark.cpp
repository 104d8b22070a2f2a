// The matrix-multiply rate this machine reaches through neurona's matrix type: C = A B for square
// and for the medium network's shapes, reported as FLOP/s (2 m n k per product).
#include <benchmark/benchmark.h>

#include <neurona/matrix.hpp>

namespace {

using neurona::Index;
using neurona::Matrix;

template <class T>
void BM_matmul(benchmark::State& state) {
  const Index m = state.range(0), k = state.range(1), n = state.range(2);
  const Matrix<T> A = Matrix<T>::Random(m, k);
  const Matrix<T> B = Matrix<T>::Random(k, n);
  Matrix<T> C(m, n);
  for (auto _ : state) {
    C.noalias() = A * B;
    benchmark::DoNotOptimize(C.data());
    benchmark::ClobberMemory();
  }
  state.counters["FLOP/s"] = benchmark::Counter(
      2.0 * double(m * n * k) * double(state.iterations()), benchmark::Counter::kIsRate);
}

// {m, k, n}: square sizes, then a 128-row mini-batch through 784-256-128-10 (forward products).
void shapes(benchmark::internal::Benchmark* b) {
  for (const Index size : {64, 256, 512})
    b->Args({size, size, size});
  b->Args({128, 784, 256})->Args({128, 256, 128})->Args({128, 128, 10});
}
BENCHMARK(BM_matmul<float>)->Apply(shapes);
BENCHMARK(BM_matmul<double>)->Apply(shapes);

}  // namespace

BENCHMARK_MAIN();
