// The machine's matrix-multiply rate on one core, on the eight sgemm shapes of one training step of
// the 784-256-128-10 network with batches of 128 rows: Eigen, and OpenBLAS and oneDNN when built
// with them. Prints one JSON object; bench/medium.py divides the step's FLOPs by the best rate.
//
// Not linked with neurona: this file is compiled with -march=native, and Eigen objects built for
// AVX must not cross into a library built for another instruction set (their alignment differs).
#include <Eigen/Core>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <utility>
#include <vector>

#ifdef NEURONA_BENCH_HAVE_OPENBLAS
#include <cblas.h>
#endif
#ifdef NEURONA_BENCH_HAVE_DNNL
#include <oneapi/dnnl/dnnl.h>
#endif

namespace {

using Matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// C (M x N) = op(A) op(B), row-major, op(A) M x K: one product of the step. A transposed operand is
// stored as the network holds it (A_prev is m x n_in, and dW = A_prev^T dZ reads it transposed).
struct Shape {
  const char* name;
  long M, N, K;
  bool transpose_a, transpose_b;
};

// m = 128 rows; layers 784 -> 256 -> 128 -> 10. Forward Z = A_prev W for each layer, backward
// dW = A_prev^T dZ for each layer, and dA_prev = dZ W^T for all but the first.
constexpr Shape step_shapes[] = {
    {"Z1 = X W1", 128, 256, 784, false, false},     {"Z2 = A1 W2", 128, 128, 256, false, false},
    {"Z3 = A2 W3", 128, 10, 128, false, false},     {"dW3 = A2^T dZ3", 128, 10, 128, true, false},
    {"dA2 = dZ3 W3^T", 128, 128, 10, false, true},  {"dW2 = A1^T dZ2", 256, 128, 128, true, false},
    {"dA1 = dZ2 W2^T", 128, 256, 128, false, true}, {"dW1 = X^T dZ1", 784, 256, 128, true, false},
};

struct Operands {
  Matrix A, B, C;  // A and B as stored: K x M when A is transposed, N x K when B is
};

Operands operands_for(const Shape& s, std::mt19937& engine) {
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  auto random = [&](long rows, long cols) {
    Matrix m(rows, cols);
    for (float& x : m.reshaped())
      x = uniform(engine);
    return m;
  };
  Operands o;
  o.A = s.transpose_a ? random(s.K, s.M) : random(s.M, s.K);
  o.B = s.transpose_b ? random(s.N, s.K) : random(s.K, s.N);
  o.C = Matrix::Zero(s.M, s.N);
  return o;
}

using Kernel = std::function<void(const Shape&, Operands&)>;

void with_eigen(const Shape& s, Operands& o) {
  if (s.transpose_a)
    o.C.noalias() = o.A.transpose() * o.B;
  else if (s.transpose_b)
    o.C.noalias() = o.A * o.B.transpose();
  else
    o.C.noalias() = o.A * o.B;
}

#ifdef NEURONA_BENCH_HAVE_OPENBLAS
void with_openblas(const Shape& s, Operands& o) {
  cblas_sgemm(CblasRowMajor, s.transpose_a ? CblasTrans : CblasNoTrans,
              s.transpose_b ? CblasTrans : CblasNoTrans, int(s.M), int(s.N), int(s.K), 1.0f,
              o.A.data(), int(o.A.cols()), o.B.data(), int(o.B.cols()), 0.0f, o.C.data(),
              int(o.C.cols()));
}
#endif

#ifdef NEURONA_BENCH_HAVE_DNNL
void with_onednn(const Shape& s, Operands& o) {
  dnnl_sgemm(s.transpose_a ? 'T' : 'N', s.transpose_b ? 'T' : 'N', s.M, s.N, s.K, 1.0f, o.A.data(),
             o.A.cols(), o.B.data(), o.B.cols(), 0.0f, o.C.data(), o.C.cols());
}
#endif

#ifdef NEURONA_BENCH_HAVE_DNNL
// The instruction set oneDNN's kernels use, for the report.
constexpr std::pair<dnnl_cpu_isa_t, const char*> onednn_isas[] = {
    {dnnl_cpu_isa_sse41, "sse41"},
    {dnnl_cpu_isa_avx, "avx"},
    {dnnl_cpu_isa_avx2, "avx2"},
    {dnnl_cpu_isa_avx2_vnni, "avx2_vnni"},
    {dnnl_cpu_isa_avx512_core, "avx512_core"},
    {dnnl_cpu_isa_avx512_core_vnni, "avx512_core_vnni"},
    {dnnl_cpu_isa_avx512_core_bf16, "avx512_core_bf16"},
    {dnnl_cpu_isa_avx512_core_amx, "avx512_core_amx"},
};
#endif

// Seconds per call: the median of `blocks` timed blocks, each long enough (about `block_seconds`)
// that the clock's resolution does not count, after a warm-up that faults in every page.
double seconds_per_call(const Kernel& kernel, const Shape& s, Operands& o, int blocks,
                        double block_seconds) {
  using Clock = std::chrono::steady_clock;
  auto run = [&](long calls) {
    const auto start = Clock::now();
    for (long i = 0; i < calls; ++i)
      kernel(s, o);
    return std::chrono::duration<double>(Clock::now() - start).count();
  };
  long calls = 1;
  while (run(calls) < block_seconds / 4)
    calls *= 2;
  calls = std::max(1L, long(double(calls) * block_seconds / std::max(run(calls), 1e-9)));
  std::vector<double> per_call;
  for (int b = 0; b < blocks; ++b)
    per_call.push_back(run(calls) / double(calls));
  std::nth_element(per_call.begin(), per_call.begin() + blocks / 2, per_call.end());
  return per_call[std::size_t(blocks / 2)];
}

// The largest difference between a kernel's C and Eigen's, relative to the largest |C|: a wrong
// transpose or leading dimension shows as O(1), rounding as about 1e-6.
double relative_difference(const Kernel& kernel, const Shape& s, Operands& o) {
  with_eigen(s, o);
  const Matrix reference = o.C;
  o.C.setZero();
  kernel(s, o);
  return double((o.C - reference).cwiseAbs().maxCoeff() / reference.cwiseAbs().maxCoeff());
}

}  // namespace

int main(int argc, char** argv) {
  // --quick: a rough rate in a fraction of a second, for tests of the benchmark itself.
  const bool quick = argc > 1 && std::string(argv[1]) == "--quick";
  const int blocks = quick ? 3 : 5;
  const double block_seconds = quick ? 0.005 : 0.02;

  struct Library {
    std::string name, detail;
    Kernel kernel;
  };
  std::vector<Library> libraries;
  // Eigen's own list names AVX but not AVX2 or FMA, which decide its kernel's width and speed.
  std::string compiled_for = Eigen::SimdInstructionSetsInUse();
#ifdef __AVX2__
  compiled_for += ", AVX2";
#endif
#ifdef __FMA__
  compiled_for += ", FMA";
#endif
  libraries.push_back({"Eigen",
                       std::to_string(EIGEN_WORLD_VERSION) + "." +
                           std::to_string(EIGEN_MAJOR_VERSION) + "." +
                           std::to_string(EIGEN_MINOR_VERSION) + ", " + compiled_for,
                       with_eigen});
#ifdef NEURONA_BENCH_HAVE_OPENBLAS
  openblas_set_num_threads(1);
  libraries.push_back({"OpenBLAS",
                       std::string(openblas_get_config()) + ", kernel " + openblas_get_corename(),
                       with_openblas});
#endif
#ifdef NEURONA_BENCH_HAVE_DNNL
  {
    const dnnl_version_t* v = dnnl_version();
    const char* isa = "other";
    for (const auto& [value, name] : onednn_isas)
      if (dnnl_get_effective_cpu_isa() == value) isa = name;
    libraries.push_back({"oneDNN",
                         std::to_string(v->major) + "." + std::to_string(v->minor) + "." +
                             std::to_string(v->patch) + ", isa " + isa,
                         with_onednn});
  }
#endif

  std::mt19937 engine(1);
  std::vector<Operands> operands;
  for (const Shape& s : step_shapes)
    operands.push_back(operands_for(s, engine));

  std::printf("{\"libraries\": [");
  for (std::size_t l = 0; l < libraries.size(); ++l) {
    const Library& library = libraries[l];
    std::printf("%s\n {\"name\": \"%s\", \"detail\": \"%s\", \"shapes\": [", l ? "," : "",
                library.name.c_str(), library.detail.c_str());
    for (std::size_t i = 0; i < std::size(step_shapes); ++i) {
      const Shape& s = step_shapes[i];
      const double difference = relative_difference(library.kernel, s, operands[i]);
      const double seconds =
          seconds_per_call(library.kernel, s, operands[i], blocks, block_seconds);
      std::printf(
          "%s\n  {\"name\": \"%s\", \"M\": %ld, \"N\": %ld, \"K\": %ld, \"flops\": %.0f, "
          "\"seconds\": %.6e, \"difference\": %.3e}",
          i ? "," : "", s.name, s.M, s.N, s.K, 2.0 * double(s.M) * double(s.N) * double(s.K),
          seconds, difference);
    }
    std::printf("]}");
  }
  std::printf("]}\n");
  return 0;
}
