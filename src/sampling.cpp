// Seeded, optionally stratified splits, and balanced class weights.
#include "neurona/sampling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "neurona/error.hpp"
#include "neurona/random.hpp"

namespace neurona {
namespace {

void check_fraction(double fraction, const char* flag) {
  if (!(fraction >= 0 && fraction < 1))
    throw UsageError(fmt::format("{} must be a fraction in [0, 1), got {}", flag, fraction));
}

}  // namespace

Split split_rows(Index m, double validation, double test, std::uint64_t seed,
                 const std::vector<Index>* classes) {
  check_fraction(validation, "--validation");
  check_fraction(test, "--test");
  if (validation + test >= 1)
    throw UsageError(
        fmt::format("--validation {} and --test {} leave no rows to train on", validation, test));
  if (m < 0) throw UsageError(fmt::format("a split needs 0 rows or more, got {}", m));
  if (classes && Index(classes->size()) != m)
    throw ShapeError(fmt::format("{} classes given for the {} rows to split; expected one per row",
                                 classes->size(), m));
  // Groups of rows split alike: one per class when stratified, else all rows together.
  std::map<Index, std::vector<Index>> groups;
  for (Index i = 0; i < m; ++i)
    groups[classes ? (*classes)[std::size_t(i)] : 0].push_back(i);

  RandomEngine engine(seed);
  Split split;
  for (auto& [group, rows] : groups) {
    shuffle(rows, engine);
    const Index count = Index(rows.size());
    Index n_test = Index(std::llround(test * double(count)));
    Index n_validation = Index(std::llround(validation * double(count)));
    while (n_test + n_validation >= count && n_test + n_validation > 0) {  // keep one to train
      if (n_validation >= n_test)
        --n_validation;
      else
        --n_test;
    }
    auto from = rows.begin();
    split.test.insert(split.test.end(), from, from + n_test);
    split.validation.insert(split.validation.end(), from + n_test, from + n_test + n_validation);
    split.train.insert(split.train.end(), from + n_test + n_validation, rows.end());
  }
  for (auto* part : {&split.train, &split.validation, &split.test})
    std::sort(part->begin(), part->end());
  return split;
}

std::vector<Index> class_of_rows(const Matrix<double>& Y) {
  std::vector<Index> classes(std::size_t(Y.rows()));
  for (Index i = 0; i < Y.rows(); ++i) {
    if (Y.cols() == 1) {
      classes[std::size_t(i)] = Y(i, 0) >= 0.5 ? 1 : 0;
    } else {
      Index best;
      Y.row(i).maxCoeff(&best);
      classes[std::size_t(i)] = best;
    }
  }
  return classes;
}

Matrix<double> balanced_row_weights(const std::vector<Index>& classes) {
  std::map<Index, double> counts;
  for (Index c : classes)
    counts[c] += 1;
  const double m = double(classes.size()), k = double(counts.size());
  Matrix<double> weights(Index(classes.size()), 1);
  for (std::size_t i = 0; i < classes.size(); ++i)
    weights(Index(i), 0) = m / (k * counts[classes[i]]);
  return weights;
}

template <class T>
Matrix<T> take_rows(const Matrix<T>& M, const std::vector<Index>& rows) {
  for (std::size_t r = 0; r < rows.size(); ++r)
    if (rows[r] < 0 || rows[r] >= M.rows())
      throw ShapeError(fmt::format("row {} of a {}x{} matrix (rows[{}]): there is no such row",
                                   rows[r], M.rows(), M.cols(), r));
  Matrix<T> result(Index(rows.size()), M.cols());
  for (std::size_t r = 0; r < rows.size(); ++r)
    result.row(Index(r)) = M.row(rows[r]);
  return result;
}

template Matrix<float> take_rows<float>(const Matrix<float>&, const std::vector<Index>&);
template Matrix<double> take_rows<double>(const Matrix<double>&, const std::vector<Index>&);

}  // namespace neurona
