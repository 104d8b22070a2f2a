// The dense layer's equations on a hand-computed example.
#include <gtest/gtest.h>

#include "neurona/dense_layer.hpp"

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
