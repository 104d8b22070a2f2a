// Reading a whole file as text, with the messages every reader gives for a path that cannot be
// read. Internal to the library.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace neurona {

// The file's bytes. Throws InputError "<path>: no such file", "<path>: is a folder, expected
// <kind>", or a reading error, each naming the path.
std::string read_text_file(const std::filesystem::path& path, std::string_view kind);

}  // namespace neurona
