// The training loop: full batch as the tutorial, mini-batches, divergence and bad arguments.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <type_traits>
#include <utility>

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

// The trainer checks the layers once a step (in forward_backward) rather than in each pass and
// again in the optimizer's step: layers reshaped between epochs are still refused, before a
// gradient of another shape is written or stepped.
TEST(Trainer, LayersReshapedBetweenEpochsAreRefused) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> net = tutorial::majority_network<double>(3);
  GradientDescent<double> optimizer(0.5);
  Trainer<double> trainer(net, optimizer, {5, 0, 3});
  trainer.run_epoch(data.X, data.Y);
  const Matrix<double> W = net.layers()[2].W;
  net.layers()[1].dW = Matrix<double>::Zero(4, 4);
  EXPECT_THROW(trainer.run_epoch(data.X, data.Y), ShapeError);
  net.layers()[1].dW = Matrix<double>::Zero(2, 4);
  net.layers()[2].W = Matrix<double>::Zero(5, 1);
  EXPECT_THROW(trainer.run_epoch(data.X, data.Y), ShapeError);
  net.layers()[2].W = W;
  trainer.run_epoch(data.X, data.Y);
  EXPECT_NE(net.layers()[2].W, W);
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

// A batch whose E is not finite throws before its update: the network keeps the parameters that
// gave it, the epoch's earlier batches applied, and no step along its gradient.
TEST(Trainer, DivergenceLeavesTheParametersThatGaveIt) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Matrix<double> Y = data.Y;
  Y.bottomRows(2) *= 1e200;  // the last batch's (yhat - y)^2 overflows
  const Network<double> start = tutorial::majority_network<double>(1);
  Network<double> net = start;
  GradientDescent<double> optimizer(0.5);
  TrainOptions in_order{10, 3, 1};
  in_order.shuffle = false;  // batches of rows 0-2, 3-5, then 6-7
  Trainer<double> trainer(net, optimizer, in_order);
  EXPECT_THROW(trainer.run_epoch(data.X, Y), DivergenceError);
  // The same two batches, stepped by hand.
  Network<double> expected = start;
  GradientDescent<double> by_hand(0.5);
  for (const Index first : {Index(0), Index(3)}) {
    expected.forward(data.X.middleRows(first, 3));
    expected.backward(data.Y.middleRows(first, 3));
    by_hand.step(expected);
  }
  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    EXPECT_EQ(net.layers()[l].W, expected.layers()[l].W) << l;
    EXPECT_EQ(net.layers()[l].b, expected.layers()[l].b) << l;
  }
  // The full batch diverges at once: nothing is applied.
  Network<double> whole = start;
  GradientDescent<double> full(0.5);
  Trainer<double> full_batch(whole, full, {10, 0, 1});
  EXPECT_THROW(full_batch.run_epoch(data.X, Y), DivergenceError);
  for (std::size_t l = 0; l < whole.layers().size(); ++l)
    EXPECT_EQ(whole.layers()[l].W, start.layers()[l].W) << l;
}

TEST(Trainer, PatienceWithoutValidationRowsIsRefused) {
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> net = tutorial::majority_network<double>(1);
  GradientDescent<double> optimizer(0.5);
  try {
    train(net, optimizer, data.X, data.Y, {100, 0, 1, /*patience=*/3});
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("a patience of 3 epochs needs validation rows"),
              std::string::npos)
        << e.what();
  }
}

// A Trainer refers to itself (its L-BFGS evaluation), to the network and to the optimizer, and
// keeps its validation rows and row weights by reference: no copies, and no temporaries, in any
// argument.
template <class Trainer, class X, class Y>
concept ValidatesOn = requires(Trainer& trainer, X&& x, Y&& y) {
  trainer.set_validation(std::forward<X>(x), std::forward<Y>(y));
};
template <class Trainer, class Rows>
concept WeighsRowsBy = requires(Trainer& trainer, Rows&& rows) {
  trainer.set_row_weights(std::forward<Rows>(rows));
};
using Held = Matrix<double>&;
using Temporary = Matrix<double>;
using Expression = decltype(Matrix<double>() * 2.0);
static_assert(!std::is_copy_constructible_v<Trainer<double>>);
static_assert(!std::is_move_constructible_v<Trainer<double>>);
static_assert(!std::is_copy_assignable_v<Trainer<float>>);
static_assert(ValidatesOn<Trainer<double>, Held, Held>);
static_assert(ValidatesOn<Trainer<double>, const Matrix<double>&, const Matrix<double>&>);
static_assert(!ValidatesOn<Trainer<double>, Temporary, Held>);
static_assert(!ValidatesOn<Trainer<double>, Held, Temporary>);
static_assert(!ValidatesOn<Trainer<double>, Temporary, Temporary>);
static_assert(!ValidatesOn<Trainer<double>, Held, Expression>);
static_assert(WeighsRowsBy<Trainer<double>, Held>);
static_assert(!WeighsRowsBy<Trainer<double>, Temporary>);
static_assert(!WeighsRowsBy<Trainer<double>, Expression>);
static_assert(!WeighsRowsBy<Trainer<float>, decltype(Matrix<double>().cast<float>())>);

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

TEST(Trainer, RefusesRowsThatAreNotFiniteOrTargetsThatDoNotSuitTheLoss) {
  // Else a NaN would make the loss NaN and pass for a diverging run, and a target of 5 would
  // train binary cross-entropy to a negative loss.
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> net = tutorial::majority_network<double>(1);
  const Network<double> untouched = net;
  GradientDescent<double> optimizer(0.5);
  auto message = [&](const Matrix<double>& X, const Matrix<double>& Y) -> std::string {
    try {
      train(net, optimizer, X, Y, {1, 0, 1});
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  Matrix<double> X = data.X;
  X(6, 2) = std::nan("");
  EXPECT_EQ(message(X, data.Y), "the training input X(6, 2) is nan; inputs must be finite");
  Matrix<double> Y = data.Y;
  Y(3, 0) = HUGE_VAL;
  EXPECT_EQ(message(data.X, Y), "training rows: the target Y(3, 0) is inf; targets must be finite");
  for (std::size_t l = 0; l < net.layers().size(); ++l)
    EXPECT_EQ(net.layers()[l].W, untouched.layers()[l].W) << "a refused run took a step";

  Network<double> binary(3, {{1, Activation::sigmoid}}, Loss::binary_cross_entropy);
  Trainer<double> trainer(binary, optimizer, {1, 0, 1});
  Y = data.Y * 5.0;
  EXPECT_THROW(trainer.set_validation(data.X, Y), InputError);
  EXPECT_THROW(trainer.run_epoch(data.X, Y), InputError);
  Matrix<double> weights = Matrix<double>::Ones(8, 1);
  weights(2, 0) = -1;
  EXPECT_THROW(trainer.set_row_weights(weights), InputError);
  EXPECT_NO_THROW(trainer.run_epoch(data.X, data.Y));

  // Checked every epoch: rows changed in place after one are caught too, held by reference or
  // given anew.
  Matrix<double> X_changing = data.X, Y_validation = data.Y;
  weights(2, 0) = 1;
  trainer.set_validation(data.X, Y_validation);
  trainer.set_row_weights(weights);
  EXPECT_NO_THROW(trainer.run_epoch(X_changing, data.Y));
  X_changing(0, 0) = std::nan("");
  EXPECT_THROW(trainer.run_epoch(X_changing, data.Y), InputError);
  X_changing(0, 0) = 0;
  Y_validation(1, 0) = -1;
  EXPECT_THROW(trainer.run_epoch(X_changing, data.Y), InputError);
  Y_validation(1, 0) = 0;
  weights(5, 0) = -2;
  EXPECT_THROW(trainer.run_epoch(X_changing, data.Y), InputError);
  weights(5, 0) = 1;
  EXPECT_NO_THROW(trainer.run_epoch(X_changing, data.Y));
}

TEST(Trainer, EarlyStoppingRestoresTheBestValidationWeights) {
  // Validation rows that contradict the training rows: the validation loss soon rises.
  const Dataset<double> data = tutorial::majority_table<double>();
  const Matrix<double> Y_flipped = (1.0 - data.Y.array()).matrix();
  Network<double> net = tutorial::majority_network<double>(1);
  GradientDescent<double> optimizer(0.5);
  Trainer<double> trainer(net, optimizer, {5000, 0, 1, 25});
  trainer.set_validation(data.X, Y_flipped);
  std::vector<EpochStats> epochs;
  while (!trainer.done())
    epochs.push_back(trainer.run_epoch(data.X, data.Y));
  ASSERT_LT(epochs.size(), 5000u) << "early stopping never stopped";
  const Index best = trainer.state().best_epoch;
  EXPECT_EQ(Index(epochs.size()), best + 25);
  double lowest = HUGE_VAL;
  for (const EpochStats& e : epochs)
    lowest = std::min(lowest, e.validation_loss);
  EXPECT_EQ(epochs[std::size_t(best - 1)].validation_loss, lowest);
  EXPECT_TRUE(epochs[std::size_t(best - 1)].best);

  trainer.restore_best();
  net.forward(data.X);
  EXPECT_EQ(net.loss(Y_flipped), lowest);
}

TEST(Trainer, RowWeightsCountRowsThatManyTimes) {
  // Weight 2 on a row is the same loss and gradient as that row written twice (E is a mean over
  // rows, so the doubled table has m + 1 rows and weights average to 1 over m rows: scale alike).
  const Dataset<double> data = tutorial::majority_table<double>();
  Matrix<double> weights = Matrix<double>::Ones(8, 1);
  weights(4, 0) = 2;
  Matrix<double> X(9, 3), Y(9, 1);
  X << data.X, data.X.row(4);
  Y << data.Y, data.Y.row(4);
  Network<double> weighted = tutorial::majority_network<double>(4), doubled = weighted;
  weighted.forward(data.X);
  weighted.backward(data.Y, weights);
  doubled.forward(X);
  doubled.backward(Y);
  const double scale = 9.0 / 8.0;  // 1/m differs: 1/8 against 1/9
  EXPECT_TRUE(weighted.layers()[0].dW.isApprox(doubled.layers()[0].dW * scale, 1e-12));
  EXPECT_NEAR(weighted.loss(data.Y, weights), doubled.loss(Y) * scale, 1e-15);
}

TEST(Trainer, AResumedRunEndsWithTheSameBits) {
  const Dataset<double> data = tutorial::majority_table<double>();
  const TrainOptions options{60, 3, 7, 0};
  Network<double> whole = tutorial::majority_network<double>(7), resumed = whole;
  GradientDescent<double> first(0.3), second(0.3);
  train(whole, first, data.X, data.Y, options);

  Trainer<double> before(resumed, second, options);
  for (int e = 0; e < 25; ++e)
    before.run_epoch(data.X, data.Y);
  Network<double> saved = resumed;
  const TrainerState<double> state = before.state();
  Network<double> restarted = saved;
  Trainer<double> after(restarted, second, options);
  after.load_state(state);
  while (!after.done())
    after.run_epoch(data.X, data.Y);
  for (std::size_t l = 0; l < 3; ++l)
    EXPECT_EQ(restarted.layers()[l].W, whole.layers()[l].W);
}

// restore_best swaps the state's best network in: one of another architecture would leave the
// trainer's network something other than what it was built as.
TEST(Trainer, LoadStateRefusesABestNetworkOfAnotherArchitecture) {
  Network<double> net = tutorial::majority_network<double>(1);
  GradientDescent<double> optimizer(0.5);
  Trainer<double> trainer(net, optimizer, {10, 0, 1, 5});
  TrainerState<double> state;
  state.best_network = Network<double>(1, {{1, Activation::linear}}, Loss::half_squared_error);
  try {
    trainer.load_state(state);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("1-1 (linear; half_squared_error)"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(net.architecture()), std::string::npos) << e.what();
  }
  // The same widths with another output activation: refused too.
  state.best_network = Network<double>(
      3, {{2, Activation::sigmoid}, {4, Activation::sigmoid}, {1, Activation::relu}},
      Loss::half_squared_error);
  EXPECT_THROW(trainer.load_state(state), InputError);
  state.best_network = net;  // the trainer's own architecture: accepted
  trainer.load_state(state);
  EXPECT_TRUE(trainer.state().best_network.has_value());
}

}  // namespace
}  // namespace neurona
