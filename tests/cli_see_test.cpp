// `neurona explain` and `neurona report` as a user runs them: formats, figures and bad flags.
#include "cli_runner.hpp"

namespace cli_test {
namespace {

class CliSeeTest : public CliTest {};

TEST_F(CliSeeTest, ExplainWithNoArgumentsShowsTheTutorialsNetworkStep) {
  const Result result = Neurona({"explain"});
  ASSERT_TRUE(Succeeded(result));
  for (const char* part : {"X (8 x 3)", "W^1 (3 x 2)", "W^2 (2 x 4)", "W^3 (4 x 1)", "Z^2 (8 x 4)",
                           "dW^1 (3 x 2)", "dA^1 (8 x 2)", "alpha = 0.5"})
    EXPECT_NE(result.out.find(part), std::string::npos) << part << "\n" << result.out;
  // On 8 rows there is no chain rule; the last line says where it is.
  EXPECT_EQ(result.out.find("Chain rule"), std::string::npos);
  EXPECT_NE(result.out.find("is written term by term for one row: add\n--row N"), std::string::npos)
      << result.out;
  const Result row = Neurona({"explain", "--row", "5"});
  ASSERT_TRUE(Succeeded(row));
  EXPECT_EQ(row.out.find("add\n--row N"), std::string::npos) << row.out;
  for (const char* format : {"markdown", "json"})
    EXPECT_EQ(Neurona({"explain", "--format", format}).out.find("add\n--row N"), std::string::npos)
        << format;
}

TEST_F(CliSeeTest, ExplainHouseWritesTheTutorialsChainRuleWithItsNumbers) {
  const Result result = Neurona({"explain", "--house"});
  ASSERT_TRUE(Succeeded(result));
  for (const char* part : {"41980.4288", "(10.24 - 300) * 0.4 * 1 * 50", "-5795.2", "0.557952",
                           "0.10115904", "0.47272976", "0.2028976"})
    EXPECT_NE(result.out.find(part), std::string::npos) << part << "\n" << result.out;
}

TEST_F(CliSeeTest, ExplainFormats) {
  const Result markdown = Neurona({"explain", "--house", "--format", "markdown"});
  ASSERT_TRUE(Succeeded(markdown));
  EXPECT_EQ(markdown.out.rfind("#", 0), 0u) << markdown.out.substr(0, 80);
  EXPECT_NE(markdown.out.find("```"), std::string::npos);
  const Result json = Neurona({"explain", "--house", "--format", "json"});
  ASSERT_TRUE(Succeeded(json));
  EXPECT_EQ(json.out.front(), '{');
  EXPECT_NE(json.out.find("41980.428799999994"), std::string::npos) << "exact E in JSON";
}

TEST_F(CliSeeTest, ExplainOnAModelAndRows) {
  Fixture("majority.csv");
  ASSERT_TRUE(
      Succeeded(TrainMajority("majority.csv", {"--epochs", "50", "--quiet", "--save", "m.json"})));
  const Result rows =
      Neurona({"explain", "--model", "m.json", "--data", "majority.csv", "--rows", "1,3"});
  ASSERT_TRUE(Succeeded(rows));
  EXPECT_NE(rows.out.find("X (2 x 3)"), std::string::npos) << rows.out;
  const Result row = Neurona({"explain", "--model", "m.json", "--data", "majority.csv", "--row",
                              "5", "--weight", "2,1,3"});
  ASSERT_TRUE(Succeeded(row));
  EXPECT_NE(row.out.find("W^2[1][3]"), std::string::npos) << row.out;
}

TEST_F(CliSeeTest, ExplainRefusesBadFlags) {
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--format", "pdf"}), 2, {"--format", "pdf"}));
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--rows", "0"}), 2, {"--rows"}));
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--rows", "9"}), 2, {"--rows"}));
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--row", "1", "--weight", "1,4,1"}), 2, {"--weight"}));
  // An int flag: its conversion alone would read 0x10 as 16 and refuse 2^31 without the range.
  for (const char* digits : {"0", "18", "0x10", "2147483648", "018"})
    EXPECT_TRUE(FailedWith(Neurona({"explain", "--digits", digits}), 2,
                           {"--digits", "from 1 to 17", digits}));
  EXPECT_TRUE(Succeeded(Neurona({"explain", "--digits", "17"})));
  // A step past double's range would print inf (null in JSON) as if it were a result.
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--house", "--lr", "1e308", "--format", "json"}), 2,
                         {"--lr 1e+308", "overflows", "W^1"}));
  // --seed draws the majority network; elsewhere it would change nothing.
  EXPECT_TRUE(
      FailedWith(Neurona({"explain", "--house", "--seed", "7"}), 2, {"--seed", "house example"}));
  // So would a data flag without --data, a bad one too.
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--house", "--header", "maybe"}), 2,
                         {"--header is for --data, and the tutorial's examples have their own"}));
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--classes"}), 2, {"--classes is for --data"}));
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--model", "m.json", "--header", "yes"}), 2,
                         {"--model needs --data"}));
}

TEST_F(CliSeeTest, ExplainNamesTheMatrixWhereAnOverflowStarts) {
  // Layer 2's output overflows; layer 1's gradients overflow only through it.
  WriteFile(Path("deep.json"),
            R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 1,
                "loss": "half_squared_error",
                "layers": [{"units": 1, "activation": "linear", "W": [[1]], "b": [0]},
                           {"units": 1, "activation": "linear", "W": [[1e308]], "b": [1e308]}]})");
  WriteFile(Path("one.csv"), "x,y\n1,0\n");
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--model", "deep.json", "--data", "one.csv"}), 1,
                         {"one.csv: the step overflows double at Z^2"}));
  // Finite values but an infinite error: a target of 1e308 squared.
  WriteFile(Path("far.csv"), "x,y\n1,1e308\n");
  WriteFile(Path("small.json"),
            R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 1,
                "loss": "half_squared_error",
                "layers": [{"units": 1, "activation": "linear", "W": [[1]], "b": [0]}]})");
  EXPECT_TRUE(FailedWith(Neurona({"explain", "--model", "small.json", "--data", "far.csv"}), 1,
                         {"far.csv: the error E of these rows overflows double"}));
}

TEST_F(CliSeeTest, ReportIsOneSelfContainedPage) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "300", "--quiet", "--save", "m.json", "--history", "h.csv"})));
  ASSERT_TRUE(Succeeded(Neurona({"report", "--model", "m.json", "--data", "majority.csv",
                                 "--history", "h.csv", "--out", "r.html"})));
  const std::string page = Read("r.html");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u) << page.substr(0, 40);
  EXPECT_LT(page.size(), 1u << 20);
  EXPECT_EQ(page.find("<script src"), std::string::npos);
  EXPECT_EQ(page.find("<link"), std::string::npos);
  EXPECT_NE(page.find("<h2>Truth table"), std::string::npos);
  EXPECT_NE(page.find("<h2>Loss"), std::string::npos);

  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "30", "--quiet", "--save", "t.json", "--report", "t.html"})));
  EXPECT_NE(Read("t.html").find("class=\"edge\""), std::string::npos);
  // Where the report goes is no setting of the training: the model's record leaves it out, as
  // it leaves out --save, so that --resume may write it elsewhere.
  EXPECT_EQ(Read("t.json").find("t.html"), std::string::npos);
}

TEST_F(CliSeeTest, ReportRefusesAnUnwritablePathBeforeReading) {
  EXPECT_TRUE(FailedWith(Neurona({"report", "--model", "absent.json", "--out", "no/such/r.html"}),
                         1, {"r.html", "does not exist"}));
}

TEST_F(CliSeeTest, ReportRefusesToReplaceItsInputs) {
  Fixture("majority.csv");
  ASSERT_TRUE(Succeeded(TrainMajority(
      "majority.csv", {"--epochs", "30", "--quiet", "--save", "m.json", "--history", "h.csv"})));
  fs::create_symlink("m.json", Path("link.json"));
  const std::vector<std::string> report{"report",       "--model",   "m.json", "--data",
                                        "majority.csv", "--history", "h.csv"};
  for (const auto& [out, input] : {std::pair{"m.json", "--model m.json"},
                                   {"link.json", "--model m.json"},
                                   {"./majority.csv", "--data majority.csv"},
                                   {"h.csv", "--history h.csv"}}) {
    const std::string before = Read(out);
    std::vector<std::string> args = report;
    args.insert(args.end(), {"--out", out});
    EXPECT_TRUE(
        FailedWith(Neurona(args), 2, {std::string("--out ") + out + " would replace " + input}))
        << out;
    EXPECT_EQ(Read(out), before) << out;
  }
}

TEST_F(CliSeeTest, ReportRefusesOutputsThatOverflowAsEvaluateDoes) {
  // The page's metrics would read "mse: inf", or count NaN rows as class 0.
  WriteFile(Path("big.json"),
            R"({"format": "neurona", "version": 1, "precision": "double", "inputs": 1,
                "loss": "half_squared_error",
                "layers": [{"units": 1, "activation": "linear", "W": [[1e308]], "b": [1e308]}]})");
  WriteFile(Path("xy.csv"), "x,y\n1,0\n2,0\n");
  for (const char* command : {"evaluate", "report"}) {
    std::vector<std::string> args{command, "--model", "big.json", "--data", "xy.csv"};
    if (command == std::string("report")) args.insert(args.end(), {"--out", "r.html"});
    EXPECT_TRUE(
        FailedWith(Neurona(args), 1, {"xy.csv:2: the model's output 1 is inf", "overflows double"}))
        << command;
  }
  EXPECT_FALSE(Exists("r.html"));
}

}  // namespace
}  // namespace cli_test
