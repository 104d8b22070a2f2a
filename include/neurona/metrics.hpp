// How well a network's outputs Y_hat fit targets Y: accuracy, per-class precision, recall and F1
// and the confusion matrix for classes; mse, mae and r2 for regression. The definitions are
// sklearn.metrics', so that the numbers can be compared with it.
#pragma once

#include <string>
#include <vector>

#include "neurona/matrix.hpp"

namespace neurona {

// Precision, recall and F1 of one class, or their macro or weighted average.
struct ClassScores {
  double precision;
  double recall;
  double f1;
  Index support;  // rows whose true class it is; for an average, all rows
};

struct ClassificationMetrics {
  double accuracy;                   // rows predicted right / all rows
  Matrix<Index> confusion;           // k x k: row = true class, column = predicted class
  std::vector<ClassScores> classes;  // k, in class order
  ClassScores macro;                 // unweighted mean over the k classes
  ClassScores weighted;              // mean over the k classes weighted by support
};

struct RegressionMetrics {
  double mse;  // mean of (yhat - y)^2 over all rows and outputs
  double mae;  // mean of |yhat - y| over all rows and outputs
  double r2;   // mean over the outputs of 1 - sum (yhat - y)^2 / sum (y - mean y)^2
  // The outputs (0-based) whose target is the same in every row, where r2's denominator is 0.
  std::vector<Index> constant_targets = {};
};

// Scores classes predicted by Y_hat (m x n_out) against Y (m x n_out), m >= 1. With n_out > 1
// there are k = n_out classes and a row's class, in Y_hat as in the one-hot Y, is its argmax
// (ties go to the first, as numpy's). With one output there are k = 2 classes: class 1 when the
// value is >= 0.5, so Y holds 0 and 1. All k classes count, even one absent from Y (as sklearn
// with labels=range(k)). F1 = 2 TP / (2 TP + FP + FN), the harmonic mean of precision and
// recall. A ratio 0/0 is 0, as sklearn's zero_division=0: a class never predicted has precision
// 0, a class with no rows recall 0, one neither present nor predicted F1 0.
// Throws ShapeError when the shapes differ or m is 0, and InputError naming the row when Y_hat
// or Y holds a NaN (a row with no class).
ClassificationMetrics classification_metrics(const Matrix<double>& Y_hat, const Matrix<double>& Y);

// Scores Y_hat (m x n_out) against Y (m x n_out), m >= 1. r2 is sklearn's r2_score with
// multioutput='uniform_average' and force_finite=True: an output whose target is constant
// (always so when m is 1) scores 1 when predicted exactly and 0 otherwise, instead of dividing
// by zero; constant as its values compare, where sklearn's rounded mean of three 0.1s leaves a
// denominator a speck above 0, and r2 near -1e34. NaN in Y_hat gives NaN. Throws ShapeError when
// the shapes differ or m is 0.
RegressionMetrics regression_metrics(const Matrix<double>& Y_hat, const Matrix<double>& Y);

// The report as text: "accuracy: 0.9737" (4 decimals) on the first line, then a table of
// precision, recall, f1 and support per class with the macro and weighted averages, then the
// confusion matrix with the labels on both axes, then a note naming the classes whose
// precision or recall is 0/0, shown as 0 (never predicted; no rows). `labels` names the k classes;
// empty means "0" .. "k-1". A label wider than 40 columns is cut to at most 40, ending in "...",
// unless it would then read as another label. Ends with a newline. Throws ShapeError when labels is
// neither empty nor k long.
std::string format_classification(const ClassificationMetrics& metrics,
                                  const std::vector<std::string>& labels = {});

// "mse: ...", "mae: ..." and "r2: ..." lines, 6 significant digits, then a note naming the
// outputs whose target is constant, whose r2 is counted as force_finite says: a 0 there is no
// model worse than the mean. Ends with a newline.
std::string format_regression(const RegressionMetrics& metrics);

// The same as one JSON object on one line, ending with a newline. Numbers are exact (they read
// back to the same bits); NaN is written as null.
// Classification: {"accuracy", "labels": [k names], "classes": [{"label", "precision", "recall",
// "f1", "support"}], "macro_avg" and "weighted_avg": {"precision", "recall", "f1", "support"},
// "confusion_matrix": k rows (true class) of k counts (predicted class), in label order}.
// Regression: {"mse", "mae", "r2", "constant_targets": [0-based outputs]}.
std::string metrics_json(const ClassificationMetrics& metrics,
                         const std::vector<std::string>& labels = {});
std::string metrics_json(const RegressionMetrics& metrics);

}  // namespace neurona
