// The dense layer's equations on a hand-computed example.
#include <gtest/gtest.h>

#include "neurona/dense_layer.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

TEST(DenseLayer, ForwardIsXWPlusBroadcastBias) {
  DenseLayer<double> layer(2, 3, Activation::relu);
  layer.W << 1, 0, -1,  //
      2, 1, 0;
  layer.b << 0.5, 0, -2;
  Matrix<double> X(2, 2);
  X << 1, 2,  //
      -1, 0;
  layer.forward(X);
  Matrix<double> Z(2, 3);
  Z << 5.5, 2, -3,  // 1*1 + 2*2 + 0.5, 1*0 + 2*1 + 0, 1*-1 + 2*0 - 2
      -0.5, 0, -1;
  EXPECT_EQ(Matrix<double>(layer.Z()), Z);
  Matrix<double> A(2, 3);
  A << 5.5, 2, 0,  //
      0, 0, 0;
  EXPECT_EQ(Matrix<double>(layer.A()), A);
}

// Inputs of another width, a backward pass before any forward one, or a dA_prev of another shape
// are refused rather than read or written past a buffer.
TEST(DenseLayer, ShapesAreChecked) {
  DenseLayer<double> layer(3, 20, Activation::sigmoid);
  EXPECT_THROW(layer.forward(Matrix<double>::Ones(4, 2)), ShapeError);
  EXPECT_THROW(layer.backward(Matrix<double>::Ones(4, 3)), ShapeError);
  layer.forward(Matrix<double>::Ones(4, 3));
  EXPECT_THROW(layer.backward(Matrix<double>::Ones(5, 3)), ShapeError);
  Matrix<double> dA_prev = Matrix<double>::Zero(4, 2);
  EXPECT_THROW(layer.backward(Matrix<double>::Ones(4, 3), dA_prev), ShapeError);
  dA_prev.resize(4, 3);
  layer.backward(Matrix<double>::Ones(4, 3), dA_prev);
  EXPECT_EQ(layer.dW.rows(), 3);
}

TEST(DenseLayer, BackwardGivesDWDbAndDAPrev) {
  DenseLayer<double> layer(2, 3, Activation::linear);
  layer.W << 1, 0, -1,  //
      2, 1, 0;
  Matrix<double> A_prev(2, 2);
  A_prev << 1, 2,  //
      3, -1;
  layer.resize_batch(2);
  layer.dZ() << 1, 0, 2,  //
      0, -1, 1;
  Matrix<double> dA_prev(2, 2);
  layer.backward(A_prev, dA_prev);

  Matrix<double> dW(2, 3);  // A_prev^T dZ
  dW << 1, -3, 5,           //
      2, 1, 3;
  EXPECT_EQ(layer.dW, dW);
  RowVector<double> db(3);  // column sums of dZ
  db << 1, -1, 3;
  EXPECT_EQ(layer.db, db);
  Matrix<double> expected(2, 2);  // dZ W^T
  expected << -1, 2,              //
      -1, -1;
  EXPECT_EQ(dA_prev, expected);
}

}  // namespace
}  // namespace neurona
