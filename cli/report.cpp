// `neurona report`: a model, and optionally its data and training history, as one self-contained
// HTML page (see neurona/report.hpp).
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "data.hpp"
#include "options.hpp"
#include "same_file.hpp"
#include "stderr.hpp"
#include "value_checks.hpp"

namespace neurona::cli {
namespace {

struct ReportArgs {
  std::string model;
  DataArgs data;
  std::string history;
  std::string out;
  std::string title;
};

// The page scores the data as evaluate does, and so refuses what evaluate refuses: outputs that
// overflow, which would show as a class or a metric without a word.
template <class T>
void check_scorable(const Network<T>& network, const ModelInfo& info, const LoadedData& loaded,
                    const std::string& file) {
  const Dataset<double>& data = loaded.data;
  const Matrix<T> Y_hat = info.target_scaler.invert(
      network.predict(network_inputs<T>(info.scaler, data.X, file, loaded)));
  check_outputs_finite(Y_hat, file, loaded.lines);
  if (data.Y.size() > 0 && network.loss_type() == Loss::half_squared_error)
    check_finite(regression_metrics(Y_hat.template cast<double>(), data.Y), file);
}

void report_command(const ReportArgs& args) {
  for (const auto& [flag, input] : {std::pair{"--model", args.model},
                                    {"--data", args.data.file},
                                    {"--labels", args.data.labels},
                                    {"--history", args.history}})
    if (same_file(args.out, input))
      throw UsageError(fmt::format("--out {} would replace {} {}", args.out, flag, input));
  // Fail before reading anything large when the page could not be written.
  check_writable(args.out);
  const ModelFile model = read_model(args.model);
  ReportInput input{model.network, model.info, model.precision, {}, {}, {}, args.title};
  if (!args.history.empty()) input.history = read_history_csv(args.history);
  // Targets are optional: without them the page still shows the surface and the predictions.
  if (!args.data.file.empty()) {
    const LoadedData loaded = load_data_for(model, args.data, Targets::optional);
    check_probability_targets(loaded, model.network.loss_type(), args.data.file);
    if (model.precision == Precision::single)
      check_scorable(model.network.cast<float>(), model.info, loaded, args.data.file);
    else
      check_scorable(model.network, model.info, loaded, args.data.file);
    input.data = loaded.data;
  }
  write_report(args.out, input);
  print_to_stderr("wrote {}\n", args.out);
}

}  // namespace

void add_report_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<ReportArgs>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Write a model as one self-contained HTML page: the network with its weights, the loss "
      "curves, the decision surface (2 inputs), the truth table (boolean inputs), the metrics "
      "and the provenance");
  cmd->add_option("--model", args->model, "Model file (JSON)")->required();
  args->data.add_flags(*cmd,
                       "Data to draw and score: inputs, and targets when present, as for "
                       "train (raw: the model's scaling is applied)");
  cmd->get_option("--data")->required(false);
  cmd->add_option("--history", args->history,
                  "The training history CSV written by train --history");
  cmd->add_option("--title", args->title, "The page's title (default: neurona: TOPOLOGY)");
  cmd->add_option("--out", args->out, "Write the HTML page here (replaced atomically)")->required();
  cmd->callback([args] { report_command(*args); });
}

}  // namespace neurona::cli
