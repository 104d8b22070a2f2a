#include "same_file.hpp"

#include <filesystem>
#include <system_error>

namespace neurona::cli {

bool same_file(const std::string& a, const std::string& b) {
  namespace fs = std::filesystem;
  if (a.empty() || b.empty()) return false;
  std::error_code error_a, error_b, error;
  const fs::path path_a = fs::weakly_canonical(fs::absolute(a), error_a);
  const fs::path path_b = fs::weakly_canonical(fs::absolute(b), error_b);
  return (!error_a && !error_b && path_a == path_b) || fs::equivalent(a, b, error);
}

}  // namespace neurona::cli
