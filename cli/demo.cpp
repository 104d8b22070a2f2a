// `neurona demo majority` and `neurona demo house`: the tutorial's two programs.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <memory>
#include <type_traits>

#include "commands.hpp"
#include "options.hpp"

namespace neurona::cli {
namespace {

struct MajorityArgs {
  double learning_rate = 0.5;
  Index epochs = 10000;
  std::uint64_t seed = 1;
  Index report_every = 1000;
  std::string precision = "double";
  std::string report;
};

template <class T>
void run_majority(const MajorityArgs& args) {
  check_learning_rate(args.learning_rate);
  if constexpr (std::is_same_v<T, float>) check_holds_in_float("--lr", args.learning_rate);
  const Dataset<T> data = tutorial::majority_table<T>();
  Network<T> network = tutorial::majority_network<T>(args.seed);
  GradientDescent<T> optimizer(T(args.learning_rate));

  fmt::print(
      "The tutorial's 3-2-4-1 network: sigmoid hidden layers, linear output,\n"
      "E = 1/2 (yhat - y)^2, trained by full-batch gradient descent on the 3-bit majority table\n"
      "({} precision, learning rate {}, weights drawn from seed {}).\n\n",
      args.precision, args.learning_rate, args.seed);
  const Index every = std::max<Index>(1, args.report_every);
  const int width = int(std::to_string(args.epochs).size());
  if (!args.report.empty()) check_writable(args.report);
  History history;
  const auto start = std::chrono::steady_clock::now();
  train(network, optimizer, data.X, data.Y, {args.epochs, 0, args.seed},
        [&](const EpochStats& stats) {
          if (stats.epoch == 1 || stats.epoch % every == 0 || stats.epoch == args.epochs)
            // Ten decimals, as the tutorial prints it, but a diverging error in powers of ten
            // rather than in hundreds of digits.
            fmt::print("iteration {:>{}}/{}  error {}\n", stats.epoch, width, args.epochs,
                       stats.loss < 1e6 ? fmt::format("{:.10f}", stats.loss)
                                        : fmt::format("{:.10e}", stats.loss));
          const std::chrono::duration<double> seconds = std::chrono::steady_clock::now() - start;
          history.push_back({stats.epoch, stats.loss, stats.validation_loss, stats.learning_rate,
                             seconds.count()});
        });

  const Matrix<T> prediction = network.predict(data.X);
  fmt::print("\n x1 x2 x3 | target | prediction | right (threshold 0.5)\n");
  int right = 0;
  for (Index i = 0; i < data.X.rows(); ++i) {
    const bool predicted = prediction(i, 0) >= T(0.5);
    const bool ok = predicted == (data.Y(i, 0) >= T(0.5));
    right += ok;
    // Six decimals, as the tutorial's table; a prediction gone far off (a learning rate of 1e300)
    // in exponent form rather than 300 digits wide.
    const double p = double(prediction(i, 0));
    fmt::print("  {}  {}  {} |      {} | {:>10} | {}\n", data.X(i, 0), data.X(i, 1), data.X(i, 2),
               data.Y(i, 0),
               std::abs(p) < 1e4 ? fmt::format("{:.6f}", p) : fmt::format("{:.4g}", p),
               ok ? "yes" : "NO");
  }
  fmt::print("accuracy: {}/{} ({:.0f}%)\n", right, data.X.rows(),
             100.0 * right / double(data.X.rows()));
  if (!args.report.empty()) {
    ModelInfo info;
    info.provenance = {version, invocation(), args.seed, "the tutorial's majority table", ""};
    write_report(args.report, {network.template cast<double>(),
                               info,
                               precision_of<T>(),
                               history,
                               tutorial::majority_table<double>(),
                               {"x1", "x2", "x3"},
                               "neurona: the tutorial's 3-2-4-1 network on the majority table"});
    fmt::print("\nThe report of this network: {} (open it in a browser)\n",
               std::filesystem::absolute(args.report).string());
  }
}

// The tutorial's house-price program, printing what it prints, with correct backpropagation:
// every gradient comes from the same forward pass before any parameter moves.
void run_house() {
  using T = double;
  const Dataset<T> data = tutorial::house_table<T>();
  Network<T> network = tutorial::house_network<T>();
  GradientDescent<T> optimizer(tutorial::house_learning_rate);
  const auto& hidden = network.layers()[0];
  const auto& out = network.layers()[1];

  const T prediction = network.forward(data.X)(0, 0);
  fmt::print("Initial prediction: {}\n", prediction);
  fmt::print("Initial error: {}\n", network.loss(data.Y));
  network.backward(data.Y);
  optimizer.step(network);
  fmt::print("Updated w1: {}\n", hidden.W(0, 0));
  fmt::print("Updated b1: {}\n", hidden.b(0));
  fmt::print("Updated w_out: {}\n", out.W(0, 0));
  fmt::print("Updated b_out: {}\n", out.b(0));

  const Index epochs = tutorial::house_epochs;
  train(network, optimizer, data.X, data.Y, {epochs, 0, 1}, [&](const EpochStats& stats) {
    // As the tutorial: the error and prediction of this iteration's forward pass, every 100.
    if ((stats.epoch - 1) % 100 == 0)
      fmt::print("Iteration {}/{}, Error: {}, Prediction: {}\n", stats.epoch, epochs, stats.loss,
                 out.A()(0, 0));
  });
  fmt::print("Final prediction after training: {}\n", network.predict(data.X)(0, 0));
}

}  // namespace

void add_demo_command(CLI::App& app, int& /*status*/) {
  CLI::App* demo = app.add_subcommand("demo", "Run one of the tutorial's two programs");
  demo->require_subcommand(1);

  auto args = std::make_shared<MajorityArgs>();
  CLI::App* majority = demo->add_subcommand(
      "majority", "Train the tutorial's 3-2-4-1 network on the 3-bit majority table and show it");
  majority->add_option("--lr", args->learning_rate, "Learning rate alpha")->capture_default_str();
  majority->add_option("--epochs", args->epochs, "Full-batch epochs")
      ->transform(whole_number_in(1, std::numeric_limits<std::int64_t>::max()))
      ->capture_default_str();
  majority->add_option("--seed", args->seed, "Seed of the initial weights")
      ->transform(whole_number)
      ->capture_default_str();
  majority->add_option("--report-every", args->report_every, "Print the error every N iterations")
      ->transform(whole_number)
      ->capture_default_str();
  majority->add_option("--precision", args->precision, "float or double")
      ->check(CLI::IsMember({"float", "double"}))
      ->capture_default_str();
  majority->add_option("--report", args->report,
                       "Also write the trained network's HTML report to this file");
  majority->callback([args] {
    if (args->precision == "float")
      run_majority<float>(*args);
    else
      run_majority<double>(*args);
  });

  CLI::App* house = demo->add_subcommand(
      "house", "The tutorial's 1-1-1 house-price program, with its weights and learning rate");
  house->callback(run_house);
}

}  // namespace neurona::cli
