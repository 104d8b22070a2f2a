// Atomic file replacement: write a temporary file in the same folder, fsync it, rename it.
#include "neurona/atomic_file.hpp"

#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ending_signals.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void fail(const fs::path& path, const std::string& why) {
  throw InputError(path.string() + ": cannot write: " + why);
}

fs::path folder_of(const fs::path& path) {
  return path.has_parent_path() ? path.parent_path() : fs::path(".");
}

void check_folder(const fs::path& path) {
  std::error_code error;
  const fs::path folder = folder_of(path);
  if (!fs::exists(folder, error)) fail(path, "the folder " + folder.string() + " does not exist");
  if (!fs::is_directory(folder, error)) fail(path, folder.string() + " is not a folder");
  if (fs::is_directory(path, error)) fail(path, "it is a folder");
  // Replacing is for files: a device or a pipe would be swapped for a file (as root, /dev/null).
  if (const fs::file_status status = fs::status(path, error);
      fs::exists(status) && !fs::is_regular_file(status))
    fail(path, "it is not a regular file (a device, pipe or socket)");
}

// The file a symbolic link names, so that it is the file that gets replaced, not the link; a
// link to a file not yet there names where it will be. Links are followed as the system does,
// up to its 40; a longer chain is a loop, refused as the system would refuse to open it (else
// the last link of the chain would be replaced by a file).
fs::path target_of(const fs::path& link) {
  std::error_code error;
  fs::path path = link;
  for (int links = 0; fs::is_symlink(fs::symlink_status(path, error)); ++links) {
    if (links == 40) fail(link, "too many levels of symbolic links (a loop?)");
    const fs::path target = fs::read_symlink(path, error);
    if (error) break;
    path = target.is_absolute() ? target : folder_of(path) / target;
  }
  return path;
}

// The names of the temporary files now on disk, for remove_temporary_files, which a signal
// handler may call at any moment: a slot holds a name or null, and a name is freed only after
// its slot is cleared. Beyond the slots' count a name goes untracked.
std::array<std::atomic<const char*>, 16> temporary_names{};

thread_local AtomicFileGroup* current_group = nullptr;

// The signals a program ends on, held back while a temporary file is created and its name
// tracked, so that none can end the program between the two.
class HeldSignals {
 public:
  HeldSignals() {
    const sigset_t held = ending_signals();
    pthread_sigmask(SIG_BLOCK, &held, &previous_);
  }
  ~HeldSignals() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }
  HeldSignals(const HeldSignals&) = delete;
  HeldSignals& operator=(const HeldSignals&) = delete;

 private:
  sigset_t previous_;
};

}  // namespace

// A temporary file beside its target, open for writing until close(); removed unless renamed
// over the target, and its name tracked for remove_temporary_files while it is on disk.
class AtomicFileGroup::Temporary {
 public:
  // Throws InputError naming the target when the file cannot be created.
  explicit Temporary(fs::path target) : target_(std::move(target)) {
    const std::string pattern =
        (folder_of(target_) / fmt::format(".{}.tmp-XXXXXX", target_.filename().string())).string();
    name_ = std::make_unique<char[]>(pattern.size() + 1);
    std::memcpy(name_.get(), pattern.c_str(), pattern.size() + 1);
    const HeldSignals held;
    fd_ = mkstemp(name_.get());
    if (fd_ < 0) {
      const std::string problem = std::strerror(errno);
      name_.reset();
      fail(target_, problem);
    }
    for (std::atomic<const char*>& slot : temporary_names) {
      const char* empty = nullptr;
      if (slot.compare_exchange_strong(empty, name_.get())) {
        slot_ = &slot;
        break;
      }
    }
  }
  Temporary(Temporary&& other) noexcept
      : name_(std::move(other.name_)),
        target_(std::move(other.target_)),
        slot_(other.slot_),
        fd_(other.fd_) {
    other.slot_ = nullptr;
    other.fd_ = -1;
  }
  Temporary& operator=(Temporary&&) = delete;
  ~Temporary() {
    close();
    remove();
  }

  int fd() const { return fd_; }
  const char* name() const { return name_.get(); }
  // The close's error, or 0.
  int close() {
    const int result = fd_ >= 0 ? ::close(fd_) : 0;
    fd_ = -1;
    return result;
  }

  // Renames the file over its target; on failure removes it and throws.
  void rename() {
    if (!name_) return;
    if (std::rename(name_.get(), target_.c_str()) != 0) {
      const std::string problem = std::strerror(errno);
      remove();
      fail(target_, problem);
    }
    forget();
  }

  void remove() {
    if (!name_) return;
    unlink(name_.get());
    forget();
  }

 private:
  // The file is gone, or is the target now: neither this nor a signal handler removes it.
  void forget() {
    if (slot_) slot_->store(nullptr);
    slot_ = nullptr;
    name_.reset();
  }

  std::unique_ptr<char[]> name_;  // null once the file is renamed or removed
  fs::path target_;
  std::atomic<const char*>* slot_ = nullptr;
  int fd_ = -1;
};

AtomicFileGroup::AtomicFileGroup() {
  if (current_group) throw std::logic_error("AtomicFileGroup: this thread has a group already");
  current_group = this;
}

// The files not renamed are removed with written_.
AtomicFileGroup::~AtomicFileGroup() {
  current_group = nullptr;
}

void AtomicFileGroup::commit() {
  current_group = nullptr;
  for (Temporary& temporary : written_)
    temporary.rename();
  written_.clear();
}

void remove_temporary_files() noexcept {
  for (std::atomic<const char*>& slot : temporary_names)
    if (const char* name = slot.load()) unlink(name);
}

namespace {

extern "C" void end_on_signal(int signal) {
  remove_temporary_files();
  std::signal(signal, SIG_DFL);
  std::raise(signal);
}

}  // namespace

void remove_temporary_files_on_signals() {
  for (const int signal : ending_signal_numbers)
    // A signal ignored by whoever started the program (nohup, a background job) stays ignored.
    if (std::signal(signal, end_on_signal) == SIG_IGN) std::signal(signal, SIG_IGN);
}

void check_writable(const fs::path& link) {
  const fs::path path = target_of(link);
  check_folder(path);
  const AtomicFileGroup::Temporary probe(path);  // created, then removed with the probe
}

void write_file_atomically(const fs::path& link, std::string_view contents) {
  const fs::path path = target_of(link);
  check_folder(path);
  AtomicFileGroup::Temporary temporary(path);
  const int fd = temporary.fd();
  const char* data = contents.data();
  std::size_t left = contents.size();
  std::string problem;
  while (left > 0 && problem.empty()) {
    const ssize_t written = write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0)
      problem = std::strerror(errno);
    else {
      data += written;
      left -= std::size_t(written);
    }
  }
  if (problem.empty() && fsync(fd) != 0) problem = std::strerror(errno);
  if (temporary.close() != 0 && problem.empty()) problem = std::strerror(errno);
  // A new file from mkstemp is private (0600); give it the mode an ordinary file would have.
  if (problem.empty()) {
    const mode_t mask = umask(0);
    umask(mask);
    chmod(temporary.name(), 0666 & ~mask);
  }
  if (!problem.empty()) {
    temporary.remove();
    fail(path, problem);
  }
  if (current_group)
    current_group->written_.push_back(std::move(temporary));
  else
    temporary.rename();
}

}  // namespace neurona
