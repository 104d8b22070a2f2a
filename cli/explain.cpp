// `neurona explain`: one training step printed in the tutorial's notation, every matrix with its
// shape, for the tutorial's networks or a model and data file.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>

#include "commands.hpp"
#include "data.hpp"
#include "neurona/explain.hpp"
#include "options.hpp"
#include "value_checks.hpp"

namespace neurona::cli {
namespace {

struct ExplainArgs {
  std::string model;
  DataArgs data;
  std::string example;  // "majority" or "house"; empty: majority unless --model
  bool house = false;
  double learning_rate = 0.5;
  std::uint64_t seed = 1;
  std::string rows;
  std::string row;
  std::string weight;
  std::string format = "text";
  int digits = 0;  // 0: 6, or 10 for the house example
};

// A whole number >= 1 from `item`, or nothing.
std::optional<Index> positive(const std::string& item) {
  long long value = 0;
  const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), value);
  if (item.empty() || error != std::errc() || end != item.data() + item.size() || value < 1)
    return std::nullopt;
  return Index(value);
}

// "1,3" -> {1, 3}: 1-based rows of a table of `count` rows, each once. Throws UsageError naming
// `flag`.
std::vector<Index> parse_rows(const std::string& flag, const std::string& text, Index count) {
  const std::string range =
      count == 1 ? "the data has 1 row" : fmt::format("the data has rows 1 to {}", count);
  std::vector<Index> rows;
  for (const std::string& item : split_list(text)) {
    const std::optional<Index> row = item == "0" ? std::optional<Index>(0) : positive(item);
    if (!row)
      throw UsageError(
          fmt::format("{} \"{}\": \"{}\" is not a row number; {}", flag, text, item, range));
    if (*row < 1 || *row > count)
      throw UsageError(fmt::format("{} \"{}\": there is no row {}; {}", flag, text, *row, range));
    if (std::find(rows.begin(), rows.end(), *row) != rows.end())
      throw UsageError(fmt::format("{} \"{}\": row {} is given twice", flag, text, *row));
    rows.push_back(*row);
  }
  if (rows.empty())
    throw UsageError(fmt::format("{} is empty; expected 1-based row numbers such as 1,3", flag));
  return rows;
}

// "layer,row,col" (1-based) of a weight the network has. Throws UsageError naming --weight.
WeightIndex parse_weight(const std::string& text, const Network<double>& network) {
  const std::vector<std::string> items = split_list(text);
  std::vector<Index> values;
  for (const std::string& item : items)
    if (const auto value = positive(item)) values.push_back(*value);
  if (items.size() != 3 || values.size() != 3)
    throw UsageError(fmt::format(
        "--weight \"{}\": expected layer,row,col as three whole numbers from 1, such as 1,1,1 "
        "for W^1[1][1]",
        text));
  const WeightIndex weight{values[0], values[1], values[2]};
  const Index layers = Index(network.layers().size());
  if (weight.layer > layers)
    throw UsageError(fmt::format("--weight \"{}\": there is no layer {}; the network ({}) has {}",
                                 text, weight.layer, network.topology(), layers));
  const auto& W = network.layers()[std::size_t(weight.layer - 1)].W;
  if (weight.row > W.rows() || weight.col > W.cols())
    throw UsageError(fmt::format(
        "--weight \"{}\": W^{} is {} x {}, so its row is 1 to {} and its column 1 to {}", text,
        weight.layer, W.rows(), W.cols(), W.rows(), W.cols()));
  return weight;
}

// The rows of M named 1-based in `rows`, in that order.
Matrix<double> select_rows(const Matrix<double>& M, const std::vector<Index>& rows) {
  Matrix<double> out(Index(rows.size()), M.cols());
  for (std::size_t i = 0; i < rows.size(); ++i)
    out.row(Index(i)) = M.row(rows[i] - 1);
  return out;
}

// The network, the whole table and a title, from --model/--data or one of the tutorial's examples.
struct Problem {
  Network<double> network;
  Dataset<double> data;
  std::string title;
  bool house = false;
};

Problem load_problem(const ExplainArgs& args) {
  if (!args.model.empty()) {
    if (args.data.file.empty()) throw UsageError("--model needs --data: the rows to step on");
    if (args.house || !args.example.empty())
      throw UsageError("--example and --house take the tutorial's network; leave out --model");
    const ModelFile model = read_model(args.model);
    const LoadedData loaded = load_data_for(model, args.data, Targets::required);
    check_probability_targets(loaded, model.network.loss_type(), args.data.file);
    // X and Y as the network sees them in training: after the model's own scalings.
    Dataset<double> scaled{
        network_inputs<double>(model.info.scaler, loaded.data.X, args.data.file, loaded),
        network_targets<double>(model.info.target_scaler, loaded.data.Y, args.data.file, loaded)};
    std::string title = fmt::format("One training step of {} ({}) on {}", args.model,
                                    model.network.topology(), args.data.file);
    if (model.info.scaler.kind != Scaling::none)
      title += fmt::format(", X after the model's {} scaling", to_string(model.info.scaler.kind));
    if (model.info.target_scaler.kind != Scaling::none)
      title += fmt::format(", Y after the model's {} target scaling",
                           to_string(model.info.target_scaler.kind));
    if (model.precision == Precision::single) title += ", a float model computed in double";
    return {model.network, std::move(scaled), std::move(title), false};
  }
  if (!args.data.file.empty()) throw UsageError("--data needs --model: the network to step");
  const std::string example = args.house             ? "house"
                              : args.example.empty() ? "majority"
                                                     : args.example;
  if (args.house && !args.example.empty() && args.example != "house")
    throw UsageError(
        fmt::format("--house and --example {} name two examples; give one", args.example));
  if (example == "house")
    return {tutorial::house_network<double>(), tutorial::house_table<double>(),
            "One training step of the tutorial's 1-1-1 house-price network (x = 50 m2, y = 300)",
            true};
  if (example == "majority")
    return {tutorial::majority_network<double>(args.seed), tutorial::majority_table<double>(),
            fmt::format("One training step of the tutorial's 3-2-4-1 network on its 3-bit majority "
                        "table (weights drawn from seed {})",
                        args.seed),
            false};
  throw UsageError(fmt::format("--example must be majority or house, got \"{}\"", args.example));
}

}  // namespace

void add_explain_command(CLI::App& app, int& /*status*/) {
  auto args = std::make_shared<ExplainArgs>();
  CLI::App* cmd = app.add_subcommand(
      "explain",
      "Print one training step in the tutorial's notation: X, each layer's W, b, Z and A, the "
      "error, the backward pass and the update, every matrix with its shape. With no arguments: "
      "the tutorial's 3-2-4-1 network on its table");
  cmd->add_option("--model", args->model, "Model file (JSON); with --data");
  args->data.add_flags(*cmd, "Data: inputs and targets, as for train; with --model");
  // add_flags makes --data required; here it goes with --model only.
  cmd->get_option("--data")->required(false);
  cmd->add_option("--example", args->example,
                  "The tutorial's network: majority (3-2-4-1, the default) or house (1-1-1)");
  cmd->add_flag("--house", args->house, "Same as --example house: x = 50, y = 300, lr 1e-5");
  cmd->add_option("--lr", args->learning_rate,
                  "Learning rate alpha (default 0.5; 1e-5 for the house example)");
  cmd->add_option("--seed", args->seed, "Seed of the majority network's weights")
      ->transform(whole_number)
      ->capture_default_str();
  cmd->add_option("--rows", args->rows,
                  "The rows (1-based, such as 1,3) that form X; the step is on them alone "
                  "(default: every row)");
  cmd->add_option("--row", args->row,
                  "One row (1-based): the step on it alone, with the chain rule written term by "
                  "term for one weight");
  cmd->add_option("--weight", args->weight,
                  "layer,row,col (1-based) of the weight whose chain rule is written, for one "
                  "row (default 1,1,1: W^1[1][1])");
  cmd->add_option("--format", args->format, "text, markdown or json")->capture_default_str();
  cmd->add_option("--digits", args->digits,
                  "Significant digits in text and markdown, 1 to 17 (default 6; 10 for the house "
                  "example, whose figures the tutorial prints in full; json is always exact)")
      ->transform(whole_number_in(1, 17));
  cmd->callback([args, cmd] {
    if (args->format != "text" && args->format != "markdown" && args->format != "json")
      throw UsageError(
          fmt::format("--format must be text, markdown or json, got \"{}\"", args->format));
    if (!args->rows.empty() && !args->row.empty())
      throw UsageError("--rows and --row both choose rows; give one");

    // The tutorial's examples bring their own table: a data flag would be ignored.
    if (args->data.file.empty() && args->model.empty())
      for (const char* flag :
           {"--labels", "--targets", "--classes", "--separator", "--header", "--drop-missing"})
        if (cmd->count(flag) > 0)
          throw UsageError(fmt::format(
              "{} is for --data, and the tutorial's examples have their own table", flag));

    Problem problem = load_problem(*args);
    if (cmd->count("--seed") > 0 && (problem.house || !args->model.empty()))
      throw UsageError(fmt::format("--seed draws the majority network's weights; {} its own",
                                   problem.house ? "the house example has" : "--model gives"));
    const double learning_rate = cmd->count("--lr") > 0 ? args->learning_rate
                                 : problem.house        ? tutorial::house_learning_rate
                                                        : 0.5;
    check_learning_rate(learning_rate);

    const Index count = problem.data.X.rows();
    std::vector<Index> rows;
    if (!args->rows.empty()) rows = parse_rows("--rows", args->rows, count);
    if (!args->row.empty()) {
      rows = parse_rows("--row", args->row, count);
      if (rows.size() != 1)
        throw UsageError(fmt::format("--row \"{}\" names {} rows; give one, or use --rows",
                                     args->row, rows.size()));
    }
    const Matrix<double> X = rows.empty() ? problem.data.X : select_rows(problem.data.X, rows);
    const Matrix<double> Y = rows.empty() ? problem.data.Y : select_rows(problem.data.Y, rows);

    std::optional<WeightIndex> weight;
    if (!args->weight.empty()) {
      weight = parse_weight(args->weight, problem.network);
      if (X.rows() != 1)
        throw UsageError(fmt::format(
            "--weight writes the chain rule for one row, and the step has {}; choose it with --row",
            X.rows()));
    } else if (X.rows() == 1) {
      weight = WeightIndex{};  // the tutorial's dC/dw1: the first layer's W[1][1]
    }

    StepExplanation step;
    try {
      step = explain_step(problem.network, X, Y, learning_rate);
    } catch (const InputError& e) {  // an overflow: named by the rows' file, as gradcheck does
      if (args->data.file.empty()) throw;
      throw InputError(fmt::format("{}: {}", args->data.file, e.what()));
    }
    step.title = problem.title;
    step.rows = rows;
    if (weight) step.chain = chain_rule(step, *weight);

    // Formatted whole before anything is printed, so that a failure prints nothing.
    const int digits = cmd->count("--digits") > 0 ? args->digits : problem.house ? 10 : 6;
    const std::string out = args->format == "json"       ? explanation_json(step)
                            : args->format == "markdown" ? explanation_markdown(step, digits)
                                                         : explanation_text(step, digits);
    fmt::print("{}", out);
    if (out.empty() || out.back() != '\n') fmt::print("\n");
    // The chain rule is written for one row alone; on a whole table a student would not know it
    // is there to see.
    if (args->format == "text" && !weight)
      fmt::print(
          "\nThe chain rule behind one of these gradients is written term by term for one row: "
          "add\n"
          "--row N (and --weight layer,row,col for a weight other than W^1[1][1]).\n");
  });
}

}  // namespace neurona::cli
