// Data loading for the commands: the format from the file itself, the columns from the flags.
#include "data.hpp"

#include "options.hpp"
#include "value_checks.hpp"

#include <fmt/format.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string_view>
#include <utility>

namespace neurona::cli {
namespace {

namespace fs = std::filesystem;

enum class Format { csv, idx, fann };

// A pipe (standard input, say) rather than a file: it can be read only once.
bool is_stream(const std::string& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  return fs::exists(status) && !fs::is_regular_file(status) && !fs::is_directory(status);
}

// What a data file is turned into can need far more memory than its text: eight bytes a number
// written "0,", and a row's class label one value per class. Running out is an error of that
// file, never a bare "out of memory".
template <class Read>
auto reading_in_memory(const DataArgs& args, Read read) {
  try {
    return read();
  } catch (const std::bad_alloc&) {
    throw InputError(fmt::format(
        "{}: its rows take more than this process's memory once read as numbers{}", args.file,
        args.classes ? " (with --classes, each row's label becomes one number per class)" : ""));
  }
}

// Throws for the first zero byte of a stream's text from `from` on, named by its line and column:
// CSV and FANN data are text, and a stream of binary bytes (/dev/urandom) may never end.
void refuse_zero_byte(const std::string& path, std::string_view text, std::size_t from) {
  const std::size_t zero = text.find('\0', from);
  if (zero == std::string_view::npos) return;
  const std::size_t line_start = text.rfind('\n', zero);
  const std::size_t column = line_start == std::string_view::npos ? zero + 1 : zero - line_start;
  const auto line = std::count(text.begin(), text.begin() + std::ptrdiff_t(zero), '\n') + 1;
  throw InputError(fmt::format(
      "{}:{}:{}: a zero byte, which CSV and FANN data, being text, never hold; the rest was "
      "not read",
      path, line, column));
}

// A stream's bytes, read on first use and kept: a command reads its data more than once (the
// format, the classes, the rows), and a pipe would be empty the second time. A stream that starts
// as IDX or gzip data does (two zero bytes, 1f 8b) is refused by format_of or as an IDX stream,
// from its first bytes alone: only they are read, as such a stream (/dev/zero) may not end.
const std::string& stream_text(const std::string& path) {
  static std::map<std::string, std::string> kept;
  const auto [at, first] = kept.try_emplace(path);
  if (first) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw InputError(path + ": cannot open for reading: " + std::strerror(errno));
    // Appended chunk by chunk, whose failure to grow the text throws: copied through a stream
    // buffer, a text that cannot grow ends where it stopped, and nothing says so.
    std::string& text = at->second;
    std::size_t zero_after = std::string::npos;  // where the chunk with a zero byte starts
    try {
      std::array<char, 1 << 16> chunk;
      while (in.read(chunk.data(), chunk.size()), in.gcount() > 0) {
        const std::size_t before = text.size();
        text.append(chunk.data(), std::size_t(in.gcount()));
        if (text.starts_with(std::string_view("\0\0", 2)) || text.starts_with("\x1f\x8b")) break;
        if (text.find('\0', before) != std::string::npos) {
          zero_after = before;
          break;
        }
      }
    } catch (const std::exception&) {  // bad_alloc, or length_error past a string's size
      const double read = double(text.size());
      kept.erase(at);
      throw InputError(fmt::format(
          "{}: too large to hold in this process's memory ({:.0f} MB read when it ran out)", path,
          read / 1e6));
    }
    if (zero_after != std::string::npos) {
      const std::string read = std::move(text);
      kept.erase(at);
      refuse_zero_byte(path, read, zero_after);
    }
    if (in.bad()) throw InputError(path + ": read error");
  }
  return at->second;
}

// The first bytes of a file or stream, up to n.
std::string head_of(const std::string& path, std::size_t n) {
  if (is_stream(path)) return stream_text(path).substr(0, n);
  std::ifstream in(path, std::ios::binary);
  std::string head(n, '\0');
  in.read(head.data(), std::streamsize(n));
  head.resize(std::size_t(in.gcount()));
  return head;
}

// Whether the first line that is not blank is a FANN header: three whole numbers separated by
// spaces alone, no sign or point. No CSV row of several columns is such a line, as , ; and tab
// are CSV's separators; a CSV file of one column could have it only as a header naming its column
// "1 2 3". `whole`: `head` is all of the data, so its last line is not cut short.
bool starts_with_fann_header(std::string_view head, bool whole) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);  // a UTF-8 byte-order mark
  while (!head.empty()) {
    const std::size_t end = std::min(head.find('\n'), head.size());
    if (end == head.size() && !whole) return false;
    std::string_view line = head.substr(0, end);
    head.remove_prefix(std::min(end + 1, head.size()));
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    if (line.find_first_not_of(" 0123456789") != std::string_view::npos) return false;
    int numbers = 0;
    for (std::size_t k = 0; k < line.size(); ++k)
      numbers += line[k] != ' ' && (k == 0 || line[k - 1] == ' ');
    return numbers == 3;
  }
  return false;
}

// The first bytes, up to n, that the start of a gzip stream decompresses to: fewer or none when
// that start is damaged or cut short, which the IDX reader then reports with its offset.
std::string inflated_head(std::string_view gzip, std::size_t n) {
  z_stream stream{};
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) return "";  // 16: a gzip header, not zlib's
  std::string out(n, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gzip.data()));
  stream.avail_in = uInt(gzip.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = uInt(n);
  inflate(&stream, Z_SYNC_FLUSH);
  out.resize(n - stream.avail_out);
  inflateEnd(&stream);
  return out;
}

bool starts_as_idx(std::string_view head) {
  return head.size() >= 2 && head[0] == 0 && head[1] == 0;
}

// IDX files (plain or gzip-compressed) by their first bytes; FANN's by its extensions, or else by
// its header line, as a stream has no extension and a file may have another. gzip is read for IDX
// alone: a gzip file whose data does not start as IDX does (a gzip'd CSV file) is refused here,
// for every command alike, rather than read as the images of an IDX pair.
Format format_of(const std::string& path) {
  constexpr std::size_t head_bytes = 4096;
  const std::string head = head_of(path, head_bytes);
  if (head.size() >= 3 && head[0] == '\x1f' && head[1] == '\x8b') {
    const std::string data = inflated_head(head, 4);
    // gzip inside gzip is left to the IDX reader, which names it.
    if (data.size() >= 2 && !starts_as_idx(data) && !data.starts_with("\x1f\x8b")) {
      std::string first = "0x";
      for (const char c : data)
        first += fmt::format("{:02X}", static_cast<unsigned char>(c));
      throw InputError(fmt::format(
          "{}: gzip-compressed, and its data starts with {}, not the IDX magic number 0x0000TTNN: "
          "gzip is read for IDX image sets only. HINT: decompress a CSV file first, with gunzip",
          path, first));
    }
    return Format::idx;
  }
  if (head.size() >= 3 && starts_as_idx(head)) return Format::idx;
  for (const char* extension : {".data", ".train", ".test"})
    if (path.size() > std::strlen(extension) &&
        path.compare(path.size() - std::strlen(extension), std::string::npos, extension) == 0)
      return Format::fann;
  if (starts_with_fann_header(head, head.size() < head_bytes)) return Format::fann;
  return Format::csv;
}

// What a file that is not CSV is, for messages.
const char* format_name(Format format) {
  return format == Format::idx ? "an IDX images file" : "FANN data";
}

// A file named as FANN's whose first line is not FANN's header may be CSV, as UCI's iris.data and
// adult.data are: the hint to add to an error about it, else "".
std::string csv_named_as_fann_hint(const std::string& path, Format format) {
  if (format != Format::fann || is_stream(path)) return "";
  constexpr std::size_t head_bytes = 4096;
  const std::string head = head_of(path, head_bytes);
  const std::string_view first_line = std::string_view(head).substr(0, head.find('\n'));
  if (starts_with_fann_header(head, head.size() < head_bytes) ||
      first_line.find_first_of(",;") == std::string_view::npos)
    return "";  // no file, an empty one, or one with no separator of CSV's
  return fmt::format(
      ". HINT: a .data, .train or .test file is read as FANN's format, and {} does not start "
      "with FANN's header; if it is CSV, give it a .csv name or pipe it in (--data - < {})",
      path, path);
}

// The flags only a CSV file reads: with another format they would be silently ignored.
void reject_csv_flags(const DataArgs& args, Format format) {
  const std::pair<bool, const char*> flags[] = {{args.classes, "--classes"},
                                                {!args.targets.empty(), "--targets"},
                                                {!args.separator.empty(), "--separator"},
                                                {args.header != "auto", "--header"},
                                                {args.drop_missing, "--drop-missing"}};
  for (const auto& [given, flag] : flags)
    if (given)
      throw UsageError(fmt::format(
          "{} is for CSV files, and {} is {}{}{}", flag, args.file, format_name(format),
          format == Format::idx && args.classes ? ": its classes come from --labels" : "",
          csv_named_as_fann_hint(args.file, format)));
}

CsvOptions csv_options(const DataArgs& args) {
  CsvOptions options;
  if (args.separator == "tab" || args.separator == "\t")  // the word, or a tab typed as $'\t'
    options.separator = '\t';
  else if (args.separator == "," || args.separator == ";")
    options.separator = args.separator[0];
  else if (!args.separator.empty())
    throw UsageError(fmt::format("--separator must be , ; or tab, got \"{}\"", args.separator));
  options.drop_missing = args.drop_missing;
  if (args.header == "yes" || args.header == "no")
    options.header = args.header == "yes";
  else if (args.header != "auto")
    throw UsageError(fmt::format("--header must be auto, yes or no, got \"{}\"", args.header));
  return options;
}

// A CSV file's first line that is not blank, read ahead of the reader (and as it reads it) to
// choose columns: no fields when it cannot be split (the reader refuses the same line, with its
// number).
CsvFirstLine first_line_of(const DataArgs& args, const CsvOptions& options) {
  std::istringstream kept;
  std::ifstream file;
  if (is_stream(args.file))
    kept.str(stream_text(args.file));
  else
    file.open(args.file);
  std::istream& in = is_stream(args.file) ? static_cast<std::istream&>(kept) : file;
  std::string text, line;
  while (std::getline(in, line)) {
    const bool first = text.empty();
    text += line + "\n";
    std::string_view shown = line;
    if (first && shown.starts_with("\xEF\xBB\xBF")) shown.remove_prefix(3);  // a byte-order mark
    if (shown.find_first_not_of(" \t\r") != std::string_view::npos) break;
  }
  try {
    return csv_first_line(text, args.file, options);
  } catch (const InputError&) {
    return {};
  }
}

// The label column for --classes: the one --targets names, else the last, found from the first
// line so that the reader keeps that column's text. None when the rows hold n_in inputs alone and
// targets are optional.
std::vector<std::string> label_columns(const DataArgs& args, char separator, Index n_in,
                                       bool targets_optional) {
  if (const TargetColumns targets = args.target_columns(); !targets.empty()) return targets;
  CsvOptions options;
  options.separator = separator;
  const Index columns = Index(first_line_of(args, options).fields.size());
  if (columns == 0) return {};
  // Inputs alone, for predict; where targets are needed, the last column stays the labels', and
  // the column count is refused as such rather than the labels as numbers.
  if (columns == n_in && targets_optional) return {};
  return {std::to_string(columns)};
}

// n_in: the network's inputs, or -1 before there is a network.
Table read_table(const DataArgs& args, Index n_in, Targets targets) {
  CsvOptions options = csv_options(args);
  // Skipped, a class column is still named as a label column: its text on line 1 of a file
  // without a header does not make a header of that line, as evaluate reads it.
  if (targets == Targets::skipped) options.skipped_columns = args.target_columns();
  if (args.classes)
    options.label_columns =
        label_columns(args, options.separator, n_in, targets != Targets::required);
  return is_stream(args.file) ? parse_csv(stream_text(args.file), args.file, options)
                              : read_csv(args.file, options);
}

// The classes an IDX labels file may name: bounded, so that one stray label cannot ask for a name
// per class up to millions.
constexpr Index most_idx_classes = 1 << 16;

// IDX files come in pairs, images and labels, each read from its path: not from a pipe.
void refuse_idx_stream(const std::string& path, const char* flag) {
  if (is_stream(path))
    throw UsageError(fmt::format(
        "{} {}: IDX files are read from a file, not a pipe or standard input", flag, path));
}

}  // namespace

void DataArgs::add_flags(CLI::App& command, const std::string& data_help) {
  // "-" is standard input, named as the system names it, in messages and in the model's record.
  command.add_option("--data", file, data_help + "; - reads standard input")
      ->required()
      ->transform([](std::string path) { return path == "-" ? "/dev/stdin" : path; });
  command.add_option("--labels", labels, "IDX labels file, beside an IDX images file as --data");
  command.add_option(
      "--targets", targets,
      "Target columns by header name or 1-based number (default: the last ones; for a model, "
      "its own, when the file has them)");
  command.add_flag("--classes", classes,
                   "The target is one column of class labels (numbers or names), one-hot inside");
  command.add_option("--separator", separator, "CSV separator: , ; or tab (default: detected)");
  command.add_option("--header", header,
                     "Whether the CSV file's first line is a header: auto (the default: a field "
                     "that is no number makes it one), yes or no");
  command.add_flag("--drop-missing", drop_missing, "Skip rows with a missing value (NA or empty)");
}

TargetColumns DataArgs::target_columns() const {
  return targets.empty() ? model_targets : split_list(targets);
}

ClassEncoding classes_in(const DataArgs& args) {
  if (format_of(args.file) == Format::idx && !args.labels.empty()) {
    refuse_idx_stream(args.file, "--data");
    refuse_idx_stream(args.labels, "--labels");
    // IDX labels are class numbers, 0 .. k-1 with k one more than the largest (read_idx_pair's
    // one-hot column is the label itself), even when a subset leaves some of them out. The labels
    // are checked as labels, and against the images' header, before their classes are counted:
    // a count from a file that is not one would be compared with --layers first.
    const Matrix<double> labels = read_idx_labels(args.file, args.labels, most_idx_classes);
    const Index classes = labels.size() ? Index(labels.maxCoeff()) + 1 : 0;
    std::vector<std::string> names;
    for (Index k = 0; k < classes; ++k)
      names.push_back(std::to_string(k));
    return make_class_encoding(names);
  }
  if (!args.classes) return {};
  if (const Format format = format_of(args.file); format != Format::csv)
    reject_csv_flags(args, format);
  return reading_in_memory(args, [&] {
    return fit_classes(read_table(args, -1, Targets::required), args.target_columns());
  });
}

namespace {

// --classes on a column of measurements (prices, say) makes a class of every value: a mistake far
// likelier than a table of hundreds of numbered classes, or of classes numbered 2.5.
std::string numbers_to_predict_hint(const ClassEncoding& classes, Index outputs) {
  bool fractions = false;
  for (const std::string& label : classes.labels) {
    double value;
    const auto [end, error] = std::from_chars(label.data(), label.data() + label.size(), value);
    if (error != std::errc() || end != label.data() + label.size()) return "";
    fractions = fractions || value != std::floor(value);
  }
  if (!fractions && classes.size() <= 100) return "";
  return fmt::format(
      ". HINT: its labels are {} numbers{}: to predict the number rather than classify it, "
      "leave out --classes{}",
      classes.size(), fractions ? ", not all whole" : "",
      outputs == 1 ? "" : " and give the network 1 output");
}

}  // namespace

void check_outputs_fit_classes(const DataArgs& args, const ClassEncoding& classes, Index outputs,
                               const std::string& flag) {
  if (outputs == classes.size() || (outputs == 1 && classes.size() == 2)) return;
  const std::string plural = outputs == 1 ? "" : "s";
  const bool idx = !args.labels.empty() && format_of(args.file) == Format::idx;
  if (idx && classes.size() > outputs) {
    // The first label beyond the outputs, at its byte, as evaluate names it.
    try {
      read_idx_labels(args.file, args.labels, std::max<Index>(outputs, 2));
    } catch (const InputError& e) {
      throw UsageError(fmt::format("{}; {} has {} output{}", e.what(), flag, outputs, plural));
    }
  }
  throw UsageError(fmt::format("{}: {} output{}, but {} has {} classes{}", flag, outputs, plural,
                               idx ? args.labels : args.file, classes.size(),
                               idx ? "" : numbers_to_predict_hint(classes, outputs)));
}

std::string place_of_row(const std::string& file, const std::vector<Index>& lines, Index row) {
  return std::size_t(row) < lines.size() ? fmt::format("{}:{}", file, lines[std::size_t(row)])
                                         : fmt::format("{}: data row {}", file, row + 1);
}

void check_probability_targets(const LoadedData& loaded, Loss loss, const std::string& file) {
  const Matrix<double>& Y = loaded.data.Y;
  if (loss == Loss::half_squared_error) return;
  for (Index i = 0; i < Y.rows(); ++i) {
    for (Index j = 0; j < Y.cols(); ++j)
      if (!(Y(i, j) >= 0 && Y(i, j) <= 1))
        throw InputError(fmt::format(
            "{}: the target {} is not a probability in [0, 1], which {} needs; for "
            "numbers to predict use --loss half_squared_error, for class labels "
            "--classes",
            place_of_value(file, loaded, Values::targets, i, j), Y(i, j), to_string(loss)));
    // Soft targets written to a few decimals (0.333, 0.333, 0.333) sum to 1 only roughly: as
    // closely as the library's training checks it, and here with the line.
    if (loss == Loss::cross_entropy) try {
        check_targets<double>(loss, Y.row(i));
      } catch (const InputError&) {
        throw InputError(fmt::format(
            "{}: targets summing to {}; cross_entropy needs one probability per class, summing to "
            "1 (for class labels use --classes)",
            place_of_row(file, loaded.lines, i), Y.row(i).sum()));
      }
  }
}

namespace {

LoadedData read_data(const DataArgs& args, Index n_in, Index n_out, Loss loss,
                     const ClassEncoding* classes, Targets targets) {
  const bool targets_optional = targets != Targets::required;
  LoadedData loaded;
  const Format format = format_of(args.file);
  if (format != Format::csv) reject_csv_flags(args, format);
  if (format != Format::idx && !args.labels.empty())
    throw UsageError(
        fmt::format("--labels is for an IDX images file, and {} is not one", args.file));
  switch (format) {
    case Format::idx: {
      refuse_idx_stream(args.file, "--data");
      if (!args.labels.empty()) refuse_idx_stream(args.labels, "--labels");
      if (args.labels.empty()) {
        if (!targets_optional)
          throw UsageError(
              fmt::format("{} is an IDX images file: give its labels with --labels", args.file));
        loaded.data.X = read_idx(args.file);
      } else {
        loaded.classes = classes ? *classes : classes_in(args);
        loaded.data = read_idx_pair<double>(args.file, args.labels, loaded.classes.size());
        // Two classes fit one sigmoid output as 0 or 1, as in a CSV file's label column.
        if (n_out == 1 && loaded.data.Y.cols() == 2)
          loaded.data.Y = Matrix<double>(loaded.data.Y.col(1));
        if (loaded.data.Y.cols() != n_out)
          throw InputError(fmt::format("{}: labels of {} classes; the network has {} output{}",
                                       args.labels, loaded.data.Y.cols(), n_out,
                                       n_out == 1 ? "" : "s"));
      }
      if (loaded.data.X.cols() != n_in)
        throw InputError(fmt::format("{}: images of {} values; the network has {} inputs",
                                     args.file, loaded.data.X.cols(), n_in));
      break;
    }
    case Format::fann:
      try {
        loaded.data = is_stream(args.file) ? parse_fann_data(stream_text(args.file), args.file)
                                           : read_fann_data(args.file);
      } catch (const InputError& e) {
        throw InputError(e.what() + csv_named_as_fann_hint(args.file, format));
      }
      if (loaded.data.X.cols() != n_in || loaded.data.Y.cols() != n_out)
        throw InputError(fmt::format("{}: {} inputs and {} outputs; the network has {} and {}",
                                     args.file, loaded.data.X.cols(), loaded.data.Y.cols(), n_in,
                                     n_out));
      break;
    case Format::csv: {
      Table table;
      try {
        table = read_table(args, n_in, targets);
      } catch (const InputError& e) {
        const std::string what = e.what();
        if (args.header == "no" && what.starts_with(args.file + ":1:"))
          throw InputError(what +
                           ". HINT: --header no reads line 1 as a row of data; leave it out if "
                           "line 1 is a header");
        // A field with a hint of its own (a decimal comma) is no class label.
        if (args.classes || what.find("expected a number, got \"") == std::string::npos ||
            what.find("HINT:") != std::string::npos)
          throw;
        throw InputError(what + ". HINT: if that column holds class labels, add --classes");
      }
      const bool labelled = args.classes && !table.labels.empty();
      if (labelled)
        loaded.classes = classes ? *classes : fit_classes(table, args.target_columns());
      else if (classes)
        loaded.classes = *classes;
      // A model's skipped class column is still the one column of its classes, not n_out of
      // numbers.
      const bool class_column = labelled || (classes && !table.skipped_columns.empty());
      const ClassEncoding* encoding = class_column ? &loaded.classes : nullptr;
      const TargetColumns target_columns = args.target_columns();
      loaded.data = targets_optional
                        ? make_inputs<double>(table, n_in, n_out, loss, target_columns, encoding)
                        : make_dataset<double>(table, n_in, n_out, loss, target_columns, encoding);
      loaded.dropped_lines = table.dropped_lines;
      loaded.lines = table.lines;
      loaded.header = table.header;
      if (table.dropped_rows > 0)
        loaded.summary = fmt::format(" (dropped {} row{} with missing values)", table.dropped_rows,
                                     table.dropped_rows == 1 ? "" : "s");
      break;
    }
  }
  loaded.summary = fmt::format(
      "{}: {} row{}{}{}", args.file, loaded.data.X.rows(), loaded.data.X.rows() == 1 ? "" : "s",
      loaded.classes.size() ? fmt::format(", {} classes", loaded.classes.size()) : "",
      loaded.summary);
  return loaded;
}

}  // namespace

LoadedData load_data(const DataArgs& args, Index n_in, Index n_out, Loss loss,
                     const ClassEncoding* classes, Targets targets) {
  return reading_in_memory(args,
                           [&] { return read_data(args, n_in, n_out, loss, classes, targets); });
}

namespace {

// Names for a message: "a", "b", "c", the first 8 of a longer list, then how many in all.
std::string quoted_names(const std::vector<std::string>& names) {
  std::string list;
  for (std::size_t k = 0; k < std::min<std::size_t>(names.size(), 8); ++k)
    list += fmt::format("{}{}", k ? ", " : "", quote_field(names[k]));
  if (names.size() > 8) list += fmt::format(", ... ({} in all)", names.size());
  return list;
}

// The names that are not among `from`, in their order.
std::vector<std::string> absent(const std::vector<std::string>& names,
                                const std::vector<std::string>& from) {
  std::vector<std::string> left;
  for (const std::string& name : names)
    if (std::find(from.begin(), from.end(), name) == from.end()) left.push_back(name);
  return left;
}

// A file whose header names its columns must give the model the inputs it was trained on, in that
// order: a column left out, added or moved would be read as another input without a word.
void check_input_names(const std::string& file, const LoadedData& loaded,
                       const TableLayout& trained_on) {
  const std::vector<Index>& columns = loaded.data.input_columns;
  if (trained_on.names.empty() || loaded.header.empty()) return;
  const std::vector<std::string> inputs = trained_on.input_names();
  if (inputs.size() != columns.size()) return;  // refused already as a column count
  for (std::size_t j = 0; j < columns.size(); ++j) {
    const std::string& name = loaded.header[std::size_t(columns[j])];
    if (name != inputs[j]) {
      // The likeliest cause when the file has targets: the model's were renamed, and another
      // column was taken for them.
      std::vector<std::string> targets;
      for (const Index t : trained_on.targets)
        targets.push_back(trained_on.names[std::size_t(t)]);
      const std::vector<std::string> missing = absent(targets, loaded.header);
      throw InputError(fmt::format(
          "{}: column {} is {}, but the model's input {} is {}; the model takes the columns it "
          "was trained on, in their order: {}{}. HINT: name the columns so in the header, or "
          "leave the header out",
          file, columns[j] + 1, quote_field(name), j + 1, quote_field(inputs[j]),
          quoted_names(inputs),
          missing.empty() || loaded.data.target_columns.empty()
              ? ""
              : fmt::format(" (its target {} is not in this header: name the target column with "
                            "--targets)",
                            quoted_names(missing))));
    }
  }
}

// For a column count refused in a file whose header names its columns, the model's inputs that
// header lacks and the columns it has that the model never saw: the count alone does not say
// which column to add or take out. "" when the file has no header or no such column.
std::string unnamed_inputs_hint(const DataArgs& args, const TableLayout& trained_on) {
  if (trained_on.names.empty() || format_of(args.file) != Format::csv) return "";
  const CsvFirstLine first = first_line_of(args, csv_options(args));
  if (!first.header) return "";
  const std::vector<std::string> missing = absent(trained_on.input_names(), first.fields);
  const std::vector<std::string> unknown = absent(first.fields, trained_on.names);
  std::string hint;
  if (!missing.empty())
    hint = fmt::format("the header lacks the model's input{} {}", missing.size() == 1 ? "" : "s",
                       quoted_names(missing));
  if (!unknown.empty())
    hint += fmt::format("{}the model was not trained on {} column{} {}",
                        hint.empty() ? "" : ", and ", hint.empty() ? "the header's" : "its",
                        unknown.size() == 1 ? "" : "s", quoted_names(unknown));
  return hint.empty() ? "" : ". HINT: " + hint;
}

}  // namespace

namespace {

// Sets args.model_targets from the table a model of n_in inputs was trained on, unless --targets
// is given or the file is not CSV: see data_args_for.
void take_model_targets(DataArgs& args, const TableLayout& layout, Index n_in) {
  if (!args.targets.empty() || layout.targets.empty() || format_of(args.file) != Format::csv)
    return;
  TargetColumns by_name, by_number;
  for (const Index column : layout.targets) {
    if (!layout.names.empty()) by_name.push_back(layout.names[std::size_t(column)]);
    by_number.push_back(std::to_string(column + 1));
  }
  // The first line read as the reader will read it, with the label columns given alike: by name,
  // a label column's name is text that makes a header; by number, a label column may hold text in
  // a first row of data.
  auto first_line = [&](const TargetColumns& labels) {
    CsvOptions options = csv_options(args);
    if (args.classes) options.label_columns = labels;
    return first_line_of(args, options);
  };
  if (!by_name.empty()) {
    const CsvFirstLine first = first_line(by_name);
    auto once = [&](const std::string& name) {
      return std::count(first.fields.begin(), first.fields.end(), name) == 1;
    };
    if (first.header && std::all_of(by_name.begin(), by_name.end(), once)) {
      args.model_targets = by_name;
      return;
    }
  }
  const CsvFirstLine first = first_line(by_number);
  if (first.fields.size() != std::size_t(n_in) + layout.targets.size()) return;
  if (first.header) {
    // A header without the model's names (the target renamed, say) keeps the default, and the
    // inputs' names are checked after.
    if (!by_name.empty()) return;
    // A header where the table had none: by number, unless a column is named like one, which
    // --targets would take first.
    for (std::size_t k = 0; k < by_number.size(); ++k)
      for (std::size_t j = 0; j < first.fields.size(); ++j)
        if (first.fields[j] == by_number[k] && Index(j) != layout.targets[k])
          throw InputError(fmt::format(
              "{}: its column {} is named \"{}\", and the model's target is column {} of a file "
              "without a header; give the target column with --targets",
              args.file, j + 1, by_number[k], by_number[k]));
  }
  args.model_targets = by_number;
}

}  // namespace

DataArgs data_args_for(const ModelFile& model, DataArgs args) {
  // A CSV file's targets are read as the model's classes; other formats carry their own.
  if (format_of(args.file) == Format::csv) {
    args.classes = args.classes || !model.info.classes.empty();
    // A first line that is the training table's header, or its inputs' part, is a header here
    // too, though its names be numbers ("0,1,2,3", read with --header yes).
    const TableLayout& trained_on = model.info.columns;
    if (args.header == "auto" && !trained_on.names.empty()) {
      const std::vector<std::string> first = first_line_of(args, csv_options(args)).fields;
      if (first == trained_on.names || first == trained_on.input_names()) args.header = "yes";
    }
  }
  take_model_targets(args, model.info.columns, model.network.inputs());
  return args;
}

TableLayout layout_of(const LoadedData& loaded) {
  return {loaded.header, loaded.data.target_columns};
}

void refuse_classes_for_regression(const DataArgs& args, const ModelFile& model,
                                   const std::string& model_path) {
  if (args.classes && model.network.loss_type() == Loss::half_squared_error)
    throw UsageError(fmt::format(
        "--classes: {} is a regression model (half_squared_error); its targets are numbers",
        model_path));
}

LoadedData load_data_for(const ModelFile& model, DataArgs args, Targets targets) {
  const ClassEncoding classes{model.info.classes};
  const Network<double>& network = model.network;
  const TableLayout& trained_on = model.info.columns;
  args = data_args_for(model, std::move(args));
  LoadedData loaded;
  try {
    loaded = load_data(args, network.inputs(), network.outputs(), network.loss_type(),
                       classes.size() ? &classes : nullptr, targets);
  } catch (const InputError& e) {
    // A column taken for another (text where a number was expected, a label that is no class):
    // likeliest when the model's targets are elsewhere in this CSV file. Not for a file of the
    // inputs alone, where no target column was read.
    const std::string what = e.what();
    if (what.find(": rows have ") != std::string::npos && what.find("HINT") == std::string::npos)
      if (const std::string hint = unnamed_inputs_hint(args, trained_on); !hint.empty())
        throw InputError(what + hint);
    const bool columns = what.find("expected a number") != std::string::npos ||
                         what.find("is not one of the") != std::string::npos;
    if (!columns || trained_on.targets.empty() || what.find("HINT") != std::string::npos ||
        format_of(args.file) != Format::csv)
      throw;
    std::vector<std::string> names;
    std::string numbers;
    for (const Index t : trained_on.targets) {
      if (!trained_on.names.empty()) names.push_back(trained_on.names[std::size_t(t)]);
      numbers += fmt::format("{}column {}", numbers.empty() ? "" : ", ", t + 1);
    }
    const std::string targets = names.empty() ? numbers : quoted_names(names);
    if (!args.targets.empty()) {
      // --targets naming a column the model takes as an input: its target column was then read
      // as an input.
      const std::vector<std::string> inputs = trained_on.input_names();
      for (const std::string& named : args.target_columns())
        if (std::count(inputs.begin(), inputs.end(), named) > 0)
          throw InputError(fmt::format(
              "{}. HINT: --targets names {}, one of the model's inputs; it was trained with the "
              "target {}",
              what, quote_field(named), targets));
      throw;
    }
    if (Index(first_line_of(args, csv_options(args)).fields.size()) == network.inputs()) throw;
    throw InputError(fmt::format(
        "{}. HINT: the model was trained with the target {} ({}); if this file's target is "
        "another column, name it with --targets",
        what, targets,
        args.model_targets.empty()
            ? "not found in this file, so the last columns were read as targets"
            : "taken from the same place here"));
  }
  check_input_names(args.file, loaded, trained_on);
  return loaded;
}

std::string file_crc32(const std::string& path) {
  uLong crc = crc32(0L, Z_NULL, 0);
  if (is_stream(path)) {
    const std::string& text = stream_text(path);
    return fmt::format("{:08x}",
                       crc32_z(crc, reinterpret_cast<const Bytef*>(text.data()), text.size()));
  }
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(1 << 16);
  while (in.read(buffer.data(), std::streamsize(buffer.size())) || in.gcount() > 0)
    crc = crc32(crc, reinterpret_cast<const Bytef*>(buffer.data()), uInt(in.gcount()));
  return fmt::format("{:08x}", crc);
}

}  // namespace neurona::cli
