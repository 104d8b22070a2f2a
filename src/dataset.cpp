// CSV reading with exact number parsing (std::from_chars) and messages that point at the cell.
#include "neurona/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>

#include "neurona/error.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

struct Field {
  std::string_view text;  // trimmed
  std::size_t column;     // 1-based character column where the field starts
};

std::string_view trim(std::string_view text, std::size_t& skipped) {
  skipped = 0;
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
    text.remove_prefix(1);
    ++skipped;
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
    text.remove_suffix(1);
  return text;
}

std::vector<Field> split_fields(std::string_view line) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    std::size_t skipped;
    const std::string_view text = trim(line.substr(start, end - start), skipped);
    fields.push_back({text, start + skipped + 1});
    if (end == line.size()) break;
    start = end + 1;
  }
  return fields;
}

// The number in `text`, or nothing if it is not one. Infinite or NaN values come back as such.
std::optional<double> parse_number(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size()) return std::nullopt;
  if (error == std::errc::result_out_of_range) return HUGE_VAL;
  if (error != std::errc()) return std::nullopt;
  return value;
}

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string read_file(const fs::path& path) {
  std::error_code error;
  if (!fs::exists(path, error)) throw InputError(path.string() + ": no such file");
  if (fs::is_directory(path, error))
    throw InputError(path.string() + ": is a folder, expected a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path.string() + ": read error");
  return text.str();
}

std::string quote(std::string_view text) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  return "\"" + shown + "\"";
}

}  // namespace

Table read_csv(const fs::path& path) {
  const std::string text = read_file(path);
  Table table;
  table.file = path;
  const std::string name = path.string();

  std::vector<double> values;
  std::size_t columns = 0;
  Index first_line = 0;
  std::size_t line_start = 0;
  for (Index line_number = 1; line_start < text.size(); ++line_number) {
    const std::size_t line_end = std::min(text.find('\n', line_start), text.size());
    const std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (blank(line)) continue;
    const std::vector<Field> fields = split_fields(line);

    if (columns == 0) {  // the first line decides the column count, and whether it is a header
      columns = fields.size();
      first_line = line_number;
      const bool numeric = std::all_of(fields.begin(), fields.end(), [](const Field& f) {
        return parse_number(f.text).has_value();
      });
      if (!numeric) {
        for (const Field& f : fields)
          table.header.emplace_back(f.text);
        continue;
      }
    }
    if (fields.size() != columns) {
      const std::size_t column = fields.size() > columns ? fields[columns].column : line.size() + 1;
      throw InputError(fmt::format("{}:{}:{}: expected {} fields like line {}, got {}", name,
                                   line_number, column, columns, first_line, fields.size()));
    }
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const Field& f = fields[j];
      const std::optional<double> value = parse_number(f.text);
      if (!value)
        throw InputError(fmt::format("{}:{}:{}: field {}: expected a number, got {}", name,
                                     line_number, f.column, j + 1,
                                     f.text.empty() ? "an empty cell" : quote(f.text)));
      if (!std::isfinite(*value))
        throw InputError(fmt::format("{}:{}:{}: field {}: expected a finite number, got {}", name,
                                     line_number, f.column, j + 1, quote(f.text)));
      values.push_back(*value);
    }
    table.lines.push_back(line_number);
  }

  if (columns == 0) throw InputError(name + ": the file is empty, expected rows of numbers");
  if (table.lines.empty())
    throw InputError(fmt::format("{}:{}: a header but no rows of numbers", name, first_line));
  const Index rows = Index(table.lines.size());
  table.values = Eigen::Map<const Matrix<double>>(values.data(), rows, Index(columns));
  return table;
}

namespace {

// Resolves the target columns of a table (0-based), each a header name or a 1-based number.
std::vector<Index> resolve_targets(const Table& table, const TargetColumns& targets) {
  std::vector<Index> result;
  for (const std::string& target : targets) {
    const auto named = std::find(table.header.begin(), table.header.end(), target);
    if (named != table.header.end()) {
      result.push_back(Index(named - table.header.begin()));
      continue;
    }
    long long number = 0;
    const auto [end, error] = std::from_chars(target.data(), target.data() + target.size(), number);
    if (error != std::errc() || end != target.data() + target.size() || number < 1 ||
        number > table.values.cols())
      throw UsageError(fmt::format(
          "--targets: {} names no column of {}; expected a column name{} or a number from 1 to {}",
          quote(target), table.file.string(),
          table.header.empty() ? " (the file has no header)" : "", table.values.cols()));
    result.push_back(Index(number - 1));
  }
  for (std::size_t i = 0; i < result.size(); ++i)
    if (std::count(result.begin(), result.end(), result[i]) > 1)
      throw UsageError(fmt::format("--targets: column {} is named twice", result[i] + 1));
  return result;
}

std::string describe_network(Index n_in, Index n_out) {
  return fmt::format("{} input{} and {} target{}", n_in, n_in == 1 ? "" : "s", n_out,
                     n_out == 1 ? "" : "s");
}

// Fills X from the columns that are not targets and Y from the target columns.
template <class T>
Dataset<T> split(const Table& table, const std::vector<Index>& target_columns, Index n_out,
                 bool class_numbers) {
  const Index m = table.values.rows();
  std::vector<Index> input_columns;
  for (Index j = 0; j < table.values.cols(); ++j)
    if (std::find(target_columns.begin(), target_columns.end(), j) == target_columns.end())
      input_columns.push_back(j);

  Dataset<T> data;
  data.X.resize(m, Index(input_columns.size()));
  for (Index j = 0; j < Index(input_columns.size()); ++j)
    data.X.col(j) = table.values.col(input_columns[std::size_t(j)]).template cast<T>();
  if (target_columns.empty()) return data;

  if (!class_numbers) {
    data.Y.resize(m, Index(target_columns.size()));
    for (Index j = 0; j < Index(target_columns.size()); ++j)
      data.Y.col(j) = table.values.col(target_columns[std::size_t(j)]).template cast<T>();
    return data;
  }
  data.Y = Matrix<T>::Zero(m, n_out);
  const Index column = target_columns.front();
  for (Index i = 0; i < m; ++i) {
    const double label = table.values(i, column);
    if (label != std::floor(label) || label < 0 || label >= double(n_out))
      throw InputError(fmt::format(
          "{}:{}: column {}: expected a class number from 0 to {} (a softmax output of {}), got {}",
          table.file.string(), table.lines[std::size_t(i)], column + 1, n_out - 1, n_out, label));
    data.Y(i, Index(label)) = T(1);
  }
  return data;
}

template <class T>
Dataset<T> choose_columns(const Table& table, Index n_in, Index n_out, Loss loss,
                          const TargetColumns& targets, bool targets_optional) {
  const Index columns = table.values.cols();
  const bool classes_possible = loss == Loss::cross_entropy && n_out > 1;
  const std::string where = fmt::format("{}:{}", table.file.string(), table.lines.front());

  std::vector<Index> target_columns = resolve_targets(table, targets);
  if (!targets.empty()) {
    const Index n_targets = Index(target_columns.size());
    const bool fits = n_targets == n_out || (classes_possible && n_targets == 1);
    if (!fits)
      throw UsageError(fmt::format("--targets: names {} column{}, the network has {} output{}{}",
                                   n_targets, n_targets == 1 ? "" : "s", n_out,
                                   n_out == 1 ? "" : "s",
                                   classes_possible ? " (or 1 column of class numbers)" : ""));
    if (columns - n_targets != n_in)
      throw InputError(fmt::format(
          "{}: rows have {} columns; with {} target column{}, the "
          "network's {} inputs need {}",
          where, columns, n_targets, n_targets == 1 ? "" : "s", n_in, n_in + n_targets));
    return split<T>(table, target_columns, n_out, n_targets == 1 && n_out > 1);
  }

  if (columns == n_in + n_out) {
    for (Index j = n_in; j < columns; ++j)
      target_columns.push_back(j);
    return split<T>(table, target_columns, n_out, false);
  }
  if (classes_possible && columns == n_in + 1) return split<T>(table, {n_in}, n_out, true);
  if (targets_optional && columns == n_in) return split<T>(table, {}, n_out, false);

  std::string expected = fmt::format("{} ({})", n_in + n_out, describe_network(n_in, n_out));
  if (classes_possible)
    expected += fmt::format(" or {} ({} inputs and a class number)", n_in + 1, n_in);
  if (targets_optional) expected += fmt::format(" or {} (inputs alone)", n_in);
  throw InputError(
      fmt::format("{}: rows have {} columns; the network needs {}", where, columns, expected));
}

// Splits the table, then makes sure no value overflowed on the way to T (1e300 as float).
template <class T>
Dataset<T> select(const Table& table, Index n_in, Index n_out, Loss loss,
                  const TargetColumns& targets, bool targets_optional) {
  Dataset<T> data = choose_columns<T>(table, n_in, n_out, loss, targets, targets_optional);
  for (Index i = 0; i < data.X.rows(); ++i)
    if (!data.X.row(i).allFinite() || (data.Y.size() && !data.Y.row(i).allFinite()))
      throw InputError(fmt::format("{}:{}: a value is too large for {} precision",
                                   table.file.string(), table.lines[std::size_t(i)],
                                   sizeof(T) == sizeof(float) ? "float" : "double"));
  return data;
}

}  // namespace

template <class T>
Dataset<T> make_dataset(const Table& table, Index n_in, Index n_out, Loss loss,
                        const TargetColumns& targets) {
  return select<T>(table, n_in, n_out, loss, targets, false);
}

template <class T>
Dataset<T> make_inputs(const Table& table, Index n_in, Index n_out, Loss loss,
                       const TargetColumns& targets) {
  return select<T>(table, n_in, n_out, loss, targets, true);
}

template Dataset<float> make_dataset<float>(const Table&, Index, Index, Loss, const TargetColumns&);
template Dataset<double> make_dataset<double>(const Table&, Index, Index, Loss,
                                              const TargetColumns&);
template Dataset<float> make_inputs<float>(const Table&, Index, Index, Loss, const TargetColumns&);
template Dataset<double> make_inputs<double>(const Table&, Index, Index, Loss,
                                             const TargetColumns&);

}  // namespace neurona
