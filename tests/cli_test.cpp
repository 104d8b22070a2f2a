// The `neurona` command line, run as a user runs it: each test starts the built binary in a fresh
// temporary folder and checks its exit status, what it printed on stdout and stderr, and the files
// it left behind.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "cli_runner.hpp"

namespace {

using namespace cli_test;

// ---------------------------------------------------------------------------------------------
// Bad data files: exit 1, one line naming the file (and line:column), nothing written.

TEST_F(CliTest, MissingDataFileIsAnError) {
  const Result result =
      Neurona({"train", "--data", "nowhere.csv", "--layers", "3,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"nowhere.csv", "no such file"}));
  EXPECT_EQ(Files(), std::set<std::string>{});
}

TEST_F(CliTest, EmptyDataFileIsAnError) {
  Write("empty.csv", "");
  const Result result =
      Neurona({"train", "--data", "empty.csv", "--layers", "3,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"empty.csv", "empty"}));
  EXPECT_EQ(Files(), std::set<std::string>{"empty.csv"});
}

TEST_F(CliTest, FolderAsDataFileIsAnError) {
  fs::create_directory(Path("data"));
  const Result result = Neurona({"train", "--data", "data", "--layers", "3,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"data", "folder", "expected a CSV file"}));
  EXPECT_EQ(Files(), std::set<std::string>{"data"});
}

TEST_F(CliTest, RaggedRowNamesFileLineAndColumn) {
  Write("ragged.csv", "x1,x2,x3,y\n1,0,0,0\n0,1,0\n");
  const Result result =
      Neurona({"train", "--data", "ragged.csv", "--layers", "3,1", "--save", "m.json"});
  // Line 3 has 3 fields where 4 were expected; the missing one would start at column 6.
  EXPECT_TRUE(FailedWith(result, 1, {"ragged.csv:3:6:", "expected 4 fields", "got 3"}));
  EXPECT_EQ(Files(), std::set<std::string>{"ragged.csv"});
}

TEST_F(CliTest, NonNumericCellNamesFileLineColumnAndText) {
  Write("words.csv", "x1,x2,x3,y\n1,0,0,0\n0,1,abc,0\n");
  const Result result =
      Neurona({"train", "--data", "words.csv", "--layers", "3,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"words.csv:3:5:", "expected a number", "\"abc\""}));
  EXPECT_EQ(Files(), std::set<std::string>{"words.csv"});
}

TEST_F(CliTest, NanInDataIsAnError) {
  Write("nan.csv", "x1,x2,x3,y\n1,0,0,0\n0,1,nan,0\n");
  const Result result =
      Neurona({"train", "--data", "nan.csv", "--layers", "3,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"nan.csv:3:5:", "expected a finite number", "\"nan\""}));
  EXPECT_EQ(Files(), std::set<std::string>{"nan.csv"});
}

TEST_F(CliTest, InfInDataIsAnError) {
  Write("inf.csv", "x1,x2,x3,y\n1,0,0,0\n0,inf,1,0\n");
  const Result result =
      Neurona({"train", "--data", "inf.csv", "--layers", "3,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"inf.csv:3:3:", "expected a finite number", "\"inf\""}));
  EXPECT_EQ(Files(), std::set<std::string>{"inf.csv"});
}

TEST_F(CliTest, ColumnCountThatDoesNotFitTheNetworkIsAnError) {
  Fixture("majority.csv");  // 4 columns; a 2-input, 1-output network needs 3
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "2,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"majority.csv:2:", "rows have 4 columns", "needs 3"}));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

// ---------------------------------------------------------------------------------------------
// Bad model files: exit 1, one line naming the file and where it went wrong.

TEST_F(CliTest, MalformedModelFileNamesLineAndColumn) {
  Fixture("majority.csv");
  Write("bad.json", "{\n  \"format\": \"neurona\",\n  \"version\": 1,,\n}\n");
  const Result result = Neurona({"predict", "--model", "bad.json", "--data", "majority.csv"});
  // The second comma of line 3 is at column 16.
  EXPECT_TRUE(FailedWith(result, 1, {"bad.json:3:16:", "malformed JSON"}));
  EXPECT_EQ(Files(), (std::set<std::string>{"bad.json", "majority.csv"}));
}

TEST_F(CliTest, TruncatedModelFileIsAnError) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "10", "--quiet", "--save", "m.json"})));
  const std::string whole = Read("m.json");
  const std::string half = whole.substr(0, whole.size() / 2);
  Write("cut.json", half);
  // Training from the cut file into the whole one must leave the whole one as it was.
  const Result result = Neurona(
      {"train", "--data", "majority.csv", "--init", "cut.json", "--quiet", "--save", "m.json"});
  EXPECT_TRUE(
      FailedWith(result, 1, {"cut.json:" + EndPosition(half) + ":", "unexpected end of input"}));
  EXPECT_EQ(Read("m.json"), whole);
  EXPECT_EQ(Files(), (std::set<std::string>{"cut.json", "m.json", "majority.csv"}));
}

TEST_F(CliTest, ModelWhoseShapesDoNotFitIsAnError) {
  Fixture("majority.csv");
  Fixture("wrong_shape_model.json");  // 3 inputs, but the first W has 2 rows
  const Result result =
      Neurona({"predict", "--model", "wrong_shape_model.json", "--data", "majority.csv"});
  EXPECT_TRUE(FailedWith(
      result, 1, {"wrong_shape_model.json", "layers[0].W", "expected 3 rows", "got 2 rows"}));
  EXPECT_EQ(Files(), (std::set<std::string>{"majority.csv", "wrong_shape_model.json"}));
}

// ---------------------------------------------------------------------------------------------
// Bad flags: exit 2, one line naming the flag.

TEST_F(CliTest, LayersWithAnEmptyWidthIsAUsageError) {
  Fixture("majority.csv");
  const Result result = Neurona({"train", "--data", "majority.csv", "--layers", "3,,1"});
  EXPECT_TRUE(FailedWith(result, 2, {"--layers", "3,,1", "layer 1 is empty"}));
}

TEST_F(CliTest, LayersWithAZeroWidthIsAUsageError) {
  Fixture("majority.csv");
  const Result result = Neurona({"train", "--data", "majority.csv", "--layers", "3,0,1"});
  EXPECT_TRUE(FailedWith(result, 2, {"--layers", "3,0,1", "\"0\"", "at least 1"}));
}

TEST_F(CliTest, LayersWithANegativeWidthIsAUsageError) {
  Fixture("majority.csv");
  const Result result = Neurona({"train", "--data", "majority.csv", "--layers", "3,-2,1"});
  EXPECT_TRUE(FailedWith(result, 2, {"--layers", "3,-2,1", "\"-2\"", "at least 1"}));
}

TEST_F(CliTest, LayerTooWideToAllocateIsAQuickUsageError) {
  Fixture("majority.csv");
  const auto start = std::chrono::steady_clock::now();
  const Result result = Neurona(
      {"train", "--data", "majority.csv", "--layers", "3,100000000000,1", "--save", "m.json"});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(FailedWith(result, 2, {"--layers", "3,100000000000,1", "GiB"}));
  EXPECT_LT(elapsed, std::chrono::seconds(5));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

TEST_F(CliTest, RowsTooManyAtOnceForMemoryIsAQuickUsageError) {
  Fixture("majority.csv");
  // Weights and gradients two thirds of the memory, the 8 rows' values in each layer more.
  const double memory = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
  const std::string layers = "3," + std::to_string(std::int64_t(memory / (8 * 15))) + ",1";
  const auto start = std::chrono::steady_clock::now();
  Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", layers, "--save", "m.json"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(
      FailedWith(result, 2, {"--layers", layers, "the full batch", "8 rows at once", "GiB"}));
  result = Neurona({"train", "--data", "majority.csv", "--layers", layers, "--batch", "4"});
  EXPECT_TRUE(FailedWith(result, 2, {"--batch 4", "4 rows at once"}));
  result = Neurona({"train", "--data", "majority.csv", "--layers", layers, "--batch", "1",
                    "--validation", "0.5"});
  EXPECT_TRUE(FailedWith(result, 2, {"validation or test rows", "4 rows at once"}));
  result = Neurona({"train", "--data", "majority.csv", "--layers", layers, "--batch", "1",
                    "--report", "r.html"});
  EXPECT_TRUE(FailedWith(result, 2, {"--report r.html scores all rows", "8 rows at once"}));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

TEST_F(CliTest, ARunTooLargeForMemoryIsAQuickUsageError) {
  Fixture("majority.csv");
  // The weights, gradients and rows nine tenths of the memory: they fit, but the model file's
  // text, written at the end, would not.
  const double memory = double(sysconf(_SC_PHYS_PAGES)) * double(sysconf(_SC_PAGE_SIZE));
  const std::int64_t units = std::int64_t(memory / 300);
  const std::string layers = "3," + std::to_string(units) + ",1";
  const auto start = std::chrono::steady_clock::now();
  Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", layers, "--save", "m.json"});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_TRUE(FailedWith(
      result, 2,
      {"--layers " + layers + ": this run needs about", "the values of 8 rows in every layer",
       "the model file's text", "more than this machine's"}));
  // A quarter as wide fits, but not with L-BFGS's corrections and a checkpoint of them.
  const std::string narrower = "3," + std::to_string(units / 4) + ",1";
  result = Neurona({"train", "--data", "majority.csv", "--layers", narrower, "--optimizer", "lbfgs",
                    "--checkpoint-every", "1", "--checkpoint", "c.json"});
  EXPECT_TRUE(FailedWith(
      result, 2, {"--layers " + narrower, "lbfgs's state", "a checkpoint's copies and text"}));
  // Validation rows: the Trainer keeps a copy of the network, its rows too, at the best loss.
  const std::string wide = "3," + std::to_string(std::int64_t(memory / 250)) + ",1";
  result = Neurona({"train", "--data", "majority.csv", "--layers", wide, "--validation", "0.5"});
  EXPECT_TRUE(FailedWith(result, 2, {"the network kept at the best validation loss"}));
  // In float, the network is drawn in double first: both are held for a moment.
  const std::string single = "3," + std::to_string(std::int64_t(memory / (5 * 20))) + ",1";
  result = Neurona({"train", "--data", "majority.csv", "--layers", single, "--precision", "float",
                    "--batch", "1"});
  EXPECT_TRUE(FailedWith(result, 2, {"drawn in double", "then in float"}));
  // A record an epoch is kept, --history or not: a tiny network for more epochs than fit.
  const std::string epochs = std::to_string(std::int64_t(memory / 40));
  result = Neurona({"train", "--data", "majority.csv", "--layers", "3,2,1", "--epochs", epochs});
  EXPECT_TRUE(FailedWith(
      result, 2, {"--layers 3,2,1: this run needs about", "the history of " + epochs + " epochs"}));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

TEST_F(CliTest, NegativeLearningRateIsAUsageError) {
  Fixture("majority.csv");
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--lr", "-0.1"});
  EXPECT_TRUE(FailedWith(result, 2, {"--lr", "positive", "-0.1"}));
}

TEST_F(CliTest, ZeroLearningRateIsAUsageError) {
  Fixture("majority.csv");
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--lr", "0"});
  EXPECT_TRUE(FailedWith(result, 2, {"--lr", "positive", "got 0"}));
}

TEST_F(CliTest, LearningRateThatIsNotANumberIsAUsageError) {
  Fixture("majority.csv");
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--lr", "abc"});
  EXPECT_TRUE(FailedWith(result, 2, {"--lr", "abc"}));
}

TEST_F(CliTest, EveryDecimalFlagRefusesWordsAndHexadecimalNamingTheFlag) {
  Fixture("majority.csv");
  const std::vector<std::string> train{"train", "--data", "majority.csv", "--layers", "3,1"};
  const std::vector<std::string> gradcheck{"gradcheck", "--model", "m.json", "--data",
                                           "majority.csv"};
  struct Case {
    std::vector<std::string> command;
    std::vector<std::string> flags;
  };
  for (const Case& c : {
           Case{train,
                {"--lr", "--momentum", "--weight-decay", "--beta1", "--beta2", "--epsilon",
                 "--rmsprop-alpha", "--eta-minus", "--eta-plus", "--step-min", "--step-max",
                 "--lr-gamma", "--lr-min", "--lr-factor", "--lr-threshold", "--validation",
                 "--test"}},
           Case{gradcheck, {"--tolerance", "--step"}},
           Case{{"explain"}, {"--lr"}},
           Case{{"demo", "majority"}, {"--lr"}},
       })
    for (const std::string& flag : c.flags)
      // CLI11's own conversion read 0x10 as 16, and answered a word with "Could not convert".
      for (const std::string value : {"abc", "0x10", "0.5x", "+-1"}) {
        std::vector<std::string> args = c.command;
        args.insert(args.end(), {flag, value});
        EXPECT_TRUE(FailedWith(Neurona(args), 2,
                               {flag + ": expected a decimal number, got \"" + value + "\""}))
            << flag << " " << value;
      }
  // Numbers in their other forms pass on; those a double cannot hold, which read as 0 or inf, are
  // named as typed.
  EXPECT_TRUE(Succeeded(Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--epochs",
                                 "1", "--quiet", "--lr", "+.5e0", "--momentum", "1E-1"})));
  for (const std::string value : {"1e-400", "-1e400"})
    EXPECT_TRUE(
        FailedWith(Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--lr", value}),
                   2, {"--lr: the number " + value + " is beyond double's range"}))
        << value;
  EXPECT_TRUE(Succeeded(Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--epochs",
                                 "1", "--quiet", "--weight-decay", "1e-310"})));
}

// One message for every epoch count refused, naming the range that is taken.
TEST_F(CliTest, DemoEpochsNameTheirRange) {
  for (const char* epochs : {"0", "-1", "x"})
    EXPECT_TRUE(FailedWith(Neurona({"demo", "majority", "--epochs", epochs}), 2,
                           {"--epochs: expected a whole number from 1 to 2^63-1"}))
        << epochs;
}

// A diverging error is printed in powers of ten, not in hundreds of digits.
TEST_F(CliTest, DemoPrintsADivergingErrorInPowersOfTen) {
  const Result result =
      Neurona({"demo", "majority", "--lr", "100", "--epochs", "20", "--report-every", "10"});
  EXPECT_NE(result.out.find("iteration  1/20  error 0.4166656684\n"), std::string::npos)
      << result.out;
  EXPECT_TRUE(std::regex_search(
      result.out, std::regex("\niteration 10/20  error [1-9]\\.[0-9]{10}e\\+[0-9]+\n")))
      << result.out;
}

TEST_F(CliTest, DemoRefusesALearningRateFloatCannotHold) {
  // As train does, with the same words.
  for (const auto& [lr, message] :
       {std::pair{"1e300", "--lr 1e+300 is inf in float (--precision float)"},
        std::pair{"1e-50", "--lr 1e-50 is 0 in float (--precision float)"}})
    EXPECT_TRUE(FailedWith(
        Neurona({"demo", "majority", "--precision", "float", "--lr", lr, "--epochs", "2"}), 2,
        {message}))
        << lr;
  EXPECT_TRUE(Succeeded(Neurona({"demo", "majority", "--lr", "1e-50", "--epochs", "2"})));
}

TEST_F(CliTest, AnUnknownFlagIsNamedBeforeAMissingOne) {
  // CLI11 reported the missing --data first, and the unknown flag only once --data was there.
  for (const auto& [args, message] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{"train", "--bogus", "1"}, "neurona train has no flag --bogus"},
           {{"train", "--data", "x.csv", "--bogus=3"}, "neurona train has no flag --bogus"},
           {{"--bogus", "train"}, "neurona has no flag --bogus"},
           {{"demo", "majority", "--bogus"}, "neurona demo majority has no flag --bogus"}})
    EXPECT_TRUE(FailedWith(Neurona(args), 2, {"error: " + message + " (run with --help"}))
        << message;
  // A stray negative number is no flag.
  EXPECT_TRUE(
      FailedWith(Neurona({"demo", "majority", "--lr", "0.5", "-0.1"}), 2, {"not expected: -0.1"}));
}

TEST_F(CliTest, AFlagGivenTwiceIsNamed) {
  // CLI11's own words, "At Most 1 required but received 2", read as if a value were missing.
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--data", "majority.csv", "--epochs", "5", "--epochs", "6"}), 2,
                 {"error: --epochs is given 2 times; give it once (run with --help"}));
  EXPECT_TRUE(FailedWith(Neurona({"demo", "majority", "--lr", "0.5", "--lr=0.1", "--lr", "1"}), 2,
                         {"error: --lr is given 3 times; give it once"}));
}

TEST_F(CliTest, TwoFlagsCannotBothReadStandardInput) {
  EXPECT_TRUE(FailedWith(Neurona({"predict", "--model", "/dev/stdin", "--data", "-"}), 2,
                         {"--model /dev/stdin and --data - both read standard input"}));
  EXPECT_TRUE(FailedWith(Neurona({"report", "--model=/dev/stdin", "--history", "/dev/fd/0"}), 2,
                         {"--model /dev/stdin and --history /dev/fd/0 both read standard input"}));
  // train's --history is a file it writes, and only --data reads "-" as standard input.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"train", "--data", "-", "--history", "/dev/stdin"},
        std::vector<std::string>{"predict", "--model", "-", "--data", "-"}}) {
    const Result result = Neurona(args);
    EXPECT_EQ(result.err.find("both read standard input"), std::string::npos) << result.err;
  }
}

TEST_F(CliTest, AMisspeltCommandIsNamedWithTheCommandsThere) {
  EXPECT_TRUE(FailedWith(Neurona({"trian", "--data", "x.csv"}), 2,
                         {"neurona has no command \"trian\"; its commands: demo, train, predict, "
                          "evaluate, gradcheck, explain, report"}));
  EXPECT_TRUE(
      FailedWith(Neurona({"demo", "majorty"}), 2,
                 {"neurona demo has no command \"majorty\"; its commands: majority, house"}));
  // No command at all is CLI11's own message.
  EXPECT_TRUE(FailedWith(Neurona({}), 2, {"A subcommand is required"}));
}

TEST_F(CliTest, AStepScheduleWithoutItsStepIsNamed) {
  Fixture("majority.csv");
  EXPECT_TRUE(FailedWith(
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--lr-schedule", "step"}), 2,
      {"--lr-schedule step needs --lr-step N"}));
}

TEST_F(CliTest, NanLearningRateIsAUsageError) {
  Fixture("majority.csv");
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--lr", "nan"});
  EXPECT_TRUE(FailedWith(result, 2, {"--lr", "positive", "nan"}));
}

TEST_F(CliTest, UnknownLossIsAUsageErrorNamingTheFlag) {
  Fixture("majority.csv");
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--loss", "bogus"});
  EXPECT_TRUE(FailedWith(result, 2, {"--loss", "\"bogus\"", "half_squared_error"}));
}

TEST_F(CliTest, UnknownPrecisionIsAUsageErrorNamingTheFlag) {
  Fixture("majority.csv");
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--layers", "3,1", "--precision", "half"});
  EXPECT_TRUE(FailedWith(result, 2, {"--precision", "\"half\"", "float or double"}));
}

// ---------------------------------------------------------------------------------------------
// Save paths that cannot be written: exit 1 before any training, nothing left behind.

TEST_F(CliTest, SaveInAFolderThatDoesNotExistIsAnError) {
  Fixture("majority.csv");
  const Result result = TrainMajority("majority.csv", {"--save", "missing/m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"missing/m.json", "cannot write", "does not exist"}));
  EXPECT_EQ(Files(), std::set<std::string>{"majority.csv"});
}

TEST_F(CliTest, SaveUnderARegularFileIsAnError) {
  // Works as root too, where permission bits would not stop the write.
  Fixture("majority.csv");
  Write("plain", "not a folder\n");
  const Result result = TrainMajority("majority.csv", {"--save", "plain/m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"plain/m.json", "cannot write", "not a folder"}));
  EXPECT_EQ(Files(), (std::set<std::string>{"majority.csv", "plain"}));
  EXPECT_EQ(Read("plain"), "not a folder\n");
}

TEST_F(CliTest, SaveInAReadOnlyFolderIsAnError) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes into read-only folders";
  Fixture("majority.csv");
  fs::create_directory(Path("locked"));
  fs::permissions(Path("locked"), fs::perms::owner_read | fs::perms::owner_exec);
  const Result result = TrainMajority("majority.csv", {"--save", "locked/m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"locked/m.json", "cannot write"}));
  EXPECT_TRUE(fs::is_empty(Path("locked")));
}

// ---------------------------------------------------------------------------------------------
// Divergence: the epoch and a hint, exit 1, and no model saved.

TEST_F(CliTest, DivergentTrainingStopsWithEpochAndHintAndSavesNothing) {
  Fixture("large_targets.csv");
  const Result result = Neurona({"train", "--data", "large_targets.csv", "--layers", "1,1", "--lr",
                                 "1e6", "--epochs", "1000", "--quiet", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"diverged at epoch", "HINT", "learning rate"}));
  EXPECT_TRUE(std::regex_search(result.err, std::regex("epoch [0-9]+")));
  EXPECT_EQ(Files(), std::set<std::string>{"large_targets.csv"});
}

TEST_F(CliTest, DivergentTrainingLeavesAnOlderModelUntouched) {
  Fixture("large_targets.csv");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "large_targets.csv", "--layers", "1,1", "--lr",
                                 "1e-12", "--epochs", "5", "--quiet", "--save", "m.json"})));
  const std::string before = Read("m.json");
  const Result result = Neurona({"train", "--data", "large_targets.csv", "--layers", "1,1", "--lr",
                                 "1e6", "--epochs", "1000", "--quiet", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 1, {"diverged at epoch", "HINT"}));
  EXPECT_EQ(Read("m.json"), before);
  EXPECT_EQ(Files(), (std::set<std::string>{"large_targets.csv", "m.json"}));
}

// ---------------------------------------------------------------------------------------------
// Version, help and the tutorial's demos.

TEST_F(CliTest, VersionPrintsTheVersion) {
  const Result result = Neurona({"--version"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_TRUE(std::regex_match(
      result.out, std::regex("neurona [0-9]+\\.[0-9]+\\.[0-9]+\n"
                             "large matrix products \\(2\\^20 multiply-adds or more\\): "
                             "(OpenBLAS .*, kernel \\w+|Eigen [0-9.]+( \\(.*\\)|: .*)?)\n")))
      << result.out;
}

TEST_F(CliTest, HelpWorksOnEveryCommand) {
  const std::vector<std::vector<std::string>> commands{
      {"train"}, {"predict"}, {"gradcheck"}, {"demo"}, {"demo", "majority"}, {"demo", "house"}};
  for (std::vector<std::string> command : commands) {
    const std::string name = command.size() == 1 ? command[0] : command[0] + " " + command[1];
    command.push_back("--help");
    const Result result = Neurona(command);
    EXPECT_TRUE(Succeeded(result)) << name;
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << name << ": " << result.out;
    EXPECT_NE(result.out.find(name + " [OPTIONS]"), std::string::npos)
        << name << ": " << result.out;
  }
}

// The tutorial's house is one row: "1 row", "1 epoch", not "1 rows".
TEST_F(CliTest, OneRowAndOneEpochAreSingular) {
  Write("house.csv", "size,price\n50,300\n");
  const Result result =
      Neurona({"train", "--data", "house.csv", "--layers", "1,1,1", "--activation", "relu", "--lr",
               "1e-5", "--epochs", "1", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_NE(result.err.find("house.csv: 1 row\n"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("trained 1-1-1 on 1 row for 1 epoch: "), std::string::npos)
      << result.err;
}

TEST_F(CliTest, DemoHousePrintsTheTutorialsNumbers) {
  const Result result = Neurona({"demo", "house"});
  ASSERT_TRUE(Succeeded(result));
  const std::string& out = result.out;
  EXPECT_NE(out.find("Initial prediction: 10.24\n"), std::string::npos) << out;
  EXPECT_NEAR(NumberAfter(out, "Initial error: "), 41980.4288, 41980.4288 * 1e-9);
  EXPECT_NEAR(NumberAfter(out, "Updated w1: "), 0.557952, 0.557952 * 1e-12);
  EXPECT_NEAR(NumberAfter(out, "Updated b1: "), 0.10115904, 0.10115904 * 1e-12);
  EXPECT_NEAR(NumberAfter(out, "Updated w_out: "), 0.47272976, 0.47272976 * 1e-12);
  EXPECT_NEAR(NumberAfter(out, "Updated b_out: "), 0.2028976, 0.2028976 * 1e-12);

  std::vector<std::string> iterations;
  for (const std::string& line : Lines(out))
    if (line.rfind("Iteration ", 0) == 0) iterations.push_back(line.substr(0, line.find(',')));
  const std::vector<std::string> expected{
      "Iteration 1/1000",   "Iteration 101/1000", "Iteration 201/1000", "Iteration 301/1000",
      "Iteration 401/1000", "Iteration 501/1000", "Iteration 601/1000", "Iteration 701/1000",
      "Iteration 801/1000", "Iteration 901/1000"};
  EXPECT_EQ(iterations, expected);
  EXPECT_NEAR(NumberAfter(out, "Final prediction after training: "), 300.0, 1e-9);
}

TEST_F(CliTest, DemoMajorityClassifiesEveryRow) {
  const Result result = Neurona({"demo", "majority"});
  ASSERT_TRUE(Succeeded(result));
  const std::vector<std::string> lines = Lines(result.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("accuracy: 8/8", 0), 0u) << lines.back();
}

// ---------------------------------------------------------------------------------------------
// Training and predicting.

TEST_F(CliTest, TrainThenPredictReproducesTheMajorityTable) {
  Fixture("majority.csv");
  const Result train = TrainMajority("majority.csv", {"--quiet", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(train));
  EXPECT_EQ(train.out, "");
  ASSERT_TRUE(Exists("m.json"));

  const Result predict = Neurona({"predict", "--model", "m.json", "--data", "majority.csv"});
  ASSERT_TRUE(Succeeded(predict));
  EXPECT_EQ(predict.err, "");
  const std::vector<std::string> lines = Lines(predict.out);
  ASSERT_EQ(lines.size(), kMajorityTargets.size()) << predict.out;
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(std::round(ParseDouble(lines[i])), kMajorityTargets[i]) << "row " << i + 1;
  EXPECT_EQ(Files(), (std::set<std::string>{"majority.csv", "m.json"}));
}

// Results written to a full disk are lost: the command fails, naming standard output, whether the
// write fails at the end (a few lines, still buffered) or midway (many).
TEST_F(CliTest, AFullDiskOnStandardOutputFailsTheCommand) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--quiet", "--save", "m.json"})));
  std::string many = "x1,x2,x3,y\n";
  for (int i = 0; i < 2000; ++i)
    many += "1,0,1,1\n";
  Write("many.csv", many);
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"predict", "--model", "m.json", "--data", "majority.csv"},
           {"predict", "--model", "m.json", "--data", "many.csv"},
           {"evaluate", "--model", "m.json", "--data", "majority.csv"},
           {"evaluate", "--model", "m.json", "--data", "many.csv", "--json"},
           {"train", "--data", "majority.csv", "--layers", "3,2,1", "--epochs", "3", "--json"},
           {"demo", "house"}}) {
    const Result result = NeuronaWritingTo(args, "/dev/full");
    EXPECT_EQ(result.status, 1) << args[0] << " " << args.back();
    EXPECT_EQ(result.err, "error: standard output: No space left on device\n")
        << args[0] << " " << args.back();
  }
  for (const char* flag : {"--help", "--version"})
    EXPECT_TRUE(FailedWith(NeuronaWritingTo({flag}, "/dev/full"), 1, {"error: standard output"}))
        << flag;
}

// Messages that cannot be written (stderr on a full disk) are let go: the command's results and
// exit status are what they would be, rather than an abort, or a run ended by its first progress
// line.
TEST_F(CliTest, AFullDiskOnStandardErrorChangesNothingElse) {
  if (!fs::exists("/dev/full")) GTEST_SKIP() << "no /dev/full here";
  Fixture("majority.csv");
  const Result trained = NeuronaWithStderrTo({"train", "--data", "majority.csv", "--layers",
                                              "3,2,1", "--epochs", "20", "--save", "m.json"},
                                             "/dev/full");
  EXPECT_EQ(trained.status, 0);
  EXPECT_EQ(trained.out, "");
  ASSERT_TRUE(Exists("m.json"));
  const Result predicted = NeuronaWithStderrTo(
      {"predict", "--model", "m.json", "--data", "majority.csv", "--drop-missing"}, "/dev/full");
  EXPECT_EQ(predicted.status, 0);
  EXPECT_EQ(Lines(predicted.out).size(), 8u);
  // Errors keep their statuses: 1 for a file, 2 for a flag.
  EXPECT_EQ(NeuronaWithStderrTo({"predict", "--model", "none.json", "--data", "majority.csv"},
                                "/dev/full")
                .status,
            1);
  EXPECT_EQ(NeuronaWithStderrTo({"predict", "--no-such-flag"}, "/dev/full").status, 2);
}

// A regression model has no classes to read its targets as: --classes is refused alike by the
// commands that read data for a model.
TEST_F(CliTest, ClassesForARegressionModelAreRefused) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--quiet", "--save", "m.json"})));
  for (const char* command : {"predict", "evaluate"})
    EXPECT_TRUE(FailedWith(
        Neurona({command, "--model", "m.json", "--data", "majority.csv", "--classes"}), 2,
        {"--classes: m.json is a regression model (half_squared_error); its targets are "
         "numbers"}))
        << command;
}

TEST_F(CliTest, PredictAcceptsRowsOfInputsOnly) {
  Fixture("majority.csv");
  Fixture("majority_inputs.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--quiet", "--save", "m.json"})));
  const Result with_targets = Neurona({"predict", "--model", "m.json", "--data", "majority.csv"});
  const Result inputs_only =
      Neurona({"predict", "--model", "m.json", "--data", "majority_inputs.csv"});
  ASSERT_TRUE(Succeeded(with_targets));
  ASSERT_TRUE(Succeeded(inputs_only));
  EXPECT_EQ(Lines(inputs_only.out).size(), 8u);
  EXPECT_EQ(inputs_only.out, with_targets.out);
}

TEST_F(CliTest, PredictingTwicePrintsTheSameDoubles) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--quiet", "--save", "m.json"})));
  const Result first = Neurona({"predict", "--model", "m.json", "--data", "majority.csv"});
  const Result second = Neurona({"predict", "--model", "m.json", "--data", "majority.csv"});
  ASSERT_TRUE(Succeeded(first));
  ASSERT_TRUE(Succeeded(second));
  const std::vector<std::string> a = Lines(first.out), b = Lines(second.out);
  ASSERT_EQ(a.size(), 8u);
  ASSERT_EQ(b.size(), 8u);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const double value = ParseDouble(a[i]);
    ASSERT_FALSE(std::isnan(value)) << a[i];
    EXPECT_EQ(value, ParseDouble(b[i])) << "row " << i + 1;
    EXPECT_LE(SignificantDigits(a[i]), 17u) << a[i];
    char again[32];
    std::snprintf(again, sizeof again, "%.17g", value);
    EXPECT_EQ(ParseDouble(again), value) << a[i];
  }
}

TEST_F(CliTest, PredictPrintsEnoughDigitsToReadBackTheSameDouble) {
  // y = 0.1 x + 0.2, with x powers of two so that the product is exact and only the sum rounds:
  // 0.1 + 0.2 is 0.30000000000000004, which six digits would print as 0.3.
  Fixture("linear_model.json");
  Write("x.csv", "x\n1\n2\n4\n0.5\n-1\n");
  const Result result = Neurona({"predict", "--model", "linear_model.json", "--data", "x.csv"});
  ASSERT_TRUE(Succeeded(result));
  const std::vector<std::string> lines = Lines(result.out);
  const std::vector<double> xs{1, 2, 4, 0.5, -1};
  ASSERT_EQ(lines.size(), xs.size()) << result.out;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    volatile double product = 0.1 * xs[i];  // no fused multiply-add: the CLI has none either
    const double expected = product + 0.2;
    EXPECT_EQ(ParseDouble(lines[i]), expected) << "x = " << xs[i] << ", printed " << lines[i];
    EXPECT_LE(SignificantDigits(lines[i]), 17u) << lines[i];
  }
  EXPECT_EQ(SignificantDigits(lines[0]), 17u) << lines[0];
}

TEST_F(CliTest, SameSeedGivesByteIdenticalDoubleModels) {
  Fixture("majority.csv");
  const std::vector<std::string> flags{"--epochs", "500", "--seed", "7", "--quiet"};
  auto save = [&](const std::string& name) {
    std::vector<std::string> extra = flags;
    extra.insert(extra.end(), {"--save", name});
    return TrainMajority("majority.csv", extra);
  };
  ASSERT_TRUE(Succeeded(save("a.json")));
  ASSERT_TRUE(Succeeded(save("b.json")));
  EXPECT_NE(Read("a.json").find("\"precision\": \"double\""), std::string::npos);
  EXPECT_EQ(Read("a.json"), Read("b.json"));
}

TEST_F(CliTest, SameSeedGivesByteIdenticalFloatModels) {
  Fixture("majority.csv");
  auto save = [&](const std::string& name) {
    return TrainMajority("majority.csv", {"--epochs", "500", "--seed", "7", "--precision", "float",
                                          "--quiet", "--save", name});
  };
  ASSERT_TRUE(Succeeded(save("a.json")));
  ASSERT_TRUE(Succeeded(save("b.json")));
  EXPECT_NE(Read("a.json").find("\"precision\": \"float\""), std::string::npos);
  EXPECT_EQ(Read("a.json"), Read("b.json"));
}

TEST_F(CliTest, DifferentSeedGivesADifferentModel) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "500", "--seed", "7", "--quiet", "--save", "a.json"})));
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "500", "--seed", "8", "--quiet", "--save", "b.json"})));
  EXPECT_NE(Read("a.json"), Read("b.json"));
}

TEST_F(CliTest, InitContinuesTrainingFromTheFile) {
  // Full-batch training is deterministic and model files are exact, so 100 epochs, saved, then
  // 100 more from the file give the very weights of 200 epochs in one go (the files differ only in
  // the provenance, which records each run's own command).
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(
      TrainMajority("majority.csv", {"--epochs", "200", "--quiet", "--save", "whole.json"})));
  ASSERT_TRUE(Succeeded(
      TrainMajority("majority.csv", {"--epochs", "100", "--quiet", "--save", "half.json"})));
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "majority.csv", "--init", "half.json", "--lr",
                                 "0.5", "--epochs", "100", "--quiet", "--save", "resumed.json"})));
  auto layers = [](const std::string& model) { return model.substr(model.find("\"layers\"")); };
  EXPECT_NE(layers(Read("half.json")), layers(Read("whole.json")));
  EXPECT_EQ(layers(Read("resumed.json")), layers(Read("whole.json")));
}

// As a new network without a hidden layer refuses --activation, so does one read by --init.
TEST_F(CliTest, InitWithAnActivationForNoHiddenLayerIsAUsageError) {
  Write("cc.csv", "a,b,y\n1,7,3\n4,7,6\n5,7,1\n");
  ASSERT_TRUE(Succeeded(Neurona({"train", "--data", "cc.csv", "--layers", "2,1", "--epochs", "3",
                                 "--quiet", "--save", "m.json"})));
  EXPECT_TRUE(
      FailedWith(Neurona({"train", "--init", "m.json", "--data", "cc.csv", "--epochs", "3",
                          "--quiet", "--activation", "relu"}),
                 2, {"--activation relu contradicts m.json, whose model has no hidden layer"}));
}

TEST_F(CliTest, InitWithContradictingLayersIsAUsageError) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "10", "--quiet", "--save", "m.json"})));
  const std::string before = Read("m.json");
  const Result result = Neurona({"train", "--data", "majority.csv", "--init", "m.json", "--layers",
                                 "3,4,1", "--save", "m.json"});
  EXPECT_TRUE(FailedWith(result, 2, {"--layers 3,4,1", "contradicts m.json", "3-2-4-1"}));
  EXPECT_EQ(Read("m.json"), before);
}

TEST_F(CliTest, InitWithContradictingLossIsAUsageError) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "10", "--quiet", "--save", "m.json"})));
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--init", "m.json", "--loss", "cross_entropy"});
  EXPECT_TRUE(
      FailedWith(result, 2, {"--loss cross_entropy", "contradicts m.json", "half_squared_error"}));
}

TEST_F(CliTest, InitWithContradictingPrecisionIsAUsageError) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "10", "--quiet", "--save", "m.json"})));
  const Result result =
      Neurona({"train", "--data", "majority.csv", "--init", "m.json", "--precision", "float"});
  EXPECT_TRUE(FailedWith(result, 2, {"--precision float", "contradicts m.json", "double"}));
}

TEST_F(CliTest, InitWithAgreeingFlagsTrains) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "10", "--quiet", "--save", "m.json"})));
  // Every flag of the original run again, each agreeing with the file.
  const Result result = TrainMajority(
      "majority.csv", {"--init", "m.json", "--epochs", "10", "--quiet", "--save", "again.json"});
  EXPECT_TRUE(Succeeded(result));
  EXPECT_TRUE(Exists("again.json"));
}

TEST_F(CliTest, GradcheckPassesOnATrainedModel) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "100", "--quiet", "--save", "m.json"})));
  const Result result = Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv"});
  ASSERT_TRUE(Succeeded(result));
  const double error = NumberAfter(result.out, "largest relative error: ");
  EXPECT_GE(error, 0.0) << result.out;
  EXPECT_LT(error, 1e-6) << result.out;
  // A step that overflows the loss would print an infinite error, blaming backprop.
  EXPECT_TRUE(FailedWith(
      Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv", "--step", "1e308"}), 2,
      {"--step: a step of 1e+308 takes the loss out of range at layer", "smaller step"}));
  // A step or tolerance of infinity would blame backprop, or pass anything.
  for (const char* flag : {"--step", "--tolerance"})
    EXPECT_TRUE(FailedWith(
        Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv", flag, "inf"}), 2,
        {flag, "positive number"}))
        << flag;
}

TEST_F(CliTest, GradcheckNamesALossThatOverflows) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "0", "--save", "m.json"})));
  Write("huge.csv", "x1,x2,x3,y\n1,0,0,1e200\n0,1,1,-1e200\n");
  const Result result = Neurona({"gradcheck", "--model", "m.json", "--data", "huge.csv"});
  EXPECT_TRUE(FailedWith(result, 1, {"huge.csv", "the loss at these weights is inf"}));
  EXPECT_EQ(result.out, "");
}

TEST_F(CliTest, GradcheckSaysWhenRoundingOutweighsTheCheck) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "0", "--save", "m.json"})));
  EXPECT_EQ(Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv"}).out.find("HINT"),
            std::string::npos);
  Write("large.csv", "x1,x2,x3,y\n1,0,0,1e6\n0,1,1,-1e6\n");
  const Result result = Neurona({"gradcheck", "--model", "m.json", "--data", "large.csv"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.out.find("FAILED"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("HINT: the loss is 5e+11, and rounding"), std::string::npos)
      << result.out;
  EXPECT_NE(result.out.find("Targets (and inputs) nearer 1 make it smaller"), std::string::npos)
      << result.out;
  // A step below the default: a larger one is the remedy.
  const Result tiny =
      Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv", "--step", "1e-300"});
  EXPECT_EQ(tiny.status, 1);
  EXPECT_NE(tiny.out.find("A larger --step (the default, 1e-3)"), std::string::npos) << tiny.out;
  // A loss near 1 and the default step: the rounding is the check's resolution, and a tolerance
  // above it is what the check can answer.
  auto check = [&](const std::string& tolerance) {
    return Neurona(
        {"gradcheck", "--model", "m.json", "--data", "majority.csv", "--tolerance", tolerance});
  };
  const Result fine = check("1e-13");
  EXPECT_EQ(fine.status, 1);
  const std::string answer = "The check resolves no finer here: --tolerance ";
  const std::size_t at = fine.out.find(answer);
  ASSERT_NE(at, std::string::npos) << fine.out;
  const std::string suggested = fine.out.substr(
      at + answer.size(), fine.out.find(' ', at + answer.size()) - at - answer.size());
  EXPECT_TRUE(Succeeded(check(suggested))) << suggested;
}

TEST_F(CliTest, GradcheckSaysWhenTheStepIsTooWide) {
  // A sigmoid network at a step of 1e30: its units go flat, and the differences measure nothing.
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority("majority.csv", {"--epochs", "0", "--save", "m.json"})));
  const Result result =
      Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv", "--step", "1e30"});
  EXPECT_EQ(result.status, 1);
  EXPECT_NE(result.out.find("HINT: --step 1e+30 is a wide span"), std::string::npos) << result.out;
  EXPECT_EQ(Neurona({"gradcheck", "--model", "m.json", "--data", "majority.csv"}).out.find("wide"),
            std::string::npos);
  // Inputs of 100 make the default step a move of 0.1 in the first layer's Z: the same width.
  Write("wide.csv", "x1,x2,x3,y\n100,0,0,0\n0,100,100,1\n100,100,0,1\n");
  const Result unscaled = Neurona({"gradcheck", "--model", "m.json", "--data", "wide.csv"});
  EXPECT_EQ(unscaled.status, 1);
  EXPECT_NE(unscaled.out.find("HINT: inputs as large as 100 make a step of 0.001 in a weight of "
                              "layer 1 a move of 0.1 in its Z, a wide span for a difference"),
            std::string::npos)
      << unscaled.out;
}

// One ReLU unit at z = 0.0005: the bias's differences, +-2 steps of 1e-3, cross the kink at 0 and
// measure neither slope. The hint says so, and its smaller step passes.
TEST_F(CliTest, GradcheckSaysWhenAReluInputIsNearItsKink) {
  Write("kink.json", R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 1,
    "loss": "half_squared_error", "layers": [
    {"units": 1, "activation": "relu", "W": [[1.0]], "b": [0.0]},
    {"units": 1, "activation": "linear", "W": [[1.0]], "b": [0.0]}]})");
  Write("near.csv", "x,y\n0.0005,1\n");
  const Result near = Neurona({"gradcheck", "--model", "kink.json", "--data", "near.csv"});
  EXPECT_EQ(near.status, 1);
  EXPECT_NE(near.out.find("HINT: 1 ReLU inputs lie within reach of their kink at 0"),
            std::string::npos)
      << near.out;
  EXPECT_TRUE(Succeeded(
      Neurona({"gradcheck", "--model", "kink.json", "--data", "near.csv", "--step", "1e-5"})));
  Write("far.csv", "x,y\n0.5,1\n");
  const Result far = Neurona({"gradcheck", "--model", "kink.json", "--data", "far.csv"});
  EXPECT_TRUE(Succeeded(far));
  EXPECT_EQ(far.out.find("HINT"), std::string::npos) << far.out;
}

TEST_F(CliTest, GradcheckFailsWhenTheGradientIsZero) {
  // All weights zero and ReLU units everywhere: every unit sits at z = 0, so every gradient is 0.
  Fixture("majority.csv");
  Fixture("zero_relu_model.json");
  const Result result =
      Neurona({"gradcheck", "--model", "zero_relu_model.json", "--data", "majority.csv"});
  EXPECT_EQ(result.status, 1) << result.out << result.err;
  EXPECT_NE(result.out.find("gradient norm 0"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("FAILED"), std::string::npos) << result.out;
}

TEST_F(CliTest, MiniBatchTrainingLearnsAndIsDeterministic) {
  Fixture("majority.csv");
  auto train = [&](const std::string& seed, const std::string& name) {
    return TrainMajority("majority.csv",
                         {"--batch", "3", "--seed", seed, "--quiet", "--save", name});
  };
  ASSERT_TRUE(Succeeded(train("3", "a.json")));
  ASSERT_TRUE(Succeeded(train("3", "b.json")));
  ASSERT_TRUE(Succeeded(train("4", "c.json")));
  EXPECT_EQ(Read("a.json"), Read("b.json"));
  EXPECT_NE(Read("a.json"), Read("c.json"));

  const Result predict = Neurona({"predict", "--model", "a.json", "--data", "majority.csv"});
  ASSERT_TRUE(Succeeded(predict));
  const std::vector<std::string> lines = Lines(predict.out);
  ASSERT_EQ(lines.size(), kMajorityTargets.size());
  for (std::size_t i = 0; i < lines.size(); ++i)
    EXPECT_EQ(std::round(ParseDouble(lines[i])), kMajorityTargets[i]) << "row " << i + 1;
}

TEST_F(CliTest, QuietTrainingPrintsNothing) {
  Fixture("majority.csv");
  const Result result =
      TrainMajority("majority.csv", {"--epochs", "100", "--quiet", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result.out, "");
  EXPECT_EQ(result.err, "");
}

TEST_F(CliTest, TrainingProgressGoesToStderrAndNothingToStdout) {
  Fixture("majority.csv");
  const Result result = TrainMajority("majority.csv", {"--epochs", "100", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(result));
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("epoch"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("loss"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("m.json"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("error:"), std::string::npos) << result.err;
}

TEST_F(CliTest, CrossEntropyLearnsFromClassNumbers) {
  // 2 inputs and one column of class numbers 0, 1, 2 for a softmax output of 3 units.
  Fixture("classes.csv");
  const Result train = Neurona({"train", "--data", "classes.csv", "--layers", "2,3", "--loss",
                                "cross_entropy", "--output", "softmax", "--lr", "0.5", "--epochs",
                                "500", "--quiet", "--save", "m.json"});
  ASSERT_TRUE(Succeeded(train));
  const Result predict = Neurona({"predict", "--model", "m.json", "--data", "classes.csv"});
  ASSERT_TRUE(Succeeded(predict));
  const std::vector<std::string> lines = Lines(predict.out);
  const std::vector<std::size_t> classes{0, 0, 1, 1, 2, 2};
  ASSERT_EQ(lines.size(), classes.size()) << predict.out;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::vector<std::string> cells = Split(lines[i], ',');
    ASSERT_EQ(cells.size(), 3u) << lines[i];
    double sum = 0;
    std::size_t best = 0;
    for (std::size_t j = 0; j < cells.size(); ++j) {
      const double p = ParseDouble(cells[j]);
      EXPECT_GE(p, 0.0) << lines[i];
      sum += p;
      if (p > ParseDouble(cells[best])) best = j;
    }
    EXPECT_NEAR(sum, 1.0, 1e-12) << lines[i];
    EXPECT_EQ(best, classes[i]) << "row " << i + 1 << ": " << lines[i];
  }
}

}  // namespace
