// Messages on standard error: progress, summaries and errors.
#pragma once

#include <fmt/format.h>

#include <cstdio>
#include <string>
#include <utility>

namespace neurona::cli {

// Written as fmt::print(stderr, ...) would, except that a write that fails (a full disk behind
// 2>log, a closed stderr) is let go: what a command makes is its output and its files, and a
// message that cannot be shown must not end a run that would succeed, nor turn an error's exit
// status into an abort. (fmt::print throws std::system_error on a failed write.)
template <class... Args>
void print_to_stderr(fmt::format_string<Args...> format, Args&&... args) {
  const std::string text = fmt::format(format, std::forward<Args>(args)...);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

}  // namespace neurona::cli
