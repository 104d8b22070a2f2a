// Reading a whole file as text, with the messages every reader gives for a path that cannot be
// read. Internal to the library.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "neurona/dataset.hpp"

namespace neurona {

// The file's bytes. Throws InputError "<path>: no such file", "<path>: is a folder, expected
// <kind>", or a reading error, each naming the path.
std::string read_text_file(const std::filesystem::path& path, std::string_view kind);

// The number a field of a text file holds, read exactly (std::from_chars; a leading + allowed), or
// nothing if it is not one. NaN and infinity come back as such, and so does an overflow (as
// infinity), for the caller to refuse with its own message.
std::optional<double> parse_number(std::string_view text);

// Throws InputError "<name>:<line>:<column>: a carriage return inside the line ..." when `line`
// (cut at a newline) has text after a carriage return: the file's lines end in a lone one (old Mac
// style), and the whole file would read as one line.
void refuse_lone_carriage_return(std::string_view line, const std::string& name,
                                 long long line_number);

// Whether `text` is well-formed UTF-8 (what JSON, and so a model file, can hold).
bool is_utf8(std::string_view text);

// Whether `text` holds a tab, newline or other control character (below U+0020, or DEL), which a
// class label may not: predict prints one label per line.
bool has_control_character(std::string_view text);

// quote_field, the text of a field as messages show it, is public: see neurona/dataset.hpp.

}  // namespace neurona
