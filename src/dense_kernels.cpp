// The layer's three products, Z = A_prev W + b, dW = A_prev^T dZ and dA_prev = dZ W^T, by two
// paths chosen by shape:
//  - layers of at most 8 inputs and 8 units (the tutorial's network) take loops whose sizes are
//    known at compile time: the compiler keeps a row's sums in registers and unrolls everything,
//    where a general matrix product would spend more time choosing blocks than multiplying;
//  - every other layer calls a blocked matrix product: Eigen's (its GEMM through eigen_gemm.cpp,
//    which keeps the packing space), or for large products OpenBLAS's (blas.cpp), about 1.4 times
//    faster on one core. Large ones are cut into tiles of columns that threads share; the tiles
//    depend on the shapes alone, so any thread count gives the same bits.
// src/reference.cpp has the same equations as plain expressions; tests compare the two.
#include <algorithm>
#include <array>
#include <tuple>
#include <utility>

#include "blas.hpp"
#include "eigen_gemm.hpp"
#include "kernels.hpp"
#include "parallel.hpp"

namespace neurona::detail {
namespace {

constexpr int small_size = small_layer_size;  // the largest n_in and n_out with a kernel of its own

// Products with fewer multiply-adds than this run on one thread: waking a second costs about as
// much as a product of 128 x 64 x 64.
constexpr double parallel_work = 1 << 20;
// Tiles are at most this wide, and as equal as multiples of 16 columns allow: narrower ones cost
// OpenBLAS more in packing than a second thread gains (64-column tiles made a training step of
// the 784-256-128-10 network 1.4 times slower on one thread).
constexpr Index max_tile_columns = 256;
constexpr Index tile_multiple = 16;

// Z = A_prev W + b for one row at a time: sum_p x_p W_p, then + b, in the order of the reference
// (so the tutorial's 1-1-1 house network prints its figures to the last digit).
// W and b are copied first: otherwise each store to Z, which might alias them as far as the
// compiler knows, would make it load them again for the next row.
template <class T, int K, int N>
void affine_small(const T* X, Index x_stride, Index m, const T* W_in, const T* b_in, T* Z,
                  Index z_stride) {
  std::array<T, K * N> W;
  std::array<T, N> b;
  std::copy_n(W_in, K * N, W.begin());
  std::copy_n(b_in, N, b.begin());
  for (Index i = 0; i < m; ++i, X += x_stride, Z += z_stride) {
    T z[N];
    for (int j = 0; j < N; ++j)
      z[j] = X[0] * W[j];
    for (int p = 1; p < K; ++p)
      for (int j = 0; j < N; ++j)
        z[j] += X[p] * W[p * N + j];
    for (int j = 0; j < N; ++j)
      Z[j] = z[j] + b[j];
  }
}

// dW = A_prev^T dZ and db = 1^T dZ, summed row by row in registers.
template <class T, int K, int N>
void weight_gradients_small(const T* A, Index a_stride, Index m, const T* dZ, Index dz_stride,
                            T* dW, T* db) {
  T w[K][N] = {};
  T c[N] = {};
  for (Index i = 0; i < m; ++i, A += a_stride, dZ += dz_stride) {
    for (int p = 0; p < K; ++p)
      for (int j = 0; j < N; ++j)
        w[p][j] += A[p] * dZ[j];
    for (int j = 0; j < N; ++j)
      c[j] += dZ[j];
  }
  for (int p = 0; p < K; ++p)
    for (int j = 0; j < N; ++j)
      dW[p * N + j] = w[p][j];
  for (int j = 0; j < N; ++j)
    db[j] = c[j];
}

// dA_prev = dZ W^T, one row at a time. W^T is laid out first so that a row's n_in sums run side
// by side in vector registers, each still adding its terms in the order j = 0, 1, ...
template <class T, int K, int N>
void input_gradient_small(const T* dZ, Index dz_stride, Index m, const T* W, T* dA,
                          Index da_stride) {
  std::array<T, N * K> W_t;
  for (int p = 0; p < K; ++p)
    for (int j = 0; j < N; ++j)
      W_t[j * K + p] = W[p * N + j];
  for (Index i = 0; i < m; ++i, dZ += dz_stride, dA += da_stride) {
    T sum[K] = {};
    for (int j = 0; j < N; ++j)
      for (int p = 0; p < K; ++p)
        sum[p] += dZ[j] * W_t[j * K + p];
    for (int p = 0; p < K; ++p)
      dA[p] = sum[p];
  }
}

// Tables of the kernels for every K, N in 1..8, indexed by (K - 1) * 8 + (N - 1).
template <class T>
using AffineKernel = void (*)(const T*, Index, Index, const T*, const T*, T*, Index);
template <class T>
using WeightKernel = void (*)(const T*, Index, Index, const T*, Index, T*, T*);
template <class T>
using InputKernel = void (*)(const T*, Index, Index, const T*, T*, Index);

template <class T, std::size_t... I>
constexpr auto small_kernels(std::index_sequence<I...>) {
  constexpr int s = small_size;
  return std::make_tuple(
      std::array<AffineKernel<T>, sizeof...(I)>{&affine_small<T, I / s + 1, I % s + 1>...},
      std::array<WeightKernel<T>, sizeof...(I)>{
          &weight_gradients_small<T, I / s + 1, I % s + 1>...},
      std::array<InputKernel<T>, sizeof...(I)>{&input_gradient_small<T, I / s + 1, I % s + 1>...});
}

template <class T>
const auto kernels = small_kernels<T>(std::make_index_sequence<small_size * small_size>());

std::size_t kernel_index(Index n_in, Index n_out) {
  return std::size_t((n_in - 1) * small_size + (n_out - 1));
}

// Calls product(first, count, large) on column ranges that cover [0, columns): one range for a
// small product, tiles of at most max_tile_columns otherwise, fixed by the shape whatever the
// thread count. `large` says the product is worth a BLAS call.
template <class Product>
void by_column_tiles(Index columns, double work, const Product& product) {
  if (work < parallel_work || columns <= max_tile_columns) {
    product(0, columns, work >= parallel_work);
    return;
  }
  const Index tiles = (columns + max_tile_columns - 1) / max_tile_columns;
  const Index per_tile = (columns + tiles - 1) / tiles;
  const Index width = (per_tile + tile_multiple - 1) / tile_multiple * tile_multiple;
  parallel_for(tiles, [&](Index t) {
    const Index first = t * width;
    if (first < columns) product(first, std::min(width, columns - first), true);
  });
}

// C = op(A) op(B) + beta C, as blas_product: by the BLAS when the product is large and one is
// loaded, else by Eigen: its GEMM with the packing space kept, or where Eigen takes another path,
// `expression` (the same product as an Eigen expression).
template <class T, class Expression>
void product(bool large, bool transpose_a, bool transpose_b, Index m, Index n, Index k, const T* A,
             Index lda, const T* B, Index ldb, T beta, T* C, Index ldc,
             const Expression& expression) {
  if (large && blas_product<T>(transpose_a, transpose_b, m, n, k, A, lda, B, ldb, beta, C, ldc))
    return;
  if (eigen_uses_gemm(m, n, k))
    eigen_gemm<T>(transpose_a, transpose_b, m, n, k, A, lda, B, ldb, beta, C, ldc);
  else
    expression();
}

double work(Index m, Index n_in, Index n_out) {
  return double(m) * double(n_in) * double(n_out);
}

}  // namespace

template <class T>
void affine(ConstMatrixRef<T> A_prev, const Matrix<T>& W, const RowVector<T>& b, MatrixRef<T> Z) {
  const Index m = A_prev.rows(), n_in = W.rows(), n_out = W.cols();
  if (is_small_layer(n_in, n_out)) {
    std::get<0>(kernels<T>)[kernel_index(n_in, n_out)](
        A_prev.data(), A_prev.outerStride(), m, W.data(), b.data(), Z.data(), Z.outerStride());
    return;
  }
  by_column_tiles(n_out, work(m, n_in, n_out), [&](Index first, Index count, bool large) {
    auto Z_tile = Z.middleCols(first, count);
    Z_tile.rowwise() = b.segment(first, count);  // the product then adds onto b
    product<T>(large, false, false, m, count, n_in, A_prev.data(), A_prev.outerStride(),
               W.data() + first, n_out, T(1), Z_tile.data(), Z.outerStride(),
               [&] { Z_tile.noalias() += A_prev * W.middleCols(first, count); });
  });
}

template <class T>
void weight_gradients(ConstMatrixRef<T> A_prev, ConstMatrixRef<T> dZ, Matrix<T>& dW,
                      RowVector<T>& db) {
  const Index m = A_prev.rows(), n_in = dW.rows(), n_out = dW.cols();
  if (is_small_layer(n_in, n_out)) {
    std::get<1>(kernels<T>)[kernel_index(n_in, n_out)](
        A_prev.data(), A_prev.outerStride(), m, dZ.data(), dZ.outerStride(), dW.data(), db.data());
    return;
  }
  by_column_tiles(n_out, work(m, n_in, n_out), [&](Index first, Index count, bool large) {
    product<T>(large, true, false, n_in, count, m, A_prev.data(), A_prev.outerStride(),
               dZ.data() + first, dZ.outerStride(), T(0), dW.data() + first, n_out, [&] {
                 dW.middleCols(first, count).noalias() =
                     A_prev.transpose() * dZ.middleCols(first, count);
               });
  });
  db = dZ.colwise().sum();
}

template <class T>
void input_gradient(ConstMatrixRef<T> dZ, const Matrix<T>& W, MatrixRef<T> dA_prev) {
  const Index m = dZ.rows(), n_in = W.rows(), n_out = W.cols();
  if (is_small_layer(n_in, n_out)) {
    std::get<2>(kernels<T>)[kernel_index(n_in, n_out)](dZ.data(), dZ.outerStride(), m, W.data(),
                                                       dA_prev.data(), dA_prev.outerStride());
    return;
  }
  by_column_tiles(n_in, work(m, n_in, n_out), [&](Index first, Index count, bool large) {
    product<T>(
        large, false, true, m, count, n_out, dZ.data(), dZ.outerStride(), W.data() + first * n_out,
        n_out, T(0), dA_prev.data() + first, dA_prev.outerStride(), [&] {
          dA_prev.middleCols(first, count).noalias() = dZ * W.middleRows(first, count).transpose();
        });
  });
}

template <class T>
void small_affine(const T* A_prev, Index a_stride, Index m, Index n_in, Index n_out, const T* W,
                  const T* b, T* Z) {
  std::get<0>(kernels<T>)[kernel_index(n_in, n_out)](A_prev, a_stride, m, W, b, Z, n_out);
}

template <class T>
void small_weight_gradients(const T* A_prev, const T* dZ, Index m, Index n_in, Index n_out, T* dW,
                            T* db) {
  std::get<1>(kernels<T>)[kernel_index(n_in, n_out)](A_prev, n_in, m, dZ, n_out, dW, db);
}

template <class T>
void small_input_gradient(const T* dZ, Index m, Index n_in, Index n_out, const T* W, T* dA_prev) {
  std::get<2>(kernels<T>)[kernel_index(n_in, n_out)](dZ, n_out, m, W, dA_prev, n_in);
}

#define NEURONA_KERNELS(T)                                                                         \
  template void affine<T>(ConstMatrixRef<T>, const Matrix<T>&, const RowVector<T>&, MatrixRef<T>); \
  template void weight_gradients<T>(ConstMatrixRef<T>, ConstMatrixRef<T>, Matrix<T>&,              \
                                    RowVector<T>&);                                                \
  template void input_gradient<T>(ConstMatrixRef<T>, const Matrix<T>&, MatrixRef<T>);              \
  template void small_affine<T>(const T*, Index, Index, Index, Index, const T*, const T*, T*);     \
  template void small_weight_gradients<T>(const T*, const T*, Index, Index, Index, T*, T*);        \
  template void small_input_gradient<T>(const T*, Index, Index, Index, const T*, T*);
NEURONA_KERNELS(float)
NEURONA_KERNELS(double)
#undef NEURONA_KERNELS

}  // namespace neurona::detail
