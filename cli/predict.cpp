// `neurona predict`: one line per input row: the class label for a model trained on classes, or
// the outputs, exact enough to read back the same value.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "data.hpp"
#include "options.hpp"
#include "stderr.hpp"
#include "value_checks.hpp"

namespace neurona::cli {
namespace {

struct PredictArgs {
  std::string model;
  DataArgs data;
  bool outputs = false;
};

template <class T>
void run(const PredictArgs& args, const Network<T>& network, const ModelInfo& info,
         const LoadedData& loaded) {
  const Matrix<double>& X = loaded.data.X;
  // In the targets' own units: a model trained on scaled targets has its outputs scaled back.
  const Matrix<T> Y_hat = info.target_scaler.invert(
      network.predict(network_inputs<T>(info.scaler, X, args.data.file, loaded)));
  check_outputs_finite(Y_hat, args.data.file, loaded.lines);
  // Formatted whole before anything is printed, so that a failure prints nothing.
  std::string out;
  const bool labels = !info.classes.empty() && !args.outputs;
  const std::vector<Index> classes =
      labels ? class_of_rows(Y_hat.template cast<double>()) : std::vector<Index>{};
  for (Index i = 0; i < Y_hat.rows(); ++i) {
    if (labels) {
      out += info.classes[std::size_t(classes[std::size_t(i)])];
    } else {
      for (Index j = 0; j < Y_hat.cols(); ++j) {
        if (j) out += ',';
        out += exact(Y_hat(i, j));
      }
    }
    out += '\n';
  }
  fmt::print("{}", out);
}

}  // namespace

void add_predict_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd =
      app.add_subcommand("predict", "Print a model's prediction for each row of a data file");
  cmd->add_option("--model", args->model, "Model file (JSON)")->required();
  args->data.add_flags(*cmd,
                       "Data: rows of inputs (the model's target columns, if present, are "
                       "skipped: their cells may be blank)");
  cmd->add_flag("--outputs", args->outputs,
                "Print the outputs (probabilities) rather than the class label");
  cmd->callback([args] {
    const ModelFile model = read_model(args->model);
    const Network<double>& network = model.network;
    refuse_classes_for_regression(args->data, model, args->model);
    const LoadedData loaded = load_data_for(model, args->data, Targets::skipped);
    // One line per row is what a reader lines up with the input: the rows left out are named.
    if (!loaded.dropped_lines.empty()) {
      std::string lines;
      for (std::size_t k = 0; k < loaded.dropped_lines.size() && k < 10; ++k)
        lines += fmt::format("{}{}", k ? ", " : "", loaded.dropped_lines[k]);
      if (loaded.dropped_lines.size() > 10)
        lines += fmt::format(" and {} more", loaded.dropped_lines.size() - 10);
      print_to_stderr("{}: no prediction for line{} {} (a missing value, --drop-missing)\n",
                      args->data.file, loaded.dropped_lines.size() > 1 ? "s" : "", lines);
    }
    if (model.precision == Precision::single)
      run<float>(*args, network.cast<float>(), model.info, loaded);
    else
      run<double>(*args, network, model.info, loaded);
  });
}

}  // namespace neurona::cli
