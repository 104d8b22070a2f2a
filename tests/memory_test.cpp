// The memory a process may hold: the machine's, or a lower limit on its address space.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "neurona/memory.hpp"

namespace neurona {
namespace {

TEST(MemoryLimit, IsThisMachinesMemoryWithoutALowerLimit) {
  rlimit address_space{};
  ASSERT_EQ(getrlimit(RLIMIT_AS, &address_space), 0);
  const double machine = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
  if (address_space.rlim_cur != RLIM_INFINITY && double(address_space.rlim_cur) < machine)
    GTEST_SKIP() << "run under an address-space limit below this machine's memory";
  const MemoryLimit limit = memory_limit();
  EXPECT_FALSE(limit.address_space);
  EXPECT_EQ(limit.bytes, machine);
  EXPECT_EQ(limit.description(), "this machine's " + gib(machine) + " GiB");
}

TEST(MemoryLimit, IsTheAddressSpaceLimitWhereThatIsLower) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  auto under_a_limit = [] {
    rlimit limit{};
    if (getrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    limit.rlim_cur = rlim_t(3) << 29;  // 1.5 GiB: the soft limit is the one in force
    if (setrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    const MemoryLimit memory = memory_limit();
    std::fprintf(stderr, "%d %.0f %s\n", int(memory.address_space), memory.bytes,
                 memory.description().c_str());
    std::exit(0);
  };
  EXPECT_EXIT(under_a_limit(), ::testing::ExitedWithCode(0),
              "1 1610612736 this process's address-space limit \\(ulimit -v\\) of 1.50 GiB");
}

// In use: resident pages against the machine's memory, mapped ones against an address-space
// limit; 32 MiB held and touched count in both.
TEST(MemoryLimit, InUseCountsWhatThisProcessHolds) {
  MemoryLimit resident, mapped;
  resident.address_space = false;
  mapped.address_space = true;
  const double resident_before = resident.in_use(), mapped_before = mapped.in_use();
  EXPECT_GT(resident_before, 0);
  EXPECT_GE(mapped_before, resident_before);
  std::vector<char> held(32 << 20, 1);
  EXPECT_GE(resident.in_use() - resident_before, 30 << 20);
  EXPECT_GE(mapped.in_use() - mapped_before, 30 << 20);
  EXPECT_EQ(held[12345], 1);
}

TEST(MemoryLimit, GibHasTwoDecimals) {
  EXPECT_EQ(gib(double(1 << 30)), "1.00");
  EXPECT_EQ(gib(1.49 * double(1 << 30)), "1.49");
  EXPECT_EQ(gib(0), "0.00");
}

}  // namespace
}  // namespace neurona
