// CSV reading and the split into X and Y: headers, targets, classes, and errors that point at the
// cell.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "neurona/dataset.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

class Csv : public ::testing::Test {
 protected:
  fs::path dir =
      fs::temp_directory_path() / (std::string("neurona-csv-") +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  void SetUp() override {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  void TearDown() override { fs::remove_all(dir); }

  fs::path write(const std::string& text) {
    std::ofstream(dir / "data.csv", std::ios::binary) << text;
    return dir / "data.csv";
  }
  std::string error_of(const std::string& text) {
    try {
      read_csv(write(text));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(Csv, ReadsNumbersWithOrWithoutAHeader) {
  Table table = read_csv(write("1,2,3\n4.5,-6e-1,+7\n"));
  EXPECT_TRUE(table.header.empty());
  Matrix<double> expected(2, 3);
  expected << 1, 2, 3, 4.5, -0.6, 7;
  EXPECT_EQ(table.values, expected);

  table = read_csv(write("x1, x2 ,y\r\n\r\n1,2,3\r\n 4 ,5,6\r\n\n"));
  EXPECT_EQ(table.header, (std::vector<std::string>{"x1", "x2", "y"}));
  EXPECT_EQ(table.values.rows(), 2);
  EXPECT_EQ(table.values(1, 0), 4);
  EXPECT_EQ(table.lines, (std::vector<Index>{3, 4}));
}

TEST_F(Csv, NumbersAreExact) {
  const Table table = read_csv(write("0.1,0.30000000000000004,1e-320\n"));
  EXPECT_EQ(table.values(0, 0), 0.1);
  EXPECT_EQ(table.values(0, 1), 0.1 + 0.2);
  EXPECT_EQ(table.values(0, 2), 1e-320);
}

TEST_F(Csv, ErrorsNameFileLineAndColumn) {
  struct Case {
    std::string text, expected;
  };
  for (const Case& c : {
           Case{"1,2,3\n4,5\n", "data.csv:2:4: expected 3 fields like line 1, got 2"},
           Case{"1,2,3\n4,5,6,7\n", "data.csv:2:7: expected 3 fields like line 1, got 4"},
           Case{"a,b\n1,2\n3,abc\n", "data.csv:3:3: field 2: expected a number, got \"abc\""},
           Case{"1,2\n3,\n", "data.csv:2:3: field 2: expected a number, got an empty cell"},
           Case{"1,nan\n", "data.csv:1:3: field 2: expected a finite number, got \"nan\""},
           Case{"1,2\n-inf,2\n", "data.csv:2:1: field 1: expected a finite number, got \"-inf\""},
           Case{"1,1e999\n", "data.csv:1:3: field 2: expected a finite number, got \"1e999\""},
           Case{"", "data.csv: the file is empty"},
           Case{"\n  \n", "data.csv: the file is empty"},
           Case{"x,y\n", "data.csv:1: a header but no rows of numbers"},
       }) {
    const std::string message = error_of(c.text);
    EXPECT_NE(message.find(c.expected), std::string::npos)
        << "for " << c.text << " got: " << message;
  }
}

TEST_F(Csv, MissingFilesAndFoldersAreRefused) {
  EXPECT_THROW(read_csv(dir / "absent.csv"), InputError);
  try {
    read_csv(dir);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("is a folder"), std::string::npos) << e.what();
  }
}

TEST_F(Csv, TargetsAreTheLastColumnsUnlessNamed) {
  const Table table = read_csv(write("a,b,c,d\n1,2,3,4\n5,6,7,8\n"));
  Dataset<double> data = make_dataset<double>(table, 3, 1, Loss::half_squared_error);
  EXPECT_EQ(data.X.cols(), 3);
  EXPECT_EQ(data.Y(1, 0), 8);

  data = make_dataset<double>(table, 3, 1, Loss::half_squared_error, {"b"});
  EXPECT_EQ(data.Y(0, 0), 2);
  EXPECT_EQ(data.X.row(0), (RowVector<double>(3) << 1, 3, 4).finished());

  data = make_dataset<double>(table, 2, 2, Loss::half_squared_error, {"1", "d"});
  EXPECT_EQ(data.Y.row(1), (RowVector<double>(2) << 5, 8).finished());
  EXPECT_EQ(data.X.row(1), (RowVector<double>(2) << 6, 7).finished());

  EXPECT_THROW(make_dataset<double>(table, 3, 1, Loss::half_squared_error, {"e"}), UsageError);
  EXPECT_THROW(make_dataset<double>(table, 3, 1, Loss::half_squared_error, {"5"}), UsageError);
  EXPECT_THROW(make_dataset<double>(table, 2, 2, Loss::half_squared_error, {"a", "1"}), UsageError);
}

TEST_F(Csv, ClassNumbersAreOneHotEncodedForCrossEntropy) {
  const Table table = read_csv(write("0.5,1.5,2\n1,1,0\n"));
  const Dataset<double> data = make_dataset<double>(table, 2, 3, Loss::cross_entropy);
  Matrix<double> Y(2, 3);
  Y << 0, 0, 1,  //
      1, 0, 0;
  EXPECT_EQ(data.Y, Y);

  const Table bad = read_csv(write("0.5,1.5,2\n1,1,3\n"));
  try {
    make_dataset<double>(bad, 2, 3, Loss::cross_entropy);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(
        std::string(e.what()).find("data.csv:2: column 3: expected a class number from 0 to 2"),
        std::string::npos)
        << e.what();
  }
}

TEST_F(Csv, ColumnCountsThatDoNotFitTheNetworkAreRefused) {
  const Table table = read_csv(write("x1,x2,y\n1,2,3\n"));
  try {
    make_dataset<double>(table, 3, 1, Loss::half_squared_error);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv:2: rows have 3 columns; the network needs 4"),
              std::string::npos)
        << e.what();
  }
  // Inputs alone are fine for prediction.
  EXPECT_EQ(make_inputs<double>(table, 3, 1, Loss::half_squared_error).Y.size(), 0);
  EXPECT_EQ(make_inputs<double>(table, 2, 1, Loss::half_squared_error).X.cols(), 2);
}

TEST_F(Csv, ValuesBeyondFloatAreRefusedInFloatPrecision) {
  const Table table = read_csv(write("1e300,1\n"));
  EXPECT_NO_THROW(make_dataset<double>(table, 1, 1, Loss::half_squared_error));
  EXPECT_THROW(make_dataset<float>(table, 1, 1, Loss::half_squared_error), InputError);
}

}  // namespace
}  // namespace neurona
