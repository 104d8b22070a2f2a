// Data in: CSV files of numbers, split into inputs X and targets Y for a network.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

// A CSV file as numbers. Fields are separated by commas; the first line is a header when some
// field of it is not a number; blank lines are skipped.
struct Table {
  std::filesystem::path file;
  std::vector<std::string> header;  // column names, empty when the file has none
  Matrix<double> values;            // rows x columns
  std::vector<Index> lines;         // the 1-based line number of each row, for messages
};

// Reads a CSV file. Throws InputError naming file, line and column for a missing, empty or
// unreadable file, a ragged row, a cell that is not a number, and NaN or infinity.
Table read_csv(const std::filesystem::path& path);

template <class T>
struct Dataset {
  Matrix<T> X;  // m x n_in
  Matrix<T> Y;  // m x n_out; empty for a table without targets
};

// Which columns are targets: each entry a header name or a 1-based column number. Empty means the
// last columns, as many as the targets take.
using TargetColumns = std::vector<std::string>;

// Splits a table for a network with n_in inputs and n_out outputs. Targets are n_out columns,
// or, for cross_entropy with n_out > 1, one column of class numbers 0 .. n_out-1 (one-hot encoded
// here). Throws InputError when the columns do not fit, UsageError for an unknown target column.
template <class T>
Dataset<T> make_dataset(const Table& table, Index n_in, Index n_out, Loss loss,
                        const TargetColumns& targets = {});

// As make_dataset, but the targets may be absent: rows of n_in columns give X alone.
template <class T>
Dataset<T> make_inputs(const Table& table, Index n_in, Index n_out, Loss loss,
                       const TargetColumns& targets = {});

}  // namespace neurona
