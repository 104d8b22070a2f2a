// CSV reading with exact number parsing (std::from_chars) and messages that point at the cell; the
// split into X and Y, with class labels one-hot encoded.
#include "neurona/dataset.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <deque>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "neurona/error.hpp"
#include "text_file.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

struct Field {
  std::string_view text;  // trimmed, unquoted
  std::size_t column;     // 1-based character column where the field starts
};

bool is_blank(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

bool blank(std::string_view line) {
  return line.find_first_not_of(" \t\r") == std::string_view::npos;
}

std::string separator_name(char separator) {
  return separator == '\t' ? "tab" : fmt::format("'{}'", separator);
}

// Splits one line into fields. A field that starts with " runs to the next lone " ("" inside
// stands for one "); its unescaped text, when it needs one, is kept in `storage`, whose strings
// stay where they are as it grows. `where` is "file:line" for messages.
std::vector<Field> split_fields(std::string_view line, char separator, const std::string& where,
                                std::deque<std::string>& storage) {
  std::vector<Field> fields;
  std::size_t i = 0;
  while (true) {
    // Leading blanks, but not the separator itself when it is a tab.
    while (i < line.size() && line[i] != separator && is_blank(line[i]))
      ++i;
    const std::size_t start = i;
    std::string_view text;
    if (i < line.size() && line[i] == '"') {
      std::string unescaped;
      bool escaped = false;
      ++i;
      while (true) {
        if (i >= line.size())
          throw InputError(fmt::format(
              "{}:{}: field {}: the quote opened here is not closed on this line (a field cannot "
              "span lines)",
              where, start + 1, fields.size() + 1));
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            unescaped += '"';
            escaped = true;
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        unescaped += line[i++];
      }
      text = escaped ? std::string_view(storage.emplace_back(std::move(unescaped)))
                     : line.substr(start + 1, i - start - 2);
      while (i < line.size() && line[i] != separator && is_blank(line[i]))
        ++i;
      if (i < line.size() && line[i] != separator)
        throw InputError(
            fmt::format("{}:{}: field {}: expected {} or the end of the line after "
                        "the closing quote, got '{}'",
                        where, i + 1, fields.size() + 1, separator_name(separator), line[i]));
    } else {
      const std::size_t end = std::min(line.find(separator, i), line.size());
      text = line.substr(start, end - start);
      while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
      i = end;
    }
    fields.push_back({text, start + 1});
    if (i >= line.size()) break;
    ++i;  // past the separator
  }
  return fields;
}

}  // namespace

char detect_csv_separator(std::string_view line) {
  const std::string candidates = ",;\t";
  std::size_t counts[3] = {0, 0, 0};
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') quoted = !quoted;
    const std::size_t k = candidates.find(c);
    if (!quoted && k != std::string::npos) ++counts[k];
  }
  return candidates[std::size_t(std::max_element(counts, counts + 3) - counts)];
}

std::vector<std::string> split_csv_line(std::string_view line, char separator,
                                        const std::string& where) {
  std::deque<std::string> storage;
  std::vector<std::string> texts;
  for (const Field& field : split_fields(line, separator, where, storage))
    texts.emplace_back(field.text);
  return texts;
}

namespace {

// Only these two mean "no value": NaN is a number gone wrong, and is refused as such.
bool is_missing(std::string_view text) {
  return text.empty() || text == "NA";
}

bool is_skipped(const Table& table, Index column) {
  return std::find(table.skipped_columns.begin(), table.skipped_columns.end(), column) !=
         table.skipped_columns.end();
}

std::optional<Index> parse_column_number(std::string_view text, Index columns) {
  long long number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size() || number < 1 || number > columns)
    return std::nullopt;
  return Index(number - 1);
}

// A column (0-based) named by a header name or a 1-based number; names win over numbers.
// A name two columns share would pick one of them by chance: refused, with their numbers.
std::optional<Index> find_column(const std::vector<std::string>& header, Index columns,
                                 std::string_view name, const fs::path& file) {
  const auto named = std::find(header.begin(), header.end(), name);
  if (named != header.end()) {
    if (const auto again = std::find(named + 1, header.end(), name); again != header.end())
      throw UsageError(
          fmt::format("--targets: {} is the name of columns {} and {} of {}; give its number",
                      quote_field(name), named - header.begin() + 1, again - header.begin() + 1,
                      file.string()));
    return Index(named - header.begin());
  }
  return parse_column_number(name, columns);
}

UsageError unknown_column(std::string_view name, const fs::path& file, bool has_header,
                          Index columns) {
  return UsageError(fmt::format(
      "--targets: {} names no column of {}; expected a column name{} or a number from 1 to {}",
      quote_field(name), file.string(), has_header ? "" : " (the file has no header)", columns));
}

// A number written with a decimal comma ("2,5", "-0,25"), as files with ';' or tab between
// fields often hold: a value, not a column name, so that a first line of them is read as data and
// refused with the HINT rather than taken for a header and dropped.
bool is_decimal_comma_number(std::string_view text, char separator) {
  const std::size_t comma = text.find(',');
  if (separator == ',' || comma == std::string_view::npos ||
      text.find(',', comma + 1) != std::string_view::npos)
    return false;
  std::string with_point(text);
  with_point[comma] = '.';
  return parse_number(with_point).has_value();
}

// What a field that is not a number may be instead: a decimal comma, or columns split by another
// separator than the file's ("0,0,0" read with --separator ';').
std::string number_hint(std::string_view text, char separator) {
  if (is_decimal_comma_number(text, separator)) return "; HINT: write decimals with a point";
  for (const char other : {',', ';', '\t'})
    if (other != separator && text.find(other) != std::string_view::npos)
      return fmt::format("; HINT: if {} separates the columns, give --separator {}",
                         quote_field(std::string(1, other)),
                         other == '\t' ? "tab" : std::string(1, other));
  return "";
}

// A first line is a header when one of its fields is neither a number nor missing. Label columns
// given by number may hold text in a first row of data, and are not counted.
bool is_header(const std::vector<Field>& fields, char separator,
               const std::vector<std::string>& label_columns) {
  std::vector<bool> numbered_label(fields.size(), false);
  for (const std::string& label : label_columns)
    if (const auto j = parse_column_number(label, Index(fields.size()))) numbered_label[*j] = true;
  for (std::size_t j = 0; j < fields.size(); ++j)
    if (!numbered_label[j] && !is_missing(fields[j].text) && !parse_number(fields[j].text) &&
        !is_decimal_comma_number(fields[j].text, separator))
      return true;
  return false;
}

// Whether the first line is a header: as told, else by is_header. A line whose only text is in
// skipped columns given by number is refused as ambiguous: "0,1,y" above rows of numbers is a
// header whose inputs are named by numbers, "0.1,0.2,unknown" a row of data whose target is not
// known, and the skipped column is not read to tell them apart. (Given by name, a skipped column
// is found in the header, which settles it.)
bool first_line_is_header(const std::vector<Field>& fields, char separator,
                          const CsvOptions& options, const std::string& where) {
  if (options.header) return *options.header;
  if (!is_header(fields, separator, options.label_columns)) return false;
  std::vector<std::string> text_allowed = options.label_columns;
  for (const std::string& column : options.skipped_columns)
    if (parse_column_number(column, Index(fields.size()))) text_allowed.push_back(column);
  if (is_header(fields, separator, text_allowed)) return true;
  throw InputError(fmt::format(
      "{}: its only text is in a column that is skipped (a target not read): is it a header or a "
      "row of data? HINT: --header yes reads it as the header, --header no as a row of data",
      where));
}

// Three or more fields that number the columns from 0, "0,1,2,3", as pandas writes the header of
// a frame with numbered columns. (From 1, "1,2,3" is as likely a first row of data.)
bool numbers_the_columns(const std::vector<Field>& fields) {
  if (fields.size() < 3) return false;
  for (std::size_t j = 0; j < fields.size(); ++j)
    if (fields[j].text != std::to_string(j)) return false;
  return true;
}

void check_separator(char separator) {
  if (separator != 0 && separator != ',' && separator != ';' && separator != '\t')
    throw UsageError(fmt::format("the CSV separator must be ',', ';' or a tab, got {}",
                                 quote_field(std::string(1, separator))));
}

// A name as a shell reads it back: bare when it holds only letters, digits and . _ - /, else in
// single quotes (a quote inside written '\'').
std::string shell_word(const std::string& name) {
  if (!name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/';
      }))
    return name;
  std::string quoted = "'";
  for (const char c : name)
    quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

// A file's path as a command's argument: one starting with '-' would be read as an option.
std::string file_word(const fs::path& file) {
  const std::string path = file.string();
  return shell_word(path.starts_with('-') ? "./" + path : path);
}

// pandas writes a frame's row index as a first column with no name (to_csv without index=False):
// whole numbers, 0, 1, 2 ... down the rows, or with gaps and in another order once rows were
// dropped or shuffled; R its row names 1, 2, 3 ... (write.csv). Read as an input it means nothing,
// or, in a file sorted by class, gives the class away; so an unnamed first column of distinct
// whole numbers is refused. So is a first line that --drop-missing dropped for its empty first
// cell when column 1 then counts the rows from 0 or 1 (gaps only where rows were dropped): that
// line is the index's header.
void refuse_row_index(const Table& table, Index first_line, bool first_cell_dropped) {
  const Matrix<double>& values = table.values;
  // A skipped column is not data, whatever it holds: predict's target there is not read.
  if (values.rows() < 3 || values.cols() < 2 || table.labels.count(0) || is_skipped(table, 0))
    return;
  const bool unnamed = !table.header.empty() && table.header.front().empty();
  const bool header_dropped = table.header.empty() && first_cell_dropped;
  if (!unnamed && !header_dropped) return;
  std::vector<double> column(values.col(0).begin(), values.col(0).end());
  if (std::any_of(column.begin(), column.end(),
                  [](double value) { return value < 0 || value != std::floor(value); }))
    return;
  const double start = column.front() == 1 ? 1 : 0;  // pandas counts from 0, R from 1
  if (unnamed) {
    std::sort(column.begin(), column.end());
    if (std::adjacent_find(column.begin(), column.end()) != column.end()) return;
  } else {
    double next = start, skipped = 0;
    for (const double value : column) {
      if (value < next) return;
      skipped += value - next;
      if (skipped > double(table.dropped_rows)) return;
      next = value + 1;
    }
  }
  const std::string separator = table.separator == '\t'  ? ""
                                : table.separator == ';' ? " -d';'"
                                                         : " -d,";
  const std::string what =
      unnamed ? "column 1 has no name and numbers the rows, each with its own whole number"
              : fmt::format(
                    "line {}, dropped for its empty first cell, looks like the header of "
                    "column 1, which numbers the rows {}, {}, {}, ...",
                    first_line, start, start + 1, start + 2);
  const std::string cut = table.file == "/dev/stdin"
                              ? fmt::format("pass it through cut{} -f2- on its way", separator)
                              : fmt::format("cut{} -f2- {}", separator, file_word(table.file));
  throw InputError(fmt::format(
      "{}:{}: {}: a row index (as pandas writes one without to_csv(index=False), R without "
      "write.csv(row.names = FALSE)), not data. HINT: write the file without it, or drop the "
      "column ({})",
      table.file.string(), first_line, what, cut));
}

}  // namespace

Table read_csv(const fs::path& path, const CsvOptions& options) {
  check_separator(options.separator);  // before the file is read
  return parse_csv(read_text_file(path, "a CSV file"), path.string(), options);
}

CsvFirstLine csv_first_line(std::string_view text, const std::string& name,
                            const CsvOptions& options) {
  check_separator(options.separator);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  std::size_t line_start = 0;
  for (Index line_number = 1; line_start < text.size(); ++line_number) {
    const std::size_t line_end = std::min(text.find('\n', line_start), text.size());
    const std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (blank(line)) continue;
    const char separator = options.separator ? options.separator : detect_csv_separator(line);
    std::deque<std::string> storage;
    const std::vector<Field> fields =
        split_fields(line, separator, fmt::format("{}:{}", name, line_number), storage);
    CsvFirstLine first;
    for (const Field& f : fields)
      first.fields.emplace_back(f.text);
    first.header =
        first_line_is_header(fields, separator, options, fmt::format("{}:{}", name, line_number));
    return first;
  }
  return {};
}

Table parse_csv(std::string_view text, const std::string& name, const CsvOptions& options) {
  check_separator(options.separator);
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark
  Table table;
  table.file = name;
  const fs::path path = name;

  std::vector<double> values;
  std::vector<bool> is_label, is_skipped_column;  // per column
  std::size_t columns = 0;
  Index first_line = 0;
  bool first_cell_dropped = false;  // the first line, dropped for an empty first cell
  // A first line read as data that numbers the columns, and whether another row does too.
  bool first_numbers_columns = false, another_numbers_columns = false;
  std::size_t line_start = 0;
  std::deque<std::string> storage;
  std::vector<double> row;
  std::vector<std::string_view> row_labels;
  for (Index line_number = 1; line_start < text.size(); ++line_number) {
    const std::size_t line_end = std::min(text.find('\n', line_start), text.size());
    const std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (blank(line)) continue;
    // Else the whole file would read as one line, its first row a header of fields like "3\r4".
    refuse_lone_carriage_return(line, name, line_number);
    if (columns == 0)
      table.separator = options.separator ? options.separator : detect_csv_separator(line);
    const std::string where = fmt::format("{}:{}", name, line_number);
    storage.clear();
    const std::vector<Field> fields = split_fields(line, table.separator, where, storage);

    if (columns == 0) {  // the first line decides the column count, and whether it is a header
      columns = fields.size();
      first_line = line_number;
      is_label.assign(columns, false);
      is_skipped_column.assign(columns, false);
      const bool header = first_line_is_header(fields, table.separator, options, where);
      table.header_told = options.header.has_value();
      first_numbers_columns = !header && !options.header && numbers_the_columns(fields);
      if (header)
        for (const Field& f : fields)
          table.header.emplace_back(f.text);
      // A skipped or label column, by name or number, must be one of the file's.
      auto column_of = [&](const std::string& name) {
        const auto j = find_column(table.header, Index(columns), name, path);
        if (!j) throw unknown_column(name, path, header, Index(columns));
        return std::size_t(*j);
      };
      for (const std::string& skipped : options.skipped_columns)
        is_skipped_column[column_of(skipped)] = true;
      for (std::size_t j = 0; j < columns; ++j)
        if (is_skipped_column[j]) table.skipped_columns.push_back(Index(j));
      for (const std::string& label : options.label_columns) {
        const std::size_t j = column_of(label);
        if (is_skipped_column[j]) continue;
        is_label[j] = true;
        table.labels[Index(j)];
      }
      if (header) continue;
    }
    if (fields.size() != columns) {
      const std::size_t column = fields.size() > columns ? fields[columns].column : line.size() + 1;
      throw InputError(fmt::format("{}:{}: expected {} fields like line {}, got {}", where, column,
                                   columns, first_line, fields.size()));
    }
    // The whole row is checked before a missing value drops it, so that no error hides there.
    row.clear();
    row_labels.clear();
    bool missing = false;
    for (std::size_t j = 0; j < fields.size(); ++j) {
      const Field& f = fields[j];
      if (is_skipped_column[j]) {
        row.push_back(0);
        continue;
      }
      if (is_missing(f.text)) {
        if (!options.drop_missing)
          throw InputError(fmt::format(
              "{}:{}: field {}: missing value ({}); use --drop-missing to skip such rows{}", where,
              f.column, j + 1, f.text.empty() ? "an empty cell" : "NA",
              line_number == first_line && j == 0 && f.text.empty()
                  ? ", unless line " + std::to_string(line_number) +
                        " is a header over a first column with no name, a row index as pandas "
                        "writes one: then write the file without it, or drop that column"
                  : ""));
        missing = true;
        continue;
      }
      if (is_label[j]) {
        // Labels are kept in the model file, which is JSON and so UTF-8 (a Latin-1 file's
        // "España" would be unwritable there).
        if (!is_utf8(f.text))
          throw InputError(fmt::format(
              "{}:{}: field {}: the class label {} is not UTF-8 text; save the file as UTF-8",
              where, f.column, j + 1, quote_field(f.text)));
        // predict prints a label per line: a tab or a control character would garble that.
        if (has_control_character(f.text))
          throw InputError(
              fmt::format("{}:{}: field {}: the class label {} holds a tab or control character",
                          where, f.column, j + 1, quote_field(f.text)));
        row.push_back(0);
        row_labels.push_back(f.text);
        continue;
      }
      const std::optional<double> value = parse_number(f.text);
      if (!value) {
        throw InputError(fmt::format("{}:{}: field {}: expected a number, got {}{}", where,
                                     f.column, j + 1, quote_field(f.text),
                                     number_hint(f.text, table.separator)));
      }
      if (!std::isfinite(*value))
        throw InputError(fmt::format("{}:{}: field {}: expected a finite number, got {}", where,
                                     f.column, j + 1, quote_field(f.text)));
      row.push_back(*value);
    }
    if (missing) {
      ++table.dropped_rows;
      table.dropped_lines.push_back(line_number);
      if (line_number == first_line && fields.front().text.empty()) first_cell_dropped = true;
      continue;
    }
    if (first_numbers_columns && line_number != first_line && numbers_the_columns(fields))
      another_numbers_columns = true;
    values.insert(values.end(), row.begin(), row.end());
    auto label = row_labels.begin();
    for (auto& [j, texts] : table.labels)  // in column order, as row_labels
      texts.emplace_back(*label++);
    table.lines.push_back(line_number);
  }

  if (columns == 0) throw InputError(name + ": the file is empty, expected rows of numbers");
  if (table.lines.empty() && table.dropped_rows > 0)
    throw InputError(fmt::format("{}: every row ({}) has a missing value; none is left to use",
                                 name, table.dropped_rows));
  if (table.lines.empty())
    throw InputError(fmt::format("{}:{}: a header but no rows of numbers", name, first_line));
  // Read as data, it would be trained on (or predicted, a line too many); as a header, a table of
  // counts could lose its first row: neither is guessed. A small table may well start so (y, a,
  // b = 0, 1, 2): asked only above 10 rows or more.
  if (first_numbers_columns && !another_numbers_columns && table.lines.size() >= 11 &&
      table.lines.front() == first_line)
    throw InputError(fmt::format(
        "{}:{}: line {} numbers the columns, {} to {}, as pandas writes the header of a frame "
        "whose columns are numbered: is it a header or a row of data? HINT: --header yes reads it "
        "as the header, --header no as a row of data",
        name, first_line, first_line, 0, columns - 1));
  const Index rows = Index(table.lines.size());
  table.values = Eigen::Map<const Matrix<double>>(values.data(), rows, Index(columns));
  refuse_row_index(table, first_line, first_cell_dropped);
  return table;
}

Index ClassEncoding::index_of(std::string_view label) const {
  const auto exact = std::find(labels.begin(), labels.end(), label);
  if (exact != labels.end()) return Index(exact - labels.begin());
  // "1.0" is class "1" when the classes are numbers.
  const std::optional<double> value = parse_number(label);
  if (!value) return -1;
  for (std::size_t k = 0; k < labels.size(); ++k)
    if (parse_number(labels[k]) == value) return Index(k);
  return -1;
}

ClassEncoding make_class_encoding(const std::vector<std::string>& labels) {
  const std::set<std::string> distinct(labels.begin(), labels.end());
  ClassEncoding encoding{{distinct.begin(), distinct.end()}};
  std::vector<double> numbers;
  for (const std::string& label : encoding.labels) {
    const std::optional<double> value = parse_number(label);
    if (!value || !std::isfinite(*value)) return encoding;  // text: in byte order, as std::set
    numbers.push_back(*value);
  }
  // Every label is a number: order by value, and keep one label per value ("1" and "1.0").
  std::vector<std::size_t> order(numbers.size());
  for (std::size_t k = 0; k < order.size(); ++k)
    order[k] = k;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return numbers[a] < numbers[b]; });
  std::vector<std::string> sorted;
  for (std::size_t k = 0; k < order.size(); ++k)
    if (k == 0 || numbers[order[k]] != numbers[order[k - 1]])
      sorted.push_back(encoding.labels[order[k]]);
  encoding.labels = std::move(sorted);
  return encoding;
}

namespace {

// A column's labels: its text when read as labels, else its numbers written shortest.
std::vector<std::string> labels_of(const Table& table, Index column) {
  const auto text = table.labels.find(column);
  if (text != table.labels.end()) return text->second;
  std::vector<std::string> labels;
  for (Index i = 0; i < table.values.rows(); ++i)
    labels.push_back(fmt::format("{}", table.values(i, column)));
  return labels;
}

std::string column_name(const Table& table, Index column) {
  if (table.header.empty() || table.header[std::size_t(column)].empty())
    return fmt::format("column {}", column + 1);
  return fmt::format("column {} ({})", column + 1, quote_field(table.header[std::size_t(column)]));
}

std::string list_classes(const ClassEncoding& classes) {
  std::string list;
  for (Index k = 0; k < std::min<Index>(classes.size(), 10); ++k)
    list += (k ? ", " : "") + classes.labels[std::size_t(k)];
  if (classes.size() > 10) list += ", ...";
  return list;
}

// Resolves the target columns of a table (0-based), each a header name or a 1-based number.
std::vector<Index> resolve_targets(const Table& table, const TargetColumns& targets) {
  std::vector<Index> result;
  for (const std::string& target : targets) {
    const auto column = find_column(table.header, table.values.cols(), target, table.file);
    if (!column)
      throw unknown_column(target, table.file, !table.header.empty(), table.values.cols());
    result.push_back(*column);
  }
  for (std::size_t i = 0; i < result.size(); ++i)
    if (std::count(result.begin(), result.end(), result[i]) > 1)
      throw UsageError(fmt::format("--targets: column {} is named twice", result[i] + 1));
  return result;
}

// The one target column of class labels: named, or the last.
Index class_column(const Table& table, const TargetColumns& targets) {
  if (targets.size() > 1)
    throw UsageError(fmt::format("--targets: names {} columns; class labels come from one column",
                                 targets.size()));
  return targets.empty() ? table.values.cols() - 1 : resolve_targets(table, targets).front();
}

// "rows have 1 column", with a HINT when that one column's text holds another separator: the
// file was split by the wrong one (--separator , for a file of ';').
std::string rows_have(const Table& table) {
  const Index columns = table.values.cols();
  std::string text = fmt::format("rows have {} column{}", columns, columns == 1 ? "" : "s");
  if (columns != 1) return text;
  const std::string& first = !table.header.empty()   ? table.header.front()
                             : table.labels.count(0) ? table.labels.at(0).front()
                                                     : std::string();
  if (const std::string hint = number_hint(first, table.separator);
      hint.find("--separator") != std::string::npos)
    return text + " (" + hint.substr(2) + ")";
  return text;
}

std::string describe_network(Index n_in, Index n_out) {
  return fmt::format("{} input{} and {} target{}", n_in, n_in == 1 ? "" : "s", n_out,
                     n_out == 1 ? "" : "s");
}

std::vector<Index> input_columns_of(const Table& table, const std::vector<Index>& target_columns) {
  std::vector<Index> input_columns;
  for (Index j = 0; j < table.values.cols(); ++j)
    if (std::find(target_columns.begin(), target_columns.end(), j) == target_columns.end())
      input_columns.push_back(j);
  return input_columns;
}

// A label column's values are 0, so one that ends up as a number is refused.
void check_numeric(const Table& table, const std::vector<Index>& columns) {
  for (const Index j : columns)
    if (table.labels.count(j))
      throw InputError(fmt::format("{}: {} holds text labels, which only a class target can",
                                   table.file.string(), column_name(table, j)));
}

// A skipped column holds no value to read, only the 0 put in its place.
void check_read(const Table& table, const std::vector<Index>& columns, const char* as) {
  for (const Index j : columns)
    if (is_skipped(table, j))
      throw InputError(fmt::format("{}: {} was skipped in reading, and is {}", table.file.string(),
                                   column_name(table, j), as));
}

bool any_skipped(const Table& table, const std::vector<Index>& columns) {
  return std::any_of(columns.begin(), columns.end(), [&](Index j) { return is_skipped(table, j); });
}

// Fills X from the columns that are not targets and Y from the target columns, unless they were
// skipped.
template <class T>
Dataset<T> split(const Table& table, const std::vector<Index>& target_columns, Index n_out,
                 bool class_numbers) {
  const Index m = table.values.rows();
  const std::vector<Index> input_columns = input_columns_of(table, target_columns);
  check_numeric(table, input_columns);
  check_numeric(table, target_columns);

  Dataset<T> data;
  data.X.resize(m, Index(input_columns.size()));
  for (Index j = 0; j < Index(input_columns.size()); ++j)
    data.X.col(j) = table.values.col(input_columns[std::size_t(j)]).template cast<T>();
  data.input_columns = input_columns;
  data.target_columns = target_columns;
  if (target_columns.empty() || any_skipped(table, target_columns)) return data;

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

// The split with a target column of class labels: Y one-hot by class, or the class 0/1 in one
// column for a network of one output and two classes.
template <class T>
Dataset<T> split_classes(const Table& table, Index n_in, Index n_out, const TargetColumns& targets,
                         const ClassEncoding& classes, bool targets_optional) {
  const Index columns = table.values.cols();
  const std::string where = fmt::format("{}:{}", table.file.string(), table.lines.front());
  if (targets_optional && targets.empty() && columns == n_in)
    return split<T>(table, {}, n_out, false);
  const Index column = class_column(table, targets);
  if (columns - 1 != n_in)
    throw InputError(fmt::format(
        "{}: {}; with 1 target column of class labels, the network's {} inputs need {}{}", where,
        rows_have(table), n_in, n_in + 1,
        targets_optional ? fmt::format(" (or {} alone)", n_in) : ""));
  if (!(classes.size() == n_out || (n_out == 1 && classes.size() == 2)))
    throw InputError(fmt::format(
        "{}: the target has {} classes ({}); the network has {} output{}, expected {}{}",
        table.file.string(), classes.size(), list_classes(classes), n_out, n_out == 1 ? "" : "s",
        classes.size(), classes.size() == 2 ? " (or 1, for the class as 0 or 1)" : ""));

  const std::vector<Index> input_columns = input_columns_of(table, {column});
  check_numeric(table, input_columns);
  Dataset<T> data;
  const Index m = table.values.rows();
  data.X.resize(m, n_in);
  for (Index j = 0; j < n_in; ++j)
    data.X.col(j) = table.values.col(input_columns[std::size_t(j)]).template cast<T>();
  data.input_columns = input_columns;
  data.target_columns = {column};
  if (is_skipped(table, column)) return data;

  std::unordered_map<std::string, Index> index;
  for (Index k = 0; k < classes.size(); ++k)
    index.emplace(classes.labels[std::size_t(k)], k);
  const std::vector<std::string> labels = labels_of(table, column);
  data.Y = Matrix<T>::Zero(m, n_out);
  for (Index i = 0; i < m; ++i) {
    const std::string& label = labels[std::size_t(i)];
    const auto found = index.find(label);
    const Index k = found != index.end() ? found->second : classes.index_of(label);
    if (k < 0)
      throw InputError(fmt::format("{}:{}: {}: {} is not one of the {} classes: {}",
                                   table.file.string(), table.lines[std::size_t(i)],
                                   column_name(table, column), quote_field(label), classes.size(),
                                   list_classes(classes)));
    if (n_out == 1)
      data.Y(i, 0) = T(k);
    else
      data.Y(i, k) = T(1);
  }
  return data;
}

template <class T>
Dataset<T> choose_columns(const Table& table, Index n_in, Index n_out, Loss loss,
                          const TargetColumns& targets, const ClassEncoding* classes,
                          bool targets_optional) {
  if (classes) return split_classes<T>(table, n_in, n_out, targets, *classes, targets_optional);
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
          "{}: {}; with {} target column{}, the network's {} inputs need {}", where,
          rows_have(table), n_targets, n_targets == 1 ? "" : "s", n_in, n_in + n_targets));
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
  throw InputError(fmt::format("{}: {}; the network needs {}", where, rows_have(table), expected));
}

// Splits the table, then makes sure no value overflowed on the way to T (1e300 as float).
template <class T>
Dataset<T> select(const Table& table, Index n_in, Index n_out, Loss loss,
                  const TargetColumns& targets, const ClassEncoding* classes,
                  bool targets_optional) {
  Dataset<T> data = choose_columns<T>(table, n_in, n_out, loss, targets, classes, targets_optional);
  check_read(table, data.input_columns, "an input the network reads");
  if (!targets_optional) check_read(table, data.target_columns, "a target the network reads");
  for (Index i = 0; i < data.X.rows(); ++i)
    if (!data.X.row(i).allFinite() || (data.Y.size() && !data.Y.row(i).allFinite()))
      throw InputError(fmt::format("{}:{}: a value is too large for {} precision",
                                   table.file.string(), table.lines[std::size_t(i)],
                                   sizeof(T) == sizeof(float) ? "float" : "double"));
  return data;
}

}  // namespace

namespace {

// A header the reader could not tell from data: with the class column taken by default (the
// last, by number), a first line whose only text is its label is read as a row ("0,1,target" as
// pandas writes a frame with numbered columns), and the column's name becomes a class of one row.
// Such a label, found on no other row of a column whose other labels repeat, and text (or a
// number above labels that are all text: "0,1,2"), is refused rather than guessed at either way,
// in a table of 10 rows or more or below a first line that numbers the columns.
void refuse_header_taken_for_a_row(const Table& table, Index column) {
  const auto text = table.labels.find(column);
  if (!table.header.empty() || table.header_told || text == table.labels.end() ||
      text->second.size() < 3)
    return;
  const std::vector<std::string>& labels = text->second;
  const std::string& first = labels.front();
  if (std::count(labels.begin(), labels.end(), first) > 1) return;
  const std::set<std::string> others(labels.begin() + 1, labels.end());
  if (others.size() == labels.size() - 1) return;  // every label once: a few rows, no pattern
  if (parse_number(first) &&
      std::any_of(others.begin(), others.end(),
                  [](const std::string& label) { return parse_number(label).has_value(); }))
    return;
  // A small table may well start with its one row of a class (a truth table's "0,0,no" above
  // rows of "yes"), unless its other fields number the columns, 0, 1, 2 ... or 1, 2, 3 ...
  std::vector<double> fields;
  for (Index j = 0; j < table.values.cols(); ++j)
    if (j != column) fields.push_back(table.values(0, j));
  const bool numbered = fields.size() >= 2 && (fields[0] == 0 || fields[0] == 1) &&
                        std::adjacent_find(fields.begin(), fields.end(), [](double a, double b) {
                          return b != a + 1;
                        }) == fields.end();
  if (labels.size() < 10 && !numbered) return;
  const Index line = table.lines.front();
  // --targets takes a comma-separated list: a name with a comma cannot be given there, and a
  // number names a column by its place.
  const std::string by_name =
      parse_number(first)
          ? fmt::format("its names are numbers, which --targets takes for places: drop the line{}",
                        table.file == "/dev/stdin"
                            ? std::string()
                            : fmt::format(" (tail -n +{} {})", line + 1, file_word(table.file)))
      : first.find(',') != std::string::npos
          ? "its name holds a comma, which --targets cannot take: rename the column"
          : fmt::format("name the class column by its header name (--targets {})",
                        shell_word(first));
  throw InputError(fmt::format(
      "{}:{}: column {}: the class label {} is on no other row: is line {} a header? HINT: if it "
      "is, {}; if it is a row of data, name the column by its number (--targets {}); or say "
      "which with --header yes or no",
      table.file.string(), line, column + 1, quote_field(first), line, by_name, column + 1));
}

}  // namespace

ClassEncoding fit_classes(const Table& table, const TargetColumns& targets) {
  const Index column = class_column(table, targets);
  check_read(table, {column}, "the column of the classes");
  if (targets.empty()) refuse_header_taken_for_a_row(table, column);
  return make_class_encoding(labels_of(table, column));
}

template <class T>
Dataset<T> make_dataset(const Table& table, Index n_in, Index n_out, Loss loss,
                        const TargetColumns& targets, const ClassEncoding* classes) {
  return select<T>(table, n_in, n_out, loss, targets, classes, false);
}

template <class T>
Dataset<T> make_inputs(const Table& table, Index n_in, Index n_out, Loss loss,
                       const TargetColumns& targets, const ClassEncoding* classes) {
  return select<T>(table, n_in, n_out, loss, targets, classes, true);
}

template Dataset<float> make_dataset<float>(const Table&, Index, Index, Loss, const TargetColumns&,
                                            const ClassEncoding*);
template Dataset<double> make_dataset<double>(const Table&, Index, Index, Loss,
                                              const TargetColumns&, const ClassEncoding*);
template Dataset<float> make_inputs<float>(const Table&, Index, Index, Loss, const TargetColumns&,
                                           const ClassEncoding*);
template Dataset<double> make_inputs<double>(const Table&, Index, Index, Loss, const TargetColumns&,
                                             const ClassEncoding*);

}  // namespace neurona
