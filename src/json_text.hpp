// JSON text of the model and checkpoint files: read with errors placed by line and column, and
// numbers written.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace neurona {

// "line:column" of a byte offset in text, both 1-based.
std::string position_of(const std::string& text, std::size_t offset);

// Parses `text`, read from `name`. Malformed JSON, and a number beyond double's range (which
// nlohmann reports with no position), are InputErrors naming the file, line and column, as
// "name:3:16: malformed JSON, expected <expected>: ...". So are nesting deeper than any model's
// (64), which would overflow the stack, and a key given twice in one object (which the parser
// would take silently, the last one winning).
nlohmann::json parse_json(const std::string& text, const std::string& name,
                          std::string_view expected);

// Appends `value` as a JSON number: the shortest text that reads back to the same double, a whole
// number with ".0" (read as an integer, "-0" would lose its sign) and NaN or infinity, which JSON
// lacks, as null.
void append_json_number(std::string& out, double value);

// A float's own shortest text ("0.1", not its double 0.10000000149011612), where reading that as a
// double and rounding it to float gives the float back: the reader goes through double, and a
// text near the middle of two floats could round twice to the other one.
void append_json_number(std::string& out, float value);

// Appends `values` (a std::vector or an Eigen vector, of double or float) as a JSON array on one
// line, "[0.5, 1.0]", each number as append_json_number writes it.
template <class Values>
void append_json_array(std::string& out, const Values& values) {
  out += '[';
  for (std::ptrdiff_t j = 0; j < std::ptrdiff_t(values.size()); ++j) {
    if (j) out += ", ";
    append_json_number(out, values[j]);
  }
  out += ']';
}

}  // namespace neurona
