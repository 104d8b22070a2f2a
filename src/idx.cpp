// IDX reading through GzipInput, which reads a gzip stream and a plain file alike; every length in
// the header is checked against the bytes that actually arrive.
#include "neurona/idx.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "gzip_input.hpp"
#include "kernels.hpp"
#include "neurona/error.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

struct IdxType {
  unsigned char code;
  std::size_t bytes;
  const char* name;
};

constexpr IdxType idx_types[] = {{0x08, 1, "unsigned byte"},  {0x09, 1, "signed byte"},
                                 {0x0B, 2, "16-bit integer"}, {0x0C, 4, "32-bit integer"},
                                 {0x0D, 4, "float"},          {0x0E, 8, "double"}};

// "file: byte N" or, for gzip, "file: byte N of the decompressed data".
std::string where(const std::string& name, bool compressed, std::size_t offset) {
  return fmt::format("{}: byte {}{}", name, offset, compressed ? " of the decompressed data" : "");
}

// A file read through GzipInput, with messages that say where in the (decompressed) data.
class Reader {
 public:
  explicit Reader(const fs::path& path) : name_(checked(path)), input_(path) {}

  std::size_t read(std::vector<unsigned char>& out, std::size_t n) { return input_.read(out, n); }

  std::string at(std::size_t offset) const { return where(name_, compressed(), offset); }
  std::size_t offset() const { return input_.offset(); }
  bool compressed() const { return input_.compressed(); }

 private:
  static std::string checked(const fs::path& path) {
    std::error_code error;
    if (!fs::exists(path, error)) throw InputError(path.string() + ": no such file");
    if (fs::is_directory(path, error))
      throw InputError(path.string() + ": is a folder, expected an IDX file");
    return path.string();
  }

  std::string name_;
  GzipInput input_;
};

std::uint64_t big_endian(const unsigned char* p, std::size_t bytes) {
  std::uint64_t value = 0;
  for (std::size_t k = 0; k < bytes; ++k)
    value = value << 8 | p[k];
  return value;
}

// Each type decoded by its own loop: the type is looked up once, not once per value, and the
// whole numbers, which are always finite, are not tested for it. `not_finite(k, value)` is called
// for the first float or double that is NaN or infinite, and must throw.
template <class NotFinite>
void decode_all(const unsigned char* in, std::size_t count, const IdxType& type, double* out,
                NotFinite not_finite) {
  switch (type.code) {
    case 0x08:
      for (std::size_t k = 0; k < count; ++k)
        out[k] = double(in[k]);
      return;
    case 0x09:
      for (std::size_t k = 0; k < count; ++k)
        out[k] = double(std::int8_t(in[k]));
      return;
    case 0x0B:
      for (std::size_t k = 0; k < count; ++k)
        out[k] = double(std::int16_t(std::uint16_t(big_endian(in + 2 * k, 2))));
      return;
    case 0x0C:
      for (std::size_t k = 0; k < count; ++k)
        out[k] = double(std::int32_t(std::uint32_t(big_endian(in + 4 * k, 4))));
      return;
    case 0x0D:
      for (std::size_t k = 0; k < count; ++k) {
        const std::uint32_t word = std::uint32_t(big_endian(in + 4 * k, 4));
        float value;
        std::memcpy(&value, &word, sizeof value);
        out[k] = double(value);
        if (!std::isfinite(out[k])) not_finite(k, out[k]);
      }
      return;
    default:
      for (std::size_t k = 0; k < count; ++k) {
        const std::uint64_t bits = big_endian(in + 8 * k, 8);
        std::memcpy(&out[k], &bits, sizeof out[k]);
        if (!std::isfinite(out[k])) not_finite(k, out[k]);
      }
  }
}

std::string hex(const unsigned char* p, std::size_t bytes) {
  std::string text = "0x";
  for (std::size_t k = 0; k < bytes; ++k)
    text += fmt::format("{:02X}", p[k]);
  return text;
}

struct Tensor {
  std::string name;
  bool compressed = false;
  std::vector<std::uint32_t> dims;
  std::size_t header_bytes = 0;
  const IdxType* type = nullptr;
  Matrix<double> values;  // dims[0] x the product of the others
};

// The header: magic number, type and dimensions, each checked. Leaves `in` at the first value.
Tensor read_header(Reader& in, const fs::path& path) {
  std::vector<unsigned char> header;
  const std::size_t got = in.read(header, 4);
  if (got == 0) throw InputError(in.at(0) + ": the file is empty, expected an IDX header");
  const std::string expected_magic =
      "the IDX magic number 0x0000TTNN (TT the type: 08 unsigned byte, 09 signed byte, 0B short, "
      "0C int, 0D float, 0E double; NN the number of dimensions)";
  if (got < 4)
    throw InputError(fmt::format("{}: the file ends inside {}, after {} bytes", in.at(got),
                                 expected_magic, got));
  Tensor tensor;
  tensor.name = path.string();
  tensor.compressed = in.compressed();
  for (const IdxType& type : idx_types)
    if (header[2] == type.code) tensor.type = &type;
  if (header[0] != 0 || header[1] != 0 || !tensor.type || header[3] == 0)
    throw InputError(
        fmt::format("{}: expected {}, got {}{}", in.at(0), expected_magic, hex(header.data(), 4),
                    header[0] == 0x1F && header[1] == 0x8B ? " (a gzip header inside the gzip data)"
                    : header[3] == 0 && tensor.type        ? " (0 dimensions)"
                                                           : ""));

  const std::size_t rank = header[3];
  if (in.read(header, 4 * rank) < 4 * rank)
    throw InputError(
        fmt::format("{}: the file ends inside the IDX header, which declares {} "
                    "dimensions of 4 bytes each",
                    in.at(in.offset()), rank));
  tensor.header_bytes = 4 + 4 * rank;
  // Bounded before each product, so that no header can overflow the count.
  const std::uint64_t most = std::uint64_t(std::numeric_limits<Index>::max()) / 8;
  std::uint64_t count = 1;
  for (std::size_t k = 0; k < rank; ++k) {
    const std::uint32_t size = std::uint32_t(big_endian(&header[4 + 4 * k], 4));
    if (size == 0)
      throw InputError(
          fmt::format("{}: dimension {} has size 0; expected at least 1", in.at(4 + 4 * k), k + 1));
    tensor.dims.push_back(size);
    if (count > most / size)
      throw InputError(fmt::format("{}: dimension {} of size {} makes the tensor too large to read",
                                   in.at(4 + 4 * k), k + 1, size));
    count *= size;
  }
  return tensor;
}

Tensor read_tensor(const fs::path& path) {
  Reader in(path);
  Tensor tensor = read_header(in, path);
  std::uint64_t count = 1;
  for (const std::uint32_t size : tensor.dims)
    count *= size;

  // Read what arrives, never a buffer sized by the header alone, then one byte more to find bytes
  // past the end (and, for gzip, the stream's own end and checksum).
  const std::size_t bytes = std::size_t(count) * tensor.type->bytes;
  std::vector<unsigned char> data;
  data.reserve(std::min<std::size_t>(bytes, std::size_t(1) << 26));
  const std::size_t read = in.read(data, bytes);
  if (read < bytes)
    throw InputError(fmt::format(
        "{}: the file ends after {} of the {} values ({}s) that the header declares",
        in.at(tensor.header_bytes + read), read / tensor.type->bytes, count, tensor.type->name));
  std::vector<unsigned char> extra;
  if (in.read(extra, 1) > 0)
    throw InputError(fmt::format("{}: more bytes after the {} values that the header declares",
                                 in.at(tensor.header_bytes + bytes), count));

  const Index rows = Index(tensor.dims[0]);
  const Index cols = Index(count / tensor.dims[0]);
  tensor.values.resize(rows, cols);
  decode_all(data.data(), std::size_t(count), *tensor.type, tensor.values.data(),
             [&](std::size_t k, double value) {
               throw InputError(fmt::format("{}: value {} is {}; expected a finite number",
                                            in.at(tensor.header_bytes + k * tensor.type->bytes),
                                            k + 1, value));
             });
  return tensor;
}

}  // namespace

Matrix<double> read_idx(const fs::path& path) {
  return read_tensor(path).values;
}

namespace {

// Checks `y`, read from `labels`, as the labels of `images`, a file of `image_count` images: one
// dimension of whole numbers, one per image, each a class from 0 to classes-1.
void check_labels(const Tensor& y, const fs::path& labels, std::uint32_t image_count,
                  const fs::path& images, Index classes) {
  const bool integer = y.type->code != 0x0D && y.type->code != 0x0E;
  if (y.dims.size() != 1 || !integer)
    throw InputError(
        fmt::format("{}: expected a labels file, one dimension of whole numbers (IDX magic "
                    "0x00000801 for unsigned bytes), got {} dimension{} of {}s",
                    where(y.name, y.compressed, 0), y.dims.size(), y.dims.size() == 1 ? "" : "s",
                    y.type->name));
  if (y.dims[0] != image_count)
    throw InputError(fmt::format("{}: {} labels for the {} images of {}", labels.string(),
                                 y.dims[0], image_count, images.string()));
  for (Index i = 0; i < y.values.rows(); ++i) {
    const double label = y.values(i, 0);
    if (label < 0 || label >= double(classes))
      throw InputError(
          fmt::format("{}: label {} of image {} is not a class from 0 to {}",
                      where(y.name, y.compressed, y.header_bytes + std::size_t(i) * y.type->bytes),
                      label, i + 1, classes - 1));
  }
}

void check_classes(Index classes, const char* function) {
  if (classes < 1)
    throw UsageError(fmt::format("{}: classes must be >= 1, got {}", function, classes));
}

}  // namespace

Matrix<double> read_idx_labels(const fs::path& images, const fs::path& labels, Index classes) {
  check_classes(classes, "read_idx_labels");
  Reader in(images);
  const Tensor x = read_header(in, images);
  const Tensor y = read_tensor(labels);
  check_labels(y, labels, x.dims[0], images, classes);
  return y.values;
}

template <class T>
Dataset<T> read_idx_pair(const fs::path& images, const fs::path& labels, Index classes) {
  check_classes(classes, "read_idx_pair");
  Tensor x = read_tensor(images);
  const Tensor y = read_tensor(labels);
  check_labels(y, labels, x.dims[0], images, classes);
  Dataset<T> data;
  const Index m = x.values.rows();
  // In double the values are the tensor's own, moved rather than copied (60000 images are 376 MB).
  if constexpr (std::is_same_v<T, double>) {
    data.X = std::move(x.values);
  } else {
    data.X = x.values.template cast<T>();
    x.values.resize(0, 0);
    if (!detail::all_finite<T>(data.X))
      throw InputError(
          fmt::format("{}: a value is too large for float precision", images.string()));
  }
  data.Y = Matrix<T>::Zero(m, classes);
  for (Index i = 0; i < m; ++i)
    data.Y(i, Index(y.values(i, 0))) = T(1);
  return data;
}

template Dataset<float> read_idx_pair<float>(const fs::path&, const fs::path&, Index);
template Dataset<double> read_idx_pair<double>(const fs::path&, const fs::path&, Index);

}  // namespace neurona
