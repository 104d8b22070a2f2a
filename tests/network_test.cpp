// The network: topology checks, shapes at the boundary, and predict agreeing with forward.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "neurona/error.hpp"
#include "neurona/initialization.hpp"
#include "neurona/network.hpp"
#include "neurona/optimizer.hpp"

namespace neurona {
namespace {

const std::vector<LayerSpec> tutorial_layers{
    {2, Activation::sigmoid}, {4, Activation::sigmoid}, {1, Activation::linear}};

TEST(Network, BuildsTheTutorialsTopology) {
  Network<double> net(3, tutorial_layers, Loss::half_squared_error);
  EXPECT_EQ(net.topology(), "3-2-4-1");
  EXPECT_EQ(net.parameter_count(), 3 * 2 + 2 + 2 * 4 + 4 + 4 * 1 + 1);
  EXPECT_EQ(net.layers()[1].W.rows(), 2);
  EXPECT_EQ(net.layers()[1].W.cols(), 4);
  EXPECT_EQ(net.layers()[1].b.cols(), 4);
}

TEST(Network, ArchitectureNamesTheActivationsAndTheLoss) {
  EXPECT_EQ(Network<double>(3, tutorial_layers, Loss::half_squared_error).architecture(),
            "3-2-4-1 (sigmoid, sigmoid, linear; half_squared_error)");
  // The same widths with another activation or loss: another architecture.
  EXPECT_EQ(
      Network<float>(4, {{5, Activation::relu}, {3, Activation::softmax}}, Loss::cross_entropy)
          .architecture(),
      "4-5-3 (relu, softmax; cross_entropy)");
}

TEST(Network, RejectsBadTopologies) {
  EXPECT_THROW(Network<double>(3, {{0, Activation::relu}, {1, Activation::linear}},
                               Loss::half_squared_error),
               UsageError);
  EXPECT_THROW(Network<double>(0, {{1, Activation::linear}}, Loss::half_squared_error), UsageError);
  EXPECT_THROW(Network<double>(3, {}, Loss::half_squared_error), UsageError);
  // Values outside the enumerations, cast in: no layer could run them.
  EXPECT_THROW(Network<double>(3, {{1, Activation(42)}}, Loss::half_squared_error), UsageError);
  EXPECT_THROW(Network<double>(3, {{1, Activation::linear}}, Loss(42)), UsageError);
  EXPECT_THROW(
      Network<double>(3, {{4, Activation::softmax}, {2, Activation::softmax}}, Loss::cross_entropy),
      UsageError);
  EXPECT_THROW(Network<double>(3, {{1, Activation::linear}}, Loss::binary_cross_entropy),
               UsageError);
  // A softmax of one unit is 1 whatever the weights: nothing to learn.
  EXPECT_THROW(Network<double>(3, {{1, Activation::softmax}}, Loss::half_squared_error),
               UsageError);
  EXPECT_NO_THROW(Network<double>(3, {{2, Activation::softmax}}, Loss::cross_entropy));
}

TEST(Network, RefusesATopologyTooLargeForMemoryBeforeAllocating) {
  try {
    Network<double>(3, {{100000000000, Activation::relu}, {1, Activation::linear}},
                    Loss::half_squared_error);
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("GiB"), std::string::npos) << e.what();
  }
}

// This machine's memory, as the network measures it.
double memory_bytes() {
  return double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
}

TEST(Network, RefusesMoreRowsAtOnceThanMemoryHoldsBeforeAllocating) {
  // 80 MB of weights and gradients, 24 MB of values per row: a few thousand rows overflow.
  const Index units = 1000000;
  Network<double> net(3, {{units, Activation::relu}, {1, Activation::linear}},
                      Loss::half_squared_error);
  const Index rows = Index(memory_bytes() / (3.0 * units * sizeof(double))) + 1;
  try {
    net.forward(Matrix<double>::Zero(rows, 3));
    FAIL() << "no error";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(std::to_string(rows) + " rows at once"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(net.forward(Matrix<double>::Ones(2, 3)).rows(), 2);
  EXPECT_THROW(
      Network<double>::check_topology(3, net.layer_specs(), Loss::half_squared_error, rows),
      UsageError);
  EXPECT_NO_THROW(
      Network<double>::check_topology(3, net.layer_specs(), Loss::half_squared_error, 2));
  // A negative count would pass as needing less than no rows at all.
  EXPECT_THROW(Network<double>::check_topology(3, net.layer_specs(), Loss::half_squared_error, -1),
               UsageError);
}

// Weights that fit this machine's memory but not the process's address space (a container's or
// ulimit's limit): refused before allocating, naming that limit. (A layer whose allocation fails
// all the same is named in allocation_tests.)
TEST(Network, RefusesWeightsBeyondTheAddressSpaceLimitNamingIt) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  auto build_beyond_the_limit = [] {
    const rlimit limit{512 << 20, 512 << 20};  // 512 MiB; layer 2's W alone is 800 MB
    if (setrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    try {
      Network<double> net(
          3, {{10000, Activation::relu}, {10000, Activation::relu}, {1, Activation::linear}},
          Loss::half_squared_error);
    } catch (const UsageError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      std::exit(0);
    }
    std::exit(1);
  };
  EXPECT_EXIT(build_beyond_the_limit(), ::testing::ExitedWithCode(0),
              "the network's weights and gradients need 1.49 GiB, more than this process's "
              "address-space limit \\(ulimit -v\\) of 0.50 GiB");
}

TEST(Network, ShapesAreCheckedAtTheBoundary) {
  Network<double> net(3, tutorial_layers, Loss::half_squared_error);
  EXPECT_THROW(net.forward(Matrix<double>::Zero(8, 4)), ShapeError);
  net.forward(Matrix<double>::Zero(8, 3));
  EXPECT_THROW(net.backward(Matrix<double>::Zero(7, 1)), ShapeError);
  EXPECT_THROW(net.loss(Matrix<double>::Zero(8, 2)), ShapeError);
  net.layers()[1].W.resize(3, 4);  // no longer fits the 2 units before it
  EXPECT_THROW(net.forward(Matrix<double>::Zero(8, 3)), ShapeError);
}

// forward_backward is the three passes with one check: the same E, the same gradients to the bit,
// on the tutorial's small layers and on the general path, with row weights and without.
TEST(Network, ForwardBackwardIsForwardThenLossThenBackward) {
  const std::vector<std::vector<LayerSpec>> topologies{
      tutorial_layers, {{20, Activation::tanh}, {3, Activation::softmax}}};
  for (const auto& layers : topologies) {
    const Loss loss = layers.back().activation == Activation::softmax ? Loss::cross_entropy
                                                                      : Loss::half_squared_error;
    Network<double> fused(3, layers, loss);
    initialize(fused, 5);
    Network<double> apart = fused;
    const Matrix<double> X = Matrix<double>::Random(9, 3);
    Matrix<double> Y = Matrix<double>::Zero(9, fused.outputs());
    for (Index r = 0; r < Y.rows(); ++r)
      Y(r, r % Y.cols()) = 1;
    const Matrix<double> weights = Matrix<double>::Random(9, 1).cwiseAbs();
    for (const bool weighted : {false, true}) {
      const RowWeights<double> row_weights = weighted ? RowWeights<double>(weights) : std::nullopt;
      const double E = fused.forward_backward(X, Y, row_weights);
      apart.forward(X);
      EXPECT_EQ(E, apart.loss(Y, row_weights));
      apart.backward(Y, row_weights);
      for (std::size_t l = 0; l < layers.size(); ++l) {
        EXPECT_EQ(fused.layers()[l].dW, apart.layers()[l].dW) << fused.topology() << " layer " << l;
        EXPECT_EQ(fused.layers()[l].db, apart.layers()[l].db) << fused.topology() << " layer " << l;
      }
      EXPECT_EQ(fused.loss(Y, row_weights), E);  // its forward pass is the last one, as forward's
    }
  }
}

// Its arguments and the layers are checked before anything is computed: the last pass stays.
TEST(Network, ForwardBackwardChecksBeforeComputing) {
  Network<double> net(3, tutorial_layers, Loss::half_squared_error);
  initialize(net, 1);
  const Matrix<double> X = Matrix<double>::Random(8, 3), Y = Matrix<double>::Random(8, 1);
  const double E = net.forward_backward(X, Y);
  const Matrix<double> dW = net.layers()[0].dW;
  EXPECT_THROW(net.forward_backward(Matrix<double>::Zero(8, 4), Y), ShapeError);
  EXPECT_THROW(net.forward_backward(X.topRows(7), Y), ShapeError);
  EXPECT_THROW(net.forward_backward(X, Matrix<double>::Zero(8, 2)), ShapeError);
  EXPECT_THROW(net.forward_backward(Matrix<double>(0, 3), Matrix<double>(0, 1)), ShapeError);
  EXPECT_THROW(net.forward_backward(X, Y, RowWeights<double>(Matrix<double>::Ones(7, 1))),
               ShapeError);
  EXPECT_EQ(net.loss(Y), E);
  EXPECT_EQ(net.layers()[0].dW, dW);

  Network<double> wider = net;
  wider.layers()[0].W = Matrix<double>::Random(3, 6);
  EXPECT_THROW(wider.forward_backward(X, Y), ShapeError);
  Network<double> moved = net;
  const Network<double> taken = std::move(moved);
  EXPECT_THROW(moved.forward_backward(X, Y), UsageError);  // NOLINT(bugprone-use-after-move)
}

// layers() gives the weights to set, not the topology: a W or dW of another shape, a layer added,
// a hidden softmax or a network moved from is refused by every pass and step, rather than read
// past the end of a buffer sized for the network as built.
TEST(Network, WhatLayersCannotChangeIsRefusedByEveryPassAndStep) {
  const Matrix<double> X = Matrix<double>::Random(8, 3), Y = Matrix<double>::Random(8, 1);
  Network<double> built(3, {{2, Activation::sigmoid}, {1, Activation::linear}},
                        Loss::half_squared_error);
  initialize(built, 1);
  GradientDescent<double> optimizer(0.1);

  Network<double> wider = built;  // 3-6-1 in W and b, 3-2-1 in its gradients
  wider.layers()[0].W = Matrix<double>::Random(3, 6);
  wider.layers()[0].b = RowVector<double>::Zero(6);
  wider.layers()[1].W = Matrix<double>::Random(6, 1);
  EXPECT_THROW(wider.forward(X), ShapeError);
  EXPECT_THROW(wider.predict(X), ShapeError);
  EXPECT_THROW(optimizer.step(wider), ShapeError);
  EXPECT_EQ(wider.outputs(), 1);

  Network<double> reshaped = built;  // the gradient of another shape, stepped without backward
  reshaped.layers()[0].dW = Matrix<double>::Zero(6, 3);
  EXPECT_THROW(optimizer.step(reshaped), ShapeError);

  Network<double> deeper = built;
  deeper.layers().push_back(deeper.layers().back());
  EXPECT_THROW(deeper.forward(X), UsageError);

  Network<double> hidden_softmax = built;
  hidden_softmax.forward(X);
  hidden_softmax.layers()[0].activation = Activation::softmax;
  EXPECT_THROW(hidden_softmax.forward(X), UsageError);
  EXPECT_THROW(hidden_softmax.backward(Y), UsageError);

  Network<double> moved = built;
  const Network<double> taken = std::move(moved);
  EXPECT_EQ(moved.outputs(), 0);  // NOLINT(bugprone-use-after-move): what is checked
  EXPECT_THROW(moved.forward(X), UsageError);
  EXPECT_THROW(moved.predict(X), UsageError);
  EXPECT_THROW(moved.loss(Y), UsageError);
  EXPECT_THROW(moved.backward(Y), UsageError);
  EXPECT_EQ(taken.predict(X), built.predict(X));

  // The loss and the gradients are of a forward pass of one row or more.
  Network<double> fresh = built;
  EXPECT_THROW(fresh.backward(Matrix<double>()), ShapeError);
  EXPECT_THROW(fresh.loss(Matrix<double>()), ShapeError);
  fresh.forward(Matrix<double>(0, 3));
  EXPECT_THROW(fresh.loss(Matrix<double>(0, 1)), ShapeError);
  EXPECT_THROW(fresh.backward(Matrix<double>(0, 1)), ShapeError);
  fresh.forward(X);
  built.forward(X);
  EXPECT_EQ(fresh.loss(Y), built.loss(Y));
  fresh.backward(Y);
  optimizer.step(fresh);
}

TEST(Network, CastRefusesAParameterBeyondFloatsRange) {
  Network<double> net(3, tutorial_layers, Loss::half_squared_error);
  initialize(net, 1);
  net.layers()[1].b(2) = 1e39;
  EXPECT_THROW(net.cast<float>(), UsageError);
  net.layers()[1].b(2) = 3e38;
  EXPECT_EQ(net.cast<float>().layers()[1].b(2), 3e38f);
}

TEST(Network, PredictAgreesWithForwardAndCastKeepsTheWeights) {
  Network<double> net(3, tutorial_layers, Loss::half_squared_error);
  initialize(net, 7);
  const Matrix<double> X = Matrix<double>::Random(5, 3);
  const Matrix<double> forward = net.forward(X);
  EXPECT_EQ(net.predict(X), forward);

  const Network<float> single = net.cast<float>();
  const Network<double> back = single.cast<double>();
  for (std::size_t l = 0; l < net.layers().size(); ++l)
    EXPECT_EQ(back.layers()[l].W, net.layers()[l].W.cast<float>().cast<double>());
  EXPECT_TRUE(single.predict(X.cast<float>()).cast<double>().isApprox(forward, 1e-5));
}

// Large inputs go through predict in blocks of rows: every row as forward computes it, across
// the blocks' boundaries and in a last block of one row.
TEST(Network, PredictsManyRowsInBlocksAsForwardDoes) {
  Network<double> net(3, {{5000, Activation::tanh}, {2, Activation::linear}},
                      Loss::half_squared_error);
  initialize(net, 3);
  const Index block = (Index(1) << 22) / 5000;  // 838 rows
  const Matrix<double> X = Matrix<double>::Random(2 * block + 1, 3);
  const Matrix<double> forward = net.forward(X);
  const Matrix<double> predicted = net.predict(X);
  ASSERT_EQ(predicted.rows(), X.rows());
  for (Index i = 0; i < X.rows(); ++i)
    EXPECT_TRUE(predicted.row(i).isApprox(forward.row(i), 1e-12)) << "row " << i;
}

// What the blocks are for: 3000 rows through a layer of 100,000 units would hold 2.4 GB in each
// of two matrices at once; in blocks, a few tens of MB.
TEST(Network, PredictsManyRowsThroughAWideLayerWithinLittleMemory) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  auto predict_under_the_limit = [] {
    Network<double> net(1, {{100000, Activation::relu}, {1, Activation::linear}},
                        Loss::half_squared_error);
    initialize(net, 1);
    const Matrix<double> X = Matrix<double>::Random(3000, 1);
    const rlimit limit{512 << 20, 512 << 20};
    if (setrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    const Matrix<double> Y_hat = net.predict(X);
    std::exit(Y_hat.rows() == 3000 && Y_hat.allFinite() ? 0 : 1);
  };
  EXPECT_EXIT(predict_under_the_limit(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace neurona
