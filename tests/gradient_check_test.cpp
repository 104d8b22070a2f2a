// Backpropagation against central differences for every activation and loss, at several depths.
#include <gtest/gtest.h>

#include <cmath>

#include "central_differences.hpp"
#include "neurona/error.hpp"
#include "neurona/gradient_check.hpp"
#include "neurona/tutorial.hpp"
#include "reference.hpp"
#include "test_networks.hpp"

namespace neurona {
namespace {

using testing::away_from_kinks;
using testing::random_data;
using testing::random_network;

const std::vector<Activation> hidden_activations{Activation::linear, Activation::sigmoid,
                                                 Activation::tanh, Activation::relu,
                                                 Activation::leaky_relu};

struct OutputAndLoss {
  Activation output;
  Loss loss;
  Index outputs;
};

const std::vector<OutputAndLoss> output_losses{
    {Activation::linear, Loss::half_squared_error, 2},
    {Activation::sigmoid, Loss::half_squared_error, 2},
    {Activation::tanh, Loss::half_squared_error, 1},
    {Activation::relu, Loss::half_squared_error, 2},
    {Activation::leaky_relu, Loss::half_squared_error, 1},
    {Activation::softmax, Loss::half_squared_error, 3},
    {Activation::sigmoid, Loss::binary_cross_entropy, 2},
    {Activation::softmax, Loss::cross_entropy, 3},
};

// False when every ReLU output unit is off for every row: the gradient is then exactly zero and
// a check of it would prove nothing.
bool has_live_output(const Network<double>& net) {
  const auto& out = net.layers().back();
  return out.activation != Activation::relu || (out.Z().array() > 0).any();
}

// Every hidden activation x every output and loss, at depths 1 to 4 (0 to 3 hidden layers).
TEST(GradientCheck, EveryActivationAndLossAtSeveralDepths) {
  int checked = 0;
  for (const OutputAndLoss& out : output_losses)
    for (Activation activation : hidden_activations)
      for (std::size_t hidden = 0; hidden <= 3; ++hidden) {
        if (hidden == 0 && activation != Activation::linear) continue;  // no hidden layer to vary
        const std::vector<Activation> hiddens(hidden, activation);
        bool done = false;
        // Draw until every ReLU input is clear of its kink (a central difference straddling it
        // measures neither slope).
        for (std::uint64_t seed = 1; seed < 200 && !done; ++seed) {
          Network<double> net = random_network(3, hiddens, out.output, out.outputs, out.loss, seed);
          const Dataset<double> data = random_data(6, 3, out.outputs, out.loss, seed);
          if (!away_from_kinks(net, data.X, 1e-2) || !has_live_output(net)) continue;
          const GradientCheckResult result = gradient_check(net, data.X, data.Y);
          const std::string what =
              std::string(to_string(activation)) + " x" + std::to_string(hidden) + " -> " +
              std::string(to_string(out.output)) + " / " + std::string(to_string(out.loss));
          EXPECT_GT(result.gradient_norm, 1e-6) << what << ": the check would prove nothing";
          // The fourth-order difference of a double loss resolves the smallest components to about
          // 1e-6 of the largest: an exp that rounds another way moves such a case by 1e-7.
          EXPECT_LT(result.max_relative_error, 2e-6) << what << " at " << result.worst;
          done = true;
          ++checked;
        }
        EXPECT_TRUE(done) << "no draw kept the ReLU inputs away from 0";
      }
  EXPECT_EQ(checked, int(output_losses.size()) * (1 + 3 * int(hidden_activations.size())));
}

// The slopes computed from one forward pass by what each parameter changes equal those of whole
// forward passes with the parameter moved, to the rounding of the loss (measured against the
// largest slope, or 1): every parameter, every activation and loss, depths 1 to 4, in float too,
// and on layers wider than the small networks' loop takes.
TEST(GradientCheck, SlopesFromOnePassEqualThoseOfWholePasses) {
  int compared = 0;
  for (const OutputAndLoss& out : output_losses)
    for (Activation activation : hidden_activations)
      for (std::size_t hidden = 0; hidden <= 3; ++hidden) {
        if (hidden == 0 && activation != Activation::linear) continue;
        const std::vector<Activation> hiddens(hidden, activation);
        const std::uint64_t seed = 7 + hidden;
        Network<double> net = random_network(3, hiddens, out.output, out.outputs, out.loss, seed);
        const Dataset<double> data = random_data(5, 3, out.outputs, out.loss, seed);
        const std::string what =
            std::string(to_string(activation)) + " x" + std::to_string(hidden) + " -> " +
            std::string(to_string(out.output)) + " / " + std::string(to_string(out.loss));
        auto compare = [&](const auto& network, const auto& X, const auto& Y, double tolerance) {
          const std::vector<double> whole = reference::central_differences(network, X, Y, 1e-3);
          auto moved = network;
          moved.forward(X);
          std::vector<double> from_one_pass;
          detail::central_differences(
              moved, X, Y, 1e-3,
              [&](const detail::Parameter&, double slope) { from_one_pass.push_back(slope); });
          ASSERT_EQ(from_one_pass.size(), std::size_t(network.parameter_count())) << what;
          ASSERT_EQ(whole.size(), from_one_pass.size()) << what;
          double largest = 1;
          for (const double slope : whole)
            largest = std::max(largest, std::abs(slope));
          double worst = 0;
          for (std::size_t k = 0; k < whole.size(); ++k)
            worst = std::max(worst, std::abs(whole[k] - from_one_pass[k]) / largest);
          EXPECT_LT(worst, tolerance) << what;
        };
        compare(net, data.X, data.Y, 1e-10);
        compare(net.cast<float>(), Matrix<float>(data.X.cast<float>()),
                Matrix<float>(data.Y.cast<float>()), 1e-2);
        ++compared;
      }
  EXPECT_EQ(compared, int(output_losses.size()) * (1 + 3 * int(hidden_activations.size())));

  // Layers wider than 8, whose passes take the general path rather than the small networks' loop.
  Network<double> wide(12,
                       {{20, Activation::tanh}, {16, Activation::relu}, {3, Activation::softmax}},
                       Loss::cross_entropy);
  initialize(wide, 3);
  const Dataset<double> data = random_data(7, 12, 3, Loss::cross_entropy, 3);
  const std::vector<double> whole = reference::central_differences(wide, data.X, data.Y, 1e-3);
  wide.forward(data.X);
  // Each parameter once, named as it comes: each layer's W row by row, then its b.
  std::vector<std::vector<Index>> expected, named;
  for (std::size_t l = 0; l < wide.layers().size(); ++l) {
    const auto& layer = wide.layers()[l];
    for (Index i = 0; i < layer.W.rows(); ++i)
      for (Index j = 0; j < layer.W.cols(); ++j)
        expected.push_back({Index(l), i, j});
    for (Index j = 0; j < layer.b.cols(); ++j)
      expected.push_back({Index(l), -1, j});
  }
  std::size_t k = 0;
  double worst = 0;
  detail::central_differences<double>(wide, data.X, data.Y, 1e-3,
                                      [&](const detail::Parameter& p, double slope) {
                                        named.push_back({Index(p.layer), p.i, p.j});
                                        worst = std::max(worst, std::abs(slope - whole[k++]));
                                      });
  EXPECT_EQ(named, expected);
  EXPECT_EQ(k, whole.size());
  EXPECT_LT(worst, 1e-10);
}

// The progress callback hears of every parameter once, in order, with the count of all of them.
TEST(GradientCheck, ReportsItsProgressParameterByParameter) {
  const Network<double> net =
      random_network(3, {Activation::tanh}, Activation::linear, 2, Loss::half_squared_error, 5);
  const Dataset<double> data = random_data(4, 3, 2, Loss::half_squared_error, 5);
  std::vector<Index> checked;
  gradient_check(net, data.X, data.Y, 1e-3, [&](Index done, Index total) {
    EXPECT_EQ(total, net.parameter_count());
    checked.push_back(done);
  });
  ASSERT_EQ(checked.size(), std::size_t(net.parameter_count()));
  for (std::size_t k = 0; k < checked.size(); ++k)
    EXPECT_EQ(checked[k], Index(k + 1));
}

// The steps are taken on a copy: a const network can be checked, and one whose check throws
// halfway (a step that overflows the loss) keeps every parameter.
TEST(GradientCheck, LeavesTheNetworkAsItWas) {
  const Network<double> net =
      random_network(3, {Activation::tanh}, Activation::linear, 1, Loss::half_squared_error, 3);
  const Dataset<double> data = random_data(5, 3, 1, Loss::half_squared_error, 3);
  const Matrix<double> W1 = net.layers()[0].W, W2 = net.layers()[1].W;
  gradient_check(net, data.X, data.Y);
  EXPECT_EQ(net.layers()[0].W, W1);
  // The output weights a step of 1e306 away square to infinity in the loss.
  EXPECT_THROW(gradient_check(net, data.X, data.Y, 1e306), UsageError);
  EXPECT_EQ(net.layers()[0].W, W1);
  EXPECT_EQ(net.layers()[1].W, W2);
}

// A check that passes everything would be worthless: at a ReLU kink the one-sided slopes differ,
// and the check must say so.
TEST(GradientCheck, ReportsADisagreementAtAReluKink) {
  Network<double> net(1, {{1, Activation::relu}, {1, Activation::linear}},
                      Loss::half_squared_error);
  net.layers()[0].W << 1.0;
  net.layers()[0].b << 0.0;  // z = x = 0: exactly at the kink
  net.layers()[1].W << 1.0;
  Matrix<double> X(1, 1), Y(1, 1);
  X << 0.0;
  Y << 1.0;
  const GradientCheckResult result = gradient_check(net, X, Y);
  EXPECT_GT(result.max_relative_error, 0.1);
  EXPECT_EQ(result.worst.substr(0, 7), "layer 1");
}

// Rows that training refuses are refused here too, before a difference is taken: for
// cross_entropy targets summing to 0.5 backprop's (A - Y) / m is not the loss's gradient, and the
// check would report backprop wrong for what is wrong with the data.
TEST(GradientCheck, RefusesTheRowsTrainingRefuses) {
  const Network<double> net =
      random_network(3, {Activation::tanh}, Activation::softmax, 3, Loss::cross_entropy, 4);
  const Dataset<double> data = random_data(4, 3, 3, Loss::cross_entropy, 4);
  EXPECT_LT(gradient_check(net, data.X, data.Y).max_relative_error, 1e-6);
  auto message = [&](const Matrix<double>& X, const Matrix<double>& Y) -> std::string {
    try {
      gradient_check(net, X, Y);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_EQ(message(data.X, 0.5 * data.Y),
            "the targets of row 0 of Y sum to 0.5; cross_entropy needs one probability per class, "
            "summing to 1");
  Matrix<double> X = data.X;
  X(2, 1) = std::nan("");
  EXPECT_EQ(message(X, data.Y), "the input X(2, 1) is nan; inputs must be finite");
}

// Inputs and targets near 1e100: the loss (near 1e200) and the gradient (near 1e200) are finite,
// the gradient's squares are not; with targets near 1e200 the loss is not either.
TEST(GradientCheck, MeasuresALargeGradientAndRefusesALossThatOverflows) {
  Network<double> net(1, {{1, Activation::linear}}, Loss::half_squared_error);
  Matrix<double> X(2, 1), Y(2, 1);
  X << 1e100, 1e100;
  Y << 1e100, 1e100;
  // W = b = 0: dE/dW = mean((0 - y) x) = -1e200 and dE/db = mean(0 - y) = -1e100.
  EXPECT_NEAR(gradient_check(net, X, Y).gradient_norm / 1e200, 1.0, 1e-12);
  X << 1.0, 2.0;
  Y << 1e200, -1e200;
  try {
    gradient_check(net, X, Y);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("the loss at these weights is inf"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(net.layers()[0].W(0, 0), 0.0);
}

// Targets near 1e6 give a loss near 1e12, whose differences over h = 1e-3 lose the digits of a
// derivative near 1: the check fails, and its rounding estimate says why.
TEST(GradientCheck, EstimatesTheRoundingInTheLossDifferences) {
  Network<double> net =
      random_network(3, {Activation::tanh}, Activation::linear, 1, Loss::half_squared_error, 3);
  Dataset<double> data = random_data(2, 3, 1, Loss::half_squared_error, 3);
  const GradientCheckResult small = gradient_check(net, data.X, data.Y);
  EXPECT_LT(small.max_relative_error, 1e-6);
  EXPECT_LT(small.rounding, 1e-8);
  EXPECT_DOUBLE_EQ(small.loss, (net.forward(data.X) - data.Y).squaredNorm() / 2 / 2);
  data.Y << 1e6, -1e6;
  const GradientCheckResult large = gradient_check(net, data.X, data.Y);
  EXPECT_GT(large.max_relative_error, 1e-6);
  EXPECT_GT(large.rounding, large.max_relative_error / 10);
}

}  // namespace
}  // namespace neurona
