// How much memory this process may hold.
#include "neurona/memory.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <limits>

namespace neurona {

std::string MemoryLimit::description() const {
  return fmt::format(
      "{} {} GiB",
      address_space ? "this process's address-space limit (ulimit -v) of" : "this machine's",
      gib(bytes));
}

double MemoryLimit::in_use() const {
  long mapped = 0, resident = 0;  // in pages
  std::ifstream statm("/proc/self/statm");
  if (!(statm >> mapped >> resident)) return 0;
  return double(address_space ? mapped : resident) * double(sysconf(_SC_PAGE_SIZE));
}

MemoryLimit memory_limit() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  MemoryLimit limit;
  limit.bytes = pages > 0 && page_size > 0 ? double(pages) * double(page_size)
                                           : std::numeric_limits<double>::infinity();
  rlimit address_space{};
  if (getrlimit(RLIMIT_AS, &address_space) == 0 && address_space.rlim_cur != RLIM_INFINITY &&
      double(address_space.rlim_cur) < limit.bytes) {
    limit.bytes = double(address_space.rlim_cur);
    limit.address_space = true;
  }
  return limit;
}

std::string gib(double bytes) {
  return fmt::format("{:.2f}", bytes / double(1 << 30));
}

}  // namespace neurona
