// Escaping text for SVG and HTML. Internal to the library.
#pragma once

#include <string>
#include <string_view>

namespace neurona {

// Text safe in element content and quoted attribute values of XML and HTML: & < > " ' become
// references; control characters other than tab and newline become spaces, as XML allows none.
std::string escape_markup(std::string_view text);

}  // namespace neurona
