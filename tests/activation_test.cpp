// Activations: hand-computed values, stability at extremes, and backward passes against central
// differences.
#include <gtest/gtest.h>

#include <cmath>

#include "neurona/activation.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

Matrix<double> row(std::initializer_list<double> values) {
  Matrix<double> m(1, Index(values.size()));
  Index j = 0;
  for (double v : values)
    m(0, j++) = v;
  return m;
}

Matrix<double> apply(Activation activation, const Matrix<double>& Z) {
  Matrix<double> A;
  activate(activation, Z, A);
  return A;
}

TEST(Activation, HandComputedValues) {
  const Matrix<double> Z = row({-2.0, 0.0, 3.0});
  const Matrix<double> sigmoid = apply(Activation::sigmoid, Z);
  EXPECT_DOUBLE_EQ(sigmoid(0, 0), 1.0 / (1.0 + std::exp(2.0)));
  EXPECT_DOUBLE_EQ(sigmoid(0, 1), 0.5);
  EXPECT_DOUBLE_EQ(sigmoid(0, 2), 1.0 / (1.0 + std::exp(-3.0)));
  EXPECT_DOUBLE_EQ(apply(Activation::tanh, Z)(0, 2), std::tanh(3.0));
  EXPECT_EQ(apply(Activation::relu, Z), row({0.0, 0.0, 3.0}));
  EXPECT_EQ(apply(Activation::leaky_relu, Z), row({-0.02, 0.0, 3.0}));
  EXPECT_EQ(apply(Activation::linear, Z), Z);
}

TEST(Activation, SoftmaxOfEachRow) {
  Matrix<double> Z(2, 2);
  Z << 0.0, std::log(2.0),  //
      5.0, 5.0;
  const Matrix<double> A = apply(Activation::softmax, Z);
  EXPECT_NEAR(A(0, 0), 1.0 / 3.0, 1e-15);
  EXPECT_NEAR(A(0, 1), 2.0 / 3.0, 1e-15);
  EXPECT_DOUBLE_EQ(A(1, 0), 0.5);
}

TEST(Activation, NoOverflowAtExtremes) {
  const Matrix<double> sigmoid = apply(Activation::sigmoid, row({-1000.0, 1000.0}));
  EXPECT_EQ(sigmoid(0, 0), 0.0);
  EXPECT_EQ(sigmoid(0, 1), 1.0);
  const Matrix<double> softmax = apply(Activation::softmax, row({1000.0, 0.0, -1000.0}));
  ASSERT_TRUE(softmax.allFinite());
  EXPECT_EQ(softmax(0, 0), 1.0);
}

// dZ = dA (.) sigma'(Z) (softmax: its Jacobian) against (E(Z + h) - E(Z - h)) / 2h for the
// scalar E = sum dA (.) sigma(Z).
TEST(Activation, BackwardMatchesCentralDifferences) {
  Matrix<double> Z(2, 3);
  Z << -1.3, 0.4, 2.2,  //
      0.7, -0.25, 1.1;
  Matrix<double> dA(2, 3);
  dA << 0.3, -1.2, 0.8,  //
      -0.5, 0.9, 0.1;
  for (Activation activation : {Activation::linear, Activation::sigmoid, Activation::tanh,
                                Activation::relu, Activation::leaky_relu, Activation::softmax}) {
    const Matrix<double> A = apply(activation, Z);
    Matrix<double> dZ;
    activation_backward(activation, Z, A, dA, dZ);
    const double h = 1e-6;
    for (Index i = 0; i < Z.rows(); ++i)
      for (Index j = 0; j < Z.cols(); ++j) {
        Matrix<double> up = Z, down = Z;
        up(i, j) += h;
        down(i, j) -= h;
        const double numeric =
            ((apply(activation, up) - apply(activation, down)).cwiseProduct(dA)).sum() / (2 * h);
        EXPECT_NEAR(dZ(i, j), numeric, 1e-8) << to_string(activation) << " at " << i << "," << j;
      }
  }
}

TEST(Activation, BackwardRefusesMatricesOfOtherShapes) {
  const Matrix<double> Z = Matrix<double>::Ones(2, 2), A = Z, wide = Matrix<double>::Ones(100, 100),
                       narrow = Matrix<double>::Ones(2, 3);
  Matrix<double> dZ;
  EXPECT_THROW(activation_backward(Activation::sigmoid, Z, A, wide, dZ), ShapeError);
  EXPECT_THROW(activation_backward(Activation::tanh, Z, narrow, A, dZ), ShapeError);
  activation_backward(Activation::tanh, Z, A, A, dZ);
  EXPECT_EQ(dZ.rows(), 2);
}

TEST(Activation, ReluDerivativeAtZeroIsZeroAsInTheTutorial) {
  const Matrix<double> Z = row({0.0});
  Matrix<double> dZ;
  activation_backward(Activation::relu, Z, apply(Activation::relu, Z), row({1.0}), dZ);
  EXPECT_EQ(dZ(0, 0), 0.0);
}

TEST(Activation, NamesRoundTripAndUnknownNamesAreRejected) {
  for (Activation activation : {Activation::linear, Activation::sigmoid, Activation::tanh,
                                Activation::relu, Activation::leaky_relu, Activation::softmax})
    EXPECT_EQ(parse_activation(to_string(activation)), activation);
  try {
    parse_activation("sigmod");
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("\"sigmod\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("leaky_relu"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace neurona
