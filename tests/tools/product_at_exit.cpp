// A product run from a static object's destructor, after the main thread's packing space is gone
// (a thread's objects are destroyed before the static ones): it must give the values it gave in
// main. Run by ctest in every build; under AddressSanitizer, packing into the freed space would be
// reported as a use after free.
#include <cstdio>
#include <cstdlib>

#include "eigen_gemm.hpp"

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

struct ProductAtExit {
  Matrix<double> A, B, in_main;
  ~ProductAtExit() {
    if (in_main.size() == 0 || product(A, B) != in_main) {
      std::fputs("a product at exit differs from the same product in main\n", stderr);
      std::_Exit(1);
    }
    std::puts("a product at exit: the values of main's");
  }
};

ProductAtExit at_exit;

}  // namespace

int main() {
  at_exit.A = Matrix<double>::NullaryExpr(
      64, 48, [](Index i, Index j) { return double((i * 48 + j) % 7) - 3.0; });
  at_exit.B = Matrix<double>::NullaryExpr(
      48, 40, [](Index i, Index j) { return double((i * 40 + j) % 5) * 0.5; });
  // Eigen's GEMM, not a product it computes value by value: the space is used, and kept.
  if (!neurona::detail::eigen_uses_gemm(64, 40, 48)) return 1;
  at_exit.in_main = product(at_exit.A, at_exit.B);
  return 0;
}
