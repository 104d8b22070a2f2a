// `neurona train`: build or load a network, train it on a CSV file, save it atomically.
#include <fmt/format.h>

#include <memory>
#include <optional>

#include "commands.hpp"
#include "options.hpp"

namespace neurona::cli {
namespace {

struct TrainArgs {
  std::string data;
  std::string layers;
  std::string activation = "sigmoid";
  std::string output;  // default: the one the loss takes
  std::string loss = "half_squared_error";
  double learning_rate = 0.5;
  Index epochs = 1000;
  Index batch = 0;
  std::uint64_t seed = 1;
  std::string precision = "double";
  std::string save;
  std::string init;
  std::string targets;
  Index report_every = 0;
  bool quiet = false;

  // Which flags were given, to tell a default from a choice that may contradict --init.
  CLI::Option* layers_flag = nullptr;
  CLI::Option* activation_flag = nullptr;
  CLI::Option* output_flag = nullptr;
  CLI::Option* loss_flag = nullptr;
  CLI::Option* precision_flag = nullptr;
};

// The network the flags describe, with weights drawn from --seed.
Network<double> network_from_flags(const TrainArgs& args) {
  if (args.layers.empty())
    throw UsageError("--layers is required (e.g. --layers 3,2,4,1), unless --init gives a model");
  const std::vector<Index> widths = parse_layers(args.layers);
  const std::vector<Activation> hidden =
      parse_hidden_activations(args.activation, widths.size() - 2);
  const Loss loss = parse_loss(args.loss);
  Activation output = default_output_activation(loss);
  if (!args.output.empty()) {
    try {
      output = parse_activation(args.output);
      check_output_fits_loss(output, loss);
    } catch (const UsageError& e) {
      throw UsageError(std::string("--output: ") + e.what());
    }
  }
  std::vector<LayerSpec> specs;
  for (std::size_t l = 1; l < widths.size(); ++l)
    specs.push_back({widths[l], l + 1 < widths.size() ? hidden[l - 1] : output});
  try {
    Network<double> network(widths.front(), specs, loss);
    return network;
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("--layers {}: {}", args.layers, e.what()));
  }
}

// The model of --init, after checking that no flag given contradicts it.
ModelFile network_from_init(const TrainArgs& args) {
  ModelFile model = read_model(args.init);
  const Network<double>& network = model.network;
  auto contradiction = [&](const std::string& flag, const std::string& value,
                           const std::string& in_file) {
    return UsageError(
        fmt::format("{} {} contradicts {}, whose model has {}", flag, value, args.init, in_file));
  };
  if (args.layers_flag->count()) {
    std::vector<Index> widths = parse_layers(args.layers);
    std::vector<Index> file_widths{network.inputs()};
    for (const auto& layer : network.layers())
      file_widths.push_back(layer.units());
    if (widths != file_widths) throw contradiction("--layers", args.layers, network.topology());
  }
  if (args.activation_flag->count()) {
    const auto hidden = parse_hidden_activations(args.activation, network.layers().size() - 1);
    for (std::size_t l = 0; l + 1 < network.layers().size(); ++l)
      if (hidden[l] != network.layers()[l].activation)
        throw contradiction(
            "--activation", args.activation,
            fmt::format("{} in layer {}", to_string(network.layers()[l].activation), l + 1));
  }
  if (args.output_flag->count() &&
      parse_activation(args.output) != network.layers().back().activation)
    throw contradiction("--output", args.output,
                        std::string(to_string(network.layers().back().activation)));
  if (args.loss_flag->count() && parse_loss(args.loss) != network.loss_type())
    throw contradiction("--loss", args.loss, std::string(to_string(network.loss_type())));
  if (args.precision_flag->count() && parse_precision(args.precision) != model.precision)
    throw contradiction("--precision", args.precision, std::string(to_string(model.precision)));
  return model;
}

template <class T>
void run(const TrainArgs& args, Network<T> network) {
  const Table table = read_csv(args.data);
  const Dataset<T> data = make_dataset<T>(table, network.inputs(), network.outputs(),
                                          network.loss_type(), split_list(args.targets));
  GradientDescent<T> optimizer(T(args.learning_rate));
  const Index every =
      args.report_every > 0 ? args.report_every : std::max<Index>(1, args.epochs / 10);
  const int width = int(std::to_string(args.epochs).size());
  const double loss = train(network, optimizer, data.X, data.Y,
                            {args.epochs, args.batch, args.seed}, [&](const EpochStats& stats) {
                              if (!args.quiet && (stats.epoch % every == 0 || stats.epoch == 1))
                                fmt::print(stderr, "epoch {:>{}}/{}  loss {:.6g}\n", stats.epoch,
                                           width, args.epochs, stats.loss);
                            });
  if (!args.save.empty()) write_model(network, args.save);
  if (!args.quiet)
    fmt::print(stderr, "trained {} on {} rows for {} epochs: {} {:.6g}{}\n", network.topology(),
               data.X.rows(), args.epochs, to_string(network.loss_type()), loss,
               args.save.empty() ? " (not saved: no --save)" : "; saved " + args.save);
}

void train_command(const TrainArgs& args) {
  check_learning_rate(args.learning_rate);
  if (args.epochs < 0)
    throw UsageError(fmt::format("--epochs must be 0 or more, got {}", args.epochs));
  if (args.batch < 0)
    throw UsageError(fmt::format("--batch must be 0 (full batch) or more, got {}", args.batch));
  // Each name checked here, so that its error names the flag whichever path reads it later.
  auto check_name = [](const char* flag, auto parse) {
    try {
      parse();
    } catch (const UsageError& e) {
      throw UsageError(std::string(flag) + ": " + e.what());
    }
  };
  check_name("--precision", [&] { parse_precision(args.precision); });
  check_name("--loss", [&] { parse_loss(args.loss); });
  if (!args.output.empty()) check_name("--output", [&] { parse_activation(args.output); });
  // Fail before training, not after it, when the model could not be saved.
  if (!args.save.empty()) check_writable(args.save);

  std::optional<ModelFile> model;
  if (!args.init.empty()) model = network_from_init(args);
  const Precision precision = model ? model->precision : parse_precision(args.precision);
  Network<double> network = model ? std::move(model->network) : network_from_flags(args);
  if (!model) initialize(network, args.seed);
  if (precision == Precision::single)
    run<float>(args, network.cast<float>());
  else
    run<double>(args, std::move(network));
}

}  // namespace

void add_train_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network on a CSV file by gradient descent");
  cmd->add_option("--data", args->data, "CSV file: inputs, then targets (the last columns)")
      ->required();
  args->layers_flag = cmd->add_option("--layers", args->layers,
                                      "Widths: inputs, hidden layers, outputs (e.g. 3,2,4,1)");
  args->activation_flag =
      cmd->add_option("--activation", args->activation,
                      "Hidden activation: linear, sigmoid, tanh, relu, leaky_relu; one, or one per "
                      "hidden layer (relu,tanh)")
          ->capture_default_str();
  args->output_flag =
      cmd->add_option("--output", args->output,
                      "Output activation (default: linear for half_squared_error, sigmoid for "
                      "binary_cross_entropy, softmax for cross_entropy)");
  args->loss_flag = cmd->add_option("--loss", args->loss,
                                    "half_squared_error, binary_cross_entropy or cross_entropy")
                        ->capture_default_str();
  cmd->add_option("--lr", args->learning_rate, "Learning rate alpha (> 0)")->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Passes over the data")
      ->check(whole_number)
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Rows per step; 0 is the full batch")
      ->check(whole_number)
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the initial weights and of the shuffling")
      ->check(whole_number)
      ->capture_default_str();
  args->precision_flag =
      cmd->add_option("--precision", args->precision, "float or double")->capture_default_str();
  cmd->add_option("--save", args->save, "Write the trained model here (JSON, replaced atomically)");
  cmd->add_option("--init", args->init,
                  "Start from this model's weights, topology, activations and loss");
  cmd->add_option("--targets", args->targets,
                  "Target columns by header name or 1-based number (default: the last ones)");
  cmd->add_option("--report-every", args->report_every,
                  "Print the loss every N epochs (default: a tenth of the epochs)")
      ->check(whole_number);
  cmd->add_flag("--quiet", args->quiet, "Print no progress");
  cmd->callback([args] { train_command(*args); });
}

}  // namespace neurona::cli
