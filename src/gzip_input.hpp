// A file read as its bytes, or inflated when it starts with the gzip magic bytes, and read
// strictly: unlike zlib's gz* calls, which skip whatever follows a gzip member unless it is
// another member, bytes after the last member are refused (zero bytes of padding aside), so
// that a damaged or concatenated file is caught. Internal to the library.
#pragma once

#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace neurona {

class GzipInput {
 public:
  // Throws InputError "<path>: cannot open for reading", or naming a read error.
  explicit GzipInput(const std::filesystem::path& path);
  ~GzipInput();
  GzipInput(const GzipInput&) = delete;
  GzipInput& operator=(const GzipInput&) = delete;

  // Appends up to n bytes to `out` and returns how many came: fewer only at the end of the data.
  // Throws InputError, naming the file, for a read error and for a gzip stream that is damaged,
  // cut short, or followed by bytes that are neither zero padding nor another gzip member. A stream
  // cut short throws only when bytes past the cut are asked for.
  std::size_t read(std::vector<unsigned char>& out, std::size_t n);

  bool compressed() const { return compressed_; }
  // The (decompressed) bytes read so far.
  std::size_t offset() const { return offset_; }

 private:
  void buffer_at_least(std::size_t n);
  bool refill();
  std::size_t copy_plain(unsigned char* out, std::size_t n);
  std::size_t inflate_into(unsigned char* out, std::size_t n);
  void after_member();
  void skip_zero_bytes();
  void check_file();

  std::filesystem::path path_;
  std::string name_;
  std::FILE* file_ = nullptr;
  bool compressed_ = false;
  bool ended_ = false;  // the last gzip member has ended, and nothing follows it
  z_stream stream_{};   // next_in and avail_in hold the unread bytes of `input_`, gzip or not
  std::vector<unsigned char> input_;
  std::size_t file_offset_ = 0;  // the bytes taken from the file into `input_` so far
  std::size_t offset_ = 0;
};

}  // namespace neurona
