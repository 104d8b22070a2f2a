// FANN .data files: hand-written fixtures, every error with its line and column, and FANN's own
// example sets from Debian's libfann-doc when it is installed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "neurona/error.hpp"
#include "neurona/fann_data.hpp"
#include "temp_folder.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

class FannData : public ::TempFolderTest {
 protected:
  fs::path write(const std::string& text) {
    std::ofstream(dir / "xor.data", std::ios::binary) << text;
    return dir / "xor.data";
  }
  std::string error_of(const std::string& text) {
    try {
      read_fann_data(write(text));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(FannData, ReadsPairsOfInputAndOutputLines) {
  // FANN's xor.data, as its examples ship it.
  const Dataset<double> data =
      read_fann_data(write("4 2 1\n-1 -1\n-1\n-1 1\n1\n1 -1\n1\n1 1\n-1\n"));
  Matrix<double> X(4, 2), Y(4, 1);
  X << -1, -1, -1, 1, 1, -1, 1, 1;
  Y << -1, 1, 1, -1;
  EXPECT_EQ(data.X, X);
  EXPECT_EQ(data.Y, Y);
}

TEST_F(FannData, TakesTabsCarriageReturnsBlankLinesAndExponents) {
  const Dataset<double> data =
      read_fann_data(write("\n2\t3 2 \r\n0.5 +1e-3\t-2.5E2 \r\n\r\n1 0\r\n0 0 0\n0.25 0.75\n"));
  EXPECT_EQ(data.X, (Matrix<double>(2, 3) << 0.5, 0.001, -250, 0, 0, 0).finished());
  EXPECT_EQ(data.Y, (Matrix<double>(2, 2) << 1, 0, 0.25, 0.75).finished());
}

TEST_F(FannData, ErrorsNameFileLineAndColumn) {
  struct Case {
    std::string text, expected;
  };
  for (const Case& c : {
           Case{"", "xor.data: the file is empty, expected the FANN header"},
           Case{"4 2\n",
                "xor.data:1:4: expected the FANN header \"pairs inputs outputs\": three "
                "whole numbers, each at least 1, got 2 numbers"},
           Case{"4 two 1\n",
                "xor.data:1:3: expected the FANN header \"pairs inputs outputs\": "
                "three whole numbers, each at least 1, got \"two\""},
           Case{"4 2 0\n", "xor.data:1:5: expected the FANN header"},
           Case{"1.5 2 1\n", "xor.data:1:1: expected the FANN header"},
           Case{"4 2 1 7\n",
                "xor.data:1:7: expected the FANN header \"pairs inputs outputs\": "
                "three whole numbers, each at least 1, got 4 fields"},
           Case{"2 2 1\n1 2\n3\n4\n5\n",
                "xor.data:4:2: pair 2: expected 2 inputs on this line, got 1"},
           Case{"2 2 1\n1 2 3\n",
                "xor.data:2:5: pair 1: expected 2 inputs on this line, got 3; "
                "HINT: put each pair's outputs on a line of their own"},
           Case{"2 2 1\n1 2\n3 4\n", "xor.data:3:3: pair 1: expected 1 output on this line, got 2"},
           Case{"1 2 1\n1 x\n0\n", "xor.data:2:3: pair 1, input 2: expected a number, got \"x\""},
           Case{"1 2 1\n1 2\nnan\n",
                "xor.data:3:1: pair 1, output 1: expected a finite number, got \"nan\""},
           Case{"1 2 1\n1 2\n1e999\n", "xor.data:3:1: pair 1, output 1: expected a finite number"},
           Case{"3 1 1\n1\n2\n3\n4\n",
                "xor.data:5: the file ends here, after 2 pairs; the header (line 1) declares 3 "
                "pairs"},
           Case{"3 1 1\n1\n2\n3\n",
                "xor.data:4: the file ends here, before the outputs of pair 2; the "
                "header (line 1) declares 3 pairs"},
           // Lines ended by a lone carriage return would be one line, read as the header.
           Case{"4 2 1\r0 0\r0\r",
                "xor.data:1:6: a carriage return inside the line: lines that "
                "end in a lone carriage return (old Mac style) are not read"},
           Case{"1 2 1\n1 2\r0\n", "xor.data:2:4: a carriage return inside the line"},
           Case{"1 1 1\n1\n2\n  3\n",
                "xor.data:4:3: the header (line 1) declares 1 pair, and "
                "this line comes after the last of them"},
       }) {
    const std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "for " << c.text << " got: " << message;
  }
}

TEST_F(FannData, MissingFilesAndFoldersAreRefused) {
  try {
    read_fann_data(dir / "absent.data");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.data: no such file"), std::string::npos);
  }
  EXPECT_THROW(read_fann_data(dir), InputError);
}

TEST_F(FannData, AHugeDeclaredCountIsAnErrorNotAnAllocation) {
  EXPECT_NE(error_of("999999999999 1 1\n1\n1\n").find("the file ends here, after 1 pair"),
            std::string::npos);
  EXPECT_NE(error_of("1 99999999999999999999 1\n").find("xor.data:1:3: expected the FANN header"),
            std::string::npos);
}

// FANN's example sets, from Debian's libfann-doc (LGPL; read in place, never copied here).
const fs::path fann_examples = "/usr/share/doc/libfann-dev/examples";

TEST(FannExamples, XorReadsAsFannWroteIt) {
  if (!fs::exists(fann_examples / "xor.data")) GTEST_SKIP() << "libfann-doc is not installed";
  const Dataset<double> data = read_fann_data(fann_examples / "xor.data");
  EXPECT_EQ(data.X, (Matrix<double>(4, 2) << -1, -1, -1, 1, 1, -1, 1, 1).finished());
  EXPECT_EQ(data.Y, (Matrix<double>(4, 1) << -1, 1, 1, -1).finished());
}

TEST(FannExamples, EveryExampleSetReadsWithTheShapeItsHeaderDeclares) {
  const fs::path sets = fann_examples / "datasets";
  if (!fs::exists(sets)) GTEST_SKIP() << "libfann-doc is not installed";
  int files = 0;
  for (const auto& entry : fs::directory_iterator(sets)) {
    std::ifstream in(entry.path());
    Index pairs, inputs, outputs;
    in >> pairs >> inputs >> outputs;
    const Dataset<double> data = read_fann_data(entry.path());
    EXPECT_EQ(data.X.rows(), pairs) << entry.path();
    EXPECT_EQ(data.X.cols(), inputs) << entry.path();
    EXPECT_EQ(data.Y.rows(), pairs) << entry.path();
    EXPECT_EQ(data.Y.cols(), outputs) << entry.path();
    ++files;
  }
  EXPECT_GE(files, 30);
  // scaling.data's first pair: "1000 1 0" then "1001".
  const Dataset<double> scaling = read_fann_data(sets / "scaling.data");
  EXPECT_EQ(scaling.X.row(0), (RowVector<double>(3) << 1000, 1, 0).finished());
  EXPECT_EQ(scaling.Y(0, 0), 1001);
}

}  // namespace
}  // namespace neurona
