// IDX files: every element type, plain and gzip, tensors to matrices, label pairs one-hot, the
// vendored Fashion-MNIST subset against the full set, and each damaged file's message.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "neurona/error.hpp"
#include "neurona/idx.hpp"
#include "temp_folder.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

Bytes idx_header(unsigned char type, const std::vector<std::uint32_t>& dims) {
  Bytes bytes = {0, 0, type, static_cast<unsigned char>(dims.size())};
  for (const std::uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8)
      bytes.push_back(static_cast<unsigned char>(d >> shift));
  return bytes;
}

Bytes idx_u8(const std::vector<std::uint32_t>& dims, const Bytes& payload) {
  Bytes bytes = idx_header(0x08, dims);
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  return bytes;
}

std::uint32_t crc32(const Bytes& data) {
  std::uint32_t crc = 0xFFFFFFFF;
  for (const unsigned char byte : data) {
    crc ^= byte;
    for (int k = 0; k < 8; ++k)
      crc = (crc >> 1) ^ (0xEDB88320 & (0 - (crc & 1)));
  }
  return ~crc;
}

void put_le(Bytes& out, std::uint32_t value, int bytes) {
  for (int k = 0; k < bytes; ++k)
    out.push_back(static_cast<unsigned char>(value >> (8 * k)));
}

// A gzip file of stored (uncompressed) deflate blocks: valid gzip, made without zlib.
Bytes gzip(const Bytes& data) {
  Bytes out = {0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF};
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(data.size() - at, 65535);
    out.push_back(at + n == data.size() ? 1 : 0);
    put_le(out, std::uint32_t(n), 2);
    put_le(out, std::uint32_t(~n & 0xFFFF), 2);
    out.insert(out.end(), data.begin() + long(at), data.begin() + long(at + n));
    at += n;
  } while (at < data.size());
  put_le(out, crc32(data), 4);
  put_le(out, std::uint32_t(data.size()), 4);
  return out;
}

class Idx : public ::TempFolderTest {
 protected:
  fs::path write(const std::string& name, const Bytes& bytes) {
    std::ofstream(dir / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
    return dir / name;
  }
  std::string error_of(const std::string& name, const Bytes& bytes) {
    try {
      read_idx(write(name, bytes));
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(Idx, ImagesBecomeRowsOfPixelsAndLabelsAColumn) {
  // Two 2x3 images of unsigned bytes.
  const Bytes images = idx_u8({2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
  Matrix<double> expected(2, 6);
  expected << 0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255;
  EXPECT_EQ(read_idx(write("images.idx", images)), expected);
  EXPECT_EQ(read_idx(write("labels.idx", idx_u8({3}, {7, 0, 9}))),
            (Matrix<double>(3, 1) << 7, 0, 9).finished());
}

TEST_F(Idx, GzipIsRecognisedByItsMagicBytesWhateverTheName) {
  const Bytes images = idx_u8({2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
  const Matrix<double> plain = read_idx(write("images.idx", images));
  EXPECT_EQ(read_idx(write("images.idx.gz", gzip(images))), plain);
  EXPECT_EQ(read_idx(write("no-suffix", gzip(images))), plain);
  // Larger than one stored block, so that the stream spans several.
  Bytes pixels(3 * 100 * 300);
  for (std::size_t k = 0; k < pixels.size(); ++k)
    pixels[k] = static_cast<unsigned char>(k * 7);
  const Matrix<double> big = read_idx(write("big.gz", gzip(idx_u8({3, 100, 300}, pixels))));
  ASSERT_EQ(big.rows(), 3);
  ASSERT_EQ(big.cols(), 30000);
  EXPECT_EQ(big(2, 29999), double(static_cast<unsigned char>((pixels.size() - 1) * 7)));
}

TEST_F(Idx, EveryElementTypeIsReadBigEndian) {
  Bytes i8 = idx_header(0x09, {3});
  i8.insert(i8.end(), {0x80, 0xFF, 0x7F});
  EXPECT_EQ(read_idx(write("i8", i8)), (Matrix<double>(3, 1) << -128, -1, 127).finished());

  Bytes i16 = idx_header(0x0B, {1, 2});
  i16.insert(i16.end(), {0x01, 0x02, 0xFF, 0xFE});
  EXPECT_EQ(read_idx(write("i16", i16)), (Matrix<double>(1, 2) << 258, -2).finished());

  Bytes i32 = idx_header(0x0C, {2});
  i32.insert(i32.end(), {0x00, 0x01, 0x00, 0x00, 0x80, 0x00, 0x00, 0x00});
  EXPECT_EQ(read_idx(write("i32", i32)), (Matrix<double>(2, 1) << 65536, -2147483648.0).finished());

  Bytes f32 = idx_header(0x0D, {2});
  f32.insert(f32.end(), {0x3F, 0xC0, 0x00, 0x00, 0xC1, 0x20, 0x00, 0x00});  // 1.5, -10
  EXPECT_EQ(read_idx(write("f32", f32)), (Matrix<double>(2, 1) << 1.5, -10).finished());

  Bytes f64 = idx_header(0x0E, {1});
  f64.insert(f64.end(), {0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A});  // 0.1
  EXPECT_EQ(read_idx(write("f64", f64)), (Matrix<double>(1, 1) << 0.1).finished());
}

TEST_F(Idx, DamagedFilesAreErrorsWithTheByteOffset) {
  const Bytes good = idx_u8({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  struct Case {
    Bytes bytes;
    std::string expected;
  };
  Bytes nan = idx_header(0x0D, {2});
  nan.insert(nan.end(), {0x3F, 0x80, 0x00, 0x00, 0x7F, 0xC0, 0x00, 0x00});
  for (const Case& c : {
           Case{{}, "images.idx: byte 0: the file is empty, expected an IDX header"},
           Case{{0, 0, 8}, "images.idx: byte 3: the file ends inside the IDX magic number"},
           Case{{'1', ',', '2', '\n', '3'},
                "images.idx: byte 0: expected the IDX magic number 0x0000TTNN (TT the type: 08 "
                "unsigned byte, 09 signed byte, 0B short, 0C int, 0D float, 0E double; NN the "
                "number of dimensions), got 0x312C320A"},
           Case{{0, 0, 0x07, 1, 0, 0, 0, 1, 5}, "byte 0: expected the IDX magic number"},
           Case{{0, 0, 0x08, 0}, "got 0x00000800 (0 dimensions)"},
           Case{{0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0},
                "images.idx: byte 10: the file ends inside the IDX header, which declares 3 "
                "dimensions of 4 bytes each"},
           Case{idx_u8({2, 0, 2}, {}),
                "images.idx: byte 8: dimension 2 has size 0; expected at least 1"},
           Case{Bytes(good.begin(), good.end() - 3),
                "images.idx: byte 21: the file ends after 5 of the 8 values (unsigned bytes) that "
                "the header declares"},
           Case{idx_u8({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8, 9}),
                "images.idx: byte 24: more bytes after the 8 values that the header declares"},
           Case{nan, "images.idx: byte 12: value 2 is nan; expected a finite number"},
           Case{idx_header(0x0E, {65535, 65535, 65535, 65535}),
                "images.idx: byte 16: dimension 4 of size 65535 makes the tensor too large"},
       }) {
    const std::string message = error_of("images.idx", c.bytes);
    EXPECT_NE(message.find(c.expected), std::string::npos) << "got: " << message;
  }
}

TEST_F(Idx, AHeaderPromisingBillionsOfBytesReadsOnlyWhatIsThere) {
  // 60000 x 60000 x 255 bytes declared, 4 present: a truncation error, not a 900 GB allocation.
  const std::string message = error_of("huge.idx", idx_u8({60000, 60000, 255}, {1, 2, 3, 4}));
  EXPECT_NE(message.find("byte 20: the file ends after 4 of the 918000000000 values"),
            std::string::npos)
      << message;
}

TEST_F(Idx, DamagedGzipIsAnErrorNamingTheDecompressedOffset) {
  const Bytes good = idx_u8({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Bytes zipped = gzip(good);
  // Cut inside the data, and cut in the trailer after all the data: both truncated.
  for (const std::size_t keep : {zipped.size() - 12, zipped.size() - 3}) {
    const std::string message =
        error_of("images.idx.gz", Bytes(zipped.begin(), zipped.begin() + long(keep)));
    EXPECT_NE(message.find("images.idx.gz: the gzip stream is truncated"), std::string::npos)
        << message;
  }
  Bytes bad_crc = zipped;
  bad_crc[bad_crc.size() - 8] ^= 0xFF;
  EXPECT_NE(error_of("images.idx.gz", bad_crc).find("damaged gzip stream"), std::string::npos);

  // The IDX inside is checked as any other, with offsets into the decompressed bytes.
  EXPECT_NE(error_of("images.idx.gz", gzip(Bytes(good.begin(), good.end() - 1)))
                .find("images.idx.gz: byte 23 of the decompressed data: the file ends after 7 of "
                      "the 8 values"),
            std::string::npos);
  EXPECT_NE(error_of("twice.gz", gzip(gzip(good))).find("(a gzip header inside the gzip data)"),
            std::string::npos);
}

Bytes joined(Bytes head, const Bytes& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

// An IDX file in two gzip members, as `cat a.gz b.gz` makes (and gzip reads whole), split inside
// its header, with an empty member between the two halves.
Bytes two_members(const Bytes& idx) {
  return joined(joined(gzip(Bytes(idx.begin(), idx.begin() + 6)), gzip({})),
                gzip(Bytes(idx.begin() + 6, idx.end())));
}

TEST_F(Idx, ConcatenatedGzipMembersAreOneStream) {
  const Bytes images = idx_u8({2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
  const Bytes members = two_members(images);
  EXPECT_EQ(read_idx(write("members.gz", members)), read_idx(write("images.idx", images)));
  EXPECT_NE(error_of("cut.gz", Bytes(members.begin(), members.end() - 3))
                .find("cut.gz: the gzip stream is truncated: it ends after 28 bytes"),
            std::string::npos);
}

TEST_F(Idx, BytesAfterTheGzipStreamAreAnErrorNamingTheirOffset) {
  // A file damaged or appended to after its gzip data, which would otherwise read as whole.
  const Bytes good = idx_u8({2, 2, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  const Bytes zipped = gzip(good);
  const std::string end = std::to_string(zipped.size());
  const std::string after = " bytes of data after the end of the gzip stream at byte ";
  struct Case {
    Bytes bytes;
    std::string expected;
  };
  for (const Case& c : {
           Case{joined(zipped, {'j', 'u', 'n', 'k'}), "images.idx.gz: 4" + after + end},
           // Half a gzip magic number is not another member.
           Case{joined(zipped, {0x1F}),
                "images.idx.gz: 1 byte of data after the end of the gzip stream at byte " + end},
           // Zero padding is skipped; what follows it is not.
           Case{joined(joined(zipped, Bytes(512, 0)), {'x', 'y'}),
                "images.idx.gz: 2" + after + std::to_string(zipped.size() + 512)},
           // After the last of several members.
           Case{joined(two_members(good), {'\n'}),
                "images.idx.gz: 1 byte of data after the end of the gzip stream at byte " +
                    std::to_string(two_members(good).size())},
           // The magic number of a member whose header is bad.
           Case{joined(zipped, {0x1F, 0x8B, 0x63, 0}),
                "images.idx.gz: damaged gzip stream after 24 bytes of decompressed data: unknown "
                "compression method"},
       }) {
    const std::string message = error_of("images.idx.gz", c.bytes);
    EXPECT_NE(message.find(c.expected), std::string::npos) << "got: " << message;
  }
}

TEST_F(Idx, ZeroBytesAfterAGzipMemberArePadding) {
  // As a copy made in whole blocks ends: gzip and Python's gzip module read such files whole.
  const Bytes images = idx_u8({2, 2, 3}, {0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255});
  const Matrix<double> expected = read_idx(write("images.idx", images));
  EXPECT_EQ(read_idx(write("block.gz", joined(gzip(images), Bytes(512, 0)))), expected);
  // More zeros than the reader buffers at once.
  EXPECT_EQ(read_idx(write("long.gz", joined(gzip(images), Bytes(300000, 0)))), expected);
  // Padding between two members.
  const Bytes halves = joined(joined(gzip(Bytes(images.begin(), images.begin() + 6)), Bytes(9, 0)),
                              gzip(Bytes(images.begin() + 6, images.end())));
  EXPECT_EQ(read_idx(write("halves.gz", halves)), expected);
}

TEST_F(Idx, MissingFilesAndFoldersAreRefused) {
  EXPECT_NE(error_of("x", {}).find("x: byte 0: the file is empty"), std::string::npos);
  try {
    read_idx(dir / "absent.idx");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.idx: no such file"), std::string::npos);
  }
  EXPECT_THROW(read_idx(dir), InputError);
}

TEST_F(Idx, PairsGiveOneHotTargets) {
  const fs::path images = write("images", idx_u8({3, 1, 2}, {1, 2, 3, 4, 5, 6}));
  const fs::path labels = write("labels.gz", gzip(idx_u8({3}, {2, 0, 2})));
  const Dataset<float> data = read_idx_pair<float>(images, labels, 3);
  EXPECT_EQ(data.X, (Matrix<float>(3, 2) << 1, 2, 3, 4, 5, 6).finished());
  EXPECT_EQ(data.Y, (Matrix<float>(3, 3) << 0, 0, 1, 1, 0, 0, 0, 0, 1).finished());

  auto error_of_pair = [&](const fs::path& x, const fs::path& y, Index classes) -> std::string {
    try {
      read_idx_pair<double>(x, y, classes);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  EXPECT_NE(error_of_pair(images, labels, 2)
                .find("labels.gz: byte 8 of the decompressed data: label 2 of image 1 is not a "
                      "class from 0 to 1"),
            std::string::npos);
  EXPECT_NE(error_of_pair(images, write("four", idx_u8({4}, {0, 0, 0, 0})), 3)
                .find("four: 4 labels for the 3 images of"),
            std::string::npos);
  EXPECT_NE(error_of_pair(images, images, 3)
                .find("images: byte 0: expected a labels file, one dimension of whole numbers "
                      "(IDX magic 0x00000801 for unsigned bytes), got 3 dimensions of unsigned "
                      "bytes"),
            std::string::npos);
  EXPECT_THROW(read_idx_pair<double>(images, labels, 0), UsageError);
}

TEST_F(Idx, LabelsAreCheckedAgainstTheImagesHeaderAlone) {
  // The images end after their header: only the header is read.
  const fs::path header_only = write("header-only", idx_header(0x08, {3, 1, 2}));
  const fs::path labels = write("labels", idx_u8({3}, {2, 0, 2}));
  EXPECT_EQ(read_idx_labels(header_only, labels, 3), (Matrix<double>(3, 1) << 2, 0, 2).finished());

  auto error_of_labels = [&](const fs::path& x, const fs::path& y, Index classes) -> std::string {
    try {
      read_idx_labels(x, y, classes);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  };
  // The messages of read_idx_pair, for the same faults.
  const fs::path images = write("images", idx_u8({3, 1, 2}, {1, 2, 3, 4, 5, 6}));
  EXPECT_NE(error_of_labels(images, images, 3)
                .find("images: byte 0: expected a labels file, one dimension of whole numbers"),
            std::string::npos);
  EXPECT_NE(error_of_labels(images, labels, 2)
                .find("labels: byte 8: label 2 of image 1 is not a class from 0 to 1"),
            std::string::npos);
  EXPECT_NE(error_of_labels(images, write("four", idx_u8({4}, {0, 0, 0, 0})), 3)
                .find("four: 4 labels for the 3 images of"),
            std::string::npos);
  EXPECT_NE(error_of_labels(write("text", Bytes{'a', ',', 'b', '\n'}), labels, 3)
                .find("text: byte 0: expected the IDX magic number"),
            std::string::npos);
  EXPECT_THROW(read_idx_labels(images, labels, 0), UsageError);
}

TEST_F(Idx, PairsReadTheSameValuesInDoubleAndFloat) {
  Bytes f64 = idx_header(0x0E, {2, 2});
  f64.insert(f64.end(), {0x3F, 0xB9, 0x99, 0x99, 0x99, 0x99, 0x99, 0x9A,    // 0.1
                         0xC0, 0x24, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    // -10
                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,    // 0
                         0x47, 0xEF, 0xFF, 0xFF, 0xE0, 0x00, 0x00, 0x00});  // float's largest
  const fs::path images = write("images", f64);
  const fs::path labels = write("labels", idx_u8({2}, {1, 0}));
  const Dataset<double> in_double = read_idx_pair<double>(images, labels, 2);
  EXPECT_EQ(in_double.X, (Matrix<double>(2, 2) << 0.1, -10, 0, 3.4028234663852886e38).finished());
  EXPECT_EQ(in_double.Y, (Matrix<double>(2, 2) << 0, 1, 1, 0).finished());
  const Dataset<float> in_float = read_idx_pair<float>(images, labels, 2);
  EXPECT_EQ(in_float.X, in_double.X.cast<float>());
  EXPECT_EQ(in_float.Y, in_double.Y.cast<float>());

  // Twice float's largest is a double, but too large for float precision.
  f64[f64.size() - 7] = 0xFF;
  const fs::path large = write("large", f64);
  EXPECT_EQ(read_idx_pair<double>(large, labels, 2).X(1, 1), 6.805646932770577e38);
  try {
    read_idx_pair<float>(large, labels, 2);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(std::string(e.what()), large.string() + ": a value is too large for float precision");
  }

  // Two zeros, then -inf: the message names the third value and its byte.
  Bytes infinite = idx_header(0x0E, {3});
  infinite.resize(infinite.size() + 16, 0);
  infinite.insert(infinite.end(), {0xFF, 0xF0, 0, 0, 0, 0, 0, 0});
  const std::string message = error_of("infinite", infinite);
  EXPECT_NE(message.find("infinite: byte 24: value 3 is -inf; expected a finite number"),
            std::string::npos)
      << message;
}

// The vendored subset: data/fashion_mnist_test_1000-*, beside this test's source tree.
const fs::path data_dir = fs::path(__FILE__).parent_path().parent_path() / "data";
const fs::path subset_images = data_dir / "fashion_mnist_test_1000-images-idx3-ubyte.gz";
const fs::path subset_labels = data_dir / "fashion_mnist_test_1000-labels-idx1-ubyte.gz";
const fs::path fashion = "/usr/share/datasets/fashion-mnist";

TEST(FashionMnist, TheVendoredSubsetHoldsAHundredImagesOfEachClass) {
  const Dataset<double> data = read_idx_pair<double>(subset_images, subset_labels, 10);
  ASSERT_EQ(data.X.rows(), 1000);
  ASSERT_EQ(data.X.cols(), 28 * 28);
  EXPECT_EQ(data.X.minCoeff(), 0);
  EXPECT_EQ(data.X.maxCoeff(), 255);
  EXPECT_EQ(data.Y.colwise().sum(), RowVector<double>::Constant(10, 100));
  EXPECT_EQ(data.Y.rowwise().sum(), Matrix<double>::Ones(1000, 1));
}

TEST(FashionMnist, TheSubsetIsTheFirstHundredOfEachClassInTheDebianPackage) {
  if (!fs::exists(fashion / "t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP()
        << "dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)";
  const Matrix<double> images = read_idx(fashion / "t10k-images-idx3-ubyte.gz");
  const Matrix<double> labels = read_idx(fashion / "t10k-labels-idx1-ubyte.gz");
  ASSERT_EQ(images.rows(), 10000);
  ASSERT_EQ(images.cols(), 784);
  ASSERT_EQ(labels.rows(), 10000);
  const Matrix<double> subset = read_idx(subset_images);
  const Matrix<double> subset_classes = read_idx(subset_labels);
  int taken[10] = {};
  Index row = 0;
  for (Index i = 0; i < images.rows() && row < subset.rows(); ++i) {
    const int k = int(labels(i, 0));
    if (taken[k] == 100) continue;
    ++taken[k];
    ASSERT_EQ(subset.row(row), images.row(i)) << "subset row " << row << ", test image " << i;
    ASSERT_EQ(subset_classes(row, 0), k);
    ++row;
  }
  EXPECT_EQ(row, 1000);
  EXPECT_EQ(read_idx(fashion / "train-labels-idx1-ubyte.gz").rows(), 60000);
}

}  // namespace
}  // namespace neurona
