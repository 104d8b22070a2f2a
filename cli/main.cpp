// neurona: train and run multilayer perceptrons from the shell. Errors are printed as
// "error: ..." with exit status 2 for a usage error and 1 for anything else.
#include <fmt/format.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "commands.hpp"
#include "neurona/neurona.hpp"
#include "options.hpp"
#include "stderr.hpp"

namespace {

using neurona::cli::print_to_stderr;

// CLI11 reads an empty value as 0 for a number and as "not given" for a path: `--lr ""` would
// train at a rate of 0, `--history ""` write no history. No flag of neurona takes an empty value.
void refuse_empty_values(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg.starts_with("--") && arg.ends_with("=") && arg.find('=') == arg.size() - 1)
      throw neurona::UsageError(
          fmt::format("{} has an empty value", arg.substr(0, arg.size() - 1)));
    if (arg.empty() && std::string_view(argv[i - 1]).starts_with("--"))
      throw neurona::UsageError(fmt::format("{} has an empty value", argv[i - 1]));
  }
}

// Standard input can be read once: `predict --model /dev/stdin --data -` read the model, then
// found the data empty. Two flags that read files naming it are refused together. (Only --data
// takes "-" for it; report's --history is an input, train's an output.)
void refuse_two_readers_of_standard_input(int argc, char** argv) {
  std::string_view command;
  for (int i = 1; i < argc && command.empty(); ++i)
    if (!std::string_view(argv[i]).starts_with('-')) command = argv[i];
  std::vector<std::string> readers;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i], value;
    if (const std::size_t equals = flag.find('='); equals != std::string_view::npos) {
      value = flag.substr(equals + 1);
      flag = flag.substr(0, equals);
    } else if (i + 1 < argc) {
      value = argv[i + 1];
    }
    const bool reads = flag == "--model" || flag == "--data" || flag == "--labels" ||
                       flag == "--init" || (flag == "--history" && command == "report");
    const bool standard_input = value == "/dev/stdin" || value == "/dev/fd/0" ||
                                value == "/proc/self/fd/0" || (flag == "--data" && value == "-");
    if (reads && standard_input) readers.push_back(fmt::format("{} {}", flag, value));
  }
  if (readers.size() > 1)
    throw neurona::UsageError(fmt::format(
        "{} and {} both read standard input, which can be read once; give one of them a file",
        readers[0], readers[1]));
}

// CLI11 answers a misspelt command (`neurona trian`) with "A subcommand is required": the word
// typed and the commands there are named instead.
std::string unknown_command(const CLI::App& app) {
  const CLI::App* command = &app;
  while (!command->get_subcommands().empty())
    command = command->get_subcommands().front();
  const std::vector<std::string> left = command->remaining();
  if (command->get_require_subcommand_min() == 0 || left.empty() || left.front().starts_with('-'))
    return "";
  std::string names;
  for (const CLI::App* sub : command->get_subcommands([](const CLI::App*) { return true; }))
    names += (names.empty() ? "" : ", ") + sub->get_name();
  const std::string path = command == &app ? "neurona" : "neurona " + command->get_name();
  return fmt::format("{} has no command \"{}\"; its commands: {}", path, left.front(), names);
}

// "-0.1": a stray value, not a flag.
bool is_number(const std::string& text) {
  char* end = nullptr;
  std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size();
}

// CLI11 checks the required flags before it looks at unknown ones: `neurona train --bogus 1`
// said "--data is required". A flag no command has is named first, with the command typed.
std::string unknown_flag(const CLI::App& app) {
  const CLI::App* command = &app;
  while (true) {
    for (const std::string& arg : command->remaining())
      if (arg.size() > 1 && arg.starts_with('-') && !is_number(arg)) {
        std::string path = "neurona";
        for (const CLI::App* at = command; at != &app; at = at->get_parent())
          path.insert(7, " " + at->get_name());
        return fmt::format("{} has no flag {}", path, arg.substr(0, arg.find('=')));
      }
    if (command->get_subcommands().empty()) return "";
    command = command->get_subcommands().front();
  }
}

// CLI11 says "--epochs: At Most 1 required but received 2" of a flag given twice, which reads as
// if a value were missing: "--epochs is given 2 times; give it once" says what to change.
std::string repeated_flag(const CLI::ParseError& error) {
  const std::string what = error.what();
  constexpr std::string_view marker = ": At Most 1 required but received ";
  const std::size_t at = what.find(marker);
  if (at == std::string::npos || !what.starts_with("--")) return "";
  return fmt::format("{} is given {} times; give it once", what.substr(0, at),
                     what.substr(at + marker.size()));
}

// What is still buffered goes out now, and a write that failed (a full disk) fails the command,
// rather than the exit flushing it unchecked: predictions lost must not read as a success. (The
// help and version texts go through std::cout, which writes through stdout.)
int flushed(int status) {
  errno = 0;
  std::cout.flush();  // which flushes stdout too
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || std::cout.fail()) {
    print_to_stderr("error: standard output: {}\n",
                    errno ? std::strerror(errno) : "a write failed");
    return 1;
  }
  return status;
}

}  // namespace

int main(int argc, char** argv) {
  // Ctrl-C, or a kill, while a file is being written would leave its temporary file behind.
  neurona::remove_temporary_files_on_signals();
  CLI::App app{
      "neurona: train and run multilayer perceptrons, as derived in the tutorial "
      "\"Red neuronal 1\"."};
  // Which library takes the large products decides their speed and last bits (see parallel.hpp);
  // finding it opens OpenBLAS, which only --version should pay for.
  app.set_version_flag("--version", [] {
    return fmt::format("neurona {}\nlarge matrix products (2^20 multiply-adds or more): {}",
                       neurona::version, neurona::large_product_library());
  });
  app.require_subcommand(1);
  int status = 0;
  neurona::cli::invocation() = neurona::cli::training_command(argc, argv);
  neurona::cli::add_demo_command(app, status);
  neurona::cli::add_train_command(app, status);
  neurona::cli::add_predict_command(app, status);
  neurona::cli::add_evaluate_command(app, status);
  neurona::cli::add_gradcheck_command(app, status);
  neurona::cli::add_explain_command(app, status);
  neurona::cli::add_report_command(app, status);
  neurona::cli::take_decimal_numbers(app);

  try {
    refuse_empty_values(argc, argv);
    refuse_two_readers_of_standard_input(argc, argv);
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return flushed(app.exit(e));
  } catch (const CLI::CallForAllHelp& e) {
    return flushed(app.exit(e));
  } catch (const CLI::CallForVersion& e) {
    return flushed(app.exit(e));
  } catch (const CLI::ParseError& e) {
    std::string message = unknown_command(app);
    if (message.empty()) message = unknown_flag(app);
    if (message.empty()) message = repeated_flag(e);
    print_to_stderr("error: {} (run with --help for the usage)\n",
                    message.empty() ? e.what() : message);
    return 2;
  } catch (const neurona::UsageError& e) {
    print_to_stderr("error: {}\n", e.what());
    return 2;
  } catch (const neurona::Error& e) {
    print_to_stderr("error: {}\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    // Past the checks made before allocating (the data's size, train's estimate): the limit met
    // is what the user can change, or work within.
    print_to_stderr("error: out of memory: this command needs more than {}\n",
                    neurona::memory_limit().description());
    return 1;
  } catch (const std::system_error& e) {
    // fmt::print found the output's stream refusing a write: a full disk, an output closed.
    if (std::ferror(stdout)) {
      print_to_stderr("error: standard output: {}\n", e.code().message());
      return 1;
    }
    print_to_stderr("error: unexpected failure, please report it: {}\n", e.what());
    return 1;
  } catch (const std::exception& e) {
    // Every expected failure is a neurona::Error with its own message; this is a bug's last
    // stop, which still ends with a message and a status rather than an abort.
    print_to_stderr("error: unexpected failure, please report it: {}\n", e.what());
    return 1;
  }
  return flushed(status);
}
