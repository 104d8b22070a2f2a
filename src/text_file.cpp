// Whole-file reads for the text formats.
#include "text_file.hpp"

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
  return text.str();
}

}  // namespace neurona
