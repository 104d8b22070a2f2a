// Feature scaling: offsets and scales fitted on training rows, hand-computed, applied to rows it
// never saw; constant columns, float, and the errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "neurona/error.hpp"
#include "neurona/scaling.hpp"

namespace neurona {
namespace {

Matrix<double> training() {
  Matrix<double> X(4, 3);
  X << 1, 10, 5,  //
      2, 30, 5,   //
      3, 20, 5,   //
      4, 40, 5;
  return X;
}

TEST(Scaling, NamesRoundTripAndAnUnknownOneNamesTheFlag) {
  for (const Scaling s : {Scaling::none, Scaling::standard, Scaling::minmax})
    EXPECT_EQ(parse_scaling(to_string(s)), s);
  try {
    parse_scaling("zscore");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "--scale: expected standard, minmax or none, got \"zscore\"");
  }
}

TEST(Scaling, StandardUsesTheTrainingMeanAndPopulationDeviation) {
  const Scaler scaler = fit_scaler(Scaling::standard, training());
  // Column 1: mean 2.5, deviations -1.5 -0.5 0.5 1.5, variance (2.25 + 0.25) * 2 / 4 = 1.25.
  EXPECT_DOUBLE_EQ(scaler.offset(0), 2.5);
  EXPECT_DOUBLE_EQ(scaler.scale(0), std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(scaler.offset(1), 25);
  EXPECT_DOUBLE_EQ(scaler.scale(1), std::sqrt(125.0));
  // A column of equal values: scale 1, so it becomes 0 instead of 0 / 0.
  EXPECT_EQ(scaler.offset(2), 5);
  EXPECT_EQ(scaler.scale(2), 1);

  const Matrix<double> scaled = scaler.apply(training());
  EXPECT_NEAR(scaled.col(0).mean(), 0, 1e-15);
  EXPECT_NEAR(std::sqrt(scaled.col(0).array().square().mean()), 1, 1e-15);
  EXPECT_EQ(scaled.col(2), Matrix<double>::Zero(4, 1));

  // Rows it was not fitted on are scaled with the training figures, not their own.
  Matrix<double> other(1, 3);
  other << 7, 25, 6;
  const Matrix<double> out = scaler.apply(other);
  EXPECT_DOUBLE_EQ(out(0, 0), (7 - 2.5) / std::sqrt(1.25));
  EXPECT_DOUBLE_EQ(out(0, 1), 0);
  EXPECT_DOUBLE_EQ(out(0, 2), 1);
}

TEST(Scaling, MinmaxMapsTheTrainingRangeOntoZeroToOne) {
  const Scaler scaler = fit_scaler(Scaling::minmax, training());
  EXPECT_EQ(scaler.offset, (RowVector<double>(3) << 1, 10, 5).finished());
  EXPECT_EQ(scaler.scale, (RowVector<double>(3) << 3, 30, 1).finished());
  Matrix<double> expected(4, 3);
  expected << 0, 0, 0,  //
      1.0 / 3, 2.0 / 3, 0, 2.0 / 3, 1.0 / 3, 0, 1, 1, 0;
  EXPECT_TRUE(scaler.apply(training()).isApprox(expected, 1e-15));
  Matrix<double> beyond(1, 3);
  beyond << -2, 70, 5;
  EXPECT_EQ(scaler.apply(beyond), (Matrix<double>(1, 3) << -1, 2, 0).finished());
}

TEST(Scaling, EqualValuesThatDoNotAverageExactlyStillGetScaleOne) {
  // The mean of ten 0.1 is not 0.1 in double; the spread must still count as none.
  const Matrix<double> X = Matrix<double>::Constant(10, 1, 0.1);
  const Scaler scaler = fit_scaler(Scaling::standard, X);
  EXPECT_EQ(scaler.scale(0), 1);
  EXPECT_LT(scaler.apply(X).cwiseAbs().maxCoeff(), 1e-15);
}

TEST(Scaling, NoneLeavesAnyInputAlone) {
  const Scaler scaler = fit_scaler(Scaling::none, training());
  EXPECT_EQ(scaler.offset.size(), 0);
  EXPECT_EQ(scaler.apply(training()), training());
  const Matrix<double> ones = Matrix<double>::Ones(2, 7);
  EXPECT_EQ(Scaler{}.apply(ones), ones);
}

TEST(Scaling, FloatIsFittedInDoubleAndAppliedInFloat) {
  const Matrix<float> X = training().cast<float>();
  const Scaler scaler = fit_scaler(Scaling::standard, X);
  EXPECT_DOUBLE_EQ(scaler.scale(0), std::sqrt(1.25));
  const Matrix<float> scaled = scaler.apply(X);
  EXPECT_TRUE(
      scaled.isApprox(fit_scaler(Scaling::standard, training()).apply(training()).cast<float>()));
}

TEST(Scaling, ValuesNearTheLargestDoubleDoNotOverflow) {
  Matrix<double> X(2, 1);
  X << 1e308, 1.5e308;
  const Scaler scaler = fit_scaler(Scaling::standard, X);
  EXPECT_DOUBLE_EQ(scaler.offset(0), 1.25e308);
  EXPECT_DOUBLE_EQ(scaler.scale(0), 0.25e308);
  EXPECT_EQ(scaler.apply(X), (Matrix<double>(2, 1) << -1, 1).finished());
}

// The figures as first defined, one column at a time: its values added in row order from the
// first, the squares of the deviations (each divided by the largest) likewise. The squares are
// made in a loop of their own so that no compiler fuses them into the sum.
template <class T>
void expect_column_by_column_figures(const Matrix<T>& X) {
  const Scaler standard = fit_scaler(Scaling::standard, X);
  const Scaler minmax = fit_scaler(Scaling::minmax, X);
  const Index m = X.rows();
  for (Index j = 0; j < X.cols(); ++j) {
    const std::size_t rows = std::size_t(m);
    std::vector<double> column(rows), squares(rows);
    for (Index i = 0; i < m; ++i)
      column[i] = double(X(i, j));
    double sum = column[0], low = column[0], high = column[0];
    for (Index i = 1; i < m; ++i) {
      sum += column[i];
      low = std::min(low, column[i]);
      high = std::max(high, column[i]);
    }
    const double mean = sum / double(m);
    const double largest = std::max(high - mean, mean - low);
    for (Index i = 0; i < m; ++i) {
      const double deviation = (column[i] - mean) / largest;
      squares[i] = deviation * deviation;
    }
    double total = squares[0];
    for (Index i = 1; i < m; ++i)
      total += squares[i];
    const double deviation = low == high ? 1 : largest * std::sqrt(total / double(m));
    EXPECT_EQ(standard.offset(j), mean) << "column " << j;
    EXPECT_EQ(standard.scale(j), deviation) << "column " << j;
    EXPECT_EQ(minmax.offset(j), low) << "column " << j;
    EXPECT_EQ(minmax.scale(j), low == high ? 1 : high - low) << "column " << j;
  }
}

TEST(Scaling, FiguresAreTheColumnByColumnOnesToTheLastBit) {
  // Columns of pixels, of mixed magnitudes and signs, and constant ones, over enough rows that
  // any other order of addition would round differently somewhere.
  std::mt19937_64 engine(3);
  std::uniform_real_distribution<double> uniform(-1, 1);
  Matrix<double> X(1001, 37);
  for (Index i = 0; i < X.rows(); ++i)
    for (Index j = 0; j < X.cols(); ++j) {
      const double u = uniform(engine);
      X(i, j) = j % 4 == 0   ? std::floor(128 * (u + 1))
                : j % 4 == 1 ? u * std::pow(10.0, double(j % 9) - 4)
                : j % 4 == 2 ? 1e6 + u
                             : (j % 8 == 3 ? 0.1 : u);
    }
  expect_column_by_column_figures(X);
  expect_column_by_column_figures<float>(X.cast<float>());
  expect_column_by_column_figures<double>(X.topRows(1));
}

TEST(Scaling, ATemporaryIsScaledInItsOwnStorageToTheSameBits) {
  Matrix<double> X = Matrix<double>::Random(50, 9) * 100;
  for (const Scaling kind : {Scaling::none, Scaling::standard, Scaling::minmax}) {
    const Scaler scaler = fit_scaler(kind, X.topRows(30).eval());
    const Matrix<double> copied = scaler.apply(X);
    Matrix<double> moved = X;
    const double* storage = moved.data();
    const Matrix<double> scaled = scaler.apply(std::move(moved));
    EXPECT_EQ(scaled.data(), storage);
    EXPECT_EQ(scaled, copied);
    const Matrix<float> in_float = X.cast<float>();
    EXPECT_EQ(scaler.apply(Matrix<float>(in_float)), scaler.apply(in_float));
  }

  // A value too large is reported as it was read, though its place was being overwritten.
  Matrix<float> narrow(2, 2);
  narrow << 0, 0, 1e-30f, 1e-30f;
  const Scaler scaler = fit_scaler(Scaling::minmax, narrow);
  Matrix<float> far(2, 2);
  far << 0, 1e-30f, 2e-30f, 1e10f;
  try {
    scaler.apply(std::move(far));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()).substr(0, 40), "row 2, column 2: scaled, (10000000000 - ");
  }
  EXPECT_THROW(scaler.apply(Matrix<float>(1, 3)), ShapeError);
}

// Targets scaled for training come back to their own units: invert undoes apply to rounding,
// column by column, for rows the scaling was not fitted on too.
TEST(Scaling, InvertUndoesApply) {
  const Matrix<double> Y = training() * 1e5;
  Matrix<double> unseen(2, 3);
  unseen << -7e5, 1e7, 5e5,  //
      0, -3, 1e9;
  for (const Scaling kind : {Scaling::standard, Scaling::minmax}) {
    const Scaler scaler = fit_scaler(kind, Y);
    for (const Matrix<double>* rows : {&Y, static_cast<const Matrix<double>*>(&unseen)}) {
      const Matrix<double> back = scaler.invert(scaler.apply(*rows));
      for (Index i = 0; i < rows->rows(); ++i)
        for (Index j = 0; j < rows->cols(); ++j)
          EXPECT_NEAR(back(i, j), (*rows)(i, j), 1e-15 * (std::abs((*rows)(i, j)) + 1e6))
              << to_string(kind) << " " << i << "," << j;
    }
    // y' scale + offset, computed in double: the scaled mean (0) and minimum (0) are the offset.
    EXPECT_EQ(scaler.invert<double>(Matrix<double>::Zero(1, 3)), scaler.offset);
    const Matrix<float> single = scaler.invert<float>(Matrix<float>::Ones(1, 3));
    EXPECT_EQ(single, (scaler.scale + scaler.offset).cast<float>());
    EXPECT_THROW(scaler.invert<double>(Matrix<double>::Zero(1, 2)), ShapeError);
  }
  EXPECT_EQ(Scaler{}.invert(unseen), unseen);
}

TEST(Scaling, ErrorsSayWhatDoesNotFit) {
  for (const Scaling kind : {Scaling::standard, Scaling::minmax, Scaling::none})
    EXPECT_THROW(fit_scaler(kind, Matrix<double>(0, 3)), ShapeError);
  try {
    fit_scaler(Scaling::minmax, training()).apply(Matrix<double>(Matrix<double>::Zero(1, 2)));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_STREQ(e.what(), "Scaler::apply: X has 2 columns, the minmax scaling was fitted on 3");
  }
  Matrix<double> nan = training();
  nan(1, 1) = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(fit_scaler(Scaling::standard, nan), InputError);

  Matrix<double> wide(2, 1);
  wide << -1.7e308, 1.7e308;
  try {
    fit_scaler(Scaling::minmax, wide);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find("column 1: values from -1.7e+308 to 1.7e+308 spread too far"),
        std::string::npos)
        << e.what();
  }

  // A tiny training spread turns a far value into more than float holds: refused, not inf.
  Matrix<float> narrow(2, 1);
  narrow << 0, 1e-30f;
  const Scaler scaler = fit_scaler(Scaling::minmax, narrow);
  try {
    scaler.apply(Matrix<float>(Matrix<float>::Constant(1, 1, 1e10f)));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("row 1, column 1: scaled"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("too large for float precision"), std::string::npos);
  }
}

}  // namespace
}  // namespace neurona
