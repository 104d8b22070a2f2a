// `neurona evaluate`: a model's metrics on labelled data: accuracy, per-class precision, recall
// and F1 and the confusion matrix for classes; mse, mae and r2 for regression.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "data.hpp"
#include "options.hpp"
#include "value_checks.hpp"

namespace neurona::cli {
namespace {

struct EvaluateArgs {
  std::string model;
  DataArgs data;
  bool json = false;
};

template <class T>
void run(const EvaluateArgs& args, const Network<T>& network, const ModelInfo& info,
         const LoadedData& loaded) {
  const Dataset<double>& data = loaded.data;
  const Matrix<T> outputs = info.target_scaler.invert(
      network.predict(network_inputs<T>(info.scaler, data.X, args.data.file, loaded)));
  check_outputs_finite(outputs, args.data.file, loaded.lines);
  const Matrix<double> Y_hat = outputs.template cast<double>();
  if (network.loss_type() == Loss::half_squared_error) {
    const RegressionMetrics metrics = regression_metrics(Y_hat, data.Y);
    check_finite(metrics, args.data.file);
    fmt::print("{}", args.json ? metrics_json(metrics) : format_regression(metrics));
    return;
  }
  if (network.loss_type() == Loss::binary_cross_entropy && network.outputs() > 1)
    throw UsageError(
        "evaluate reads each row as one class; a binary_cross_entropy model of several outputs "
        "predicts several labels at once");
  const ClassificationMetrics metrics = classification_metrics(Y_hat, data.Y);
  fmt::print("{}", args.json ? metrics_json(metrics, info.classes)
                             : format_classification(metrics, info.classes));
}

}  // namespace

void add_evaluate_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<EvaluateArgs>();
  CLI::App* cmd = app.add_subcommand(
      "evaluate",
      "Print a model's metrics on a data file with targets: accuracy, precision, "
      "recall, F1 and confusion matrix, or mse, mae and r2");
  cmd->add_option("--model", args->model, "Model file (JSON)")->required();
  args->data.add_flags(*cmd, "Data: inputs and targets, as for train");
  cmd->add_flag("--json", args->json, "Print the metrics as one JSON object");
  cmd->callback([args] {
    const ModelFile model = read_model(args->model);
    const Network<double>& network = model.network;
    refuse_classes_for_regression(args->data, model, args->model);
    const LoadedData loaded = load_data_for(model, args->data, Targets::required);
    check_probability_targets(loaded, model.network.loss_type(), args->data.file);
    if (model.precision == Precision::single)
      run<float>(*args, network.cast<float>(), model.info, loaded);
    else
      run<double>(*args, network, model.info, loaded);
  });
}

}  // namespace neurona::cli
