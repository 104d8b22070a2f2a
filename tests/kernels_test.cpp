// The fast paths of the layer's products and activations against the reference path, on every
// shape the compile-time kernels cover, on shapes large enough to be cut into tiles, and on every
// thread count: the same values to rounding, and the same bits whatever the threads.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <new>
#include <thread>

#include "blas.hpp"
#include "eigen_gemm.hpp"
#include "kernels.hpp"
#include "neurona/error.hpp"
#include "neurona/memory.hpp"
#include "neurona/parallel.hpp"
#include "neurona/random.hpp"
#include "parallel.hpp"
#include "reference.hpp"

namespace neurona {
namespace {

template <class T>
Matrix<T> random_matrix(Index rows, Index cols, RandomEngine& engine) {
  Matrix<T> M(rows, cols);
  for (Index i = 0; i < M.size(); ++i)
    M.data()[i] = T(2 * uniform01(engine) - 1);
  return M;
}

// The largest difference, relative to the size of the values compared.
template <class T>
double relative_difference(const Matrix<T>& fast, const Matrix<T>& reference) {
  const double scale = std::max(1.0, double(reference.cwiseAbs().maxCoeff()));
  return double((fast - reference).cwiseAbs().maxCoeff()) / scale;
}

template <class T>
double tolerance(Index depth) {
  return 8 * double(depth) * double(std::numeric_limits<T>::epsilon());
}

template <class T>
void expect_products_match(Index m, Index n_in, Index n_out, std::uint64_t seed) {
  SCOPED_TRACE(testing::Message() << m << " x " << n_in << " x " << n_out);
  RandomEngine engine(seed);
  const Matrix<T> A_prev = random_matrix<T>(m, n_in, engine);
  const Matrix<T> W = random_matrix<T>(n_in, n_out, engine);
  const RowVector<T> b = random_matrix<T>(1, n_out, engine);
  const Matrix<T> dZ = random_matrix<T>(m, n_out, engine);

  Matrix<T> Z(m, n_out);
  detail::affine<T>(A_prev, W, b, Z);
  EXPECT_LT(relative_difference<T>(Z, reference::affine(A_prev, W, b)), tolerance<T>(n_in));

  Matrix<T> dW(n_in, n_out), dW_reference;
  RowVector<T> db(n_out), db_reference;
  detail::weight_gradients<T>(A_prev, dZ, dW, db);
  reference::weight_gradients(A_prev, dZ, dW_reference, db_reference);
  EXPECT_LT(relative_difference<T>(dW, dW_reference), tolerance<T>(m));
  EXPECT_LT(relative_difference<T>(db, db_reference), tolerance<T>(m));

  Matrix<T> dA_prev(m, n_in);
  detail::input_gradient<T>(dZ, W, dA_prev);
  EXPECT_LT(relative_difference<T>(dA_prev, reference::input_gradient(dZ, W)), tolerance<T>(n_out));
}

template <class T>
class KernelsTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(KernelsTest, Precisions);

TYPED_TEST(KernelsTest, CompileTimeShapesMatchTheReference) {
  // 1..8 inputs and units take the compile-time kernels; 9 takes the general path beside them.
  for (Index n_in = 1; n_in <= 9; ++n_in)
    for (Index n_out = 1; n_out <= 9; ++n_out)
      for (Index m : {1, 3, 8, 33})
        expect_products_match<TypeParam>(m, n_in, n_out, std::uint64_t(n_in * 100 + n_out));
}

TYPED_TEST(KernelsTest, TiledProductsMatchTheReference) {
  // Over 2^20 multiply-adds and wider than a tile: cut into column tiles, the last one narrower;
  // each through OpenBLAS, where it is installed, whatever its kernel, and through Eigen.
  for (detail::BlasUse use : {detail::BlasUse::always, detail::BlasUse::never}) {
    SCOPED_TRACE(use == detail::BlasUse::always ? "BLAS" : "Eigen");
    detail::set_blas_use(use);
    expect_products_match<TypeParam>(128, 200, 600, 7);  // 3 tiles of 208, 208, 184 columns
    expect_products_match<TypeParam>(100, 600, 200, 8);
    expect_products_match<TypeParam>(64, 784, 257, 9);    // 2 tiles of 144 and 113
    expect_products_match<TypeParam>(128, 784, 256, 11);  // one tile
    expect_products_match<TypeParam>(2000, 30, 40, 10);   // large, yet one tile wide
  }
  detail::set_blas_use(detail::BlasUse::when_faster);
}

TYPED_TEST(KernelsTest, ProductsOfABlockOfRowsMatchTheReference) {
  // A mini-batch taken in row order is a block of the data: the same values, another stride.
  RandomEngine engine(3);
  const Matrix<TypeParam> X = random_matrix<TypeParam>(20, 5, engine);
  const Matrix<TypeParam> W = random_matrix<TypeParam>(5, 3, engine);
  const RowVector<TypeParam> b = random_matrix<TypeParam>(1, 3, engine);
  const Matrix<TypeParam> block = X.middleRows(4, 7);
  Matrix<TypeParam> Z(7, 3);
  detail::affine<TypeParam>(X.middleRows(4, 7), W, b, Z);
  EXPECT_LT(relative_difference<TypeParam>(Z, reference::affine(block, W, b)),
            tolerance<TypeParam>(5));
}

// eigen_gemm is Eigen's own GEMM with its packing space kept: the bits of Eigen's expression, for
// each transpose, for = and +=, on blocks of wider matrices as the layers' tiles are, and on
// shapes whose packing passes Eigen's 128 KiB stack limit with common caches.
TYPED_TEST(KernelsTest, EigenGemmIsEigensExpressionBitForBit) {
  using T = TypeParam;
  RandomEngine engine(9);
  // Eigen's k blocks are under a thousand here: the last two are split into several of them.
  const Index shapes[][3] = {{2, 2, 16},     {6, 6, 8},      {2, 9, 9},       {128, 10, 300},
                             {300, 10, 128}, {34, 300, 100}, {200, 256, 200}, {500, 40, 300},
                             {52, 10, 784},  {64, 64, 2000}, {9, 70, 3000}};
  for (const auto& [m, n, k] : shapes)
    for (bool transpose_a : {false, true})
      for (bool transpose_b : {false, true})
        for (T beta : {T(0), T(1)}) {
          SCOPED_TRACE(testing::Message()
                       << m << " x " << n << " x " << k << (transpose_a ? " A^T" : "")
                       << (transpose_b ? " B^T" : "") << " beta " << beta);
          ASSERT_TRUE(detail::eigen_uses_gemm(m, n, k));
          // Each operand the left columns of a matrix 3 columns wider.
          const Matrix<T> A =
              random_matrix<T>(transpose_a ? k : m, (transpose_a ? m : k) + 3, engine);
          const Matrix<T> B =
              random_matrix<T>(transpose_b ? n : k, (transpose_b ? k : n) + 3, engine);
          const Matrix<T> C_before = random_matrix<T>(m, n + 3, engine);
          const auto op_A = A.leftCols(A.cols() - 3);
          const auto op_B = B.leftCols(B.cols() - 3);
          Matrix<T> expected = C_before, fast = C_before;
          auto product = [&](auto& C, const auto& left, const auto& right) {
            if (beta == T(0))
              C.leftCols(n).noalias() = left * right;
            else
              C.leftCols(n).noalias() += left * right;
          };
          if (transpose_a && transpose_b)
            product(expected, op_A.transpose(), op_B.transpose());
          else if (transpose_a)
            product(expected, op_A.transpose(), op_B);
          else if (transpose_b)
            product(expected, op_A, op_B.transpose());
          else
            product(expected, op_A, op_B);
          detail::eigen_gemm<T>(transpose_a, transpose_b, m, n, k, A.data(), A.cols(), B.data(),
                                B.cols(), beta, fast.data(), fast.cols());
          EXPECT_TRUE(fast == expected);
        }
}

// Eigen's other paths, which the layers still take through its expressions: a matrix-vector
// product for one row or one column, nothing for k = 0, and coefficient by coefficient while
// m + n + k < 20.
TEST(EigenGemm, IsUsedWhereEigensExpressionsUseIt) {
  EXPECT_FALSE(detail::eigen_uses_gemm(1, 300, 300));
  EXPECT_FALSE(detail::eigen_uses_gemm(300, 1, 300));
  EXPECT_FALSE(detail::eigen_uses_gemm(300, 300, 0));
  EXPECT_FALSE(detail::eigen_uses_gemm(2, 2, 15));
  EXPECT_TRUE(detail::eigen_uses_gemm(2, 2, 16));
  EXPECT_TRUE(detail::eigen_uses_gemm(300, 300, 1));
}

// all_finite reads a matrix in the order it is stored, and a block of one row by row: a NaN or an
// infinity anywhere is found, in the block only where the block holds it.
TYPED_TEST(KernelsTest, AllFiniteFindsANonFiniteValueAnywhere) {
  using T = TypeParam;
  RandomEngine engine(11);
  Matrix<T> M = random_matrix<T>(7, 5, engine);
  // The extremes are finite too: x - x is 0 for each, and a sum of zeros cannot overflow.
  M(0, 0) = std::numeric_limits<T>::max();
  M(2, 2) = std::numeric_limits<T>::lowest();
  M(6, 4) = std::numeric_limits<T>::denorm_min();
  EXPECT_TRUE(detail::all_finite<T>(M));
  EXPECT_TRUE(detail::all_finite<T>(M.block(1, 1, 3, 3)));
  for (const T bad : {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                      -std::numeric_limits<T>::infinity()})
    for (Index i = 0; i < M.rows(); ++i)
      for (Index j = 0; j < M.cols(); ++j) {
        Matrix<T> with_bad = M;
        with_bad(i, j) = bad;
        EXPECT_FALSE(detail::all_finite<T>(with_bad)) << i << ", " << j;
        const bool in_block = i >= 1 && i <= 3 && j >= 1 && j <= 3;
        EXPECT_EQ(detail::all_finite<T>(with_bad.block(1, 1, 3, 3)), !in_block) << i << ", " << j;
      }
}

TYPED_TEST(KernelsTest, ActivationsMatchTheReference) {
  using T = TypeParam;
  RandomEngine engine(11);
  Matrix<T> Z = random_matrix<T>(9, 7, engine) * T(20);
  Z(0, 0) = T(-1000);  // e^-z overflows: the sigmoid must still be exactly 0, not NaN
  Z(0, 1) = T(1000);
  for (Activation activation : {Activation::linear, Activation::sigmoid, Activation::tanh,
                                Activation::relu, Activation::leaky_relu, Activation::softmax}) {
    SCOPED_TRACE(std::string(to_string(activation)));
    Matrix<T> A(Z.rows(), Z.cols());
    detail::activate<T>(activation, Z, A);
    ASSERT_TRUE(A.allFinite());
    EXPECT_LT(relative_difference<T>(A, reference::activate(activation, Z)), tolerance<T>(4));
    // A row-order block (not contiguous with its neighbours' layout) takes the general loop.
    Matrix<T> A_block(3, 4);
    detail::activate<T>(activation, Z.block(2, 1, 3, 4), A_block);
    if (activation != Activation::softmax) {  // softmax of part of a row is another function
      EXPECT_LT(relative_difference<T>(A_block, A.block(2, 1, 3, 4)), tolerance<T>(4));
    }
  }
  Matrix<T> A(Z.rows(), Z.cols());
  detail::activate<T>(Activation::sigmoid, Z, A);
  EXPECT_EQ(A(0, 0), T(0));
  EXPECT_EQ(A(0, 1), T(1));
}

// activate_values writes out the scalar operations for fewer values than a vector register
// holds; Eigen, which the other paths use, takes such values through its scalar routines. Every
// length around a register's, at every alignment, must give Eigen's bits.
TYPED_TEST(KernelsTest, ActivatedValuesHaveEigensBitsAtEveryLengthAndAlignment) {
  using T = TypeParam;
  constexpr Index P = Eigen::internal::packet_traits<T>::size;
  RandomEngine engine(12);
  Matrix<T> values = random_matrix<T>(1, 4 * P, engine) * T(20);
  values(0, 1) = T(-1000);
  values(0, 2) = T(1000);
  for (Activation activation : {Activation::linear, Activation::sigmoid, Activation::tanh,
                                Activation::relu, Activation::leaky_relu}) {
    for (Index offset = 0; offset < P; ++offset) {
      for (Index size = 1; size <= 2 * P + 1; ++size) {
        SCOPED_TRACE(testing::Message()
                     << to_string(activation) << ", " << size << " values from " << offset);
        const auto Z = values.middleCols(offset, size);
        Matrix<T> expected(1, size);
        detail::activate<T>(activation, Z, expected);  // Eigen's expression on the whole row
        Matrix<T> A(1, size);
        detail::activate_values<T>(activation, Z.data(), A.data(), size);
        EXPECT_EQ(A, expected);
        Matrix<T> in_place = Z;
        detail::activate_values<T>(activation, in_place.data(), in_place.data(), size);
        EXPECT_EQ(in_place, expected);
      }
    }
  }
}

TYPED_TEST(KernelsTest, ThreadCountsGiveTheSameBits) {
  using T = TypeParam;
  RandomEngine engine(5);
  // 600 units and 300 inputs: Z and dW in 3 tiles of columns, dA_prev in 2.
  const Matrix<T> A_prev = random_matrix<T>(128, 300, engine);
  const Matrix<T> W = random_matrix<T>(300, 600, engine);
  const RowVector<T> b = random_matrix<T>(1, 600, engine);
  const Matrix<T> dZ = random_matrix<T>(128, 600, engine);
  const int before = thread_count();
  for (detail::BlasUse use : {detail::BlasUse::always, detail::BlasUse::never}) {
    SCOPED_TRACE(use == detail::BlasUse::always ? "BLAS" : "Eigen");
    detail::set_blas_use(use);
    Matrix<T> Z_one(128, 600), dW_one(300, 600), dA_one(128, 300);
    RowVector<T> db_one(600);
    set_thread_count(1);
    detail::affine<T>(A_prev, W, b, Z_one);
    detail::weight_gradients<T>(A_prev, dZ, dW_one, db_one);
    detail::input_gradient<T>(dZ, W, dA_one);
    for (int threads : {2, 3, 5}) {
      set_thread_count(threads);
      Matrix<T> Z(128, 600), dW(300, 600), dA(128, 300);
      RowVector<T> db(600);
      detail::affine<T>(A_prev, W, b, Z);
      detail::weight_gradients<T>(A_prev, dZ, dW, db);
      detail::input_gradient<T>(dZ, W, dA);
      EXPECT_EQ(Z, Z_one) << threads << " threads";
      EXPECT_EQ(dW, dW_one) << threads << " threads";
      EXPECT_EQ(db, db_one) << threads << " threads";
      EXPECT_EQ(dA, dA_one) << threads << " threads";
    }
  }
  detail::set_blas_use(detail::BlasUse::when_faster);
  set_thread_count(before);
}

TEST(Blas, KernelsSlowerThanEigensAreLeftAlone) {
#ifdef __AVX2__
  // OpenBLAS's SSE kernels, one of which it falls back to on a CPU it does not know, and AVX's.
  for (const char* kernel : {"Prescott", "Core2", "Nehalem", "Sandybridge", "Unknown", ""})
    EXPECT_FALSE(detail::kernel_outruns_eigen(kernel)) << kernel;
#endif
  for (const char* kernel : {"Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"})
    EXPECT_TRUE(detail::kernel_outruns_eigen(kernel)) << kernel;
}

TEST(Blas, LargeProductsGoWhereTheDescriptionSays) {
  const Matrix<double> A = Matrix<double>::Ones(2, 3), B = Matrix<double>::Ones(3, 2);
  auto product_by_blas = [&](detail::BlasUse use) {
    detail::set_blas_use(use);
    Matrix<double> C = Matrix<double>::Zero(2, 2);
    const bool taken = detail::blas_product<double>(false, false, 2, 2, 3, A.data(), 3, B.data(), 2,
                                                    0.0, C.data(), 2);
    if (taken) {
      EXPECT_EQ(C, Matrix<double>::Constant(2, 2, 3.0));
    }
    return taken;
  };
  const std::string library = large_product_library();
  const bool loaded = library.find("OpenBLAS") != std::string::npos;
  const bool chosen = library.starts_with("OpenBLAS");
  EXPECT_TRUE(chosen || library.starts_with("Eigen ")) << library;
  EXPECT_EQ(product_by_blas(detail::BlasUse::when_faster), chosen) << library;
  EXPECT_EQ(product_by_blas(detail::BlasUse::always), loaded) << library;
  EXPECT_FALSE(product_by_blas(detail::BlasUse::never));
  detail::set_blas_use(detail::BlasUse::when_faster);
  if (loaded) {  // the kernel named decides
    const std::string kernel = library.substr(library.find(", kernel ") + 9);
    EXPECT_EQ(chosen, detail::kernel_outruns_eigen(kernel.substr(0, kernel.find_first_of("; )"))))
        << library;
  }
}

// OpenBLAS 0.3.21 tries a refused mapping of its 128 MiB work buffer again forever: under an
// address-space limit too small for its buffers it is not opened, and the products stay Eigen's.
// (Each case in a process of its own: OpenBLAS is opened once per process.)
TEST(Blas, IsNotOpenedUnderAnAddressSpaceLimitTooSmallForItsBuffers) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto under_the_limit = [] {
    const MemoryLimit now = memory_limit();
    const rlim_t bytes = rlim_t(now.in_use()) + (rlim_t(200) << 20);
    const rlimit limit{bytes, bytes};
    if (setrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    detail::set_blas_use(detail::BlasUse::always);
    const Matrix<double> A = Matrix<double>::Ones(2, 3), B = Matrix<double>::Ones(3, 2);
    Matrix<double> C(2, 2);
    const bool taken = detail::blas_product<double>(false, false, 2, 2, 3, A.data(), 3, B.data(), 2,
                                                    0.0, C.data(), 2);
    std::fprintf(stderr, "%d %s\n", int(taken), large_product_library().c_str());
    std::exit(0);
  };
  EXPECT_EXIT(under_the_limit(), ::testing::ExitedWithCode(0),
              "0 Eigen [0-9.]+: OpenBLAS's work buffers \\([0-9.]+ GiB: 128 MiB for each of "
              "(its [0-9]+ threads and )?neurona's [0-9]+( threads?)?\\) would not fit this "
              "process's address-space limit");
}

// Opened, its buffer for a thread's first product is checked as well: refused with bad_alloc,
// never a hang, when it would not fit.
TEST(Blas, AThreadsFirstProductIsRefusedWhenItsBufferWouldNotFit) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer maps more address space than the limit set here";
#endif
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto opened_then_limited = [] {
    // OpenBLAS's own threads map their buffers after loading, when they start: none here.
    for (const char* name : {"OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"})
      unsetenv(name);
    detail::set_blas_use(detail::BlasUse::always);
    if (large_product_library().find("OpenBLAS") == std::string::npos) {
      std::fprintf(stderr, "no OpenBLAS to open\n");
      std::exit(0);
    }
    const rlim_t now = rlim_t(memory_limit().in_use()) + (rlim_t(100) << 20);
    const rlimit limit{now, now};
    if (setrlimit(RLIMIT_AS, &limit) != 0) std::exit(2);
    const Matrix<double> A = Matrix<double>::Ones(2, 3), B = Matrix<double>::Ones(3, 2);
    Matrix<double> C(2, 2);
    try {
      detail::blas_product<double>(false, false, 2, 2, 3, A.data(), 3, B.data(), 2, 0.0, C.data(),
                                   2);
    } catch (const std::bad_alloc&) {
      std::fprintf(stderr, "refused\n");
      std::exit(0);
    }
    std::exit(1);
  };
  EXPECT_EXIT(opened_then_limited(), ::testing::ExitedWithCode(0), "refused|no OpenBLAS");
}

TEST(Parallel, AnExceptionFromAWorkersTileReachesTheCaller) {
  // Tiles that take a while, so that the worker takes some: the ones it takes throw, as a tile
  // that cannot allocate would. An exception leaving a worker's thread ended the process.
  const int before = thread_count();
  set_thread_count(2);
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> thrown{0}, ran{0};
  auto tile = [&](Index) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (std::this_thread::get_id() != caller) {
      ++thrown;
      throw std::bad_alloc();
    }
    ++ran;
  };
  EXPECT_THROW(detail::parallel_for(256, tile), std::bad_alloc);
  EXPECT_EQ(thrown.load(), 1);  // the tiles not yet taken were left
  EXPECT_LT(ran.load(), 255);
  // The pool takes the next work as before; the caller's tiles, which do not throw, all run.
  std::atomic<int> tiles{0};
  detail::parallel_for(64, [&](Index) { ++tiles; });
  EXPECT_EQ(tiles.load(), 64);
  set_thread_count(before);
}

TEST(Parallel, AForkedChildDoesItsWorkAloneAndExits) {
  // A program that forks once the pool has started: the child has the pool but none of its
  // workers. Work handed to them was never done, and exit() waited for them to be joined.
  const int before = thread_count();
  set_thread_count(2);
  std::atomic<int> tiles{0};
  detail::parallel_for(64, [&](Index) { ++tiles; });
  ASSERT_EQ(tiles.load(), 64);
  int verdict[2];  // the child's own check, apart from its exit status (see below)
  ASSERT_EQ(pipe(verdict), 0);
  std::fflush(nullptr);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(verdict[0]);
    std::atomic<int> child_tiles{0};
    detail::parallel_for(64, [&](Index) { ++child_tiles; });
    const char all_done = child_tiles.load() == 64 ? 'y' : 'n';
    if (write(verdict[1], &all_done, 1) != 1) std::_Exit(2);
#if defined(__SANITIZE_ADDRESS__)
    // LeakSanitizer's report at its exit (see below) would read as the test's failure in the log.
    if (const int null = open("/dev/null", O_WRONLY); null >= 0) dup2(null, 2);
#endif
    std::exit(0);  // exit(), which destroys the static pool
  }
  close(verdict[1]);
  int status = 0;
  pid_t waited = 0;
  for (int i = 0; i < 600 && (waited = waitpid(child, &status, WNOHANG)) == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  if (waited == 0) {
    kill(child, SIGKILL);
    waitpid(child, &status, 0);
    FAIL() << "the forked child did not finish in 30 s";
  }
  char all_done = 0;
  EXPECT_EQ(read(verdict[0], &all_done, 1), 1);
  close(verdict[0]);
  EXPECT_EQ(all_done, 'y');
  ASSERT_TRUE(WIFEXITED(status));
#if !defined(__SANITIZE_ADDRESS__)
  // (LeakSanitizer fails the child's exit: the workers' packing space is held by threads that the
  // child does not have.)
  EXPECT_EQ(WEXITSTATUS(status), 0);
#endif
  // The parent's pool goes on with its workers.
  const std::thread::id caller = std::this_thread::get_id();
  std::atomic<int> on_a_worker{0};
  detail::parallel_for(256, [&](Index) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
    if (std::this_thread::get_id() != caller) ++on_a_worker;
  });
  EXPECT_GT(on_a_worker.load(), 0);
  set_thread_count(before);
}

TEST(Parallel, ThreadCountIsCheckedAndZeroMeansEveryCore) {
  const int before = thread_count();
  EXPECT_THROW(set_thread_count(-1), UsageError);
  set_thread_count(3);
  EXPECT_EQ(thread_count(), 3);
  set_thread_count(0);
  EXPECT_GE(thread_count(), 1);
  set_thread_count(before);
}

}  // namespace
}  // namespace neurona
