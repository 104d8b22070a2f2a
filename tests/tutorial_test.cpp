// The tutorial's figures (SPEC.md) and its majority table, reproduced by the library.
#include <gtest/gtest.h>

#include "neurona/optimizer.hpp"
#include "neurona/trainer.hpp"
#include "neurona/tutorial.hpp"

namespace neurona {
namespace {

TEST(Tutorial, HouseGradientIsTheTutorialsChainRule) {
  const Dataset<double> data = tutorial::house_table<double>();
  Network<double> net = tutorial::house_network<double>();
  const double yhat = net.forward(data.X)(0, 0);
  net.backward(data.Y);
  // By hand, as the tutorial writes it: z1 = w1 x + b1 = 25.1, a1 = relu(z1) = 25.1,
  // yhat = w_out a1 + b_out = 10.24.
  const double x = 50, w_out = 0.4, a1 = 25.1, y = 300, relu_prime = 1;
  EXPECT_NEAR(yhat, 10.24, 1e-12);
  EXPECT_NEAR(net.layers()[1].dW(0, 0), (yhat - y) * a1, 1e-9);                      // dC/dw_out
  EXPECT_NEAR(net.layers()[1].db(0), (yhat - y), 1e-12);                             // dC/db_out
  EXPECT_NEAR(net.layers()[0].dW(0, 0), (yhat - y) * w_out * relu_prime * x, 1e-9);  // dC/dw1
  EXPECT_NEAR(net.layers()[0].db(0), (yhat - y) * w_out * relu_prime, 1e-12);        // dC/db1
}

TEST(Tutorial, HouseFigures) {
  const Dataset<double> data = tutorial::house_table<double>();
  Network<double> net = tutorial::house_network<double>();
  GradientDescent<double> optimizer(tutorial::house_learning_rate);

  EXPECT_NEAR(net.forward(data.X)(0, 0), 10.24, 1e-12);
  EXPECT_NEAR(net.loss(data.Y), 41980.4288, 1e-8);
  net.backward(data.Y);
  optimizer.step(net);
  EXPECT_NEAR(net.layers()[0].W(0, 0), 0.557952, 1e-12);
  EXPECT_NEAR(net.layers()[0].b(0), 0.10115904, 1e-12);
  EXPECT_NEAR(net.layers()[1].W(0, 0), 0.47272976, 1e-12);
  EXPECT_NEAR(net.layers()[1].b(0), 0.2028976, 1e-12);

  train(net, optimizer, data.X, data.Y, {tutorial::house_epochs, 0, 1});
  EXPECT_NEAR(net.predict(data.X)(0, 0), 300.0, 1e-9);
}

template <class T>
int majority_correct(std::uint64_t seed) {
  const Dataset<T> data = tutorial::majority_table<T>();
  Network<T> net = tutorial::majority_network<T>(seed);
  GradientDescent<T> optimizer(T(0.5));
  train(net, optimizer, data.X, data.Y, {10000, 0, seed});
  const Matrix<T> yhat = net.predict(data.X);
  int correct = 0;
  for (Index i = 0; i < 8; ++i)
    correct += (yhat(i, 0) >= T(0.5)) == (data.Y(i, 0) == T(1));
  return correct;
}

TEST(Tutorial, MajorityTableIsLearntWithTheDemoDefaults) {
  EXPECT_EQ(majority_correct<double>(1), 8);
  EXPECT_EQ(majority_correct<float>(1), 8);
}

TEST(Tutorial, MajorityTableIsTheMajorityFunction) {
  const Dataset<double> data = tutorial::majority_table<double>();
  for (Index i = 0; i < 8; ++i)
    EXPECT_EQ(data.Y(i, 0), data.X.row(i).sum() >= 2 ? 1.0 : 0.0) << "row " << i;
}

}  // namespace
}  // namespace neurona
