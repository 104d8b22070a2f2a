// The training loop: full batch as the tutorial, mini-batches, divergence and bad arguments.
#include <gtest/gtest.h>

#include "neurona/error.hpp"
#include "neurona/optimizer.hpp"
#include "neurona/trainer.hpp"
#include "neurona/tutorial.hpp"

namespace neurona {
namespace {

TEST(Trainer, FullBatchIsForwardBackwardStepPerEpoch) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> by_hand = tutorial::majority_network<double>(3);
  Network<double> trained = by_hand;
  GradientDescent<double> optimizer(0.5);
  std::vector<double> losses;
  for (int epoch = 0; epoch < 20; ++epoch) {
    by_hand.forward(data.X);
    losses.push_back(by_hand.loss(data.Y));
    by_hand.backward(data.Y);
    optimizer.step(by_hand);
  }
  std::vector<double> reported;
  train(trained, optimizer, data.X, data.Y, {20, 0, 3},
        [&](const EpochStats& stats) { reported.push_back(stats.loss); });
  EXPECT_EQ(reported, losses);
  for (std::size_t l = 0; l < 3; ++l)
    EXPECT_EQ(trained.layers()[l].W, by_hand.layers()[l].W);
}

TEST(Trainer, ABatchOfAllRowsIsTheFullBatch) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> full = tutorial::majority_network<double>(2), all_rows = full;
  GradientDescent<double> optimizer(0.5);
  train(full, optimizer, data.X, data.Y, {50, 0, 2});
  train(all_rows, optimizer, data.X, data.Y, {50, 8, 2});
  EXPECT_EQ(full.layers()[0].W, all_rows.layers()[0].W);
}

TEST(Trainer, MiniBatchesLearnTheMajorityTable) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> net = tutorial::majority_network<double>(1);
  GradientDescent<double> optimizer(0.2);
  double first = -1;
  const double last = train(net, optimizer, data.X, data.Y, {3000, 3, 1}, [&](const EpochStats& s) {
    if (s.epoch == 1) first = s.loss;
  });
  EXPECT_LT(last, first / 10);
  const Matrix<double> yhat = net.predict(data.X);
  for (Index i = 0; i < 8; ++i)
    EXPECT_EQ(yhat(i, 0) >= 0.5, data.Y(i, 0) == 1) << "row " << i;
}

TEST(Trainer, DivergenceStopsWithTheEpochAndAHint) {
  // y = w x + b on the tutorial's house with a step far too long: each update overshoots 2500-fold.
  const Dataset<double> data = tutorial::house_table<double>();
  Network<double> net(1, {{1, Activation::linear}}, Loss::half_squared_error);
  GradientDescent<double> optimizer(1.0);
  try {
    train(net, optimizer, data.X, data.Y, {1000, 0, 1});
    FAIL() << "no error";
  } catch (const DivergenceError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find("diverged at epoch "), std::string::npos) << message;
    EXPECT_NE(message.find("HINT: lower the learning rate"), std::string::npos) << message;
  }
}

TEST(Trainer, RefusesBadArguments) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> net = tutorial::majority_network<double>(1);
  GradientDescent<double> optimizer(0.5);
  EXPECT_THROW(train(net, optimizer, data.X, Matrix<double>::Zero(7, 1), {1, 0, 1}), ShapeError);
  EXPECT_THROW(train(net, optimizer, Matrix<double>::Zero(8, 2), data.Y, {1, 0, 1}), ShapeError);
  EXPECT_THROW(train(net, optimizer, data.X, data.Y, {1, -1, 1}), UsageError);
  EXPECT_THROW(GradientDescent<double>(0.0), UsageError);
  EXPECT_THROW(GradientDescent<double>(-0.1), UsageError);
  EXPECT_THROW(GradientDescent<double>(std::nan("")), UsageError);
}

}  // namespace
}  // namespace neurona
