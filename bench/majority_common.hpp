// What the programs of workloads 1, 3 and 4 share: the tutorial's 3-2-4-1 network read from the
// shared model file, the majority table, the 10,000 prediction rows, flags and the timing loop.
// Every program prints one JSON line that bench/compare reads.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bench {

// The tutorial's network as numbers, in its layout: Z = A_prev W + b, W (n_in x n_out) row-major.
struct MajorityWeights {
  static constexpr int widths[4] = {3, 2, 4, 1};
  std::array<std::vector<double>, 3> W;  // W[l] holds widths[l] x widths[l + 1] numbers
  std::array<std::vector<double>, 3> b;  // b[l] holds widths[l + 1] numbers
};

// Reads a neurona model file (docs/FORMAT.md) that must hold a 3-2-4-1 network.
inline MajorityWeights read_majority_weights(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error(path + ": cannot open");
  const nlohmann::json model = nlohmann::json::parse(in);
  const auto& layers = model.at("layers");
  if (model.at("inputs").get<int>() != 3 || layers.size() != 3)
    throw std::runtime_error(path + ": expected the 3-2-4-1 network");
  MajorityWeights w;
  for (int l = 0; l < 3; ++l) {
    const int n_in = MajorityWeights::widths[l], n_out = MajorityWeights::widths[l + 1];
    const auto& W = layers[l].at("W");
    const auto& b = layers[l].at("b");
    if (int(W.size()) != n_in || int(b.size()) != n_out)
      throw std::runtime_error(path + ": layer " + std::to_string(l) + " is not " +
                               std::to_string(n_in) + " x " + std::to_string(n_out));
    for (int i = 0; i < n_in; ++i)
      for (int j = 0; j < n_out; ++j)
        w.W[l].push_back(W[i].at(j).get<double>());
    for (int j = 0; j < n_out; ++j)
      w.b[l].push_back(b[j].get<double>());
  }
  return w;
}

// The majority table in the tutorial's row order (data/majority.csv has the same rows).
inline constexpr int majority_rows = 8;
inline constexpr double majority_X[majority_rows][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0, 0, 0},
                                                        {0, 1, 1}, {1, 0, 1}, {1, 1, 0}, {1, 1, 1}};
inline constexpr double majority_Y[majority_rows] = {0, 0, 0, 0, 1, 1, 1, 1};

// Workload 3's rows: x_ij = ((3 i + j) * 2654435761 mod 2^32) / 2^32, exact in double and the same
// in every language, so that no data file has to be shared.
inline double prediction_input(std::int64_t i, int j) {
  const std::uint64_t k = std::uint64_t(3 * i + j) * 2654435761ULL % 4294967296ULL;
  return double(k) / 4294967296.0;
}

// The first `rows` of them, 3 values a row, one row after another.
template <class T>
std::vector<T> prediction_inputs(std::int64_t rows) {
  std::vector<T> X(std::size_t(rows) * 3);
  for (std::int64_t i = 0; i < rows; ++i)
    for (int j = 0; j < 3; ++j)
      X[std::size_t(i * 3 + j)] = T(prediction_input(i, j));
  return X;
}

// --name value flags; a flag that is absent takes `fallback`.
class Flags {
 public:
  Flags(int argc, char** argv, int first) {
    for (int i = first; i + 1 < argc; i += 2) {
      const std::string name = argv[i];
      if (name.rfind("--", 0) != 0) throw std::runtime_error("expected a --flag, got " + name);
      values_[name.substr(2)] = argv[i + 1];
    }
    if ((argc - first) % 2 != 0) throw std::runtime_error("a flag has no value");
  }
  std::string get(const std::string& name, const std::string& fallback = "") const {
    const auto it = values_.find(name);
    if (it != values_.end()) return it->second;
    if (fallback.empty()) throw std::runtime_error("--" + name + " is required");
    return fallback;
  }
  long long number(const std::string& name, const std::string& fallback = "") const {
    return std::stoll(get(name, fallback));
  }
  double real(const std::string& name, const std::string& fallback = "") const {
    return std::stod(get(name, fallback));
  }

 private:
  std::map<std::string, std::string> values_;
};

// Runs `round` (which resets its own state first) until `min_seconds` have passed, at least
// twice, and returns the median round in seconds: the first round also warms caches, the
// branch predictor and any lazily built buffers.
template <class Round>
double median_round_seconds(Round&& round, double min_seconds) {
  using clock = std::chrono::steady_clock;
  std::vector<double> times;
  const auto start = clock::now();
  while (times.size() < 2 ||
         std::chrono::duration<double>(clock::now() - start).count() < min_seconds) {
    const auto t0 = clock::now();
    round();
    times.push_back(std::chrono::duration<double>(clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// 17 significant digits: every double reads back to the same bits.
inline std::string exact(double x) {
  char text[32];
  std::snprintf(text, sizeof text, "%.17g", x);
  return text;
}

// Workload 3's line: the mean time of a one-row call and the sum of those predictions, then the
// time per row of the batch and the sum and first of its `rows` predictions.
template <class T>
void print_prediction_result(double one_row_seconds, double one_row_sum,
                             double batch_seconds_per_row, const T* batch, std::int64_t rows) {
  double batch_sum = 0;
  for (std::int64_t i = 0; i < rows; ++i)
    batch_sum += double(batch[i]);
  std::printf(
      "{\"one_row_seconds\": %s, \"one_row_sum\": %s, \"batch_seconds_per_row\": %s, "
      "\"batch_sum\": %s, \"first\": %s}\n",
      exact(one_row_seconds).c_str(), exact(one_row_sum).c_str(),
      exact(batch_seconds_per_row).c_str(), exact(batch_sum).c_str(),
      exact(double(batch[0])).c_str());
}

}  // namespace bench
