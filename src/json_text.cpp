// JSON text of the model and checkpoint files: read with errors placed by line and column, and
// numbers written.
#include "json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "neurona/error.hpp"
#include "neurona/memory.hpp"
#include "text_file.hpp"

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

// What the parser does not tell: nesting too deep for it (checked before it runs), and a key given
// twice in one object, which it takes silently, the last one winning (so that which of two
// contradicting values is read would depend on their order).
struct TextScan {
  std::size_t duplicate_key = std::string::npos;  // the offset of the first repeated key
  std::string duplicate_name;                     // as the parser reads it, escapes decoded
  double values = 0;      // one per ',' outside strings and one per array or object: the elements
  double containers = 0;  // arrays and objects
};

// A key as the parser reads it: "\u0070recision" is "precision". Raw text with an escape that is
// no JSON's is kept as it is (the parser refuses it).
std::string decoded_key(std::string_view raw) {
  if (raw.find('\\') == std::string_view::npos) return std::string(raw);
  try {
    std::string quoted(1, '"');
    quoted.append(raw).push_back('"');
    return nlohmann::json::parse(quoted).get<std::string>();
  } catch (const nlohmann::json::exception&) {
    return std::string(raw);
  }
}

// Walks the text once, outside and inside strings. On text that is not JSON the walk may see
// keys wrongly, which is why its duplicate is reported only once the parser took the text.
TextScan scan_text(const std::string& text, const std::string& name, std::string_view expected) {
  TextScan scan;
  // One entry per open array or object: an object's keys so far, none for an array.
  std::vector<std::optional<std::unordered_set<std::string>>> open;
  bool expect_key = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '"') {
      std::size_t end = i + 1;
      while (end < text.size() && text[end] != '"')
        end += text[end] == '\\' ? 2 : 1;  // the escaped character cannot end the string
      if (expect_key && scan.duplicate_key == std::string::npos) {
        std::string key =
            decoded_key(std::string_view(text).substr(i + 1, std::min(end, text.size()) - i - 1));
        if (!open.back()->insert(key).second) {
          scan.duplicate_key = i;
          scan.duplicate_name = std::move(key);
        }
      }
      expect_key = false;
      i = end;
    } else if (c == '[' || c == '{') {
      ++scan.containers;
      ++scan.values;
      if (open.size() >= std::size_t(most_depth))
        throw InputError(
            fmt::format("{}:{}: arrays and objects nested more than {} deep, expected {}", name,
                        position_of(text, i), most_depth, expected));
      open.emplace_back(c == '{' ? std::optional<std::unordered_set<std::string>>(std::in_place)
                                 : std::nullopt);
      expect_key = c == '{';
    } else if (c == ']' || c == '}') {
      if (!open.empty()) open.pop_back();
      expect_key = false;
    } else if (c == ',') {
      ++scan.values;
      expect_key = !open.empty() && open.back().has_value();
    } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
      expect_key = false;
    }
  }
  return scan;
}

// The offset of `token` standing alone outside strings (a number, as the parser reads one), or
// npos.
std::size_t find_outside_strings(const std::string& text, std::string_view token) {
  auto in_number = [](char c) {
    return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') {
      for (++i; i < text.size() && text[i] != '"'; i += text[i] == '\\' ? 2 : 1) {
      }
    } else if (text.compare(i, token.size(), token) == 0 && (i == 0 || !in_number(text[i - 1])) &&
               (i + token.size() == text.size() || !in_number(text[i + token.size()]))) {
      return i;
    }
  }
  return std::string::npos;
}

// Read, a value takes about 40 bytes of address space and an array or object 64 more: measured
// reading models of 3 million parameters in rows of 1000 numbers and of 9 million in 3 million
// rows of one, the parsed values, the network they are read into and the parsed values' freeing.
// 44 leaves a tenth to spare. Refused before parsing: nlohmann-json 3.11.2 frees parsed values
// with a destructor that itself allocates, and when that fails (once out of memory, or after the
// network took the last of it) the process ends.
void check_parse_fits(const TextScan& scan, const std::string& text, const std::string& name) {
  const double needed = 44 * scan.values + 64 * scan.containers;
  const MemoryLimit limit = memory_limit();
  const double in_use = limit.in_use();
  if (in_use + needed <= limit.bytes) return;
  throw InputError(fmt::format(
      "{}: too large to read within {}: its {:.0f} values need about {} GiB once parsed, besides "
      "the {} GiB this process holds ({} MB of text read)",
      name, limit.description(), scan.values, gib(needed), gib(in_use),
      std::lround(double(text.size()) / 1e6)));
}

}  // namespace

nlohmann::json parse_json(const std::string& text, const std::string& name,
                          std::string_view expected) {
  const TextScan scan = scan_text(text, name, expected);
  // The parser takes a zero byte for the end of the text: what follows would be ignored, and one
  // in the middle reported as a truncated file. JSON has no place for one, raw.
  if (const std::size_t zero = text.find('\0'); zero != std::string::npos)
    throw InputError(fmt::format("{}:{}: malformed JSON, expected {}: a zero byte", name,
                                 position_of(text, zero), expected));
  check_parse_fits(scan, text, name);
  try {
    nlohmann::json root = nlohmann::json::parse(text);
    if (scan.duplicate_key != std::string::npos)
      throw InputError(fmt::format("{}:{}: the key {} is given twice in one object, expected {}",
                                   name, position_of(text, scan.duplicate_key),
                                   quote_field(scan.duplicate_name), expected));
    return root;
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
    // "[json.exception.out_of_range.406] number overflow parsing '1e999'": found by its text,
    // the first such number outside strings being the one the parser stopped at.
    const std::string what = e.what();
    const auto open = what.find('\''), close = what.rfind('\'');
    const std::string number =
        open != std::string::npos && close > open ? what.substr(open + 1, close - open - 1) : "";
    const std::size_t at = number.empty() ? std::string::npos : find_outside_strings(text, number);
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
