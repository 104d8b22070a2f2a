// `neurona predict`: one line of outputs per input row, exact enough to read back the same value.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "options.hpp"

namespace neurona::cli {
namespace {

struct PredictArgs {
  std::string model;
  std::string data;
  std::string targets;
};

template <class T>
void run(const PredictArgs& args, const Network<T>& network, const Table& table) {
  const Dataset<T> data = make_inputs<T>(table, network.inputs(), network.outputs(),
                                         network.loss_type(), split_list(args.targets));
  const Matrix<T> Y_hat = network.predict(data.X);
  // Formatted whole before anything is printed, so that a failure prints nothing.
  std::string out;
  for (Index i = 0; i < Y_hat.rows(); ++i) {
    for (Index j = 0; j < Y_hat.cols(); ++j) {
      if (j) out += ',';
      out += exact(Y_hat(i, j));
    }
    out += '\n';
  }
  fmt::print("{}", out);
}

}  // namespace

void add_predict_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<PredictArgs>();
  CLI::App* cmd =
      app.add_subcommand("predict", "Print a model's outputs for each row of a CSV file");
  cmd->add_option("--model", args->model, "Model file (JSON)")->required();
  cmd->add_option("--data", args->data, "CSV file: rows of inputs, targets optional")->required();
  cmd->add_option("--targets", args->targets,
                  "Target columns to ignore, by header name or 1-based number");
  cmd->callback([args] {
    ModelFile model = read_model(args->model);
    const Table table = read_csv(args->data);
    if (model.precision == Precision::single)
      run<float>(*args, model.network.cast<float>(), table);
    else
      run<double>(*args, model.network, table);
  });
}

}  // namespace neurona::cli
