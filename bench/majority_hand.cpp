// The floor for workloads 1 and 3: the tutorial's 3-2-4-1 network written out by hand with every
// size known at compile time, so the compiler unrolls and vectorises all of it. No library, no
// checks: what neurona's general code is measured against.
//
//   majority_hand train --model FILE.json --precision double|float --epochs N [--min-time S]
//   majority_hand predict --model FILE.json --precision double|float [--rows R] [--min-time S]
#include <array>
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "majority_common.hpp"

namespace {

constexpr int m = bench::majority_rows;

// W (n_in x n_out) row-major and b (n_out), as in the tutorial.
template <class T, int n_in, int n_out>
struct Layer {
  std::array<T, n_in * n_out> W;
  std::array<T, n_out> b;
};

template <class T>
struct Net {
  Layer<T, 3, 2> l1;
  Layer<T, 2, 4> l2;
  Layer<T, 4, 1> l3;
};

template <class T, int n_in, int n_out>
Layer<T, n_in, n_out> layer_from(const bench::MajorityWeights& w, int l) {
  Layer<T, n_in, n_out> layer;
  for (int k = 0; k < n_in * n_out; ++k)
    layer.W[k] = T(w.W[l][k]);
  for (int j = 0; j < n_out; ++j)
    layer.b[j] = T(w.b[l][j]);
  return layer;
}

template <class T>
Net<T> net_from(const bench::MajorityWeights& w) {
  return {layer_from<T, 3, 2>(w, 0), layer_from<T, 2, 4>(w, 1), layer_from<T, 4, 1>(w, 2)};
}

template <class T>
T sigmoid(T z) {
  return T(1) / (T(1) + std::exp(-z));
}

// Activations are stored unit-major, A[j][r] for unit j and row r, so that every loop over the 8
// rows is a vector operation.
template <class T, int n>
using Batch = std::array<std::array<T, m>, n>;

// Z = A_prev W + b, A = sigma(Z) (or Z itself for the linear output): A_prev (m x n_in), A (m x
// n_out)
template <class T, int n_in, int n_out, bool is_sigmoid>
void forward(const Layer<T, n_in, n_out>& layer, const Batch<T, n_in>& A_prev, Batch<T, n_out>& A) {
  for (int j = 0; j < n_out; ++j) {
    for (int r = 0; r < m; ++r)
      A[j][r] = layer.b[j];
    for (int i = 0; i < n_in; ++i)
      for (int r = 0; r < m; ++r)
        A[j][r] += A_prev[i][r] * layer.W[i * n_out + j];
    if constexpr (is_sigmoid)
      for (int r = 0; r < m; ++r)
        A[j][r] = sigmoid(A[j][r]);
  }
}

// With dZ set: W <- W - alpha A_prev^T dZ, b <- b - alpha sum_r dZ, after dA_prev = dZ W^T has
// been taken from the old W.
template <class T, int n_in, int n_out>
void backward_and_step(Layer<T, n_in, n_out>& layer, const Batch<T, n_in>& A_prev,
                       const Batch<T, n_out>& dZ, Batch<T, n_in>* dA_prev, T alpha) {
  if (dA_prev)
    for (int i = 0; i < n_in; ++i) {
      for (int r = 0; r < m; ++r)
        (*dA_prev)[i][r] = 0;
      for (int j = 0; j < n_out; ++j)
        for (int r = 0; r < m; ++r)
          (*dA_prev)[i][r] += dZ[j][r] * layer.W[i * n_out + j];
    }
  for (int j = 0; j < n_out; ++j) {
    T db = 0;
    for (int r = 0; r < m; ++r)
      db += dZ[j][r];
    layer.b[j] -= alpha * db;
    for (int i = 0; i < n_in; ++i) {
      T dW = 0;
      for (int r = 0; r < m; ++r)
        dW += A_prev[i][r] * dZ[j][r];
      layer.W[i * n_out + j] -= alpha * dW;
    }
  }
}

// dZ = dA (.) a (1 - a) for a sigmoid layer
template <class T, int n>
void sigmoid_backward(const Batch<T, n>& A, Batch<T, n>& dA) {
  for (int j = 0; j < n; ++j)
    for (int r = 0; r < m; ++r)
      dA[j][r] *= A[j][r] * (T(1) - A[j][r]);
}

// One epoch of full-batch gradient descent on E = 1/(2m) sum (yhat - y)^2.
template <class T>
void epoch(Net<T>& net, const Batch<T, 3>& X, const Batch<T, 1>& Y, T alpha) {
  Batch<T, 2> A1, dA1;
  Batch<T, 4> A2, dA2;
  Batch<T, 1> A3, dZ3;
  forward<T, 3, 2, true>(net.l1, X, A1);
  forward<T, 2, 4, true>(net.l2, A1, A2);
  forward<T, 4, 1, false>(net.l3, A2, A3);
  for (int r = 0; r < m; ++r)
    dZ3[0][r] = (A3[0][r] - Y[0][r]) / T(m);
  backward_and_step<T, 4, 1>(net.l3, A2, dZ3, &dA2, alpha);
  sigmoid_backward<T, 4>(A2, dA2);
  backward_and_step<T, 2, 4>(net.l2, A1, dA2, &dA1, alpha);
  sigmoid_backward<T, 2>(A1, dA1);
  backward_and_step<T, 3, 2>(net.l1, X, dA1, nullptr, alpha);
}

// yhat for one row x (3 numbers)
template <class T>
T predict_row(const Net<T>& net, const T* x) {
  std::array<T, 2> a1;
  std::array<T, 4> a2;
  for (int j = 0; j < 2; ++j) {
    T z = net.l1.b[j];
    for (int i = 0; i < 3; ++i)
      z += x[i] * net.l1.W[i * 2 + j];
    a1[j] = sigmoid(z);
  }
  for (int j = 0; j < 4; ++j) {
    T z = net.l2.b[j];
    for (int i = 0; i < 2; ++i)
      z += a1[i] * net.l2.W[i * 4 + j];
    a2[j] = sigmoid(z);
  }
  T y = net.l3.b[0];
  for (int i = 0; i < 4; ++i)
    y += a2[i] * net.l3.W[i];
  return y;
}

template <class T>
int train(const bench::Flags& flags) {
  const Net<T> start = net_from<T>(bench::read_majority_weights(flags.get("model")));
  const long long epochs = flags.number("epochs");
  const T alpha = T(flags.real("lr", "0.5"));
  Batch<T, 3> X;
  Batch<T, 1> Y;
  for (int r = 0; r < m; ++r) {
    for (int i = 0; i < 3; ++i)
      X[i][r] = T(bench::majority_X[r][i]);
    Y[0][r] = T(bench::majority_Y[r]);
  }
  Net<T> net = start;
  const double seconds = bench::median_round_seconds(
      [&] {
        net = start;
        for (long long e = 0; e < epochs; ++e)
          epoch(net, X, Y, alpha);
      },
      flags.real("min-time", "0.3"));
  double sum = 0;
  int correct = 0;
  for (int r = 0; r < m; ++r) {
    const T x[3] = {X[0][r], X[1][r], X[2][r]};
    const T yhat = predict_row(net, x);
    const double e = double(yhat) - double(Y[0][r]);
    sum += e * e;
    correct += (yhat >= T(0.5)) == (Y[0][r] >= T(0.5));
  }
  std::printf("{\"loss\": %s, \"correct\": %d, \"seconds_per_epoch\": %s}\n",
              bench::exact(sum / (2.0 * m)).c_str(), correct,
              bench::exact(seconds / double(epochs)).c_str());
  return 0;
}

template <class T>
int predict(const bench::Flags& flags) {
  const Net<T> net = net_from<T>(bench::read_majority_weights(flags.get("model")));
  const long long rows = flags.number("rows", "10000");
  const long long one_row_inputs = std::min(rows, 1024LL);
  const std::vector<T> X = bench::prediction_inputs<T>(rows);
  const double min_time = flags.real("min-time", "0.3");

  double one_row_sum = 0;
  const double one_row_seconds = bench::median_round_seconds(
      [&] {
        one_row_sum = 0;
        for (long long i = 0; i < one_row_inputs; ++i)
          one_row_sum += double(predict_row(net, &X[std::size_t(i * 3)]));
      },
      min_time);
  std::vector<T> yhat(static_cast<std::size_t>(rows));
  const double batch_seconds = bench::median_round_seconds(
      [&] {
        for (long long i = 0; i < rows; ++i)
          yhat[std::size_t(i)] = predict_row(net, &X[std::size_t(i * 3)]);
      },
      min_time);
  bench::print_prediction_result(one_row_seconds / double(one_row_inputs), one_row_sum,
                                 batch_seconds / double(rows), yhat.data(), rows);
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) throw std::runtime_error("usage: majority_hand train|predict --flag value ...");
  const std::string command = argv[1];
  const bench::Flags flags(argc, argv, 2);
  const bool single = flags.get("precision", "double") == "float";
  if (command == "train") return single ? train<float>(flags) : train<double>(flags);
  if (command == "predict") return single ? predict<float>(flags) : predict<double>(flags);
  throw std::runtime_error("unknown command " + command);
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
