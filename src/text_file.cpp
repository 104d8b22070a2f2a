// Whole-file reads for the text formats.
#include "text_file.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>

#include <fmt/format.h>

#include "json_text.hpp"
#include "neurona/error.hpp"

namespace neurona {

std::string read_text_file(const std::filesystem::path& path, std::string_view kind) {
  std::error_code error;
  if (!std::filesystem::exists(path, error)) throw InputError(path.string() + ": no such file");
  if (std::filesystem::is_directory(path, error))
    throw InputError(path.string() + ": is a folder, expected " + std::string(kind));
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(path.string() + ": cannot open for reading: " + std::strerror(errno));
  // Appended chunk by chunk, whose failure to grow the text throws. (Copied through a stream
  // buffer, a text that cannot grow ends where it stopped, and nothing says so.) A regular file's
  // size is reserved first; a pipe's or device's text grows as it comes.
  std::string contents;
  std::uintmax_t size = 0;
  if (std::filesystem::is_regular_file(path, error)) size = std::filesystem::file_size(path, error);
  if (error) size = 0;
  auto too_large = [&] {
    return InputError(fmt::format("{}: too large to hold in this process's memory ({:.0f} MB{})",
                                  path.string(),
                                  double(std::max<std::uintmax_t>(size, contents.size())) / 1e6,
                                  size > 0 ? "" : " read when it ran out"));
  };
  // A pipe's or device's zero byte ends the reading: every format read here is text, and a
  // stream of binary bytes (/dev/zero) may never end. (A file's is refused by its parser.)
  const bool stream = size == 0;
  std::size_t zero = std::string::npos;
  try {
    contents.reserve(std::size_t(size));
    std::array<char, 1 << 16> chunk;
    while (in.read(chunk.data(), chunk.size()), in.gcount() > 0) {
      const std::size_t before = contents.size();
      contents.append(chunk.data(), std::size_t(in.gcount()));
      if (stream && (zero = contents.find('\0', before)) != std::string::npos) break;
    }
  } catch (const std::bad_alloc&) {
    throw too_large();
  } catch (const std::length_error&) {
    throw too_large();
  }
  if (zero != std::string::npos)
    throw InputError(
        fmt::format("{}:{}: a zero byte, which {} never holds, being text; the rest "
                    "was not read",
                    path.string(), position_of(contents, zero), kind));
  if (in.bad()) throw InputError(path.string() + ": read error");
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

namespace {

bool is_control(unsigned char byte) {
  return byte < 0x20 || byte == 0x7F;
}

// How many bytes the UTF-8 sequence at the start of `text` takes, or 0 if it is not one (a
// stray continuation byte, a sequence cut short, an overlong form, a surrogate, beyond U+10FFFF).
std::size_t utf8_length(std::string_view text) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(0);
  const std::size_t length = lead < 0x80   ? 1
                             : lead < 0xC2 ? 0
                             : lead < 0xE0 ? 2
                             : lead < 0xF0 ? 3
                             : lead < 0xF5 ? 4
                                           : 0;
  if (length == 0 || length > text.size()) return 0;
  for (std::size_t k = 1; k < length; ++k)
    if ((byte(k) & 0xC0) != 0x80) return 0;
  if (length == 3 && ((lead == 0xE0 && byte(1) < 0xA0) || (lead == 0xED && byte(1) >= 0xA0)))
    return 0;
  if (length == 4 && ((lead == 0xF0 && byte(1) < 0x90) || (lead == 0xF4 && byte(1) >= 0x90)))
    return 0;
  return length;
}

}  // namespace

bool is_utf8(std::string_view text) {
  for (std::size_t k = 0; k < text.size();) {
    const std::size_t length = utf8_length(text.substr(k));
    if (length == 0) return false;
    k += length;
  }
  return true;
}

void refuse_lone_carriage_return(std::string_view line, const std::string& name,
                                 long long line_number) {
  const std::size_t cr = line.find('\r');
  if (cr == std::string_view::npos || line.find_first_not_of(" \t\r", cr) == std::string_view::npos)
    return;
  throw InputError(fmt::format(
      "{}:{}:{}: a carriage return inside the line: lines that end in a lone carriage return "
      "(old Mac style) are not read. HINT: end them with newlines (tr '\\r' '\\n')",
      name, line_number, cr + 1));
}

bool has_control_character(std::string_view text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return is_control(static_cast<unsigned char>(c)); });
}

std::string quote_field(std::string_view text) {
  std::string shown = "\"";
  std::size_t k = 0;
  while (k < text.size() && k < 40) {  // a character begun before byte 40 is shown whole
    const auto byte = static_cast<unsigned char>(text[k]);
    const std::size_t length = utf8_length(text.substr(k));
    if (length == 0 || is_control(byte)) {
      shown += fmt::format("\\x{:02X}", byte);
      ++k;
    } else {
      shown += text.substr(k, length);
      k += length;
    }
  }
  return shown + (k < text.size() ? "...\"" : "\"");
}

}  // namespace neurona
