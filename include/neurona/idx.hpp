// The IDX format of MNIST-style image sets (Fashion-MNIST, MNIST), plain or gzip-compressed: a
// tensor of any rank read as a matrix whose rows are the first dimension.
#pragma once

#include <filesystem>

#include "neurona/dataset.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

// Reads an IDX file (gzip recognised by its magic bytes) of unsigned or signed bytes, 16- or
// 32-bit big-endian integers, floats or doubles: an n0 x n1 x ... x nk tensor becomes an
// n0 x (n1 ... nk) matrix of the values as stored (pixels stay 0 .. 255); a labels file (one
// dimension) becomes n0 x 1. Several gzip members one after another (as `cat a.gz b.gz` makes) are
// one stream, and zero bytes after a member are padding, skipped as gzip skips them. Throws
// InputError naming the file and the byte offset (in the decompressed data, for gzip) for a bad
// header, a truncated or damaged gzip stream, bytes past the declared data, and NaN or infinite
// values; and naming the offset in the file for bytes after the gzip stream that are neither
// padding nor another member.
Matrix<double> read_idx(const std::filesystem::path& path);

// Reads images (m x pixels) and their labels (one dimension of m whole numbers 0 .. classes-1)
// as X = the pixels, Y = m x classes one-hot. Throws InputError for labels that are not such
// numbers or whose count differs from the images'; UsageError for classes < 1.
template <class T>
Dataset<T> read_idx_pair(const std::filesystem::path& images, const std::filesystem::path& labels,
                         Index classes);

// Reads the labels beside an IDX images file, checked as read_idx_pair checks them, but with
// only the images' header read: m x 1, for the classes of a data set before its network exists.
// Throws as read_idx_pair does, and InputError for a bad images header.
Matrix<double> read_idx_labels(const std::filesystem::path& images,
                               const std::filesystem::path& labels, Index classes);

}  // namespace neurona
