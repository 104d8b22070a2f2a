// neurona's side of the medium-network benchmark (784-256-128-10, ReLU hidden, softmax +
// cross-entropy, float, mini-batches of 128 rows in row order, plain SGD) on Fashion-MNIST rows:
//
//   medium_neurona init  --seed S --out W.bin
//       the initial weights every program starts from (see write_weights for the layout)
//   medium_neurona check --seed S --images I --labels L --steps K --lr A --predict-rows P --out F
//       K steps on rows 0 .. 128 K - 1, then predictions for the first P rows, written to F
//   medium_neurona serve --seed S --images I --labels L --rows R --lr A --threads N
//       a worker that answers one line of JSON per command read from stdin: "train" (one epoch
//       over the first R rows), "predict1 C" (C one-row predictions), "predict_batch B" (the
//       first B rows at once), "quit"
//
// bench/medium.py drives it beside PyTorch and scikit-learn, which read the same weights file.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "neurona/neurona.hpp"

namespace {

using neurona::Index;
using Matrix = neurona::Matrix<float>;
using Clock = std::chrono::steady_clock;

constexpr Index batch_rows = 128;

neurona::Network<float> make_network(std::uint64_t seed) {
  using neurona::Activation;
  neurona::Network<float> net(
      784, {{256, Activation::relu}, {128, Activation::relu}, {10, Activation::softmax}},
      neurona::Loss::cross_entropy);
  neurona::initialize(net, seed);
  return net;
}

// float32 in this machine's byte order (little-endian on x86), layer by layer: W (n_in x n_out, row
// by row) then b (n_out).
void write_weights(const neurona::Network<float>& net, std::ofstream& out) {
  for (const auto& layer : net.layers()) {
    out.write(reinterpret_cast<const char*>(layer.W.data()),
              std::streamsize(layer.W.size() * sizeof(float)));
    out.write(reinterpret_cast<const char*>(layer.b.data()),
              std::streamsize(layer.b.size() * sizeof(float)));
  }
}

// X: pixels / 255 in float (as the peers compute it, so that every program sees the same bits);
// Y: one-hot labels. The first `rows` rows of the set.
struct Data {
  Matrix X, Y;
};

Data load(const std::string& images, const std::string& labels, Index rows) {
  const neurona::Matrix<double> pixels = neurona::read_idx(images);
  const neurona::Matrix<double> classes = neurona::read_idx(labels);
  if (rows > pixels.rows())
    throw std::runtime_error(images + " has " + std::to_string(pixels.rows()) + " rows, not " +
                             std::to_string(rows));
  Data data{Matrix(rows, pixels.cols()), Matrix::Zero(rows, 10)};
  for (Index i = 0; i < rows; ++i) {
    for (Index j = 0; j < pixels.cols(); ++j)
      data.X(i, j) = float(pixels(i, j)) / 255.0f;
    data.Y(i, Index(classes(i, 0))) = 1.0f;
  }
  return data;
}

// The training step written out as the peers write it, over batches of rows in order: what the
// peers are compared with, and what the Trainer (the timed path) is checked against.
class RowOrderLoop {
 public:
  RowOrderLoop(neurona::Network<float>& net, float learning_rate)
      : net_(net), optimizer_(learning_rate) {}

  // E of each batch before its update.
  std::vector<double> run(const Matrix& X, const Matrix& Y, Index rows) {
    std::vector<double> losses;
    for (Index start = 0; start < rows; start += batch_rows) {
      const Index m = std::min(batch_rows, rows - start);
      X_batch_ = X.middleRows(start, m);
      Y_batch_ = Y.middleRows(start, m);
      net_.forward(X_batch_);
      losses.push_back(double(net_.loss(Y_batch_)));
      net_.backward(Y_batch_);
      optimizer_.step(net_);
    }
    return losses;
  }

 private:
  neurona::Network<float>& net_;
  neurona::GradientDescent<float> optimizer_;
  Matrix X_batch_, Y_batch_;
};

// The timed path: the library's Trainer, one epoch at a time, with the rows in order as the peers
// take them.
neurona::Trainer<float> make_trainer(neurona::Network<float>& net,
                                     neurona::GradientDescent<float>& optimizer) {
  neurona::TrainOptions options;
  options.epochs = Index(1) << 40;  // as many as the caller asks for
  options.batch_size = batch_rows;
  options.shuffle = false;
  return neurona::Trainer<float>(net, optimizer, options);
}

std::map<std::string, std::string> parse_flags(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string name = argv[i];
    if (name.rfind("--", 0) != 0) throw std::runtime_error("expected a --flag, got " + name);
    flags[name.substr(2)] = argv[i + 1];
  }
  return flags;
}

std::string flag(const std::map<std::string, std::string>& flags, const std::string& name) {
  const auto found = flags.find(name);
  if (found == flags.end()) throw std::runtime_error("missing --" + name);
  return found->second;
}

int init(const std::map<std::string, std::string>& flags) {
  const auto net = make_network(std::stoull(flag(flags, "seed")));
  std::ofstream out(flag(flags, "out"), std::ios::binary);
  write_weights(net, out);
  return out ? 0 : 1;
}

// Layout of the output: K losses (float64), the weights after K steps (as write_weights), the
// predictions for the first P rows (P x 10 float32), then the largest difference between the
// weights after the same steps through the Trainer, the timed path, and through the loop (float64).
int check(const std::map<std::string, std::string>& flags) {
  const std::uint64_t seed = std::stoull(flag(flags, "seed"));
  const Index steps = std::stol(flag(flags, "steps"));
  const Index predict_rows = std::stol(flag(flags, "predict-rows"));
  const float learning_rate = std::stof(flag(flags, "lr"));
  const Data data = load(flag(flags, "images"), flag(flags, "labels"),
                         std::max(steps * batch_rows, predict_rows));

  auto net = make_network(seed);
  RowOrderLoop loop(net, learning_rate);
  const std::vector<double> losses = loop.run(data.X, data.Y, steps * batch_rows);
  const Matrix predictions = net.predict(data.X.topRows(predict_rows));

  auto timed = make_network(seed);
  neurona::GradientDescent<float> optimizer(learning_rate);
  auto trainer = make_trainer(timed, optimizer);
  trainer.run_epoch(data.X.topRows(steps * batch_rows), data.Y.topRows(steps * batch_rows));
  double difference = 0;
  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    const auto& a = net.layers()[l];
    const auto& b = timed.layers()[l];
    difference = std::max(difference, double((a.W - b.W).cwiseAbs().maxCoeff()));
    difference = std::max(difference, double((a.b - b.b).cwiseAbs().maxCoeff()));
  }

  std::ofstream out(flag(flags, "out"), std::ios::binary);
  out.write(reinterpret_cast<const char*>(losses.data()),
            std::streamsize(losses.size() * sizeof(double)));
  write_weights(net, out);
  out.write(reinterpret_cast<const char*>(predictions.data()),
            std::streamsize(predictions.size() * sizeof(float)));
  out.write(reinterpret_cast<const char*>(&difference), sizeof difference);
  return out ? 0 : 1;
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int serve(const std::map<std::string, std::string>& flags) {
  const Index rows = std::stol(flag(flags, "rows"));
  const int threads = std::stoi(flag(flags, "threads"));
  neurona::set_thread_count(threads);
  const Data data = load(flag(flags, "images"), flag(flags, "labels"), rows);
  auto net = make_network(std::stoull(flag(flags, "seed")));
  neurona::GradientDescent<float> optimizer(std::stof(flag(flags, "lr")));
  auto trainer = make_trainer(net, optimizer);
  const Matrix one_row = data.X.topRows(1);
  Matrix batch_X;
  float sink = 0;  // every prediction's first output, so that none is optimised away
  // Predictions come from a Predictor of the weights the last epoch left, made (untimed) after
  // each epoch, and warmed by one call of the batch size about to be timed, as a server that has
  // loaded a model and answered one request.
  std::optional<neurona::Predictor<float>> predictor;
  auto predictor_for = [&](const Matrix& X) -> neurona::Predictor<float>& {
    if (!predictor) predictor.emplace(net);
    sink += predictor->predict(X)(0, 0);
    return *predictor;
  };

  // What takes the products of 2^20 multiply-adds or more (here those of the first two layers): a
  // name and version, with no character JSON would need escaped.
  std::printf("{\"ready\": true, \"threads\": %d, \"products\": \"%s\"}\n", neurona::thread_count(),
              neurona::large_product_library().c_str());
  std::fflush(stdout);
  std::string command;
  while (std::cin >> command) {
    if (command == "quit") break;
    if (command == "train") {
      const auto start = Clock::now();
      const double loss = trainer.run_epoch(data.X, data.Y).loss;
      const double seconds = seconds_since(start);
      predictor.reset();
      // All digits: the loss must be the same bits on any number of threads.
      std::printf("{\"seconds\": %.9g, \"rows\": %ld, \"loss\": %.17g}\n", seconds, long(rows),
                  loss);
    } else if (command == "predict1") {
      long calls = 0;
      std::cin >> calls;
      auto& one_row_predictor = predictor_for(one_row);
      const auto start = Clock::now();
      for (long i = 0; i < calls; ++i)
        sink += one_row_predictor.predict(one_row)(0, 0);
      const double seconds = seconds_since(start);
      std::printf("{\"seconds\": %.9g, \"calls\": %ld, \"sink\": %.9g}\n", seconds, calls,
                  double(sink));
    } else if (command == "predict_batch") {
      long batch = 0;
      std::cin >> batch;
      batch = std::min(batch, long(rows));
      if (batch_X.rows() != batch) batch_X = data.X.topRows(batch);  // not a copy per call
      auto& batch_predictor = predictor_for(batch_X);
      const auto start = Clock::now();
      sink += batch_predictor.predict(batch_X)(0, 0);
      const double seconds = seconds_since(start);
      std::printf("{\"seconds\": %.9g, \"rows\": %ld, \"sink\": %.9g}\n", seconds, batch,
                  double(sink));
    } else {
      std::printf("{\"error\": \"unknown command %s\"}\n", command.c_str());
    }
    std::fflush(stdout);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::string command = argc > 1 ? argv[1] : "";
    const auto flags = parse_flags(argc, argv);
    if (command == "init") return init(flags);
    if (command == "check") return check(flags);
    if (command == "serve") return serve(flags);
    std::fprintf(stderr, "usage: medium_neurona init|check|serve --flag value ...\n");
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
}
