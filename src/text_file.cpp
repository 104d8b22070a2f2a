// Whole-file reads for the text formats.
#include "text_file.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "neurona/error.hpp"

namespace neurona {

std::string read_text_file(const std::filesystem::path& path, std::string_view kind) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw InputError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, error))
    throw InputError(path.string() + ": is a folder, expected " + std::string(kind));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) throw InputError(path.string() + ": read error");
  std::string contents = text.str();
  // A byte-order mark, as some spreadsheets save UTF-8, is not part of the first field.
  if (contents.starts_with("\xEF\xBB\xBF")) contents.erase(0, 3);
  return contents;
}

std::optional<double> parse_number(std::string_view text) {
  // from_chars takes a '-' but no '+': one '+' is taken off, and no sign may follow it.
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '-' || text.front() == '+')) return std::nullopt;
  }
  if (text.empty()) return std::nullopt;
  double value;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (end != text.data() + text.size()) return std::nullopt;
  if (error == std::errc::result_out_of_range) {
    // Too large is infinite, which the readers refuse; too small is what strtod makes of it,
    // zero or a subnormal, as any reader of decimals would.
    const std::string copy(text);
    const double rounded = std::strtod(copy.c_str(), nullptr);
    return std::isinf(rounded) ? HUGE_VAL : rounded;
  }
  if (error != std::errc()) return std::nullopt;
  return value;
}

}  // namespace neurona
