// explain_step and its renderings: the tutorial's house step against a hand computation, the
// 3-2-4-1 step against what gradient descent applies, and the chain rule for one weight.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "neurona/error.hpp"
#include "neurona/explain.hpp"
#include "neurona/initialization.hpp"
#include "neurona/optimizer.hpp"
#include "neurona/tutorial.hpp"

namespace neurona {
namespace {

StepExplanation house_step() {
  const Dataset<double> data = tutorial::house_table<double>();
  return explain_step(tutorial::house_network<double>(), data.X, data.Y,
                      tutorial::house_learning_rate);
}

StepExplanation majority_step() {
  const Dataset<double> data = tutorial::majority_table<double>();
  return explain_step(tutorial::majority_network<double>(1), data.X, data.Y, 0.5);
}

// Row i (0-based) of the majority table alone.
StepExplanation majority_row_step(Index i) {
  const Dataset<double> data = tutorial::majority_table<double>();
  return explain_step(tutorial::majority_network<double>(1), data.X.row(i), data.Y.row(i), 0.5);
}

void expect_shape(const Matrix<double>& M, Index rows, Index cols, const std::string& what) {
  EXPECT_EQ(M.rows(), rows) << what;
  EXPECT_EQ(M.cols(), cols) << what;
}

TEST(Explain, HouseStepIsTheHandComputation) {
  const StepExplanation step = house_step();
  // By hand, as the tutorial: x = 50, y = 300, w1 = 0.5, b1 = 0.1, w2 = 0.4, b2 = 0.2.
  const double x = 50, y = 300, w1 = 0.5, b1 = 0.1, w2 = 0.4, b2 = 0.2, alpha = 1e-5;
  const double z1 = w1 * x + b1;                     // 25.1
  const double a1 = z1;                              // relu, z1 > 0
  const double yhat = w2 * a1 + b2;                  // 10.24
  const double E = 0.5 * (yhat - y) * (yhat - y);    // 41980.4288
  const double dE_dyhat = yhat - y;                  // -289.76, m = 1
  const double dW2 = dE_dyhat * a1, db2 = dE_dyhat;  // -7272.976, -289.76
  const double dA1 = dE_dyhat * w2;                  // -115.904
  const double relu_prime = 1;                       // z1 > 0
  const double dW1 = dA1 * relu_prime * x;           // -5795.2
  const double db1 = dA1 * relu_prime;               // -115.904
  EXPECT_NEAR(z1, 25.1, 1e-12);
  EXPECT_NEAR(yhat, 10.24, 1e-12);
  EXPECT_NEAR(E, 41980.4288, 1e-8);
  EXPECT_NEAR(dE_dyhat, -289.76, 1e-12);
  EXPECT_NEAR(dW1, -5795.2, 1e-9);
  EXPECT_NEAR(db1, -115.904, 1e-12);

  ASSERT_EQ(step.layers.size(), 2u);
  const LayerExplanation& hidden = step.layers[0];
  const LayerExplanation& out = step.layers[1];
  EXPECT_EQ(step.topology, "1-1-1");
  EXPECT_EQ(step.X(0, 0), x);
  EXPECT_EQ(step.Y(0, 0), y);
  EXPECT_NEAR(hidden.Z(0, 0), z1, 1e-12);
  EXPECT_NEAR(hidden.A(0, 0), a1, 1e-12);
  EXPECT_NEAR(out.Z(0, 0), yhat, 1e-12);
  EXPECT_NEAR(step.Yhat(0, 0), yhat, 1e-12);
  EXPECT_NEAR(step.E, E, 1e-8);
  EXPECT_NEAR(out.dA(0, 0), dE_dyhat, 1e-12);  // dE/dyhat = (yhat - y) / m, m = 1
  EXPECT_EQ(out.derivative(0, 0), 1);          // linear' = 1
  EXPECT_NEAR(out.dZ(0, 0), dE_dyhat, 1e-12);
  EXPECT_NEAR(out.dW(0, 0), dW2, 1e-9);
  EXPECT_NEAR(out.db(0, 0), db2, 1e-12);
  EXPECT_NEAR(out.dA_prev(0, 0), dA1, 1e-12);
  EXPECT_NEAR(hidden.dA(0, 0), dA1, 1e-12);
  EXPECT_EQ(hidden.derivative(0, 0), relu_prime);
  EXPECT_NEAR(hidden.dZ(0, 0), dA1 * relu_prime, 1e-12);
  EXPECT_NEAR(hidden.dW(0, 0), dW1, 1e-9);
  EXPECT_NEAR(hidden.db(0, 0), db1, 1e-12);
  EXPECT_EQ(hidden.dA_prev.size(), 0);  // no dX: X is data

  EXPECT_NEAR(hidden.W_after(0, 0), w1 - alpha * dW1, 1e-12);
  EXPECT_NEAR(hidden.b_after(0, 0), b1 - alpha * db1, 1e-12);
  EXPECT_NEAR(out.W_after(0, 0), w2 - alpha * dW2, 1e-12);
  EXPECT_NEAR(out.b_after(0, 0), b2 - alpha * db2, 1e-12);
  EXPECT_NEAR(hidden.W_after(0, 0), 0.557952, 1e-12);
  EXPECT_NEAR(hidden.b_after(0, 0), 0.10115904, 1e-12);
  EXPECT_NEAR(out.W_after(0, 0), 0.47272976, 1e-12);
  EXPECT_NEAR(out.b_after(0, 0), 0.2028976, 1e-12);
  // The parameters before the step are kept as they were.
  EXPECT_EQ(hidden.W(0, 0), w1);
  EXPECT_EQ(out.b(0, 0), b2);
}

TEST(Explain, HouseChainRuleIsTheTutorials) {
  StepExplanation step = house_step();
  const ChainRule rule = chain_rule(step, {1, 1, 1});
  // dC/dw1 = (yhat - y) * w2 * relu'(z1) * x1 = (10.24 - 300) * 0.4 * 1 * 50 = -5795.2
  ASSERT_EQ(rule.path.size(), 4u);
  EXPECT_EQ(rule.path[0].symbol, "(yhat - y)");
  ASSERT_TRUE(rule.path[0].difference);
  EXPECT_NEAR(rule.path[0].difference->first, 10.24, 1e-12);
  EXPECT_EQ(rule.path[0].difference->second, 300);
  EXPECT_NEAR(rule.path[0].value, -289.76, 1e-12);
  EXPECT_EQ(rule.path[1].symbol, "w^2_11");
  EXPECT_EQ(rule.path[1].value, 0.4);
  EXPECT_EQ(rule.path[2].symbol, "relu'(z^1_1)");
  EXPECT_EQ(rule.path[2].value, 1);
  EXPECT_EQ(rule.path[3].symbol, "x_1");
  EXPECT_EQ(rule.path[3].value, 50);
  double product = 1;
  for (const ChainFactor& factor : rule.path)
    product *= factor.value;
  EXPECT_NEAR(product, -5795.2, 1e-9);
  EXPECT_NEAR(product, rule.dW, 1e-9);
  EXPECT_EQ(rule.dW, step.layers[0].dW(0, 0));
  EXPECT_NEAR(rule.db, -115.904, 1e-12);
  // One layer down: dz^1_1 = dz^2_1 w^2_11 relu'(z^1_1).
  ASSERT_EQ(rule.next_terms.size(), 1u);
  EXPECT_NEAR(rule.next_terms[0].first.value * rule.next_terms[0].second.value, rule.da, 1e-12);
  EXPECT_NEAR(rule.input * rule.dz, rule.dW, 1e-9);

  step.chain = rule;
  const std::string text = explanation_text(step, 10);
  for (const char* expected :
       {"dE/dw^1_11 = (yhat - y) * w^2_11 * relu'(z^1_1) * x_1", "= (10.24 - 300) * 0.4 * 1 * 50",
        "= -5795.2   (neurona's dW^1[1][1] = -5795.2)",
        "dE/db^1_1 = (yhat - y) * w^2_11 * relu'(z^1_1)",
        "= -115.904   (neurona's db^1[1] = -115.904)", "41980.4288", "0.10115904", "0.47272976"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
}

TEST(Explain, MajorityMatricesHaveTheTutorialsShapes) {
  const StepExplanation step = majority_step();
  EXPECT_EQ(step.topology, "3-2-4-1");
  expect_shape(step.X, 8, 3, "X");
  expect_shape(step.Y, 8, 1, "Y");
  expect_shape(step.Yhat, 8, 1, "Yhat");
  ASSERT_EQ(step.layers.size(), 3u);
  const Index widths[] = {3, 2, 4, 1};
  for (std::size_t l = 0; l < 3; ++l) {
    const LayerExplanation& layer = step.layers[l];
    const Index n_in = widths[l], n_out = widths[l + 1];
    const std::string name = "layer " + std::to_string(l + 1);
    EXPECT_EQ(layer.layer, Index(l + 1));
    expect_shape(layer.W, n_in, n_out, name + " W");
    expect_shape(layer.b, 1, n_out, name + " b");
    for (const auto* M : {&layer.Z, &layer.A, &layer.dA, &layer.derivative, &layer.dZ})
      expect_shape(*M, 8, n_out, name + " Z, A, dA, sigma' or dZ");
    expect_shape(layer.dW, n_in, n_out, name + " dW");
    expect_shape(layer.db, 1, n_out, name + " db");
    expect_shape(layer.W_after, n_in, n_out, name + " W after");
    expect_shape(layer.b_after, 1, n_out, name + " b after");
    if (l == 0)
      EXPECT_EQ(layer.dA_prev.size(), 0);
    else
      expect_shape(layer.dA_prev, 8, n_in, name + " dA_prev");
  }
  EXPECT_EQ(step.layers[0].activation, Activation::sigmoid);
  EXPECT_EQ(step.layers[2].activation, Activation::linear);
}

TEST(Explain, MajorityUpdateIsWhatGradientDescentApplied) {
  const StepExplanation step = majority_step();
  // The same step, run directly as training runs it.
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> network = tutorial::majority_network<double>(1);
  GradientDescent<double> optimizer(0.5);
  network.forward(data.X);
  const double E = network.loss(data.Y);
  network.backward(data.Y);
  const std::vector<DenseLayer<double>> before = network.layers();
  optimizer.step(network);

  EXPECT_EQ(step.E, E);
  for (std::size_t l = 0; l < step.layers.size(); ++l) {
    const LayerExplanation& layer = step.layers[l];
    // Bit for bit: the same code on the same numbers.
    EXPECT_EQ(layer.dW, before[l].dW) << "layer " << l + 1;
    EXPECT_EQ(layer.db, Matrix<double>(before[l].db)) << "layer " << l + 1;
    EXPECT_EQ(layer.W_after, network.layers()[l].W) << "layer " << l + 1;
    EXPECT_EQ(layer.b_after, Matrix<double>(network.layers()[l].b)) << "layer " << l + 1;
    // p <- p - alpha dE/dp.
    EXPECT_TRUE(layer.W_after.isApprox(layer.W - 0.5 * layer.dW, 1e-15)) << "layer " << l + 1;
    EXPECT_TRUE(layer.b_after.isApprox(layer.b - 0.5 * layer.db, 1e-15)) << "layer " << l + 1;
    EXPECT_GT(layer.dW.norm(), 0) << "layer " << l + 1;
  }
}

TEST(Explain, BackwardMatricesAreConsistent) {
  const StepExplanation step = majority_step();
  const Index L = Index(step.layers.size());
  const auto& out = step.layers.back();
  EXPECT_TRUE(out.dA.isApprox((step.Yhat - step.Y) / 8.0, 1e-15));  // dE/dyhat = (yhat - y) / m
  for (Index l = 0; l < L; ++l) {
    const LayerExplanation& layer = step.layers[std::size_t(l)];
    // dZ = dA (.) sigma'(Z); sigmoid' = a (1 - a).
    EXPECT_TRUE(layer.dZ.isApprox(Matrix<double>(layer.dA.cwiseProduct(layer.derivative)), 1e-14));
    if (layer.activation == Activation::sigmoid) {
      EXPECT_TRUE(layer.derivative.isApprox(Matrix<double>(layer.A.array() * (1 - layer.A.array())),
                                            1e-15));
    }
    const Matrix<double>& A_prev = l == 0 ? step.X : step.layers[std::size_t(l - 1)].A;
    EXPECT_TRUE(layer.dW.isApprox(A_prev.transpose() * layer.dZ, 1e-14));
    if (l > 0) {
      EXPECT_TRUE(layer.dA_prev.isApprox(layer.dZ * layer.W.transpose(), 1e-14));
      EXPECT_EQ(step.layers[std::size_t(l - 1)].dA, layer.dA_prev);
    }
  }
}

TEST(Explain, ChainRuleOfADeepWeightIsItsDW) {
  StepExplanation step = majority_row_step(4);  // row 5: 011 -> 1
  ASSERT_EQ(step.X.rows(), 1);
  // W^1[2][1]: four paths through layer 2, so no single product; one layer down instead.
  const ChainRule first = chain_rule(step, {1, 2, 1});
  EXPECT_TRUE(first.path.empty());
  ASSERT_EQ(first.next_terms.size(), 4u);
  double da = 0;
  for (const auto& [dz, w] : first.next_terms)
    da += dz.value * w.value;
  EXPECT_NEAR(da, first.da, 1e-15);
  ASSERT_TRUE(first.derivative);
  EXPECT_NEAR(da * first.derivative->value, first.dz, 1e-15);
  EXPECT_NEAR(first.input * first.dz, first.dW, 1e-15);
  EXPECT_EQ(first.dW, step.layers[0].dW(1, 0));
  EXPECT_NE(first.dW, 0);

  // W^2[2][3]: one path, through the single output node.
  const ChainRule second = chain_rule(step, {2, 2, 3});
  ASSERT_EQ(second.path.size(), 4u);  // (yhat - y) * w^3_31 * sigmoid'(z^2_3) * a^1_2
  EXPECT_EQ(second.path[1].symbol, "w^3_31");
  EXPECT_EQ(second.path[2].symbol, "sigmoid'(z^2_3)");
  EXPECT_EQ(second.path[3].symbol, "a^1_2");
  double product = 1;
  for (const ChainFactor& factor : second.path)
    product *= factor.value;
  EXPECT_NEAR(product, second.dW, 1e-15);

  // W^3[4][1], the output layer: (yhat - y) * a^2_4.
  const ChainRule third = chain_rule(step, {3, 4, 1});
  ASSERT_EQ(third.path.size(), 2u);
  ASSERT_TRUE(third.top);
  EXPECT_NEAR(third.path[0].value * third.path[1].value, third.dW, 1e-15);

  step.chain = first;
  const std::string text = explanation_text(step, 6);
  EXPECT_NE(
      text.find("da^1_1 = dz^2_1 * w^2_11 + dz^2_2 * w^2_12 + dz^2_3 * w^2_13 + dz^2_4 * w^2_14"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("dz^1_1 = da^1_1 * sigmoid'(z^1_1)"), std::string::npos) << text;
}

TEST(Explain, ChainRuleRefusesManyRowsAndMissingWeights) {
  const StepExplanation batch = majority_step();
  EXPECT_THROW(chain_rule(batch, {1, 1, 1}), UsageError);
  const StepExplanation row = majority_row_step(0);
  for (const WeightIndex weight : {WeightIndex{0, 1, 1}, WeightIndex{4, 1, 1}, WeightIndex{1, 4, 1},
                                   WeightIndex{1, 1, 3}, WeightIndex{3, 1, 2}}) {
    try {
      chain_rule(row, weight);
      ADD_FAILURE() << weight.layer << "," << weight.row << "," << weight.col;
    } catch (const UsageError& e) {
      EXPECT_NE(std::string(e.what()).find("weight"), std::string::npos) << e.what();
    }
  }
}

TEST(Explain, RefusesABadLearningRateAndShapes) {
  const Dataset<double> data = tutorial::majority_table<double>();
  EXPECT_THROW(explain_step(tutorial::majority_network<double>(1), data.X, data.Y, 0), UsageError);
  EXPECT_THROW(explain_step(tutorial::majority_network<double>(1), data.X, data.Y, -1), UsageError);
  EXPECT_THROW(explain_step(tutorial::majority_network<double>(1), data.X.leftCols(2), data.Y, 0.5),
               ShapeError);
  EXPECT_THROW(explain_step(tutorial::majority_network<double>(1), data.X, data.Y.topRows(3), 0.5),
               ShapeError);
  // Parameters or activations past double's range are errors, not matrices of inf.
  const Dataset<double> house = tutorial::house_table<double>();
  EXPECT_THROW(explain_step(tutorial::house_network<double>(), house.X, house.Y, 1e308),
               UsageError);
  Network<double> huge = tutorial::majority_network<double>(1);
  huge.layers()[0].W.setConstant(1e308);
  huge.layers()[0].activation = Activation::linear;
  EXPECT_THROW(explain_step(huge, data.X, data.Y, 0.5), InputError);
}

TEST(Explain, FusedLossesStartFromDZ) {
  // sigmoid + binary cross-entropy: dZ^L = (yhat - y) / m, with no dE/dyhat or sigma' formed.
  const Dataset<double> data = tutorial::majority_table<double>();
  Network<double> network(3, {{2, Activation::tanh}, {1, Activation::sigmoid}},
                          Loss::binary_cross_entropy);
  initialize(network, 3);
  const StepExplanation step = explain_step(network, data.X, data.Y, 0.5);
  const LayerExplanation& out = step.layers.back();
  EXPECT_EQ(out.dA.size(), 0);
  EXPECT_EQ(out.derivative.size(), 0);
  EXPECT_TRUE(out.dZ.isApprox((step.Yhat - step.Y) / 8.0, 1e-15));
  EXPECT_TRUE(step.layers[0].derivative.isApprox(
      Matrix<double>(1 - step.layers[0].A.array().square()), 1e-15));
  const std::string text = explanation_text(step);
  EXPECT_NE(text.find("dZ^2 = (yhat - y) / m: sigmoid and binary_cross_entropy together"),
            std::string::npos)
      << text;

  // softmax + cross-entropy on one row, with the chain rule of a hidden weight.
  Network<double> softmax(3, {{2, Activation::relu}, {2, Activation::softmax}},
                          Loss::cross_entropy);
  initialize(softmax, 5);
  Matrix<double> X(1, 3), Y(1, 2);
  X << 1, 0.5, -0.25;
  Y << 0, 1;
  StepExplanation one = explain_step(softmax, X, Y, 0.1);
  EXPECT_TRUE(one.layers.back().dZ.isApprox(one.Yhat - Y, 1e-15));
  const ChainRule rule = chain_rule(one, {2, 1, 2});  // output layer: (yhat_2 - y_2) * a^1_1
  ASSERT_EQ(rule.path.size(), 2u);
  EXPECT_EQ(rule.path[0].symbol, "(yhat_2 - y_2)");
  EXPECT_NEAR(rule.path[0].value * rule.path[1].value, rule.dW, 1e-15);
  one.chain = chain_rule(one, {1, 1, 1});
  EXPECT_NO_THROW(explanation_text(one));
  EXPECT_NO_THROW(explanation_markdown(one));
}

TEST(Explain, TextShowsEveryMatrixWithItsShape) {
  const StepExplanation step = majority_step();
  const std::string text = explanation_text(step, 6);
  for (const char* expected :
       {"X (8 x 3)", "y (8 x 1)", "W^1 (3 x 2)", "b^1 (1 x 2)",
        "Z^1 (8 x 2) = X (8 x 3) W^1 (3 x 2) + b^1 (1 x 2)", "A^1 (8 x 2) = sigmoid(Z^1)",
        "Z^2 (8 x 4) = A^1 (8 x 2) W^2 (2 x 4)", "A^3 (8 x 1) = linear(Z^3) = yhat", "yhat (8 x 1)",
        "E = 1/m sum_i 1/2 sum_j (yhat_ij - y_ij)^2 =", "dE/dyhat (8 x 1) = (yhat - y) / 8",
        "sigmoid'(Z^2) (8 x 4)", "dZ^2 (8 x 4) = dA^2 (.) sigmoid'(Z^2)",
        "dW^2 (2 x 4) = A^1^T (2 x 8) dZ^2 (8 x 4)", "db^2 (1 x 4)",
        "dA^1 (8 x 2) = dZ^2 (8 x 4) W^2^T (4 x 2)", "W^3 (4 x 1) <- W^3 - 0.5 dW^3",
        "b^3 (1 x 1) <- b^3 - 0.5 db^3"})
    EXPECT_NE(text.find(expected), std::string::npos) << expected;
  EXPECT_EQ(text.find('`'), std::string::npos);  // markdown's code marks stay out of text
  // Forward before error before backward before update.
  EXPECT_LT(text.find("Forward pass"), text.find("Error"));
  EXPECT_LT(text.find("Error"), text.find("Backward pass"));
  EXPECT_LT(text.find("Backward pass"), text.find("Update"));
}

TEST(Explain, MarkdownFencesEveryMatrix) {
  const StepExplanation step = house_step();
  const std::string markdown = explanation_markdown(step, 10);
  EXPECT_EQ(markdown.rfind("# ", 0), 0u);
  EXPECT_NE(markdown.find("## Forward pass"), std::string::npos);
  EXPECT_NE(markdown.find("```text\nX (1 x 1)\n  [ 50 ]"), std::string::npos) << markdown;
  std::size_t fences = 0;
  for (std::size_t at = markdown.find("```"); at != std::string::npos;
       at = markdown.find("```", at + 3))
    ++fences;
  EXPECT_GT(fences, 0u);
  EXPECT_EQ(fences % 2, 0u);
  EXPECT_NE(markdown.find("`E = 1/m sum_i 1/2 sum_j (yhat_ij - y_ij)^2 = 41980.4288`"),
            std::string::npos);
}

TEST(Explain, JsonHoldsEveryNumberExactly) {
  StepExplanation step = house_step();
  step.chain = chain_rule(step, {1, 1, 1});
  const nlohmann::json json = nlohmann::json::parse(explanation_json(step));
  EXPECT_EQ(json["topology"], "1-1-1");
  EXPECT_EQ(json["loss"]["name"], "half_squared_error");
  EXPECT_EQ(json["learning_rate"].get<double>(), 1e-5);
  EXPECT_EQ(json["E"].get<double>(), step.E);
  EXPECT_EQ(json["X"]["shape"], nlohmann::json({1, 1}));
  ASSERT_EQ(json["layers"].size(), 2u);
  const auto& hidden = json["layers"][0];
  EXPECT_EQ(hidden["activation"], "relu");
  EXPECT_EQ(hidden["dW"]["values"][0][0].get<double>(), step.layers[0].dW(0, 0));
  EXPECT_EQ(hidden["W_after"]["values"][0][0].get<double>(), step.layers[0].W_after(0, 0));
  EXPECT_EQ(hidden["b_after"]["values"][0][0].get<double>(), step.layers[0].b_after(0, 0));
  EXPECT_TRUE(hidden["dA_prev"].is_null());
  EXPECT_EQ(json["layers"][1]["dA"]["values"][0][0].get<double>(), step.layers[1].dA(0, 0));
  EXPECT_EQ(json["chain_rule"]["path"].size(), 4u);
  EXPECT_EQ(json["chain_rule"]["dW"].get<double>(), step.layers[0].dW(0, 0));

  const StepExplanation majority = majority_step();
  const nlohmann::json big = nlohmann::json::parse(explanation_json(majority));
  EXPECT_EQ(big["layers"][1]["W"]["shape"], nlohmann::json({2, 4}));
  for (Index i = 0; i < 8; ++i)
    for (Index j = 0; j < 2; ++j)
      EXPECT_EQ(big["layers"][0]["Z"]["values"][i][j].get<double>(), majority.layers[0].Z(i, j));
  EXPECT_FALSE(big.contains("chain_rule"));
}

}  // namespace
}  // namespace neurona
