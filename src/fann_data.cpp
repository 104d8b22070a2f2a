// FANN .data reading. FANN itself reads with fscanf and cares nothing for lines; this reader
// insists that each pair's inputs and outputs sit on lines of their own, as FANN writes them, so
// that a number too many or too few is caught on its line instead of shifting every pair after it.
#include "neurona/fann_data.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "neurona/error.hpp"
#include "text_file.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

struct Token {
  std::string_view text;
  std::size_t column;  // 1-based
};

std::vector<Token> split_blanks(std::string_view line) {
  std::vector<Token> tokens;
  std::size_t i = 0;
  while (true) {
    i = line.find_first_not_of(" \t\r", i);
    if (i == std::string_view::npos) break;
    const std::size_t end = std::min(line.find_first_of(" \t\r", i), line.size());
    tokens.push_back({line.substr(i, end - i), i + 1});
    i = end;
  }
  return tokens;
}

std::optional<long long> parse_count(std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string plural(long long n, const char* word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

}  // namespace

Dataset<double> read_fann_data(const fs::path& path) {
  return parse_fann_data(read_text_file(path, "a FANN data file"), path.string());
}

Dataset<double> parse_fann_data(std::string_view text, const std::string& name) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);  // a UTF-8 byte-order mark

  long long pairs = 0, inputs = 0, outputs = 0;
  Index header_line = 0;
  long long lines_read = 0;  // lines of pairs, inputs and outputs alternating
  std::vector<double> x, y;
  std::size_t line_start = 0;
  Index line_number = 1;
  Index last_line = 0;  // the last line that is not blank, where a file cut short ends
  for (; line_start < text.size(); ++line_number) {
    const std::size_t line_end = std::min(text.find('\n', line_start), text.size());
    const std::string_view line(text.data() + line_start, line_end - line_start);
    line_start = line_end + 1;
    // Else the whole file would read as one line, a header of far more than three numbers.
    refuse_lone_carriage_return(line, name, line_number);
    const std::vector<Token> tokens = split_blanks(line);
    if (tokens.empty()) continue;
    last_line = line_number;

    if (header_line == 0) {
      header_line = line_number;
      const std::string expected =
          "the FANN header \"pairs inputs outputs\": three whole numbers, each at least 1";
      std::optional<long long> counts[3];
      for (std::size_t k = 0; k < std::min<std::size_t>(tokens.size(), 3); ++k)
        counts[k] = parse_count(tokens[k].text);
      for (std::size_t k = 0; k < 3; ++k) {
        if (k >= tokens.size())
          throw InputError(fmt::format("{}:{}:{}: expected {}, got {} number{}", name, line_number,
                                       line.size() + 1, expected, tokens.size(),
                                       tokens.size() == 1 ? "" : "s"));
        // Capped, so that no count overflows arithmetic on it; a file that large is not text.
        if (!counts[k] || *counts[k] < 1 || *counts[k] > (1LL << 40))
          throw InputError(fmt::format("{}:{}:{}: expected {}, got {}", name, line_number,
                                       tokens[k].column, expected, quote_field(tokens[k].text)));
      }
      if (tokens.size() > 3)
        throw InputError(fmt::format("{}:{}:{}: expected {}, got {} fields", name, line_number,
                                     tokens[3].column, expected, tokens.size()));
      pairs = *counts[0];
      inputs = *counts[1];
      outputs = *counts[2];
      continue;
    }

    if (lines_read == 2 * pairs)
      throw InputError(fmt::format(
          "{}:{}:{}: the header (line {}) declares {}, and this line comes "
          "after the last of them",
          name, line_number, tokens.front().column, header_line, plural(pairs, "pair")));
    const bool is_input = lines_read % 2 == 0;
    const long long pair = lines_read / 2 + 1;
    const long long expected = is_input ? inputs : outputs;
    const char* kind = is_input ? "input" : "output";
    if (Index(tokens.size()) != expected) {
      const std::size_t column =
          Index(tokens.size()) > expected ? tokens[std::size_t(expected)].column : line.size() + 1;
      // FANN's own reader would take a pair written on one line; this one needs two.
      const bool one_line = is_input && Index(tokens.size()) == inputs + outputs;
      throw InputError(fmt::format("{}:{}:{}: pair {}: expected {} on this line, got {}{}", name,
                                   line_number, column, pair, plural(expected, kind), tokens.size(),
                                   one_line ? "; HINT: put each pair's outputs on a line of their "
                                              "own, after its inputs"
                                            : ""));
    }
    std::vector<double>& out = is_input ? x : y;
    for (std::size_t k = 0; k < tokens.size(); ++k) {
      const std::optional<double> value = parse_number(tokens[k].text);
      if (!value || !std::isfinite(*value))
        throw InputError(fmt::format("{}:{}:{}: pair {}, {} {}: expected a {}number, got {}", name,
                                     line_number, tokens[k].column, pair, kind, k + 1,
                                     value ? "finite " : "", quote_field(tokens[k].text)));
      out.push_back(*value);
    }
    ++lines_read;
  }

  if (header_line == 0)
    throw InputError(name +
                     ": the file is empty, expected the FANN header \"pairs inputs outputs\"");
  if (lines_read < 2 * pairs)
    throw InputError(fmt::format(
        "{}:{}: the file ends here, {}; the header (line {}) declares {}", name, last_line,
        lines_read % 2 ? fmt::format("before the outputs of pair {}", lines_read / 2 + 1)
                       : fmt::format("after {}", plural(lines_read / 2, "pair")),
        header_line, plural(pairs, "pair")));
  Dataset<double> data;
  data.X = Eigen::Map<const Matrix<double>>(x.data(), Index(pairs), Index(inputs));
  data.Y = Eigen::Map<const Matrix<double>>(y.data(), Index(pairs), Index(outputs));
  return data;
}

}  // namespace neurona
