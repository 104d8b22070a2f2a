// JSON text of the model and checkpoint files: read with errors placed by line and column, and
// numbers written.
#include "json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>

#include "neurona/error.hpp"

namespace neurona {

std::string position_of(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1, column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return fmt::format("{}:{}", line, column);
}

namespace {

// Model and checkpoint files nest 6 deep at most. The parser, the reader's messages (which quote
// values) and the destructor all recurse, so a file of 100000 '[' would overflow the stack: the
// depth is checked first, on the text.
constexpr int most_depth = 64;

void check_depth(const std::string& text, const std::string& name, std::string_view expected) {
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;  // the escaped character cannot end the string
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > most_depth)
        throw InputError(
            fmt::format("{}:{}: arrays and objects nested more than {} deep, expected {}", name,
                        position_of(text, i), most_depth, expected));
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
}

}  // namespace

nlohmann::json parse_json(const std::string& text, const std::string& name,
                          std::string_view expected) {
  check_depth(text, name, expected);
  // The parser takes a zero byte for the end of the text: what follows would be ignored, and one
  // in the middle reported as a truncated file. JSON has no place for one, raw.
  if (const std::size_t zero = text.find('\0'); zero != std::string::npos)
    throw InputError(fmt::format("{}:{}: malformed JSON, expected {}: a zero byte", name,
                                 position_of(text, zero), expected));
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // nlohmann's message reads "[json.exception.parse_error.101] parse error at line 1, column 2:
    // syntax error ..."; keep what follows the position and give the position our way.
    std::string what = e.what();
    const auto colon = what.find(": ", what.find("column"));
    if (colon != std::string::npos) what = what.substr(colon + 2);
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    throw InputError(fmt::format("{}:{}: {}, expected {}: {}", name, position_of(text, offset),
                                 text.empty() ? "empty file" : "malformed JSON", expected, what));
  } catch (const nlohmann::json::out_of_range& e) {
    // "[json.exception.out_of_range.406] number overflow parsing '1e999'": found by its text.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    const std::string number =
        open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    const std::size_t at = number.empty() ? std::string::npos : text.find(number);
    throw InputError(fmt::format("{}:{}: the number {} is beyond double's range", name,
                                 at == std::string::npos ? "1:1" : position_of(text, at), number));
  }
}

void append_json_number(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  char text[32];  // the longest double, "-2.2250738585072014e-308", takes 24
  const std::string_view written(text, std::size_t(fmt::format_to(text, "{}", value) - text));
  out += written;
  if (written.find_first_of(".e") == std::string_view::npos) out += ".0";
}

void append_json_number(std::string& out, float value) {
  if (!std::isfinite(value)) return append_json_number(out, double(value));
  char text[32];
  char* end = fmt::format_to(text, "{}", value);
  // "1" and "-0" would be read as integers, and -0 as 0: written "1.0" and "-0.0", as doubles are.
  if (std::string_view(text, std::size_t(end - text)).find_first_of(".e") == std::string::npos) {
    *end++ = '.';
    *end++ = '0';
  }
  double read = 0;
  std::from_chars(text, end, read);
  if (float(read) == value)
    out.append(text, end);
  else
    append_json_number(out, double(value));
}

}  // namespace neurona
