// `neurona gradcheck`: backpropagation against central differences on a model and data set.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "data.hpp"
#include "options.hpp"
#include "stderr.hpp"
#include "value_checks.hpp"

namespace neurona::cli {
namespace {

constexpr double default_step = 1e-3;

struct GradcheckArgs {
  std::string model;
  DataArgs data;
  double tolerance = 1e-6;
  double step = default_step;
};

// The largest value each layer's weights multiply, max |A_prev|, after a forward pass on X, which
// leaves every layer's Z: a step of h in a weight moves its Z by up to h times it.
std::vector<double> largest_inputs(Network<double>& network, const Matrix<double>& X) {
  network.forward(X);
  std::vector<double> largest{X.cwiseAbs().maxCoeff()};
  for (std::size_t l = 0; l + 1 < network.layers().size(); ++l)
    largest.push_back(network.layers()[l].A().cwiseAbs().maxCoeff());
  return largest;
}

// ReLU-family inputs so near 0 that the differences' +-2 steps can cross the kink, where they
// measure neither slope: the likeliest cause of a failed check on a ReLU network. `network` has
// run forward on the rows whose largest_inputs are given.
Index inputs_near_kinks(const Network<double>& network, const std::vector<double>& largest,
                        double step) {
  Index count = 0;
  for (std::size_t l = 0; l < network.layers().size(); ++l) {
    const auto& layer = network.layers()[l];
    if (layer.activation == Activation::relu || layer.activation == Activation::leaky_relu)
      count += (layer.Z().array().abs() < 2 * step * (1 + largest[l])).count();
  }
  return count;
}

// What narrows the rounding in the differences (epsilon |E| / step over the derivative): a larger
// step, a smaller loss; where neither applies, no tolerance finer than the rounding can be met.
std::string rounding_remedy(const GradientCheckResult& result, double step) {
  const bool larger_step = step < default_step;
  const bool smaller_loss = std::abs(result.loss) > 10;
  if (larger_step && smaller_loss)
    return "A larger --step (the default, 1e-3), or targets (and inputs) nearer 1, make it "
           "smaller";
  if (larger_step) return "A larger --step (the default, 1e-3) makes it smaller";
  if (smaller_loss) return "Targets (and inputs) nearer 1 make it smaller";
  if (result.rounding >= 1) return "The check cannot resolve this derivative";
  // Three times the estimate, up to a power of ten: 1.07e-11 asks for 1e-10.
  const double tolerance = std::pow(10.0, std::ceil(std::log10(3 * result.rounding)));
  return fmt::format("The check resolves no finer here: --tolerance {:g} asks what it can answer",
                     tolerance);
}

// A check that runs past a second on a terminal says how far it is on stderr, redrawn at most ten
// times a second and erased at the end: a large model on many rows takes minutes.
class CheckProgress {
 public:
  CheckProgress() : shown_(isatty(STDERR_FILENO)), start_(Clock::now()), last_(start_) {}
  ~CheckProgress() {
    if (drawn_) print_to_stderr("\r\033[K");
  }
  CheckProgress(const CheckProgress&) = delete;
  CheckProgress& operator=(const CheckProgress&) = delete;

  void operator()(Index checked, Index total) {
    if (!shown_) return;
    const Clock::time_point now = Clock::now();
    if (now - start_ < std::chrono::seconds(1) || now - last_ < std::chrono::milliseconds(100))
      return;
    last_ = now;
    const double seconds = std::chrono::duration<double>(now - start_).count();
    const double left = seconds * double(total - checked) / double(checked);
    print_to_stderr("\rgradcheck: {} of {} parameters, about {:.0f}s left\033[K", checked, total,
                    std::ceil(left));
    std::fflush(stderr);
    drawn_ = true;
  }

 private:
  using Clock = std::chrono::steady_clock;
  bool shown_, drawn_ = false;
  Clock::time_point start_, last_;
};

}  // namespace

void add_gradcheck_command(CLI::App& app, int& status) {
  auto args = std::make_shared<GradcheckArgs>();
  CLI::App* cmd = app.add_subcommand(
      "gradcheck",
      "Compare backpropagation with central differences of the loss, (8 (E(p+h) - E(p-h)) - "
      "(E(p+2h) - E(p-2h))) / 12h, for every parameter p; exit 0 when each relative error "
      "|backprop - difference| / max(|backprop|, |difference|, 1e-6 max|gradient|) is within "
      "--tolerance, else 1");
  cmd->add_option("--model", args->model, "Model file (JSON)")->required();
  args->data.add_flags(*cmd, "Data: inputs and targets, as for train");
  cmd->add_option("--tolerance", args->tolerance, "Largest relative error accepted")
      ->capture_default_str();
  cmd->add_option("--step", args->step, "Step h of the central differences")->capture_default_str();
  cmd->callback([args, &status] {
    if (!(args->tolerance > 0) || !std::isfinite(args->tolerance))
      throw UsageError(
          fmt::format("--tolerance must be a positive number, got {}", args->tolerance));
    // Always in double: differences of a float loss would measure float rounding, not backprop.
    ModelFile model = read_model(args->model);
    Network<double>& network = model.network;
    const LoadedData loaded = load_data_for(model, args->data, Targets::required);
    check_probability_targets(loaded, model.network.loss_type(), args->data.file);
    // The network sees scaled inputs, as in training.
    if (!(args->step > 0) || !std::isfinite(args->step))
      throw UsageError(fmt::format("--step must be a positive number, got {}", args->step));
    const Matrix<double> X =
        network_inputs<double>(model.info.scaler, loaded.data.X, args->data.file, loaded);
    // And the targets as it was trained on them: the gradients checked are of that loss.
    const Matrix<double> Y =
        network_targets<double>(model.info.target_scaler, loaded.data.Y, args->data.file, loaded);
    GradientCheckResult result;
    try {
      CheckProgress progress;
      result = gradient_check(network, X, Y, args->step, std::ref(progress));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", args->data.file, e.what()));
    } catch (const UsageError& e) {
      throw UsageError(std::string("--step: ") + e.what());
    }
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
      if (result.rounding * 10 > args->tolerance)
        fmt::print(
            "HINT: the loss is {:.3g}, and rounding in its differences over --step {:g} alone {} "
            "at {}: the check cannot tell backprop's error from it. {}\n",
            result.loss, args->step,
            result.rounding < 1
                ? fmt::format("can give a relative error of {:.3g}", result.rounding)
                : std::string("can outweigh the derivative"),
            result.worst, rounding_remedy(result, args->step));
      // The differences' own error grows with the step: over a span of 0.1 or more they measure
      // the loss's curve (a sigmoid gone flat, say), not its slope at the point.
      const std::vector<double> largest = largest_inputs(network, X);
      const auto widest = std::max_element(largest.begin(), largest.end());
      const std::size_t layer = std::size_t(widest - largest.begin()) + 1;
      if (args->step >= 0.1) {
        fmt::print(
            "HINT: --step {:g} is a wide span for a difference: over it the loss curves, so the "
            "differences measure no slope at the point; the default is 1e-3\n",
            args->step);
      } else if (args->step * *widest >= 0.1) {
        // Unscaled inputs (pixels of 0 to 255) make a small step wide where it counts, in Z.
        fmt::print(
            "HINT: {} as large as {:.3g} make a step of {:g} in a weight of layer {} a move of "
            "{:.3g} in its Z, a wide span for a difference: over it the loss curves. Inputs "
            "scaled in training (--scale standard), or a smaller --step, narrow it\n",
            layer == 1 ? "inputs" : fmt::format("values of layer {}", layer - 1), *widest,
            args->step, layer, args->step * *widest);
      }
      if (const Index near = inputs_near_kinks(network, largest, args->step); near > 0)
        fmt::print(
            "HINT: {} ReLU inputs lie within reach of their kink at 0, where a difference "
            "straddles two slopes; a smaller --step (1e-5, say) avoids it\n",
            near);
      status = 1;
    }
  });
}

}  // namespace neurona::cli
