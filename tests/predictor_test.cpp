// The Predictor against the reference path (plain Eigen expressions) and against
// Network::predict, on small networks (the compile-time kernels), large ones (the blocked
// products) and a mix; its copy of the weights; its shape checks.
#include <gtest/gtest.h>

#include "neurona/error.hpp"
#include "neurona/initialization.hpp"
#include "neurona/predictor.hpp"
#include "neurona/random.hpp"
#include "reference.hpp"

namespace neurona {
namespace {

template <class T>
Matrix<T> random_rows(Index m, Index n, std::uint64_t seed) {
  RandomEngine engine(seed);
  return Matrix<T>::NullaryExpr(m, n, [&] { return T(4 * uniform01(engine) - 2); });
}

template <class T>
Network<T> random_network(Index inputs, const std::vector<LayerSpec>& layers, Loss loss,
                          std::uint64_t seed) {
  Network<T> network(inputs, layers, loss);
  initialize(network, seed);
  RandomEngine engine(seed + 1);
  for (auto& layer : network.layers())
    for (Index j = 0; j < layer.b.cols(); ++j)
      layer.b(j) = T(uniform01(engine) - 0.5);
  return network;
}

// Y_hat through the reference equations, one layer at a time.
template <class T>
Matrix<T> reference_predict(const Network<T>& network, const Matrix<T>& X) {
  Matrix<T> A = X;
  for (const auto& layer : network.layers())
    A = reference::activate<T>(layer.activation, reference::affine<T>(A, layer.W, layer.b));
  return A;
}

template <class T>
class PredictorTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(PredictorTest, Precisions);

struct Case {
  Index inputs;
  std::vector<LayerSpec> layers;
  Loss loss;
};

const std::vector<Case> cases = {
    // the tutorial's network: every layer small
    {3,
     {{2, Activation::sigmoid}, {4, Activation::sigmoid}, {1, Activation::linear}},
     Loss::half_squared_error},
    {8, {{8, Activation::tanh}, {3, Activation::softmax}}, Loss::cross_entropy},
    {2, {{5, Activation::leaky_relu}, {1, Activation::sigmoid}}, Loss::binary_cross_entropy},
    // large layers, and small ones after a large one
    {30,
     {{64, Activation::relu}, {32, Activation::tanh}, {10, Activation::softmax}},
     Loss::cross_entropy},
    {20,
     {{9, Activation::relu}, {4, Activation::sigmoid}, {2, Activation::linear}},
     Loss::half_squared_error},
};

TYPED_TEST(PredictorTest, MatchesTheReferenceAndNetworkPredict) {
  using T = TypeParam;
  const double tolerance = 64 * double(std::numeric_limits<T>::epsilon());
  std::uint64_t seed = 1;
  for (const Case& c : cases) {
    const Network<T> network = random_network<T>(c.inputs, c.layers, c.loss, ++seed);
    SCOPED_TRACE(network.topology());
    Predictor<T> predictor(network);
    EXPECT_EQ(predictor.inputs(), network.inputs());
    EXPECT_EQ(predictor.outputs(), network.outputs());
    // Batches that grow and shrink, so that buffers are reused at other sizes.
    for (Index m : {1, 300, 7, 1}) {
      const Matrix<T> X = random_rows<T>(m, c.inputs, ++seed);
      const Matrix<T> Y_hat = predictor.predict(X);
      const Matrix<T> expected = reference_predict(network, X);
      ASSERT_EQ(Y_hat.rows(), m);
      ASSERT_EQ(Y_hat.cols(), network.outputs());
      EXPECT_LE(double((Y_hat - expected).cwiseAbs().maxCoeff()), tolerance) << "m = " << m;
      // The same fast routines as Network::predict, so the same bits.
      EXPECT_EQ(Y_hat, network.predict(X)) << "m = " << m;
    }
  }
}

TYPED_TEST(PredictorTest, ReadsRowsOfABlockWithGapsBetweenThem) {
  using T = TypeParam;
  for (const Case& c : {cases[0], cases[3]}) {
    const Network<T> network = random_network<T>(c.inputs, c.layers, c.loss, 7);
    const Matrix<T> wide = random_rows<T>(50, c.inputs + 3, 8);
    Predictor<T> predictor(network);
    const Matrix<T> Y_hat = predictor.predict(wide.middleCols(2, c.inputs));
    EXPECT_EQ(Y_hat, network.predict(wide.middleCols(2, c.inputs)));
  }
}

// Its last result given back as X, whole or in part: with one layer, the buffer that layer writes.
// Small layers and large ones.
TYPED_TEST(PredictorTest, TakesItsOwnLastResultAsInput) {
  using T = TypeParam;
  for (const Index width : {4, 40}) {
    const Network<T> network =
        random_network<T>(width, {{width, Activation::tanh}}, Loss::half_squared_error, 3);
    Predictor<T> predictor(network);
    const Matrix<T> X = Matrix<T>::Random(6, width);
    const Matrix<T> twice = network.predict(network.predict(X));
    EXPECT_EQ(Matrix<T>(predictor.predict(predictor.predict(X))), twice) << width;
    const Matrix<T> block = predictor.predict(predictor.predict(X).topRows(2));
    const Matrix<T> first = network.predict(X);  // in one batch of 6, as the predictor's was
    EXPECT_EQ(block, network.predict(first.topRows(2))) << width;
  }
}

TYPED_TEST(PredictorTest, KeepsItsOwnCopyOfTheWeights) {
  using T = TypeParam;
  Network<T> network = random_network<T>(cases[0].inputs, cases[0].layers, cases[0].loss, 3);
  const Matrix<T> X = random_rows<T>(4, 3, 4);
  Predictor<T> predictor(network);
  const Matrix<T> before = network.predict(X);
  network.layers()[0].W.array() += T(1);
  EXPECT_EQ(Matrix<T>(predictor.predict(X)), before);
  EXPECT_NE(Matrix<T>(Predictor<T>(network).predict(X)), before);
}

TYPED_TEST(PredictorTest, RejectsTheWrongNumberOfColumnsAndBadShapes) {
  using T = TypeParam;
  Network<T> network = random_network<T>(cases[0].inputs, cases[0].layers, cases[0].loss, 5);
  Predictor<T> predictor(network);
  EXPECT_THROW(predictor.predict(Matrix<T>::Zero(2, 4)), ShapeError);
  network.layers()[1].W.resize(3, 4);  // no longer fits the 2 units before it
  EXPECT_THROW(Predictor<T>{network}, ShapeError);
}

}  // namespace
}  // namespace neurona
