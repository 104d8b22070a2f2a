// One training step recorded from the library's own code path, and its renderings. Nothing here
// computes a gradient of its own: every number shown comes from Network::forward, loss, backward,
// DenseLayer::backward, loss_gradient, activation_backward or GradientDescent::step.
#include "neurona/explain.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "neurona/dense_layer.hpp"
#include "neurona/error.hpp"
#include "neurona/optimizer.hpp"

namespace neurona {
namespace {

std::string activation_formula(Activation activation) {
  switch (activation) {
    case Activation::linear:
      return "linear(z) = z";
    case Activation::sigmoid:
      return "sigmoid(z) = 1 / (1 + e^-z)";
    case Activation::tanh:
      return "tanh(z) = (e^z - e^-z) / (e^z + e^-z)";
    case Activation::relu:
      return "relu(z) = max(0, z)";
    case Activation::leaky_relu:
      return fmt::format("leaky_relu(z) = z if z > 0, else {} z", leaky_relu_slope);
    case Activation::softmax:
      return "softmax(z)_j = e^z_j / sum_k e^z_k, over each row";
  }
  return "";
}

std::string derivative_formula(Activation activation) {
  switch (activation) {
    case Activation::linear:
      return "linear'(z) = 1";
    case Activation::sigmoid:
      return "sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)) = a (1 - a)";
    case Activation::tanh:
      return "tanh'(z) = 1 - tanh(z)^2 = 1 - a^2";
    case Activation::relu:
      return "relu'(z) = 1 if z > 0, else 0";
    case Activation::leaky_relu:
      return fmt::format("leaky_relu'(z) = 1 if z > 0, else {}", leaky_relu_slope);
    case Activation::softmax:
      return "d softmax(z)_j / d z_k = a_j (delta_jk - a_k), a Jacobian per row: "
             "dZ = A (.) (dA - sum_j dA_j A_j)";
  }
  return "";
}

std::string loss_formula(Loss loss) {
  switch (loss) {
    case Loss::half_squared_error:
      return "E = 1/m sum_i 1/2 sum_j (yhat_ij - y_ij)^2";
    case Loss::binary_cross_entropy:
      return "E = -1/m sum_i sum_j [y_ij log yhat_ij + (1 - y_ij) log(1 - yhat_ij)]";
    case Loss::cross_entropy:
      return "E = -1/m sum_i sum_j y_ij log yhat_ij";
  }
  return "";
}

// The gradient neurona starts backpropagation with (src/loss.cpp, loss_gradient).
std::string gradient_formula(Loss loss, Activation output, Index layers) {
  if (loss == Loss::half_squared_error) return "dE/dyhat = (yhat - y) / m";
  return fmt::format("dZ^{} = (yhat - y) / m: {} and {} together, whose derivatives cancel", layers,
                     to_string(output), to_string(loss));
}

// True where backpropagation starts from dE/dyhat and multiplies by sigma'(Z) of the output, false
// where loss_gradient writes dE/dZ of the output directly (the fused, stable forms).
bool has_dE_dyhat(Loss loss) {
  return loss == Loss::half_squared_error;
}

}  // namespace

StepExplanation explain_step(Network<double> network, const Matrix<double>& X,
                             const Matrix<double>& Y, double learning_rate) {
  GradientDescent<double> optimizer(learning_rate);  // throws UsageError for alpha <= 0
  auto& layers = network.layers();
  const Index L = Index(layers.size());

  StepExplanation step;
  step.topology = network.topology();
  step.loss = network.loss_type();
  step.loss_formula = loss_formula(step.loss);
  step.gradient_formula = gradient_formula(step.loss, layers.back().activation, L);
  step.learning_rate = learning_rate;
  step.X = X;
  step.Y = Y;

  // The training step itself, as Trainer runs it: every gradient from one forward pass, then the
  // update. Only the recording below is added around it.
  step.Yhat = network.forward(X);
  step.E = network.loss(Y);
  network.backward(Y);

  for (Index l = 0; l < L; ++l) {
    const DenseLayer<double>& layer = layers[std::size_t(l)];
    LayerExplanation out;
    out.layer = l + 1;
    out.activation = layer.activation;
    out.activation_formula = activation_formula(layer.activation);
    out.derivative_formula = derivative_formula(layer.activation);
    out.W = layer.W;
    out.b = layer.b;
    out.Z = layer.Z();
    out.A = layer.A();
    out.dZ = layer.dZ();
    out.dW = layer.dW;
    out.db = layer.db;
    // sigma'(Z) as activation_backward applies it: dZ = dA (.) sigma'(Z) with dA all ones.
    const bool fused_output = l + 1 == L && !has_dE_dyhat(step.loss);
    if (layer.activation != Activation::softmax && !fused_output) {
      const Matrix<double> ones = Matrix<double>::Ones(out.Z.rows(), out.Z.cols());
      activation_backward(layer.activation, out.Z, out.A, ones, out.derivative);
    }
    // dA_prev = dZ W^T is the one value Network::backward does not keep: it writes it into the
    // previous layer's dZ and multiplies by sigma' there, in place. So it is formed again here by
    // DenseLayer::backward itself, on a copy of the layer with the same dZ, W and A_prev.
    if (l > 0) {
      DenseLayer<double> copy = layer;
      const auto& A_prev = step.layers[std::size_t(l - 1)].A;
      out.dA_prev.resize(A_prev.rows(), A_prev.cols());
      copy.backward(A_prev, out.dA_prev);
    }
    step.layers.push_back(std::move(out));
  }
  // dE/dA^l: the next layer's dA_prev for a hidden layer; dE/dyhat = (yhat - Y) / m for the
  // output, from loss_gradient with a linear output so that no sigma' is applied yet.
  for (Index l = 0; l + 1 < L; ++l)
    step.layers[std::size_t(l)].dA = step.layers[std::size_t(l + 1)].dA_prev;
  if (has_dE_dyhat(step.loss)) {
    const LayerExplanation& output = step.layers.back();
    loss_gradient(step.loss, Activation::linear, output.Z, output.A, Y, step.layers.back().dA);
  }

  // A matrix of inf or NaN would be printed as such (null in JSON) as if it were a result. The
  // first named is where the overflow starts: forward from the first layer, then backward from
  // the last, as the values were computed.
  auto check = [](const Matrix<double>& m, const char* name, Index layer) {
    if (!m.allFinite())
      throw InputError(fmt::format(
          "the step overflows double at {}^{}: the network's weights and these rows give values "
          "beyond 1.8e308",
          name, layer));
  };
  for (const LayerExplanation& layer : step.layers) {
    check(layer.Z, "Z", layer.layer);
    check(layer.A, "A", layer.layer);
  }
  for (auto layer = step.layers.rbegin(); layer != step.layers.rend(); ++layer) {
    check(layer->dZ, "dZ", layer->layer);
    check(layer->dW, "dW", layer->layer);
    check(layer->db, "db", layer->layer);
    check(layer->dA_prev, "dA", layer->layer - 1);  // dA^(l-1) = dZ^l W^l^T
  }
  if (!std::isfinite(step.E))
    throw InputError(fmt::format("the error E of these rows overflows double: {}", step.E));

  optimizer.step(network);
  for (Index l = 0; l < L; ++l) {
    step.layers[std::size_t(l)].W_after = layers[std::size_t(l)].W;
    step.layers[std::size_t(l)].b_after = layers[std::size_t(l)].b;
    if (!layers[std::size_t(l)].W.allFinite() || !layers[std::size_t(l)].b.allFinite())
      throw UsageError(fmt::format(
          "--lr {}: the step overflows: W^{} or b^{} after it is beyond 1.8e308; lower the "
          "learning rate",
          learning_rate, l + 1, l + 1));
  }
  return step;
}

namespace {

// x_k for the first layer, else a^(l-1)_k: node k of the layer before.
std::string input_symbol(Index layer, Index k) {
  return layer == 1 ? fmt::format("x_{}", k) : fmt::format("a^{}_{}", layer - 1, k);
}

// The factor where the chain rule starts at output node j (0-based), for one row: (yhat - y),
// the dE/dyhat of loss_gradient with m = 1, or for a fused loss its dE/dz^L.
ChainFactor top_factor(const StepExplanation& step, Index j) {
  const LayerExplanation& output = step.layers.back();
  const bool single = output.A.cols() == 1;
  ChainFactor factor;
  factor.symbol = single ? "(yhat - y)" : fmt::format("(yhat_{0} - y_{0})", j + 1);
  factor.value = has_dE_dyhat(step.loss) ? output.dA(0, j) : output.dZ(0, j);
  factor.difference = std::make_pair(step.Yhat(0, j), step.Y(0, j));
  return factor;
}

// sigma'(z^l_j) of layer l (1-based) at node j (0-based), or nothing where the factor is 1
// (linear) or not one number (softmax, or a fused output, whose dZ is written directly).
std::optional<ChainFactor> derivative_factor(const LayerExplanation& layer, Index j) {
  if (layer.activation == Activation::linear || layer.derivative.size() == 0) return std::nullopt;
  return ChainFactor{fmt::format("{}'(z^{}_{})", to_string(layer.activation), layer.layer, j + 1),
                     layer.derivative(0, j), std::nullopt};
}

}  // namespace

ChainRule chain_rule(const StepExplanation& step, WeightIndex weight) {
  if (step.X.rows() != 1)
    throw UsageError(
        fmt::format("the chain rule is written for one row; this step has {}", step.X.rows()));
  const Index L = Index(step.layers.size());
  if (weight.layer < 1 || weight.layer > L)
    throw UsageError(fmt::format("weight {},{},{}: there is no layer {}; the network has {} layers",
                                 weight.layer, weight.row, weight.col, weight.layer, L));
  const LayerExplanation& layer = step.layers[std::size_t(weight.layer - 1)];
  if (weight.row < 1 || weight.row > layer.W.rows() || weight.col < 1 ||
      weight.col > layer.W.cols())
    throw UsageError(
        fmt::format("weight {},{},{}: W^{} is {} x {}, so its row is 1 to {} and its "
                    "column 1 to {}",
                    weight.layer, weight.row, weight.col, weight.layer, layer.W.rows(),
                    layer.W.cols(), layer.W.rows(), layer.W.cols()));
  const Index l = weight.layer, k = weight.row - 1, j = weight.col - 1;  // k, j 0-based

  ChainRule rule;
  rule.weight = weight;
  rule.weight_symbol = fmt::format("w^{}_{}{}", l, k + 1, j + 1);
  rule.input_symbol = input_symbol(l, k + 1);
  rule.input = l == 1 ? step.X(0, k) : step.layers[std::size_t(l - 2)].A(0, k);
  rule.dz_symbol = fmt::format("dz^{}_{}", l, j + 1);
  rule.dz = layer.dZ(0, j);
  rule.dW = layer.dW(k, j);
  rule.db = layer.db(0, j);

  // dz^l_j one layer down.
  if (l == L) {
    rule.top = top_factor(step, j);
  } else {
    const LayerExplanation& next = step.layers[std::size_t(l)];
    rule.da = layer.dA(0, j);
    for (Index q = 0; q < next.W.cols(); ++q)
      rule.next_terms.push_back(
          {ChainFactor{fmt::format("dz^{}_{}", l + 1, q + 1), next.dZ(0, q), std::nullopt},
           ChainFactor{fmt::format("w^{}_{}{}", l + 1, j + 1, q + 1), next.W(j, q), std::nullopt}});
  }
  rule.derivative = derivative_factor(layer, j);
  rule.derivative_is_one = layer.activation == Activation::linear;

  // The tutorial's single path, from the error down to w's input: possible when every layer above
  // l has one node and each sigma' on the way is one number. Hidden layers are element-wise
  // (softmax is for outputs only); the output is too unless it is softmax under squared error.
  bool single_path = true;
  for (Index p = l + 1; p <= L; ++p)
    single_path = single_path && step.layers[std::size_t(p - 1)].W.cols() == 1;
  const LayerExplanation& output = step.layers.back();
  if (has_dE_dyhat(step.loss) && output.derivative.size() == 0) single_path = false;
  if (single_path) {
    const Index out_node = l == L ? j : 0;
    rule.path.push_back(top_factor(step, out_node));
    if (has_dE_dyhat(step.loss))
      if (auto d = derivative_factor(output, out_node)) rule.path.push_back(*d);
    for (Index p = L; p > l; --p) {
      // Layer p's weight from the node on the path below it, then that node's sigma'.
      const Index below = p - 1 == l ? j : 0;
      const LayerExplanation& upper = step.layers[std::size_t(p - 1)];
      rule.path.push_back(
          ChainFactor{fmt::format("w^{}_{}1", p, below + 1), upper.W(below, 0), std::nullopt});
      if (auto d = derivative_factor(step.layers[std::size_t(p - 2)], below))
        rule.path.push_back(*d);
    }
    rule.path.push_back(ChainFactor{rule.input_symbol, rule.input, std::nullopt});
  }
  return rule;
}

// ---- Rendering ----------------------------------------------------------------------------------

namespace {

enum class Style { text, markdown };

// A number to `digits` significant digits; -0 is written 0.
std::string number(double value, int digits) {
  if (value == 0) value = 0;
  return fmt::format("{:.{}g}", value, digits);
}

// A number as a factor of a product: negative ones in parentheses, so that "* -0.3" never shows.
std::string factor_value(const ChainFactor& factor, int digits) {
  if (factor.difference)
    return fmt::format("({} - {})", number(factor.difference->first, digits),
                       number(factor.difference->second, digits));
  const std::string text = number(factor.value, digits);
  return factor.value < 0 ? "(" + text + ")" : text;
}

std::string shape(const Matrix<double>& M) {
  return fmt::format("({} x {})", M.rows(), M.cols());
}

// The step as a sequence of headings, paragraphs and matrices, in either style. Matrices sit in
// blocks: ``` fences in markdown, indented in text.
class Writer {
 public:
  Writer(Style style, int digits) : style_(style), digits_(digits) {}

  void heading(int level, const std::string& title) {
    close_block();
    if (style_ == Style::markdown) {
      out_ += fmt::format("{} {}\n\n", std::string(std::size_t(level), '#'), title);
      return;
    }
    std::string plain;
    for (char c : title)
      if (c != '`') plain += c;
    const char underline = level == 1 ? '=' : level == 2 ? '-' : '\0';
    out_ += plain + "\n";
    if (underline) out_ += std::string(plain.size(), underline) + "\n";
    out_ += "\n";
  }

  // Equations, in headings and paragraphs, go between backticks: code in markdown, plain in text.
  void paragraph(const std::string& text) {
    close_block();
    if (style_ == Style::markdown) {
      out_ += text + "\n\n";
      return;
    }
    out_ += wrap(text) + "\n\n";
  }

  // A line inside a block, as written.
  void line(const std::string& text) {
    open_block();
    out_ += (text.empty() ? "" : indent() + text) + "\n";
  }

  // "header" then the matrix, each column right-aligned to its widest entry.
  void matrix(const std::string& header, const Matrix<double>& M) {
    open_block();
    if (!first_in_block_) out_ += "\n";
    first_in_block_ = false;
    out_ += indent() + header + "\n";
    // Each entry split at its decimal point, so that the points of a column line up.
    const auto rows = std::size_t(M.rows()), cols = std::size_t(M.cols());
    std::vector<std::string> whole(rows * cols), fraction(rows * cols);
    std::vector<std::size_t> whole_width(cols, 0), fraction_width(cols, 0);
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t j = 0; j < cols; ++j) {
        const std::string text = number(M(Index(i), Index(j)), digits_);
        const std::size_t point = std::min(text.find_first_of(".e"), text.size());
        whole[i * cols + j] = text.substr(0, point);
        fraction[i * cols + j] = text.substr(point);
        whole_width[j] = std::max(whole_width[j], point);
        fraction_width[j] = std::max(fraction_width[j], text.size() - point);
      }
    for (std::size_t i = 0; i < rows; ++i) {
      std::string row = indent() + "  [";
      for (std::size_t j = 0; j < cols; ++j)
        row += fmt::format("{}{:>{}}{:<{}}", j ? "  " : " ", whole[i * cols + j], whole_width[j],
                           fraction[i * cols + j], fraction_width[j]);
      out_ += row + " ]\n";
    }
  }

  int digits() const { return digits_; }

  std::string finish() {
    close_block();
    while (out_.size() >= 2 && out_[out_.size() - 1] == '\n' && out_[out_.size() - 2] == '\n')
      out_.pop_back();
    return out_;
  }

 private:
  std::string indent() const { return style_ == Style::text ? "  " : ""; }

  // A text paragraph without its backticks, broken at spaces to lines of at most 100 characters;
  // never inside a `code` span, so that an equation stays on one line.
  static std::string wrap(const std::string& text) {
    constexpr std::size_t width = 100;
    std::vector<std::string> words(1);
    bool code = false;
    for (char c : text) {
      if (c == '`') {
        code = !code;
      } else if (c == ' ' && !code) {
        words.emplace_back();
      } else {
        words.back() += c;
      }
    }
    std::string out, line;
    for (const std::string& word : words) {
      if (!line.empty() && line.size() + 1 + word.size() > width) {
        out += line + "\n";
        line.clear();
      }
      line += (line.empty() ? "" : " ") + word;
    }
    return out + line;
  }

  void open_block() {
    if (in_block_) return;
    in_block_ = true;
    first_in_block_ = true;
    if (style_ == Style::markdown) out_ += "```text\n";
  }
  void close_block() {
    if (!in_block_) return;
    in_block_ = false;
    out_ += style_ == Style::markdown ? "```\n\n" : "\n";
  }

  Style style_;
  int digits_;
  std::string out_;
  bool in_block_ = false;
  bool first_in_block_ = true;
};

// "A^0" is written X, as the tutorial does.
std::string A_name(Index l) {
  return l == 0 ? "X" : fmt::format("A^{}", l);
}

std::string rows_text(const std::vector<Index>& rows) {
  std::string text;
  for (std::size_t i = 0; i < rows.size(); ++i)
    text += (i ? ", " : "") + std::to_string(rows[i]);
  return text;
}

void write_chain_rule(Writer& w, const StepExplanation& step, const ChainRule& rule) {
  const int digits = w.digits();
  // "   (neurona's dZ^1[1][1] = -115.904)": the library's own number beside the hand product.
  auto compare = [digits](const std::string& what, double value) {
    return fmt::format("   (neurona's {} = {})", what, number(value, digits));
  };
  const Index l = rule.weight.layer;
  const std::string dw = "dE/d" + rule.weight_symbol;
  const std::string bias = fmt::format("b^{}_{}", l, rule.weight.col);
  w.heading(2, fmt::format("Chain rule for one weight: `{} = W^{}[{}][{}]`", rule.weight_symbol, l,
                           rule.weight.row, rule.weight.col));
  const Index L = Index(step.layers.size());
  w.paragraph(fmt::format(
      "`{}` is the weight from {} to node {} of layer {}. With one row, m = 1, so {}. Each factor "
      "is `d(upper)/d(lower)` along the way from the error down to `{}`; `linear'(z) = 1` factors "
      "are left out.",
      rule.weight_symbol,
      l == 1 ? fmt::format("input {}", rule.weight.row)
             : fmt::format("node {} of layer {}", rule.weight.row, l - 1),
      rule.weight.col, l,
      has_dE_dyhat(step.loss) ? "`dE/dyhat = yhat - y` exactly as in the tutorial"
                              : fmt::format("`dZ^{} = yhat - y`", L),
      rule.weight_symbol));

  auto product = [&](const std::vector<ChainFactor>& factors, std::size_t count,
                     std::string& symbols, std::string& values) {
    double result = 1;
    for (std::size_t i = 0; i < count; ++i) {
      symbols += (i ? " * " : "") + factors[i].symbol;
      values += (i ? " * " : "") + factor_value(factors[i], digits);
      result *= factors[i].value;
    }
    return result;
  };

  if (!rule.path.empty()) {
    w.paragraph(fmt::format(
        "One path leads from `{}` to the error, so the chain rule is one product, as the "
        "tutorial's `dC/dw1 = (yhat - y) * w2 * relu'(z1) * x1`:",
        rule.weight_symbol));
    std::string symbols, values;
    const double result = product(rule.path, rule.path.size(), symbols, values);
    w.line(fmt::format("{} = {}", dw, symbols));
    w.line(fmt::format("{:>{}} = {}", "", dw.size(), values));
    w.line(fmt::format("{:>{}} = {}", "", dw.size(), number(result, digits)) +
           compare(fmt::format("dW^{}[{}][{}]", l, rule.weight.row, rule.weight.col), rule.dW));
    // The bias is the same path without the last factor, dz/db = 1 in place of the input.
    std::string bias_symbols, bias_values;
    const double bias_result = product(rule.path, rule.path.size() - 1, bias_symbols, bias_values);
    const std::string db = "dE/d" + bias;
    w.line("");
    w.line(fmt::format("{} = {}", db, bias_symbols));
    w.line(fmt::format("{:>{}} = {}", "", db.size(), bias_values));
    w.line(fmt::format("{:>{}} = {}", "", db.size(), number(bias_result, digits)) +
           compare(fmt::format("db^{}[{}]", l, rule.weight.col), rule.db));
  }
  w.paragraph(fmt::format(
      "{}s backpropagation computes it, for any network: the weight's input times `{}`, and "
      "`{}` from the layer above it.",
      rule.path.empty() ? "A" : "The same, a", rule.dz_symbol, rule.dz_symbol));

  // dE/dw = a^(l-1)_k * dz^l_j, with dz^l_j one layer down: exact for any network.
  const std::string pad(rule.dz_symbol.size(), ' ');
  w.line(fmt::format("{} = {} * {}", dw, rule.input_symbol, rule.dz_symbol));
  const std::string derivative_symbol =
      rule.derivative          ? " * " + rule.derivative->symbol
      : rule.derivative_is_one ? fmt::format("   (linear'(z^{}_{}) = 1)", l, rule.weight.col)
                               : "";
  const bool softmax_output =
      rule.top && !rule.derivative && !rule.derivative_is_one && has_dE_dyhat(step.loss);
  if (softmax_output) {
    w.line(fmt::format("{} = {}   (softmax: the Jacobian product of the row, in dZ^{} above)",
                       rule.dz_symbol, number(rule.dz, digits), l));
  } else if (rule.top) {
    double dz = rule.top->value;
    std::string values = factor_value(*rule.top, digits);
    if (rule.derivative) {
      values += " * " + factor_value(*rule.derivative, digits);
      dz *= rule.derivative->value;
    }
    w.line(fmt::format("{} = {}{}", rule.dz_symbol, rule.top->symbol, derivative_symbol));
    w.line(fmt::format("{} = {}", pad, values));
    w.line(fmt::format("{} = {}", pad, number(dz, digits)) +
           compare(fmt::format("dZ^{}[1][{}]", l, rule.weight.col), rule.dz));
  } else {
    // da^l_j = sum_q dz^(l+1)_q w^(l+1)_jq: the entry of dA^l = dZ^(l+1) W^(l+1)^T.
    const std::string da = fmt::format("da^{}_{}", l, rule.weight.col);
    const std::string da_pad(da.size(), ' ');
    std::string symbols;
    std::vector<std::string> terms;
    double sum = 0;
    for (std::size_t q = 0; q < rule.next_terms.size(); ++q) {
      const auto& [dz, weight] = rule.next_terms[q];
      symbols += (q ? " + " : "") + dz.symbol + " * " + weight.symbol;
      terms.push_back(factor_value(dz, digits) + " * " + factor_value(weight, digits));
      sum += dz.value * weight.value;
    }
    w.line(fmt::format("{} = {}{}", rule.dz_symbol, da, derivative_symbol));
    w.line(fmt::format("{} = {}", da, symbols));
    std::string one_line;
    for (std::size_t q = 0; q < terms.size(); ++q)
      one_line += (q ? " + " : "") + terms[q];
    if (da.size() + 5 + one_line.size() <= 100) {
      w.line(fmt::format("{} = {}", da_pad, one_line));
    } else {
      // One term to a line, so that a wide layer stays readable.
      for (std::size_t q = 0; q < terms.size(); ++q)
        w.line(fmt::format("{} {} {}", da_pad, q ? "+" : "=", terms[q]));
    }
    w.line(fmt::format("{} = {}", da_pad, number(sum, digits)) +
           compare(fmt::format("dA^{}[1][{}]", l, rule.weight.col), rule.da));
    double dz = rule.da;
    std::string values = da;  // a linear layer: dz = da
    if (rule.derivative) {
      values =
          factor_value({"", rule.da, {}}, digits) + " * " + factor_value(*rule.derivative, digits);
      dz *= rule.derivative->value;
    }
    w.line(fmt::format("{} = {} = {}", rule.dz_symbol, values, number(dz, digits)) +
           compare(fmt::format("dZ^{}[1][{}]", l, rule.weight.col), rule.dz));
  }
  w.line(fmt::format("{} = {} * {} = {}", dw, factor_value({"", rule.input, {}}, digits),
                     factor_value({"", rule.dz, {}}, digits),
                     number(rule.input * rule.dz, digits)) +
         compare(fmt::format("dW^{}[{}][{}]", l, rule.weight.row, rule.weight.col), rule.dW));
  if (!rule.top)
    w.paragraph(fmt::format(
        "Each `dz^{0}_q` is an entry of `dZ^{0}` in the backward pass above, itself expanded the "
        "same way one layer further up; `da^{1}_{2}` is the entry of `dA^{1} = dZ^{0} W^{0}^T`.",
        l + 1, l, rule.weight.col));
}

std::string render(const StepExplanation& step, Style style, int digits) {
  Writer w(style, digits);
  const Index L = Index(step.layers.size());
  const Index m = step.X.rows();
  std::string activations;
  for (const auto& layer : step.layers)
    activations += (layer.layer > 1 ? ", " : "") + std::string(to_string(layer.activation));

  w.heading(1, step.title.empty() ? fmt::format("One training step of a {} network", step.topology)
                                  : step.title);
  w.paragraph(fmt::format(
      "One step of gradient descent, with every number computed by neurona's own training code. "
      "Network {} ({}), loss {}, learning rate `alpha = {}`. Rows are examples: `m = {}`. A "
      "leading `d` means `dE/d(that)`; `(.)` multiplies element by element; `^T` transposes; "
      "`(r x c)` is a shape: r rows by c columns.",
      step.topology, activations, to_string(step.loss), number(step.learning_rate, digits), m));

  w.heading(2, "Data");
  if (!step.rows.empty())
    w.paragraph(fmt::format("Row{} {} of the data.", step.rows.size() == 1 ? "" : "s",
                            rows_text(step.rows)));
  w.matrix(fmt::format("X {}", shape(step.X)), step.X);
  w.matrix(fmt::format("y {}", shape(step.Y)), step.Y);

  w.heading(2, "Forward pass: `Z^l = A^(l-1) W^l + b^l`, `A^l = sigma(Z^l)`");
  for (const auto& layer : step.layers) {
    const Index l = layer.layer;
    w.heading(3, fmt::format("Layer {}: {} {} node{}, `{}`", l, layer.W.cols(),
                             to_string(layer.activation), layer.W.cols() == 1 ? "" : "s",
                             layer.activation_formula));
    w.matrix(fmt::format("W^{} {}", l, shape(layer.W)), layer.W);
    w.matrix(fmt::format("b^{} {}", l, shape(layer.b)), layer.b);
    w.matrix(fmt::format("Z^{0} {1} = {2} {3} W^{0} {4} + b^{0} {5}, b^{0} added to each row", l,
                         shape(layer.Z), A_name(l - 1),
                         l == 1 ? shape(step.X) : shape(step.layers[std::size_t(l - 2)].A),
                         shape(layer.W), shape(layer.b)),
             layer.Z);
    w.matrix(fmt::format("A^{} {} = {}(Z^{}){}", l, shape(layer.A), to_string(layer.activation), l,
                         l == L ? " = yhat" : ""),
             layer.A);
  }

  w.heading(2, "Error");
  w.matrix(fmt::format("yhat {} = A^{}", shape(step.Yhat), L), step.Yhat);
  w.matrix(fmt::format("y {}", shape(step.Y)), step.Y);
  w.paragraph(fmt::format("`{} = {}` (m = {})", step.loss_formula, number(step.E, digits), m));

  const LayerExplanation& output = step.layers.back();
  w.heading(2, "Backward pass, last layer first");
  w.paragraph(fmt::format(
      "neurona averages the error over the m rows, so its gradient carries a 1/m: `{}`.{}",
      step.gradient_formula,
      has_dE_dyhat(step.loss) ? " The tutorial's `dE/dyhat = yhat - y` is the case m = 1." : ""));
  if (output.dA.size() > 0)
    w.matrix(fmt::format("dE/dyhat {} = (yhat - y) / {}", shape(output.dA), m), output.dA);
  for (Index l = L; l >= 1; --l) {
    const LayerExplanation& layer = step.layers[std::size_t(l - 1)];
    w.heading(3, fmt::format("Layer {}", l));
    const std::string dA = l == L ? "dE/dyhat" : fmt::format("dA^{}", l);
    if (layer.activation == Activation::linear && layer.derivative.size() > 0) {
      // A matrix of ones says nothing the formula does not.
      w.paragraph(fmt::format("The activation's derivative: `{}`, so `dZ^{} = {}`.",
                              layer.derivative_formula, l, dA));
      w.matrix(fmt::format("dZ^{} {} = {} (.) linear'(Z^{})", l, shape(layer.dZ), dA, l), layer.dZ);
    } else if (layer.derivative.size() > 0) {
      w.paragraph(fmt::format("The activation's derivative: `{}`.", layer.derivative_formula));
      w.matrix(fmt::format("{}'(Z^{}) {}", to_string(layer.activation), l, shape(layer.derivative)),
               layer.derivative);
      w.matrix(fmt::format("dZ^{} {} = {} (.) {}'(Z^{})", l, shape(layer.dZ), dA,
                           to_string(layer.activation), l),
               layer.dZ);
    } else if (l == L && !has_dE_dyhat(step.loss)) {
      w.matrix(fmt::format("dZ^{} {} = (yhat - y) / {}", l, shape(layer.dZ), m), layer.dZ);
    } else {
      w.paragraph(fmt::format("The activation's derivative: `{}`.", layer.derivative_formula));
      w.matrix(fmt::format("dZ^{} {} = the softmax Jacobian product of each row of {}", l,
                           shape(layer.dZ), dA),
               layer.dZ);
    }
    w.matrix(fmt::format("dW^{} {} = {}^T {} dZ^{} {}", l, shape(layer.dW), A_name(l - 1),
                         fmt::format("({} x {})", layer.dW.rows(), m), l, shape(layer.dZ)),
             layer.dW);
    w.matrix(fmt::format("db^{} {} = the sum over the {} of dZ^{}", l, shape(layer.db),
                         m == 1 ? std::string("1 row") : fmt::format("{} rows", m), l),
             layer.db);
    if (layer.dA_prev.size() > 0)
      w.matrix(
          fmt::format("dA^{0} {1} = dZ^{2} {3} W^{2}^T {4}", l - 1, shape(layer.dA_prev), l,
                      shape(layer.dZ), fmt::format("({} x {})", layer.W.cols(), layer.W.rows())),
          layer.dA_prev);
    else
      w.paragraph("No `dX`: X is data, not a parameter, so backpropagation stops here.");
  }

  if (step.chain) write_chain_rule(w, step, *step.chain);

  w.heading(2, fmt::format("Update: `p <- p - alpha dE/dp`, `alpha = {}`",
                           number(step.learning_rate, digits)));
  w.paragraph(
      "Every parameter moves only now, after all the gradients above came from one forward "
      "pass.");
  for (const auto& layer : step.layers) {
    const Index l = layer.layer;
    w.matrix(fmt::format("W^{0} {1} <- W^{0} - {2} dW^{0}", l, shape(layer.W_after),
                         number(step.learning_rate, digits)),
             layer.W_after);
    w.matrix(fmt::format("b^{0} {1} <- b^{0} - {2} db^{0}", l, shape(layer.b_after),
                         number(step.learning_rate, digits)),
             layer.b_after);
  }
  return w.finish();
}

using Json = nlohmann::ordered_json;  // keys in the order of the step, not sorted

Json matrix_json(const Matrix<double>& M) {
  Json values = Json::array();
  for (Index i = 0; i < M.rows(); ++i) {
    Json row = Json::array();
    for (Index j = 0; j < M.cols(); ++j)
      row.push_back(M(i, j));
    values.push_back(std::move(row));
  }
  return {{"shape", {M.rows(), M.cols()}}, {"values", std::move(values)}};
}

Json factor_json(const ChainFactor& factor) {
  Json out = {{"symbol", factor.symbol}, {"value", factor.value}};
  if (factor.difference) out["difference"] = {factor.difference->first, factor.difference->second};
  return out;
}

// Indented JSON with each array of numbers on one line, so that a matrix reads row by row. Every
// number is nlohmann's shortest text that reads back to the same double.
void write_json(const Json& value, int depth, std::string& out) {
  const std::string pad(std::size_t(2 * depth), ' '), inner(std::size_t(2 * depth + 2), ' ');
  const bool flat = value.is_array() && std::all_of(value.begin(), value.end(),
                                                    [](const Json& e) { return e.is_primitive(); });
  // A file name in the title need not be UTF-8: replace what is not, rather than throw.
  auto dump = [](const Json& e) { return e.dump(-1, ' ', false, Json::error_handler_t::replace); };
  if (flat) {
    out += "[";
    for (auto it = value.begin(); it != value.end(); ++it)
      out += (it == value.begin() ? "" : ", ") + dump(*it);
    out += "]";
    return;
  }
  if (value.is_primitive() || value.empty()) {
    out += dump(value);
    return;
  }
  out += value.is_array() ? "[\n" : "{\n";
  bool first = true;
  for (auto it = value.begin(); it != value.end(); ++it) {
    if (!first) out += ",\n";
    first = false;
    out += inner;
    if (value.is_object()) out += dump(Json(it.key())) + ": ";
    write_json(*it, depth + 1, out);
  }
  out += "\n" + pad + (value.is_array() ? "]" : "}");
}

}  // namespace

std::string explanation_text(const StepExplanation& step, int digits) {
  return render(step, Style::text, digits);
}

std::string explanation_markdown(const StepExplanation& step, int digits) {
  return render(step, Style::markdown, digits);
}

std::string explanation_json(const StepExplanation& step) {
  Json out = Json::object();
  out["title"] = step.title;
  out["topology"] = step.topology;
  out["rows"] = step.rows;
  out["loss"] = {{"name", std::string(to_string(step.loss))},
                 {"formula", step.loss_formula},
                 {"gradient", step.gradient_formula}};
  out["learning_rate"] = step.learning_rate;
  out["X"] = matrix_json(step.X);
  out["Y"] = matrix_json(step.Y);
  out["Yhat"] = matrix_json(step.Yhat);
  out["E"] = step.E;
  out["layers"] = Json::array();
  for (const auto& layer : step.layers) {
    Json entry = {
        {"layer", layer.layer},
        {"activation", std::string(to_string(layer.activation))},
        {"activation_formula", layer.activation_formula},
        {"derivative_formula", layer.derivative_formula},
    };
    // Empty matrices (not formed for this layer) are null rather than 0 x 0.
    for (const auto& [name, M] :
         std::initializer_list<std::pair<const char*, const Matrix<double>*>>{
             {"W", &layer.W},
             {"b", &layer.b},
             {"Z", &layer.Z},
             {"A", &layer.A},
             {"dA", &layer.dA},
             {"derivative", &layer.derivative},
             {"dZ", &layer.dZ},
             {"dW", &layer.dW},
             {"db", &layer.db},
             {"dA_prev", &layer.dA_prev},
             {"W_after", &layer.W_after},
             {"b_after", &layer.b_after}})
      entry[name] = M->size() > 0 ? matrix_json(*M) : Json(nullptr);
    out["layers"].push_back(std::move(entry));
  }
  if (step.chain) {
    const ChainRule& rule = *step.chain;
    Json chain = {
        {"weight", {rule.weight.layer, rule.weight.row, rule.weight.col}},
        {"weight_symbol", rule.weight_symbol},
        {"input", {{"symbol", rule.input_symbol}, {"value", rule.input}}},
        {"dz", {{"symbol", rule.dz_symbol}, {"value", rule.dz}}},
        {"dW", rule.dW},
        {"db", rule.db},
    };
    if (!rule.top)
      chain["da"] = {{"symbol", fmt::format("da^{}_{}", rule.weight.layer, rule.weight.col)},
                     {"value", rule.da}};
    chain["path"] = Json::array();
    for (const auto& factor : rule.path)
      chain["path"].push_back(factor_json(factor));
    if (rule.top) chain["top"] = factor_json(*rule.top);
    chain["next_terms"] = Json::array();
    for (const auto& [dz, weight] : rule.next_terms)
      chain["next_terms"].push_back({{"dz", factor_json(dz)}, {"w", factor_json(weight)}});
    chain["derivative"] = rule.derivative ? factor_json(*rule.derivative) : Json(nullptr);
    out["chain_rule"] = std::move(chain);
  }
  std::string text;
  write_json(out, 0, text);
  return text + "\n";
}

}  // namespace neurona
