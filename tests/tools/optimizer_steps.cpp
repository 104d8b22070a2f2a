// Runs full-batch optimizer steps on a model, for tests/torch_optim_crosscheck.py:
//   optimizer_steps MODEL.json DATA.csv OUT.json STEPS OPTIMIZER [SETTING=VALUE ...]
// Each step is forward, loss, backward on all rows, then optimizer.step (L-BFGS re-evaluates
// through the same three calls). Settings are OptimizerSettings' fields: lr, momentum, nesterov,
// weight_decay, beta1, beta2, epsilon, alpha, eta_minus, eta_plus, step_min, step_max, history.
#include <fmt/format.h>

#include <charconv>
#include <cstdlib>
#include <exception>
#include <string>

#include "neurona/dataset.hpp"
#include "neurona/error.hpp"
#include "neurona/model_io.hpp"
#include "neurona/optimizer.hpp"

namespace {

using neurona::UsageError;

double number(const std::string& key, const std::string& text) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size())
    throw UsageError(fmt::format("{}: expected a number, got \"{}\"", key, text));
  return value;
}

neurona::OptimizerSettings settings_from(int argc, char** argv, int first) {
  neurona::OptimizerSettings s;
  s.name = argv[first];
  s.learning_rate = neurona::default_learning_rate(s.name);
  for (int i = first + 1; i < argc; ++i) {
    const std::string argument = argv[i];
    const auto equals = argument.find('=');
    if (equals == std::string::npos)
      throw UsageError(fmt::format("expected SETTING=VALUE, got \"{}\"", argument));
    const std::string key = argument.substr(0, equals), text = argument.substr(equals + 1);
    const double value = number(key, text);
    if (key == "lr")
      s.learning_rate = value;
    else if (key == "momentum")
      s.momentum = value;
    else if (key == "nesterov")
      s.nesterov = value != 0;
    else if (key == "weight_decay")
      s.weight_decay = value;
    else if (key == "beta1")
      s.beta1 = value;
    else if (key == "beta2")
      s.beta2 = value;
    else if (key == "epsilon")
      s.epsilon = value;
    else if (key == "alpha")
      s.alpha = value;
    else if (key == "eta_minus")
      s.eta_minus = value;
    else if (key == "eta_plus")
      s.eta_plus = value;
    else if (key == "step_min")
      s.step_min = value;
    else if (key == "step_max")
      s.step_max = value;
    else if (key == "history")
      s.history = int(value);
    else
      throw UsageError(fmt::format("unknown setting \"{}\"", key));
  }
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 6) {
    fmt::print(stderr,
               "usage: optimizer_steps MODEL.json DATA.csv OUT.json STEPS OPTIMIZER "
               "[SETTING=VALUE ...]\n");
    return 2;
  }
  try {
    neurona::Network<double> net = neurona::read_model(argv[1]).network;
    const neurona::Table table = neurona::read_csv(argv[2]);
    const neurona::Dataset<double> data =
        neurona::make_dataset<double>(table, net.inputs(), net.outputs(), net.loss_type());
    const long steps = std::lround(number("STEPS", argv[4]));
    auto optimizer = neurona::make_optimizer<double>(settings_from(argc, argv, 5));
    auto evaluate = [&] {
      net.forward(data.X);
      const double loss = double(net.loss(data.Y));
      net.backward(data.Y);
      return loss;
    };
    for (long step = 0; step < steps; ++step) {
      evaluate();
      optimizer->step(net, evaluate);
    }
    neurona::write_model(net, argv[3]);
  } catch (const neurona::UsageError& e) {
    fmt::print(stderr, "optimizer_steps: error: {}\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "optimizer_steps: error: {}\n", e.what());
    return 1;
  }
  return 0;
}
