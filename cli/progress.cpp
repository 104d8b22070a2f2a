// Progress of training on stderr (bar or lines) or stdout (JSON lines).
#include "progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

namespace neurona::cli {
namespace {

std::string validation_text(double loss) {
  return std::isnan(loss) ? "" : fmt::format("  validation {:.6g}", loss);
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
      std::fflush(stdout);
      return;
    }
    case ProgressStyle::lines:
      if (r.epoch == 1 || r.epoch % every_ == 0 || r.epoch == epochs_)
        fmt::print(stderr, "epoch {:>{}}/{}  loss {:.6g}{}\n", r.epoch, width_, epochs_, r.loss,
                   validation_text(r.validation_loss));
      return;
    case ProgressStyle::bar: {
      const auto now = std::chrono::steady_clock::now();
      if (drawn_ && r.epoch != epochs_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
      last_draw_ = now;
      drawn_ = true;
      const double done = epochs_ > 0 ? double(r.epoch) / double(epochs_) : 1.0;
      const int filled = int(done * 24);
      const double left = r.epoch > 0 ? r.seconds * (double(epochs_) / double(r.epoch) - 1) : 0;
      fmt::print(stderr, "\r\x1b[Kepoch {:>{}}/{} [{:=<{}}{: <{}}] loss {:.6g}{}  {:.0f}s left",
                 r.epoch, width_, epochs_, "", filled, "", 24 - filled, r.loss,
                 validation_text(r.validation_loss), left);
      std::fflush(stderr);
      return;
    }
  }
}

void Progress::finish() {
  if (style_ == ProgressStyle::bar && drawn_) fmt::print(stderr, "\n");
}

}  // namespace neurona::cli
