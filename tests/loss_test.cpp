// Losses: hand-computed values, stable forms at saturation, and gradients against central
// differences of the loss itself.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "neurona/error.hpp"
#include "neurona/loss.hpp"

namespace neurona {
namespace {

double value(Loss loss, Activation output, const Matrix<double>& Z, const Matrix<double>& Y) {
  Matrix<double> A;
  activate(output, Z, A);
  return loss_value(loss, output, Z, A, Y);
}

TEST(Loss, HalfSquaredErrorIsTheMeanOverRowsOfHalfTheSumOverOutputs) {
  Matrix<double> A(2, 2), Y(2, 2);
  A << 1, 2,  //
      3, 4;
  Y << 0, 2,  //
      3, 1;
  // rows: 1/2 (1 + 0) = 0.5 and 1/2 (0 + 9) = 4.5; mean 2.5
  EXPECT_DOUBLE_EQ(loss_value(Loss::half_squared_error, Activation::linear, A, A, Y), 2.5);
}

TEST(Loss, TheTutorialsHouseError) {
  Matrix<double> yhat(1, 1), y(1, 1);
  yhat << 10.24;
  y << 300;
  EXPECT_NEAR(loss_value(Loss::half_squared_error, Activation::linear, yhat, yhat, y), 41980.4288,
              1e-9);
}

TEST(Loss, BinaryCrossEntropyHandComputedAndStable) {
  Matrix<double> Z(2, 1), Y(2, 1);
  Z << 0.0, 2.0;
  Y << 1.0, 0.0;
  const double expected = (-std::log(0.5) - std::log(1.0 - 1.0 / (1.0 + std::exp(-2.0)))) / 2;
  EXPECT_NEAR(value(Loss::binary_cross_entropy, Activation::sigmoid, Z, Y), expected, 1e-15);

  Z << 1000.0, -1000.0;  // saturated and wrong: the loss is large but finite
  Y << 0.0, 1.0;
  EXPECT_NEAR(value(Loss::binary_cross_entropy, Activation::sigmoid, Z, Y), 1000.0, 1e-9);
}

TEST(Loss, CrossEntropyHandComputedAndStable) {
  Matrix<double> Z(1, 2), Y(1, 2);
  Z << 0.0, std::log(2.0);  // softmax (1/3, 2/3)
  Y << 0.0, 1.0;
  EXPECT_NEAR(value(Loss::cross_entropy, Activation::softmax, Z, Y), -std::log(2.0 / 3.0), 1e-15);
  Z << 2000.0, 0.0;
  Y << 0.0, 1.0;
  EXPECT_NEAR(value(Loss::cross_entropy, Activation::softmax, Z, Y), 2000.0, 1e-9);
}

TEST(Loss, GradientsMatchCentralDifferences) {
  struct Case {
    Loss loss;
    Activation output;
  };
  Matrix<double> Z(3, 2);
  Z << 0.3, -1.1,  //
      2.0, 0.5,    //
      -0.7, 0.2;
  for (const Case& c : {Case{Loss::half_squared_error, Activation::linear},
                        Case{Loss::half_squared_error, Activation::sigmoid},
                        Case{Loss::half_squared_error, Activation::tanh},
                        Case{Loss::half_squared_error, Activation::leaky_relu},
                        Case{Loss::half_squared_error, Activation::softmax},
                        Case{Loss::binary_cross_entropy, Activation::sigmoid},
                        Case{Loss::cross_entropy, Activation::softmax}}) {
    Matrix<double> Y(3, 2);
    if (c.loss == Loss::cross_entropy)
      Y << 1, 0, 0, 1, 0, 1;
    else if (c.loss == Loss::binary_cross_entropy)
      Y << 1, 0, 1, 1, 0, 0;
    else
      Y << 0.5, -0.2, 1.5, 0.1, -1.0, 0.3;
    Matrix<double> A, dZ;
    activate(c.output, Z, A);
    loss_gradient(c.loss, c.output, Z, A, Y, dZ);
    const double h = 1e-6;
    for (Index i = 0; i < Z.rows(); ++i)
      for (Index j = 0; j < Z.cols(); ++j) {
        Matrix<double> up = Z, down = Z;
        up(i, j) += h;
        down(i, j) -= h;
        const double numeric =
            (value(c.loss, c.output, up, Y) - value(c.loss, c.output, down, Y)) / (2 * h);
        EXPECT_NEAR(dZ(i, j), numeric, 1e-8)
            << to_string(c.loss) << " after " << to_string(c.output) << " at " << i << "," << j;
      }
  }
}

TEST(Loss, RefusesTargetsAndWeightsOfOtherShapes) {
  const Matrix<double> Z = Matrix<double>::Ones(4, 3), A = Z;
  Matrix<double> dZ;
  const Matrix<double> wide = Matrix<double>::Zero(1000, 30), one = Matrix<double>::Zero(1, 1);
  EXPECT_THROW(loss_gradient(Loss::half_squared_error, Activation::linear, Z, A, wide, dZ),
               ShapeError);
  EXPECT_THROW(loss_value(Loss::half_squared_error, Activation::linear, Z, A, one), ShapeError);
  const Matrix<double> Y = Matrix<double>::Zero(4, 3), weights = Matrix<double>::Ones(3, 1);
  EXPECT_THROW(loss_value(Loss::half_squared_error, Activation::linear, Z, A, Y, &weights),
               ShapeError);
  EXPECT_DOUBLE_EQ(loss_value(Loss::half_squared_error, Activation::linear, Z, A, Y), 1.5);
}

TEST(Loss, CrossEntropiesNeedTheirOutputActivation) {
  EXPECT_THROW(check_output_fits_loss(Activation::linear, Loss::binary_cross_entropy), UsageError);
  EXPECT_THROW(check_output_fits_loss(Activation::sigmoid, Loss::cross_entropy), UsageError);
  EXPECT_NO_THROW(check_output_fits_loss(Activation::softmax, Loss::half_squared_error));
  EXPECT_EQ(default_output_activation(Loss::cross_entropy), Activation::softmax);
  EXPECT_EQ(parse_loss("binary_cross_entropy"), Loss::binary_cross_entropy);
  EXPECT_THROW(parse_loss("mse"), UsageError);
}

// The message of the InputError f throws, or "" when it throws none.
template <class F>
std::string refusal(F f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

TEST(Loss, CheckTargetsNamesTheFirstTargetThatDoesNotSuitTheLoss) {
  Matrix<double> Y(2, 2);
  Y << 0, 1, 1, 0;
  for (const Loss loss :
       {Loss::half_squared_error, Loss::binary_cross_entropy, Loss::cross_entropy})
    EXPECT_EQ(refusal([&] { check_targets<double>(loss, Y); }), "") << to_string(loss);
  Y(1, 0) = 5;  // a number to predict, not a probability
  EXPECT_EQ(refusal([&] { check_targets<double>(Loss::half_squared_error, Y); }), "");
  EXPECT_EQ(refusal([&] { check_targets<double>(Loss::binary_cross_entropy, Y); }),
            "the target Y(1, 0) is 5; binary_cross_entropy needs probabilities in [0, 1]");
  Y(1, 0) = 0.5;  // rows of halves summing to 0.5: fine for binary, no distribution per row
  Y(0, 1) = 0.5;
  EXPECT_EQ(refusal([&] { check_targets<double>(Loss::binary_cross_entropy, Y); }), "");
  EXPECT_EQ(refusal([&] { check_targets<double>(Loss::cross_entropy, Y); }),
            "the targets of row 0 of Y sum to 0.5; cross_entropy needs one probability per class, "
            "summing to 1");
  // Soft targets that sum to 0.99 in decimals sum to 0.98999998 as floats: in as in double.
  Matrix<float> soft(1, 2);
  soft << 0.053f, 0.937f;
  EXPECT_EQ(refusal([&] { check_targets<float>(Loss::cross_entropy, soft); }), "");
  soft << 0.05f, 0.9f;
  EXPECT_NE(refusal([&] { check_targets<float>(Loss::cross_entropy, soft); }), "");
  Matrix<float> nan_target = Matrix<float>::Zero(3, 1);
  nan_target(2, 0) = std::nanf("");
  EXPECT_EQ(refusal([&] { check_targets<float>(Loss::half_squared_error, nan_target); }),
            "the target Y(2, 0) is nan; targets must be finite");
  EXPECT_NE(refusal([&] { check_targets<float>(Loss::binary_cross_entropy, nan_target); }), "");
}

}  // namespace
}  // namespace neurona
