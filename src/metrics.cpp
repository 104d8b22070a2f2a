// Classification and regression metrics, their text report and their JSON.
#include "neurona/metrics.hpp"

#include <locale.h>
#include <wchar.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <cwchar>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "neurona/error.hpp"

namespace neurona {
namespace {

// Ordered, so that the fields come in the order the text report shows them.
using json = nlohmann::ordered_json;

void check_shapes(const char* what, const Matrix<double>& Y_hat, const Matrix<double>& Y) {
  if (Y_hat.rows() != Y.rows() || Y_hat.cols() != Y.cols())
    throw ShapeError(fmt::format("{}: Y_hat is {}x{} but Y is {}x{}; expected the same shape", what,
                                 Y_hat.rows(), Y_hat.cols(), Y.rows(), Y.cols()));
  if (Y.rows() == 0 || Y.cols() == 0)
    throw ShapeError(fmt::format("{}: Y is {}x{}; expected at least one row and one column", what,
                                 Y.rows(), Y.cols()));
}

// The class of row i: argmax over several outputs, the first on a tie; yhat >= 0.5 for one.
Index class_of(const Matrix<double>& M, Index i) {
  if (M.cols() == 1) return M(i, 0) >= 0.5 ? 1 : 0;
  Index best = 0;
  for (Index j = 1; j < M.cols(); ++j)
    if (M(i, j) > M(i, best)) best = j;
  return best;
}

// a / b, or 0 when b is 0 (sklearn's zero_division=0).
double ratio(double a, double b) {
  return b == 0 ? 0.0 : a / b;
}

std::vector<std::string> names_of(const ClassificationMetrics& metrics,
                                  const std::vector<std::string>& labels) {
  const std::size_t k = metrics.classes.size();
  if (labels.empty()) {
    std::vector<std::string> names;
    for (std::size_t c = 0; c < k; ++c)
      names.push_back(std::to_string(c));
    return names;
  }
  if (labels.size() != k)
    throw ShapeError(
        fmt::format("{} class labels given for {} classes; expected {}", labels.size(), k, k));
  return labels;
}

// Columns on a terminal, so that labels like "café", "猫" or "e\u0301" align: a UTF-8 character
// takes one, an East Asian wide one two and a combining mark none, as the C library's wcwidth says
// under C.UTF-8 (switched to on this thread alone, without touching the program's locale). A byte
// that starts no character takes one; without that locale every character takes one. Calls
// each(start, columns) for each character, in order, with the byte it starts at.
template <class Each>
void for_each_character(const std::string& text, Each each) {
  static const locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", locale_t(0));
  if (!utf8) {
    for (std::size_t at = 0; at < text.size(); ++at)
      if ((static_cast<unsigned char>(text[at]) & 0xC0) != 0x80) each(at, std::size_t(1));
    return;
  }
  const locale_t previous = uselocale(utf8);
  std::mbstate_t state{};
  for (std::size_t at = 0; at < text.size();) {
    wchar_t character = 0;
    const std::size_t length = std::mbrtowc(&character, text.data() + at, text.size() - at, &state);
    if (length == std::size_t(-1) || length == std::size_t(-2)) {
      each(at, std::size_t(1));
      ++at;
      state = {};
      continue;
    }
    const int columns = wcwidth(character);
    each(at, columns < 0 ? std::size_t(1) : std::size_t(columns));
    at += std::max<std::size_t>(length, 1);  // 0: a NUL byte, one column
  }
  uselocale(previous);
}

std::size_t display_width(const std::string& text) {
  std::size_t width = 0;
  for_each_character(text, [&](std::size_t, std::size_t columns) { width += columns; });
  return width;
}

// Labels as the tables show them: one wider than `most` columns is cut, ending in "...", so that
// a long label does not push the numbers off the screen; not one that would then read as another
// label does.
std::vector<std::string> shown_labels(const std::vector<std::string>& labels, std::size_t most) {
  std::vector<std::string> shown;
  for (const std::string& label : labels) {
    if (display_width(label) <= most) {
      shown.push_back(label);
      continue;
    }
    // Cut where the first character that does not fit, with the "...", starts.
    std::size_t width = 0, cut = label.size();
    for_each_character(label, [&](std::size_t at, std::size_t columns) {
      if (cut == label.size() && width + columns > most - 3) cut = at;
      width += columns;
    });
    shown.push_back(label.substr(0, cut) + "...");
  }
  // Kept whole, a long label is wider than every label shown cut or short: no two alike remain.
  std::multiset<std::string> all(shown.begin(), shown.end());
  all.insert(labels.begin(), labels.end());
  for (std::size_t c = 0; c < shown.size(); ++c)
    if (shown[c] != labels[c] && all.count(shown[c]) > 1) shown[c] = labels[c];
  return shown;
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t shown = display_width(text);
  return std::string(width > shown ? width - shown : 0, ' ') + text;
}

std::string pad_right(const std::string& text, std::size_t width) {
  const std::size_t shown = display_width(text);
  return text + std::string(width > shown ? width - shown : 0, ' ');
}

json scores_json(const ClassScores& s) {
  return {{"precision", s.precision}, {"recall", s.recall}, {"f1", s.f1}, {"support", s.support}};
}

}  // namespace

ClassificationMetrics classification_metrics(const Matrix<double>& Y_hat, const Matrix<double>& Y) {
  check_shapes("classification_metrics", Y_hat, Y);
  // A NaN compares false both ways: its row would count as class 0 without a word.
  for (const auto& [name, M] : {std::pair{"Y_hat", &Y_hat}, std::pair{"Y", &Y}})
    if (M->hasNaN())
      for (Index i = 0; i < M->rows(); ++i)
        if (M->row(i).hasNaN())
          throw InputError(fmt::format(
              "classification_metrics: row {} of {} holds NaN, which has no class", i, name));
  const Index m = Y.rows();
  const Index k = Y.cols() == 1 ? 2 : Y.cols();

  ClassificationMetrics metrics;
  metrics.confusion = Matrix<Index>::Zero(k, k);
  for (Index i = 0; i < m; ++i)
    ++metrics.confusion(class_of(Y, i), class_of(Y_hat, i));
  metrics.accuracy = double(metrics.confusion.trace()) / double(m);

  // For class c: TP = C(c,c), TP + FP = column sum (predicted), TP + FN = row sum (support).
  // The averages are summed first and divided once, as numpy's average in sklearn.
  metrics.macro = {0, 0, 0, m};
  metrics.weighted = {0, 0, 0, m};
  for (Index c = 0; c < k; ++c) {
    const double tp = double(metrics.confusion(c, c));
    const Index support = metrics.confusion.row(c).sum();
    const double predicted = double(metrics.confusion.col(c).sum());
    // F1 from the counts rather than from P and R: the same harmonic mean, one rounding.
    const ClassScores s{ratio(tp, predicted), ratio(tp, double(support)),
                        ratio(2 * tp, predicted + double(support)), support};
    metrics.classes.push_back(s);
    metrics.macro.precision += s.precision;
    metrics.macro.recall += s.recall;
    metrics.macro.f1 += s.f1;
    metrics.weighted.precision += s.precision * double(support);
    metrics.weighted.recall += s.recall * double(support);
    metrics.weighted.f1 += s.f1 * double(support);
  }
  for (double* mean : {&metrics.macro.precision, &metrics.macro.recall, &metrics.macro.f1})
    *mean /= double(k);
  for (double* mean : {&metrics.weighted.precision, &metrics.weighted.recall, &metrics.weighted.f1})
    *mean /= double(m);
  return metrics;
}

RegressionMetrics regression_metrics(const Matrix<double>& Y_hat, const Matrix<double>& Y) {
  check_shapes("regression_metrics", Y_hat, Y);
  const double count = double(Y.size());
  const Matrix<double> residual = Y_hat - Y;
  RegressionMetrics metrics;
  metrics.mse = residual.squaredNorm() / count;
  metrics.mae = residual.cwiseAbs().sum() / count;

  // r2_j = 1 - SS_res / SS_tot per output j, averaged over the outputs.
  double r2_sum = 0;
  for (Index j = 0; j < Y.cols(); ++j) {
    const double ss_res = residual.col(j).squaredNorm();
    const double mean = Y.col(j).mean();
    const double ss_tot = (Y.col(j).array() - mean).square().sum();
    // A constant target leaves r2 0/0 or x/0; sklearn's force_finite gives 1 for an exact fit.
    // Told by its values: a rounded mean (of three 0.1s, say) leaves SS_tot a speck above 0, and r2
    // near -1e34.
    if (Y.col(j).minCoeff() == Y.col(j).maxCoeff()) {
      r2_sum += std::isnan(ss_res) ? ss_res : ss_res == 0 ? 1.0 : 0.0;
      metrics.constant_targets.push_back(j);
    } else
      r2_sum += 1 - ss_res / ss_tot;
  }
  metrics.r2 = r2_sum / double(Y.cols());
  return metrics;
}

std::string format_classification(const ClassificationMetrics& metrics,
                                  const std::vector<std::string>& labels) {
  const std::vector<std::string> names = shown_labels(names_of(metrics, labels), 40);
  const std::size_t k = names.size();
  std::string out = fmt::format("accuracy: {:.4f}\n\n", metrics.accuracy);

  // The table: labels left-aligned, numbers right-aligned under their headings.
  std::size_t label_width = display_width("weighted avg");
  for (const std::string& name : names)
    label_width = std::max(label_width, display_width(name));
  const std::size_t support_width =
      std::max<std::size_t>(display_width("support"), std::to_string(metrics.macro.support).size());
  out += pad_right("class", label_width) + "  precision     recall         f1  " +
         pad_left("support", support_width) + "\n";
  auto row = [&](const std::string& name, const ClassScores& s) {
    out += pad_right(name, label_width) +
           fmt::format("  {:>9.4f}  {:>9.4f}  {:>9.4f}  ", s.precision, s.recall, s.f1) +
           pad_left(std::to_string(s.support), support_width) + "\n";
  };
  for (std::size_t c = 0; c < k; ++c)
    row(names[c], metrics.classes[c]);
  row("macro avg", metrics.macro);
  row("weighted avg", metrics.weighted);

  // The confusion matrix: one column per predicted class, as wide as its label or its counts.
  out += "\nconfusion matrix (rows: true class, columns: predicted class)\n";
  std::size_t row_label_width = 0;
  for (const std::string& name : names)
    row_label_width = std::max(row_label_width, display_width(name));
  std::vector<std::size_t> widths(k);
  for (std::size_t c = 0; c < k; ++c) {
    widths[c] = display_width(names[c]);
    for (std::size_t r = 0; r < k; ++r)
      widths[c] = std::max(widths[c], std::to_string(metrics.confusion(Index(r), Index(c))).size());
  }
  out += std::string(row_label_width, ' ');
  for (std::size_t c = 0; c < k; ++c)
    out += "  " + pad_left(names[c], widths[c]);
  out += "\n";
  for (std::size_t r = 0; r < k; ++r) {
    out += pad_right(names[r], row_label_width);
    for (std::size_t c = 0; c < k; ++c)
      out += "  " + pad_left(std::to_string(metrics.confusion(Index(r), Index(c))), widths[c]);
    out += "\n";
  }

  // A 0 from 0/0 reads like a class got wholly wrong; the notes tell the two apart.
  std::vector<std::string> never_predicted;
  std::vector<std::string> absent;
  for (std::size_t c = 0; c < k; ++c) {
    if (metrics.confusion.col(Index(c)).sum() == 0) never_predicted.push_back(names[c]);
    if (metrics.classes[c].support == 0) absent.push_back(names[c]);
  }
  if (!never_predicted.empty() || !absent.empty()) out += "\n";
  if (!never_predicted.empty())
    out += fmt::format("note: never predicted, so precision 0/0, shown as 0: {}\n",
                       fmt::join(never_predicted, ", "));
  if (!absent.empty())
    out += fmt::format(
        "note: no rows of this class, so recall 0/0, shown as 0 and counted in the macro avg: {}\n",
        fmt::join(absent, ", "));
  return out;
}

std::string format_regression(const RegressionMetrics& metrics) {
  std::string out =
      fmt::format("mse: {:.6g}\nmae: {:.6g}\nr2: {:.6g}\n", metrics.mse, metrics.mae, metrics.r2);
  const std::vector<Index>& constant = metrics.constant_targets;
  if (constant.empty()) return out;
  std::string outputs;
  for (std::size_t k = 0; k < constant.size(); ++k)
    outputs += fmt::format("{}{}", k ? ", " : "", constant[k] + 1);
  return out + fmt::format(
                   "note: the {} the same in every row, so r2 divides by 0 there; counted as 1 "
                   "when predicted exactly, else 0 (as scikit-learn's r2_score)\n",
                   constant.size() > 1 ? "targets of outputs " + outputs + " are"
                                       : "target of output " + outputs + " is");
}

std::string metrics_json(const ClassificationMetrics& metrics,
                         const std::vector<std::string>& labels) {
  const std::vector<std::string> names = names_of(metrics, labels);
  json classes = json::array();
  for (std::size_t c = 0; c < names.size(); ++c) {
    json entry = {{"label", names[c]}};
    entry.update(scores_json(metrics.classes[c]));
    classes.push_back(entry);
  }
  json confusion = json::array();
  for (Index r = 0; r < metrics.confusion.rows(); ++r) {
    json counts = json::array();
    for (Index c = 0; c < metrics.confusion.cols(); ++c)
      counts.push_back(metrics.confusion(r, c));
    confusion.push_back(counts);
  }
  json out = json::object();
  out["accuracy"] = metrics.accuracy;
  out["labels"] = names;
  out["classes"] = classes;
  out["macro_avg"] = scores_json(metrics.macro);
  out["weighted_avg"] = scores_json(metrics.weighted);
  out["confusion_matrix"] = confusion;
  return out.dump() + "\n";
}

std::string metrics_json(const RegressionMetrics& metrics) {
  json out = json::object();
  out["mse"] = metrics.mse;
  out["mae"] = metrics.mae;
  out["r2"] = metrics.r2;
  out["constant_targets"] = metrics.constant_targets;
  return out.dump() + "\n";
}

}  // namespace neurona
