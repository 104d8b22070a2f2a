// A test fixture with a fresh folder of its own under the system's temporary folder, removed
// after each test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

class TempFolderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string name = (std::filesystem::temp_directory_path() / "neurona-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(name.data()), nullptr) << std::strerror(errno);
    dir = name;
  }
  void TearDown() override {
    std::error_code error;
    if (!dir.empty()) std::filesystem::remove_all(dir, error);
  }

  std::filesystem::path dir;
};
