// `neurona train`: build or load a network, train it on a data file, save it atomically.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <tuple>

#include "commands.hpp"
#include "data.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "same_file.hpp"
#include "stderr.hpp"
#include "value_checks.hpp"

namespace neurona::cli {
namespace {

namespace fs = std::filesystem;

struct TrainArgs {
  DataArgs data;
  std::string layers;
  std::string activation = "sigmoid";
  std::string output;  // default: the one the loss takes
  std::string loss = "half_squared_error";
  Index epochs = 1000;
  Index batch = 0;
  int threads = 0;
  std::uint64_t seed = 1;
  std::string precision = "double";
  std::string save;
  std::string init;
  Index report_every = 0;
  bool quiet = false;
  bool json = false;
  std::string scale = "none";
  std::string scale_targets = "none";
  double validation = 0;
  double test = 0;
  Index patience = 0;
  std::string class_weight = "none";
  OptimizerSettings optimizer;
  ScheduleSettings schedule;
  Index checkpoint_every = 0;
  std::string checkpoint;
  bool resume = false;
  std::string history;
  std::string plot;
  std::string report;

  // Which flags were given, to tell a default from a choice that may contradict --init.
  CLI::Option* layers_flag = nullptr;
  CLI::Option* activation_flag = nullptr;
  CLI::Option* output_flag = nullptr;
  CLI::Option* loss_flag = nullptr;
  CLI::Option* precision_flag = nullptr;
  CLI::Option* lr_flag = nullptr;
  double lr = 0;  // --lr, when given: the optimizer's learning rate
  CLI::Option* lr_step_flag = nullptr;
  CLI::Option* scale_flag = nullptr;
  CLI::Option* scale_targets_flag = nullptr;
  // Each schedule's own flags, with the schedules that use them ("cosine, plateau").
  std::vector<std::pair<CLI::Option*, std::string>> schedule_flags;
  // Each flag's default value, for --resume: "--beta1 0.9" given is "--beta1" not given.
  std::map<std::string, std::string> defaults;

  std::string checkpoint_path() const {
    return !checkpoint.empty() ? checkpoint : save.empty() ? "" : save + ".checkpoint";
  }
};

// --scale-targets' value; the names are --scale's.
Scaling parse_target_scaling(const std::string& name) {
  try {
    return parse_scaling(name);
  } catch (const UsageError&) {
    throw UsageError(
        fmt::format("--scale-targets: expected standard, minmax or none, got \"{}\"", name));
  }
}

// Classes are scored one per row, as evaluate reads them: by a softmax over the classes, or one
// sigmoid for two. A regression loss, or several independent sigmoids, would train a model that
// predict labels and evaluate refuses.
void check_loss_fits_classes(Loss loss, Index outputs, const std::string& what) {
  if (loss == Loss::half_squared_error || (loss == Loss::binary_cross_entropy && outputs > 1))
    throw UsageError(fmt::format(
        "{}: the targets are classes, whose loss is cross_entropy (or binary_cross_entropy for "
        "one output)",
        what));
}

// The network the flags describe, checked but not yet built. With classes, the loss the flags
// leave open is cross-entropy (or binary cross-entropy for one output).
struct NetworkPlan {
  Index inputs;
  std::vector<LayerSpec> layers;
  Loss loss;
};

NetworkPlan plan_from_flags(const TrainArgs& args, const ClassEncoding& classes) {
  if (args.layers.empty())
    throw UsageError("--layers is required (e.g. --layers 3,2,4,1), unless --init gives a model");
  const std::vector<Index> widths = parse_layers(args.layers);
  // Without a hidden layer it would apply to nothing, and read as the output's activation.
  if (widths.size() == 2 && args.activation_flag->count())
    throw UsageError(fmt::format(
        "--activation: --layers {} has no hidden layer; the output's activation is --output",
        args.layers));
  const std::vector<Activation> hidden =
      parse_hidden_activations(args.activation, widths.size() - 2);
  const Index outputs = widths.back();
  Loss loss = parse_loss(args.loss);
  if (classes.size() > 0) {
    check_outputs_fit_classes(args.data, classes, outputs, "--layers " + args.layers);
    if (!args.loss_flag->count())
      loss = outputs == 1 ? Loss::binary_cross_entropy : Loss::cross_entropy;
    check_loss_fits_classes(loss, outputs, "--loss " + args.loss);
  }
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
    Network<double>::check_topology(widths.front(), specs, loss);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("--layers {}: {}", args.layers, e.what()));
  }
  return {widths.front(), specs, loss};
}

// The most rows one pass takes at once, and why: a step's (a mini-batch, or all the training rows)
// or the validation or test rows' (scored at once, as are all rows for --report).
std::pair<Index, std::string> rows_at_once(const TrainArgs& args, const Split& split) {
  const Index train = Index(split.train.size());
  const Index step = args.batch > 0 ? std::min(args.batch, train) : train;
  const Index held_out = Index(std::max(split.validation.size(), split.test.size()));
  const Index all = train + Index(split.validation.size() + split.test.size());
  return !args.report.empty() && all > std::max(step, held_out)
             ? std::pair{all, fmt::format("--report {} scores all rows at once", args.report)}
         : held_out > step
             ? std::pair{held_out, std::string("the validation or test rows are scored at once")}
         : args.batch > 0 && args.batch < train
             ? std::pair{step, fmt::format("--batch {}", args.batch)}
             : std::pair{step, std::string("the full batch; --batch N takes fewer")};
}

// Checked before the weights are drawn, which for a layer of 10^8 units takes a minute.
template <class T>
void check_rows_fit(const TrainArgs& args, const NetworkPlan& plan, const Split& split) {
  const auto [at_once, why] = rows_at_once(args, split);
  try {
    Network<T>::check_topology(plan.inputs, plan.layers, plan.loss, at_once);
  } catch (const UsageError& e) {
    throw UsageError(fmt::format("--layers {} ({}): {}", args.layers, why, e.what()));
  }
}

// The optimizer's state in values per parameter: held while training, and written to checkpoints
// (L-BFGS writes its corrections, its direction and its last gradient, not its work vectors).
std::pair<double, double> optimizer_state(const OptimizerSettings& optimizer) {
  const std::string& name = optimizer.name;
  if (name == "adam" || name == "adamw" || name == "rprop") return {2, 2};
  if (name == "rmsprop") return optimizer.momentum > 0 ? std::pair{2, 2} : std::pair{1, 1};
  if (name == "lbfgs") return {8 + 2.0 * optimizer.history, 2 + 2.0 * optimizer.history};
  return optimizer.momentum > 0 ? std::pair{1, 1} : std::pair{0, 0};
}

// What a whole run holds at its peak, measured on a network of 3.3 million parameters: the data
// read; the network's weights, gradients and the rows of one pass; the optimizer's state; the
// Trainer's copy of the network (rows too) at its best validation loss, kept whenever there are
// validation rows; the data's parts in the network's precision; and the largest of what is written
// or read on the way: a model file's text (reserved whole: 26 bytes a parameter in double, 17 in
// float, and 12 a row of W), a report's copy of the network in double with every row's values, or a
// checkpoint: a copy of each network and of the optimizer's state, and their text twice (about 24
// bytes a number: alone, then spliced into the file's); read back by --resume, its text and parsed
// JSON (about 40 bytes a number). A float network is drawn in double first: both are held for a
// moment. Refused before the weights are drawn, rather than killed by the system halfway through
// training or on the last epoch's save.
template <class T>
void check_run_fits(const TrainArgs& args, const NetworkPlan& plan, const Split& split) {
  // The rows of a step or of the held-out rows: --report scores all rows, but on its own copy.
  const Index trained = Index(split.train.size());
  const Index at_once = std::max(args.batch > 0 ? std::min(args.batch, trained) : trained,
                                 Index(std::max(split.validation.size(), split.test.size())));
  double parameters = 0;
  double per_row = double(plan.inputs);
  double weight_rows = 0;  // a line of the model file each
  Index n_in = plan.inputs;
  for (const LayerSpec& layer : plan.layers) {
    parameters += (double(n_in) + 1.0) * double(layer.units);
    per_row += 3.0 * double(layer.units);
    weight_rows += double(n_in);
    n_in = layer.units;
  }
  const double value = sizeof(T);
  const double all_rows = double(split.train.size() + split.validation.size() + split.test.size());
  const double weights = 2 * parameters * value;
  const double rows = double(at_once) * per_row * value;
  const auto [state_values, written_values] = optimizer_state(args.optimizer);
  const double state = state_values * parameters * value;
  const bool validating = !split.validation.empty();
  const double best = validating ? weights + rows : 0;
  const double parts = all_rows * double(plan.inputs + plan.layers.back().units) * value;
  // One record an epoch, kept with or without --history, in a vector that doubles as it grows:
  // the old and the new buffer together at its last growth.
  const double history = 3.0 * sizeof(EpochRecord) * double(args.epochs);

  std::vector<std::pair<double, std::string>> extra;  // what is written or read, one at a time
  if (!args.save.empty())
    extra.push_back(
        {(value == 8 ? 26 : 17) * parameters + 12 * weight_rows, "the model file's text"});
  if (!args.report.empty())
    extra.push_back({2 * parameters * 8 + all_rows * per_row * 8, "the report's network"});
  const double networks = 1 + (validating ? 1 : 0) + written_values;  // a checkpoint's, in numbers
  if (args.checkpoint_every > 0)
    extra.push_back(
        {weights + rows + best + written_values * parameters * 8 + 2 * 24 * networks * parameters,
         "a checkpoint's copies and text"});
  if (args.resume) extra.push_back({40 * (networks + 1) * parameters, "reading the checkpoint"});
  const auto largest = std::max_element(extra.begin(), extra.end());
  const double passing = largest != extra.end() ? largest->first : 0;

  // An --init model is held already, in double: moved into training, or cast to float and freed.
  const MemoryLimit available = memory_limit();
  const double now = available.in_use();
  const double held = args.init.empty() ? 0 : 2 * parameters * 8;
  const double training =
      std::max(0.0, now - held) + weights + rows + state + best + parts + history + passing;
  const double drawing = now + 2 * parameters * 8 - held + (value == 8 ? 0 : weights);
  const double total = std::max(training, drawing);
  if (total <= available.bytes) return;
  std::string shown = "this process now (the program, the data read) " + gib(now);
  if (drawing > training) {
    shown += fmt::format(", the weights and gradients drawn in double {}, then in float {}",
                         gib(2 * parameters * 8), gib(weights));
  } else {
    shown += fmt::format(", the weights and gradients {}, the values of {} row{} in every layer {}",
                         gib(weights), at_once, at_once == 1 ? "" : "s", gib(rows));
    if (state > 0) shown += fmt::format(", {}'s state {}", args.optimizer.name, gib(state));
    if (best > 0) shown += ", the network kept at the best validation loss " + gib(best);
    shown += ", the rows for training, validation and test " + gib(parts);
    if (history >= 1 << 20)
      shown += fmt::format(", the history of {} epochs {}", args.epochs, gib(history));
    if (largest != extra.end())
      shown += fmt::format(", {} {}", largest->second, gib(largest->first));
  }
  throw UsageError(
      fmt::format("{}: this run needs about {} GiB (in GiB: {}), more than {}",
                  args.init.empty() ? "--layers " + args.layers : "--init " + args.init, gib(total),
                  shown, available.description()));
}

// Training that runs out of memory after check_run_fits let it start: named with where it
// stopped, the limit it met and what is kept, rather than a bare "out of memory" after minutes of
// epochs. The estimate counts the values held; an address-space limit also holds the program,
// its libraries and their threads' reserves.
std::string out_of_memory_text(const TrainArgs& args, const std::string& when, Index checkpointed) {
  const MemoryLimit limit = memory_limit();
  std::string text =
      limit.address_space
          ? fmt::format(
                "out of memory {}: {} holds the program and its libraries as well as the run's "
                "values; ",
                when, limit.description())
          : fmt::format("out of memory {}, although the run was estimated to fit {}; ", when,
                        limit.description());
  if (checkpointed > 0)
    return text + fmt::format("{} holds epoch {}: --resume goes on from it", args.checkpoint_path(),
                              checkpointed);
  if (args.checkpoint_every > 0) return text + "nothing was written (no checkpoint yet)";
  return text + "nothing was written (--checkpoint-every N keeps the epochs done)";
}

// The planned network, its weights drawn from --seed.
Network<double> build_network(const TrainArgs& args, const NetworkPlan& plan) {
  try {
    Network<double> network(plan.inputs, plan.layers, plan.loss);
    initialize(network, args.seed);
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
    // As for --layers without a hidden layer: the flag would apply to nothing.
    if (network.layers().size() == 1)
      throw contradiction("--activation", args.activation,
                          fmt::format("no hidden layer ({}); the output's activation is --output",
                                      network.topology()));
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
  // A scaling fitted now would feed weights learnt on raw inputs with scaled ones.
  if (args.scale_flag->count() && parse_scaling(args.scale) != model.info.scaler.kind)
    throw contradiction("--scale", args.scale,
                        model.info.scaler.kind == Scaling::none
                            ? "no scaling: its weights were learnt on the raw inputs"
                            : std::string(to_string(model.info.scaler.kind)));
  // Likewise outputs learnt in the targets' units, or in a scaling of them.
  const Scaling target_scaling = model.info.target_scaler.kind;
  if (args.scale_targets_flag->count() &&
      parse_target_scaling(args.scale_targets) != target_scaling)
    throw contradiction("--scale-targets", args.scale_targets,
                        target_scaling == Scaling::none
                            ? "no target scaling: its outputs were learnt in the targets' units"
                            : std::string(to_string(target_scaling)));
  return model;
}

// The rows of one part of a split, scaled and in precision T.
template <class T>
struct Part {
  Matrix<T> X, Y;
};

// X: the inputs of those rows, as take_rows gives them; scaled where they are. The targets are
// scaled as the model's info says.
template <class T>
Part<T> part(const LoadedData& loaded, const std::vector<Index>& rows, Matrix<double> X,
             const ModelInfo& info, const std::string& file) {
  return {
      network_inputs<T>(info.scaler, std::move(X), file, loaded, &rows),
      network_targets<T>(info.target_scaler, take_rows(loaded.data.Y, rows), file, loaded, &rows)};
}

// The test set's metrics, as `neurona evaluate` prints them: the outputs in the targets' own units
// against the targets as read (Y). Made before any file is written, so that a failure here leaves
// none behind.
template <class T>
std::string test_metrics_text(const Network<T>& network, const Part<T>& test,
                              const Matrix<double>& Y, const ModelInfo& info, bool json,
                              const std::string& file) {
  const Matrix<double> Y_hat =
      info.target_scaler.invert(network.predict(test.X)).template cast<double>();
  if (network.loss_type() == Loss::half_squared_error) {
    const RegressionMetrics metrics = regression_metrics(Y_hat, Y);
    check_finite(metrics, file);
    return json ? metrics_json(metrics) : "test set:\n" + format_regression(metrics);
  }
  const ClassificationMetrics metrics = classification_metrics(Y_hat, Y);
  return json ? metrics_json(metrics, info.classes)
              : "test set:\n" + format_classification(metrics, info.classes);
}

// The training, validation and test rows of --validation and --test, stratified by class when the
// loss is one of classes.
Split split_of(const TrainArgs& args, const LoadedData& loaded, Loss loss) {
  const Dataset<double>& data = loaded.data;
  const bool classes = loss != Loss::half_squared_error;
  const std::vector<Index> row_classes = classes ? class_of_rows(data.Y) : std::vector<Index>{};
  Split split = split_rows(data.X.rows(), args.validation, args.test, args.seed,
                           classes ? &row_classes : nullptr);
  // A fraction that holds out no row would quietly train without the part it asked for. Either
  // it rounds to none in every group split alike (each class, or all the rows), or the rows it
  // rounds to were given up so that each group keeps one to train on (split_rows).
  std::map<Index, Index> group_rows;
  for (Index i = 0; i < data.X.rows(); ++i)
    ++group_rows[classes ? row_classes[std::size_t(i)] : 0];
  const std::string groups = classes ? "each class" : "the split";
  for (const auto& [flag, fraction, rows, other_flag, other] :
       {std::tuple{"--validation", args.validation, split.validation.size(), "--test", args.test},
        std::tuple{"--test", args.test, split.test.size(), "--validation", args.validation}}) {
    if (fraction == 0 || rows > 0) continue;
    const bool rounds_to_none = std::all_of(group_rows.begin(), group_rows.end(), [&](auto group) {
      return std::llround(fraction * double(group.second)) == 0;
    });
    const std::string all_rows =
        data.X.rows() == 1 ? "its one row" : fmt::format("the {} rows", data.X.rows());
    if (rounds_to_none)
      throw UsageError(fmt::format("{} {} holds out none of {}{}; give a larger fraction", flag,
                                   fraction, all_rows,
                                   classes ? " (each class rounds its share to 0)" : ""));
    throw UsageError(
        fmt::format("{} {} holds out none of {}: {} keeps a row to train on{}; give more rows{}",
                    flag, fraction, all_rows, groups,
                    other > 0 ? fmt::format(" and {} {} takes the rest", other_flag, other) : "",
                    other > 0 ? fmt::format(" or a smaller {}", other_flag) : ""));
  }
  return split;
}

template <class T>
void run(const TrainArgs& args, Network<T> network, const LoadedData& loaded, const Split& split,
         ModelInfo info) {
  const Dataset<double>& data = loaded.data;
  const bool classes = network.loss_type() != Loss::half_squared_error;

  // Scaling is fitted on the training rows alone, unless the --init model brings its own; on the
  // same copy of them that is then scaled (a second copy of 50000 images took 0.7 s here).
  Matrix<double> train_X = take_rows(data.X, split.train);
  if (info.scaler.kind == Scaling::none) {
    try {
      if (const Scaling kind = parse_scaling(args.scale); kind != Scaling::none)
        info.scaler = fit_scaler(kind, train_X);
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: --scale {}: {}", args.data.file, args.scale, e.what()));
    }
  }
  // The targets likewise, on the training rows, for a regression (classes' targets are
  // probabilities, which the loss takes as they are: refused before the data was read).
  if (info.target_scaler.kind == Scaling::none) {
    try {
      if (const Scaling kind = parse_target_scaling(args.scale_targets); kind != Scaling::none)
        info.target_scaler = fit_scaler(kind, take_rows(data.Y, split.train));
    } catch (const InputError& e) {
      throw InputError(
          fmt::format("{}: --scale-targets {}: {}", args.data.file, args.scale_targets, e.what()));
    }
  }
  const std::string& file = args.data.file;
  const Part<T> train_part = part<T>(loaded, split.train, std::move(train_X), info, file);
  const Part<T> validation =
      part<T>(loaded, split.validation, take_rows(data.X, split.validation), info, file);
  const Part<T> test = part<T>(loaded, split.test, take_rows(data.X, split.test), info, file);

  Matrix<T> row_weights;
  if (args.class_weight == "balanced") {
    if (!classes) throw UsageError("--class-weight balanced needs classes (a cross-entropy loss)");
    row_weights = balanced_row_weights(class_of_rows(train_part.Y.template cast<double>()))
                      .template cast<T>();
  } else if (args.class_weight != "none") {
    throw UsageError(
        fmt::format("--class-weight must be none or balanced, got \"{}\"", args.class_weight));
  }

  OptimizerSettings settings = args.optimizer;
  settings.learning_rate = args.lr_flag->count() ? args.lr : default_learning_rate(settings.name);
  check_learning_rate(*settings.learning_rate);
  std::unique_ptr<Optimizer<T>> optimizer = make_optimizer<T>(settings);
  std::optional<LearningRateSchedule> schedule;
  if (args.schedule.kind != "constant") {
    ScheduleSettings schedule_settings = args.schedule;
    schedule_settings.total_epochs = args.epochs;
    schedule.emplace(schedule_settings, *settings.learning_rate);
  }

  Trainer<T> trainer(network, *optimizer, {args.epochs, args.batch, args.seed, args.patience});
  if (!split.validation.empty()) trainer.set_validation(validation.X, validation.Y);
  if (row_weights.size()) trainer.set_row_weights(row_weights);
  if (schedule) trainer.set_schedule(*schedule);
  if (args.patience > 0 && split.validation.empty())
    throw UsageError("--patience needs validation rows (--validation 0.2, say)");

  History history;
  const std::string checkpoint_path = args.checkpoint_path();
  if (args.resume) {
    Checkpoint<T> checkpoint = read_checkpoint<T>(checkpoint_path);
    // The whole architecture, not the widths alone: a checkpoint of another activation or loss
    // would go on as a model the flags do not describe. (read_checkpoint has checked best_model
    // against model.)
    if (checkpoint.network.architecture() != network.architecture())
      throw InputError(fmt::format("{}: model: the checkpoint's network is {}, the flags make {}",
                                   checkpoint_path, checkpoint.network.architecture(),
                                   network.architecture()));
    network = checkpoint.network;
    try {
      trainer.load_state(checkpoint.trainer);
      optimizer->load_state(checkpoint.optimizer);
      if (schedule && checkpoint.schedule) {
        schedule->load_state(*checkpoint.schedule);
        optimizer->set_learning_rate(schedule->rate());
      }
    } catch (const InputError& e) {
      throw InputError(
          fmt::format("{}: {}; resume with the flags that wrote it", checkpoint_path, e.what()));
    }
    history = checkpoint.history;
    // A history without validation losses would go on as one with them, or the other way round.
    if (!history.empty() && std::isnan(history[0].validation_loss) != split.validation.empty())
      throw InputError(
          fmt::format("{}: history: the checkpoint's run had {}validation losses, "
                      "the flags hold out {} validation rows",
                      checkpoint_path, std::isnan(history[0].validation_loss) ? "no " : "",
                      split.validation.size()));
    if (checkpoint.trainer.epochs_done > args.epochs)
      throw UsageError(fmt::format("--epochs {}: {} has already run {} epochs", args.epochs,
                                   checkpoint_path, checkpoint.trainer.epochs_done));
    // Any other flag or other data would go on from the checkpoint into a run that no uninterrupted
    // one would give. (The checks above name the likeliest mismatches; a checkpoint without a
    // provenance record gets those alone.)
    const Provenance& then = checkpoint.info.provenance;
    // Defaults that follow other flags, given or left out alike as the fixed ones: --lr's is the
    // optimizer's, --output's the loss's, and --loss's with classes the one classes take. (Those
    // other flags must match themselves.)
    std::map<std::string, std::string> defaults = args.defaults;
    defaults["--lr"] = exact(default_learning_rate(settings.name));
    defaults["--output"] = to_string(default_output_activation(network.loss_type()));
    if (loaded.classes.size() > 0) defaults["--loss"] = to_string(network.loss_type());
    const std::vector<std::string> before = result_settings(then.command_line, defaults),
                                   now = result_settings(info.provenance.command_line, defaults);
    if (!then.command_line.empty() && before != now) {
      // Named one by one: "--beta1 0.9" given now and not then reads as a difference too.
      std::vector<std::string> added, dropped;
      std::set_difference(now.begin(), now.end(), before.begin(), before.end(),
                          std::back_inserter(added));
      std::set_difference(before.begin(), before.end(), now.begin(), now.end(),
                          std::back_inserter(dropped));
      auto list = [](const std::vector<std::string>& settings) {
        std::string text;
        for (const std::string& setting : settings)
          text += (text.empty() ? "" : ", ") + setting;
        return text.empty() ? "nothing" : text;
      };
      throw InputError(fmt::format(
          "{} was written by `{}`; --resume needs the same flags (only --epochs, unless the "
          "schedule is cosine, --data's path and the flags for output may differ): given now "
          "{}, then {}",
          checkpoint_path, then.command_line, list(added), list(dropped)));
    }
    if (!then.data_crc32.empty() && then.data_crc32 != info.provenance.data_crc32)
      throw InputError(fmt::format(
          "{} was written while training on {} (CRC-32 {}); {} is another file (CRC-32 {})",
          checkpoint_path, then.data_file, then.data_crc32, args.data.file,
          info.provenance.data_crc32));
  }
  // Only now, with every flag and the checkpoint accepted, so that an error is all that shows.
  if (!args.quiet && !args.json) print_to_stderr("{}\n", loaded.summary);

  const Index every =
      args.report_every > 0 ? args.report_every : std::max<Index>(1, args.epochs / 10);
  Progress progress(progress_style(args.json, args.quiet), args.epochs, every);
  const double seconds_before = history.empty() ? 0 : history.back().seconds;
  const auto start = std::chrono::steady_clock::now();
  Index checkpointed = args.resume ? trainer.state().epochs_done : 0;  // the epoch on disk
  bool writing_checkpoint = false;
  try {
    while (!trainer.done()) {
      const EpochStats stats = trainer.run_epoch(train_part.X, train_part.Y);
      const double seconds =
          seconds_before +
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      history.push_back(
          {stats.epoch, stats.loss, stats.validation_loss, stats.learning_rate, seconds});
      progress.report(history.back());
      if (args.checkpoint_every > 0 && stats.epoch % args.checkpoint_every == 0) {
        writing_checkpoint = true;
        write_checkpoint<T>({network, info, trainer.state(), optimizer->state(),
                             schedule ? std::optional(schedule->state()) : std::nullopt, history},
                            checkpoint_path);
        writing_checkpoint = false;
        checkpointed = stats.epoch;
      }
    }
  } catch (const std::bad_alloc&) {
    const Index epoch = trainer.state().epochs_done;
    throw Error(out_of_memory_text(args,
                                   writing_checkpoint
                                       ? fmt::format("writing the checkpoint of epoch {}", epoch)
                                       : fmt::format("in epoch {} of {}", epoch + 1, args.epochs),
                                   checkpointed));
  }
  progress.finish();
  const bool stopped_early = trainer.state().epochs_done < args.epochs;
  if (args.patience > 0) trainer.restore_best();

  std::string test_metrics;
  // The results replace their files together: one that fails (a full disk) leaves all as they were.
  AtomicFileGroup results;
  try {
    if (!split.test.empty())
      test_metrics = test_metrics_text(network, test, take_rows(data.Y, split.test), info,
                                       args.json, args.data.file);
    if (!args.save.empty()) write_model(network, args.save, info);
    if (!args.history.empty()) write_history_csv(history, args.history);
    if (!args.plot.empty())
      write_file_atomically(
          args.plot, loss_plot_svg(history, fmt::format("neurona: {} on {}", network.topology(),
                                                        args.data.file)));
    if (!args.report.empty())
      write_report(
          args.report,
          {network.template cast<double>(), info, precision_of<T>(), history, loaded.data, {}, {}});
    results.commit();
  } catch (const std::bad_alloc&) {
    throw Error(out_of_memory_text(
        args,
        fmt::format("after {} epochs, testing or writing the results", trainer.state().epochs_done),
        checkpointed));
  }
  if (!args.quiet && !args.json) {
    // The losses shown are those of the weights kept: with --patience, the best epoch's.
    const Index ran = history.empty() ? 0 : history.back().epoch;
    const Index kept = args.patience > 0 ? trainer.state().best_epoch : ran;
    const auto record = std::find_if(history.begin(), history.end(),
                                     [&](const EpochRecord& r) { return r.epoch == kept; });
    std::string losses = "the initial weights kept";
    if (record != history.end())
      losses = fmt::format("{} {:.6g}{}", to_string(network.loss_type()), record->loss,
                           std::isnan(record->validation_loss)
                               ? ""
                               : fmt::format(", validation {:.6g}", record->validation_loss));
    print_to_stderr("trained {} on {} row{} for {} epoch{}{}{}: {}{}\n", network.topology(),
                    train_part.X.rows(), train_part.X.rows() == 1 ? "" : "s", ran,
                    ran == 1 ? "" : "s", stopped_early ? " (stopped early)" : "",
                    kept != ran && record != history.end()
                        ? fmt::format(", kept epoch {} (best validation loss)", kept)
                        : "",
                    losses, args.save.empty() ? " (not saved: no --save)" : "; saved " + args.save);
  }
  fmt::print("{}", test_metrics);
}

// Two results written to one file would leave only the last, and a result written over an input
// would destroy it: `--save data.csv` would replace the data with the model.
void check_distinct_files(const TrainArgs& args) {
  const std::string checkpoint =
      args.checkpoint_every > 0 || args.resume ? args.checkpoint_path() : "";
  const std::pair<const char*, const std::string&> outputs[] = {{"--save", args.save},
                                                                {"--history", args.history},
                                                                {"--plot", args.plot},
                                                                {"--report", args.report},
                                                                {"--checkpoint", checkpoint}};
  const std::pair<const char*, const std::string&> inputs[] = {
      {"--data", args.data.file}, {"--labels", args.data.labels}, {"--init", args.init}};
  for (std::size_t i = 0; i < std::size(outputs); ++i) {
    for (std::size_t j = i + 1; j < std::size(outputs); ++j)
      if (same_file(outputs[i].second, outputs[j].second))
        throw UsageError(fmt::format("{} {} and {} {} are the same file", outputs[i].first,
                                     outputs[i].second, outputs[j].first, outputs[j].second));
    for (const auto& [flag, path] : inputs)
      // `--init m.json --save m.json` trains a model further in place: it is read before.
      if (same_file(outputs[i].second, path) &&
          !(&path == &args.init && &outputs[i].second == &args.save))
        throw UsageError(fmt::format("{} {} would replace {} {}", outputs[i].first,
                                     outputs[i].second, flag, path));
  }
}

void train_command(TrainArgs& args) {
  set_thread_count(args.threads);
  if (args.lr_flag->count()) check_learning_rate(args.lr);
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
  parse_scaling(args.scale);  // its message names --scale already
  parse_target_scaling(args.scale_targets);
  if (!args.output.empty()) check_name("--output", [&] { parse_activation(args.output); });
  // A schedule's flag given for another schedule would be ignored without a word, as an
  // optimizer's would not: refused the same way. (An unknown schedule is refused when made.)
  const std::string& kind = args.schedule.kind;
  if (kind == "constant" || kind == "step" || kind == "cosine" || kind == "plateau")
    for (const auto& [flag, kinds] : args.schedule_flags)
      if (flag->count() && (", " + kinds + ", ").find(", " + kind + ", ") == std::string::npos)
        throw UsageError(fmt::format("{} does not apply to --lr-schedule {}; it is used by {}",
                                     flag->get_name(), kind, kinds));
  // A step schedule has no default step: missing, it is named so, not as a step of 0.
  if (kind == "step" && !args.lr_step_flag->count())
    throw UsageError("--lr-schedule step needs --lr-step N, the epochs between decays");
  if (args.resume && args.checkpoint_path().empty())
    throw UsageError(
        "--resume needs --checkpoint FILE (or --save, whose FILE.checkpoint it reads)");
  if (args.checkpoint_every > 0 && args.checkpoint_path().empty())
    throw UsageError("--checkpoint-every needs --checkpoint FILE or --save");
  if (!args.checkpoint.empty() && args.checkpoint_every == 0 && !args.resume)
    throw UsageError(fmt::format(
        "--checkpoint {}: nothing writes or reads it without --checkpoint-every N or --resume",
        args.checkpoint));
  // Fail before training, not after it, when a result could not be written.
  for (const std::string& path : {args.save, args.history, args.plot, args.report})
    if (!path.empty()) check_writable(path);
  if (args.checkpoint_every > 0) check_writable(args.checkpoint_path());
  check_distinct_files(args);

  std::optional<ModelFile> model;
  if (!args.init.empty()) model = network_from_init(args);
  const Precision precision = model ? model->precision : parse_precision(args.precision);
  ModelInfo info = model ? model->info : ModelInfo{};
  // A model to start from reads the data as predict would: its columns, its classes.
  const DataArgs data = model ? data_args_for(*model, args.data) : args.data;
  ClassEncoding classes;
  if (!info.classes.empty())
    classes.labels = info.classes;
  else
    classes = classes_in(data);
  if (classes.size() == 1)
    throw InputError(fmt::format("{}: every row is of class {}; a classifier needs two or more",
                                 args.data.file, quote_field(classes.labels[0])));
  if (model && classes.size() > 0)
    check_loss_fits_classes(
        model->network.loss_type(), model->network.outputs(),
        fmt::format("--init {} (loss {})", args.init, to_string(model->network.loss_type())));
  std::optional<NetworkPlan> plan;
  if (!model) plan = plan_from_flags(args, classes);
  const Index inputs = model ? model->network.inputs() : plan->inputs;
  const Index outputs = model ? model->network.outputs() : plan->layers.back().units;
  const Loss loss = model ? model->network.loss_type() : plan->loss;
  if (parse_target_scaling(args.scale_targets) != Scaling::none && loss != Loss::half_squared_error)
    throw UsageError(fmt::format(
        "--scale-targets {}: the targets of a {} network are {}, which it takes as they are; "
        "scaling is for the numbers a regression (half_squared_error) predicts",
        args.scale_targets, to_string(loss), classes.size() > 0 ? "classes" : "probabilities"));
  const LoadedData loaded = model
                                ? load_data_for(*model, data, Targets::required)
                                : load_data(data, inputs, outputs, loss,
                                            classes.size() ? &classes : nullptr, Targets::required);
  check_probability_targets(loaded, loss, args.data.file);
  const Split split = split_of(args, loaded, loss);
  if (plan) {
    if (precision == Precision::single)
      check_rows_fit<float>(args, *plan, split);
    else
      check_rows_fit<double>(args, *plan, split);
  }
  const NetworkPlan whole = plan
                                ? *plan
                                : NetworkPlan{model->network.inputs(), model->network.layer_specs(),
                                              model->network.loss_type()};
  if (precision == Precision::single)
    check_run_fits<float>(args, whole, split);
  else
    check_run_fits<double>(args, whole, split);
  Network<double> network = model ? std::move(model->network) : build_network(args, *plan);
  info.classes = loaded.classes.labels;
  info.columns = layout_of(loaded);
  info.provenance = {version, invocation(), args.seed, args.data.file, file_crc32(args.data.file)};
  if (precision == Precision::single) {
    Network<float> single = network.cast<float>();
    { const Network<double> freed = std::move(network); }  // not held through training
    run<float>(args, std::move(single), loaded, split, info);
  } else {
    run<double>(args, std::move(network), loaded, split, info);
  }
}

}  // namespace

void add_train_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<TrainArgs>();
  CLI::App* cmd = app.add_subcommand("train", "Train a network on a data file");
  args->data.add_flags(*cmd,
                       "Data: CSV (inputs, then targets), IDX images (with --labels) or "
                       "FANN data (.data, .train, .test, or a first line of 3 whole numbers)");
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
                                    "half_squared_error, binary_cross_entropy or cross_entropy "
                                    "(with --classes: cross_entropy, or binary for one output)")
                        ->capture_default_str();
  args->precision_flag =
      cmd->add_option("--precision", args->precision, "float or double")->capture_default_str();
  cmd->add_option("--epochs", args->epochs, "Passes over the data")
      ->transform(whole_number)
      ->capture_default_str();
  cmd->add_option("--batch", args->batch, "Rows per step; 0 is the full batch")
      ->transform(whole_number)
      ->capture_default_str();
  cmd->add_option("--threads", args->threads,
                  "Threads for large layers' products; 0 is one per core. Any count gives the "
                  "same bits")
      ->transform(whole_number_in(0, std::numeric_limits<int>::max()))
      ->capture_default_str();
  cmd->add_option("--seed", args->seed, "Seed of the initial weights, the splits and the shuffling")
      ->transform(whole_number)
      ->capture_default_str();

  OptimizerSettings& o = args->optimizer;
  cmd->add_option("--optimizer", o.name, "sgd, adam, adamw, rmsprop, rprop (iRPROP-) or lbfgs")
      ->capture_default_str();
  args->lr_flag = cmd->add_option(
      "--lr", args->lr,
      "Learning rate alpha > 0 (default: 0.5 for sgd, 1e-3 adam/adamw, 1e-2 rmsprop, 0.1 rprop's "
      "first step, 1 lbfgs)");
  cmd->add_option("--momentum", o.momentum, "sgd, rmsprop: momentum in [0, 1)")
      ->capture_default_str();
  cmd->add_flag("--nesterov", o.nesterov, "sgd: Nesterov momentum");
  cmd->add_option("--weight-decay", o.weight_decay, "L2 penalty; decoupled for adamw")
      ->capture_default_str();
  cmd->add_option("--beta1", o.beta1, "adam, adamw")->capture_default_str();
  cmd->add_option("--beta2", o.beta2, "adam, adamw")->capture_default_str();
  cmd->add_option("--epsilon", o.epsilon, "adam, adamw, rmsprop")->capture_default_str();
  cmd->add_option("--rmsprop-alpha", o.alpha, "rmsprop: smoothing")->capture_default_str();
  cmd->add_option("--eta-minus", o.eta_minus, "rprop: step factor on a sign change")
      ->capture_default_str();
  cmd->add_option("--eta-plus", o.eta_plus, "rprop: step factor otherwise")->capture_default_str();
  cmd->add_option("--step-min", o.step_min, "rprop: smallest step")->capture_default_str();
  cmd->add_option("--step-max", o.step_max, "rprop: largest step")->capture_default_str();
  cmd->add_option("--lbfgs-history", o.history, "lbfgs: corrections kept")
      ->transform(whole_number_in(1, std::numeric_limits<int>::max()))
      ->capture_default_str();

  ScheduleSettings& s = args->schedule;
  cmd->add_option("--lr-schedule", s.kind,
                  "constant, step, cosine or plateau (on the validation loss, else the training "
                  "loss)")
      ->capture_default_str();
  args->lr_step_flag = cmd->add_option("--lr-step", s.step_size, "step: epochs between decays")
                           ->transform(whole_number);
  args->schedule_flags = {
      {args->lr_step_flag, "step"},
      {cmd->add_option("--lr-gamma", s.gamma, "step: decay factor")->capture_default_str(), "step"},
      {cmd->add_option("--lr-min", s.min_rate, "cosine, plateau: lowest rate")
           ->capture_default_str(),
       "cosine, plateau"},
      {cmd->add_option("--lr-factor", s.factor, "plateau: decay factor")->capture_default_str(),
       "plateau"},
      {cmd->add_option("--lr-patience", s.patience, "plateau: epochs without improvement first")
           ->transform(whole_number)
           ->capture_default_str(),
       "plateau"},
      {cmd->add_option("--lr-threshold", s.threshold, "plateau: relative improvement that counts")
           ->capture_default_str(),
       "plateau"}};

  args->scale_flag = cmd->add_option("--scale", args->scale,
                                     "Input scaling fitted on the training rows: standard, "
                                     "minmax or none; kept in the model")
                         ->capture_default_str();
  args->scale_targets_flag =
      cmd->add_option("--scale-targets", args->scale_targets,
                      "Regression: target scaling fitted on the training rows: standard, minmax "
                      "or none; kept in the model, whose outputs predict and evaluate scale back "
                      "(the losses shown are of the scaled targets)")
          ->capture_default_str();
  cmd->add_option("--validation", args->validation,
                  "Fraction of rows held out to measure the validation loss each epoch")
      ->capture_default_str();
  cmd->add_option("--test", args->test, "Fraction of rows held out for the final test metrics")
      ->capture_default_str();
  cmd->add_option("--patience", args->patience,
                  "Stop after N epochs without a better validation loss; keep the best weights")
      ->transform(whole_number)
      ->capture_default_str();
  cmd->add_option("--class-weight", args->class_weight,
                  "none, or balanced: each class weighs the same in the loss")
      ->capture_default_str();

  cmd->add_option("--save", args->save, "Write the trained model here (JSON, replaced atomically)");
  cmd->add_option("--init", args->init,
                  "Start from this model's weights, topology, activations, loss and scaling");
  cmd->add_option("--checkpoint-every", args->checkpoint_every,
                  "Write a checkpoint (model and optimizer state) every N epochs (0, the default: "
                  "never)")
      ->transform(whole_number);
  cmd->add_option("--checkpoint", args->checkpoint, "Checkpoint file (default: SAVE.checkpoint)");
  cmd->add_flag("--resume", args->resume,
                "Continue from the checkpoint, with the same flags, to the same bits");
  cmd->add_option("--history", args->history, "Save the per-epoch metrics as CSV");
  cmd->add_option("--plot", args->plot, "Draw the loss curves as a standalone SVG");
  cmd->add_option("--report", args->report,
                  "Write a self-contained HTML report: the network, loss curves, decision surface, "
                  "truth table, metrics");
  cmd->add_option("--report-every", args->report_every,
                  "Print the loss every N epochs off a terminal (0, the default: a tenth of the "
                  "epochs)")
      ->transform(whole_number);
  cmd->add_flag("--quiet", args->quiet, "Print no progress");
  cmd->add_flag("--json", args->json, "One JSON object per epoch on stdout, for scripts");
  for (const CLI::Option* option : cmd->get_options())
    if (!option->get_default_str().empty())
      args->defaults[option->get_name()] = option->get_default_str();
  args->defaults["--header"] = "auto";  // a data flag, whose help names its default in words
  cmd->callback([args] { train_command(*args); });
}

}  // namespace neurona::cli
