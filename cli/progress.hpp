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
  // A run cut short by an error still ends the bar's line, so that the message starts its own.
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void report(const EpochRecord& record);
  // Draws the bar at the last epoch reported (the one training ended on, early or not), with the
  // time taken instead of the time left, and ends its line.
  void finish();

 private:
  void draw(const EpochRecord& record, bool final);

  ProgressStyle style_;
  Index epochs_, every_;
  int width_;
  int columns_ = 0, bar_ = 0;  // the terminal's width at the last drawing, the bar's width there
  std::chrono::steady_clock::time_point last_draw_{};
  EpochRecord last_{};
  bool drawn_ = false, last_drawn_ = false, finished_ = false;
};

}  // namespace neurona::cli
