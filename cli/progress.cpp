// Progress of training on stderr (bar or lines) or stdout (JSON lines).
#include "progress.hpp"

#include "stderr.hpp"

#include <fmt/format.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

namespace neurona::cli {
namespace {

constexpr int bar_width = 24;

std::string validation_text(double loss) {
  return std::isnan(loss) ? "" : fmt::format("  validation {:.6g}", loss);
}

// "0.0412s", "12.3s", "1234s": three digits, without an exponent for long runs.
std::string seconds_text(double seconds) {
  return seconds < 100 ? fmt::format("{:.3g}s", seconds) : fmt::format("{:.0f}s", seconds);
}

// The terminal's width, read at each drawing so that a resized window is followed; 80 when the
// terminal does not say.
int terminal_columns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

ProgressStyle progress_style(bool json, bool quiet) {
  if (json) return ProgressStyle::json;
  if (quiet) return ProgressStyle::quiet;
  return isatty(STDERR_FILENO) ? ProgressStyle::bar : ProgressStyle::lines;
}

Progress::Progress(ProgressStyle style, Index epochs, Index every)
    : style_(style),
      epochs_(epochs),
      every_(std::max<Index>(1, every)),
      width_(int(std::to_string(epochs).size())) {}

void Progress::report(const EpochRecord& r) {
  switch (style_) {
    case ProgressStyle::quiet:
      return;
    case ProgressStyle::json: {
      const nlohmann::json line = {
          {"epoch", r.epoch},
          {"loss", r.loss},
          {"validation_loss", std::isnan(r.validation_loss) ? nlohmann::json(nullptr)
                                                            : nlohmann::json(r.validation_loss)},
          {"learning_rate", r.learning_rate},
          {"seconds", r.seconds}};
      fmt::print("{}\n", line.dump());
      // A script reads each line as it comes; and a full disk stops the run here, with its reason.
      if (std::fflush(stdout) != 0) throw std::system_error(errno, std::generic_category());
      return;
    }
    case ProgressStyle::lines:
      if (r.epoch == 1 || r.epoch % every_ == 0 || r.epoch == epochs_)
        print_to_stderr("epoch {:>{}}/{}  loss {:.6g}{}\n", r.epoch, width_, epochs_, r.loss,
                        validation_text(r.validation_loss));
      return;
    case ProgressStyle::bar: {
      last_ = r;
      last_drawn_ = false;
      const auto now = std::chrono::steady_clock::now();
      if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
      last_draw_ = now;
      draw(r, false);
      return;
    }
  }
}

// A line wider than the terminal would wrap, and "\r" would then redraw only its last row: the
// bar narrows to fit, then goes, and what still does not fit is cut. Once narrowed it does not
// widen again while the terminal keeps its width, lest it jump to and fro as the numbers beside
// it change length.
void Progress::draw(const EpochRecord& r, bool final) {
  const double left = r.epoch > 0 ? r.seconds * (double(epochs_) / double(r.epoch) - 1) : 0;
  const std::string epoch = fmt::format("epoch {:>{}}/{}", r.epoch, width_, epochs_);
  const std::string rest =
      fmt::format(" loss {:.6g}{}  {}", r.loss, validation_text(r.validation_loss),
                  final ? fmt::format("done in {}", seconds_text(r.seconds))
                        : fmt::format("{:.0f}s left", left));
  const int columns = terminal_columns();
  if (columns != columns_) bar_ = bar_width;
  columns_ = columns;
  const int room = columns - 1;  // the last column would wrap on some terminals
  const int bar = bar_ = std::min(bar_, room - int(epoch.size() + rest.size()) - 3);
  std::string line = epoch + rest;
  if (bar >= 8) {
    const double done = epochs_ > 0 ? double(r.epoch) / double(epochs_) : 1.0;
    const int filled = int(done * bar);
    line = fmt::format("{} [{:=<{}}{: <{}}]{}", epoch, "", filled, "", bar - filled, rest);
  }
  if (int(line.size()) > room) line.resize(std::size_t(std::max(0, room)));
  print_to_stderr("\r\x1b[K{}", line);
  std::fflush(stderr);
  drawn_ = true;
  last_drawn_ = true;
}

void Progress::finish() {
  if (style_ != ProgressStyle::bar || finished_) return;
  finished_ = true;
  if (last_.epoch > 0) draw(last_, true);
  if (drawn_) print_to_stderr("\n");
}

Progress::~Progress() {
  if (style_ != ProgressStyle::bar || !drawn_ || finished_) return;
  finished_ = true;
  // Unwinding from an error already: a failed write to the terminal must not end the program.
  try {
    if (!last_drawn_) draw(last_, false);
    print_to_stderr("\n");
  } catch (...) {
  }
}

}  // namespace neurona::cli
