// Reading data for the commands: CSV, IDX image sets and FANN .data files, with the flags that
// choose columns, classes and separators.
#pragma once

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cmath>
#include <string>
#include <type_traits>

#include "neurona/neurona.hpp"

namespace neurona::cli {

struct DataArgs {
  std::string file;
  std::string labels;  // IDX: the labels file beside the images file
  std::string targets;
  std::string separator;        // "", ",", ";" or "tab"
  std::string header = "auto";  // "auto", "yes" or "no": whether the first line is a header
  bool classes = false;
  bool drop_missing = false;
  // The target columns when --targets is not given: those of the table a model was trained on,
  // found in this file (see data_args_for).
  TargetColumns model_targets;

  // Adds --data and the flags above to a command.
  void add_flags(CLI::App& command, const std::string& data_help);
  // --targets as a list, else model_targets.
  TargetColumns target_columns() const;
};

// A data set as read, in double, with what was learnt about its classes.
struct LoadedData {
  Dataset<double> data;   // X as read (not scaled); Y one-hot for classes; Y empty without targets
  ClassEncoding classes;  // labels of the classes, when the targets are classes
  std::string summary;    // "iris.csv: 150 rows, 3 classes" for progress messages
  std::vector<Index> dropped_lines;  // CSV lines skipped by --drop-missing
  std::vector<Index> lines;          // CSV: the line of each row, for messages; else empty
  std::vector<std::string> header;   // CSV: the column names, when the file has them
};

// Where row `row` (0-based) of the data is, for a message: "iris.csv:12" when its line is known,
// else "data.idx: data row 11".
std::string place_of_row(const std::string& file, const std::vector<Index>& lines, Index row);

// The classes of the data file (for --classes or an IDX labels file) before any network exists,
// so that a new network can take their number as its output width. Empty otherwise.
ClassEncoding classes_in(const DataArgs& args);

// Throws UsageError, naming `flag` ("--layers 4,8,3") and the file the classes come from (for IDX,
// the labels, with the byte of the first label beyond the outputs), unless a network of `outputs`
// outputs fits the classes: one output each, or one for two classes.
void check_outputs_fit_classes(const DataArgs& args, const ClassEncoding& classes, Index outputs,
                               const std::string& flag);

// What a command does with a data file's target columns.
enum class Targets {
  required,  // train, evaluate, explain, gradcheck: rows of inputs alone are refused
  optional,  // report: read and scored when the file has them
  skipped,   // predict: not read when the file has them, so their cells may be blank or anything
};

// Reads the data for a network of n_in inputs and n_out outputs. With `classes`, targets are
// labels of those classes. Unless targets are required, rows of inputs alone are accepted; target
// columns are skipped only where --targets or DataArgs::model_targets names them in a CSV file.
LoadedData load_data(const DataArgs& args, Index n_in, Index n_out, Loss loss,
                     const ClassEncoding* classes, Targets targets);

// Reads the data for a trained model, with the flags as data_args_for makes them; inputs named in
// the file's header must be the model's, in its order.
LoadedData load_data_for(const ModelFile& model, DataArgs args, Targets targets);

// --classes for a model trained on numbers (half_squared_error) reads its targets as labels it
// has none of: refused with UsageError, naming the model file.
void refuse_classes_for_regression(const DataArgs& args, const ModelFile& model,
                                   const std::string& model_path);

// The data flags for a trained model's data: a CSV file's targets read as the model's classes,
// and, without --targets, the target columns of the table the model was trained on: by name when
// the file's header holds each of their names once, else by number when the file has as many
// columns as that table. Otherwise none: the file's last columns, or its inputs alone.
DataArgs data_args_for(const ModelFile& model, DataArgs args);

// The layout of the table the data came from, for a model trained on it: none for IDX and FANN.
TableLayout layout_of(const LoadedData& loaded);

// Cross-entropy is a loss of probabilities: targets of 25 to 346 would train to a loss of -53688
// without a word, and be scored as classes by their largest value. Throws InputError naming the
// line and column unless each target is in [0, 1], and with softmax's cross_entropy each row's
// sum 1. For the commands that train on or score the targets; predict reads none.
void check_probability_targets(const LoadedData& loaded, Loss loss, const std::string& file);

// The CRC-32 of a file as 8 hex digits, for a model's provenance.
std::string file_crc32(const std::string& path);

}  // namespace neurona::cli
