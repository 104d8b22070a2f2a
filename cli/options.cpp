// Flag parsing shared by the commands.
#include "options.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <sstream>

namespace neurona::cli {

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> items;
  if (text.empty()) return items;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = std::min(text.find(',', start), text.size());
    items.push_back(text.substr(start, end - start));
    if (end == text.size()) break;
    start = end + 1;
  }
  return items;
}

std::vector<Index> parse_layers(const std::string& text) {
  const std::vector<std::string> items = split_list(text);
  if (items.size() < 2)
    throw UsageError(
        fmt::format("--layers \"{}\": expected the inputs and at least one layer, "
                    "as comma-separated widths like 3,2,4,1",
                    text));
  std::vector<Index> widths;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& item = items[i];
    const std::string what = i == 0 ? "the input count" : fmt::format("layer {}", i);
    if (item.empty())
      throw UsageError(
          fmt::format("--layers \"{}\": {} is empty; expected a whole number of at "
                      "least 1, as in 3,2,4,1",
                      text, what));
    long long width = 0;
    const auto [end, error] = std::from_chars(item.data(), item.data() + item.size(), width);
    if (error == std::errc::result_out_of_range)
      throw UsageError(
          fmt::format("--layers \"{}\": {} is \"{}\", far too large", text, what, item));
    if (error != std::errc() || end != item.data() + item.size() || width < 1)
      throw UsageError(
          fmt::format("--layers \"{}\": {} is \"{}\"; expected a whole number of at "
                      "least 1",
                      text, what, item));
    widths.push_back(Index(width));
  }
  return widths;
}

std::vector<Activation> parse_hidden_activations(const std::string& text, std::size_t hidden) {
  std::vector<Activation> activations;
  try {
    for (const std::string& name : split_list(text))
      activations.push_back(parse_activation(name));
  } catch (const UsageError& e) {
    throw UsageError(std::string("--activation: ") + e.what());
  }
  if (activations.size() == 1) activations.resize(hidden, activations.front());
  if (activations.size() != hidden)
    throw UsageError(
        fmt::format("--activation \"{}\": expected one activation, or one for each of "
                    "the {} hidden layers",
                    text, hidden));
  for (Activation activation : activations)
    if (activation == Activation::softmax)
      throw UsageError("--activation: softmax is only for the output layer (--output softmax)");
  return activations;
}

void check_learning_rate(double learning_rate) {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    throw UsageError(fmt::format("--lr must be a positive number, got {}", learning_rate));
}

CLI::Validator whole_number_in(std::int64_t smallest, std::int64_t largest) {
  return CLI::Validator(
      [smallest, largest](std::string& text) -> std::string {
        std::int64_t value = 0;
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
        const bool whole = !text.empty() && error == std::errc() &&
                           end == text.data() + text.size() && value >= smallest &&
                           value <= largest;
        // Passed on in its plain form: CLI11 converts with base 0, which reads 010 as octal 8.
        if (whole) text = std::to_string(value);
        return whole ? ""
                     : fmt::format("expected a whole number from {} to {}, got \"{}\"", smallest,
                                   largest == std::numeric_limits<std::int64_t>::max()
                                       ? std::string("2^63-1")
                                       : std::to_string(largest),
                                   text);
      },
      "");
}

const CLI::Validator whole_number = whole_number_in(0, std::numeric_limits<std::int64_t>::max());

const CLI::Validator decimal_number(
    [](std::string& text) -> std::string {
      // from_chars takes no leading +, so one is stepped over; a sign after it ("+-1") is refused.
      const bool plus = text.starts_with('+');
      const char* begin = text.data() + (plus ? 1 : 0);
      const char* end = text.data() + text.size();
      double value = 0;
      const auto [at, error] = std::from_chars(begin, end, value);
      const bool number = begin != end && at == end && !(plus && *begin == '-');
      if (!number) return fmt::format("expected a decimal number, got \"{}\"", text);
      // Else CLI11 reads 1e400 as inf and 1e-400 as 0, and the flag's own check names that.
      if (error == std::errc::result_out_of_range)
        return fmt::format("the number {} is beyond double's range", text);
      return "";
    },
    "");

void take_decimal_numbers(CLI::App& app) {
  for (CLI::Option* option : app.get_options())
    if (option->get_type_name() == "FLOAT") option->transform(decimal_number);
  for (CLI::App* command : app.get_subcommands([](CLI::App*) { return true; }))
    take_decimal_numbers(*command);
}

std::string& invocation() {
  static std::string line;
  return line;
}

std::string training_command(int argc, char** argv) {
  static const std::set<std::string> with_value{
      "--save",         "--history",          "--plot",   "--checkpoint", "--report",
      "--report-every", "--checkpoint-every", "--threads"};
  static const std::set<std::string> alone{"--quiet", "--json", "--resume"};
  std::string line = "neurona";
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    const std::string flag = word.substr(0, word.find('='));
    if (alone.count(word)) continue;
    if (with_value.count(flag)) {
      if (flag == word) ++i;  // "--save m.json" rather than "--save=m.json"
      continue;
    }
    line += " " + word;
  }
  return line;
}

namespace {

// A value as the shortest text of its number, if it is one ("0.10" -> "0.1"); else as written.
std::string canonical(const std::string& value) {
  double number = 0;
  const char* end = value.data() + value.size();
  const auto [at, error] = std::from_chars(value.data(), end, number);
  return error == std::errc() && at == end ? exact(number) : value;
}

}  // namespace

std::vector<std::string> result_settings(const std::string& command,
                                         const std::map<std::string, std::string>& defaults) {
  std::vector<std::string> settings;  // "--flag value ...", or a word before the first flag
  std::istringstream words(command);
  std::string word;
  while (words >> word) {
    if (word.rfind("--", 0) == 0) {
      const std::size_t equals = word.find('=');
      settings.push_back(word.substr(0, equals));
      if (equals != std::string::npos) settings.back() += " " + word.substr(equals + 1);
    } else if (settings.empty() || settings.back().rfind("--", 0) != 0) {
      settings.push_back(word);  // "neurona", "train"
    } else {
      settings.back() += " " + word;
    }
  }
  // A cosine schedule's rate is a function of the total epochs: there they must match too.
  const bool cosine =
      std::find(settings.begin(), settings.end(), "--lr-schedule cosine") != settings.end();
  std::erase_if(settings, [&](const std::string& setting) {
    const std::string flag = setting.substr(0, setting.find(' '));
    return (flag == "--epochs" && !cosine) || flag == "--data";
  });
  for (std::string& setting : settings) {
    const std::size_t space = setting.find(' ');
    if (space != std::string::npos)
      setting = setting.substr(0, space) + " " + canonical(setting.substr(space + 1));
  }
  std::erase_if(settings, [&](const std::string& setting) {
    const std::size_t space = setting.find(' ');
    if (space == std::string::npos) return false;
    const auto default_value = defaults.find(setting.substr(0, space));
    return default_value != defaults.end() &&
           canonical(default_value->second) == setting.substr(space + 1);
  });
  std::sort(settings.begin(), settings.end());
  return settings;
}

std::string exact(double value) {
  return fmt::format("{}", value);
}
std::string exact(float value) {
  return fmt::format("{}", value);
}

}  // namespace neurona::cli
