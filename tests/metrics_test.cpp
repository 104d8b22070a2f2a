// Metrics: hand-worked confusion matrices and regression scores, sklearn's numbers on a larger
// case, the text report's layout and the JSON's numbers.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "neurona/error.hpp"
#include "neurona/metrics.hpp"

namespace neurona {
namespace {

using nlohmann::json;

// Y_hat rows that put 0.7 on the predicted class and 0.1 elsewhere; Y one-hot.
Matrix<double> scores(const std::vector<Index>& classes, Index k, double on = 1, double off = 0) {
  Matrix<double> M = Matrix<double>::Constant(Index(classes.size()), k, off);
  for (std::size_t i = 0; i < classes.size(); ++i)
    M(Index(i), classes[i]) = on;
  return M;
}

// true\pred  0  1  2
//    0       3  1  0     support 4
//    1       1  2  1     support 4
//    2       0  0  2     support 2
const std::vector<Index> hand_true = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
const std::vector<Index> hand_pred = {0, 0, 0, 1, 0, 1, 1, 2, 2, 2};

ClassificationMetrics hand_metrics() {
  return classification_metrics(scores(hand_pred, 3, 0.7, 0.1), scores(hand_true, 3));
}

TEST(Metrics, ASmallConfusionMatrixWorkedByHand) {
  const ClassificationMetrics m = hand_metrics();
  Matrix<Index> confusion(3, 3);
  confusion << 3, 1, 0,  //
      1, 2, 1,           //
      0, 0, 2;
  EXPECT_EQ(m.confusion, confusion);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.7);  // 7 on the diagonal of 10
  ASSERT_EQ(m.classes.size(), 3u);
  // precision = TP / column sum, recall = TP / row sum, F1 = 2 TP / (column + row sums)
  EXPECT_DOUBLE_EQ(m.classes[0].precision, 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.classes[1].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.classes[2].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.classes[0].recall, 3.0 / 4);
  EXPECT_DOUBLE_EQ(m.classes[1].recall, 2.0 / 4);
  EXPECT_DOUBLE_EQ(m.classes[2].recall, 2.0 / 2);
  EXPECT_DOUBLE_EQ(m.classes[0].f1, 6.0 / 8);
  EXPECT_DOUBLE_EQ(m.classes[1].f1, 4.0 / 7);
  EXPECT_DOUBLE_EQ(m.classes[2].f1, 4.0 / 5);
  EXPECT_EQ(m.classes[0].support, 4);
  EXPECT_EQ(m.classes[1].support, 4);
  EXPECT_EQ(m.classes[2].support, 2);
  EXPECT_DOUBLE_EQ(m.macro.precision, (3.0 / 4 + 2.0 / 3 + 2.0 / 3) / 3);
  EXPECT_DOUBLE_EQ(m.macro.recall, (3.0 / 4 + 1.0 / 2 + 1.0) / 3);
  EXPECT_DOUBLE_EQ(m.macro.f1, (6.0 / 8 + 4.0 / 7 + 4.0 / 5) / 3);
  EXPECT_EQ(m.macro.support, 10);
  EXPECT_DOUBLE_EQ(m.weighted.precision, (4 * 3.0 / 4 + 4 * 2.0 / 3 + 2 * 2.0 / 3) / 10);
  EXPECT_DOUBLE_EQ(m.weighted.recall, 0.7);  // weighted recall is the accuracy
  EXPECT_DOUBLE_EQ(m.weighted.f1, (4 * 6.0 / 8 + 4 * 4.0 / 7 + 2 * 4.0 / 5) / 10);
  EXPECT_EQ(m.weighted.support, 10);
}

TEST(Metrics, OneOutputIsTwoClassesSplitAtOneHalf) {
  Matrix<double> Y_hat(6, 1), Y(6, 1);
  Y_hat << 0.9, 0.5, 0.49, 0.1, 0.7, 0.2;  // predicted 1, 1, 0, 0, 1, 0: 0.5 is class 1
  Y << 1, 0, 1, 0, 1, 0;
  const ClassificationMetrics m = classification_metrics(Y_hat, Y);
  Matrix<Index> confusion(2, 2);
  confusion << 2, 1,  // true 0: rows 4 and 6 right, row 2 predicted 1
      1, 2;           // true 1: row 3 predicted 0
  EXPECT_EQ(m.confusion, confusion);
  EXPECT_DOUBLE_EQ(m.accuracy, 4.0 / 6);
  EXPECT_DOUBLE_EQ(m.classes[1].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.classes[1].recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(m.classes[1].f1, 2.0 / 3);
}

TEST(Metrics, AClassNeverPredictedHasPrecisionZero) {
  // Class 2 has rows but is never predicted; class 1 is predicted but has no rows.
  const std::vector<Index> truth = {0, 0, 2, 2}, predicted = {0, 1, 0, 0};
  const ClassificationMetrics m =
      classification_metrics(scores(predicted, 3, 0.8, 0.1), scores(truth, 3));
  EXPECT_EQ(m.classes[2].precision, 0.0);  // 0 / 0 predicted
  EXPECT_EQ(m.classes[2].recall, 0.0);     // 0 / 2
  EXPECT_EQ(m.classes[2].f1, 0.0);
  EXPECT_EQ(m.classes[1].precision, 0.0);  // 0 / 1
  EXPECT_EQ(m.classes[1].recall, 0.0);     // 0 / 0 rows
  EXPECT_EQ(m.classes[1].support, 0);
  EXPECT_DOUBLE_EQ(m.classes[0].precision, 1.0 / 3);  // 1 of the 3 rows predicted 0
  EXPECT_DOUBLE_EQ(m.macro.precision, 1.0 / 9);       // the other classes count as 0
  EXPECT_FALSE(std::isnan(m.macro.f1));
}

TEST(Metrics, TiesGoToTheFirstClass) {
  Matrix<double> Y_hat(1, 3), Y(1, 3);
  Y_hat << 0.4, 0.4, 0.2;
  Y << 1, 0, 0;
  EXPECT_EQ(classification_metrics(Y_hat, Y).accuracy, 1.0);
}

// Expected values from sklearn 1.2.1 (Debian's python3-sklearn):
//   rng = numpy.random.default_rng(7); t = rng.integers(0, 4, 40); p = rng.integers(0, 4, 40)
//   p[p == 2] = 3; precision_recall_fscore_support(t, p, labels=range(4), zero_division=0)
// sklearn's F1 is 2PR/(P+R) and ours 2TP/(2TP+FP+FN): equal up to rounding, hence DOUBLE_EQ.
TEST(Metrics, AgreeWithSklearn) {
  const std::vector<Index> truth = {3, 2, 2, 3, 2, 3, 3, 0, 0, 1, 1, 3, 3, 0, 1, 3, 0, 3, 0, 1,
                                    3, 1, 1, 1, 2, 1, 3, 1, 1, 2, 2, 2, 2, 3, 3, 3, 2, 2, 1, 3};
  const std::vector<Index> predicted = {1, 0, 3, 0, 3, 3, 0, 0, 1, 0, 0, 3, 3, 1, 3, 3, 3, 3, 1, 3,
                                        1, 1, 1, 0, 3, 0, 0, 0, 3, 3, 3, 0, 3, 1, 1, 0, 3, 3, 3, 0};
  const ClassificationMetrics m =
      classification_metrics(scores(predicted, 4, 0.55, 0.15), scores(truth, 4));
  Matrix<Index> confusion(4, 4);
  confusion << 1, 3, 0, 1,  //
      5, 2, 0, 4,           //
      2, 0, 0, 8,           //
      5, 4, 0, 5;
  EXPECT_EQ(m.confusion, confusion);
  EXPECT_DOUBLE_EQ(m.accuracy, 0.2);
  const double precision[] = {0.07692307692307693, 0.2222222222222222, 0.0, 0.2777777777777778};
  const double recall[] = {0.2, 0.18181818181818182, 0.0, 0.35714285714285715};
  const double f1[] = {0.1111111111111111, 0.19999999999999998, 0.0, 0.31250000000000006};
  const Index support[] = {5, 11, 10, 14};
  for (std::size_t c = 0; c < 4; ++c) {
    EXPECT_DOUBLE_EQ(m.classes[c].precision, precision[c]) << c;
    EXPECT_DOUBLE_EQ(m.classes[c].recall, recall[c]) << c;
    EXPECT_DOUBLE_EQ(m.classes[c].f1, f1[c]) << c;
    EXPECT_EQ(m.classes[c].support, support[c]) << c;
  }
  EXPECT_DOUBLE_EQ(m.macro.precision, 0.14423076923076922);
  EXPECT_DOUBLE_EQ(m.macro.recall, 0.18474025974025976);
  EXPECT_DOUBLE_EQ(m.macro.f1, 0.15590277777777778);
  EXPECT_DOUBLE_EQ(m.weighted.precision, 0.16794871794871796);
  EXPECT_DOUBLE_EQ(m.weighted.recall, 0.2);
  EXPECT_DOUBLE_EQ(m.weighted.f1, 0.17826388888888892);
}

TEST(Metrics, RegressionWorkedByHand) {
  Matrix<double> Y_hat(4, 1), Y(4, 1);
  Y_hat << 1, 3, 2, 4;
  Y << 1, 2, 3, 4;
  // residuals 0, 1, -1, 0; mean y 2.5, SS_tot = 2.25 + 0.25 + 0.25 + 2.25 = 5
  RegressionMetrics m = regression_metrics(Y_hat, Y);
  EXPECT_DOUBLE_EQ(m.mse, 0.5);
  EXPECT_DOUBLE_EQ(m.mae, 0.5);
  EXPECT_DOUBLE_EQ(m.r2, 1 - 2.0 / 5);

  // A second output, constant and predicted exactly, scores r2 = 1; the means take all 8 cells.
  Matrix<double> Y_hat2(4, 2), Y2(4, 2);
  Y_hat2 << Y_hat, Matrix<double>::Constant(4, 1, 7);
  Y2 << Y, Matrix<double>::Constant(4, 1, 7);
  m = regression_metrics(Y_hat2, Y2);
  EXPECT_DOUBLE_EQ(m.mse, 0.25);
  EXPECT_DOUBLE_EQ(m.mae, 0.25);
  EXPECT_DOUBLE_EQ(m.r2, (0.6 + 1) / 2);

  EXPECT_EQ(m.constant_targets, (std::vector<Index>{1}));
  EXPECT_EQ(regression_metrics(Y_hat, Y).constant_targets, (std::vector<Index>{}));

  // Constant and missed: 0, not -inf (sklearn's force_finite), which the text says is no fit
  // worse than the mean.
  Y_hat2(0, 1) = 7.5;
  m = regression_metrics(Y_hat2, Y2);
  EXPECT_DOUBLE_EQ(m.r2, (0.6 + 0) / 2);
  EXPECT_EQ(format_regression(m),
            "mse: 0.28125\nmae: 0.3125\nr2: 0.3\nnote: the target of output 2 is the same in "
            "every row, so r2 divides by 0 there; counted as 1 when predicted exactly, else 0 (as "
            "scikit-learn's r2_score)\n");
  EXPECT_EQ(format_regression(regression_metrics(Y_hat, Y)), "mse: 0.5\nmae: 0.5\nr2: 0.6\n");

  // Three 0.1s are constant, though their mean, rounded, is not quite 0.1.
  const Matrix<double> tenths = Matrix<double>::Constant(3, 1, 0.1);
  ASSERT_NE((tenths.array() - tenths.mean()).square().sum(), 0.0);
  m = regression_metrics(Matrix<double>::Constant(3, 1, 0.2), tenths);
  EXPECT_EQ(m.r2, 0.0);
  EXPECT_EQ(m.constant_targets, (std::vector<Index>{0}));

  // One row: every target is constant.
  m = regression_metrics(Y_hat2.topRows(1), Y2.topRows(1));
  EXPECT_EQ(m.r2, 0.5);
  EXPECT_EQ(m.constant_targets, (std::vector<Index>{0, 1}));
  EXPECT_NE(format_regression(m).find("note: the targets of outputs 1, 2 are the same"),
            std::string::npos);
}

// sklearn: i = arange(12)[:, None]; j = arange(3)[None, :]; y = sin(0.7 i + j);
// yh = y + 0.1 cos(1.3 i + j j); mean_squared_error, mean_absolute_error, r2_score (uniform).
TEST(Metrics, RegressionAgreesWithSklearn) {
  Matrix<double> Y(12, 3), Y_hat(12, 3);
  for (Index i = 0; i < 12; ++i)
    for (Index j = 0; j < 3; ++j) {
      Y(i, j) = std::sin(0.7 * double(i) + double(j));
      Y_hat(i, j) = Y(i, j) + 0.1 * std::cos(1.3 * double(i) + double(j * j));
    }
  const RegressionMetrics m = regression_metrics(Y_hat, Y);
  EXPECT_NEAR(m.mse, 0.0049697968225530026, 1e-15);
  EXPECT_NEAR(m.mae, 0.06350808982767946, 1e-15);
  EXPECT_NEAR(m.r2, 0.989610093939175, 1e-14);
}

TEST(Metrics, ShapesThatDoNotFitAreShapeErrors) {
  const Matrix<double> a = Matrix<double>::Zero(3, 2), b = Matrix<double>::Zero(3, 1);
  const Matrix<double> none = Matrix<double>::Zero(0, 2);
  EXPECT_THROW(classification_metrics(a, b), ShapeError);
  EXPECT_THROW(regression_metrics(a, b), ShapeError);
  EXPECT_THROW(classification_metrics(none, none), ShapeError);
  EXPECT_THROW(regression_metrics(none, none), ShapeError);
  try {
    regression_metrics(a, b);
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("Y_hat is 3x2 but Y is 3x1"), std::string::npos)
        << e.what();
  }
  EXPECT_THROW(format_classification(hand_metrics(), {"a", "b"}), ShapeError);
  EXPECT_THROW(metrics_json(hand_metrics(), {"a", "b", "c", "d"}), ShapeError);
}

TEST(Metrics, ARowOfNaNHasNoClass) {
  // It compared false both ways and counted as class 0.
  Matrix<double> Y_hat(3, 2), Y(3, 2);
  Y_hat << 0.9, 0.1, 0.2, 0.8, std::nan(""), 0.5;
  Y << 1, 0, 0, 1, 1, 0;
  try {
    classification_metrics(Y_hat, Y);
    ADD_FAILURE() << "a NaN was scored";
  } catch (const InputError& e) {
    EXPECT_STREQ(e.what(), "classification_metrics: row 2 of Y_hat holds NaN, which has no class");
  }
  Y_hat(2, 0) = 0.5;
  Y(0, 1) = std::nan("");
  EXPECT_THROW(classification_metrics(Y_hat, Y), InputError);
  Y(0, 1) = 0;
  EXPECT_EQ(classification_metrics(Y_hat, Y).accuracy, 1.0);
}

TEST(Metrics, TheReportStartsWithTheAccuracyToFourDecimals) {
  // 37 of 38 right: 0.97368... prints as 0.9737.
  std::vector<Index> truth(38, 0), predicted(38, 0);
  truth[5] = 1;
  const std::string text =
      format_classification(classification_metrics(scores(predicted, 2), scores(truth, 2)));
  EXPECT_EQ(text.substr(0, text.find('\n')), "accuracy: 0.9737");
  EXPECT_EQ(format_classification(hand_metrics()).substr(0, 17), "accuracy: 0.7000\n");
}

TEST(Metrics, TheReportAlignsTheTableAndTheConfusionMatrix) {
  const std::string expected =
      "accuracy: 0.7000\n"
      "\n"
      "class         precision     recall         f1  support\n"
      "cat              0.7500     0.7500     0.7500        4\n"
      "dog              0.6667     0.5000     0.5714        4\n"
      "long name        0.6667     1.0000     0.8000        2\n"
      "macro avg        0.6944     0.7500     0.7071       10\n"
      "weighted avg     0.7000     0.7000     0.6886       10\n"
      "\n"
      "confusion matrix (rows: true class, columns: predicted class)\n"
      "           cat  dog  long name\n"
      "cat          3    1          0\n"
      "dog          1    2          1\n"
      "long name    0    0          2\n";
  EXPECT_EQ(format_classification(hand_metrics(), {"cat", "dog", "long name"}), expected);
  // Wide characters take two columns, a combining mark none.
  const std::string wide =
      "accuracy: 0.7000\n"
      "\n"
      "class         precision     recall         f1  support\n"
      "猫               0.7500     0.7500     0.7500        4\n"
      "cafe\u0301             0.6667     0.5000     0.5714        4\n"
      "ＡＢ             0.6667     1.0000     0.8000        2\n"
      "macro avg        0.6944     0.7500     0.7071       10\n"
      "weighted avg     0.7000     0.7000     0.6886       10\n"
      "\n"
      "confusion matrix (rows: true class, columns: predicted class)\n"
      "      猫  cafe\u0301  ＡＢ\n"
      "猫     3     1     0\n"
      "cafe\u0301   1     2     1\n"
      "ＡＢ   0     0     2\n";
  EXPECT_EQ(format_classification(hand_metrics(), {"猫", "cafe\u0301", "ＡＢ"}), wide);
  // A label wider than 40 columns is cut to 40, wide characters counted as two; not when two
  // labels would then read alike.
  const std::string long_label(300, 'x'), cut = std::string(37, 'x') + "...";
  const std::string cat_row = "\n" + cut + "     0.7500     0.7500     0.7500        4\n";
  std::string text = format_classification(hand_metrics(), {long_label, "dog", "cat"});
  EXPECT_NE(text.find(cat_row), std::string::npos) << text;
  EXPECT_EQ(text.find(long_label), std::string::npos);
  EXPECT_NE(text.find("\n" + std::string(40, ' ') + "  " + cut + "  dog  cat\n"), std::string::npos)
      << text;
  std::string wide_label;
  for (int i = 0; i < 30; ++i)
    wide_label += "猫";
  text = format_classification(hand_metrics(), {wide_label, "dog", "cat"});
  std::string wide_cut;
  for (int i = 0; i < 18; ++i)
    wide_cut += "猫";
  EXPECT_NE(text.find("\n" + wide_cut + "...     0.7500"), std::string::npos) << text;
  // Two that would read alike stay whole; a third long one is still cut.
  const std::string other = long_label.substr(0, 299) + "y", third(60, 'q');
  text = format_classification(hand_metrics(), {long_label, other, third});
  EXPECT_NE(text.find("\n" + long_label + "     0.7500"), std::string::npos);
  EXPECT_NE(text.find("\n" + other + "     0.6667"), std::string::npos);
  EXPECT_NE(text.find("\n" + std::string(37, 'q') + "...  "), std::string::npos) << text;
  // So does one that would read as another label, short, written with "...".
  text = format_classification(hand_metrics(), {long_label, cut, "cat"});
  EXPECT_NE(text.find("\n" + long_label + "     0.7500"), std::string::npos);
  // Without labels the classes are numbered from 0.
  const std::string numbered = format_classification(hand_metrics());
  EXPECT_NE(numbered.find("\n0                0.7500"), std::string::npos) << numbered;
  EXPECT_NE(numbered.find("\n   0  1  2\n"), std::string::npos) << numbered;
}

TEST(Metrics, TheReportNamesTheClassesWhoseZerosAreZeroOverZero) {
  // Class b is never predicted; class c has no rows and is never predicted either.
  const std::vector<Index> truth{0, 0, 1, 1}, predicted{0, 0, 0, 0};
  const std::string text = format_classification(
      classification_metrics(scores(predicted, 3), scores(truth, 3)), {"a", "b", "c"});
  const std::string notes =
      "\nnote: never predicted, so precision 0/0, shown as 0: b, c\n"
      "note: no rows of this class, so recall 0/0, shown as 0 and counted in the macro avg: c\n";
  ASSERT_GE(text.size(), notes.size());
  EXPECT_EQ(text.substr(text.size() - notes.size()), notes) << text;
  // Every class predicted and present: no note.
  EXPECT_EQ(format_classification(hand_metrics()).find("note:"), std::string::npos);
}

TEST(Metrics, RegressionReport) {
  EXPECT_EQ(format_regression({0.5, 0.25, 0.123456789}), "mse: 0.5\nmae: 0.25\nr2: 0.123457\n");
}

TEST(Metrics, JsonHoldsTheSameNumbersAndTheLabels) {
  const ClassificationMetrics m = hand_metrics();
  const std::string text = metrics_json(m, {"cat", "dog", "bird \"b\""});
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  EXPECT_EQ(text.back(), '\n');
  const json j = json::parse(text);
  EXPECT_EQ(j["accuracy"].get<double>(), m.accuracy);
  EXPECT_EQ(j["labels"], json({"cat", "dog", "bird \"b\""}));
  ASSERT_EQ(j["classes"].size(), 3u);
  for (std::size_t c = 0; c < 3; ++c) {
    EXPECT_EQ(j["classes"][c]["label"], j["labels"][c]);
    EXPECT_EQ(j["classes"][c]["precision"].get<double>(), m.classes[c].precision);
    EXPECT_EQ(j["classes"][c]["recall"].get<double>(), m.classes[c].recall);
    EXPECT_EQ(j["classes"][c]["f1"].get<double>(), m.classes[c].f1);
    EXPECT_EQ(j["classes"][c]["support"].get<Index>(), m.classes[c].support);
  }
  EXPECT_EQ(j["macro_avg"]["f1"].get<double>(), m.macro.f1);
  EXPECT_EQ(j["weighted_avg"]["precision"].get<double>(), m.weighted.precision);
  EXPECT_EQ(j["weighted_avg"]["support"].get<Index>(), 10);
  EXPECT_EQ(j["confusion_matrix"], json::parse("[[3,1,0],[1,2,1],[0,0,2]]"));
  EXPECT_EQ(json::parse(metrics_json(m))["labels"], json({"0", "1", "2"}));

  const RegressionMetrics r{0.1 + 0.2, 1e-300, std::nan(""), {}};
  const json jr = json::parse(metrics_json(r));
  EXPECT_EQ(jr["mse"].get<double>(), 0.1 + 0.2);
  EXPECT_EQ(jr["mae"].get<double>(), 1e-300);
  EXPECT_TRUE(jr["r2"].is_null());
  EXPECT_EQ(jr["constant_targets"], json::array());
  const RegressionMetrics constant{0, 0, 1, {0, 2}};
  EXPECT_EQ(json::parse(metrics_json(constant))["constant_targets"], json({0, 2}));
}

}  // namespace
}  // namespace neurona
