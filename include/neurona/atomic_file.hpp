// Writing files so that a reader never sees half of one: the contents go to a temporary file
// beside the target, which is then renamed over it.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace neurona {

// Replaces `path` with `contents` atomically (inside an AtomicFileGroup, on its commit); on any
// failure the old file is left whole and no temporary file remains. A symbolic link stays, and the
// file it names is replaced; a device, pipe or socket at `path` is refused, not replaced. Throws
// InputError naming the path and the reason.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Makes the files written while it lives, on its thread, one result: write_file_atomically (and
// so every writer of this library) writes and syncs each temporary file as usual, but renames it
// over its target only in commit(). A failure while writing any of them (a full disk), or an
// exception before commit(), leaves every old file whole and no temporary file. One group at a
// time on a thread.
class AtomicFileGroup {
 public:
  AtomicFileGroup();  // throws std::logic_error when the thread has a group already
  ~AtomicFileGroup();
  AtomicFileGroup(const AtomicFileGroup&) = delete;
  AtomicFileGroup& operator=(const AtomicFileGroup&) = delete;

  // Renames the files written, in the order they were written. Throws InputError naming a file
  // whose rename failed (within one folder, rare): the files before it are replaced, the ones
  // from it on left as they were.
  void commit();

 private:
  friend void write_file_atomically(const std::filesystem::path&, std::string_view);
  friend void check_writable(const std::filesystem::path&);
  class Temporary;
  std::vector<Temporary> written_;
};

// Removes the temporary files of the writes in progress, which a program ended by a signal would
// leave behind: for its SIGINT or SIGTERM handler, before it ends. Async-signal-safe.
void remove_temporary_files() noexcept;

// For a program: installs handlers (std::signal) that, on SIGINT, SIGTERM or SIGHUP, call
// remove_temporary_files and then end the program as the signal would have. A signal the program
// was started ignoring (nohup) stays ignored. The library holds these same signals back while it
// creates a temporary file, and its worker threads leave them to the program's threads.
void remove_temporary_files_on_signals();

// Throws InputError unless `path` could be written: its folder exists and is writable, and `path`
// is not a folder, device, pipe or socket. Lets a long computation fail before it starts rather
// than after.
void check_writable(const std::filesystem::path& path);

}  // namespace neurona
