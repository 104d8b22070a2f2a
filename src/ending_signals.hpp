// The signals that end a program and that it may catch to remove its temporary files (see
// remove_temporary_files): held back while such a file is created, and left by worker threads to
// the program's own. Internal to the library.
#pragma once

#include <csignal>

namespace neurona {

inline constexpr int ending_signal_numbers[] = {SIGINT, SIGTERM, SIGHUP};

inline sigset_t ending_signals() {
  sigset_t signals;
  sigemptyset(&signals);
  for (const int signal : ending_signal_numbers)
    sigaddset(&signals, signal);
  return signals;
}

}  // namespace neurona
