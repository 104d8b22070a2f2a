// `neurona gradcheck`: backpropagation against central differences on a model and data set.
#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "options.hpp"

namespace neurona::cli {
namespace {

struct GradcheckArgs {
  std::string model;
  std::string data;
  std::string targets;
  double tolerance = 1e-6;
};

}  // namespace

void add_gradcheck_command(CLI::App& app, int& status) {
  auto args = std::make_shared<GradcheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gradcheck",
      "Compare backpropagation with central differences; exit 0 when within tolerance, else 1");
  cmd->add_option("--model", args->model, "Model file (JSON)")->required();
  cmd->add_option("--data", args->data, "CSV file: inputs, then targets")->required();
  cmd->add_option("--targets", args->targets, "Target columns by header name or 1-based number");
  cmd->add_option("--tolerance", args->tolerance, "Largest relative error accepted")
      ->capture_default_str();
  cmd->callback([args, &status] {
    if (!(args->tolerance > 0))
      throw UsageError(
          fmt::format("--tolerance must be a positive number, got {}", args->tolerance));
    // Always in double: differences of a float loss would measure float rounding, not backprop.
    ModelFile model = read_model(args->model);
    Network<double>& network = model.network;
    const Dataset<double> data =
        make_dataset<double>(read_csv(args->data), network.inputs(), network.outputs(),
                             network.loss_type(), split_list(args->targets));
    const GradientCheckResult result = gradient_check(network, data.X, data.Y);
    fmt::print(
        "largest relative error: {:.3g} at {} (tolerance {:g}, {} parameters, gradient "
        "norm {:.3g})\n",
        result.max_relative_error, result.worst, args->tolerance, network.parameter_count(),
        result.gradient_norm);
    if (result.gradient_norm == 0) {
      fmt::print("FAILED: the gradient is zero here, so the check proves nothing\n");
      status = 1;
    } else if (result.max_relative_error < args->tolerance) {
      fmt::print("ok\n");
    } else {
      fmt::print("FAILED: above the tolerance\n");
      status = 1;
    }
  });
}

}  // namespace neurona::cli
