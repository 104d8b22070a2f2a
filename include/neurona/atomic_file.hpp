// Writing files so that a reader never sees half of one: the contents go to a temporary file
// beside the target, which is then renamed over it.
#pragma once

#include <filesystem>
#include <string_view>

namespace neurona {

// Replaces `path` with `contents` atomically; on any failure the old file is left whole and no
// temporary file remains. A symbolic link stays, and the file it names is replaced; a device,
// pipe or socket at `path` is refused, not replaced. Throws InputError naming the path and the
// reason.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

// Throws InputError unless `path` could be written: its folder exists and is writable, and `path`
// is not a folder, device, pipe or socket. Lets a long computation fail before it starts rather
// than after.
void check_writable(const std::filesystem::path& path);

}  // namespace neurona
