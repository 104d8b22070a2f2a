// CSV reading and the split into X and Y: headers, targets, classes, and errors that point at the
// cell.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

#include "neurona/dataset.hpp"
#include "neurona/error.hpp"
#include "neurona/tutorial.hpp"
#include "temp_folder.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

class Csv : public ::TempFolderTest {
 protected:
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

// A device or pipe that never ends (or a file larger than the process may hold) is read until
// memory runs out: that must be an error naming it, never a text cut where it stopped.
// An endless stream of text (a pipe whose writer never stops) is read until memory runs out, then
// named. (A stream of binary bytes, /dev/zero, stops at its first zero byte: no text has one.)
TEST(ReadCsv, EndlessInputIsAnErrorNamingItWhenMemoryRunsOut) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  auto read_endless_input = [] {
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) std::exit(2);
    if (fork() == 0) {  // the writer, ended by SIGPIPE once the reader is gone
      close(pipe_ends[0]);
      const std::string rows(1 << 16, '\n');
      while (write(pipe_ends[1], rows.data(), rows.size()) > 0) {
      }
      std::_Exit(0);
    }
    close(pipe_ends[1]);
    const rlimit limit{256 << 20, 256 << 20};
    if (setrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    try {
      read_csv("/dev/fd/" + std::to_string(pipe_ends[0]));
    } catch (const InputError& e) {
      std::fprintf(stderr, "%s\n", e.what());
      std::exit(0);
    }
    std::exit(1);
  };
  EXPECT_EXIT(read_endless_input(), ::testing::ExitedWithCode(0),
              "^/dev/fd/[0-9]+: too large to hold in this process's memory \\([0-9]+ MB read when "
              "it ran out\\)");
}

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

  // Names beside a decimal comma: a header still.
  table = read_csv(write("sepal length;x1;2,5\n1;2;3\n"));
  EXPECT_EQ(table.header, (std::vector<std::string>{"sepal length", "x1", "2,5"}));
  EXPECT_EQ(table.values.rows(), 1);
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
           Case{"1,2\n3,\n",
                "data.csv:2:3: field 2: missing value (an empty cell); use "
                "--drop-missing to skip such rows"},
           Case{"a,b\n1,NA\n", "data.csv:2:3: field 2: missing value (NA); use --drop-missing"},
           Case{"1,NaN\n", "data.csv:1:3: field 2: expected a finite number, got \"NaN\""},
           Case{"1,\"2\n",
                "data.csv:1:3: field 2: the quote opened here is not closed on this "
                "line"},
           Case{"1,\"2\"x\n",
                "data.csv:1:6: field 2: expected ',' or the end of the line after "
                "the closing quote, got 'x'"},
           Case{"a;b\n1,5;2\n",
                "data.csv:2:1: field 1: expected a number, got \"1,5\"; HINT: "
                "write decimals with a point"},
           // Not a decimal: the columns are split by another separator than the first line's.
           Case{"a;b\n0,0,0;1\n",
                "data.csv:2:1: field 1: expected a number, got \"0,0,0\"; HINT: if \",\" "
                "separates the columns, give --separator ,"},
           Case{"a,b\n\"0;0\",1\n",
                "data.csv:2:1: field 1: expected a number, got \"0;0\"; HINT: if \";\" "
                "separates the columns, give --separator ;"},
           Case{"1,nan\n", "data.csv:1:3: field 2: expected a finite number, got \"nan\""},
           Case{"1,2\n-inf,2\n", "data.csv:2:1: field 1: expected a finite number, got \"-inf\""},
           Case{"1,1e999\n", "data.csv:1:3: field 2: expected a finite number, got \"1e999\""},
           Case{"", "data.csv: the file is empty"},
           Case{"\n  \n", "data.csv: the file is empty"},
           Case{"x,y\n", "data.csv:1: a header but no rows of numbers"},
           // Lines ended by a lone carriage return would be one line, read as a header.
           Case{"1,2,3\r4,5,6\r7,8,9\r",
                "data.csv:1:6: a carriage return inside the line: lines that end in a lone "
                "carriage return (old Mac style) are not read"},
           // A decimal comma in the first row: a row of data, not a header.
           Case{"1;2,5;3\n4;5;6\n",
                "data.csv:1:3: field 2: expected a number, got \"2,5\"; HINT: write decimals with "
                "a point"},
           Case{"-0,25\t1\t2\n1\t2\t3\n",
                "data.csv:1:1: field 1: expected a number, got \"-0,25\"; HINT: write decimals"},
           // Control bytes and bytes that are not UTF-8 are shown as \xNN, not cut or raw.
           Case{std::string("a,b\n1,x\0y\n", 10),
                "data.csv:2:3: field 2: expected a number, got \"x\\x00y\""},
           Case{"a,b\n1,\xFF\xFE\n", "field 2: expected a number, got \"\\xFF\\xFE\""},
           Case{"a,b\n1,\xC3\xA9t\xC3\n", "got \"\xC3\xA9t\\xC3\""},
           // Long fields are cut after 40 bytes, a character begun before then shown whole.
           Case{"a,b\n1," + std::string(39, 'a') + "\xE2\x82\xAC" + "b\n",
                "got \"" + std::string(39, 'a') + "\xE2\x82\xAC...\""},
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

  EXPECT_EQ(data.input_columns, (std::vector<Index>{0, 2, 3}));
  EXPECT_EQ(data.target_columns, (std::vector<Index>{1}));

  data = make_dataset<double>(table, 2, 2, Loss::half_squared_error, {"1", "d"});
  EXPECT_EQ(data.Y.row(1), (RowVector<double>(2) << 5, 8).finished());
  EXPECT_EQ(data.X.row(1), (RowVector<double>(2) << 6, 7).finished());
  EXPECT_EQ(data.input_columns, (std::vector<Index>{1, 2}));
  EXPECT_EQ(data.target_columns, (std::vector<Index>{0, 3}));
  // Inputs alone: no target column.
  data = make_inputs<double>(read_csv(write("a,b\n1,2\n")), 2, 1, Loss::half_squared_error);
  EXPECT_EQ(data.input_columns, (std::vector<Index>{0, 1}));
  EXPECT_TRUE(data.target_columns.empty());

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

TEST(CsvLine, SplitsAsTheReaderDoes) {
  EXPECT_EQ(split_csv_line(" a , \"b,\"\"c\"\" \" ,d\"e", ',', "f:1"),
            (std::vector<std::string>{"a", "b,\"c\" ", "d\"e"}));
  EXPECT_EQ(split_csv_line("1\t\t2", '\t', "f:1"), (std::vector<std::string>{"1", "", "2"}));
  try {
    split_csv_line("a,\"b", ',', "f.csv:7");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("f.csv:7:3: field 2: the quote opened here"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(detect_csv_separator("a;b;c,d"), ';');
  EXPECT_EQ(detect_csv_separator("\"a;b;c\",d"), ',');
  EXPECT_EQ(detect_csv_separator("one"), ',');
}

TEST_F(Csv, SeparatorsAreDetectedFromTheFirstLineOrGiven) {
  Table table = read_csv(write("a;b;c\n1;2.5;3\n"));
  EXPECT_EQ(table.separator, ';');
  EXPECT_EQ(table.header, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(table.values, (Matrix<double>(1, 3) << 1, 2.5, 3).finished());

  table = read_csv(write("1\t2\t3\n4\t5\t6\n"));
  EXPECT_EQ(table.separator, '\t');
  EXPECT_EQ(table.values.row(1), (RowVector<double>(3) << 4, 5, 6).finished());

  // The most frequent of the three wins; a single column reads as comma-separated.
  EXPECT_EQ(read_csv(write("x;y,z;w\n1;2;3\n")).separator, ';');
  table = read_csv(write("y\n1\n2\n"));
  EXPECT_EQ(table.separator, ',');
  EXPECT_EQ(table.values.rows(), 2);

  // Given, it is used even where another one occurs more.
  table = read_csv(write("a,b;c,d\n1;2\n"), {.separator = ';'});
  EXPECT_EQ(table.header, (std::vector<std::string>{"a,b", "c,d"}));
  EXPECT_THROW(read_csv(write("1|2\n"), {.separator = '|'}), UsageError);
}

TEST_F(Csv, QuotedFieldsAreUnquoted) {
  // As R's write.csv writes them: quoted names and text, "" for a quote inside.
  const Table table =
      read_csv(write("\"\",\"x\",\"name\"\n\"1\",0.5,\"say \"\"hi\"\", then go\"\n"),
               {.label_columns = {"name"}});
  EXPECT_EQ(table.header, (std::vector<std::string>{"", "x", "name"}));
  EXPECT_EQ(table.values(0, 0), 1);
  EXPECT_EQ(table.values(0, 1), 0.5);
  EXPECT_EQ(table.labels.at(2), (std::vector<std::string>{"say \"hi\", then go"}));
}

TEST_F(Csv, MissingValuesDropWholeRowsWhenAsked) {
  const std::string text = "a,b,c\n1,2,3\nNA,5,6\n7,,9\n10,11,12\n";
  EXPECT_NE(error_of(text).find("data.csv:3:1: field 1: missing value (NA)"), std::string::npos);
  const Table table = read_csv(write(text), {.drop_missing = true});
  EXPECT_EQ(table.dropped_rows, 2);
  EXPECT_EQ(table.lines, (std::vector<Index>{2, 5}));
  EXPECT_EQ(table.values, (Matrix<double>(2, 3) << 1, 2, 3, 10, 11, 12).finished());

  // A dropped row is still checked: its other cells' errors are not hidden.
  try {
    read_csv(write("a,b\nNA,x\n"), {.drop_missing = true});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv:2:4: field 2: expected a number, got \"x\""),
              std::string::npos)
        << e.what();
  }
  try {
    read_csv(write("a,b\nNA,1\n2,\n"), {.drop_missing = true});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv: every row (2) has a missing value"),
              std::string::npos)
        << e.what();
  }
  // A first line whose only text is NA is data, not a header.
  EXPECT_EQ(read_csv(write("NA,1\n2,3\n"), {.drop_missing = true}).values.rows(), 1);
}

TEST_F(Csv, LabelColumnsKeepTheirText) {
  Table table =
      read_csv(write("x,species\n1,setosa\n2,virginica\n"), {.label_columns = {"species"}});
  EXPECT_EQ(table.labels.at(1), (std::vector<std::string>{"setosa", "virginica"}));
  EXPECT_EQ(table.values.col(1), Matrix<double>::Zero(2, 1));

  // By number, in a file without a header: the text in the first row does not make it one.
  table = read_csv(write("1,setosa\n2,virginica\n"), {.label_columns = {"2"}});
  EXPECT_TRUE(table.header.empty());
  EXPECT_EQ(table.labels.at(1), (std::vector<std::string>{"setosa", "virginica"}));

  // Labels with missing values drop their rows too.
  table = read_csv(write("x,y\n1,a\n2,NA\n3,c\n"), {.drop_missing = true, .label_columns = {"y"}});
  EXPECT_EQ(table.labels.at(1), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(table.dropped_rows, 1);

  try {
    read_csv(write("1,2\n"), {.label_columns = {"species"}});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--targets: \"species\" names no column of"),
              std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(the file has no header) or a number from 1 to 2"),
              std::string::npos)
        << e.what();
  }
  // Labels go into the model file, which is UTF-8 JSON: a Latin-1 label is refused where it is.
  table = read_csv(write("x,y\n1,Espa\xC3\xB1"
                         "a\n"),
                   {.label_columns = {"y"}});
  EXPECT_EQ(table.labels.at(1), (std::vector<std::string>{"Espa\xC3\xB1"
                                                          "a"}));
  try {
    read_csv(write("x,y\n1,a\n2,Espa\xF1"
                   "a\n"),
             {.label_columns = {"y"}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv:3:3: field 2: the class label \"Espa\\xF1"
                                         "a\" is not UTF-8 text"),
              std::string::npos)
        << e.what();
  }
  // A name two columns share is refused, as labels and as targets.
  try {
    read_csv(write("y,x,y\n1,2,a\n"), {.label_columns = {"y"}});
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("--targets: \"y\" is the name of columns 1 and 3 of"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(make_dataset<double>(read_csv(write("y,x,y\n1,2,3\n")), 2, 1,
                                    Loss::half_squared_error, {"y"}),
               UsageError);
  // Without label_columns, text in a column is the error it always was.
  EXPECT_NE(error_of("x,species\n1,setosa\n").find("data.csv:2:3: field 2: expected a number"),
            std::string::npos);
}

TEST_F(Csv, SkippedColumnsAreNotReadAndGiveInputsAlone) {
  // The target column of rows yet to be predicted: blank, NA, text, anything.
  const std::string text = "a,y,b\n1,,2\n3,NA,4\n5,?,6\n7,setosa,8\n";
  Table table = read_csv(write(text), {.skipped_columns = {"y"}});
  EXPECT_EQ(table.skipped_columns, (std::vector<Index>{1}));
  EXPECT_EQ(table.values.rows(), 4);
  EXPECT_EQ(table.values.col(1), Matrix<double>::Zero(4, 1));
  EXPECT_EQ(table.dropped_rows, 0);
  EXPECT_TRUE(table.labels.empty());
  Dataset<double> data = make_inputs<double>(table, 2, 1, Loss::half_squared_error, {"y"});
  Matrix<double> inputs(4, 2);
  inputs << 1, 2, 3, 4, 5, 6, 7, 8;
  EXPECT_EQ(data.X, inputs);
  EXPECT_EQ(data.Y.size(), 0);
  EXPECT_EQ(data.input_columns, (std::vector<Index>{0, 2}));
  EXPECT_EQ(data.target_columns, (std::vector<Index>{1}));
  // As a class column too, which is not read as labels though named so.
  const ClassEncoding classes = make_class_encoding({"setosa", "virginica", "versicolor"});
  table = read_csv(write(text), {.label_columns = {"y"}, .skipped_columns = {"y"}});
  EXPECT_TRUE(table.labels.empty());
  data = make_inputs<double>(table, 2, 3, Loss::cross_entropy, {"y"}, &classes);
  EXPECT_EQ(data.X, inputs);
  EXPECT_EQ(data.Y.size(), 0);

  // make_dataset needs its targets, and no input may be skipped.
  const auto refused = [&](const std::function<void()>& call, const std::string& expected) {
    try {
      call();
      ADD_FAILURE() << "no error, expected " << expected;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  table = read_csv(write(text), {.skipped_columns = {"y"}});
  refused([&] { make_dataset<double>(table, 2, 1, Loss::half_squared_error, {"y"}); },
          "data.csv: column 2 (\"y\") was skipped in reading, and is a target the network reads");
  refused([&] { make_dataset<double>(table, 2, 3, Loss::cross_entropy, {"y"}, &classes); },
          "column 2 (\"y\") was skipped in reading, and is a target");
  refused([&] { make_inputs<double>(table, 2, 1, Loss::half_squared_error, {"b"}); },
          "column 2 (\"y\") was skipped in reading, and is an input the network reads");

  // By number, in a file without a header: text there alone does not make line 1 a header (see
  // below), nor does it when the column is also named a label column, whose first row may hold
  // text.
  table = read_csv(write("1,2,x\n3,4,\n"), {.label_columns = {"3"}, .skipped_columns = {"3"}});
  EXPECT_TRUE(table.header.empty());
  EXPECT_EQ(table.values.rows(), 2);
  EXPECT_TRUE(table.labels.empty());
  EXPECT_FALSE(
      csv_first_line("1,2,x\n", "data.csv", {.label_columns = {"3"}, .skipped_columns = {"3"}})
          .header);
  // Line 1 whose only text is in a skipped column given by number: a header of inputs named by
  // numbers, or a row whose target is not known? Asked, not guessed; told, it is read so.
  refused(
      [&] { read_csv(write("0.1,0.2,unknown\n0.3,0.4,unknown\n"), {.skipped_columns = {"3"}}); },
      "data.csv:1: its only text is in a column that is skipped (a target not read): is it a "
      "header or a row of data? HINT: --header yes");
  refused([&] { csv_first_line("0,1,y\n", "data.csv", {.skipped_columns = {"3"}}); },
          "data.csv:1: its only text is in a column that is skipped");
  table = read_csv(write("0.1,0.2,unknown\n0.3,0.4,unknown\n"),
                   {.skipped_columns = {"3"}, .header = false});
  EXPECT_EQ(table.values.rows(), 2);
  table = read_csv(write("0,1,y\n0,1,0\n"), {.skipped_columns = {"3"}, .header = true});
  EXPECT_EQ(table.header, (std::vector<std::string>{"0", "1", "y"}));
  // By name, the column is found in line 1, which is so the header; text elsewhere settles it too.
  EXPECT_EQ(read_csv(write("0,1,y\n0,1,0\n"), {.skipped_columns = {"y"}}).values.rows(), 1);
  EXPECT_EQ(read_csv(write("a,1,y\n0,1,0\n"), {.skipped_columns = {"3"}}).values.rows(), 1);
  // Nor are its classes there to fit.
  table = read_csv(write(text), {.skipped_columns = {"y"}});
  refused([&] { fit_classes(table, {"y"}); },
          "column 2 (\"y\") was skipped in reading, and is the column of the classes");
  // A missing value elsewhere is still refused, or drops its row.
  refused([&] { read_csv(write("a,y\n,1\n"), {.skipped_columns = {"y"}}); },
          "data.csv:2:1: field 1: missing value");
  table = read_csv(write("a,b,y\n1,,\n2,3,\n"), {.drop_missing = true, .skipped_columns = {"y"}});
  EXPECT_EQ(table.lines, (std::vector<Index>{3}));
  EXPECT_THROW(read_csv(write("1,2\n"), {.skipped_columns = {"y"}}), UsageError);
  // A skipped first column is no row index, whatever it holds.
  table = read_csv(write(",a,b\n0,1,2\n1,3,4\n2,5,6\n"), {.skipped_columns = {"1"}});
  EXPECT_EQ(table.values.rows(), 3);
}

TEST(ClassEncoding, SortsNumbersByValueAndTextByBytes) {
  EXPECT_EQ(make_class_encoding({"10", "2", "1", "2", "-1.5"}).labels,
            (std::vector<std::string>{"-1.5", "1", "2", "10"}));
  EXPECT_EQ(make_class_encoding({"b", "a", "B", "10", "a"}).labels,
            (std::vector<std::string>{"10", "B", "a", "b"}));
  // "1" and "1.0" are one class when the labels are numbers.
  const ClassEncoding numbers = make_class_encoding({"1.0", "0", "1"});
  EXPECT_EQ(numbers.labels, (std::vector<std::string>{"0", "1"}));
  EXPECT_EQ(numbers.index_of("1.0"), 1);
  EXPECT_EQ(numbers.index_of("0"), 0);
  EXPECT_EQ(numbers.index_of("2"), -1);
  EXPECT_EQ(make_class_encoding({"cat", "dog"}).index_of("cow"), -1);
}

TEST_F(Csv, ClassLabelsAreOneHotEncodedByTheirSortedClass) {
  const Table table = read_csv(write("x1,x2,species\n1,2,virginica\n3,4,setosa\n5,6,versicolor\n"
                                     "7,8,setosa\n"),
                               {.label_columns = {"species"}});
  const ClassEncoding classes = fit_classes(table);
  EXPECT_EQ(classes.labels, (std::vector<std::string>{"setosa", "versicolor", "virginica"}));
  EXPECT_EQ(fit_classes(table, {"species"}).labels, classes.labels);

  const Dataset<float> data =
      make_dataset<float>(table, 2, 3, Loss::cross_entropy, {"species"}, &classes);
  EXPECT_EQ(data.X, (Matrix<float>(4, 2) << 1, 2, 3, 4, 5, 6, 7, 8).finished());
  EXPECT_EQ(data.Y, (Matrix<float>(4, 3) << 0, 0, 1, 1, 0, 0, 0, 1, 0, 1, 0, 0).finished());
  EXPECT_EQ(make_dataset<float>(table, 2, 3, Loss::cross_entropy, {}, &classes).Y, data.Y);

  // The target needs not be last.
  const Table first = read_csv(write("species,x\nb,1\na,2\n"), {.label_columns = {"1"}});
  const ClassEncoding ab = fit_classes(first, {"species"});
  const Dataset<double> d = make_dataset<double>(first, 1, 2, Loss::cross_entropy, {"1"}, &ab);
  EXPECT_EQ(d.X, (Matrix<double>(2, 1) << 1, 2).finished());
  EXPECT_EQ(d.Y, (Matrix<double>(2, 2) << 0, 1, 1, 0).finished());
  // One label column behind the classes' columns of Y.
  EXPECT_EQ(d.input_columns, (std::vector<Index>{1}));
  EXPECT_EQ(d.target_columns, (std::vector<Index>{0}));
}

TEST_F(Csv, AHeaderReadAsARowOfClassesIsRefused) {
  // pandas writes a frame with numbered columns so: a header whose only text is the class
  // column's name, which the default target (the last column, by number) reads as a label.
  const std::string text = "0,1,target\n1,2,a\n3,4,b\n5,6,a\n7,8,b\n";
  const Table table = read_csv(write(text), {.label_columns = {"3"}});
  ASSERT_TRUE(table.header.empty());
  try {
    fit_classes(table);
    FAIL() << "\"target\" became a class";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv:1: column 3: the class label \"target\" is on "
                                         "no other row: is line 1 a header?"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("if it is, name the class column by its header name "
                                         "(--targets target); if it is a row of data, name the "
                                         "column by its number (--targets 3); or say which "
                                         "with --header yes or no"),
              std::string::npos)
        << e.what();
  }
  // Told, the reader asks nothing: line 1 is the header, or a row of a third class.
  EXPECT_EQ(fit_classes(read_csv(write(text), {.label_columns = {"3"}, .header = true})).size(), 2);
  EXPECT_EQ(fit_classes(read_csv(write(text), {.label_columns = {"3"}, .header = false})).size(),
            3);
  // The hint's name whole, as a shell reads it back; one --targets cannot take, said so.
  auto hint = [&](const std::string& name) {
    try {
      fit_classes(
          read_csv(write("0,1," + name + "\n1,2,a\n3,4,b\n5,6,a\n"), {.label_columns = {"3"}}));
    } catch (const InputError& e) {
      const std::string what = e.what();
      return what.substr(what.find("HINT: if it is, ") + 16);
    }
    return std::string("no error");
  };
  const std::string long_name = "diagnosis_of_the_patient_at_the_first_admission_visit";
  EXPECT_NE(hint(long_name).find("(--targets " + long_name + ");"), std::string::npos)
      << hint(long_name);
  EXPECT_NE(hint("\"say \"\"hi\"\", it's $y\"").find("which --targets cannot take"),
            std::string::npos);
  EXPECT_NE(hint("\"say \"\"hi\"\"; it's $y\"").find("(--targets 'say \"hi\"; it'\\''s $y')"),
            std::string::npos)
      << hint("\"say \"\"hi\"\"; it's $y\"");
  // pandas' header of a frame whose columns are all numbered: a number above labels of text.
  try {
    fit_classes(read_csv(write("0,1,2\n1,2,a\n2,3,b\n1,1,a\n3,3,b\n"), {.label_columns = {"3"}}));
    FAIL() << "\"2\" became a class";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("its names are numbers, which --targets takes for places: "
                                         "drop the line (tail -n +2 "),
              std::string::npos)
        << e.what();
  }
  // Either reading, once said, is taken.
  EXPECT_EQ(fit_classes(table, {"3"}).labels, (std::vector<std::string>{"a", "b", "target"}));
  const Table with_header = read_csv(write(text), {.label_columns = {"target"}});
  EXPECT_EQ(fit_classes(with_header, {"target"}).labels, (std::vector<std::string>{"a", "b"}));

  // Names that are not column numbers (wavelengths), above 10 rows or more.
  std::string spectra = "400,410,target\n";
  for (int i = 0; i < 10; ++i)
    spectra += fmt::format("{},{},{}\n", i, i + 1, i % 2 ? "oil" : "water");
  EXPECT_THROW(fit_classes(read_csv(write(spectra), {.label_columns = {"3"}})), InputError);

  // Not refused: a first label another row has, a number among numbers, a few rows each of their
  // own class, a small table starting with its one row of a class, and a header the reader found
  // itself.
  EXPECT_NO_THROW(
      fit_classes(read_csv(write("0,1,a\n1,2,b\n3,4,a\n5,6,b\n"), {.label_columns = {"3"}})));
  EXPECT_NO_THROW(fit_classes(read_csv(write("0,1,7\n1,2,3\n3,4,3\n"), {.label_columns = {"3"}})));
  EXPECT_NO_THROW(
      fit_classes(read_csv(write("0,1,7\n1,2,a\n3,4,2\n5,6,a\n"), {.label_columns = {"3"}})));
  EXPECT_NO_THROW(fit_classes(read_csv(write("0,1,c\n1,2,a\n3,4,b\n"), {.label_columns = {"3"}})));
  EXPECT_NO_THROW(fit_classes(
      read_csv(write("0,0,no\n0,1,yes\n1,0,yes\n1,1,yes\n"), {.label_columns = {"3"}})));
  EXPECT_NO_THROW(
      fit_classes(read_csv(write("x,y,target\n1,2,a\n3,4,a\n"), {.label_columns = {"3"}})));
}

TEST_F(Csv, ARowIndexWithNoNameIsRefused) {
  // pandas' to_csv keeps the frame's index unless told not to: a first column with no name that
  // numbers the rows, 0, 1, 2, ... (R's row names count from 1).
  for (const std::string index : {"0\n1\n2", "1\n2\n3", "0\n2\n3", "7\n0\n4"}) {
    std::string text = ",a,b\n", rest = index + "\n";
    for (std::size_t at = 0, i = 0; at < rest.size(); ++i) {
      const std::size_t end = rest.find('\n', at);
      text += rest.substr(at, end - at) + fmt::format(",{},{}\n", i, 2 * i);
      at = end + 1;
    }
    EXPECT_NE(error_of(text).find("data.csv:1: column 1 has no name and numbers the rows, each "
                                  "with its own whole number: a row index"),
              std::string::npos)
        << text << error_of(text);
  }
  EXPECT_NE(error_of("\"\";a;b\n1;1;2\n2;3;4\n3;5;6\n").find("(cut -d';' -f2- "),
            std::string::npos);
  // Its header, with a class label as its only text, is a row with an empty cell: said so, and
  // dropped by --drop-missing, refused with the column.
  const std::string frame = ",0,1,target\n0,1,2,a\n1,2,3,b\n2,3,4,a\n4,3,4,b\n";
  try {
    read_csv(write(frame), {.label_columns = {"4"}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("unless line 1 is a header over a first column with no "
                                         "name, a row index"),
              std::string::npos)
        << e.what();
  }
  try {
    read_csv(write(frame), {.drop_missing = true, .label_columns = {"4"}});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("data.csv:1: line 1, dropped for its empty first cell, "
                                         "looks like the header of column 1"),
              std::string::npos)
        << e.what();
  }
  // Not refused: a column named, numbers that repeat or are not whole, a first line dropped for a
  // missing value in another column (a step column above a difference).
  EXPECT_EQ(read_csv(write("id,a,b\n0,1,2\n1,3,4\n2,5,6\n")).values.rows(), 3);
  EXPECT_EQ(read_csv(write(",a,b\n0,1,2\n0,3,4\n1,5,6\n")).values.rows(), 3);
  EXPECT_EQ(read_csv(write(",a,b\n0,1,2\n0.5,3,4\n1,5,6\n")).values.rows(), 3);
  EXPECT_EQ(read_csv(write("0,1.0,NA,0.5\n1,1.5,0.5,0.6\n2,1.7,0.2,0.7\n3,1.6,-0.1,0.65\n"),
                     {.drop_missing = true})
                .values.rows(),
            3);
  // (Its first line numbers the columns too, as a header of pandas' might: read as data when told.)
  EXPECT_EQ(read_csv(write("0,1,2\n1,,4\n2,5,6\n3,5,6\n"), {.drop_missing = true, .header = false})
                .values.rows(),
            3);
}

// "0,1,2,3" above rows of numbers is the header pandas writes for numbered columns, or a first row
// of data: refused unless the caller says which.
TEST_F(Csv, AFirstLineNumberingTheColumnsIsAskedAbout) {
  std::string text = "0,1,2,3\n";
  for (int i = 0; i < 10; ++i)
    text += std::to_string(i) + ".5,1.5,2.5,4.5\n";
  try {
    read_csv(write(text));
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "data.csv:1: line 1 numbers the columns, 0 to 3, as pandas writes the header of "
                  "a frame whose columns are numbered: is it a header or a row of data? HINT: "
                  "--header yes reads it as the header, --header no as a row of data"),
              std::string::npos)
        << e.what();
  }
  const Table as_header = read_csv(write(text), {.header = true});
  EXPECT_EQ(as_header.header, (std::vector<std::string>{"0", "1", "2", "3"}));
  EXPECT_EQ(as_header.values.rows(), 10);
  EXPECT_EQ(read_csv(write(text), {.header = false}).values.rows(), 11);
  EXPECT_TRUE(csv_first_line(text, "data.csv", {.header = true}).header);
  EXPECT_FALSE(csv_first_line("a,b\n1,2\n", "data.csv", {.header = false}).header);
  // A header of names told to be data is refused as any text where a number goes.
  EXPECT_THROW(read_csv(write("a,b,c\n1,2,3\n"), {.header = false}), InputError);
  // Not asked: a first line from 1, of two columns, with another row like it, with labels, or
  // above fewer than 10 rows.
  const std::string rows = text.substr(text.find('\n') + 1);
  EXPECT_EQ(read_csv(write("1,2,3,4\n" + rows)).values.rows(), 11);
  std::string two = "0,1\n";
  for (int i = 0; i < 10; ++i)
    two += std::to_string(i) + ".5,1\n";
  EXPECT_EQ(read_csv(write(two)).values.rows(), 11);
  EXPECT_EQ(read_csv(write(text + "0,1,2,3\n")).values.rows(), 12);
  EXPECT_EQ(read_csv(write("0,1,2\n0.5,1,a\n0,1,b\n"), {.label_columns = {"3"}}).values.rows(), 3);
  EXPECT_EQ(read_csv(write("0,1,2,3\n" + rows.substr(rows.find('\n') + 1))).values.rows(), 10);
  // Asked with a class column too, its labels numbers as pandas writes them.
  std::string classes = "0,1,2\n";
  for (int i = 0; i < 10; ++i)
    classes += std::to_string(i) + ".5,1," + std::to_string(i % 2) + "\n";
  try {
    read_csv(write(classes), {.label_columns = {"3"}});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("line 1 numbers the columns, 0 to 2"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(fit_classes(read_csv(write(classes), {.label_columns = {"3"}, .header = true})).size(),
            2);
}

TEST_F(Csv, TwoClassesFitOneSigmoidOutputAsZeroOrOne) {
  const Table table =
      read_csv(write("x,diagnosis\n1,malignant\n2,benign\n"), {.label_columns = {"diagnosis"}});
  const ClassEncoding classes = fit_classes(table);
  const Dataset<double> data =
      make_dataset<double>(table, 1, 1, Loss::binary_cross_entropy, {}, &classes);
  EXPECT_EQ(data.Y, (Matrix<double>(2, 1) << 1, 0).finished());  // benign 0, malignant 1
}

TEST_F(Csv, NumericClassColumnsNeedNoLabelColumn) {
  const Table table = read_csv(write("x,digit\n1,10\n2,2\n3,2.0\n"));
  const ClassEncoding classes = fit_classes(table);
  EXPECT_EQ(classes.labels, (std::vector<std::string>{"2", "10"}));
  EXPECT_EQ(make_dataset<double>(table, 1, 2, Loss::cross_entropy, {}, &classes).Y,
            (Matrix<double>(3, 2) << 0, 1, 1, 0, 1, 0).finished());
}

TEST_F(Csv, ClassErrorsNameTheLineAndTheClasses) {
  const Table train =
      read_csv(write("x,species\n1,setosa\n2,virginica\n"), {.label_columns = {"species"}});
  const ClassEncoding classes = fit_classes(train);
  auto error = [&](const Table& table, Index n_in, Index n_out, const TargetColumns& targets,
                   bool inputs_only = false) -> std::string {
    try {
      if (inputs_only)
        make_inputs<double>(table, n_in, n_out, Loss::cross_entropy, targets, &classes);
      else
        make_dataset<double>(table, n_in, n_out, Loss::cross_entropy, targets, &classes);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(error(train, 1, 3, {})
                .find("data.csv: the target has 2 classes (setosa, virginica); "
                      "the network has 3 outputs, expected 2 (or 1, for the "
                      "class as 0 or 1)"),
            std::string::npos);
  EXPECT_NE(error(train, 2, 2, {})
                .find("data.csv:2: rows have 2 columns; with 1 target column of "
                      "class labels, the network's 2 inputs need 3"),
            std::string::npos);
  EXPECT_NE(error(train, 1, 2, {"x", "species"})
                .find("--targets: names 2 columns; class labels "
                      "come from one column"),
            std::string::npos);

  // A label unseen in training, at prediction time.
  const Table later = read_csv(write("x,species\n1,setosa\n2,iris\n"), {.label_columns = {"2"}});
  EXPECT_NE(error(later, 1, 2, {}, true)
                .find("data.csv:3: column 2 (\"species\"): \"iris\" is not one of the 2 classes: "
                      "setosa, virginica"),
            std::string::npos);
  // Inputs alone are fine for prediction; a label column among the inputs is not.
  const Table inputs = read_csv(write("x\n1\n2\n"));
  EXPECT_EQ(make_inputs<double>(inputs, 1, 2, Loss::cross_entropy, {}, &classes).Y.size(), 0);
  const Table text_input =
      read_csv(write("name,x,species\na,1,setosa\n"), {.label_columns = {"name", "species"}});
  EXPECT_NE(error(text_input, 2, 2, {})
                .find("data.csv: column 1 (\"name\") holds text labels, "
                      "which only a class target can"),
            std::string::npos);
  EXPECT_THROW(make_dataset<double>(train, 1, 1, Loss::half_squared_error), InputError);
}

// The vendored datasets in data/, beside this test's source tree.
const fs::path data_dir = fs::path(__FILE__).parent_path().parent_path() / "data";

TEST(VendoredData, EachFileReadsWithItsColumnsAndClasses) {
  struct Expected {
    const char* file;
    Index rows, inputs;
    const char* target;
    std::map<std::string, Index> class_counts;  // empty for regression
  };
  for (const Expected& e : {
           Expected{"iris.csv",
                    150,
                    4,
                    "species",
                    {{"setosa", 50}, {"versicolor", 50}, {"virginica", 50}}},
           Expected{"wine.csv",
                    178,
                    13,
                    "cultivar",
                    {{"class_0", 59}, {"class_1", 71}, {"class_2", 48}}},
           Expected{
               "breast_cancer.csv", 569, 30, "diagnosis", {{"benign", 357}, {"malignant", 212}}},
           Expected{"digits.csv",
                    1797,
                    64,
                    "digit",
                    {{"0", 178},
                     {"1", 182},
                     {"2", 177},
                     {"3", 183},
                     {"4", 181},
                     {"5", 182},
                     {"6", 181},
                     {"7", 179},
                     {"8", 174},
                     {"9", 180}}},
           Expected{"diabetes.csv", 442, 10, "progression", {}},
       }) {
    SCOPED_TRACE(e.file);
    const bool classes = !e.class_counts.empty();
    CsvOptions options;
    if (classes) options.label_columns = {e.target};
    const Table table = read_csv(data_dir / e.file, options);
    ASSERT_EQ(table.values.rows(), e.rows);
    ASSERT_EQ(table.values.cols(), e.inputs + 1);
    EXPECT_EQ(table.header.back(), e.target);
    if (!classes) {
      const Dataset<double> data =
          make_dataset<double>(table, e.inputs, 1, Loss::half_squared_error);
      EXPECT_EQ(data.Y(0, 0), 151);  // the first patient's progression
      continue;
    }
    const ClassEncoding encoding = fit_classes(table);
    ASSERT_EQ(encoding.size(), Index(e.class_counts.size()));
    const Dataset<double> data =
        make_dataset<double>(table, e.inputs, encoding.size(), Loss::cross_entropy, {}, &encoding);
    for (const auto& [label, count] : e.class_counts)
      EXPECT_EQ(data.Y.col(encoding.index_of(label)).sum(), count) << label;
  }
  // digits' classes sort as numbers; iris's first flower is as Fisher measured it.
  EXPECT_EQ(fit_classes(read_csv(data_dir / "digits.csv")).labels.back(), "9");
  const Table iris = read_csv(data_dir / "iris.csv", {.label_columns = {"species"}});
  EXPECT_EQ(iris.values.row(0).head(4), (RowVector<double>(4) << 5.1, 3.5, 1.4, 0.2).finished());
}

TEST(VendoredData, MajorityCsvIsTheTutorialsTable) {
  const Table table = read_csv(data_dir / "majority.csv");
  EXPECT_EQ(table.header, (std::vector<std::string>{"x1", "x2", "x3", "y"}));
  const Dataset<double> data = make_dataset<double>(table, 3, 1, Loss::half_squared_error);
  const Dataset<double> tutorial = tutorial::majority_table<double>();
  EXPECT_EQ(data.X, tutorial.X);
  EXPECT_EQ(data.Y, tutorial.Y);
}

}  // namespace
}  // namespace neurona
