// JSON text read for the model and checkpoint files, its errors placed by line and column.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace neurona {

// "line:column" of a byte offset in text, both 1-based.
std::string position_of(const std::string& text, std::size_t offset);

// Parses `text`, read from `name`. Malformed JSON, and a number beyond double's range (which
// nlohmann reports with no position), are InputErrors naming the file, line and column, as
// "name:3:16: malformed JSON, expected <expected>: ...". So is nesting deeper than any model's
// (64), which would overflow the stack.
nlohmann::json parse_json(const std::string& text, const std::string& name,
                          std::string_view expected);

}  // namespace neurona
