// Work run from a static object's destructor, after the main thread's own objects and the thread
// pool are destroyed (a thread's objects go before the static ones, and a static made later before
// one made earlier): a product must give the values it gave in main, and tiles shared out in main
// must each run once. Run by ctest in every build; under AddressSanitizer, packing into freed space
// is reported as a use after free, and handing tiles to workers already joined would never end.
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "eigen_gemm.hpp"
#include "neurona/parallel.hpp"
#include "parallel.hpp"

namespace {

using neurona::Index;
using neurona::Matrix;

// C = A B by neurona's Eigen GEMM, which packs into the thread's kept space.
Matrix<double> product(const Matrix<double>& A, const Matrix<double>& B) {
  Matrix<double> C(A.rows(), B.cols());
  neurona::detail::eigen_gemm<double>(false, false, A.rows(), B.cols(), A.cols(), A.data(),
                                      A.cols(), B.data(), B.cols(), 0.0, C.data(), C.cols());
  return C;
}

// How many times each of 8 tiles ran, shared out among two threads.
std::vector<int> tiles_run() {
  std::vector<int> runs(8, 0);
  neurona::detail::parallel_for(Index(runs.size()), [&](Index t) { ++runs[std::size_t(t)]; });
  return runs;
}

void fail(const char* what) {
  std::fprintf(stderr, "at exit: %s\n", what);
  std::_Exit(1);
}

struct WorkAtExit {
  Matrix<double> A, B, in_main;
  ~WorkAtExit() {
    if (in_main.size() == 0 || product(A, B) != in_main)
      fail("a product differs from the same product in main");
    if (tiles_run() != std::vector<int>(8, 1)) fail("a tile did not run exactly once");
    std::puts("work at exit: the values of main's, every tile once");
  }
};

WorkAtExit at_exit;  // made before main, so destroyed after everything main made

}  // namespace

int main() {
  at_exit.A = Matrix<double>::NullaryExpr(
      64, 48, [](Index i, Index j) { return double((i * 48 + j) % 7) - 3.0; });
  at_exit.B = Matrix<double>::NullaryExpr(
      48, 40, [](Index i, Index j) { return double((i * 40 + j) % 5) * 0.5; });
  // Eigen's GEMM, not a product it computes value by value: the space is used, and kept.
  if (!neurona::detail::eigen_uses_gemm(64, 40, 48)) return 1;
  at_exit.in_main = product(at_exit.A, at_exit.B);
  // Two threads: the pool starts a worker, which the pool's destruction joins.
  neurona::set_thread_count(2);
  if (tiles_run() != std::vector<int>(8, 1)) return 1;
  return 0;
}
