// Running the `neurona` binary as a user runs it, for the CLI tests (tests/cli*_test.cpp): the
// binary started with fork/exec in a fresh temporary folder, its exit status, stdout and stderr
// captured, and checks of what it printed and the files it left behind.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli_test {

namespace fs = std::filesystem;

struct Result {
  int status = -1;  // the exit status, or 128 + the signal that killed it
  std::string out;
  std::string err;
};

// Runs the neurona binary with `args` in folder `cwd`, stdout and stderr captured. Its stdin is
// empty, or a pipe carrying `input` (written whole before the output is read: keep it under the
// pipe's 64 KiB). With `stdout_path` its stdout is that file instead (/dev/full), opened for
// writing; with `stderr_path` its stderr, and `err` stays empty. With `address_space` bytes, the
// child may map no more (as `ulimit -v` limits it).
inline Result RunNeurona(const fs::path& cwd, const std::vector<std::string>& args,
                         const std::string* input = nullptr, const char* stdout_path = nullptr,
                         rlim_t address_space = 0, const char* stderr_path = nullptr) {
  std::vector<std::string> argv_text{NEURONA_CLI};
  argv_text.insert(argv_text.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_text)
    argv.push_back(arg.data());
  argv.push_back(nullptr);

  int out_pipe[2], err_pipe[2], in_pipe[2] = {-1, -1};
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0 ||
      (input && pipe2(in_pipe, O_CLOEXEC) != 0))
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {              // the child: only async-signal-safe calls from here on
    signal(SIGPIPE, SIG_DFL);  // as a shell starts it, whatever this process does with it
    const int in = input ? in_pipe[0] : open("/dev/null", O_RDONLY);
    const int out = stdout_path ? open(stdout_path, O_WRONLY) : out_pipe[1];
    const int err = stderr_path ? open(stderr_path, O_WRONLY) : err_pipe[1];
    if (in < 0 || out < 0 || err < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
        chdir(cwd.c_str()) != 0)
      _exit(126);
    const rlimit limit{address_space, address_space};
    if (address_space > 0 && setrlimit(RLIMIT_AS, &limit) != 0) _exit(126);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (input) {
    signal(SIGPIPE, SIG_IGN);  // a child that exits unread must not end the test program
    close(in_pipe[0]);
    for (std::size_t at = 0; at < input->size();) {
      const ssize_t n = write(in_pipe[1], input->data() + at, input->size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the child closed its stdin early: what it read is its business
      at += std::size_t(n);
    }
    close(in_pipe[1]);
  }

  // Both pipes are drained together, so that a child filling one of them never blocks.
  Result result;
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_pipes = 2;
  while (open_pipes > 0) {
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, std::size_t(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_pipes;
      }
    }
  }
  int wait_status = 0;
  while (waitpid(pid, &wait_status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : 128 + WTERMSIG(wait_status);
  return result;
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline void WriteFile(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

inline std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  return lines;
}

inline std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> items;
  std::istringstream in(text);
  for (std::string item; std::getline(in, item, separator);)
    items.push_back(item);
  return items;
}

// The whole of `text` as a double, or NaN if it is not exactly one number.
inline double ParseDouble(const std::string& text) {
  if (text.empty()) return std::nan("");
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() ? value : std::nan("");
}

// Digits of the mantissa of a printed number, without leading or trailing zeros: "0.0012300" -> 3.
inline std::size_t SignificantDigits(const std::string& number) {
  std::string digits;
  for (char c : number.substr(0, number.find_first_of("eE")))
    if (c >= '0' && c <= '9') digits += c;
  const std::size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  return digits.find_last_not_of('0') - first + 1;
}

// The number after `prefix` at the start of a line of `text`, up to the next space, or NaN if
// there is no such line.
inline double NumberAfter(const std::string& text, const std::string& prefix) {
  for (const std::string& line : Lines(text))
    if (line.rfind(prefix, 0) == 0) {
      const std::string rest = line.substr(prefix.size());
      return ParseDouble(rest.substr(0, rest.find(' ')));
    }
  return std::nan("");
}

// "line:column" of the position just past the end of `text`, both 1-based.
inline std::string EndPosition(const std::string& text) {
  std::size_t line = 1, column = 1;
  for (char c : text) {
    if (c == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

// A run that failed as a user should see it: the exit status, nothing on stdout, and one line on
// stderr, "error: ...", containing each of `parts`.
inline testing::AssertionResult FailedWith(const Result& result, int status,
                                           const std::vector<std::string_view>& parts) {
  auto failure = [&](const std::string& why) {
    return testing::AssertionFailure()
           << why << "\n  exit status " << result.status << "\n  stdout: \"" << result.out
           << "\"\n  stderr: \"" << result.err << "\"";
  };
  if (result.status != status) return failure("expected exit status " + std::to_string(status));
  if (!result.out.empty()) return failure("expected nothing on stdout");
  if (result.err.rfind("error: ", 0) != 0)
    return failure("expected stderr to start with \"error: \"");
  if (result.err.find('\n') + 1 != result.err.size())
    return failure("expected exactly one line on stderr");
  for (std::string_view part : parts)
    if (result.err.find(part) == std::string::npos)
      return failure("expected stderr to contain \"" + std::string(part) + "\"");
  return testing::AssertionSuccess();
}

inline testing::AssertionResult Succeeded(const Result& result) {
  if (result.status == 0) return testing::AssertionSuccess();
  return testing::AssertionFailure() << "exit status " << result.status << "\n  stdout: \""
                                     << result.out << "\"\n  stderr: \"" << result.err << "\"";
}

// The flags that train the tutorial's majority network as the tutorial trains it.
inline const std::vector<std::pair<std::string, std::string>> kMajorityFlags{
    {"--layers", "3,2,4,1"},  {"--activation", "sigmoid"},
    {"--output", "linear"},   {"--loss", "half_squared_error"},
    {"--lr", "0.5"},          {"--epochs", "10000"},
    {"--batch", "0"},         {"--seed", "1"},
    {"--precision", "double"}};
inline const std::vector<double> kMajorityTargets{0, 0, 0, 0, 1, 1, 1, 1};

// A fresh temporary folder per test, the working folder of every run, removed afterwards.
class CliTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string name = (fs::temp_directory_path() / "neurona-cli-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(name.data()), nullptr) << std::strerror(errno);
    dir_ = name;
  }

  // Write permission back first (a test may lock a folder), then everything goes.
  void TearDown() override {
    if (dir_.empty()) return;
    std::error_code error;
    fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::add, error);
    for (const auto& entry : fs::recursive_directory_iterator(dir_, error))
      if (entry.is_directory(error))
        fs::permissions(entry.path(), fs::perms::owner_all, fs::perm_options::add, error);
    fs::remove_all(dir_, error);
  }

  Result Neurona(const std::vector<std::string>& args) const { return RunNeurona(dir_, args); }
  Result NeuronaWithInput(const std::vector<std::string>& args, const std::string& input) const {
    return RunNeurona(dir_, args, &input);
  }
  // Its stdout written to the file `stdout_path`, not captured.
  Result NeuronaWritingTo(const std::vector<std::string>& args, const char* stdout_path) const {
    return RunNeurona(dir_, args, nullptr, stdout_path);
  }
  // Its stderr written to the file `stderr_path`, not captured.
  Result NeuronaWithStderrTo(const std::vector<std::string>& args, const char* stderr_path) const {
    return RunNeurona(dir_, args, nullptr, nullptr, 0, stderr_path);
  }
  // Its address space limited to `address_space` bytes.
  Result NeuronaWithin(const std::vector<std::string>& args, rlim_t address_space) const {
    return RunNeurona(dir_, args, nullptr, nullptr, address_space);
  }

  // `train --data data` with the majority flags. A flag of `changes` followed by a value replaces
  // the value of the same majority flag; any other argument is added at the end.
  Result TrainMajority(const std::string& data, const std::vector<std::string>& changes) const {
    auto flags = kMajorityFlags;
    std::vector<std::string> added;
    for (std::size_t i = 0; i < changes.size(); ++i) {
      const auto same = std::find_if(flags.begin(), flags.end(),
                                     [&](const auto& flag) { return flag.first == changes[i]; });
      if (same != flags.end() && i + 1 < changes.size()) {
        same->second = changes[++i];
      } else {
        added.push_back(changes[i]);
      }
    }
    std::vector<std::string> args{"train", "--data", data};
    for (const auto& [flag, value] : flags)
      args.insert(args.end(), {flag, value});
    args.insert(args.end(), added.begin(), added.end());
    return Neurona(args);
  }

  fs::path Path(const std::string& name) const { return dir_ / name; }
  void Write(const std::string& name, std::string_view text) const { WriteFile(Path(name), text); }
  std::string Read(const std::string& name) const { return ReadFile(Path(name)); }
  bool Exists(const std::string& name) const { return fs::exists(Path(name)); }

  // Copies tests/data/`name` into the folder, or else data/`name` (the datasets users get, the
  // tutorial's table among them).
  void Fixture(const std::string& name) const {
    const fs::path test_file = fs::path(NEURONA_TEST_DATA) / name;
    const fs::path data_file =
        fs::path(NEURONA_TEST_DATA).parent_path().parent_path() / "data" / name;
    fs::copy_file(fs::exists(test_file) ? test_file : data_file, Path(name));
  }

  // Names of everything in the folder, hidden files included.
  std::set<std::string> Files() const {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(dir_))
      names.insert(entry.path().filename().string());
    return names;
  }

  fs::path dir_;
};

}  // namespace cli_test
