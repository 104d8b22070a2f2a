// How `neurona train` reports its epochs: a progress bar on a terminal, one plain line per
// interval elsewhere, one JSON object per epoch for scripts, or nothing.
#pragma once

#include <chrono>

#include "neurona/neurona.hpp"

namespace neurona::cli {

enum class ProgressStyle { quiet, lines, bar, json };

// The style for the flags: --json wins, then --quiet; a bar only when stderr is a terminal.
ProgressStyle progress_style(bool json, bool quiet);

class Progress {
 public:
  // `every`: the interval of plain lines; the bar redraws at most ten times a second.
  Progress(ProgressStyle style, Index epochs, Index every);
  void report(const EpochRecord& record);
  // Ends the bar's line.
  void finish();

 private:
  ProgressStyle style_;
  Index epochs_, every_;
  int width_;
  std::chrono::steady_clock::time_point last_draw_{};
  bool drawn_ = false;
};

}  // namespace neurona::cli
