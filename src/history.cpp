// The training history's CSV file: exact numbers (fmt's shortest round trip, std::from_chars)
// and messages that point at the cell.
#include "neurona/history.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>

#include "neurona/atomic_file.hpp"
#include "neurona/error.hpp"
#include "text_file.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 5> columns = {"epoch", "loss", "validation_loss",
                                                     "learning_rate", "seconds"};
constexpr std::string_view header = "epoch,loss,validation_loss,learning_rate,seconds";

struct Cell {
  std::string_view text;  // without the spaces around it
  std::size_t column;     // 1-based character column where the text starts
};

std::vector<Cell> split_cells(std::string_view line) {
  std::vector<Cell> cells;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(line.find(',', start), line.size());
    std::string_view text = line.substr(start, end - start);
    std::size_t column = start + 1;
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) {
      text.remove_prefix(1);
      ++column;
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r'))
      text.remove_suffix(1);
    cells.push_back({text, column});
    if (end == line.size()) break;
    start = end + 1;
  }
  return cells;
}

// Reads the cells of one file, each error naming file:line:column.
class Reader {
 public:
  Reader(std::string name, Index line) : name_(std::move(name)), line_(line) {}

  [[noreturn]] void fail(std::size_t column, const std::string& what) const {
    throw InputError(fmt::format("{}:{}:{}: {}", name_, line_, column, what));
  }

  // A double as written by fmt "{}": decimal or exponent form, or nan, inf, -inf.
  double number(const Cell& cell, std::string_view column) const {
    std::string_view text = cell.text;
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    const bool whole_cell = !text.empty() && end == text.data() + text.size();
    if (whole_cell && error == std::errc::result_out_of_range) {
      // Too small reads as the other readers read it (zero or a subnormal); too large is named
      // so, rather than as no number.
      value = std::strtod(std::string(text).c_str(), nullptr);
      if (std::isinf(value))
        fail(cell.column,
             fmt::format("{}: {} is beyond a double's range", column, quote_field(cell.text)));
    } else if (!whole_cell || error != std::errc()) {
      fail(cell.column, fmt::format("{}: expected a number, got {}", column,
                                    cell.text.empty() ? "an empty cell" : quote_field(cell.text)));
    }
    // Losses, rates and times are never negative; a diverged run's loss is written as nan or
    // inf, which the plot leaves out.
    if (value < 0)
      fail(cell.column, fmt::format("{}: expected a number of at least 0, got {}", column,
                                    quote_field(cell.text)));
    return value;
  }

  Index epoch(const Cell& cell, Index previous) const {
    long long value = 0;
    const char* begin = cell.text.data();
    const char* stop = begin + cell.text.size();
    const auto [end, error] = std::from_chars(begin, stop, value);
    if (cell.text.empty() || error != std::errc() || end != stop || value < 0)
      fail(cell.column, fmt::format("epoch: expected a whole number of at least 0, got {}",
                                    cell.text.empty() ? "an empty cell" : quote_field(cell.text)));
    // Epochs in order, so that a plot of them is a curve; two runs pasted together are not one.
    if (previous >= 0 && value <= previous)
      fail(cell.column, fmt::format("epoch: expected a number greater than {} (the line before), "
                                    "got {}",
                                    previous, value));
    return Index(value);
  }

 private:
  std::string name_;
  Index line_;
};

}  // namespace

void write_history_csv(const History& history, const fs::path& path) {
  // What read_history_csv would refuse is refused here, and nothing written.
  for (std::size_t k = 0; k < history.size(); ++k) {
    const EpochRecord& r = history[k];
    if (r.epoch < 0 || (k > 0 && r.epoch <= history[k - 1].epoch))
      throw InputError(
          fmt::format("{}: not written: record {} has epoch {}; epochs are 0 or more, "
                      "each greater than the one before",
                      path.string(), k, r.epoch));
    for (const auto& [value, column] :
         {std::pair{r.loss, columns[1]}, std::pair{r.validation_loss, columns[2]},
          std::pair{r.learning_rate, columns[3]}, std::pair{r.seconds, columns[4]}})
      if (value < 0)
        throw InputError(fmt::format("{}: not written: record {} has the {} {}, below 0",
                                     path.string(), k, column, value));
  }
  std::string out(header);
  out += '\n';
  for (const EpochRecord& r : history) {
    // "{}" is the shortest text that reads back to the same double.
    const std::string validation =
        std::isnan(r.validation_loss) ? std::string() : fmt::format("{}", r.validation_loss);
    out += fmt::format("{},{},{},{},{}\n", r.epoch, r.loss, validation, r.learning_rate, r.seconds);
  }
  write_file_atomically(path, out);
}

History read_history_csv(const fs::path& path) {
  const std::string text = read_text_file(path, "a history CSV file");
  const std::string name = path.string();
  History history;
  bool header_seen = false;
  std::size_t line_start = 0;
  for (Index line_number = 1; line_start < text.size(); ++line_number) {
    const std::size_t line_end = std::min(text.find('\n', line_start), text.size());
    const std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const std::vector<Cell> cells = split_cells(line);
    const Reader reader(name, line_number);

    if (!header_seen) {
      for (std::size_t j = 0; j < columns.size(); ++j)
        if (j >= cells.size() || cells[j].text != columns[j])
          reader.fail(j < cells.size() ? cells[j].column : line.size() + 1,
                      fmt::format("expected the header \"{}\", got {}", header, quote_field(line)));
      if (cells.size() > columns.size())
        reader.fail(cells[columns.size()].column,
                    fmt::format("expected the header \"{}\", got {}", header, quote_field(line)));
      header_seen = true;
      continue;
    }
    if (cells.size() != columns.size()) {
      const std::size_t column =
          cells.size() > columns.size() ? cells[columns.size()].column : line.size() + 1;
      reader.fail(column, fmt::format("expected {} cells ({}), got {}", columns.size(), header,
                                      cells.size()));
    }
    EpochRecord r;
    r.epoch = reader.epoch(cells[0], history.empty() ? -1 : history.back().epoch);
    r.loss = reader.number(cells[1], columns[1]);
    r.validation_loss = cells[2].text.empty() ? std::nan("") : reader.number(cells[2], columns[2]);
    r.learning_rate = reader.number(cells[3], columns[3]);
    r.seconds = reader.number(cells[4], columns[4]);
    history.push_back(r);
  }
  if (!header_seen)
    throw InputError(
        fmt::format("{}: the file is empty, expected the header \"{}\"", name, header));
  return history;
}

}  // namespace neurona
