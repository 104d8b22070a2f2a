// Choosing rows: seeded train/validation/test splits (stratified by class when asked) and the
// row weights that balance classes.
#pragma once

#include <cstdint>
#include <vector>

#include "neurona/matrix.hpp"

namespace neurona {

struct Split {
  std::vector<Index> train, validation, test;  // row numbers, each in increasing order
};

// Splits rows 0 .. m-1: a `validation` and a `test` fraction (each in [0, 1), together below 1),
// the rest for training, shuffled by `seed`. With `classes` (one class number per row) each class
// is split in the same proportions (stratified), so that rare classes reach every part. Each part
// takes round(fraction x count) rows; training keeps at least one. Throws UsageError naming
// --validation or --test for a fraction out of range, or for m below 0, and ShapeError unless
// `classes` holds m classes.
Split split_rows(Index m, double validation, double test, std::uint64_t seed,
                 const std::vector<Index>* classes = nullptr);

// The class of each row of one-hot targets Y (m x k), or of 0/1 targets (m x 1, class 1 when
// y >= 0.5).
std::vector<Index> class_of_rows(const Matrix<double>& Y);

// "balanced" class weights as scikit-learn defines them, given to each row: a row of class c
// weighs m / (k n_c), k the number of classes present and n_c the rows of class c, so every class
// carries the same total weight and the weights average 1. m x 1.
Matrix<double> balanced_row_weights(const std::vector<Index>& classes);

// The rows `rows` of M, in that order. Throws ShapeError for a row number outside 0 .. rows - 1.
template <class T>
Matrix<T> take_rows(const Matrix<T>& M, const std::vector<Index>& rows);

}  // namespace neurona
