// One training step shown in the tutorial's notation: every matrix of the forward pass, the error,
// the backward pass and the update, recorded from the library's own forward, backward and
// gradient-descent code, and rendered as text, markdown or JSON for a student to follow.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "neurona/activation.hpp"
#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"
#include "neurona/network.hpp"

namespace neurona {

// Symbols follow the tutorial: m = rows of the batch; A^0 = X (m x n_0); layer l holds W^l
// (n_(l-1) x n_l) and b^l (1 x n_l) and computes Z^l and A^l (m x n_l); a leading d is dE/d(that).

// Layer l of the step, with l counted from 1 as in W^l.
struct LayerExplanation {
  Index layer = 0;
  Activation activation = Activation::linear;
  std::string activation_formula;  // "sigmoid(z) = 1 / (1 + e^-z)"
  std::string derivative_formula;  // "sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)) = a (1 - a)"

  // Forward: Z^l = A^(l-1) W^l + b^l, A^l = sigma(Z^l). W and b as they were before the step.
  Matrix<double> W;  // n_(l-1) x n_l
  Matrix<double> b;  // 1 x n_l
  Matrix<double> Z;  // m x n_l
  Matrix<double> A;  // m x n_l

  // Backward. dA is dE/dA^l (for the output layer dE/dyhat), m x n_l; derivative is sigma'(Z^l),
  // m x n_l. Both are empty where they are not formed: the output layer of a loss whose gradient
  // is written on Z (sigmoid + binary cross-entropy, softmax + cross-entropy), and softmax, whose
  // derivative is a Jacobian per row rather than one number per entry.
  Matrix<double> dA;
  Matrix<double> derivative;
  Matrix<double> dZ;       // dZ^l = dA^l (.) sigma'(Z^l), m x n_l
  Matrix<double> dW;       // dW^l = A^(l-1)^T dZ^l, n_(l-1) x n_l
  Matrix<double> db;       // db^l = sum over the rows of dZ^l, 1 x n_l
  Matrix<double> dA_prev;  // dA^(l-1) = dZ^l W^l^T, m x n_(l-1); empty for layer 1 (X is data)

  // After p <- p - alpha dE/dp.
  Matrix<double> W_after;  // n_(l-1) x n_l
  Matrix<double> b_after;  // 1 x n_l
};

// Which weight the chain rule is written for: w^l_kj = W^l[k][j], all 1-based.
struct WeightIndex {
  Index layer = 1;
  Index row = 1;  // k: node k of layer l-1 (input k for layer 1)
  Index col = 1;  // j: node j of layer l
};

// One factor of a chain-rule product, as "relu'(z^1_1)" = 1. A factor that is a difference, the
// tutorial's (yhat - y), keeps both terms so that it can be written "(10.24 - 300)".
struct ChainFactor {
  std::string symbol;
  double value = 0;
  std::optional<std::pair<double, double>> difference;  // (yhat, y) when value = yhat - y
};

// dE/dw for one weight of a one-row step (m = 1, so dE/dyhat = yhat - y as in the tutorial).
struct ChainRule {
  WeightIndex weight;
  std::string weight_symbol;  // "w^1_11"
  std::string input_symbol;   // a^(l-1)_k: "x_1" for layer 1, else "a^1_2"
  double input = 0;           // its value
  std::string dz_symbol;      // "dz^1_1", dE/dz^l_j
  double dz = 0;              // dZ^l[1][j], as backward computed it
  double dW = 0;              // dW^l[k][j], as backward computed it and the update used
  double db = 0;              // db^l[j]: the same chain without its last factor

  // The tutorial's form, when exactly one path leads from w to the error (every later layer has
  // one node, or w is in the output layer): dE/dw is the product of these factors, from the
  // error down to w's input, e.g. (yhat - y) * w^2_11 * relu'(z^1_1) * x_1. Empty otherwise.
  std::vector<ChainFactor> path;

  // Always: dE/dw = a^(l-1)_k * dz^l_j, with dz^l_j expanded one layer down. For the output
  // layer, top holds dE/dyhat_j (or the fused (yhat_j - y_j) / m) and next_terms is empty, so
  // dz^L_j = top * sigma'(z^L_j). For a hidden layer, dz^l_j = da^l_j * sigma'(z^l_j) with
  // da^l_j = sum_q dz^(l+1)_q w^(l+1)_jq, one term per node q of the layer above.
  std::optional<ChainFactor> top;
  std::vector<std::pair<ChainFactor, ChainFactor>> next_terms;  // (dz^(l+1)_q, w^(l+1)_jq)
  double da = 0;  // dA^l[1][j], as backpropagation formed it (hidden layers)
  std::optional<ChainFactor> derivative;  // sigma'(z^l_j); empty when linear' = 1 is left out
                                          // or when the layer's derivative is not element-wise
  bool derivative_is_one = false;         // the layer is linear
};

// One step of full-batch gradient descent on X (m x n_in) and Y (m x n_out).
struct StepExplanation {
  std::string title;        // what network and data, for the heading
  std::string topology;     // "3-2-4-1"
  std::vector<Index> rows;  // the 1-based rows of the data that form X; empty: every row
  Loss loss = Loss::half_squared_error;
  std::string loss_formula;      // "E = 1/m sum_i 1/2 sum_j (yhat_ij - y_ij)^2"
  std::string gradient_formula;  // "dE/dyhat = (yhat - y) / m", as neurona computes it
  double learning_rate = 0;      // alpha

  Matrix<double> X;     // m x n_in
  Matrix<double> Y;     // m x n_out, the targets y
  Matrix<double> Yhat;  // m x n_out, A of the last layer
  double E = 0;         // the error of this forward pass, before the update

  std::vector<LayerExplanation> layers;  // first to last
  std::optional<ChainRule> chain;        // set by the caller from chain_rule(), when wanted
};

// Runs one step of plain gradient descent with learning rate alpha on a copy of `network` through
// the library's own Network::forward, loss, backward and GradientDescent::step, and records every
// matrix. Throws ShapeError when X or Y does not fit the network, UsageError for alpha <= 0 or an
// alpha that takes a parameter past double's range, InputError when the forward or backward pass
// overflows.
StepExplanation explain_step(Network<double> network, const Matrix<double>& X,
                             const Matrix<double>& Y, double learning_rate);

// dE/dw for w = W^layer[row][col] (1-based) of a one-row step, from the recorded matrices.
// Throws UsageError when the step has more than one row or the weight does not exist.
ChainRule chain_rule(const StepExplanation& step, WeightIndex weight);

// The step as aligned text: every matrix under a "name (m x n) = equation" header, numbers to
// `digits` significant digits.
std::string explanation_text(const StepExplanation& step, int digits = 10);

// The same as markdown: headings, equations in `code`, matrices in ``` blocks.
std::string explanation_markdown(const StepExplanation& step, int digits = 10);

// The same as one JSON object; every number written so that it reads back to the same double.
std::string explanation_json(const StepExplanation& step);

}  // namespace neurona
