// History files: the exact layout, round trips to the same bits, a missing validation loss, and
// errors that point at the cell.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "neurona/error.hpp"
#include "neurona/history.hpp"
#include "temp_folder.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

class HistoryFiles : public ::TempFolderTest {
 protected:
  fs::path write(const std::string& text) {
    std::ofstream(dir / "history.csv", std::ios::binary) << text;
    return dir / "history.csv";
  }
  std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  std::string error_of(const std::string& text) {
    try {
      read_history_csv(write(text));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
};

const double nan = std::numeric_limits<double>::quiet_NaN();
const double inf = std::numeric_limits<double>::infinity();

TEST_F(HistoryFiles, WritesTheHeaderAndShortestExactNumbers) {
  const History history = {{1, 0.5, 0.25, 0.1, 0.0125}, {2, 0.1 + 0.2, nan, 0.1, 1.5}};
  write_history_csv(history, dir / "h.csv");
  EXPECT_EQ(read(dir / "h.csv"),
            "epoch,loss,validation_loss,learning_rate,seconds\n"
            "1,0.5,0.25,0.1,0.0125\n"
            "2,0.30000000000000004,,0.1,1.5\n");
  // Only the file itself is left: the temporary file was renamed over it.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST_F(HistoryFiles, RoundTripsToTheSameBits) {
  History history;
  for (Index e = 1; e <= 200; ++e) {
    const double x = double(e);
    history.push_back({e, std::exp(-x / 7) / 3, e % 3 ? std::sqrt(x) * 1e-300 : nan,
                       0.5 / (1 + x * 1e-3), x * 0.0137 + 1e-9});
  }
  history.push_back({201, 5e-324, std::numeric_limits<double>::max(), 1, 0});
  write_history_csv(history, dir / "h.csv");
  const History back = read_history_csv(dir / "h.csv");
  ASSERT_EQ(back.size(), history.size());
  for (std::size_t i = 0; i < history.size(); ++i) {
    EXPECT_EQ(back[i].epoch, history[i].epoch);
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back[i].loss),
              std::bit_cast<std::uint64_t>(history[i].loss));
    if (std::isnan(history[i].validation_loss))
      EXPECT_TRUE(std::isnan(back[i].validation_loss)) << i;
    else
      EXPECT_EQ(std::bit_cast<std::uint64_t>(back[i].validation_loss),
                std::bit_cast<std::uint64_t>(history[i].validation_loss));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back[i].learning_rate),
              std::bit_cast<std::uint64_t>(history[i].learning_rate));
    EXPECT_EQ(std::bit_cast<std::uint64_t>(back[i].seconds),
              std::bit_cast<std::uint64_t>(history[i].seconds));
  }
}

TEST_F(HistoryFiles, AMissingValidationLossReadsAsNaN) {
  const History history = read_history_csv(
      write("epoch,loss,validation_loss,learning_rate,seconds\r\n\r\n1, 0.5 ,,0.1,0\r\n"));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].loss, 0.5);
  EXPECT_TRUE(std::isnan(history[0].validation_loss));

  // A run that diverged ends on a loss of nan or inf, as the writer writes it; only a negative
  // value is refused.
  const History diverged = {{1, 0.5, 0.25, 0.1, 0.5}, {2, nan, inf, 0.1, 1}, {3, inf, 0, 0, 0}};
  write_history_csv(diverged, dir / "diverged.csv");
  const History back = read_history_csv(dir / "diverged.csv");
  ASSERT_EQ(back.size(), 3u);
  EXPECT_TRUE(std::isnan(back[1].loss));
  EXPECT_EQ(back[1].validation_loss, inf);
  EXPECT_EQ(back[2].loss, inf);
}

TEST_F(HistoryFiles, AnEmptyHistoryRoundTrips) {
  write_history_csv({}, dir / "h.csv");
  EXPECT_TRUE(read_history_csv(dir / "h.csv").empty());
}

TEST_F(HistoryFiles, ErrorsNameFileLineAndColumn) {
  const std::string head = "epoch,loss,validation_loss,learning_rate,seconds\n";
  struct Case {
    std::string text, expected;
  };
  for (const Case& c : {
           Case{"", "history.csv: the file is empty, expected the header"},
           Case{"\n \n", "history.csv: the file is empty"},
           Case{"epoch,loss,val,learning_rate,seconds\n",
                "history.csv:1:12: expected the header "
                "\"epoch,loss,validation_loss,learning_rate,seconds\", got \"epoch,loss,val,"},
           Case{"epoch,loss\n", "history.csv:1:11: expected the header"},
           Case{"1,0.5,,0.1,0\n", "history.csv:1:1: expected the header"},
           Case{head + "1,0.5,,0.1\n", "history.csv:2:11: expected 5 cells"},
           Case{head + "1,0.5,,0.1,0,7\n", "history.csv:2:14: expected 5 cells"},
           Case{head + "1,abc,,0.1,0\n", "history.csv:2:3: loss: expected a number, got \"abc\""},
           Case{head + "1,,,0.1,0\n", "history.csv:2:3: loss: expected a number, got an empty"},
           Case{head + "1,0.5,x,0.1,0\n", "history.csv:2:7: validation_loss: expected a number"},
           Case{head + "1,0.5,,0.1,1e999\n",
                "history.csv:2:12: seconds: \"1e999\" is beyond a double's range"},
           Case{head + "1,1e400,,0.1,0\n", "history.csv:2:3: loss: \"1e400\" is beyond a double's"},
           Case{head + "1,-0.5,,0.1,0\n",
                "history.csv:2:3: loss: expected a number of at least 0, got \"-0.5\""},
           Case{head + "1,0.5,-1e-9,0.1,0\n",
                "history.csv:2:7: validation_loss: expected a "
                "number of at least 0"},
           Case{head + "1,0.5,,-inf,0\n", "history.csv:2:8: learning_rate: expected a number of"},
           Case{head + "1,0.5,,0.1,-2\n", "history.csv:2:12: seconds: expected a number of at"},
           Case{head + "1.5,0.5,,0.1,0\n", "history.csv:2:1: epoch: expected a whole number"},
           Case{head + "-1,0.5,,0.1,0\n", "history.csv:2:1: epoch: expected a whole number"},
           Case{head + "1,0.5,,0.1,0\n\n2,0.4,,0.1,0\n 2,0.3,,0.1,0\n",
                "history.csv:5:2: epoch: expected a number greater than 2 (the line before), "
                "got 2"},
       }) {
    const std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "for " << c.text << " got: " << message;
  }
  EXPECT_THROW(read_history_csv(dir / "missing.csv"), InputError);
  EXPECT_THROW(read_history_csv(dir), InputError);
}

TEST_F(HistoryFiles, WhatTheReaderWouldRefuseIsNotWritten) {
  auto refusal = [&](const History& history) -> std::string {
    try {
      write_history_csv(history, dir / "h.csv");
    } catch (const InputError& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(refusal({{1, 0.5, nan, 0.1, 0.0}, {2, -0.25, nan, 0.1, 0.0}}),
            (dir / "h.csv").string() + ": not written: record 1 has the loss -0.25, below 0");
  EXPECT_EQ(refusal({{2, 0.5, nan, 0.1, 0.0}, {2, 0.25, nan, 0.1, 0.0}}),
            (dir / "h.csv").string() +
                ": not written: record 1 has epoch 2; epochs are 0 or more, each greater than the "
                "one before");
  EXPECT_NE(refusal({{1, 0.5, nan, 0.1, -1.0}}), "");
  EXPECT_FALSE(fs::exists(dir / "h.csv"));
  // A diverged run's last loss is written, and read back, as it was.
  EXPECT_EQ(refusal({{1, 0.5, nan, 0.1, 0.0}, {2, inf, nan, 0.1, 0.0}}), "");
  EXPECT_EQ(read_history_csv(dir / "h.csv")[1].loss, inf);
}

// Beyond a double's range: too small reads as the CSV reader reads it (zero), too large is refused
// as such (ErrorsNameFileLineAndColumn), where "inf" is read as a diverged run's loss.
TEST_F(HistoryFiles, ANumberTooSmallForADoubleReadsAsZero) {
  std::ofstream(dir / "small.csv") << "epoch,loss,validation_loss,learning_rate,seconds\n"
                                   << "1,1e-400,,0.1,0\n";
  EXPECT_EQ(read_history_csv(dir / "small.csv")[0].loss, 0.0);
}

TEST_F(HistoryFiles, AFileThatCannotBeWrittenIsAnInputErrorAndLeavesNothing) {
  EXPECT_THROW(write_history_csv({}, dir / "no-such-folder" / "h.csv"), InputError);
  EXPECT_THROW(write_history_csv({}, dir), InputError);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 0);
}

}  // namespace
}  // namespace neurona
