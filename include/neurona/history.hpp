// The per-epoch record of a training run, and its CSV file: saved by `train --history`, read back
// to draw a report later.
#pragma once

#include <filesystem>
#include <vector>

#include "neurona/matrix.hpp"

namespace neurona {

struct EpochRecord {
  Index epoch;             // 1-based, as EpochStats
  double loss;             // E on the training rows
  double validation_loss;  // E on the validation rows; NaN when there is no validation set
  double learning_rate;
  double seconds;  // since training started
};

using History = std::vector<EpochRecord>;

// Writes `epoch,loss,validation_loss,learning_rate,seconds` and one line per record, numbers in
// their shortest text that reads back to the same bits, a NaN validation loss as an empty cell.
// Replaces the file atomically; throws InputError when it cannot be written, and, writing
// nothing, for a record read_history_csv would refuse (a negative number, an epoch out of order).
void write_history_csv(const History& history, const std::filesystem::path& path);

// Reads a file written by write_history_csv (blank lines and spaces around cells are allowed;
// a header with no rows is an empty history). Throws InputError naming file:line:column for a
// wrong header, a row without 5 cells, a cell that is not a number or is negative, an epoch that
// is not a whole number greater than the one before.
History read_history_csv(const std::filesystem::path& path);

}  // namespace neurona
