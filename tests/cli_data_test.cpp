// The `neurona` command line on real data and everyday training, end to end: CSV files with class
// labels, separators and missing values; IDX and FANN files; scaling kept in the model; splits and
// early stopping; the optimizers, schedules and class weights; checkpoints and resume; history,
// plot and JSON progress; and the errors, exit statuses and files left behind when a flag or a file
// is bad.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <initializer_list>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "cli_runner.hpp"

namespace {

using namespace cli_test;

// The repository's data/ folder: the vendored data sets.
const fs::path kData = fs::path(NEURONA_TEST_DATA).parent_path().parent_path() / "data";
const std::string kImages = (kData / "fashion_mnist_test_1000-images-idx3-ubyte.gz").string();
const std::string kLabels = (kData / "fashion_mnist_test_1000-labels-idx1-ubyte.gz").string();
const std::vector<std::string> kIrisClasses{"setosa", "versicolor", "virginica"};

// The arguments of `parts`, one after the other.
std::vector<std::string> Args(std::initializer_list<std::vector<std::string>> parts) {
  std::vector<std::string> args;
  for (const auto& part : parts)
    args.insert(args.end(), part.begin(), part.end());
  return args;
}

// A model file from its "layers" on: the weights, without the provenance (which records each run's
// own command line).
std::string LayersOf(const std::string& model) {
  const std::size_t at = model.find("\"layers\"");
  return at == std::string::npos ? "" : model.substr(at);
}

// Column `k` (0-based) of each data line of a CSV text with a header.
std::vector<std::string> Column(const std::string& csv, std::size_t k) {
  std::vector<std::string> cells;
  const std::vector<std::string> lines = Lines(csv);
  for (std::size_t i = 1; i < lines.size(); ++i)
    cells.push_back(Split(lines[i], ',').at(k));
  return cells;
}

// Raw bytes as a string, for binary files written by a test.
std::string Bytes(std::initializer_list<int> bytes) {
  std::string text;
  for (int byte : bytes)
    text += char(byte);
  return text;
}

// An IDX images file of 2 images of 2 x 2 unsigned bytes, and its labels: class 0, then class 1.
const std::string kTinyImages = Bytes({0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2,  // header
                                       1, 2, 3, 4, 5, 6, 7, 8});
const std::string kTinyLabels = Bytes({0, 0, 8, 1, 0, 0, 0, 2, 0, 1});

// FANN's XOR: 4 pairs of 2 inputs and 1 output, a line of inputs then a line of outputs.
const std::string kXorFann = "4 2 1\n0 0\n0\n0 1\n1\n1 0\n1\n1 1\n0\n";

class CliDataTest : public CliTest {
 protected:
  // Copies data/`name` into the folder.
  void CopyData(const std::string& name) const { fs::copy_file(kData / name, Path(name)); }

  // Trains on the majority table with `flags` and checks that predict rounds to its 8 targets.
  void ExpectLearnsTheMajorityTable(const std::vector<std::string>& flags) const {
    const Result train = Neurona(Args({{"train", "--data", "majority.csv", "--layers", "3,2,4,1"},
                                       flags,
                                       {"--quiet", "--save", "m.json"}}));
    ASSERT_TRUE(Succeeded(train));
    const Result predict = Neurona({"predict", "--model", "m.json", "--data", "majority.csv"});
    ASSERT_TRUE(Succeeded(predict));
    const std::vector<std::string> lines = Lines(predict.out);
    ASSERT_EQ(lines.size(), kMajorityTargets.size()) << predict.out;
    for (std::size_t i = 0; i < lines.size(); ++i)
      EXPECT_EQ(std::round(ParseDouble(lines[i])), kMajorityTargets[i])
          << "row " << i + 1 << ": " << lines[i];
  }
};

// The iris flags of a short, accurate run.
const std::vector<std::string> kIrisFlags{"--classes", "--layers",    "4,8,3", "--scale",
                                          "standard",  "--optimizer", "adam",  "--lr",
                                          "0.05",      "--epochs",    "200"};

// ---------------------------------------------------------------------------------------------
// CSV as people have it: labels by name, a header, the label column anywhere, ; and tab.

TEST_F(CliDataTest, IrisTrainsOnClassLabelsAndPredictsThem) {
  CopyData("iris.csv");
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "iris.csv"}, kIrisFlags, {"--quiet", "--save", "m.json"}}))));
  EXPECT_NE(Read("m.json").find("\"classes\": [\"setosa\",\"versicolor\",\"virginica\"]"),
            std::string::npos)
      << Read("m.json");

  const Result predict = Neurona({"predict", "--model", "m.json", "--data", "iris.csv"});
  ASSERT_TRUE(Succeeded(predict));
  EXPECT_EQ(predict.err, "");
  const std::vector<std::string> labels = Lines(predict.out);
  const std::vector<std::string> truth = Column(Read("iris.csv"), 4);
  ASSERT_EQ(labels.size(), 150u);
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    EXPECT_NE(std::find(kIrisClasses.begin(), kIrisClasses.end(), labels[i]), kIrisClasses.end())
        << labels[i];
    right += labels[i] == truth[i];
  }
  EXPECT_GE(right, 145u);

  // --outputs: the three probabilities, summing to 1, largest at the printed label.
  const Result outputs =
      Neurona({"predict", "--model", "m.json", "--data", "iris.csv", "--outputs"});
  ASSERT_TRUE(Succeeded(outputs));
  const std::vector<std::string> rows = Lines(outputs.out);
  ASSERT_EQ(rows.size(), 150u);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const std::vector<std::string> cells = Split(rows[i], ',');
    ASSERT_EQ(cells.size(), 3u) << rows[i];
    double sum = 0;
    std::size_t best = 0;
    for (std::size_t j = 0; j < cells.size(); ++j) {
      const double p = ParseDouble(cells[j]);
      EXPECT_GE(p, 0.0) << rows[i];
      EXPECT_LE(p, 1.0) << rows[i];
      sum += p;
      if (p > ParseDouble(cells[best])) best = j;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12) << rows[i];
    EXPECT_EQ(kIrisClasses[best], labels[i]) << "row " << i + 1;
  }
}

TEST_F(CliDataTest, EvaluatePrintsAccuracyPerClassScoresAndConfusionMatrix) {
  CopyData("iris.csv");
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "iris.csv"}, kIrisFlags, {"--quiet", "--save", "m.json"}}))));
  const Result text = Neurona({"evaluate", "--model", "m.json", "--data", "iris.csv"});
  ASSERT_TRUE(Succeeded(text));
  const std::vector<std::string> lines = Lines(text.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(std::regex_match(lines[0], std::regex("accuracy: [01]\\.[0-9]{4}"))) << lines[0];
  const double accuracy = NumberAfter(text.out, "accuracy: ");
  EXPECT_GE(accuracy, 0.95);
  for (const char* word :
       {"precision", "recall", "f1", "support", "macro avg", "weighted avg", "confusion matrix"})
    EXPECT_NE(text.out.find(word), std::string::npos) << word << " in\n" << text.out;
  // A per-class row and a confusion-matrix row for each class; each confusion row counts the 50
  // rows of its class.
  for (const std::string& label : kIrisClasses) {
    std::vector<std::string> rows;
    for (const std::string& line : lines)
      if (line.rfind(label + " ", 0) == 0) rows.push_back(line);
    ASSERT_EQ(rows.size(), 2u) << label << " in\n" << text.out;
    std::istringstream counts(rows[1].substr(label.size()));
    int count = 0, total = 0;
    while (counts >> count)
      total += count;
    EXPECT_EQ(total, 50) << rows[1];
  }

  const Result json = Neurona({"evaluate", "--model", "m.json", "--data", "iris.csv", "--json"});
  ASSERT_TRUE(Succeeded(json));
  ASSERT_EQ(Lines(json.out).size(), 1u) << json.out;
  const std::string& object = json.out;
  EXPECT_EQ(object.front(), '{');
  EXPECT_EQ(object.substr(object.size() - 2), "}\n");
  EXPECT_EQ(std::count(object.begin(), object.end(), '{'),
            std::count(object.begin(), object.end(), '}'));
  EXPECT_NE(object.find("\"labels\":[\"setosa\",\"versicolor\",\"virginica\"]"), std::string::npos)
      << object;
  EXPECT_NE(object.find("\"confusion_matrix\":[["), std::string::npos) << object;
  EXPECT_NE(object.find("\"macro_avg\":{"), std::string::npos) << object;
  const std::size_t at = object.find("\"accuracy\":");
  ASSERT_NE(at, std::string::npos) << object;
  const std::string number = object.substr(at + 11, object.find(',', at) - at - 11);
  EXPECT_NEAR(ParseDouble(number), accuracy, 0.5e-4) << number;
}

TEST_F(CliDataTest, NumericClassLabelsKeepTheirNumericOrder) {
  const std::string digits = (kData / "digits.csv").string();
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", digits, "--classes", "--layers", "64,10", "--scale",
                         "minmax", "--optimizer", "adam", "--lr", "0.01", "--epochs", "30",
                         "--batch", "64", "--quiet", "--save", "m.json"})));
  EXPECT_NE(Read("m.json").find("\"classes\": [\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\","
                                "\"8\",\"9\"]"),
            std::string::npos);
  const Result evaluate = Neurona({"evaluate", "--model", "m.json", "--data", digits});
  ASSERT_TRUE(Succeeded(evaluate));
  EXPECT_GE(NumberAfter(evaluate.out, "accuracy: "), 0.9) << evaluate.out;

  const Result predict = Neurona({"predict", "--model", "m.json", "--data", digits});
  ASSERT_TRUE(Succeeded(predict));
  const std::vector<std::string> labels = Lines(predict.out);
  const std::vector<std::string> truth = Column(ReadFile(digits), 64);
  ASSERT_EQ(labels.size(), 1797u);
  std::size_t right = 0;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    EXPECT_TRUE(std::regex_match(labels[i], std::regex("[0-9]"))) << labels[i];
    right += labels[i] == truth[i];
  }
  EXPECT_GE(right, 1600u);
}

// --classes on a column of measurements makes a class of each value: the count of outputs it then
// asks for comes with the way to predict the number instead. Numbered classes get no such hint.
TEST_F(CliDataTest, ClassesOfMeasuredNumbersHintAtPredictingThem) {
  std::string prices = "size,price\n";
  for (int i = 0; i < 150; ++i)
    prices += std::to_string(40 + i) + "," + std::to_string(1000 + 7 * i) + "\n";
  Write("prices.csv", prices);
  Write("halves.csv", "x,y\n1,0.5\n2,1.5\n3,0.5\n4,2\n");
  auto train = [&](const std::string& data, const std::string& layers) {
    return Neurona({"train", "--data", data, "--classes", "--layers", layers, "--epochs", "1"});
  };
  EXPECT_TRUE(FailedWith(train("prices.csv", "1,4,2"), 2,
                         {"--layers 1,4,2: 2 outputs, but prices.csv has 150 classes. HINT: its "
                          "labels are 150 numbers: to predict the number rather than classify "
                          "it, leave out --classes and give the network 1 output"}));
  EXPECT_TRUE(FailedWith(train("halves.csv", "1,1"), 2,
                         {"1 output, but halves.csv has 3 classes. HINT: its labels are 3 numbers, "
                          "not all whole: to predict the number rather than classify it, leave "
                          "out --classes"}));
  const std::string digits = (kData / "digits.csv").string();
  const Result numbered = train(digits, "64,4,9");
  EXPECT_TRUE(FailedWith(numbered, 2, {"9 outputs, but " + digits + " has 10 classes"}));
  EXPECT_EQ(numbered.err.find("HINT"), std::string::npos) << numbered.err;
  ASSERT_TRUE(Succeeded(
      Neurona({"train", "--data", "prices.csv", "--layers", "1,4,1", "--epochs", "1", "--quiet"})));
}

TEST_F(CliDataTest, TargetsByNameAndByNumberPickTheSameColumn) {
  // The iris label moved to the first column, and the majority target likewise.
  CopyData("iris.csv");
  std::string first;
  for (const std::string& line : Lines(Read("iris.csv"))) {
    const std::vector<std::string> cells = Split(line, ',');
    first += cells[4] + "," + cells[0] + "," + cells[1] + "," + cells[2] + "," + cells[3] + "\n";
  }
  Write("first.csv", first);
  for (const std::string target : {"species", "1"}) {
    ASSERT_TRUE(Succeeded(Neurona(Args({{"train", "--data", "first.csv", "--targets", target},
                                        kIrisFlags,
                                        {"--quiet", "--save", "by_" + target + ".json"}}))));
    const Result evaluate = Neurona({"evaluate", "--model", "by_" + target + ".json", "--data",
                                     "first.csv", "--targets", target});
    ASSERT_TRUE(Succeeded(evaluate));
    EXPECT_GE(NumberAfter(evaluate.out, "accuracy: "), 0.95) << evaluate.out;
  }
  EXPECT_EQ(LayersOf(Read("by_species.json")), LayersOf(Read("by_1.json")));
  // A model file without the columns it was trained on (as older ones are): without --targets the
  // last column is the target, and here it holds numbers.
  const std::string model = Read("by_1.json");
  const std::size_t from = model.find("  \"columns\":");
  ASSERT_NE(from, std::string::npos);
  Write("no_columns.json", model.substr(0, from) + model.substr(model.find('\n', from) + 1));
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "no_columns.json", "--data", "first.csv"}),
                         1, {"first.csv:2:1:", "expected a number", "\"setosa\""}));

  Fixture("majority.csv");
  std::string y_first;
  for (const std::string& line : Lines(Read("majority.csv"))) {
    const std::vector<std::string> cells = Split(line, ',');
    y_first += cells[3] + "," + cells[0] + "," + cells[1] + "," + cells[2] + "\n";
  }
  Write("y_first.csv", y_first);
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--quiet", "--save", "last.json"})));
  ASSERT_TRUE(Succeeded(
      TrainMajority("y_first.csv", {"--targets", "y", "--quiet", "--save", "by_name.json"})));
  ASSERT_TRUE(Succeeded(
      TrainMajority("y_first.csv", {"--targets", "1", "--quiet", "--save", "by_number.json"})));
  EXPECT_EQ(LayersOf(Read("by_name.json")), LayersOf(Read("last.json")));
  EXPECT_EQ(LayersOf(Read("by_number.json")), LayersOf(Read("last.json")));
  const Result predict =
      Neurona({"predict", "--model", "by_name.json", "--data", "y_first.csv", "--targets", "y"});
  ASSERT_TRUE(Succeeded(predict));
  EXPECT_EQ(predict.out,
            Neurona({"predict", "--model", "last.json", "--data", "majority.csv"}).out);
}

TEST_F(CliDataTest, AModelTakesTheColumnsItWasTrainedOn) {
  // The target first: without --targets again, evaluate and predict take the columns training
  // took, by name, rather than the target as an input and the last input as the target.
  Write("y_first.csv", "y,a,b\n0,1,2\n1,2,3\n0,1,5\n1,2,4\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "y_first.csv", "--targets", "y", "--layers",
                                 "2,1", "--epochs", "5", "--quiet", "--save", "m.json"})));
  const Result given =
      Neurona({"evaluate", "--model", "m.json", "--data", "y_first.csv", "--targets", "y"});
  ASSERT_TRUE(Succeeded(given));
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "y_first.csv"}).out, given.out);
  Write("inputs.csv", "a,b\n1,2\n2,3\n1,5\n2,4\n");
  const Result inputs = Neurona({"predict", "--model", "m.json", "--data", "inputs.csv"});
  ASSERT_TRUE(Succeeded(inputs));
  EXPECT_EQ(Neurona({"predict", "--model", "m.json", "--data", "y_first.csv"}).out, inputs.out);
  // Training on from the model reads the file alike: no epoch, the same model.
  ASSERT_TRUE(Succeeded(Neurona({"train", "--init", "m.json", "--data", "y_first.csv", "--epochs",
                                 "0", "--quiet", "--save", "again.json"})));
  EXPECT_EQ(Neurona({"evaluate", "--model", "again.json", "--data", "y_first.csv"}).out, given.out);
  // Elsewhere in another file: found by name.
  Write("y_last.csv", "a,b,y\n1,2,0\n2,3,1\n1,5,0\n2,4,1\n");
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "y_last.csv"}).out, given.out);
  // Without a header, by number, when the file has the training table's columns.
  Write("bare.csv", "0,1,2\n1,2,3\n0,1,5\n1,2,4\n");
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "bare.csv"}).out, given.out);
  EXPECT_EQ(Neurona({"predict", "--model", "m.json", "--data", "bare.csv"}).out, inputs.out);
  // Inputs named in another order, or other inputs, would be read as the wrong ones.
  Write("swapped.csv", "b,a\n2,1\n");
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "m.json", "--data", "swapped.csv"}), 1,
                         {"swapped.csv: column 1 is \"b\", but the model's input 1 is \"a\"",
                          "in their order: \"a\", \"b\""}));
  Write("other.csv", "y,a,c\n0,1,2\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "m.json", "--data", "other.csv"}), 1,
                         {"other.csv: column 3 is \"c\", but the model's input 2 is \"b\""}));
  // A column too few or too many: the count says how many, the hint which.
  Write("short.csv", "y,b\n0,2\n");
  EXPECT_TRUE(FailedWith(
      Neurona({"evaluate", "--model", "m.json", "--data", "short.csv"}), 1,
      {"short.csv:2: rows have 2 columns", "HINT: the header lacks the model's input \"a\""}));
  Write("extra.csv", "id,y,a,b\n7,0,1,2\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "m.json", "--data", "extra.csv"}), 1,
                         {"extra.csv:2: rows have 4 columns",
                          "HINT: the model was not trained on the header's column \"id\""}));
  Write("renamed.csv", "a,c\n1,2\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "m.json", "--data", "renamed.csv"}), 1,
                         {"HINT: the header lacks the model's input \"b\", and the model was not "
                          "trained on its column \"c\""}));
  // A name of a megabyte is quoted as its beginning, not in full.
  Write("long.csv", std::string(1 << 20, 'x') + ",b,y\n1,2,0\n");
  const Result long_name = Neurona({"evaluate", "--model", "m.json", "--data", "long.csv"});
  EXPECT_TRUE(FailedWith(long_name, 1, {"column 1 is \"" + std::string(40, 'x') + "...\", but"}));
  EXPECT_LT(long_name.err.size(), 1000u);
  // A model trained without a header records the columns by number alone.
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "bare.csv", "--targets", "1", "--layers", "2,1",
                                 "--epochs", "5", "--quiet", "--save", "bare.json"})));
  EXPECT_NE(Read("bare.json").find("\"columns\": {\"targets\":[1]}"), std::string::npos)
      << Read("bare.json");
  EXPECT_EQ(
      Neurona({"evaluate", "--model", "bare.json", "--data", "bare.csv"}).out,
      Neurona({"evaluate", "--model", "bare.json", "--data", "bare.csv", "--targets", "1"}).out);
}

TEST_F(CliDataTest, PredictSkipsTheTargetColumns) {
  Write("train.csv", "a,b,y\n0,1,0\n1,0,1\n1,1,1\n0,0,0\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "train.csv", "--layers", "2,1", "--epochs", "5",
                                 "--quiet", "--save", "m.json"})));
  Write("inputs.csv", "a,b\n0,1\n1,0\n");
  const Result alone = Neurona({"predict", "--model", "m.json", "--data", "inputs.csv"});
  ASSERT_TRUE(Succeeded(alone));
  // Rows whose target is not known yet: blank, NA or anything, where --drop-missing would drop
  // every row; found by name wherever the header has it.
  Write("unknown.csv", "a,b,y\n0,1,\n1,0,NA\n");
  EXPECT_EQ(Neurona({"predict", "--model", "m.json", "--data", "unknown.csv"}).out, alone.out);
  Write("first.csv", "y,a,b\n?,0,1\nlater,1,0\n");
  EXPECT_EQ(Neurona({"predict", "--model", "m.json", "--data", "first.csv"}).out, alone.out);
  // evaluate needs them.
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "m.json", "--data", "unknown.csv"}), 1,
                         {"unknown.csv:2:5: field 3: missing value"}));
  // An input's missing value is still refused, and --drop-missing drops its row alone.
  Write("input.csv", "a,b,y\n0,,1\n1,0,\n");
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "m.json", "--data", "input.csv"}), 1,
                         {"input.csv:2:3: field 2: missing value", "--drop-missing"}));
  const Result dropped =
      Neurona({"predict", "--model", "m.json", "--data", "input.csv", "--drop-missing"});
  ASSERT_TRUE(Succeeded(dropped)) << dropped.err;
  EXPECT_EQ(dropped.out, alone.out.substr(alone.out.find('\n') + 1));
  EXPECT_NE(dropped.err.find("input.csv: no prediction for line 2 "), std::string::npos)
      << dropped.err;
  // Without a header, class labels as the target, found by number: a label that is no class is
  // skipped alike, and so is the column --targets names.
  Write("labels.csv", "4,1,2,a\n1,3,4,b\n2,2,1,a\n3,4,4,b\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "labels.csv", "--classes", "--layers", "3,2",
                                 "--epochs", "5", "--quiet", "--save", "labels.json"})));
  Write("inputs3.csv", "4,1,2\n1,3,4\n");
  const Result labels = Neurona({"predict", "--model", "labels.json", "--data", "inputs3.csv"});
  ASSERT_TRUE(Succeeded(labels));
  Write("target_gap.csv", "4,1,2,\n1,3,4,c\n");
  EXPECT_EQ(Neurona({"predict", "--model", "labels.json", "--data", "target_gap.csv"}).out,
            labels.out);
  // Text in the target column of line 1 alone: a header of inputs named by numbers, or a row whose
  // target is not known? Asked, unless the column holds the model's classes, whose labels a row
  // holds.
  Write("bare.csv", "0,1,0\n1,0,1\n1,1,1\n0,0,0\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "bare.csv", "--layers", "2,1", "--epochs", "5",
                                 "--quiet", "--save", "bare.json"})));
  const Result bare = Neurona({"predict", "--model", "bare.json", "--data", "inputs.csv"});
  ASSERT_TRUE(Succeeded(bare));
  Write("named.csv", "0,1,y\n0,1,0\n1,0,1\n");
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "bare.json", "--data", "named.csv"}), 1,
                         {"named.csv:1: its only text is in a column that is skipped",
                          "HINT: --header yes reads it as the header"}));
  EXPECT_EQ(
      Neurona({"predict", "--model", "bare.json", "--data", "named.csv", "--header", "yes"}).out,
      bare.out);
  Write("unknown_rows.csv", "0,1,unknown\n1,0,unknown\n");
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "bare.json", "--data", "unknown_rows.csv"}),
                         1, {"unknown_rows.csv:1: its only text", "--header no"}));
  EXPECT_EQ(
      Neurona({"predict", "--model", "bare.json", "--data", "unknown_rows.csv", "--header", "no"})
          .out,
      bare.out);
  // --classes for a model of numbers does not make its skipped column one of classes: refused.
  EXPECT_TRUE(
      FailedWith(Neurona({"predict", "--model", "m.json", "--data", "unknown.csv", "--classes"}), 2,
                 {"--classes: m.json is a regression model"}));
  Write("first_target.csv", ",4,1,2\nc,1,3,4\n");
  EXPECT_EQ(
      Neurona({"predict", "--model", "labels.json", "--data", "first_target.csv", "--targets", "1"})
          .out,
      labels.out);
}

TEST_F(CliDataTest, AModelsColumnsAreFoundAsTheReaderReadsTheFile) {
  // Header names like numbers: a file without the header is read by number, its first row of
  // data not taken for names ("2" there is a value, not column 2).
  Write("num.csv", "a,b,2\n1,2,0.1\n2,3,0.5\n3,1,0.9\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "num.csv", "--layers", "2,2,1", "--epochs", "5",
                                 "--quiet", "--save", "num.json"})));
  Write("bare.csv", "1,2,0.1\n2,3,0.5\n3,1,0.9\n");
  const std::string given =
      Neurona({"evaluate", "--model", "num.json", "--data", "bare.csv", "--targets", "3"}).out;
  EXPECT_EQ(Neurona({"evaluate", "--model", "num.json", "--data", "bare.csv"}).out, given);
  // A byte-order mark and a blank line before the first row, as the reader skips them.
  Write("y_first.csv", "y,a,b\n0.1,1,2\n0.5,2,3\n0.9,3,1\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "y_first.csv", "--targets", "y", "--layers",
                                 "2,1", "--epochs", "5", "--quiet", "--save", "m.json"})));
  const std::string expected =
      Neurona({"evaluate", "--model", "m.json", "--data", "y_first.csv"}).out;
  Write("bom.csv", "\xEF\xBB\xBF\n0.1,1,2\n0.5,2,3\n0.9,3,1\n");
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "bom.csv"}).out, expected);
  Write("bom_header.csv", "\xEF\xBB\xBFy,a,b\n0.1,1,2\n0.5,2,3\n0.9,3,1\n");
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "bom_header.csv"}).out, expected);
  // The target renamed and last: the last column stays the target, as without a model's columns.
  Write("renamed.csv", "a,b,target\n1,2,0.1\n2,3,0.5\n3,1,0.9\n");
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "renamed.csv"}).out, expected);
  // Renamed and first: the inputs are not the model's, and the message says why.
  Write("renamed_first.csv", "target,a,b\n0.1,1,2\n");
  EXPECT_TRUE(FailedWith(
      Neurona({"evaluate", "--model", "m.json", "--data", "renamed_first.csv"}), 1,
      {"its target \"y\" is not in this header: name the target column with --targets"}));
  EXPECT_EQ(Neurona({"evaluate", "--model", "m.json", "--data", "renamed_first.csv", "--targets",
                     "target"})
                .status,
            0);
  // Input names like numbers beside a label column: the line is the header training read.
  Write("numbered.csv", "1,2,label\n0,0,n\n0,1,p\n1,0,p\n1,1,n\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "numbered.csv", "--classes", "--targets",
                                 "label", "--layers", "2,3,2", "--loss", "cross_entropy",
                                 "--epochs", "2", "--quiet", "--save", "numbered.json"})));
  EXPECT_EQ(Neurona({"evaluate", "--model", "numbered.json", "--data", "numbered.csv"}).out,
            Neurona({"evaluate", "--model", "numbered.json", "--data", "numbered.csv", "--targets",
                     "label"})
                .out);
  // A model trained without a header, on a file whose header names a column like its target's
  // number: ambiguous, so refused rather than guessed.
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "bare.csv", "--targets", "1", "--layers", "2,1",
                                 "--epochs", "2", "--quiet", "--save", "bare.json"})));
  Write("named_1.csv", "y,x,1\n1,2,0.1\n");
  EXPECT_TRUE(FailedWith(
      Neurona({"evaluate", "--model", "bare.json", "--data", "named_1.csv"}), 1,
      {"named_1.csv: its column 3 is named \"1\", and the model's target is column 1 of a file "
       "without a header; give the target column with --targets"}));
  // Named so where it is, the column is the same either way.
  Write("aligned.csv", "1,a,b\n1,2,0.1\n2,3,0.5\n3,1,0.9\n");
  EXPECT_EQ(
      Neurona({"evaluate", "--model", "bare.json", "--data", "aligned.csv"}).out,
      Neurona({"evaluate", "--model", "bare.json", "--data", "aligned.csv", "--targets", "1"}).out);
}

TEST_F(CliDataTest, AModelsClassColumnIsFoundInAFileWithoutAHeader) {
  // Text labels in the first column of a file without a header: a label there is no header.
  Write("pets.csv", "species,a,b\ncat,1,2\ndog,2,3\ncat,1,3\ndog,2,2\n");
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "pets.csv", "--classes", "--targets", "species",
                         "--layers", "2,2", "--epochs", "5", "--quiet", "--save", "pets.json"})));
  const std::string expected =
      Neurona({"evaluate", "--model", "pets.json", "--data", "pets.csv"}).out;
  ASSERT_NE(expected.find("accuracy: "), std::string::npos);
  for (const char* rows :
       {"cat,1,2\ndog,2,3\ncat,1,3\ndog,2,2\n", "dog,2,3\ncat,1,2\ncat,1,3\ndog,2,2\n"}) {
    Write("bare.csv", rows);
    const Result result = Neurona({"evaluate", "--model", "pets.json", "--data", "bare.csv"});
    ASSERT_TRUE(Succeeded(result)) << rows;
    EXPECT_EQ(result.out.substr(0, 17), expected.substr(0, 17)) << rows;
  }
  // The label column renamed: the reader's error says where the model's target was.
  Write("renamed.csv", "kind,a,b\ncat,1,2\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "pets.json", "--data", "renamed.csv"}), 1,
                         {"renamed.csv:2:1: field 1: expected a number, got \"cat\". HINT: the "
                          "model was trained with the target \"species\" (not found in this file, "
                          "so the last columns were read as targets)"}));
  // --targets naming one of the model's inputs: its label column was read as an input.
  for (const char* command : {"predict", "evaluate"})
    EXPECT_TRUE(FailedWith(
        Neurona({command, "--model", "pets.json", "--data", "pets.csv", "--targets", "a"}), 1,
        {"pets.csv:2:",
         "HINT: --targets names \"a\", one of the model's inputs; it was trained "
         "with the target \"species\""}))
        << command;
  // No such hint where no target column was read (a file of inputs alone), nor for FANN data.
  Write("inputs.csv", "1,2\n1,x\n");
  const Result inputs = Neurona({"predict", "--model", "pets.json", "--data", "inputs.csv"});
  EXPECT_TRUE(FailedWith(inputs, 1, {"inputs.csv:2:3: field 2: expected a number, got \"x\""}));
  EXPECT_EQ(inputs.err.find("HINT"), std::string::npos) << inputs.err;
  Write("bad.data", "1 2 1\n1 x\n0\n");
  const Result fann = Neurona({"evaluate", "--model", "pets.json", "--data", "bad.data"});
  EXPECT_EQ(fann.status, 1);
  EXPECT_EQ(fann.err.find("--targets"), std::string::npos) << fann.err;
  // Training on from a model of labels in a file without a header, the model's own.
  Write("pets_bare.csv", "cat,1,2\ndog,2,3\ncat,1,1\ndog,3,3\n");
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "pets_bare.csv", "--classes", "--targets", "1",
                         "--layers", "2,2", "--epochs", "2", "--quiet", "--save", "bare.json"})));
  EXPECT_TRUE(Succeeded(Neurona(
      {"train", "--init", "bare.json", "--data", "pets_bare.csv", "--epochs", "2", "--quiet"})));
  // Split by the wrong separator: one column, and the hint names the right one.
  Write("semicolons.csv", "species;a;b\ncat;1;2\n");
  EXPECT_TRUE(FailedWith(
      Neurona({"evaluate", "--model", "pets.json", "--data", "semicolons.csv", "--separator", ","}),
      1,
      {"rows have 1 column (HINT: if \";\" separates the columns, give "
       "--separator ;)"}));
  // Training on, with --classes, from a model of class numbers whose column is first: the classes
  // are counted in that column, not in the last (all 1 here).
  Write("numbers.csv", "k,a,b\n0,1,2\n1,2,3\n2,1,1\n0,1,2\n1,2,3\n2,1,1\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "numbers.csv", "--targets", "k", "--layers",
                                 "2,3", "--output", "softmax", "--loss", "cross_entropy",
                                 "--epochs", "2", "--quiet", "--save", "k.json"})));
  Write("ones_last.csv", "k,a,b\n0,1,1\n1,2,1\n2,1,1\n");
  EXPECT_TRUE(Succeeded(Neurona({"train", "--init", "k.json", "--data", "ones_last.csv",
                                 "--classes", "--epochs", "1", "--quiet"})));
}

TEST_F(CliDataTest, AHeaderOfNumberedColumnsIsNotTakenForARowOfClasses) {
  // As pandas writes a frame with numbered columns and a class column: the header's only text is
  // in the class column, where a row of data may have text too.
  Write("frame.csv", "0,1,target\n1,2,a\n2,3,b\n1,1,a\n3,3,b\n");
  auto train = [&](std::vector<std::string> flags) {
    std::vector<std::string> command{"train", "--data",  "frame.csv", "--classes", "--epochs",
                                     "1",     "--quiet", "--save",    "frame.json"};
    command.insert(command.end(), flags.begin(), flags.end());
    return Neurona(command);
  };
  EXPECT_TRUE(FailedWith(train({"--layers", "2,2"}), 1,
                         {"frame.csv:1: column 3: the class label \"target\" is on no other row",
                          "--targets target)", "--targets 3)"}));
  EXPECT_FALSE(Exists("frame.json"));
  ASSERT_TRUE(Succeeded(train({"--layers", "2,2", "--targets", "target"})));
  EXPECT_NE(Read("frame.json").find("\"classes\": [\"a\",\"b\"]"), std::string::npos);
  // Said to be data, line 1 is a row of a third class.
  ASSERT_TRUE(Succeeded(train({"--layers", "2,3", "--targets", "3"})));
  EXPECT_NE(Read("frame.json").find("\"classes\": [\"a\",\"b\",\"target\"]"), std::string::npos);
}

TEST_F(CliDataTest, AModelsColumnsAreChecked) {
  Write("xy.csv", "a,b,y\n1,2,0\n2,3,1\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "xy.csv", "--layers", "2,1", "--epochs", "1",
                                 "--quiet", "--save", "m.json"})));
  const std::string model = Read("m.json");
  const std::string columns = "\"columns\": {\"names\":[\"a\",\"b\",\"y\"],\"targets\":[3]}";
  ASSERT_NE(model.find(columns), std::string::npos) << model;
  const std::size_t at = model.find(columns);
  for (const auto& [edited, message] : std::vector<std::pair<std::string, std::string>>{
           {"\"columns\": {\"targets\":[4]}",
            "columns.targets[0]: expected a column number from 1 to 3"},
           {"\"columns\": {\"targets\":[1, 2]}", "columns.targets: expected 1 column number"},
           {"\"columns\": {\"targets\":[]}", "columns.targets: expected 1 column number"},
           {"\"columns\": {\"names\":[\"a\"],\"targets\":[3]}", "columns.names: expected 3 names"},
           {"\"columns\": {\"names\":[\"a\",\"b\",7],\"targets\":[3]}",
            "columns.names[2]: expected a string"},
           {"\"columns\": [3]", "columns: expected an object"}}) {
    Write("edited.json", model.substr(0, at) + edited + model.substr(at + columns.size()));
    EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "edited.json", "--data", "xy.csv"}), 1,
                           {message}))
        << edited;
  }
}

TEST_F(CliDataTest, OutOfRangeInputsAreNamedByTheirColumnInTheFile) {
  // The target first: the third column is the network's second input.
  Write("wide.csv", "y,a,b\n0,1,2\n1,2,3\n0,1,5\n1,2,1e39\n");
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--data", "wide.csv", "--targets", "y", "--layers", "2,1",
                          "--scale", "none", "--precision", "float", "--epochs", "1", "--quiet"}),
                 1,
                 {"wide.csv:5, column 3: the input 1e+39 is beyond float's range (3.4e38); scale "
                  "the inputs (--scale standard) or train with --precision double"}));
  // Scaled by a model's scaling already: another scaling is no remedy.
  Write("unit.csv", "a,b,y\n0,0,0\n1,1,1\n");
  ASSERT_TRUE(Succeeded(
      Neurona({"train", "--data", "unit.csv", "--layers", "2,1", "--scale", "minmax", "--precision",
               "float", "--epochs", "1", "--quiet", "--save", "unit.json"})));
  Write("far.csv", "a,b\n1,1\n1e39,1\n");
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "unit.json", "--data", "far.csv"}), 1,
                         {"far.csv:3, column 1: the input, scaled as the network takes it, 1e+39 "
                          "is beyond float's range (3.4e38); train with --precision double"}));
  Write("target.csv", "a,b,y\n1,2,0\n2,3,1\n1,5,-1e39\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "target.csv", "--layers", "2,1", "--precision",
                                  "float", "--epochs", "1", "--quiet"}),
                         1, {"target.csv:4, column 3: the target -1e+39 is beyond float's range"}));
}

TEST_F(CliDataTest, SemicolonsAndTabsAreDetectedOrGiven) {
  Fixture("majority.csv");
  const std::string comma = Read("majority.csv");
  std::string semicolon = comma, tab = comma;
  std::replace(semicolon.begin(), semicolon.end(), ',', ';');
  std::replace(tab.begin(), tab.end(), ',', '\t');
  Write("semicolon.csv", semicolon);
  Write("tab.tsv", tab);
  const std::vector<std::string> quick{"--epochs", "500", "--quiet", "--save"};
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", Args({quick, {"comma.json"}}))));
  ASSERT_TRUE(Succeeded(TrainMajority("semicolon.csv", Args({quick, {"semicolon.json"}}))));
  ASSERT_TRUE(Succeeded(TrainMajority("tab.tsv", Args({quick, {"tab.json"}}))));
  ASSERT_TRUE(Succeeded(
      TrainMajority("semicolon.csv", Args({{"--separator", ";"}, quick, {"given.json"}}))));
  ASSERT_TRUE(Succeeded(
      TrainMajority("tab.tsv", Args({{"--separator", "tab"}, quick, {"given_tab.json"}}))));
  const std::string layers = LayersOf(Read("comma.json"));
  for (const std::string name : {"semicolon.json", "tab.json", "given.json", "given_tab.json"})
    EXPECT_EQ(LayersOf(Read(name)), layers) << name;

  // Class labels through semicolons too.
  CopyData("iris.csv");
  std::string iris = Read("iris.csv");
  std::replace(iris.begin(), iris.end(), ',', ';');
  Write("iris_semicolon.csv", iris);
  ASSERT_TRUE(Succeeded(Neurona(Args({{"train", "--data", "iris_semicolon.csv"},
                                      kIrisFlags,
                                      {"--quiet", "--save", "iris.json"}}))));
  const Result evaluate =
      Neurona({"evaluate", "--model", "iris.json", "--data", "iris_semicolon.csv"});
  ASSERT_TRUE(Succeeded(evaluate));
  EXPECT_GE(NumberAfter(evaluate.out, "accuracy: "), 0.95);

  // The wrong separator given: each line is one field, and not a number.
  EXPECT_TRUE(FailedWith(TrainMajority("semicolon.csv", {"--separator", ",", "--save", "x.json"}),
                         1, {"semicolon.csv:2:1:", "expected a number", "\"1;0;0;0\""}));
  EXPECT_FALSE(Exists("x.json"));
}

TEST_F(CliDataTest, MissingValueNamesLineAndColumn) {
  Write("na.csv", "x1,x2,x3,y\n1,0,0,0\n0,NA,0,0\n0,0,1,0\n");
  EXPECT_TRUE(FailedWith(TrainMajority("na.csv", {"--save", "m.json"}), 1,
                         {"na.csv:3:3:", "missing value", "NA", "--drop-missing"}));
  Write("empty_cell.csv", "x1,x2,x3,y\n1,0,0,0\n0,1,0,0\n1,0,,1\n");
  EXPECT_TRUE(FailedWith(TrainMajority("empty_cell.csv", {"--save", "m.json"}), 1,
                         {"empty_cell.csv:4:5:", "missing value", "empty cell", "--drop-missing"}));
  // At prediction too.
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "10", "--quiet", "--save", "ok.json"})));
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "ok.json", "--data", "na.csv"}), 1,
                         {"na.csv:3:3:", "missing value"}));
  EXPECT_EQ(Files(),
            (std::set<std::string>{"na.csv", "empty_cell.csv", "majority.csv", "ok.json"}));
}

TEST_F(CliDataTest, DropMissingTrainsOnTheRestAndSaysHowMany) {
  Fixture("majority.csv");
  std::string text = Read("majority.csv");
  text += "NA,1,1,1\n1,,0,1\n";
  Write("holes.csv", text);
  const Result result = TrainMajority("holes.csv", {"--drop-missing", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_NE(result.err.find("holes.csv: 8 rows (dropped 2 rows with missing values)"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("on 8 rows"), std::string::npos) << result.err;
  // The 8 rows left are the majority table: the same model as trained on it.
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--quiet", "--save", "plain.json"})));
  EXPECT_EQ(LayersOf(Read("m.json")), LayersOf(Read("plain.json")));

  Write("all_missing.csv", "a,b,y\nNA,1,0\n1,NA,1\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "all_missing.csv", "--layers", "2,1",
                                  "--drop-missing", "--save", "none.json"}),
                         1, {"all_missing.csv", "every row", "missing"}));
  EXPECT_FALSE(Exists("none.json"));
}

TEST_F(CliDataTest, LabelThatIsNotAClassNamesFileAndLine) {
  CopyData("iris.csv");
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "iris.csv"}, kIrisFlags, {"--quiet", "--save", "m.json"}}))));
  const std::vector<std::string> lines = Lines(Read("iris.csv"));
  Write("daisy.csv", lines[0] + "\n" + lines[1] + "\n" + lines[2] + "\n5.0,3.0,1.5,0.2,daisy\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "m.json", "--data", "daisy.csv"}), 1,
                         {"daisy.csv:4:", "\"daisy\"", "not one of the 3 classes", "setosa"}));
  // predict skips the class column: a row's label there, known or not, is not its business.
  const Result daisy = Neurona({"predict", "--model", "m.json", "--data", "daisy.csv"});
  ASSERT_TRUE(Succeeded(daisy)) << daisy.err;
  EXPECT_EQ(Lines(daisy.out).size(), 3u);
  // Rows of inputs alone need no label to predict.
  Write("inputs.csv", "5.1,3.5,1.4,0.2\n6.3,3.3,6.0,2.5\n");
  const Result inputs = Neurona({"predict", "--model", "m.json", "--data", "inputs.csv"});
  ASSERT_TRUE(Succeeded(inputs));
  EXPECT_EQ(inputs.out, "setosa\nvirginica\n");
}

// ---------------------------------------------------------------------------------------------
// Scaling: fitted when training, kept in the model, applied to raw inputs by predict.

TEST_F(CliDataTest, ScalingIsStoredInTheModel) {
  CopyData("iris.csv");
  auto train = [&](const std::string& kind) {
    return Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3", "--epochs", "5",
                    "--scale", kind, "--quiet", "--save", kind + ".json"});
  };
  ASSERT_TRUE(Succeeded(train("minmax")));
  ASSERT_TRUE(Succeeded(train("standard")));
  ASSERT_TRUE(Succeeded(train("none")));
  // minmax: the offset is each column's minimum, exactly as written in the file.
  const std::string minmax = Read("minmax.json");
  EXPECT_NE(minmax.find("\"scaling\""), std::string::npos) << minmax;
  EXPECT_NE(minmax.find("\"kind\": \"minmax\""), std::string::npos) << minmax;
  EXPECT_NE(minmax.find("\"offset\": [4.3, 2.0, 1.0, 0.1]"), std::string::npos) << minmax;
  const std::string standard = Read("standard.json");
  EXPECT_NE(standard.find("\"kind\": \"standard\""), std::string::npos) << standard;
  EXPECT_NE(standard.find("\"scale\": ["), std::string::npos) << standard;
  EXPECT_EQ(Read("none.json").find("\"scaling\""), std::string::npos) << Read("none.json");
}

TEST_F(CliDataTest, PredictScalesRawInputsAsTheModelSays) {
  // y = (x1 - 10) / 4 + 10 (x2 + 1) / 0.5: standard scaling then one linear unit, all exact.
  Fixture("scaled_linear_model.json");
  Write("raw.csv", "x1,x2\n14,-1\n10,-0.5\n2,0\n30,-1.5\n");
  const Result result =
      Neurona({"predict", "--model", "scaled_linear_model.json", "--data", "raw.csv"});
  ASSERT_TRUE(Succeeded(result));
  const std::vector<std::string> lines = Lines(result.out);
  const std::vector<double> expected{1, 10, 18, -5};
  ASSERT_EQ(lines.size(), expected.size()) << result.out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(ParseDouble(lines[i]), expected[i]) << "row " << i + 1;
}

TEST_F(CliDataTest, StandardScalingMakesTheUnitsOfTheInputsIrrelevant) {
  // The same flowers measured in thousandths: with --scale standard, training and prediction on
  // raw values see the same scaled inputs, so the two models agree to rounding.
  CopyData("iris.csv");
  std::string big;
  const std::vector<std::string> lines = Lines(Read("iris.csv"));
  big += lines[0] + "\n";
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::vector<std::string> cells = Split(lines[i], ',');
    for (std::size_t j = 0; j < 4; ++j) {
      char number[32];
      std::snprintf(number, sizeof number, "%.17g", ParseDouble(cells[j]) * 1000);
      big += std::string(number) + ",";
    }
    big += cells[4] + "\n";
  }
  Write("big.csv", big);
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "iris.csv"}, kIrisFlags, {"--quiet", "--save", "a.json"}}))));
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "big.csv"}, kIrisFlags, {"--quiet", "--save", "b.json"}}))));
  const Result a = Neurona({"predict", "--model", "a.json", "--data", "iris.csv"});
  const Result b = Neurona({"predict", "--model", "b.json", "--data", "big.csv"});
  ASSERT_TRUE(Succeeded(a));
  ASSERT_TRUE(Succeeded(b));
  EXPECT_EQ(a.out, b.out);
  const Result pa = Neurona({"predict", "--model", "a.json", "--data", "iris.csv", "--outputs"});
  const Result pb = Neurona({"predict", "--model", "b.json", "--data", "big.csv", "--outputs"});
  const std::vector<std::string> rows_a = Lines(pa.out), rows_b = Lines(pb.out);
  ASSERT_EQ(rows_a.size(), 150u);
  ASSERT_EQ(rows_b.size(), 150u);
  for (std::size_t i = 0; i < rows_a.size(); ++i) {
    const std::vector<std::string> x = Split(rows_a[i], ','), y = Split(rows_b[i], ',');
    ASSERT_EQ(x.size(), y.size());
    for (std::size_t j = 0; j < x.size(); ++j)
      EXPECT_NEAR(ParseDouble(x[j]), ParseDouble(y[j]), 1e-9) << "row " << i + 1;
  }
  const Result evaluate = Neurona({"evaluate", "--model", "b.json", "--data", "big.csv"});
  ASSERT_TRUE(Succeeded(evaluate));
  EXPECT_GE(NumberAfter(evaluate.out, "accuracy: "), 0.95) << evaluate.out;
}

TEST_F(CliDataTest, UnknownScaleIsAUsageError) {
  Fixture("majority.csv");
  const Result result = TrainMajority("majority.csv", {"--scale", "bogus", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 2, {"--scale", "\"bogus\"", "standard, minmax or none"}));
  EXPECT_EQ(result.err.find("--scale"), result.err.rfind("--scale"))
      << "named once: " << result.err;
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

TEST_F(CliDataTest, InitKeepsTheModelsScaling) {
  CopyData("iris.csv");
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3", "--scale",
                         "standard", "--epochs", "5", "--quiet", "--save", "first.json"})));
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--init", "first.json",
                                 "--epochs", "5", "--quiet", "--save", "again.json"})));
  auto scaling = [](const std::string& model) {
    const std::size_t at = model.find("\"scaling\"");
    return at == std::string::npos ? "" : model.substr(at, model.find('}', at) - at);
  };
  EXPECT_NE(scaling(Read("first.json")), "");
  EXPECT_EQ(scaling(Read("again.json")), scaling(Read("first.json")));
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "iris.csv", "--classes", "--init",
                                  "first.json", "--scale", "minmax", "--save", "m.json"}),
                         2, {"--scale minmax", "contradicts first.json", "standard"}));
  EXPECT_FALSE(Exists("m.json"));
  // A model without scaling learnt its weights on raw inputs: a scaling fitted now would change
  // every prediction it makes.
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3",
                                 "--epochs", "5", "--quiet", "--save", "raw.json"})));
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "iris.csv", "--classes", "--init", "raw.json",
                                  "--scale", "standard", "--save", "m.json"}),
                         2, {"--scale standard contradicts raw.json, whose model has no scaling"}));
  EXPECT_FALSE(Exists("m.json"));
  EXPECT_TRUE(
      Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--init", "raw.json",
                         "--scale", "none", "--epochs", "1", "--quiet", "--save", "m.json"})));
}

TEST_F(CliDataTest, ModelWithBadScalingOrClassesIsAnError) {
  CopyData("iris.csv");
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3", "--scale",
                         "standard", "--epochs", "5", "--quiet", "--save", "m.json"})));
  const std::string model = Read("m.json");
  // The model with the first occurrence of `from` replaced by `to`.
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string text = model;
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return at == std::string::npos ? text : text.replace(at, from.size(), to);
  };
  // The first number of the offset and of the scale.
  const std::size_t offset = model.find("\"offset\": [") + 11;
  const std::size_t scale = model.find("\"scale\": [") + 10;
  const std::string first_offset = model.substr(offset, model.find(',', offset) + 2 - offset);
  const std::string first_scale = model.substr(scale, model.find(',', scale) - scale);
  const std::vector<std::pair<std::string, std::vector<std::string_view>>> cases{
      {edited("\"kind\": \"standard\"", "\"kind\": \"bogus\""),
       {"bad.json", "scaling.kind", "\"bogus\""}},
      {edited("\"scale\": [" + first_scale, "\"scale\": [0"),
       {"bad.json", "scaling.scale", "above 0"}},
      {edited("\"offset\": [" + first_offset, "\"offset\": ["),
       {"bad.json", "scaling.offset", "expected 4 numbers, got 3"}},
      {edited("\"setosa\",", ""), {"bad.json", "classes", "expected 3 labels", "got 2"}},
  };
  for (const auto& [text, parts] : cases) {
    Write("bad.json", text);
    EXPECT_TRUE(
        FailedWith(Neurona({"predict", "--model", "bad.json", "--data", "iris.csv"}), 1, parts))
        << parts[1];
  }
  EXPECT_EQ(Files(), (std::set<std::string>{"iris.csv", "m.json", "bad.json"}));
}

// House prices in the hundreds of thousands: trained on them as they are, the network's outputs
// start near 0 and the loss is in the 10^10s; with --scale-targets it learns the scaled prices,
// and predict, evaluate and the test metrics give them back in the data's own units.
TEST_F(CliDataTest, ScaledTargetsAreLearntAndPredictedInTheirOwnUnits) {
  std::string houses = "size,rooms,price\n";
  for (int i = 0; i < 200; ++i) {
    const double size = 40 + (i * 37) % 160, rooms = 1 + (i * 13) % 6;
    const double noise = double((i * 7919) % 2001 - 1000) * 10;
    houses += std::to_string(int(size)) + "," + std::to_string(int(rooms)) + "," +
              std::to_string(int(1500 * size + 20000 * rooms + noise)) + "\n";
  }
  Write("houses.csv", houses);
  auto train = [&](const std::string& scaling, const std::string& save) {
    return Neurona({"train",        "--data",      "houses.csv", "--layers", "2,8,1",
                    "--activation", "tanh",        "--scale",    "standard", "--scale-targets",
                    scaling,        "--optimizer", "adam",       "--lr",     "0.01",
                    "--epochs",     "500",         "--test",     "0.2",      "--quiet",
                    "--save",       save});
  };
  const Result raw = train("none", "raw.json");
  const Result scaled = train("standard", "scaled.json");
  ASSERT_TRUE(Succeeded(raw));
  ASSERT_TRUE(Succeeded(scaled));
  EXPECT_LT(NumberAfter(raw.out, "r2: "), 0) << raw.out;
  EXPECT_GT(NumberAfter(scaled.out, "r2: "), 0.9) << scaled.out;
  EXPECT_LT(NumberAfter(scaled.out, "mae: "), 20000) << scaled.out;  // in the prices' units
  const std::string model = Read("scaled.json");
  EXPECT_NE(model.find("\"target_scaling\": {\n    \"kind\": \"standard\""), std::string::npos);
  EXPECT_EQ(Read("raw.json").find("target_scaling"), std::string::npos);

  // predict prints prices; evaluate scores them against the file's.
  const Result predicted = Neurona({"predict", "--model", "scaled.json", "--data", "houses.csv"});
  ASSERT_TRUE(Succeeded(predicted));
  const std::vector<std::string> lines = Lines(predicted.out), rows = Lines(houses);
  ASSERT_EQ(lines.size(), 200u);
  for (std::size_t i = 0; i < lines.size(); i += 37) {
    const double price = ParseDouble(Split(rows[i + 1], ',')[2]);
    EXPECT_NEAR(ParseDouble(lines[i]), price, 40000) << "row " << i + 1;  // prices: 80k to 420k
  }
  const Result evaluated = Neurona({"evaluate", "--model", "scaled.json", "--data", "houses.csv"});
  ASSERT_TRUE(Succeeded(evaluated));
  EXPECT_GT(NumberAfter(evaluated.out, "r2: "), 0.9) << evaluated.out;
  EXPECT_GT(NumberAfter(evaluated.out, "mae: "), 1000) << evaluated.out;  // not scaled units

  ASSERT_TRUE(Succeeded(
      Neurona({"report", "--model", "scaled.json", "--data", "houses.csv", "--out", "r.html"})));
  const std::string page = Read("r.html");
  EXPECT_NE(page.find("target scaling</th><td>standard"), std::string::npos);
  EXPECT_EQ(NumberAfter(page, "r2: "), NumberAfter(evaluated.out, "r2: "));
  // The gradients checked and the step explained are of the loss it was trained on.
  const Result checked = Neurona({"gradcheck", "--model", "scaled.json", "--data", "houses.csv"});
  EXPECT_TRUE(Succeeded(checked)) << checked.out << checked.err;
  const Result explained = Neurona({"explain", "--model", "scaled.json", "--data", "houses.csv"});
  ASSERT_TRUE(Succeeded(explained));
  EXPECT_NE(explained.out.find("Y after the model's standard target scaling"), std::string::npos);

  // Going on from the model keeps its scaling; a flag that contradicts it is refused.
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "houses.csv", "--init", "scaled.json",
                                 "--epochs", "2", "--quiet", "--save", "again.json"})));
  EXPECT_NE(Read("again.json").find("\"target_scaling\""), std::string::npos);
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "houses.csv", "--init", "raw.json",
                                  "--scale-targets", "minmax", "--save", "m.json"}),
                         2,
                         {"--scale-targets minmax contradicts raw.json, whose model has no target "
                          "scaling: its outputs were learnt in the targets' units"}));
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "houses.csv", "--layers", "2,1",
                                  "--scale-targets", "mean", "--save", "m.json"}),
                         2, {"--scale-targets: expected standard, minmax or none, got \"mean\""}));
  CopyData("iris.csv");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3",
                                  "--scale-targets", "standard", "--save", "m.json"}),
                         2,
                         {"--scale-targets standard: the targets of a cross_entropy network are "
                          "classes"}));
  EXPECT_FALSE(Exists("m.json"));
}

// An --resume of a run on scaled targets ends as the run that was not stopped.
TEST_F(CliDataTest, AResumedRunOnScaledTargetsEndsWithTheSameBits) {
  std::string table = "x,y\n";
  for (int i = 0; i < 40; ++i)
    table +=
        std::to_string(i) + "," + std::to_string(1000000 + 50000 * i + (i * 31) % 7 * 1000) + "\n";
  Write("t.csv", table);
  auto run = [&](const std::string& epochs, const std::string& save,
                 std::vector<std::string> more) {
    return Neurona(Args({{"train",  "--data",       "t.csv",  "--layers",
                          "1,4,1",  "--scale",      "minmax", "--scale-targets",
                          "minmax", "--optimizer",  "adam",   "--lr",
                          "0.01",   "--validation", "0.25",   "--epochs",
                          epochs,   "--quiet",      "--save", save},
                         more}));
  };
  ASSERT_TRUE(Succeeded(run("30", "whole.json", {})));
  ASSERT_TRUE(Succeeded(run("10", "part.json", {"--checkpoint-every", "5"})));
  ASSERT_TRUE(Succeeded(run("30", "part.json", {"--checkpoint-every", "5", "--resume"})));
  EXPECT_EQ(LayersOf(Read("part.json")), LayersOf(Read("whole.json")));
  auto target_scaling = [](const std::string& model) {
    const std::size_t at = model.find("\"target_scaling\"");
    return at == std::string::npos ? "" : model.substr(at, model.find('}', at) - at);
  };
  EXPECT_NE(target_scaling(Read("whole.json")), "");
  EXPECT_EQ(target_scaling(Read("part.json")), target_scaling(Read("whole.json")));
}

// ---------------------------------------------------------------------------------------------
// IDX image sets and FANN .data files.

TEST_F(CliDataTest, FashionMnistTrainsAndEvaluates) {
  ASSERT_TRUE(Succeeded(Neurona(
      {"train",   "--data",        kImages,        "--labels", kLabels,   "--layers", "784,32,10",
       "--loss",  "cross_entropy", "--activation", "relu",     "--scale", "minmax",   "--optimizer",
       "adam",    "--lr",          "0.01",         "--epochs", "5",       "--batch",  "50",
       "--quiet", "--save",        "m.json"})));
  EXPECT_NE(Read("m.json").find("\"classes\": [\"0\",\"1\",\"2\",\"3\",\"4\",\"5\",\"6\",\"7\","
                                "\"8\",\"9\"]"),
            std::string::npos);
  const Result evaluate =
      Neurona({"evaluate", "--model", "m.json", "--data", kImages, "--labels", kLabels});
  ASSERT_TRUE(Succeeded(evaluate));
  EXPECT_GE(NumberAfter(evaluate.out, "accuracy: "), 0.6) << evaluate.out;
  EXPECT_NE(evaluate.out.find("confusion matrix"), std::string::npos);
  // Predicting needs no labels: one class number per image.
  const Result predict = Neurona({"predict", "--model", "m.json", "--data", kImages});
  ASSERT_TRUE(Succeeded(predict));
  const std::vector<std::string> lines = Lines(predict.out);
  ASSERT_EQ(lines.size(), 1000u);
  for (const std::string& line : lines)
    ASSERT_TRUE(std::regex_match(line, std::regex("[0-9]"))) << line;
}

TEST_F(CliDataTest, IdxImagesWithoutLabelsIsAnError) {
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", kImages, "--layers", "784,10", "--loss",
                                  "cross_entropy", "--save", "m.json"}),
                         2, {"IDX images file", "--labels"}));
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", kImages, "--classes", "--layers", "784,10", "--save", "m.json"}),
      2, {"--classes", "--labels"}));
  EXPECT_EQ(Files(), std::set<std::string>{});
}

TEST_F(CliDataTest, TinyIdxPairTrains) {
  Write("tiny-images-idx3-ubyte", kTinyImages);
  Write("tiny-labels-idx1-ubyte", kTinyLabels);
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "tiny-images-idx3-ubyte", "--labels",
                         "tiny-labels-idx1-ubyte", "--layers", "4,2", "--loss", "cross_entropy",
                         "--scale", "minmax", "--epochs", "50", "--quiet", "--save", "m.json"})));
  const Result predict =
      Neurona({"predict", "--model", "m.json", "--data", "tiny-images-idx3-ubyte"});
  ASSERT_TRUE(Succeeded(predict));
  EXPECT_EQ(predict.out, "0\n1\n");

  // Two classes on one sigmoid output, as a CSV label column gives them.
  ASSERT_TRUE(Succeeded(
      Neurona({"train", "--data", "tiny-images-idx3-ubyte", "--labels", "tiny-labels-idx1-ubyte",
               "--layers", "4,1", "--loss", "binary_cross_entropy", "--scale", "minmax", "--lr",
               "2", "--epochs", "200", "--quiet", "--save", "b.json"})));
  const Result evaluate = Neurona({"evaluate", "--model", "b.json", "--data",
                                   "tiny-images-idx3-ubyte", "--labels", "tiny-labels-idx1-ubyte"});
  ASSERT_TRUE(Succeeded(evaluate));
  EXPECT_EQ(Lines(evaluate.out)[0], "accuracy: 1.0000");
  // Labels of other classes than the model's outputs: named, not a shape error from inside.
  Write("3.json", R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 4,
    "loss": "half_squared_error", "layers": [{"units": 3, "activation": "linear",
    "W": [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], "b": [0, 0, 0]}]})");
  EXPECT_TRUE(
      FailedWith(Neurona({"evaluate", "--model", "3.json", "--data", "tiny-images-idx3-ubyte",
                          "--labels", "tiny-labels-idx1-ubyte"}),
                 1, {"tiny-labels-idx1-ubyte: labels of 2 classes; the network has 3 outputs"}));
}

TEST_F(CliDataTest, ThreadCountsGiveTheSameModelBytes) {
  // 784 x 128 on batches of 64 is large enough for the products to be cut into tiles and shared.
  std::string models[3];
  const char* counts[3] = {"1", "2", "0"};
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(
        Succeeded(Neurona({"train",         "--data",      kImages,        "--labels", kLabels,
                           "--layers",      "784,128,10",  "--activation", "relu",     "--loss",
                           "cross_entropy", "--precision", "float",        "--lr",     "0.01",
                           "--batch",       "64",          "--epochs",     "2",        "--scale",
                           "minmax",        "--threads",   counts[i],      "--quiet",  "--save",
                           "m.json"})));
    models[i] = Read("m.json");
  }
  EXPECT_EQ(models[0], models[1]);
  EXPECT_EQ(models[0], models[2]);
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", kImages, "--labels", kLabels, "--layers",
                                  "784,10", "--threads", "-1", "--save", "m2.json"}),
                         2, {"--threads"}));
  for (const char* count : {"2147483648", "0x10"})
    EXPECT_TRUE(FailedWith(Neurona({"train", "--data", kImages, "--labels", kLabels, "--layers",
                                    "784,10", "--threads", count}),
                           2, {"--threads", "from 0 to 2147483647", count}));
}

// CLI11 converts whole numbers with base 0: "010" would be octal 8, "09" an error of its own.
TEST_F(CliDataTest, WholeNumbersWithALeadingZeroAreDecimal) {
  Write("xor.csv", "a,b,y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  for (const char* epochs : {"010", "09"}) {
    const Result result = Neurona({"train", "--data", "xor.csv", "--layers", "2,2,1", "--epochs",
                                   epochs, "--json", "--quiet"});
    ASSERT_TRUE(Succeeded(result));
    EXPECT_NE(result.out.find(std::string("{\"epoch\":") + std::to_string(std::stoi(epochs)) + ","),
              std::string::npos)
        << result.out;
    EXPECT_EQ(
        result.out.find(std::string("{\"epoch\":") + std::to_string(std::stoi(epochs) + 1) + ","),
        std::string::npos)
        << result.out;
  }
}

TEST_F(CliDataTest, IdxLabelsAreClassNumbersEvenWhenSomeAreAbsent) {
  // Labels 1 and 2 only: classes 0, 1 and 2, as read_idx_pair's one-hot columns are the labels.
  Write("tiny-images-idx3-ubyte", kTinyImages);
  Write("labels-1-2", Bytes({0, 0, 8, 1, 0, 0, 0, 2, 1, 2}));
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "tiny-images-idx3-ubyte", "--labels", "labels-1-2",
                         "--layers", "4,3", "--loss", "cross_entropy", "--scale", "minmax",
                         "--epochs", "100", "--quiet", "--save", "m.json"})));
  EXPECT_NE(Read("m.json").find("\"classes\": [\"0\",\"1\",\"2\"]"), std::string::npos);
  const Result predict =
      Neurona({"predict", "--model", "m.json", "--data", "tiny-images-idx3-ubyte"});
  ASSERT_TRUE(Succeeded(predict));
  EXPECT_EQ(predict.out, "1\n2\n");
}

TEST_F(CliDataTest, BadIdxFilesNameTheByteOffset) {
  Write("images", kTinyImages);
  Write("labels", kTinyLabels);
  struct Case {
    std::string images, labels, bytes;
    std::vector<std::string_view> parts;
  };
  const std::vector<Case> cases{
      // 5 of the 8 pixels: the 6th would be at byte 21.
      {"cut-images",
       "labels",
       kTinyImages.substr(0, 21),
       {"cut-images: byte 21:", "ends after 5 of the 8 values"}},
      {"short-header",
       "labels",
       kTinyImages.substr(0, 10),
       {"short-header: byte 10:", "IDX header"}},
      {"bad-magic",
       "labels",
       Bytes({0, 0, 7, 3, 0, 0, 0, 2}),
       {"bad-magic: byte 0:", "magic number", "0x00000703"}},
      {"long-images", "labels", kTinyImages + Bytes({9}), {"long-images: byte 24:", "more bytes"}},
      {"images",
       "cut-labels",
       kTinyLabels.substr(0, 9),
       {"cut-labels: byte 9:", "ends after 1 of the 2 values"}},
      {"images",
       "three-labels",
       Bytes({0, 0, 8, 1, 0, 0, 0, 3, 0, 1, 1}),
       {"three-labels", "3 labels for the 2 images"}},
  };
  for (const Case& c : cases) {
    Write(c.images == "images" ? c.labels : c.images, c.bytes);
    const Result result = Neurona({"train", "--data", c.images, "--labels", c.labels, "--layers",
                                   "4,2", "--loss", "cross_entropy", "--save", "m.json"});
    EXPECT_TRUE(FailedWith(result, 1, c.parts));
    EXPECT_FALSE(Exists("m.json")) << c.parts[0];
  }

  // A gzip stream cut short.
  Write("cut.gz", Bytes({0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0x63, 0x60}));
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "cut.gz", "--labels", "labels", "--layers",
                                  "4,2", "--loss", "cross_entropy", "--save", "m.json"}),
                         1, {"cut.gz", "gzip", "truncated"}));
  EXPECT_FALSE(Exists("m.json"));
}

// The labels are read as labels, and the images' header as images, before their classes are
// counted against --layers; a count that does not fit names the labels file.
TEST_F(CliDataTest, IdxLabelsAreCheckedBeforeTheirClassesMeetTheLayers) {
  // 6 images of 1 x 2 pixels; labels of classes 0 to 2, and the same with a 250 at byte 13.
  Write("images", Bytes({0, 0, 8, 3, 0, 0, 0, 6, 0, 0,  0,  1, 0, 0, 0, 2,  // header
                         1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12}));
  Write("labels", Bytes({0, 0, 8, 1, 0, 0, 0, 6, 0, 1, 2, 0, 1, 2}));
  Write("range", Bytes({0, 0, 8, 1, 0, 0, 0, 6, 0, 1, 2, 0, 1, 250}));
  Write("five", Bytes({0, 0, 8, 1, 0, 0, 0, 5, 0, 1, 2, 0, 1}));
  // The gzip of "a,b,y\n1,2,3\n".
  Write("gz.csv.gz", Bytes({31, 139, 8,  0,   0,  0,   0, 0, 0,   3,   75,  212, 73, 210, 169, 228,
                            50, 212, 49, 210, 49, 230, 2, 0, 154, 158, 192, 86,  12, 0,   0,   0}));
  auto train = [&](const std::string& data, const std::string& labels, const std::string& layers) {
    return Neurona({"train", "--data", data, "--labels", labels, "--layers", layers, "--epochs",
                    "1", "--save", "m.json"});
  };
  // Images given as labels, whether or not their pixel values happen to count 3 classes.
  for (const char* layers : {"2,4,3", "2,4,13"})
    EXPECT_TRUE(FailedWith(train("images", "images", layers), 1,
                           {"images: byte 0: expected a labels file, one dimension",
                            "got 3 dimensions of unsigned bytes"}))
        << layers;
  EXPECT_TRUE(FailedWith(train("images", "five", "2,4,7"), 1,
                         {"five: 5 labels for the 6 images of images"}));
  EXPECT_TRUE(FailedWith(train("gz.csv.gz", "labels", "2,3,1"), 1,
                         {"gz.csv.gz: gzip-compressed", "not the IDX magic number"}));
  // A label beyond the outputs: at its byte, as evaluate names it.
  EXPECT_TRUE(FailedWith(
      train("images", "range", "2,4,3"), 2,
      {"range: byte 13: label 250 of image 6 is not a class from 0 to 2; --layers 2,4,3 has 3 "
       "outputs"}));
  EXPECT_TRUE(FailedWith(train("images", "labels", "2,1"), 2,
                         {"labels: byte 10: label 2 of image 3 is not a class from 0 to 1; "
                          "--layers 2,1 has 1 output"}));
  // Fewer classes than outputs.
  EXPECT_TRUE(FailedWith(train("images", "labels", "2,4,5"), 2,
                         {"--layers 2,4,5: 5 outputs, but labels has 3 classes"}));
  EXPECT_FALSE(Exists("m.json"));
  ASSERT_TRUE(Succeeded(train("images", "labels", "2,4,3")));
}

// gzip is read for IDX alone: a gzip'd CSV file is named as such by every command, not taken for
// IDX images that lack their labels.
TEST_F(CliDataTest, GzipCsvIsRefusedAsNotIdxByEveryCommand) {
  Write("gz.csv.gz", Bytes({31, 139, 8,  0,   0,  0,   0, 0, 0,   3,   75,  212, 73, 210, 169, 228,
                            50, 212, 49, 210, 49, 230, 2, 0, 154, 158, 192, 86,  12, 0,   0,   0}));
  const std::vector<std::string_view> parts{
      "gz.csv.gz: gzip-compressed, and its data starts with 0x612C622C, not the IDX magic number",
      "gzip is read for IDX image sets only. HINT: decompress a CSV file first"};
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "gz.csv.gz", "--layers", "2,1", "--save", "m.json"}), 1, parts));
  EXPECT_FALSE(Exists("m.json"));
  Write("plain.csv", "a,b,y\n1,2,3\n2,3,5\n");
  ASSERT_TRUE(Succeeded(Neurona(
      {"train", "--data", "plain.csv", "--layers", "2,1", "--epochs", "1", "--save", "m.json"})));
  for (const char* command : {"predict", "evaluate"})
    EXPECT_TRUE(
        FailedWith(Neurona({command, "--model", "m.json", "--data", "gz.csv.gz"}), 1, parts))
        << command;
}

TEST_F(CliDataTest, FannXorTrains) {
  Write("xor.data", kXorFann);
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "xor.data", "--layers", "2,4,1", "--activation",
                                 "tanh", "--optimizer", "adam", "--lr", "0.05", "--epochs", "500",
                                 "--quiet", "--save", "m.json"})));
  const Result predict = Neurona({"predict", "--model", "m.json", "--data", "xor.data"});
  ASSERT_TRUE(Succeeded(predict));
  const std::vector<std::string> lines = Lines(predict.out);
  const std::vector<double> xor_targets{0, 1, 1, 0};
  ASSERT_EQ(lines.size(), xor_targets.size()) << predict.out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_NEAR(ParseDouble(lines[i]), xor_targets[i], 0.1) << "pair " << i + 1;
}

// A stream that never ends is read until memory runs out; that, and a model file read whole, must
// be errors naming the file, not "out of memory" alone (or a text cut where it stopped).
// An endless stream of text (a FIFO whose writer never stops) as data or as a model: read until
// memory runs out, then named. (A stream of binary bytes stops at its first zero byte instead:
// BinaryStreamsAreRefusedAtTheirFirstZeroByte.)
TEST_F(CliDataTest, InputTooLargeForMemoryIsAnErrorNamingIt) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "1", "--save", "m.json"})));
  const std::string fifo = Path("endless").string();
  ASSERT_EQ(mkfifo(fifo.c_str(), 0600), 0);
  signal(SIGPIPE, SIG_IGN);  // the writer below learns of its reader's exit by EPIPE
  // Writes `line` into the FIFO until its reader is gone.
  auto run_with_endless = [&](const std::vector<std::string>& args, const std::string& line) {
    std::atomic<bool> done{false};
    std::thread writer([&] {
      int fd = -1;
      while (fd < 0 && !done.load()) {  // no reader yet: ENXIO
        fd = open(fifo.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
        if (fd < 0) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      if (fd < 0) return;
      fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
      std::string text;
      while (text.size() < (1 << 16))
        text += line;
      while (write(fd, text.data(), text.size()) > 0) {
      }
      close(fd);
    });
    const Result result = NeuronaWithin(args, rlim_t(512) << 20);
    done.store(true);
    writer.join();
    return result;
  };
  EXPECT_TRUE(
      FailedWith(run_with_endless({"predict", "--model", "m.json", "--data", "endless"}, "1,0,1\n"),
                 1, {"error: endless: too large to hold in this process's memory"}));
  EXPECT_TRUE(
      FailedWith(run_with_endless({"evaluate", "--model", "endless", "--data", "majority.csv"},
                                  "{\"layers\": [\n"),
                 1, {"error: endless: too large to hold in this process's memory"}));
}

// A file of a few hundred kilobytes whose 30,000 rows each have a class of their own is 7 GB of
// one-hot targets: past the memory this process may take, an error of that file and that flag.
TEST_F(CliDataTest, RowsTooLargeForMemoryOnceReadAreAnErrorNamingTheFile) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  std::string csv = "x,label\n";
  for (int i = 0; i < 30000; ++i)
    csv += std::to_string(i) + ",c" + std::to_string(i) + "\n";
  Write("labels.csv", csv);
  const rlim_t limit = rlim_t(1) << 30;
  const std::vector<std::string> train{"train",    "--data",    "labels.csv", "--classes",
                                       "--layers", "1,4,30000", "--epochs",   "1"};
  EXPECT_TRUE(FailedWith(
      NeuronaWithin(train, limit), 1,
      {"error: labels.csv: its rows take more than this process's memory once read as numbers "
       "(with --classes, each row's label becomes one number per class)"}));
  // The same rows in two classes fit under the same limit: the 30,000 classes were refused.
  csv = "x,label\n";
  for (int i = 0; i < 30000; ++i)
    csv += std::to_string(i) + ",c" + std::to_string(i % 2) + "\n";
  Write("two.csv", csv);
  EXPECT_TRUE(Succeeded(NeuronaWithin(
      {"train", "--data", "two.csv", "--classes", "--layers", "1,4,2", "--epochs", "1"}, limit)));
}

// Under a limit on its address space (ulimit -v), a run that cannot fit is refused before its
// weights are drawn, naming the limit; one estimated to fit that still runs out (the program and
// its libraries share the limit) says where it stopped and what it kept, and writes no result.
TEST_F(CliDataTest, RunningOutOfMemoryUnderALimitSaysWhereAndWhatIsKept) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  Write("tiny.csv", "x,y\n0,0\n1,1\n2,0\n3,1\n");
  const rlim_t limit = rlim_t(1) << 30;
  auto train = [&](const std::string& units, std::vector<std::string> more) {
    std::vector<std::string> args{
        "train",   "--data", "tiny.csv",    "--layers", "1," + units + ",1", "--epochs", "3",
        "--batch", "1",      "--optimizer", "adam",     "--quiet",           "--save",   "m.json"};
    args.insert(args.end(), more.begin(), more.end());
    return NeuronaWithin(args, limit);
  };
  // One row through 20 million units is more than the limit; 8 million units fit a row, but not
  // with Adam's state and the model file's text.
  EXPECT_TRUE(FailedWith(train("20000000", {}), 2,
                         {"error: --layers 1,20000000,1 (--batch 1): 1 row at once needs 1.34 GiB",
                          "more than this process's address-space limit (ulimit -v) of 1.00 GiB"}));
  EXPECT_TRUE(FailedWith(train("8000000", {}), 2,
                         {"error: --layers 1,8000000,1: this run needs about 1.",
                          "more than this process's address-space limit (ulimit -v) of 1.00 GiB"}));
  // 14 million parameters: the model file's text, after training, no longer fits.
  EXPECT_TRUE(FailedWith(
      train("4700000", {}), 1,
      {"error: out of memory after 3 epochs, testing or writing the results: this process's "
       "address-space limit (ulimit -v) of 1.00 GiB holds the program and its libraries as well "
       "as the run's values; nothing was written (--checkpoint-every N keeps the epochs done)"}));
  // A checkpoint (the weights, Adam's state and their text) no longer fits.
  EXPECT_TRUE(FailedWith(train("1500000", {"--checkpoint-every", "1"}), 1,
                         {"error: out of memory writing the checkpoint of epoch 1: ",
                          "; nothing was written (no checkpoint yet)"}));
  EXPECT_FALSE(Exists("m.json"));
  EXPECT_FALSE(Exists("m.json.checkpoint"));
  // Without the limit the same run trains and saves.
  EXPECT_TRUE(Succeeded(Neurona({"train", "--data", "tiny.csv", "--layers", "1,1500000,1",
                                 "--epochs", "1", "--batch", "1", "--quiet", "--save", "m.json"})));
}

// Past the checks made before allocating, running out of memory still names the limit met, and
// prints nothing: here predict's 100,000 rows of 100 probabilities, about 200 MB of text.
TEST_F(CliDataTest, OutOfMemoryPastTheChecksNamesTheLimit) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  std::string labels = "x,label\n", rows = "x\n";
  for (int i = 0; i < 200; ++i)
    labels += std::to_string(i) + ",c" + std::to_string(i % 100) + "\n";
  for (int i = 0; i < 100000; ++i)
    rows += std::to_string(i % 1000) + "\n";
  Write("labels.csv", labels);
  Write("rows.csv", rows);
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "labels.csv", "--classes", "--layers",
                                 "1,1,100", "--epochs", "1", "--quiet", "--save", "m.json"})));
  const std::vector<std::string> predict{"predict",   "--model", "m.json",
                                         "--outputs", "--data",  "rows.csv"};
  const Result limited = NeuronaWithin(predict, rlim_t(256) << 20);
  EXPECT_TRUE(FailedWith(limited, 1,
                         {"error: out of memory: this command needs more than this process's "
                          "address-space limit (ulimit -v) of 0.25 GiB"}));
  EXPECT_EQ(limited.out, "");
  EXPECT_TRUE(Succeeded(Neurona(predict)));
}

// A model file whose parsed values would not fit is refused before parsing: the parser, out of
// memory, ended the process (its destructor allocates). Here 23 MB of text, 1.2 million values.
TEST_F(CliDataTest, AModelTooLargeToReadWithinTheLimitIsRefusedBeforeParsing) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  Write("tiny.csv", "x,y\n0,0\n1,1\n2,0\n3,1\n");
  Write("rows.csv", "x\n1\n2\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "tiny.csv", "--layers", "1,300000,1",
                                 "--epochs", "1", "--quiet", "--save", "m.json"})));
  const std::vector<std::string> predict{"predict", "--model", "m.json", "--data", "rows.csv"};
  EXPECT_TRUE(FailedWith(NeuronaWithin(predict, rlim_t(64) << 20), 1,
                         {"error: m.json: too large to read within this process's address-space "
                          "limit (ulimit -v) of 0.06 GiB: its 1200030 values need about 0.07 GiB "
                          "once parsed, besides the "}));
  EXPECT_TRUE(Succeeded(NeuronaWithin(predict, rlim_t(256) << 20)));
}

// OpenBLAS 0.3.21, under an address-space limit its 128 MiB work buffers do not fit, tried the
// mapping again forever: predict hung. Its AVX2 kernel is forced here, as on a CPU it knows.
TEST_F(CliDataTest, LargeProductsUnderATightAddressSpaceLimitFinish) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  if (!__builtin_cpu_supports("avx2")) GTEST_SKIP() << "OpenBLAS's Haswell kernel needs AVX2";
  std::string header = "x1", row = "0.5", rows;
  for (int j = 2; j <= 100; ++j) {
    header += ",x";  // appended apart: GCC 12 warns wrongly of "," + std::to_string(j)
    header += std::to_string(j);
    row += ',';
    row += std::to_string(j % 7);
  }
  for (int i = 0; i < 64; ++i)
    rows += row + "\n";
  Write("train.csv", header + ",y\n" + row + ",1\n" + row + ",0\n");
  Write("rows.csv", header + "\n" + rows);
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "train.csv", "--layers", "100,200,1",
                                 "--epochs", "1", "--quiet", "--save", "m.json"})));
  setenv("OPENBLAS_CORETYPE", "Haswell", 1);
  const Result limited =
      NeuronaWithin({"predict", "--model", "m.json", "--data", "rows.csv"}, rlim_t(300) << 20);
  const Result version = NeuronaWithin({"--version"}, rlim_t(300) << 20);
  unsetenv("OPENBLAS_CORETYPE");
  ASSERT_TRUE(Succeeded(limited));
  EXPECT_EQ(std::count(limited.out.begin(), limited.out.end(), '\n'), 64);
  EXPECT_NE(version.out.find("Eigen"), std::string::npos) << version.out;
  EXPECT_NE(version.out.find("OpenBLAS's work buffers"), std::string::npos) << version.out;
}

// A stream of binary bytes may never end: its first zero byte ends the reading with an error naming
// where it is (data, a model or a model to start from), and a stream that starts as IDX or gzip
// data does (/dev/zero) is refused from its first bytes. Before, each was read until memory ran
// out.
TEST_F(CliDataTest, BinaryStreamsAreRefusedAtTheirFirstZeroByte) {
  const std::string zero_in_row = std::string("x,y\n1,2\n3") + '\0' + ",4\n5,6\n";
  EXPECT_TRUE(FailedWith(NeuronaWithInput({"train", "--data", "-", "--layers", "1,1"}, zero_in_row),
                         1, {"/dev/stdin:3:2: a zero byte, which CSV and FANN data"}));
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "1", "--save", "m.json"})));
  for (const char* device : {"/dev/zero", "/dev/urandom"}) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"predict", "--model", "m.json", "--data", device},
          std::vector<std::string>{"train", "--data", device, "--layers", "3,1"}}) {
      const Result result = Neurona(args);
      EXPECT_NE(result.status, 0) << args[0] << " " << device;
      EXPECT_NE(result.err.find(device), std::string::npos) << result.err;
    }
    const Result model = Neurona({"predict", "--model", device, "--data", "majority.csv"});
    EXPECT_TRUE(FailedWith(model, 1, {device, ": a zero byte, which a model file never holds"}))
        << device;
  }
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "m.json", "--data", "/dev/zero"}), 2,
                         {"--data /dev/zero: IDX files are read from a file, not a pipe"}));
  EXPECT_EQ(Files(), (std::set<std::string>{"majority.csv", "m.json"}));
}

TEST_F(CliDataTest, FannDataIsFoundByItsHeaderLineInAPipeOrAnyFile) {
  // A pipe has no extension: the first line, "pairs inputs outputs", says FANN.
  const Result pairs = NeuronaWithInput(
      {"train", "--data", "-", "--layers", "1,1", "--epochs", "1", "--save", "p.json"},
      "2 1 1\n0\n0\n1\n1\n");
  ASSERT_TRUE(Succeeded(pairs));
  EXPECT_NE(pairs.err.find("/dev/stdin: 2 rows"), std::string::npos) << pairs.err;

  // XOR from a pipe, and from a file of another extension (with a byte-order mark, a blank line
  // and CRLF line ends), trains the model that xor.data does.
  Write("xor.data", kXorFann);
  std::string crlf = "\xEF\xBB\xBF\n";
  for (const char c : kXorFann)
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  Write("xor.txt", crlf);
  const std::vector<std::string> flags{"--layers", "2,4,1", "--activation", "tanh",
                                       "--epochs", "20",    "--quiet",      "--save"};
  ASSERT_TRUE(Succeeded(Neurona(Args({{"train", "--data", "xor.data"}, flags, {"f.json"}}))));
  ASSERT_TRUE(
      Succeeded(NeuronaWithInput(Args({{"train", "--data", "-"}, flags, {"s.json"}}), kXorFann)));
  ASSERT_TRUE(Succeeded(Neurona(Args({{"train", "--data", "xor.txt"}, flags, {"t.json"}}))));
  const auto layers = [](const std::string& model) {
    return model.substr(model.find("\"layers\""));
  };
  EXPECT_EQ(layers(Read("s.json")), layers(Read("f.json")));
  EXPECT_EQ(layers(Read("t.json")), layers(Read("f.json")));
  const Result from_pipe =
      NeuronaWithInput({"predict", "--model", "f.json", "--data", "-"}, kXorFann);
  ASSERT_TRUE(Succeeded(from_pipe));
  EXPECT_EQ(from_pipe.out, Neurona({"predict", "--model", "f.json", "--data", "xor.data"}).out);
  EXPECT_TRUE(FailedWith(
      NeuronaWithInput({"train", "--data", "-", "--layers", "2,1", "--classes"}, kXorFann), 2,
      {"--classes is for CSV files, and /dev/stdin is FANN data"}));
  // FANN's messages, with their lines, for a file that starts as FANN data and then is not.
  EXPECT_TRUE(
      FailedWith(NeuronaWithInput({"train", "--data", "-", "--layers", "2,1"}, "2 2 1\n0,0\n0\n"),
                 1, {"/dev/stdin:2:4: pair 1: expected 2 inputs on this line, got 1"}));

  // Three numbers separated by tabs are a CSV row (here of data, the file having no header), and
  // a line with a separator anywhere is one too.
  struct Csv {
    std::string text, layers, rows;
  };
  for (const Csv& csv : {Csv{"2\t1\t1\n0\t0\t0\n1\t1\t1\n", "2,1", "3 rows"},
                         Csv{"2 1 1,a,b\n0,0,0\n1,1,1\n", "2,1", "2 rows"},
                         Csv{"1 2 3;y\n0;0\n1;1\n", "1,1", "2 rows"}}) {
    const Result result = NeuronaWithInput(
        {"train", "--data", "-", "--layers", csv.layers, "--epochs", "1"}, csv.text);
    ASSERT_TRUE(Succeeded(result)) << csv.text;
    EXPECT_NE(result.err.find("/dev/stdin: " + csv.rows), std::string::npos) << result.err;
  }
}

// pandas' header of numbered columns, "0,1,2,3", was trained on as a row, and predict printed a
// line too many: now asked about, with --header to answer.
TEST_F(CliDataTest, ANumberedHeaderIsAskedAboutAndHeaderAnswers) {
  std::string table = "0,1,2,3\n", inputs = "0,1,2\n";
  for (int i = 0; i < 12; ++i) {  // 10 rows or more
    const std::string row = std::to_string(0.5 * i) + "," + std::to_string(1.25 * i) + "," +
                            std::to_string(3 - 0.1 * i);
    table += row + "," + std::to_string(2.5 * i) + "\n";
    inputs += row + "\n";
  }
  Write("numbered.csv", table);
  Write("inputs.csv", inputs);
  const std::vector<std::string> train{"train",    "--data", "numbered.csv", "--layers", "3,1",
                                       "--epochs", "3",      "--quiet",      "--save",   "m.json"};
  EXPECT_TRUE(FailedWith(
      Neurona(train), 1,
      {"numbered.csv:1: line 1 numbers the columns, 0 to 3", "--header yes", "--header no"}));
  EXPECT_FALSE(Exists("m.json"));
  std::vector<std::string> as_data = train;  // saved as data.json
  as_data.back() = "data.json";
  ASSERT_TRUE(Succeeded(Neurona(Args({as_data, {"--header", "no"}}))));
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "data.json", "--data", "inputs.csv"}), 1,
                         {"inputs.csv:1: line 1 numbers the columns, 0 to 2"}));
  ASSERT_TRUE(Succeeded(Neurona(Args({train, {"--header", "yes"}}))));
  const Result predicted =
      Neurona({"predict", "--model", "m.json", "--data", "inputs.csv", "--header", "yes"});
  ASSERT_TRUE(Succeeded(predicted));
  EXPECT_EQ(Lines(predicted.out).size(), 12u);
  // That model knows the line as its header's (or its inputs'): no need to say so again.
  EXPECT_EQ(Neurona({"predict", "--model", "m.json", "--data", "inputs.csv"}).out, predicted.out);
  // A model read with --header yes knows that line: a file that starts with it has a header.
  Write("few.csv", inputs.substr(0, inputs.find("\n", 60)) + "\n");  // under 10 rows
  const Result few = Neurona({"predict", "--model", "m.json", "--data", "few.csv"});
  ASSERT_TRUE(Succeeded(few));
  EXPECT_EQ(Lines(few.out).size() + 1, Lines(Read("few.csv")).size());
  EXPECT_EQ(Lines(Neurona({"predict", "--model", "m.json", "--data", "numbered.csv"}).out).size(),
            12u);
  ASSERT_TRUE(Succeeded(Neurona(Args({train, {"--header", "no"}}))));
  // Under --classes too, where the class column's labels are numbers.
  Write("classes.csv", table);
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "classes.csv", "--classes", "--layers", "3,4", "--epochs", "1"}),
      1, {"classes.csv:1: line 1 numbers the columns, 0 to 3"}));
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--header", "maybe"}})), 2,
                         {"--header must be auto, yes or no, got \"maybe\""}));
  Write("xor.data", kXorFann);
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--data", "xor.data", "--layers", "2,1", "--header", "yes"}), 2,
                 {"--header is for CSV files, and xor.data is FANN data"}));
}

// UCI's iris.data is CSV under FANN's extension: its errors say so, with the ways round.
TEST_F(CliDataTest, ACsvFileNamedAsFannDataIsToldSo) {
  Write("iris.data", "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n");
  const std::string hint =
      "HINT: a .data, .train or .test file is read as FANN's format, and iris.data does not start "
      "with FANN's header; if it is CSV, give it a .csv name or pipe it in (--data - < iris.data)";
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "iris.data", "--classes", "--layers", "4,2", "--epochs", "2"}), 2,
      {"--classes is for CSV files, and iris.data is FANN data.", hint}));
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--data", "iris.data", "--layers", "4,1", "--epochs", "2"}), 1,
                 {"iris.data:1:1: expected the FANN header", hint}));
  // A FANN file's own errors go without it, as do files that are not there or hold no CSV.
  for (const std::string file : {"missing.data", "cr.data"}) {
    if (file == "cr.data") Write(file, "4 2 1\r0 0\r0\r0 1\r1\r1 0\r1\r1 1\r0\r");
    const Result result = Neurona({"train", "--data", file, "--layers", "2,1", "--epochs", "2"});
    EXPECT_EQ(result.status, 1) << file;
    EXPECT_EQ(result.err.find("looks like CSV"), std::string::npos) << result.err;
    EXPECT_EQ(result.err.find("give it a .csv name"), std::string::npos) << result.err;
  }
  Write("bad.data", "4 2 1\n0 0\n0\n0 1\n1\n1 zz\n1\n1 1\n0\n");
  const Result bad = Neurona({"train", "--data", "bad.data", "--layers", "2,1", "--epochs", "2"});
  EXPECT_TRUE(FailedWith(bad, 1, {"bad.data:6:3:"}));
  EXPECT_EQ(bad.err.find("HINT"), std::string::npos) << bad.err;
}

TEST_F(CliDataTest, MalformedFannFilesNameLineAndColumn) {
  const std::vector<std::pair<std::string, std::vector<std::string_view>>> cases{
      {"4 2 1\n0 0\n0\n0 1\n1\n1 zz\n1\n1 1\n0\n",
       {"bad.data:6:3:", "expected a number", "\"zz\""}},
      {"4 2\n0 0\n0\n", {"bad.data:1:", "header", "pairs inputs outputs"}},
      {"4 2 1\n0 0\n0\n0 1 1\n1\n", {"bad.data:4:", "expected 2 inputs", "got 3"}},
      {"4 2 1\n0 0\n0\n", {"bad.data:", "declares 4 pairs"}},
      {kXorFann + "1 1\n", {"bad.data:10:"}},
  };
  for (const auto& [text, parts] : cases) {
    Write("bad.data", text);
    const Result result =
        Neurona({"train", "--data", "bad.data", "--layers", "2,4,1", "--save", "m.json"});
    EXPECT_TRUE(FailedWith(result, 1, parts)) << text;
    EXPECT_EQ(Files(), std::set<std::string>{"bad.data"});
  }
  // A good file that does not fit the network.
  Write("bad.data", kXorFann);
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--data", "bad.data", "--layers", "3,4,1", "--save", "m.json"}),
                 1, {"bad.data", "2 inputs and 1 outputs", "the network has 3 and 1"}));
}

TEST_F(CliDataTest, LabelsBelongToIdxFilesOnly) {
  Fixture("majority.csv");
  EXPECT_TRUE(FailedWith(TrainMajority("majority.csv", {"--labels", "labels", "--save", "m.json"}),
                         2, {"--labels", "IDX"}));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
  // A FANN .data file has its outputs in the file: labels given beside it would be ignored.
  Write("xor.data", kXorFann);
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "xor.data", "--labels", "labels", "--layers",
                                  "2,4,1", "--save", "m.json"}),
                         2, {"--labels", "xor.data", "IDX"}));
  EXPECT_FALSE(Exists("m.json"));
}

// The flags only a CSV file reads are refused beside an IDX or FANN file, never ignored.
TEST_F(CliDataTest, CsvFlagsBelongToCsvFilesOnly) {
  Write("xor.data", kXorFann);
  Write("tiny-images-idx3-ubyte", kTinyImages);
  Write("tiny-labels-idx1-ubyte", kTinyLabels);
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "tiny-images-idx3-ubyte", "--labels",
                         "tiny-labels-idx1-ubyte", "--layers", "4,2", "--loss", "cross_entropy",
                         "--epochs", "1", "--quiet", "--save", "tiny.json"})));
  const std::vector<std::vector<std::string>> flags{
      {"--classes"}, {"--targets", "y"}, {"--separator", ";"}, {"--drop-missing"}};
  for (const auto& flag : flags) {
    std::vector<std::string> fann{"train", "--data", "xor.data", "--layers",
                                  "2,4,1", "--save", "m.json"};
    fann.insert(fann.end(), flag.begin(), flag.end());
    EXPECT_TRUE(FailedWith(Neurona(fann), 2, {flag[0], "CSV", "xor.data", "FANN"})) << flag[0];
    std::vector<std::string> idx{"evaluate",
                                 "--model",
                                 "tiny.json",
                                 "--data",
                                 "tiny-images-idx3-ubyte",
                                 "--labels",
                                 "tiny-labels-idx1-ubyte"};
    idx.insert(idx.end(), flag.begin(), flag.end());
    EXPECT_TRUE(FailedWith(Neurona(idx), 2, {flag[0], "CSV", "IDX images"})) << flag[0];
  }
  EXPECT_EQ(Files(), (std::set<std::string>{"xor.data", "tiny-images-idx3-ubyte",
                                            "tiny-labels-idx1-ubyte", "tiny.json"}));
}

// ---------------------------------------------------------------------------------------------
// Validation and test splits, early stopping.

// The iris run of the split tests.
const std::vector<std::string> kSplitFlags{
    "--data",   "iris.csv",     "--classes", "--layers", "4,8,3", "--scale",
    "standard", "--optimizer",  "adam",      "--lr",     "0.05",  "--epochs",
    "50",       "--validation", "0.2",       "--test",   "0.2"};

TEST_F(CliDataTest, SplitsReportValidationLossAndTestMetrics) {
  CopyData("iris.csv");
  const Result result = Neurona(Args({{"train"}, kSplitFlags, {"--save", "m.json"}}));
  ASSERT_TRUE(Succeeded(result));
  // 150 rows: 30 for validation, 30 for the test, 90 to train on.
  EXPECT_NE(result.err.find("trained 4-8-3 on 90 rows for 50 epochs"), std::string::npos)
      << result.err;
  std::size_t epoch_lines = 0;
  for (const std::string& line : Lines(result.err))
    if (line.rfind("epoch ", 0) == 0) {
      ++epoch_lines;
      EXPECT_TRUE(std::regex_search(line, std::regex("  validation [0-9.e+-]+$"))) << line;
    }
  EXPECT_GT(epoch_lines, 0u) << result.err;
  const std::vector<std::string> out = Lines(result.out);
  ASSERT_GE(out.size(), 2u) << result.out;
  EXPECT_EQ(out[0], "test set:");
  EXPECT_TRUE(std::regex_match(out[1], std::regex("accuracy: [01]\\.[0-9]{4}"))) << out[1];
  EXPECT_NE(result.out.find("confusion matrix"), std::string::npos) << result.out;
  // The test rows are 10 of each class (the split is stratified).
  EXPECT_NE(result.out.find("macro avg"), std::string::npos);
  EXPECT_TRUE(std::regex_search(result.out, std::regex("weighted avg .* 30\n"))) << result.out;
}

TEST_F(CliDataTest, SameSeedGivesTheSameSplit) {
  CopyData("iris.csv");
  const Result a = Neurona(Args({{"train"}, kSplitFlags, {"--save", "a.json"}}));
  const Result b = Neurona(Args({{"train"}, kSplitFlags, {"--save", "b.json"}}));
  ASSERT_TRUE(Succeeded(a));
  ASSERT_TRUE(Succeeded(b));
  EXPECT_EQ(a.out, b.out);
  std::string err_b = b.err;
  err_b.replace(err_b.find("b.json"), 6, "a.json");
  EXPECT_EQ(a.err, err_b);
  EXPECT_EQ(LayersOf(Read("a.json")), LayersOf(Read("b.json")));
  const Result c = Neurona(Args({{"train"}, kSplitFlags, {"--seed", "2", "--save", "c.json"}}));
  ASSERT_TRUE(Succeeded(c));
  EXPECT_NE(LayersOf(Read("a.json")), LayersOf(Read("c.json")));
}

TEST_F(CliDataTest, PatienceStopsEarlyAndKeepsTheBestWeights) {
  CopyData("iris.csv");
  const std::vector<std::string> flags{
      "--data",      "iris.csv", "--classes", "--layers", "4,16,3",       "--scale", "standard",
      "--optimizer", "adam",     "--lr",      "0.1",      "--validation", "0.3"};
  const Result result = Neurona(
      Args({{"train"},
            flags,
            {"--epochs", "500", "--patience", "5", "--history", "h.csv", "--save", "early.json"}}));
  ASSERT_TRUE(Succeeded(result));
  std::smatch match;
  ASSERT_TRUE(std::regex_search(
      result.err, match,
      std::regex("for ([0-9]+) epochs \\(stopped early\\), kept epoch ([0-9]+) \\(best validation "
                 "loss\\): cross_entropy ([0-9.e-]+), validation ([0-9.e-]+)")))
      << result.err;
  const int stopped = std::stoi(match[1]), best = std::stoi(match[2]);
  EXPECT_LT(stopped, 500);
  EXPECT_EQ(stopped, best + 5);
  EXPECT_EQ(Lines(Read("h.csv")).size(), std::size_t(stopped) + 1);
  // The saved model is the one of the best epoch: a run of just that many epochs, same split.
  ASSERT_TRUE(Succeeded(Neurona(Args(
      {{"train"}, flags, {"--epochs", std::to_string(best), "--quiet", "--save", "best.json"}}))));
  EXPECT_EQ(LayersOf(Read("early.json")), LayersOf(Read("best.json")));
  // The history's lowest validation loss is at that epoch.
  const std::vector<std::string> rows = Lines(Read("h.csv"));
  std::size_t lowest = 1;
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (ParseDouble(Split(rows[i], ',')[2]) < ParseDouble(Split(rows[lowest], ',')[2])) lowest = i;
  EXPECT_EQ(int(lowest), best);
  // The losses printed are the kept epoch's, not the last one's.
  for (int column : {1, 2}) {
    const double logged = ParseDouble(Split(rows[std::size_t(best)], ',')[std::size_t(column)]);
    EXPECT_NEAR(ParseDouble(match[column + 2].str()), logged, 1e-5 * logged) << result.err;
  }
}

TEST_F(CliDataTest, BadSplitFlagsAreUsageErrors) {
  CopyData("iris.csv");
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string_view>>> cases{
      {{"--validation", "1.5"}, {"--validation", "1.5", "[0, 1)"}},
      {{"--test", "-0.1"}, {"--test", "-0.1", "[0, 1)"}},
      {{"--test", "1"}, {"--test", "got 1"}},
      {{"--validation", "0.5", "--test", "0.5"}, {"--validation 0.5", "--test 0.5", "no rows"}},
      {{"--validation", "abc"}, {"--validation", "abc"}},
      {{"--patience", "5"}, {"--patience", "--validation"}},
      {{"--patience", "-1"}, {"--patience", "\"-1\""}},
  };
  for (const auto& [flags, parts] : cases) {
    const Result result = Neurona(Args({{"train", "--data", "iris.csv", "--classes", "--layers",
                                         "4,3", "--epochs", "5", "--history", "h.csv"},
                                        flags,
                                        {"--save", "m.json"}}));
    EXPECT_TRUE(FailedWith(result, 2, parts)) << flags[0];
    EXPECT_EQ(Files(), std::set<std::string>{"iris.csv"}) << flags[0];
  }
}

// A fraction that holds out no row says why: its share rounds to none, or each class (or the
// whole split) keeps a row to train on and the other part takes the rest. Not "give a larger
// fraction" where a larger one would hold out none just the same.
TEST_F(CliDataTest, AFractionThatHoldsOutNoRowSaysWhy) {
  Write("pairs.csv", "x,label\n0,a\n0.1,a\n1,b\n0.9,b\n");
  Write("two.csv", "x,y\n0,1\n1,2\n");
  Write("singles.csv", "x,label\n0,a\n1,b\n");
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string_view>>> cases{
      {{"--data", "pairs.csv", "--classes", "--validation", "0.1"},
       {"--validation 0.1 holds out none of the 4 rows (each class rounds its share to 0); give a "
        "larger fraction"}},
      {{"--data", "pairs.csv", "--classes", "--validation", "0.25", "--test", "0.5"},
       {"--validation 0.25 holds out none of the 4 rows: each class keeps a row to train on and "
        "--test 0.5 takes the rest; give more rows or a smaller --test"}},
      {{"--data", "two.csv", "--validation", "0.3", "--test", "0.4"},
       {"--validation 0.3 holds out none of the 2 rows: the split keeps a row to train on and "
        "--test 0.4 takes the rest; give more rows or a smaller --test"}},
      {{"--data", "singles.csv", "--classes", "--test", "0.6"},
       {"--test 0.6 holds out none of the 2 rows: each class keeps a row to train on; give more "
        "rows"}},
  };
  for (const auto& [flags, parts] : cases) {
    const Result result =
        Neurona(Args({{"train", "--layers", "1,1", "--epochs", "1"}, flags, {"--save", "m.json"}}));
    EXPECT_TRUE(FailedWith(result, 2, parts)) << flags[3];
    EXPECT_FALSE(fs::exists(Path("m.json"))) << flags[3];
  }
  Write("one.csv", "x,y\n50,300\n");
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "one.csv", "--layers", "1,1", "--test", "0.5"}), 2,
      {"--test 0.5 holds out none of its one row: the split keeps a row to train on; give more "
       "rows"}));
  // Half of each class's two rows is one: held out.
  EXPECT_TRUE(Succeeded(Neurona({"train", "--data", "pairs.csv", "--classes", "--layers", "1,1",
                                 "--epochs", "1", "--test", "0.5", "--quiet"})));
}

// ---------------------------------------------------------------------------------------------
// Optimizers, learning-rate schedules and class weights.

TEST_F(CliDataTest, EveryOptimizerLearnsTheMajorityTable) {
  Fixture("majority.csv");
  const std::vector<std::vector<std::string>> runs{
      {"--optimizer", "sgd", "--epochs", "3000"},
      {"--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--lr", "0.1", "--epochs", "1000"},
      {"--optimizer", "sgd", "--momentum", "0.5", "--lr", "0.2", "--epochs", "2000"},
      {"--optimizer", "adam", "--lr", "0.05", "--epochs", "500"},
      {"--optimizer", "adamw", "--lr", "0.05", "--weight-decay", "0.001", "--epochs", "500"},
      {"--optimizer", "rmsprop", "--lr", "0.01", "--epochs", "500"},
      {"--optimizer", "rprop", "--epochs", "200"},
      {"--optimizer", "lbfgs", "--epochs", "50"},
      {"--optimizer", "adam", "--lr", "0.05", "--batch", "3", "--epochs", "300"},
  };
  for (const std::vector<std::string>& flags : runs) {
    SCOPED_TRACE(flags[1] + " " + flags[2] + " " + flags[3]);
    ExpectLearnsTheMajorityTable(flags);
  }
}

TEST_F(CliDataTest, AdamwDecaysTheWeightsThatAdamKeeps) {
  // With no weight decay adamw is adam; with it, the weights differ.
  Fixture("majority.csv");
  auto train = [&](const std::string& name, std::vector<std::string> flags) {
    return Neurona(Args({{"train", "--data", "majority.csv", "--layers", "3,2,4,1", "--lr", "0.05",
                          "--epochs", "50", "--quiet", "--save", name},
                         flags}));
  };
  ASSERT_TRUE(Succeeded(train("adam.json", {"--optimizer", "adam"})));
  ASSERT_TRUE(Succeeded(train("adamw.json", {"--optimizer", "adamw"})));
  ASSERT_TRUE(Succeeded(train("decay.json", {"--optimizer", "adamw", "--weight-decay", "0.1"})));
  EXPECT_EQ(LayersOf(Read("adam.json")), LayersOf(Read("adamw.json")));
  EXPECT_NE(LayersOf(Read("adam.json")), LayersOf(Read("decay.json")));
}

TEST_F(CliDataTest, StepScheduleHalvesTheRateInTheHistory) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "25", "--lr-schedule", "step", "--lr-step", "10", "--lr-gamma",
                       "0.5", "--quiet", "--history", "h.csv", "--save", "m.json"})));
  const std::vector<std::string> rows = Lines(Read("h.csv"));
  ASSERT_EQ(rows.size(), 26u);
  for (std::size_t epoch = 1; epoch <= 25; ++epoch) {
    const std::vector<std::string> cells = Split(rows[epoch], ',');
    ASSERT_GE(cells.size(), 4u) << rows[epoch];
    const double expected = epoch <= 10 ? 0.5 : epoch <= 20 ? 0.25 : 0.125;
    EXPECT_EQ(ParseDouble(cells[3]), expected) << "epoch " << epoch;
  }
}

TEST_F(CliDataTest, BalancedClassWeightsLetTheRareClassWin) {
  // x = 0: 12 rows "common"; x = 1: 3 "common" and 1 "rare". Unweighted, P(rare | x = 1) is 1/4;
  // balanced (common weighs 16 / 30, rare 16 / 2), it is 8 / (8 + 1.6) = 5/6.
  Fixture("imbalanced.csv");
  auto train = [&](const std::string& weight) {
    return Neurona({"train", "--data", "imbalanced.csv", "--classes", "--layers", "1,2",
                    "--optimizer", "adam", "--lr", "0.1", "--epochs", "300", "--class-weight",
                    weight, "--quiet", "--save", weight + ".json"});
  };
  ASSERT_TRUE(Succeeded(train("none")));
  ASSERT_TRUE(Succeeded(train("balanced")));
  const std::string common(12, 'c');
  auto predicted = [&](const std::string& model) {
    std::string letters;
    for (const std::string& label :
         Lines(Neurona({"predict", "--model", model, "--data", "imbalanced.csv"}).out))
      letters += label.at(0);
    return letters;
  };
  EXPECT_EQ(predicted("none.json"), std::string(16, 'c'));
  EXPECT_EQ(predicted("balanced.json"), common + "rrrr");
  auto rare_probability = [&](const std::string& model) {
    const Result result =
        Neurona({"predict", "--model", model, "--data", "imbalanced.csv", "--outputs"});
    return ParseDouble(Split(Lines(result.out).back(), ',').at(1));
  };
  EXPECT_NEAR(rare_probability("none.json"), 0.25, 0.01);
  EXPECT_NEAR(rare_probability("balanced.json"), 5.0 / 6.0, 0.01);
}

TEST_F(CliDataTest, BadOptimizerScheduleAndWeightFlagsAreUsageErrors) {
  Fixture("majority.csv");
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string_view>>> cases{
      {{"--optimizer", "sgdd"}, {"--optimizer", "\"sgdd\"", "adam", "lbfgs"}},
      {{"--momentum", "1.5"}, {"--momentum", "[0, 1)", "1.5"}},
      {{"--momentum", "-1"}, {"--momentum", "-1"}},
      {{"--nesterov"}, {"--nesterov", "--momentum"}},
      {{"--optimizer", "adam", "--nesterov"}, {"--nesterov", "does not apply", "adam"}},
      {{"--optimizer", "adam", "--momentum", "0.9"}, {"--momentum", "does not apply", "adam"}},
      {{"--beta1", "0.5"}, {"--beta1", "does not apply", "sgd"}},
      {{"--optimizer", "adam", "--beta1", "1"}, {"--beta1", "[0, 1)", "got 1"}},
      {{"--optimizer", "adam", "--beta2", "1.5"}, {"--beta2", "1.5"}},
      {{"--optimizer", "adam", "--epsilon", "0"}, {"--epsilon", "got 0"}},
      {{"--weight-decay", "-1"}, {"--weight-decay", "-1"}},
      {{"--optimizer", "rmsprop", "--rmsprop-alpha", "1.5"}, {"--rmsprop-alpha", "1.5"}},
      {{"--optimizer", "rprop", "--eta-minus", "2"}, {"--eta-minus", "2"}},
      {{"--optimizer", "rprop", "--eta-plus", "0.5"}, {"--eta-plus", "0.5"}},
      {{"--optimizer", "rprop", "--step-min", "2", "--step-max", "1"}, {"--step-max", "got 1"}},
      {{"--optimizer", "lbfgs", "--lbfgs-history", "0"}, {"--lbfgs-history", "from 1", "\"0\""}},
      {{"--optimizer", "lbfgs", "--lbfgs-history", "2147483648"},
       {"--lbfgs-history", "to 2147483647", "\"2147483648\""}},
      {{"--lr", "-1"}, {"--lr", "-1"}},
      {{"--lr-schedule", "bogus"}, {"--lr-schedule", "\"bogus\"", "step", "cosine"}},
      {{"--lr-schedule", "step"}, {"--lr-schedule step needs --lr-step N"}},
      {{"--lr-schedule", "step", "--lr-step", "0"}, {"--lr-step", "--lr-schedule step", "got 0"}},
      {{"--lr-schedule", "step", "--lr-step", "10", "--lr-gamma", "0"}, {"--lr-gamma", "got 0"}},
      {{"--lr-schedule", "cosine", "--lr-min", "1"}, {"--lr-min", "got 1"}},
      {{"--lr-schedule", "plateau", "--lr-factor", "1"}, {"--lr-factor", "got 1"}},
      {{"--lr-schedule", "plateau", "--lr-threshold", "-1"}, {"--lr-threshold", "-1"}},
      {{"--lr-schedule", "plateau", "--lr-patience", "-1"}, {"--lr-patience", "\"-1\""}},
      {{"--lr-step", "10"}, {"--lr-step", "does not apply", "constant"}},
      {{"--lr-schedule", "cosine", "--lr-gamma", "0.5"},
       {"--lr-gamma", "does not apply", "cosine"}},
      {{"--lr-schedule", "step", "--lr-step", "-1"}, {"--lr-step", "\"-1\""}},
      {{"--optimizer", "lbfgs", "--lbfgs-history", "-1"}, {"--lbfgs-history", "\"-1\""}},
      {{"--checkpoint-every", "x"}, {"--checkpoint-every", "\"x\""}},
      {{"--class-weight", "bogus"}, {"--class-weight", "\"bogus\"", "balanced"}},
      {{"--class-weight", "balanced"}, {"--class-weight balanced", "classes"}},
  };
  for (const auto& [flags, parts] : cases) {
    const Result result = Neurona(Args({{"train", "--data", "majority.csv", "--layers", "3,2,4,1",
                                         "--epochs", "5", "--history", "h.csv"},
                                        flags,
                                        {"--save", "m.json"}}));
    std::string name;
    for (const std::string& flag : flags)
      name += flag + " ";
    EXPECT_TRUE(FailedWith(result, 2, parts)) << name;
    EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"}) << name;
  }
}

// ---------------------------------------------------------------------------------------------
// Checkpoints and resume.

// A checkpoint's text with the value after "key": (up to the comma or line end) replaced.
std::string WithValue(std::string text, const std::string& key, const std::string& value) {
  const std::size_t at = text.find("\"" + key + "\": ");
  EXPECT_NE(at, std::string::npos) << key;
  if (at == std::string::npos) return text;
  const std::size_t start = at + key.size() + 4, end = text.find_first_of(",\n", start);
  return text.replace(start, end - start, value);
}

// A checkpoint's text with cell `cell` of history record `record` (both from 0) replaced; each
// cell is on a line of its own.
std::string WithHistoryCell(std::string text, int record, int cell, const std::string& value) {
  std::size_t at = text.find("[\n   " + std::to_string(record + 1) + ",\n");
  EXPECT_NE(at, std::string::npos) << "record " << record;
  if (at == std::string::npos) return text;
  at += 2;  // the line of cell 0
  for (int i = 0; i < cell; ++i)
    at = text.find('\n', at) + 1;
  const std::size_t start = text.find_first_not_of(' ', at), end = text.find_first_of(",\n", start);
  return text.replace(start, end - start, value);
}

// A checkpoint's text with the first value of the array after "key": replaced; each value is on a
// line of its own.
std::string WithFirstValue(std::string text, const std::string& key, const std::string& value) {
  const std::size_t at = text.find("\"" + key + "\": [");
  EXPECT_NE(at, std::string::npos) << key;
  if (at == std::string::npos) return text;
  const std::size_t start = text.find_first_not_of(" \n", at + key.size() + 5),
                    end = text.find_first_of(",]\n", start);
  return text.replace(start, end - start, value);
}

TEST_F(CliDataTest, CheckpointEveryWritesACheckpoint) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "20", "--checkpoint-every", "10",
                                                       "--checkpoint", "ck.json", "--quiet"})));
  ASSERT_TRUE(Exists("ck.json"));
  EXPECT_NE(Read("ck.json").find("\"neurona-checkpoint\""), std::string::npos);
  // Without --checkpoint, beside the model.
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "20", "--checkpoint-every", "10",
                                                       "--quiet", "--save", "m.json"})));
  EXPECT_EQ(Files(),
            (std::set<std::string>{"majority.csv", "ck.json", "m.json", "m.json.checkpoint"}));
}

TEST_F(CliDataTest, ResumeEndsWithTheBitsOfARunNeverStopped) {
  // Adam, mini-batches, a validation split and a step schedule: every piece of state that a
  // checkpoint must carry.
  CopyData("iris.csv");
  const std::vector<std::string> flags{
      "train",     "--data",   "iris.csv",     "--classes", "--layers",      "4,8,3",
      "--scale",   "standard", "--optimizer",  "adam",      "--lr",          "0.01",
      "--batch",   "3",        "--validation", "0.2",       "--lr-schedule", "step",
      "--lr-step", "30",       "--lr-gamma",   "0.5",       "--quiet"};
  ASSERT_TRUE(Succeeded(Neurona(
      Args({flags, {"--epochs", "100", "--history", "whole.csv", "--save", "whole.json"}}))));
  ASSERT_TRUE(Succeeded(Neurona(Args({flags,
                                      {"--epochs", "40", "--checkpoint-every", "10", "--checkpoint",
                                       "ck.json", "--save", "part.json"}}))));
  ASSERT_TRUE(Exists("ck.json"));
  EXPECT_NE(LayersOf(Read("part.json")), LayersOf(Read("whole.json")));
  ASSERT_TRUE(Succeeded(Neurona(Args({flags,
                                      {"--epochs", "100", "--checkpoint", "ck.json", "--resume",
                                       "--history", "resumed.csv", "--save", "resumed.json"}}))));
  EXPECT_EQ(LayersOf(Read("resumed.json")), LayersOf(Read("whole.json")));
  // The history goes on from the checkpoint: the same epochs, losses and rates (not times).
  auto without_seconds = [](const std::string& csv) {
    std::string text;
    for (const std::string& line : Lines(csv))
      text += line.substr(0, line.rfind(',')) + "\n";
    return text;
  };
  EXPECT_EQ(Lines(Read("resumed.csv")).size(), 101u);
  EXPECT_EQ(without_seconds(Read("resumed.csv")), without_seconds(Read("whole.csv")));
}

// Each optimizer's state, a plateau schedule's and early stopping's, carried through a checkpoint
// file: a run cut short and resumed ends with the weights and history of one never stopped.
TEST_F(CliDataTest, ResumeEndsWithTheSameBitsForEveryOptimizerAndEarlyStopping) {
  CopyData("iris.csv");
  const std::vector<std::string> common{"train",        "--data",  "iris.csv",
                                        "--classes",    "--scale", "standard",
                                        "--validation", "0.2",     "--quiet"};
  const std::vector<std::vector<std::string>> cases{
      {"--layers", "4,6,3", "--optimizer", "sgd", "--lr", "0.05", "--momentum", "0.9", "--nesterov",
       "--batch", "8"},
      {"--layers", "4,6,3", "--optimizer", "rmsprop", "--momentum", "0.5", "--batch", "16",
       "--lr-schedule", "plateau", "--lr-patience", "2"},
      {"--layers", "4,6,3", "--optimizer", "adamw", "--weight-decay", "0.01", "--batch", "10",
       "--class-weight", "balanced"},
      {"--layers", "4,6,3", "--optimizer", "rprop", "--lr-schedule", "step", "--lr-step", "7"},
      {"--layers", "4,6,3", "--optimizer", "lbfgs", "--lbfgs-history", "4"},
      // Early stopping: the whole run stops at epoch S; the cut falls after its best epoch.
      {"--layers", "4,6,3", "--optimizer", "adam", "--lr", "0.3", "--batch", "30", "--patience",
       "4"},
  };
  auto without_seconds = [](const std::string& csv) {
    std::string text;
    for (const std::string& line : Lines(csv))
      text += line.substr(0, line.rfind(',')) + "\n";
    return text;
  };
  for (const std::vector<std::string>& flags : cases) {
    const std::string name = flags[3];
    for (const char* file :
         {"whole.json", "whole.csv", "ck.json", "part.json", "resumed.json", "resumed.csv"})
      fs::remove(Path(file));
    ASSERT_TRUE(Succeeded(Neurona(Args(
        {common, flags, {"--epochs", "30", "--history", "whole.csv", "--save", "whole.json"}}))))
        << name;
    // Two epochs before the whole run's last: past the best epoch when early stopping ended it.
    const std::size_t epochs = Lines(Read("whole.csv")).size() - 1;
    ASSERT_GE(epochs, 10u) << name;
    ASSERT_TRUE(
        Succeeded(Neurona(Args({common,
                                flags,
                                {"--epochs", std::to_string(epochs - 2), "--checkpoint-every", "1",
                                 "--checkpoint", "ck.json", "--save", "part.json"}}))))
        << name;
    const bool early_stop = std::find(flags.begin(), flags.end(), "--patience") != flags.end();
    // A cut run keeps its last weights, or, past the best epoch, the best ones, as the whole does.
    if (early_stop)
      EXPECT_LT(epochs, 30u) << name;
    else
      EXPECT_NE(LayersOf(Read("part.json")), LayersOf(Read("whole.json"))) << name;
    ASSERT_TRUE(Succeeded(Neurona(Args({common,
                                        flags,
                                        {"--epochs", "30", "--checkpoint", "ck.json", "--resume",
                                         "--history", "resumed.csv", "--save", "resumed.json"}}))))
        << name;
    EXPECT_EQ(LayersOf(Read("resumed.json")), LayersOf(Read("whole.json"))) << name;
    EXPECT_EQ(without_seconds(Read("resumed.csv")), without_seconds(Read("whole.csv"))) << name;
  }
}

TEST_F(CliDataTest, ResumeWithoutACheckpointIsAnError) {
  Fixture("majority.csv");
  EXPECT_TRUE(FailedWith(
      TrainMajority("majority.csv", {"--resume", "--checkpoint", "ck.json", "--save", "m.json"}), 1,
      {"ck.json", "no such checkpoint file"}));
  EXPECT_TRUE(FailedWith(TrainMajority("majority.csv", {"--resume"}), 2,
                         {"--resume", "--checkpoint", "--save"}));
  EXPECT_TRUE(FailedWith(TrainMajority("majority.csv", {"--checkpoint-every", "10"}), 2,
                         {"--checkpoint-every", "--checkpoint", "--save"}));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

TEST_F(CliDataTest, CorruptCheckpointIsAnError) {
  Fixture("majority.csv");
  const std::vector<std::string> adam{"--optimizer", "adam", "--lr",   "0.05",
                                      "--epochs",    "20",   "--quiet"};
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", Args({adam, {"--checkpoint-every", "10", "--checkpoint", "ck.json"}}))));
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", Args({adam, {"--save", "model.json"}}))));
  const std::string whole = Read("ck.json");
  Write("cut.json", whole.substr(0, whole.size() / 2));
  const std::set<std::string> before = Files();
  auto resume = [&](const std::string& checkpoint, const std::vector<std::string>& flags) {
    return TrainMajority(
        "majority.csv",
        Args({flags,
              {"--epochs", "40", "--checkpoint", checkpoint, "--resume", "--save", "m.json"}}));
  };
  EXPECT_TRUE(FailedWith(resume("cut.json", adam), 1,
                         {"cut.json", "malformed JSON, expected a checkpoint"}));
  EXPECT_TRUE(FailedWith(resume("model.json", adam), 1,
                         {"model.json", "format", "\"neurona-checkpoint\""}));
  // A checkpoint of another optimizer's run.
  EXPECT_TRUE(FailedWith(resume("ck.json", {"--optimizer", "sgd", "--quiet"}), 1,
                         {"ck.json", "adam", "sgd"}));
  // Of another network.
  EXPECT_TRUE(FailedWith(resume("ck.json", Args({adam, {"--layers", "3,4,1"}})), 1,
                         {"ck.json", "3-2-4-1", "3-4-1"}));
  // Counts that no run writes: each named, none taken as another number.
  auto edited = [&](const std::string& from, const std::string& to) {
    std::string text = whole;
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  const std::vector<std::tuple<std::string, std::string, std::string>> corruptions{
      {"\"epochs_done\": 20", "\"epochs_done\": -5", "trainer.epochs_done"},
      {"\"epochs_done\": 20", "\"epochs_done\": 5.5", "trainer.epochs_done"},
      {"\"epochs_done\": 20", "\"epochs_done\": 10000000000000000000", "trainer.epochs_done"},
      {"\"best_epoch\": 0", "\"best_epoch\": 99", "trainer.best_epoch"},
      {"[\n   2,", "[\n   1,", "history[1][0]"},
      {"\"epochs_done\": 20", "\"epochs_done\": 19", "history"},
      {"\"steps\": 20", "\"steps\": 1e999", "beyond double"},
      // One more step would overflow (and take Adam's k past what a double counts exactly).
      {"\"steps\": 20", "\"steps\": 9223372036854775807", "optimizer.steps"},
      {"\"steps\": 20", "\"steps\": 9007199254740993", "optimizer.steps"}};
  for (const auto& [from, to, named] : corruptions) {
    Write("edited.json", edited(from, to));
    EXPECT_TRUE(FailedWith(resume("edited.json", adam), 1, {"edited.json", named})) << to;
  }
  // A loss of null, which --history would write as nan; a validation loss where the run had none.
  const std::vector<std::tuple<int, std::string, std::string>> history_corruptions{
      {1, "null", "history[4][1]: expected a number, got null"},
      {3, "null", "history[4][3]: expected a number, got null"},
      {2, "0.5", "history[4][2]: 0.5 where history[0][2] is null"},
      {2, "\"x\"", "history[4][2]: expected a number or null"}};
  for (const auto& [cell, value, named] : history_corruptions) {
    Write("edited.json", WithHistoryCell(whole, 4, cell, value));
    EXPECT_TRUE(FailedWith(resume("edited.json", adam), 1, {"edited.json", named})) << named;
  }
  fs::remove(Path("edited.json"));
  EXPECT_EQ(Files(), before);
}

// The checkpoint's networks are the flags' in everything but the weights: the same widths, each
// layer's activation and the loss. Another would go on as a model its command does not describe,
// or (early stopping's best_model) end as one that cannot be read with the data.
TEST_F(CliDataTest, ResumeRefusesACheckpointOfAnotherArchitecture) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "20", "--checkpoint-every", "10",
                                                       "--checkpoint", "ck.json", "--quiet"})));
  const std::string majority = Read("ck.json");
  // The widths the same, the first layer's activation another.
  const std::string sigmoid = "\"activation\": \"sigmoid\"";
  const std::size_t at = majority.find(sigmoid);
  ASSERT_NE(at, std::string::npos);
  Write("ck.json", std::string(majority).replace(at, sigmoid.size(), "\"activation\": \"relu\""));
  EXPECT_TRUE(
      FailedWith(TrainMajority("majority.csv", {"--epochs", "40", "--checkpoint", "ck.json",
                                                "--resume", "--quiet", "--save", "m.json"}),
                 1,
                 {"ck.json: model: the checkpoint's network is 3-2-4-1 (relu, sigmoid, linear; "
                  "half_squared_error), the flags make 3-2-4-1 (sigmoid, sigmoid, linear; "
                  "half_squared_error)"}));
  EXPECT_FALSE(Exists("m.json"));
  // The same network in another precision.
  Write("ck.json", majority);
  EXPECT_TRUE(FailedWith(
      TrainMajority("majority.csv", {"--epochs", "40", "--checkpoint", "ck.json", "--resume",
                                     "--precision", "float", "--quiet", "--save", "m.json"}),
      1,
      {"ck.json: model.precision: the checkpoint's network is in double precision; it is read "
       "here as float"}));
  EXPECT_FALSE(Exists("m.json"));

  // A best_model of another network: restored at the end, it would be saved as the model.
  CopyData("iris.csv");
  const std::vector<std::string> flags{
      "train",        "--data",  "iris.csv",   "--classes", "--layers",           "4,5,3",
      "--validation", "0.2",     "--patience", "5",         "--checkpoint-every", "1",
      "--checkpoint", "ck.json", "--quiet"};
  ASSERT_TRUE(Succeeded(Neurona(Args({flags, {"--epochs", "3"}}))));
  const std::string iris = Read("ck.json");
  const std::size_t start = iris.find("\"best_model\": {") + 14,
                    end = iris.find("\n},\n \"format\"") + 2;
  ASSERT_LT(start, end);
  Write("ck.json", std::string(iris).replace(
                       start, end - start,
                       R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 1,
"loss": "half_squared_error", "layers": [{"units": 1, "activation": "linear", "W": [[1]],
"b": [0]}]})"));
  EXPECT_TRUE(FailedWith(
      Neurona(Args({flags, {"--epochs", "4", "--resume", "--save", "m.json"}})), 1,
      {"ck.json: best_model: the network is 1-1 (linear; half_squared_error), the model's 4-5-3 "
       "(sigmoid, softmax; cross_entropy)"}));
  EXPECT_FALSE(Exists("m.json"));
  // Resumed from the checkpoint as written: accepted, and the model reads back.
  Write("ck.json", iris);
  ASSERT_TRUE(Succeeded(Neurona(Args({flags, {"--epochs", "4", "--resume", "--save", "m.json"}}))));
  EXPECT_TRUE(Succeeded(Neurona({"predict", "--model", "m.json", "--data", "iris.csv"})));
}

// Counts of the schedule's and the history's that no run writes.
TEST_F(CliDataTest, ResumeRefusesScheduleAndValidationStateNoRunWrites) {
  CopyData("iris.csv");
  const std::vector<std::string> flags = Args(
      {{"train", "--data", "iris.csv", "--classes", "--layers", "4,5,3", "--validation", "0.2"},
       {"--lr-schedule", "plateau", "--lr-patience", "1"},
       {"--checkpoint-every", "1", "--checkpoint", "ck.json", "--quiet"}});
  ASSERT_TRUE(Succeeded(Neurona(Args({flags, {"--epochs", "3"}}))));
  const std::string whole = Read("ck.json");
  auto resume = [&](const std::string& text) {
    Write("ck.json", text);
    return Neurona(Args({flags, {"--epochs", "4", "--resume", "--save", "m.json"}}));
  };
  // With a best below any loss, every epoch is bad: ++bad_epochs would overflow.
  EXPECT_TRUE(FailedWith(
      resume(WithValue(WithValue(whole, "bad_epochs", "9223372036854775807"), "best", "-1e300")), 1,
      {"ck.json: schedule.bad_epochs: expected 0 to 3"}));
  EXPECT_TRUE(
      FailedWith(resume(WithValue(whole, "bad_epochs", "4")), 1, {"ck.json: schedule.bad_epochs"}));
  // Validation losses: a null among numbers, or none where the flags hold out validation rows.
  EXPECT_TRUE(FailedWith(resume(WithHistoryCell(whole, 1, 2, "null")), 1,
                         {"ck.json: history[1][2]: null where history[0][2] is"}));
  std::string none = whole;
  for (int record = 0; record < 3; ++record)
    none = WithHistoryCell(none, record, 2, "null");
  EXPECT_TRUE(FailedWith(resume(none), 1,
                         {"ck.json: history: the checkpoint's run had no validation losses, the "
                          "flags hold out 30 validation rows"}));
  EXPECT_FALSE(Exists("m.json"));
  EXPECT_TRUE(Succeeded(resume(whole)));
}

// Optimizer state that no run writes, refused with the field's path: a negative second moment went
// on as a NaN loss, which training blamed on the learning rate.
TEST_F(CliDataTest, ResumeRefusesOptimizerStateNoRunWrites) {
  Fixture("majority.csv");
  struct Case {
    std::vector<std::string> flags;
    std::string buffer, value, expected;
  };
  for (const Case& c : {
           Case{{"--optimizer", "adam"},
                "exp_avg_sq",
                "-1e-08",
                "ck.json: optimizer.buffers.exp_avg_sq[0]: expected 0 or more"},
           Case{{"--optimizer", "adamw"},
                "exp_avg_sq",
                "-1e-08",
                "ck.json: optimizer.buffers.exp_avg_sq[0]: expected 0 or more"},
           Case{{"--optimizer", "rmsprop"},
                "square_avg",
                "-1",
                "ck.json: optimizer.buffers.square_avg[0]: expected 0 or more"},
           Case{{"--optimizer", "rprop"},
                "step_size",
                "-0.5",
                "ck.json: optimizer.buffers.step_size[0]: expected 0 or more"},
           // Every step clamps the step sizes to --step-min..--step-max: another range is another
           // run's flags.
           Case{{"--optimizer", "rprop"},
                "step_size",
                "1000",
                "ck.json: the rprop state's step_size[0] is 1000, outside --step-min 1e-06 to "
                "--step-max 50"},
           Case{{"--optimizer", "lbfgs"},
                "H_diag",
                "0",
                "ck.json: optimizer.buffers.H_diag[0]: expected more than 0"},
           Case{{"--optimizer", "lbfgs"},
                "t",
                "-1",
                "ck.json: optimizer.buffers.t[0]: expected 0 or more"},
       }) {
    fs::remove(Path("ck.json"));
    const std::vector<std::string> flags = Args({c.flags, {"--checkpoint", "ck.json", "--quiet"}});
    ASSERT_TRUE(Succeeded(TrainMajority(
        "majority.csv", Args({flags, {"--epochs", "10", "--checkpoint-every", "5"}}))))
        << c.flags[1];
    const std::string whole = Read("ck.json");
    Write("ck.json", WithFirstValue(whole, c.buffer, c.value));
    EXPECT_TRUE(
        FailedWith(TrainMajority("majority.csv",
                                 Args({flags, {"--epochs", "20", "--resume", "--save", "m.json"}})),
                   1, {c.expected}))
        << c.flags[1] << " " << c.buffer;
    EXPECT_FALSE(Exists("m.json"));
  }
}

// Fields of the wrong shape or missing, each named by its path rather than by the JSON reader.
TEST_F(CliDataTest, ResumeNamesTheFieldOfAMalformedCheckpoint) {
  CopyData("iris.csv");
  const std::vector<std::string> flags =
      Args({{"train", "--data", "iris.csv", "--classes", "--layers", "4,5,3"},
            {"--lr-schedule", "plateau", "--lr-patience", "1"},
            {"--checkpoint-every", "1", "--checkpoint", "ck.json", "--quiet"}});
  ASSERT_TRUE(Succeeded(Neurona(Args({flags, {"--epochs", "4"}}))));
  const std::string whole = Read("ck.json");
  auto resume = [&](const std::string& text) {
    Write("ck.json", text);
    return Neurona(Args({flags, {"--epochs", "5", "--resume", "--save", "m.json"}}));
  };
  auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = whole;
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  // history[3] without its seconds: from the comma after its learning rate to its line's end.
  std::string four = whole;
  const std::size_t record = four.find("[\n   4,\n");
  ASSERT_NE(record, std::string::npos);
  const std::size_t comma = four.rfind(',', four.find(']', record));
  four.erase(comma, four.find('\n', four.find('\n', comma) + 1) - comma);
  const std::vector<std::pair<std::string, std::string>> cases{
      {four,
       "ck.json: history[3]: expected 5 numbers (epoch, loss, validation_loss, learning_rate, "
       "seconds), got 4"},
      {replaced("\"rate\": ", "\"speed\": "), "ck.json: schedule.rate: missing"},
      {replaced("\"kind\": ", "\"sort\": "), "ck.json: schedule.kind: missing"},
      {WithValue(whole, "kind", "7"), "ck.json: schedule.kind: expected a string, got 7"},
      {WithValue(whole, "rate", "\"fast\""),
       "ck.json: schedule.rate: expected a number, got \"fast\""},
      {replaced("\"epochs_done\": ", "\"epochs\": "), "ck.json: trainer.epochs_done: missing"},
      // The file's own version, the last line; the model's comes before it.
      {replaced("\"version\": 1\n}", "\"version\": \"1\"\n}"),
       "ck.json: version: this neurona reads version 1"},
      {WithValue(whole, "format", "1"), "ck.json: format: expected \"neurona-checkpoint\""},
      {WithFirstValue(whole, "learning_rate", "\"x\""),
       "ck.json: optimizer.buffers.learning_rate[0]: expected a number, got \"x\""},
      {WithValue(whole, "name", "5"), "ck.json: optimizer.name: expected a string, got 5"},
      {WithHistoryCell(whole, 2, 3, "-0.1"), "ck.json: history[2][3]: expected 0 or more"},
      {WithHistoryCell(whole, 2, 4, "-1"), "ck.json: history[2][4]: expected 0 or more"},
  };
  for (const auto& [text, expected] : cases) {
    const Result result = resume(text);
    EXPECT_TRUE(FailedWith(result, 1, {expected})) << expected;
    EXPECT_EQ(result.err.find("not a usable checkpoint"), std::string::npos) << result.err;
  }
  EXPECT_FALSE(Exists("m.json"));
  EXPECT_TRUE(Succeeded(resume(whole)));
}

// Resuming with other settings or other data would end where no uninterrupted run ends.
TEST_F(CliDataTest, ResumeRefusesOtherFlagsOrOtherData) {
  Fixture("majority.csv");
  const std::vector<std::string> adam{"--optimizer", "adam", "--lr", "0.05", "--quiet"};
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv",
      Args({adam, {"--epochs", "20", "--checkpoint-every", "10", "--checkpoint", "ck.json"}}))));
  auto resume = [&](const std::string& data, const std::vector<std::string>& flags) {
    return TrainMajority(
        data,
        Args({flags,
              {"--epochs", "40", "--checkpoint", "ck.json", "--resume", "--save", "m.json"}}));
  };
  EXPECT_TRUE(FailedWith(
      resume("majority.csv", {"--optimizer", "adam", "--lr", "0.01"}), 1,
      {"ck.json", "--lr 0.05", "the same flags", "given now --lr 0.01, then --lr 0.05"}));
  EXPECT_TRUE(FailedWith(resume("majority.csv", Args({adam, {"--seed", "2"}})), 1,
                         {"ck.json", "the same flags"}));
  Write("other.csv", Read("majority.csv") + "1,1,1,1\n");
  EXPECT_TRUE(
      FailedWith(resume("other.csv", adam), 1, {"ck.json", "majority.csv", "other.csv", "CRC-32"}));
  EXPECT_FALSE(Exists("m.json"));
  // The same flags in another order, one as --flag=value, and the same data under another name:
  // accepted.
  Write("copy.csv", Read("majority.csv"));
  EXPECT_TRUE(Succeeded(Neurona({"train",        "--optimizer=adam",
                                 "--lr",         "0.05",
                                 "--seed",       "1",
                                 "--precision",  "double",
                                 "--batch",      "0",
                                 "--data",       "copy.csv",
                                 "--loss",       "half_squared_error",
                                 "--output",     "linear",
                                 "--activation", "sigmoid",
                                 "--layers",     "3,2,4,1",
                                 "--epochs",     "40",
                                 "--checkpoint", "ck.json",
                                 "--resume",     "--quiet",
                                 "--save",       "m.json"})));
  EXPECT_TRUE(Exists("m.json"));
  // The same values written otherwise, and defaults given or left out: accepted too.
  EXPECT_TRUE(Succeeded(resume(
      "majority.csv", {"--optimizer", "adam", "--lr", "5e-2", "--beta1", "0.90", "--momentum", "0",
                       "--validation", "0", "--lr-schedule", "constant", "--quiet"})));
  EXPECT_TRUE(FailedWith(resume("majority.csv", Args({adam, {"--beta1", "0.8"}})), 1,
                         {"given now --beta1 0.8, then nothing"}));
}

// Defaults that follow other flags (--lr the optimizer's, --loss --classes', --output the loss's)
// given or left out alike, either way round, as the fixed ones are.
TEST_F(CliDataTest, ResumeTakesDefaultsThatFollowOtherFlagsGivenOrNot) {
  CopyData("iris.csv");
  const std::vector<std::string> run{"train",    "--data",       "iris.csv", "--classes",
                                     "--layers", "4,3",          "--quiet",  "--checkpoint-every",
                                     "5",        "--checkpoint", "ck.json"};
  auto train = [&](const std::string& epochs, const std::vector<std::string>& flags) {
    return Neurona(Args({run, {"--epochs", epochs}, flags}));
  };
  ASSERT_TRUE(Succeeded(train("5", {})));
  EXPECT_TRUE(Succeeded(
      train("10", {"--resume", "--lr", "0.5", "--loss", "cross_entropy", "--output", "softmax"})));
  ASSERT_TRUE(
      Succeeded(train("5", {"--optimizer", "adam", "--lr", "1e-3", "--loss", "cross_entropy"})));
  EXPECT_TRUE(Succeeded(train("10", {"--resume", "--optimizer", "adam"})));
  EXPECT_TRUE(FailedWith(train("15", {"--resume", "--optimizer", "adam", "--lr", "0.002"}), 1,
                         {"given now --lr 0.002, then nothing"}));
  // So is --header at its default, auto.
  EXPECT_TRUE(Succeeded(train("15", {"--resume", "--optimizer", "adam", "--header", "auto"})));
}

// ---------------------------------------------------------------------------------------------
// Results out: history, plot, JSON lines and plain progress.

TEST_F(CliDataTest, HistoryHasAHeaderAndARowPerEpoch) {
  CopyData("iris.csv");
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3", "--epochs",
                         "12", "--validation", "0.2", "--quiet", "--history", "h.csv"})));
  const std::vector<std::string> rows = Lines(Read("h.csv"));
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[0], "epoch,loss,validation_loss,learning_rate,seconds");
  double seconds = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const std::vector<std::string> cells = Split(rows[i], ',');
    ASSERT_EQ(cells.size(), 5u) << rows[i];
    EXPECT_EQ(cells[0], std::to_string(i));
    EXPECT_GT(ParseDouble(cells[1]), 0.0) << rows[i];
    EXPECT_GT(ParseDouble(cells[2]), 0.0) << rows[i];
    EXPECT_EQ(ParseDouble(cells[3]), 0.5) << rows[i];
    EXPECT_GE(ParseDouble(cells[4]), seconds) << rows[i];
    seconds = ParseDouble(cells[4]);
  }
  // Without validation rows the validation cell is empty.
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(
      TrainMajority("majority.csv", {"--epochs", "3", "--quiet", "--history", "plain.csv"})));
  const std::vector<std::string> plain = Lines(Read("plain.csv"));
  ASSERT_EQ(plain.size(), 4u);
  EXPECT_TRUE(std::regex_match(plain[1], std::regex("1,[0-9.e+-]+,,0\\.5,[0-9.e+-]+"))) << plain[1];
}

TEST_F(CliDataTest, PlotIsAnSvgDocument) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "50", "--validation", "0.25", "--quiet", "--plot", "p.svg"})));
  const std::string svg = Read("p.svg");
  EXPECT_TRUE(svg.rfind("<svg", 0) == 0 || svg.rfind("<?xml", 0) == 0) << svg.substr(0, 80);
  EXPECT_NE(svg.find("<svg"), std::string::npos);
  EXPECT_NE(svg.find("polyline"), std::string::npos);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_EQ(Files(), (std::set<std::string>{"majority.csv", "p.svg"}));
}

TEST_F(CliDataTest, JsonPrintsOneObjectPerEpochAndNothingOnStderr) {
  CopyData("iris.csv");
  const Result result =
      Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3", "--epochs", "7",
               "--validation", "0.2", "--json", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result.err, "");
  const std::vector<std::string> lines = Lines(result.out);
  ASSERT_EQ(lines.size(), 7u) << result.out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind("{\"epoch\":" + std::to_string(i + 1) + ",", 0), 0u) << lines[i];
    EXPECT_EQ(lines[i].back(), '}') << lines[i];
    for (const char* key : {"\"loss\":", "\"learning_rate\":0.5", "\"seconds\":"})
      EXPECT_NE(lines[i].find(key), std::string::npos) << key << " in " << lines[i];
    EXPECT_TRUE(std::regex_search(lines[i], std::regex("\"validation_loss\":[0-9]"))) << lines[i];
  }
  // Without validation, null; with a test split, the test metrics follow as one more object.
  const Result test = Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3",
                               "--epochs", "3", "--test", "0.2", "--json"});
  ASSERT_TRUE(Succeeded(test));
  EXPECT_EQ(test.err, "");
  const std::vector<std::string> test_lines = Lines(test.out);
  ASSERT_EQ(test_lines.size(), 4u) << test.out;
  EXPECT_NE(test_lines[0].find("\"validation_loss\":null"), std::string::npos) << test_lines[0];
  EXPECT_EQ(test_lines[3].rfind("{\"accuracy\":", 0), 0u) << test_lines[3];
}

TEST_F(CliDataTest, ProgressIsPlainLinesWhenStderrIsNotATerminal) {
  CopyData("iris.csv");
  const Result result =
      Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "4,3", "--epochs", "20",
               "--report-every", "5", "--validation", "0.2", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err.find('\r'), std::string::npos);
  EXPECT_EQ(result.err.find('\x1b'), std::string::npos);
  const std::vector<std::string> lines = Lines(result.err);
  ASSERT_EQ(lines.size(), 7u) << result.err;
  EXPECT_EQ(lines.front(), "iris.csv: 150 rows, 3 classes");
  const std::vector<std::string> epochs{" 1", " 5", "10", "15", "20"};
  for (std::size_t i = 0; i < epochs.size(); ++i)
    EXPECT_TRUE(std::regex_match(
        lines[i + 1],
        std::regex("epoch " + epochs[i] + "/20  loss [0-9.e+-]+  validation [0-9.e+-]+")))
        << lines[i + 1];
  EXPECT_EQ(lines.back().rfind("trained 4-3 on 120 rows for 20 epochs: cross_entropy ", 0), 0u)
      << lines.back();
}

TEST_F(CliDataTest, ResultsThatCannotBeWrittenFailBeforeTraining) {
  Fixture("majority.csv");
  for (const char* flag : {"--history", "--plot", "--checkpoint"}) {
    const Result result = TrainMajority(
        "majority.csv", {flag, "no/such/file", "--checkpoint-every", "5", "--save", "m.json"});
    EXPECT_TRUE(FailedWith(result, 1, {"no/such/file", "cannot write", "does not exist"})) << flag;
    EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"}) << flag;
  }
}

// ---------------------------------------------------------------------------------------------
// Odd input: each case once crashed, misread or printed NaN.

TEST_F(CliDataTest, OneClassIsAnErrorNotAModel) {
  Write("one.csv", "x,y,c\n1,2,a\n2,3,a\n3,4,a\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "one.csv", "--classes", "--layers", "2,3,1",
                                  "--save", "one.json"}),
                         1, {"one.csv", "\"a\"", "two or more"}));
  EXPECT_FALSE(Exists("one.json"));
  // A model file that claims one class for its one sigmoid output is refused when read, not
  // indexed past (a probability above 0.5 is class 1, which it does not have).
  Write("two.csv", "x,y,c\n1,2,a\n2,3,b\n3,4,a\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "two.csv", "--classes", "--layers", "2,1",
                                 "--epochs", "2", "--quiet", "--save", "m.json"})));
  std::string model = Read("m.json");
  const std::string classes = "\"classes\": [\"a\",\"b\"]";
  ASSERT_NE(model.find(classes), std::string::npos);
  model.replace(model.find(classes), classes.size(), "\"classes\": [\"a\"]");
  Write("bad.json", model);
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "bad.json", "--data", "one.csv"}), 1,
                         {"bad.json", "classes", "or 2 for one sigmoid output", "got 1"}));
}

TEST_F(CliDataTest, ByteOrderMarkIsNotPartOfTheFirstField) {
  // Without a header: three rows, the first not taken for one.
  Write("bom.csv",
        "\xEF\xBB\xBF"
        "1,0,0,0\n0,1,1,1\n1,1,0,1\n");
  const Result plain = Neurona({"train", "--data", "bom.csv", "--layers", "3,1", "--epochs", "1"});
  ASSERT_TRUE(Succeeded(plain));
  EXPECT_NE(plain.err.find("bom.csv: 3 rows"), std::string::npos) << plain.err;
  // With one: its first name is found.
  Write("bom_header.csv",
        "\xEF\xBB\xBF"
        "a,b,y\n1,2,3\n2,3,5\n4,4,4\n");
  EXPECT_TRUE(Succeeded(Neurona({"train", "--data", "bom_header.csv", "--targets", "a", "--layers",
                                 "2,1", "--epochs", "1"})));
}

TEST_F(CliDataTest, LoneCarriageReturnLineEndsAreNamed) {
  Write("cr2.csv", "1,2,3\r4,5,6\r7,8,9\r");
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "cr2.csv", "--layers", "2,1", "--save", "m.json"}), 1,
      {"cr2.csv:1:6: a carriage return inside the line", "lone carriage return (old Mac style)"}));
  EXPECT_FALSE(Exists("m.json"));
}

// A first row is a header when a field is not a number; a number with a decimal comma is one,
// so that the row is refused with the HINT as any other row is, rather than dropped.
TEST_F(CliDataTest, DecimalCommaInTheFirstRowIsNotAHeader) {
  Write("dc.csv", "1;2,5;3\n4;5;6\n7;8;9\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "dc.csv", "--layers", "2,1", "--epochs", "1"}),
                         1,
                         {"dc.csv:1:3: field 2: expected a number, got \"2,5\"; HINT: write "
                          "decimals with a point\n"}));
  Write("dc.tsv", "-0,25\t1\t2\n4\t5\t6\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "dc.tsv", "--layers", "2,1", "--epochs", "1"}),
                         1, {"dc.tsv:1:1: field 1:", "\"-0,25\"", "HINT: write decimals"}));
  // Names are still a header.
  Write("names.csv", "sepal length;x1;y\n1;2;3\n4;5;6\n");
  const Result names =
      Neurona({"train", "--data", "names.csv", "--layers", "2,1", "--epochs", "1"});
  ASSERT_TRUE(Succeeded(names));
  EXPECT_NE(names.err.find("names.csv: 2 rows"), std::string::npos) << names.err;
}

TEST_F(CliDataTest, QuotedSeparatorInTheHeaderIsOneField) {
  CopyData("iris.csv");
  std::vector<std::string> lines = Lines(Read("iris.csv"));
  lines[0] = "\"sepal, length\",sw,pl,pw,species";
  std::string text;
  for (const std::string& line : lines)
    text += line + "\n";
  Write("quoted.csv", text);
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "quoted.csv"}, kIrisFlags, {"--quiet", "--save", "m.json"}}))));
  const Result predict = Neurona({"predict", "--model", "m.json", "--data", "quoted.csv"});
  ASSERT_TRUE(Succeeded(predict));
  EXPECT_EQ(Lines(predict.out).size(), 150u);
  // A quote inside a field is a character, as the reader takes it: the columns are still five.
  lines[0] = "sepal\"length,sw,pl,pw,species";
  text.clear();
  for (const std::string& line : lines)
    text += line + "\n";
  Write("inner.csv", text);
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "inner.csv"}, kIrisFlags, {"--quiet", "--save", "inner.json"}}))));
  EXPECT_TRUE(Succeeded(Neurona({"predict", "--model", "inner.json", "--data", "inner.csv"})));
}

TEST_F(CliDataTest, NumbersAreReadAsWritten) {
  // 1e-400 is zero to a double, not an error; "+-1" is no number.
  Write("tiny.csv", "a,y\n1e-400,1\n1,2\n2,3\n");
  const Result tiny = Neurona({"train", "--data", "tiny.csv", "--layers", "1,1", "--epochs", "1"});
  EXPECT_TRUE(Succeeded(tiny));
  Write("sign.csv", "a,y\n+-1,1\n1,2\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "sign.csv", "--layers", "1,1"}), 1,
                         {"sign.csv:2:1:", "expected a number", "\"+-1\""}));
}

TEST_F(CliDataTest, ValuesBeyondFloatAreAnErrorInFloat) {
  Write("big.csv", "a,y\n1e300,1\n1,2\n2,3\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "big.csv", "--layers", "1,1", "--precision",
                                  "float", "--save", "m.json"}),
                         1, {"big.csv", "float", "--scale standard"}));
  EXPECT_FALSE(Exists("m.json"));
  // Scaled, they fit.
  EXPECT_TRUE(
      Succeeded(Neurona({"train", "--data", "big.csv", "--layers", "1,1", "--precision", "float",
                         "--scale", "standard", "--epochs", "2", "--quiet", "--save", "m.json"})));
  // A float model without scaling, given an input beyond float's range.
  Write("small.csv", "a,y\n1,1\n2,2\n3,3\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "small.csv", "--layers", "1,1", "--precision",
                                 "float", "--epochs", "2", "--quiet", "--save", "f.json"})));
  Write("bigger.csv", "a\n1e39\n");
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "f.json", "--data", "bigger.csv"}), 1,
                         {"bigger.csv", "float"}));
}

TEST_F(CliDataTest, RegressionMetricsThatOverflowAreAnError) {
  Write("small.csv", "a,y\n1,1\n2,2\n3,3\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "small.csv", "--layers", "1,1", "--epochs", "2",
                                 "--quiet", "--save", "reg.json"})));
  Write("huge.csv", "a,y\n1,1e300\n2,-1e300\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "reg.json", "--data", "huge.csv"}), 1,
                         {"huge.csv", "overflow"}));
  // --classes asks for class labels of a model that has none.
  EXPECT_TRUE(
      FailedWith(Neurona({"evaluate", "--model", "reg.json", "--data", "small.csv", "--classes"}),
                 2, {"--classes", "reg.json", "regression"}));
}

TEST_F(CliDataTest, CosineScheduleEndsAtARateOfZero) {
  Fixture("majority.csv");
  for (const char* optimizer : {"sgd", "adam", "rprop", "lbfgs"}) {
    const Result result =
        TrainMajority("majority.csv", {"--optimizer", optimizer, "--epochs", "20", "--lr-schedule",
                                       "cosine", "--history", "h.csv", "--save", "m.json"});
    ASSERT_TRUE(Succeeded(result)) << optimizer;
    EXPECT_TRUE(Exists("m.json")) << optimizer;
  }
}

TEST_F(CliDataTest, NumberBeyondDoubleInAModelNamesItsPlace) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "2", "--quiet", "--save", "m.json"})));
  std::string model = Read("m.json");
  const std::size_t w = model.find("\"W\": [");
  ASSERT_NE(w, std::string::npos);
  const std::size_t first = model.find_first_of("-0123456789", w);
  const std::size_t end = model.find_first_of(",]", first);
  model.replace(first, end - first, "1e999");
  Write("big.json", model);
  const std::string where = "big.json:" + EndPosition(model.substr(0, first)) + ":";
  for (const char* command : {"predict", "evaluate"})
    EXPECT_TRUE(FailedWith(Neurona({command, "--model", "big.json", "--data", "majority.csv"}), 1,
                           {where, "1e999", "beyond double"}))
        << command;
}

TEST_F(CliDataTest, ResultsNeverReplaceInputsOrEachOther) {
  CopyData("iris.csv");
  const std::vector<std::string> train{"train", "--data",   "iris.csv", "--classes", "--layers",
                                       "4,3",   "--epochs", "2",        "--quiet"};
  const std::string data = Read("iris.csv");
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--save", "iris.csv"}})), 2,
                         {"--save iris.csv", "would replace --data iris.csv"}));
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--save", "./m.json", "--history", "m.json"}})), 2,
                         {"--save ./m.json", "--history m.json", "same file"}));
  EXPECT_TRUE(FailedWith(
      Neurona(
          Args({train, {"--save", "m.json", "--checkpoint", "m.json", "--checkpoint-every", "1"}})),
      2, {"--checkpoint m.json", "same file"}));
  EXPECT_EQ(Read("iris.csv"), data);
  EXPECT_FALSE(Exists("m.json"));
  // A model trained further in place is fine: --init is read before --save writes.
  ASSERT_TRUE(Succeeded(Neurona(Args({train, {"--save", "m.json"}}))));
  EXPECT_TRUE(Succeeded(Neurona({"train", "--data", "iris.csv", "--classes", "--init", "m.json",
                                 "--epochs", "2", "--quiet", "--save", "m.json"})));
  // A link is followed: the file it names is replaced, the link stays.
  fs::create_symlink("m.json", Path("link.json"));
  ASSERT_TRUE(Succeeded(Neurona(Args({train, {"--seed", "5", "--save", "link.json"}}))));
  EXPECT_TRUE(fs::is_symlink(Path("link.json")));
  EXPECT_EQ(Read("m.json"), Read("link.json"));
  EXPECT_NE(Read("m.json").find("--seed 5"), std::string::npos);
  // A link to a file not yet there makes it there.
  fs::create_symlink("new.json", Path("ahead.json"));
  ASSERT_TRUE(Succeeded(Neurona(Args({train, {"--save", "ahead.json"}}))));
  EXPECT_TRUE(fs::is_symlink(Path("ahead.json")));
  EXPECT_TRUE(fs::is_regular_file(Path("new.json")));
  // A loop of links is refused; neither link is replaced by a file.
  fs::create_symlink("loop2.json", Path("loop1.json"));
  fs::create_symlink("loop1.json", Path("loop2.json"));
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--save", "loop1.json"}})), 1,
                         {"loop1.json", "too many levels of symbolic links"}));
  EXPECT_TRUE(fs::is_symlink(Path("loop1.json")) && fs::is_symlink(Path("loop2.json")));
  // A pipe is not replaced by a file.
  ASSERT_EQ(mkfifo(Path("pipe").c_str(), 0600), 0);
  EXPECT_TRUE(
      FailedWith(Neurona(Args({train, {"--history", "pipe"}})), 1, {"pipe", "not a regular file"}));
  EXPECT_TRUE(fs::is_fifo(Path("pipe")));
}

TEST_F(CliDataTest, DataComesFromStandardInputAsDash) {
  CopyData("iris.csv");
  const std::string iris = Read("iris.csv");
  // Training reads the rows once though it looks at them three times (format, classes, rows):
  // the same model as from the file, but for the record of where the data came from.
  const std::vector<std::string> train = Args({kIrisFlags, {"--validation", "0.2", "--quiet"}});
  ASSERT_TRUE(
      Succeeded(Neurona(Args({{"train", "--data", "iris.csv"}, train, {"--save", "f.json"}}))));
  ASSERT_TRUE(Succeeded(
      NeuronaWithInput(Args({{"train", "--data", "-"}, train, {"--save", "s.json"}}), iris)));
  const auto layers = [](const std::string& model) {
    return model.substr(model.find("\"layers\""));
  };
  EXPECT_EQ(layers(Read("s.json")), layers(Read("f.json")));
  EXPECT_NE(Read("s.json").find("\"data\":\"/dev/stdin\""), std::string::npos);
  // The record's checksum is of the bytes that came through the pipe.
  const auto crc = [](const std::string& model) {
    return model.substr(model.find("data_crc32"), 22);
  };
  EXPECT_EQ(crc(Read("s.json")), crc(Read("f.json")));

  const Result from_file = Neurona({"predict", "--model", "f.json", "--data", "iris.csv"});
  const Result from_pipe = NeuronaWithInput({"predict", "--model", "f.json", "--data", "-"}, iris);
  ASSERT_TRUE(Succeeded(from_pipe));
  EXPECT_EQ(from_pipe.out, from_file.out);
  EXPECT_EQ(NeuronaWithInput({"evaluate", "--model", "f.json", "--data", "-"}, iris).out,
            Neurona({"evaluate", "--model", "f.json", "--data", "iris.csv"}).out);

  // Errors name it as the system does.
  EXPECT_TRUE(FailedWith(
      NeuronaWithInput({"predict", "--model", "f.json", "--data", "-"}, "1,2,3,4\n1,x,3,4\n"), 1,
      {"/dev/stdin:2:3: field 2: expected a number"}));
  EXPECT_TRUE(FailedWith(NeuronaWithInput({"predict", "--model", "f.json", "--data", "-"}, ""), 1,
                         {"/dev/stdin: the file is empty"}));
  // IDX comes in pairs of files read by path.
  EXPECT_TRUE(FailedWith(NeuronaWithInput({"train", "--data", "-", "--labels", kLabels, "--layers",
                                           "784,10", "--epochs", "1"},
                                          ReadFile(kImages).substr(0, 4096)),
                         2, {"--data /dev/stdin", "IDX files are read from a file"}));
}

TEST_F(CliDataTest, TextThatIsNotUtf8NeverAbortsASave) {
  // A Latin-1 export: the model file (JSON) could not hold "Espa\xF1a" (an abort, before).
  Write("latin1.csv",
        "x,country\n1,Espa\xF1"
        "a\n2,Chile\n3,Espa\xF1"
        "a\n4,Chile\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "latin1.csv", "--classes", "--layers", "1,2",
                                  "--epochs", "1", "--save", "m.json"}),
                         1,
                         {"latin1.csv:2:3",
                          "\"Espa\\xF1"
                          "a\"",
                          "not UTF-8", "save the file as UTF-8"}));
  EXPECT_FALSE(Exists("m.json"));
  // A file name is any bytes: the model's record of the command shows such a byte as U+FFFD.
  Write("caf\xE9.csv", "x,country\n1,Spain\n2,Chile\n3,Spain\n4,Chile\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "caf\xE9.csv", "--classes", "--layers", "1,2",
                                 "--epochs", "1", "--quiet", "--save", "m.json"})));
  EXPECT_NE(Read("m.json").find("caf\xEF\xBF\xBD.csv"), std::string::npos);
  EXPECT_TRUE(Succeeded(Neurona({"predict", "--model", "m.json", "--data", "caf\xE9.csv"})));
}

TEST_F(CliDataTest, OutputsThatOverflowAreAnErrorNotAPrediction) {
  Write("huge.json", R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 2,
    "loss": "half_squared_error",
    "layers": [{"units": 1, "activation": "linear", "W": [[1e308], [1e308]], "b": [0]}]})");
  // The row is named by its line, past the blank one.
  Write("x.csv", "a,b,y\n0,0,1\n\n10,10,1\n");
  for (const char* command : {"predict", "evaluate"})
    EXPECT_TRUE(FailedWith(Neurona({command, "--model", "huge.json", "--data", "x.csv"}), 1,
                           {"x.csv:4: the model's output 1 is inf", "overflows double"}))
        << command;
}

TEST_F(CliDataTest, ClassLabelsWithControlCharactersAreRefused) {
  // A quoted tab would make a label that predict's one-per-line output cannot show.
  Write("tab.csv", "x,y\n1,\"a\tb\"\n2,c\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "tab.csv", "--classes", "--layers", "1,2",
                                  "--epochs", "1", "--save", "m.json"}),
                         1, {"tab.csv:2:3: field 2: the class label \"a\\x09b\"", "tab"}));
  EXPECT_FALSE(Exists("m.json"));
}

TEST_F(CliDataTest, ClassesWithAsManyInputsAsColumnsIsACountOfColumns) {
  // The label column taken for an input: its count is what is wrong, not "setosa" as a number.
  CopyData("iris.csv");
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "iris.csv", "--classes", "--layers", "5,3,3", "--epochs", "1"}),
      1,
      {"iris.csv:2: rows have 5 columns; with 1 target column of class labels, the network's 5 "
       "inputs need 6"}));
}

TEST_F(CliDataTest, ClassesTrainWithAClassifiersLoss) {
  // evaluate reads one class per row: a regression or several sigmoids could not be scored.
  CopyData("iris.csv");
  const std::vector<std::string> train{"train",    "--data", "iris.csv", "--classes",
                                       "--layers", "4,8,3",  "--epochs", "1",
                                       "--quiet",  "--save", "m.json"};
  for (const char* loss : {"half_squared_error", "binary_cross_entropy"})
    EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--loss", loss}})), 2,
                           {"--loss", loss, "the targets are classes"}))
        << loss;
  EXPECT_FALSE(Exists("m.json"));
  // Nor may --init bring a regression model to class labels.
  Write("r.json", R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 4,
    "loss": "half_squared_error", "layers": [{"units": 3, "activation": "linear",
    "W": [[0, 0, 0], [0, 0, 0], [0, 0, 0], [0, 0, 0]], "b": [0, 0, 0]}]})");
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "iris.csv", "--classes", "--init", "r.json", "--epochs", "1"}), 2,
      {"--init r.json (loss half_squared_error)", "the targets are classes"}));
  // A softmax of one unit is 1 whatever its weights.
  CopyData("diabetes.csv");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "diabetes.csv", "--layers", "10,8,1",
                                  "--output", "softmax", "--epochs", "1"}),
                         2, {"softmax over one unit"}));
  // A checkpoint file that nothing writes or reads.
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--checkpoint", "c.json"}})), 2,
                         {"--checkpoint c.json", "--checkpoint-every"}));
}

TEST_F(CliDataTest, ScalingOutOfRangeNamesTheFile) {
  // Fitting: a column spread across double's whole range has no finite range.
  Write("wide.csv", "x,y\n-1.7e308,0\n1.7e308,1\n0,1\n");
  EXPECT_TRUE(FailedWith(Neurona({"train", "--data", "wide.csv", "--layers", "1,1", "--scale",
                                  "minmax", "--save", "m.json"}),
                         1, {"wide.csv: --scale minmax: column 1: values from -1.7e+308"}));
  // Applying: a model whose scale was edited to a subnormal sends an input out of range.
  Write("x.csv", "a,y\n1,0\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "x.csv", "--layers", "1,1", "--scale", "minmax",
                                 "--epochs", "1", "--quiet", "--save", "m.json"})));
  const std::string model = Read("m.json");
  const std::size_t at = model.find("\"scale\": [") + 10;
  Write("edited.json", model.substr(0, at) + "1e-320" + model.substr(model.find(']', at)));
  Write("big.csv", "a,y\n\n1e10,0\n");  // line 3, past a blank one
  for (const char* command : {"predict", "evaluate"})
    EXPECT_TRUE(FailedWith(Neurona({command, "--model", "edited.json", "--data", "big.csv"}), 1,
                           {"big.csv:3, column 1: scaled", "too large"}))
        << command;
}

TEST_F(CliDataTest, ScalingOutOfRangeInAHeldOutRowNamesItsLine) {
  // Scaled by the training rows' tiny range, the held-out 1e10 on line 8 overflows: its line is
  // named, not its place in the shuffled part.
  Write("tiny.csv", "a,b,y\n0,1,0\n1e-300,2,1\n0,3,0\n1e-300,4,1\n0,3,0\n1e-300,4,1\n1e10,5,1\n");
  int held_out = 0;
  for (const char* seed : {"1", "2", "3", "4", "5", "6", "7", "8"}) {
    const Result result =
        Neurona({"train", "--data", "tiny.csv", "--layers", "2,1", "--scale", "minmax", "--epochs",
                 "1", "--validation", "0.3", "--quiet", "--seed", seed});
    if (result.status == 0) continue;  // 1e10 drawn into the training rows
    ++held_out;
    EXPECT_TRUE(FailedWith(result, 1, {"tiny.csv:8, column 1: scaled, (10000000000 - 0)"})) << seed;
  }
  EXPECT_GT(held_out, 0);
}

TEST_F(CliDataTest, CrossEntropyNeedsProbabilityTargets) {
  CopyData("diabetes.csv");
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--data", "diabetes.csv", "--layers", "10,5,1", "--loss",
                          "binary_cross_entropy", "--save", "m.json"}),
                 1, {"diabetes.csv:2, column 11: the target", "not a probability", "--classes"}));
  EXPECT_FALSE(Exists("m.json"));
}

TEST_F(CliDataTest, EveryCommandThatScoresRefusesTargetsItsLossCannotScore) {
  // A model of probabilities, scored on targets training would refuse: 7 and -1 would count as
  // classes 1 and 0 without a word.
  Write("xor.csv", "0,0,0\n0,1,1\n1,0,1\n1,1,0\n");
  ASSERT_TRUE(Succeeded(
      Neurona({"train", "--data", "xor.csv", "--layers", "2,3,1", "--loss", "binary_cross_entropy",
               "--epochs", "3", "--quiet", "--save", "bce.json"})));
  Write("odd.csv", "0,0,0\n0,1,7\n1,0,0.5\n1,1,-1\n");
  const std::vector<std::vector<std::string>> commands{
      {"evaluate", "--model", "bce.json", "--data", "odd.csv"},
      {"report", "--model", "bce.json", "--data", "odd.csv", "--out", "r.html"},
      {"explain", "--model", "bce.json", "--data", "odd.csv"},
      {"gradcheck", "--model", "bce.json", "--data", "odd.csv"}};
  for (const auto& command : commands)
    EXPECT_TRUE(FailedWith(Neurona(command), 1,
                           {"odd.csv:2, column 3: the target 7 is not a probability in [0, 1]"}))
        << command[0];
  EXPECT_FALSE(Exists("r.html"));
  // predict reads no targets, so a placeholder column (-1 here) does not matter.
  const Result predict = Neurona({"predict", "--model", "bce.json", "--data", "odd.csv"});
  ASSERT_TRUE(Succeeded(predict));
  Write("inputs.csv", "0,0\n0,1\n1,0\n1,1\n");
  EXPECT_EQ(predict.out, Neurona({"predict", "--model", "bce.json", "--data", "inputs.csv"}).out);
  // Softmax's targets: one probability per class, summing to 1.
  Write("soft.csv", "0,0,1,0,0\n0,1,0,1,0\n1,0,0,0,1\n1,1,1,0,0\n");
  ASSERT_TRUE(
      Succeeded(Neurona({"train", "--data", "soft.csv", "--layers", "2,3,3", "--loss",
                         "cross_entropy", "--epochs", "3", "--quiet", "--save", "ce.json"})));
  Write("unsummed.csv", "0,0,1,0,0\n0,1,0,0,0\n");
  EXPECT_TRUE(FailedWith(Neurona({"evaluate", "--model", "ce.json", "--data", "unsummed.csv"}), 1,
                         {"unsummed.csv:2: targets summing to 0"}));
  // Thirds to two decimals, summing 0.01 off 1 either way, taken as the library's check takes
  // them, in either precision.
  Write("thirds.csv", "0,0,0.33,0.33,0.33\n0,1,0.34,0.34,0.33\n1,0,0.5,0.25,0.25\n");
  for (const char* precision : {"double", "float"})
    EXPECT_TRUE(
        Succeeded(Neurona({"train", "--data", "thirds.csv", "--layers", "2,3,3", "--loss",
                           "cross_entropy", "--precision", precision, "--epochs", "3", "--quiet"})))
        << precision;
}

TEST_F(CliDataTest, FlagsThatWouldDoNothingAreUsageErrors) {
  CopyData("iris.csv");
  const std::vector<std::string> train{"train",     "--data",   "iris.csv",
                                       "--classes", "--layers", "4,3"};
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--validation", "0.001"}})), 2,
                         {"--validation 0.001", "none of the 150 rows"}));
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--test", "0.001"}})), 2, {"--test 0.001"}));
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--lr", ""}})), 2, {"--lr", "empty value"}));
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--history="}})), 2, {"--history", "empty value"}));
  // No hidden layer for --activation to act on: the output's is --output.
  EXPECT_TRUE(FailedWith(Neurona(Args({train, {"--activation", "relu"}})), 2,
                         {"--activation", "no hidden layer", "--output"}));
}

TEST_F(CliDataTest, PredictNamesTheLinesItDropped) {
  CopyData("iris.csv");
  ASSERT_TRUE(Succeeded(Neurona(
      Args({{"train", "--data", "iris.csv"}, kIrisFlags, {"--quiet", "--save", "m.json"}}))));
  Write("holes.csv", "5.1,3.5,1.4,0.2\n5,NA,1,1\n6.3,3.3,6.0,2.5\n");
  const Result result =
      Neurona({"predict", "--model", "m.json", "--data", "holes.csv", "--drop-missing"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result.out, "setosa\nvirginica\n");
  EXPECT_NE(result.err.find("holes.csv: no prediction for line 2"), std::string::npos)
      << result.err;
}

TEST_F(CliDataTest, ResumingACosineScheduleNeedsTheSameEpochs) {
  Fixture("majority.csv");
  const std::vector<std::string> cosine{"--optimizer",   "adam",   "--lr",   "0.05",
                                        "--lr-schedule", "cosine", "--quiet"};
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv",
      Args({cosine, {"--epochs", "20", "--checkpoint-every", "10", "--checkpoint", "ck.json"}}))));
  // Another total is another curve: refused, naming it.
  EXPECT_TRUE(
      FailedWith(TrainMajority("majority.csv", Args({cosine,
                                                     {"--epochs", "40", "--checkpoint", "ck.json",
                                                      "--resume", "--save", "m.json"}})),
                 1, {"ck.json", "given now --epochs 40, then --epochs 20"}));
}

TEST_F(CliDataTest, BadDataFlagsAreUsageErrors) {
  Fixture("majority.csv");
  CopyData("iris.csv");
  const std::vector<std::pair<std::vector<std::string>, std::vector<std::string_view>>> cases{
      {{"--data", "majority.csv", "--layers", "3,1", "--separator", "|"},
       {"--separator", "\"|\"", "tab"}},
      {{"--data", "majority.csv", "--layers", "3,1", "--separator", "semicolon"},
       {"--separator", "\"semicolon\""}},
      {{"--data", "majority.csv", "--layers", "3,1", "--targets", "nope"},
       {"--targets", "\"nope\"", "1 to 4"}},
      {{"--data", "majority.csv", "--layers", "3,1", "--targets", "9"}, {"--targets", "\"9\""}},
      {{"--data", "iris.csv", "--classes", "--layers", "4,3", "--targets",
        "species,petal_width_cm"},
       {"--targets", "2 columns"}},
      {{"--data", "iris.csv", "--classes", "--layers", "4,2"},
       {"--layers 4,2", "2 outputs", "3 classes"}},
  };
  for (const auto& [flags, parts] : cases) {
    const Result result =
        Neurona(Args({{"train"}, flags, {"--history", "h.csv", "--save", "m.json"}}));
    EXPECT_TRUE(FailedWith(result, 2, parts)) << flags.back();
    EXPECT_EQ(Files(), (std::set<std::string>{"majority.csv", "iris.csv"})) << flags.back();
  }
}

}  // namespace
