// neurona's side of workloads 1 and 3 (the tutorial's 3-2-4-1 network), through the public API,
// and the writer of the shared starting weights that every peer reads.
//
//   majority_neurona init --seed S --out FILE.json
//   majority_neurona train --model FILE.json --precision double|float --epochs N [--min-time S]
//   majority_neurona predict --model FILE.json --precision double|float [--rows R] [--min-time S]
#include <cmath>
#include <cstdio>
#include <exception>
#include <string>

#include <neurona/neurona.hpp>

#include "majority_common.hpp"

namespace {

using neurona::Index;
using neurona::Matrix;
using neurona::Network;

template <class T>
Network<T> load(const std::string& path) {
  return neurona::read_model(path).network.template cast<T>();
}

// E = 1/(2m) sum (yhat - y)^2 at the network's weights, in double, and the rows on the right side
// of 0.5.
template <class T>
std::pair<double, int> evaluate(const Network<T>& network, const neurona::Dataset<T>& data) {
  const Matrix<T> yhat = network.predict(data.X);
  double sum = 0;
  int correct = 0;
  for (Index i = 0; i < data.X.rows(); ++i) {
    const double e = double(yhat(i, 0)) - double(data.Y(i, 0));
    sum += e * e;
    correct += (yhat(i, 0) >= T(0.5)) == (data.Y(i, 0) >= T(0.5));
  }
  return {sum / (2.0 * double(data.X.rows())), correct};
}

template <class T>
int train(const bench::Flags& flags) {
  const Network<T> start = load<T>(flags.get("model"));
  const Index epochs = flags.number("epochs");
  const double lr = flags.real("lr", "0.5");
  const neurona::Dataset<T> data = neurona::tutorial::majority_table<T>();
  Network<T> network = start;
  // The library's own loop, as a user calls it: full batch, the loss checked every epoch.
  const double seconds = bench::median_round_seconds(
      [&] {
        network = start;
        neurona::GradientDescent<T> optimizer{T(lr)};
        neurona::train(network, optimizer, data.X, data.Y, {epochs, 0, 1});
      },
      flags.real("min-time", "0.3"));
  const auto [loss, correct] = evaluate(network, data);
  std::printf("{\"loss\": %s, \"correct\": %d, \"seconds_per_epoch\": %s}\n",
              bench::exact(loss).c_str(), correct, bench::exact(seconds / double(epochs)).c_str());
  return 0;
}

template <class T>
int predict(const bench::Flags& flags) {
  const Network<T> network = load<T>(flags.get("model"));
  neurona::Predictor<T> predictor(network);
  const Index rows = flags.number("rows", "10000");
  constexpr Index one_row_inputs = 1024;
  const std::vector<T> inputs = bench::prediction_inputs<T>(rows);
  const Matrix<T> X = Eigen::Map<const Matrix<T>>(inputs.data(), rows, 3);
  const double min_time = flags.real("min-time", "0.3");

  // One row at a time, as a server answering single requests: each call a fresh 1 x 3 input.
  std::vector<Matrix<T>> singles;
  for (Index i = 0; i < std::min(rows, one_row_inputs); ++i)
    singles.push_back(X.row(i));
  double one_row_sum = 0;
  const double one_row_seconds = bench::median_round_seconds(
      [&] {
        one_row_sum = 0;
        for (const Matrix<T>& x : singles)
          one_row_sum += double(predictor.predict(x)(0, 0));
      },
      min_time);

  const T* yhat = nullptr;  // m x 1: row i's prediction is yhat[i]
  const double batch_seconds =
      bench::median_round_seconds([&] { yhat = predictor.predict(X).data(); }, min_time);
  bench::print_prediction_result(one_row_seconds / double(singles.size()), one_row_sum,
                                 batch_seconds / double(rows), yhat, rows);
  return 0;
}

int init(const bench::Flags& flags) {
  const auto seed = std::uint64_t(flags.number("seed", "1"));
  neurona::write_model(neurona::tutorial::majority_network<double>(seed), flags.get("out"));
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2)
    throw std::runtime_error("usage: majority_neurona init|train|predict --flag value ...");
  const std::string command = argv[1];
  const bench::Flags flags(argc, argv, 2);
  if (command == "init") return init(flags);
  const bool single = flags.get("precision", "double") == "float";
  if (command == "train") return single ? train<float>(flags) : train<double>(flags);
  if (command == "predict") return single ? predict<float>(flags) : predict<double>(flags);
  throw std::runtime_error("unknown command " + command);
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
