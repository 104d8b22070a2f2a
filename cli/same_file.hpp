// Whether two paths name one file, for the commands that refuse to write a result over an input
// or over another result.
#pragma once

#include <string>

namespace neurona::cli {

// True when a and b are the same file: the same path once links and `..` are resolved (for a file
// not yet there, its folder's), or two hard links to one file. An empty path is no file; a path
// that cannot be resolved (a loop of links) is taken for a file of its own.
bool same_file(const std::string& a, const std::string& b);

}  // namespace neurona::cli
