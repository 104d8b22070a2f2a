// JSON text read for the model and checkpoint files, its errors placed by line and column.
#include "json_text.hpp"

#include <fmt/format.h>

#include <algorithm>

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

nlohmann::json parse_json(const std::string& text, const std::string& name,
                          std::string_view expected) {
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

}  // namespace neurona
