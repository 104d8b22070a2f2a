// Data in: CSV files of numbers and class labels, split into inputs X and targets Y for a network.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

// How to read a CSV file. The default reads what read_csv always read: numbers, comma-separated.
struct CsvOptions {
  // ',', ';' or '\t'. 0 detects it from the first non-blank line: the one of the three that occurs
  // there most often outside quotes; on a tie (a single column, say) the first of ',' ';' '\t'.
  char separator = 0;
  // Skip rows with a missing value (NA or an empty cell) instead of refusing the file.
  bool drop_missing = false;
  // Columns kept as text labels, each a header name or a 1-based number (as --targets names them).
  std::vector<std::string> label_columns = {};
  // Columns not read, named alike: a field there may hold anything, or nothing. For targets that
  // make_inputs need not read (the blank target column of rows yet to be predicted). A column
  // both skipped and a label column is skipped, its name kept only for telling the header, where
  // a label column by number may hold text. A first line whose only text is in skipped columns
  // given by number is refused as ambiguous, unless `header` says (see Table).
  std::vector<std::string> skipped_columns = {};
  // Whether the first line is a header: true or false as given, or none to tell it from its fields
  // (see Table).
  std::optional<bool> header = std::nullopt;
};

// A CSV file as numbers, with label columns also kept as text. The first line is a header when
// one of its fields is neither a number nor missing (label columns given by number not counted; a
// number with a decimal comma, "2,5", counts as a number, and is then refused with a HINT), unless
// CsvOptions::header says. A first line that numbers its three or more columns from 0, "0,1,2,3"
// as pandas writes the header of a frame with numbered columns, above 10 rows or more of which
// none does, is refused as ambiguous (InputError) when CsvOptions::header does not say, as is a
// first line whose only text is in skipped columns given by number ("0,1,y" may name inputs by
// numbers, "0.1,0.2,unknown" be a row whose target is not known);
// blank lines are skipped; a field may be quoted with "" (a "" inside stands for one "). Lines
// end in \n or \r\n: a line end of a lone \r is refused.
struct Table {
  std::filesystem::path file;
  std::vector<std::string> header;  // column names, empty when the file has none
  Matrix<double> values;            // rows x columns; 0 in label and skipped columns
  std::vector<Index> lines;         // the 1-based line number of each row, for messages
  // Label columns (0-based) -> each row's text, as written (unquoted and trimmed).
  std::map<Index, std::vector<std::string>> labels;
  std::vector<Index> skipped_columns;  // CsvOptions::skipped_columns, 0-based, in column order
  Index dropped_rows = 0;            // rows skipped for a missing value (CsvOptions::drop_missing)
  std::vector<Index> dropped_lines;  // their line numbers, 1-based
  char separator = ',';              // the separator read, given or detected
  bool header_told = false;          // CsvOptions::header said whether line 1 is a header
};

// A field's text (a cell, a column's name) as neurona's messages show it: in double quotes, cut
// after about 40 bytes with "...", and with control characters and bytes that are not UTF-8
// written as \xNN, so that a stray NUL or binary data neither cuts a message short nor reaches
// the terminal raw.
std::string quote_field(std::string_view text);

// Reads a CSV file. Throws InputError naming file, line and column for a missing, empty or
// unreadable file, a line ended by a lone carriage return, a ragged row, a cell that is not a
// number, NaN or infinity, and a missing value (NA or an empty cell) unless
// options.drop_missing (outside skipped columns); UsageError for a label or skipped column that
// names no column or a separator other than , ; and tab.
Table read_csv(const std::filesystem::path& path, const CsvOptions& options = {});

// The same, from text already read (standard input, say); `name` stands for the file in messages.
Table parse_csv(std::string_view text, const std::string& name, const CsvOptions& options = {});

// The first line of CSV text that is not blank, read as parse_csv reads it (a byte-order mark
// skipped, the separator given or detected): its fields, and whether it is the header. For a
// command that chooses columns before the whole file is read; `text` may be the file's beginning
// alone. Throws InputError as parse_csv would for that line.
struct CsvFirstLine {
  std::vector<std::string> fields;  // empty for text with no line that is not blank
  bool header = false;
};
CsvFirstLine csv_first_line(std::string_view text, const std::string& name,
                            const CsvOptions& options = {});

// The separator read_csv detects on a file's first line: the one of , ; and tab found there most
// often outside quotes, the first of them on a tie.
char detect_csv_separator(std::string_view line);

// The fields of one line as read_csv splits them: trimmed, unquoted. Throws InputError, placed at
// `where` ("file:line"), for a quote that is not closed or is followed by more text.
std::vector<std::string> split_csv_line(std::string_view line, char separator,
                                        const std::string& where);

template <class T>
struct Dataset {
  Matrix<T> X;  // m x n_in
  Matrix<T> Y;  // m x n_out; empty for a table without targets
  // For a table: the columns (0-based) X's columns are, and those Y comes from (a class label
  // column is one); empty for other sources.
  std::vector<Index> input_columns = {};
  std::vector<Index> target_columns = {};
};

// Which columns are targets: each entry a header name or a 1-based column number. Empty means the
// last columns, as many as the targets take.
using TargetColumns = std::vector<std::string>;

// The classes of a label column: its distinct labels sorted, numerically when every label is a
// number ("2" before "10"), else by bytes. Class k is one-hot column k.
struct ClassEncoding {
  std::vector<std::string> labels;

  Index size() const { return Index(labels.size()); }
  // The class of a label, or -1 when it is not one of them. A number is the class of the same
  // value: "1.0" is class "1", as make_class_encoding keeps one label per value.
  Index index_of(std::string_view label) const;
};

// The sorted distinct labels of `labels`.
ClassEncoding make_class_encoding(const std::vector<std::string>& labels);

// The classes of a table's target column: the one column `targets` names, or the last column. A
// label column gives its text; a numeric column its numbers written shortest ("1", "2.5"). Throws
// UsageError for more than one or an unknown target column, and InputError when `targets` is empty
// and the first row of a table without a header looks like one: its label is text that no other
// row has, in a column whose other labels repeat ("0,1,2,target" above rows of classes); not when
// the reader was told whether line 1 is a header (CsvOptions::header), and when the column was
// skipped in reading.
ClassEncoding fit_classes(const Table& table, const TargetColumns& targets = {});

// Splits a table for a network with n_in inputs and n_out outputs. Targets are n_out columns,
// or, for cross_entropy with n_out > 1, one column of class numbers 0 .. n_out-1 (one-hot encoded
// here). With `classes`, the target is one column of labels (named by `targets`, else the last),
// one-hot encoded by class: n_out must equal classes->size(), or be 1 for two classes (Y is then
// the class, 0 or 1). Throws InputError when the columns do not fit, a label is not a class or a
// column the network reads was skipped (CsvOptions::skipped_columns), UsageError for an unknown
// target column.
template <class T>
Dataset<T> make_dataset(const Table& table, Index n_in, Index n_out, Loss loss,
                        const TargetColumns& targets = {}, const ClassEncoding* classes = nullptr);

// As make_dataset, but the targets may be absent: rows of n_in columns give X alone. So do target
// columns the reader skipped (any one of them), which keep their place: X is the other columns,
// and Y is empty.
template <class T>
Dataset<T> make_inputs(const Table& table, Index n_in, Index n_out, Loss loss,
                       const TargetColumns& targets = {}, const ClassEncoding* classes = nullptr);

}  // namespace neurona
