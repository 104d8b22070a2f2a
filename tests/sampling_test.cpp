// Splits, row selection and class weights.
#include <gtest/gtest.h>

#include <algorithm>

#include "neurona/error.hpp"
#include "neurona/sampling.hpp"

namespace neurona {
namespace {

TEST(Split, PartsAreDisjointCompleteSeededAndSized) {
  const Split a = split_rows(100, 0.2, 0.2, 7), b = split_rows(100, 0.2, 0.2, 7);
  EXPECT_EQ(a.train, b.train);
  EXPECT_EQ(a.test, b.test);
  EXPECT_NE(a.test, split_rows(100, 0.2, 0.2, 8).test);
  EXPECT_EQ(a.train.size(), 60u);
  EXPECT_EQ(a.validation.size(), 20u);
  EXPECT_EQ(a.test.size(), 20u);
  std::vector<Index> all = a.train;
  all.insert(all.end(), a.validation.begin(), a.validation.end());
  all.insert(all.end(), a.test.begin(), a.test.end());
  std::sort(all.begin(), all.end());
  for (Index i = 0; i < 100; ++i)
    EXPECT_EQ(all[std::size_t(i)], i);
}

TEST(Split, StratifiedSplitsKeepEachClassesShare) {
  std::vector<Index> classes(100, 0);
  for (int i = 0; i < 10; ++i)
    classes[std::size_t(i * 10)] = 1;  // a rare class: 10 of 100
  const Split split = split_rows(100, 0.2, 0.2, 3, &classes);
  auto rare = [&](const std::vector<Index>& rows) {
    return std::count_if(rows.begin(), rows.end(),
                         [&](Index r) { return classes[std::size_t(r)] == 1; });
  };
  EXPECT_EQ(rare(split.test), 2);
  EXPECT_EQ(rare(split.validation), 2);
  EXPECT_EQ(rare(split.train), 6);
}

TEST(Split, BadFractionsNameTheFlag) {
  try {
    split_rows(10, 0.6, 0.5, 1);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--validation 0.6 and --test 0.5"), std::string::npos);
  }
  EXPECT_THROW(split_rows(10, -0.1, 0, 1), UsageError);
  EXPECT_THROW(split_rows(10, 0, 1.0, 1), UsageError);
  EXPECT_EQ(split_rows(1, 0.5, 0.4, 1).train.size(), 1u);  // training keeps its one row
}

// One class a row, or the groups would be read past the classes' end.
TEST(Split, ClassesMustNumberOnePerRow) {
  const std::vector<Index> two{0, 1};
  EXPECT_THROW(split_rows(4, 0.25, 0.25, 1, &two), ShapeError);
  EXPECT_THROW(split_rows(-1, 0.25, 0.25, 1), UsageError);
  const Split split = split_rows(2, 0.0, 0.0, 1, &two);
  EXPECT_EQ(split.train.size(), 2u);
}

TEST(TakeRows, TakesRowsInOrderAndRefusesRowsThatAreNotThere) {
  const Matrix<double> M = (Matrix<double>(3, 2) << 1, 2, 3, 4, 5, 6).finished();
  EXPECT_EQ(take_rows(M, {2, 0, 2}), (Matrix<double>(3, 2) << 5, 6, 1, 2, 5, 6).finished());
  EXPECT_EQ(take_rows(M, {}).rows(), 0);
  EXPECT_THROW(take_rows(M, {0, 3}), ShapeError);
  EXPECT_THROW(take_rows(M, {-1}), ShapeError);
}

TEST(ClassWeights, BalancedAsScikitLearnDefinesThem) {
  // 6 rows: 4 of class 0, 2 of class 1 -> 6 / (2 * 4) = 0.75 and 6 / (2 * 2) = 1.5
  const Matrix<double> weights = balanced_row_weights({0, 0, 1, 0, 1, 0});
  EXPECT_EQ(weights(0, 0), 0.75);
  EXPECT_EQ(weights(2, 0), 1.5);
  EXPECT_DOUBLE_EQ(weights.mean(), 1.0);

  Matrix<double> Y(3, 3);
  Y << 0, 1, 0, 0, 0, 1, 0.9, 0.1, 0;
  EXPECT_EQ(class_of_rows(Y), (std::vector<Index>{1, 2, 0}));
  EXPECT_EQ(class_of_rows(Matrix<double>::Constant(2, 1, 0.7)), (std::vector<Index>{1, 1}));
}

}  // namespace
}  // namespace neurona
