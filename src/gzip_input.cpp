// Strict reading of a file that may be gzip-compressed: inflate() over the file's bytes, each
// member's end checked for what follows it.
#include "gzip_input.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

#include "neurona/error.hpp"

namespace neurona {
namespace {

constexpr std::size_t input_bytes = 1 << 17;
// The most `out` grows by before its bytes arrive: a header may promise far more than the file
// holds, and nothing is allocated on its word alone.
constexpr std::size_t chunk_bytes = 1 << 20;

bool gzip_magic(const z_stream& stream) {
  return stream.avail_in >= 2 && stream.next_in[0] == 0x1F && stream.next_in[1] == 0x8B;
}

}  // namespace

GzipInput::GzipInput(const std::filesystem::path& path)
    : path_(path), name_(path.string()), input_(input_bytes) {
  file_ = std::fopen(name_.c_str(), "rb");
  if (!file_) throw InputError(name_ + ": cannot open for reading: " + std::strerror(errno));
  stream_.next_in = input_.data();
  try {
    buffer_at_least(2);
  } catch (...) {
    std::fclose(file_);
    throw;
  }
  compressed_ = gzip_magic(stream_);
  // 16 + MAX_WBITS: a gzip header and trailer around the deflate data, the CRC checked.
  if (!compressed_) return;
  if (const int code = inflateInit2(&stream_, 16 + MAX_WBITS); code != Z_OK) {
    std::fclose(file_);
    if (code == Z_MEM_ERROR) throw std::bad_alloc();
    throw InputError(fmt::format("{}: zlib cannot start inflating: {}", name_, zError(code)));
  }
}

GzipInput::~GzipInput() {
  if (compressed_) inflateEnd(&stream_);
  std::fclose(file_);
}

std::size_t GzipInput::read(std::vector<unsigned char>& out, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const std::size_t want = std::min(n - got, chunk_bytes);
    const std::size_t at = out.size();
    out.resize(at + want);
    const std::size_t came =
        compressed_ ? inflate_into(out.data() + at, want) : copy_plain(out.data() + at, want);
    out.resize(at + came);
    got += came;
    offset_ += came;
    if (came < want) break;
  }
  return got;
}

// Reads on until n bytes are unread or the file ends.
void GzipInput::buffer_at_least(std::size_t n) {
  while (stream_.avail_in < n && refill()) {
  }
}

// Keeps the unread input, moved to the front, and reads the file after it; false at its end.
bool GzipInput::refill() {
  std::memmove(input_.data(), stream_.next_in, stream_.avail_in);
  stream_.next_in = input_.data();
  const std::size_t n =
      std::fread(input_.data() + stream_.avail_in, 1, input_.size() - stream_.avail_in, file_);
  check_file();
  stream_.avail_in += uInt(n);
  file_offset_ += n;
  return n > 0;
}

// The bytes the gzip test looked at come first, then the rest straight from the file.
std::size_t GzipInput::copy_plain(unsigned char* out, std::size_t n) {
  const std::size_t buffered = std::min<std::size_t>(n, stream_.avail_in);
  std::memcpy(out, stream_.next_in, buffered);
  stream_.next_in += buffered;
  stream_.avail_in -= uInt(buffered);
  const std::size_t direct = std::fread(out + buffered, 1, n - buffered, file_);
  check_file();
  file_offset_ += direct;
  return buffered + direct;
}

std::size_t GzipInput::inflate_into(unsigned char* out, std::size_t n) {
  stream_.next_out = out;
  stream_.avail_out = uInt(n);
  while (stream_.avail_out > 0 && !ended_) {
    if (stream_.avail_in == 0 && !refill())
      throw InputError(fmt::format(
          "{}: the gzip stream is truncated: it ends after {} bytes of decompressed data", name_,
          offset_ + n - stream_.avail_out));
    // With input and room for output inflate always moves on, so any code but these two (even
    // Z_BUF_ERROR) is a fault, and the loop cannot spin.
    const int code = inflate(&stream_, Z_NO_FLUSH);
    if (code == Z_STREAM_END) {
      after_member();
    } else if (code == Z_MEM_ERROR) {
      throw std::bad_alloc();
    } else if (code != Z_OK) {
      throw InputError(
          fmt::format("{}: damaged gzip stream after {} bytes of decompressed data: {}", name_,
                      offset_ + n - stream_.avail_out, stream_.msg ? stream_.msg : zError(code)));
    }
  }
  return n - stream_.avail_out;
}

// After a member the file ends, or another member starts (`cat a.gz b.gz` makes one file of two,
// which gzip itself reads whole). Zero bytes between are padding, as a copy made in whole blocks
// ends, and are skipped as gzip and Python's gzip module skip them. Anything else is damage, or a
// file appended to by mistake.
void GzipInput::after_member() {
  skip_zero_bytes();
  buffer_at_least(2);
  if (stream_.avail_in == 0) {
    ended_ = true;
  } else if (gzip_magic(stream_)) {
    inflateReset(&stream_);
  } else {
    const std::size_t at = file_offset_ - stream_.avail_in;
    std::error_code error;
    const std::uintmax_t size = std::filesystem::file_size(path_, error);
    // A pipe has no size: its bytes are not counted, as they might never end.
    if (error || size <= at)
      throw InputError(
          fmt::format("{}: data after the end of the gzip stream at byte {}", name_, at));
    throw InputError(
        fmt::format("{}: {} byte{} of data after the end of the gzip stream at byte {}", name_,
                    size - at, size - at == 1 ? "" : "s", at));
  }
}

void GzipInput::skip_zero_bytes() {
  do {
    while (stream_.avail_in > 0 && stream_.next_in[0] == 0) {
      ++stream_.next_in;
      --stream_.avail_in;
    }
  } while (stream_.avail_in == 0 && refill());
}

void GzipInput::check_file() {
  if (std::ferror(file_))
    throw InputError(fmt::format("{}: read error after {} bytes{}: {}", name_, offset_,
                                 compressed_ ? " of decompressed data" : "", std::strerror(errno)));
}

}  // namespace neurona
