// How much memory this process may hold, for refusing work before allocating it: past that, the
// kernel ends the process halfway (the machine's memory) or an allocation fails late, after
// minutes of work (an address-space limit).
#pragma once

#include <string>

namespace neurona {

struct MemoryLimit {
  double bytes = 0;            // infinite when the machine's memory cannot be told
  bool address_space = false;  // the limit on this process's address space (ulimit -v) is lower

  // "this machine's 125.00 GiB", "this process's address-space limit (ulimit -v) of 1.00 GiB",
  // as the messages that refuse work end.
  std::string description() const;

  // Bytes this process holds now, as this limit counts them: its resident pages against the
  // machine's memory, all it has mapped (the program, its libraries, threads' stacks) against an
  // address-space limit. 0 when it cannot be told.
  double in_use() const;
};

// This machine's memory, or the limit on this process's address space where that is lower.
MemoryLimit memory_limit();

// Bytes in GiB with two decimals, "1.49", as memory messages write them.
std::string gib(double bytes);

}  // namespace neurona
