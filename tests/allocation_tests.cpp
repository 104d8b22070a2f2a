// A training step allocates no memory once the first epoch has run: every buffer keeps the size
// of the largest batch it has seen (L-BFGS also fills its history of corrections first). malloc
// itself is replaced here, since Eigen allocates with malloc and the standard library's operator
// new ends in it too.
#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <set>
#include <string>
#include <thread>

#include "blas.hpp"
#include "neurona/neurona.hpp"

extern "C" {
void* __libc_malloc(std::size_t size);
void* __libc_calloc(std::size_t count, std::size_t size);
void* __libc_realloc(void* pointer, std::size_t size);
void* __libc_memalign(std::size_t alignment, std::size_t size);
}

namespace {
std::atomic<long> allocations{0};
std::atomic<bool> counting{false};
// While counting: the allocation of this number (1 the first) fails, as it would for a process
// out of memory; 0 fails none.
std::atomic<long> failing{0};

// While counting: the size of the largest allocation.
std::atomic<std::size_t> largest{0};

// Counts an allocation of `size` bytes; false when it is the one to fail.
bool count(std::size_t size) {
  if (!counting.load(std::memory_order_relaxed)) return true;
  for (std::size_t seen = largest.load();
       size > seen && !largest.compare_exchange_weak(seen, size);)
    ;
  return allocations.fetch_add(1) + 1 != failing.load(std::memory_order_relaxed);
}
}  // namespace

extern "C" {
void* malloc(std::size_t size) {
  return count(size) ? __libc_malloc(size) : nullptr;
}
void* calloc(std::size_t count_, std::size_t size) {
  return count(count_ * size) ? __libc_calloc(count_, size) : nullptr;
}
void* realloc(void* pointer, std::size_t size) {
  return count(size) ? __libc_realloc(pointer, size) : nullptr;
}
void* aligned_alloc(std::size_t alignment, std::size_t size) {
  return count(size) ? __libc_memalign(alignment, size) : nullptr;
}
int posix_memalign(void** pointer, std::size_t alignment, std::size_t size) {
  if (!count(size)) return ENOMEM;
  *pointer = __libc_memalign(alignment, size);
  return *pointer ? 0 : ENOMEM;
}
}

namespace neurona {
namespace {

// While it lives, allocations are counted from 0 and the one numbered `failed` (1 the first)
// fails; counting stops however the work ends.
struct FailingAllocation {
  explicit FailingAllocation(long failed) {
    allocations = 0;
    failing = failed;
    counting = true;
  }
  ~FailingAllocation() {
    counting = false;
    failing = 0;
  }
  FailingAllocation(const FailingAllocation&) = delete;
  FailingAllocation& operator=(const FailingAllocation&) = delete;
};

// Allocations made by `epochs` more epochs of the trainer, after one to warm up.
template <class T>
long allocations_in_epochs(Trainer<T>& trainer, const Matrix<T>& X, const Matrix<T>& Y,
                           int epochs) {
  trainer.run_epoch(X, Y);
  allocations = 0;
  counting = true;
  for (int e = 0; e < epochs; ++e)
    trainer.run_epoch(X, Y);
  counting = false;
  return allocations.load();
}

// The counter sees Eigen's allocations: without this, a count of 0 would prove nothing.
TEST(AllocationCounter, CountsAMatrixAndAVector) {
  allocations = 0;
  counting = true;
  Matrix<double> M(50, 50);
  std::vector<int> v(10);
  counting = false;
  EXPECT_EQ(allocations.load(), 2);
  EXPECT_EQ(M.size() + Index(v.size()), 2510);
}

// Values in [-1, 1) drawn from `seed`: unlike Eigen's Random, the same whichever tests ran first,
// so that L-BFGS keeps the same corrections in every run.
template <class T>
Matrix<T> random_matrix(Index rows, Index cols, std::uint64_t seed) {
  RandomEngine engine(seed);
  return Matrix<T>::NullaryExpr(rows, cols, [&] { return T(2 * uniform01(engine) - 1); });
}

template <class T>
class AllocationTest : public ::testing::Test {};
using Precisions = ::testing::Types<float, double>;
TYPED_TEST_SUITE(AllocationTest, Precisions);

TYPED_TEST(AllocationTest, FullBatchGradientDescentOnTheTutorialsNetwork) {
  const Dataset<TypeParam> data = tutorial::majority_table<TypeParam>();
  Network<TypeParam> network = tutorial::majority_network<TypeParam>(1);
  GradientDescent<TypeParam> optimizer(TypeParam(0.5));
  Trainer<TypeParam> trainer(network, optimizer, {100, 0, 1});
  EXPECT_EQ(allocations_in_epochs(trainer, data.X, data.Y, 50), 0);
}

TYPED_TEST(AllocationTest, EveryOptimizerOnMiniBatchesWithATailWeightsAndValidation) {
  using T = TypeParam;
  // 10 rows in batches of 4: the last batch of every epoch has 2 rows.
  Matrix<T> X = random_matrix<T>(10, 3, 1), Y = random_matrix<T>(10, 2, 2);
  Matrix<T> weights = Matrix<T>::Constant(10, 1, T(1));
  weights(3, 0) = 2;
  const Matrix<T> X_validation = random_matrix<T>(5, 3, 3),
                  Y_validation = random_matrix<T>(5, 2, 4);
  for (std::string_view name : optimizer_names) {
    SCOPED_TRACE(std::string(name));
    Network<T> network(3, {{6, Activation::tanh}, {2, Activation::linear}},
                       Loss::half_squared_error);
    initialize(network, 1);
    OptimizerSettings settings;
    settings.name = std::string(name);
    settings.learning_rate = default_learning_rate(name);
    settings.momentum = name == "sgd" ? 0.9 : 0;
    if (name == "lbfgs") settings.history = 2;  // it allocates each pair it keeps until it has 2
    auto optimizer = make_optimizer<T>(settings);
    Trainer<T> trainer(network, *optimizer, {100, 4, 1});
    trainer.set_row_weights(weights);
    trainer.set_validation(X_validation, Y_validation);
    EXPECT_EQ(allocations_in_epochs(trainer, X, Y, 10), 0);
  }
}

TYPED_TEST(AllocationTest, LargeLayersOnTwoThreads) {
  using T = TypeParam;
  const Matrix<T> X = random_matrix<T>(300, 100, 5), Y = random_matrix<T>(300, 10, 6);
  Network<T> network(100, {{300, Activation::relu}, {10, Activation::linear}},
                     Loss::half_squared_error);
  initialize(network, 1);
  GradientDescent<T> optimizer(T(0.01));
  const int before = thread_count();
  set_thread_count(2);
  Trainer<T> trainer(network, optimizer, {100, 128, 1});
  EXPECT_EQ(allocations_in_epochs(trainer, X, Y, 3), 0);
  set_thread_count(before);
}

// Products under 2^20 multiply-adds go through Eigen whether OpenBLAS is there or not: a 10-row
// batch through 200-256-128-1 packs more than Eigen's 128 KiB stack limit on most processors, and
// Eigen would take that space from the heap at every product.
TYPED_TEST(AllocationTest, MidSizedLayersThatEigenMultiplies) {
  using T = TypeParam;
  const Matrix<T> X = random_matrix<T>(40, 200, 8), Y = random_matrix<T>(40, 1, 9);
  Network<T> network(200,
                     {{256, Activation::relu}, {128, Activation::relu}, {1, Activation::linear}},
                     Loss::half_squared_error);
  initialize(network, 1);
  GradientDescent<T> optimizer(T(0.01));
  Trainer<T> trainer(network, optimizer, {100, 10, 1});
  EXPECT_EQ(allocations_in_epochs(trainer, X, Y, 3), 0);

  Predictor<T> predictor(network);
  predictor.predict(X.topRows(10));
  allocations = 0;
  counting = true;
  const T sum = predictor.predict(X.topRows(10)).sum() + predictor.predict(X.bottomRows(7)).sum();
  counting = false;
  EXPECT_EQ(allocations.load(), 0);
  EXPECT_TRUE(std::isfinite(double(sum)));
}

// Eigen's block sizes are not monotone in the rows (a 784-10 layer can pack more for 52 rows than
// for 53), so a smaller batch must not find the packing space too small. Each network runs on a
// thread of its own, whose packing space starts empty: a space another network had grown could
// hide a miss.
TYPED_TEST(AllocationTest, PredictorOnEverySmallerBatchOfLayersThatEigenMultiplies) {
  using T = TypeParam;
  // Each under 2^20 multiply-adds on 128 rows: larger products go to OpenBLAS where it is there.
  const Index layers[][2] = {{784, 10}, {300, 10}, {100, 60}, {64, 64}, {20, 300}};
  for (const auto& [inputs, outputs] : layers) {
    Network<T> network(inputs, {{outputs, Activation::linear}}, Loss::half_squared_error);
    initialize(network, 1);
    const Matrix<T> X = random_matrix<T>(128, inputs, 7);
    long allocated = -1;
    T sum = 0;
    std::thread([&] {
      Predictor<T> predictor(network);
      predictor.predict(X);
      allocations = 0;
      counting = true;
      for (Index rows = 1; rows <= X.rows(); ++rows)
        sum += predictor.predict(X.topRows(rows))(0, 0);
      counting = false;
      allocated = allocations.load();
    }).join();
    EXPECT_EQ(allocated, 0) << inputs << "-" << outputs;
    EXPECT_TRUE(std::isfinite(double(sum)));
  }
}

// Runs `work` with every allocation failing in turn, as in a process under a memory limit, until
// a run completes: each run must end in std::bad_alloc (or the network's own error naming what it
// could not allocate) and never in a crash, and the same work then succeed with the same result.
// Each try is on a thread of its own, so that the thread's end frees what it kept; `warm` makes
// its packing space first: glibc ends the process when it cannot allocate the record of a
// thread_local's destructor. Returns the number of runs that failed.
template <class Work, class Warm>
long fail_each_allocation_in_turn(const Work& work, const Warm& warm) {
  const double expected = work();
  long failed = 0;
  for (bool completed = false; !completed;) {
    std::thread([&] {
      warm();
      allocations = 0;
      failing = failed + 1;
      counting = true;
      double result = 0;
      try {
        result = work();
        completed = true;
      } catch (const std::bad_alloc&) {
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot allocate"), std::string::npos) << e.what();
      }
      counting = false;
      failing = 0;
      if (completed)  // no allocation was left to fail
        EXPECT_EQ(result, expected);
      else
        EXPECT_EQ(work(), expected) << "after allocation " << failed + 1 << " failed";
    }).join();
    failed += !completed;
  }
  return failed;
}

// Training, validating and predicting. Eigen 3.4's resize frees a matrix's values before it
// allocates the new ones: one whose allocation failed was left pointing at the freed block, and
// freed it again at its next resize or its end (glibc: "free(): invalid size", an abort).
TYPED_TEST(AllocationTest, EveryAllocationFailingInTurnEndsInBadAllocNeverACrash) {
  using T = TypeParam;
  // Layers wider than the compile-time kernels, so that Eigen's products pack into the thread's
  // kept space; batches of 16, 16 and 8 rows, then predictions of more rows, so buffers grow.
  const Matrix<T> X = random_matrix<T>(40, 30, 10), Y = random_matrix<T>(40, 1, 11);
  const Matrix<T> X_validation = random_matrix<T>(12, 30, 12),
                  Y_validation = random_matrix<T>(12, 1, 13);
  const Matrix<T> X_more = random_matrix<T>(100, 30, 14);
  auto work = [&] {
    Network<T> network(30,
                       {{40, Activation::tanh}, {20, Activation::relu}, {1, Activation::linear}},
                       Loss::half_squared_error);
    initialize(network, 1);
    OptimizerSettings settings;
    settings.name = "adam";
    settings.learning_rate = 0.01;
    auto optimizer = make_optimizer<T>(settings);
    Trainer<T> trainer(network, *optimizer, {2, 16, 1, 1});
    trainer.set_validation(X_validation, Y_validation);
    trainer.run_epoch(X, Y);
    trainer.run_epoch(X, Y);
    trainer.restore_best();
    Predictor<T> predictor(network);
    return double(network.predict(X_more).sum() + predictor.predict(X.topRows(3)).sum() +
                  predictor.predict(X_more).sum());
  };
  const Network<T> small(30, {{40, Activation::tanh}}, Loss::half_squared_error);
  EXPECT_GT(fail_each_allocation_in_turn(work, [&] { small.predict(X.topRows(2)); }), 20);
}

// The same with products shared by two threads, through Eigen whatever the BLAS.
TYPED_TEST(AllocationTest, EveryAllocationFailingInTurnOnTwoThreadsEndsInBadAlloc) {
  using T = TypeParam;
  const int before = thread_count();
  set_thread_count(2);
  detail::set_blas_use(detail::BlasUse::never);
  // 600 units: Z and dW in 3 tiles of columns.
  const Matrix<T> X = random_matrix<T>(40, 100, 17), Y = random_matrix<T>(40, 1, 18);
  const Matrix<T> X_more = random_matrix<T>(10000, 100, 19);
  auto work = [&] {
    Network<T> network(100, {{600, Activation::relu}, {1, Activation::linear}},
                       Loss::half_squared_error);
    initialize(network, 1);
    GradientDescent<T> optimizer(T(0.01));
    Trainer<T> trainer(network, optimizer, {1, 0, 1});
    trainer.run_epoch(X, Y);
    return double(network.predict(X_more).sum());
  };
  const Network<T> small(30, {{40, Activation::tanh}}, Loss::half_squared_error);
  const Matrix<T> X_small = random_matrix<T>(2, 30, 20);
  EXPECT_GT(fail_each_allocation_in_turn(work, [&] { small.predict(X_small); }), 5);
  detail::set_blas_use(detail::BlasUse::when_faster);
  set_thread_count(before);
}

// L-BFGS's line search, the gradient check, the explained step and the report: each allocation
// failing in turn ends in bad_alloc, never a crash, and the same work then gives the same result.
// (Not the JSON texts built with nlohmann-json: see the next test.)
TEST(AllocationFailure, LbfgsGradientCheckExplainAndReportEndInBadAllocNeverACrash) {
  const Matrix<double> X = random_matrix<double>(12, 2, 21);
  Matrix<double> Y = Matrix<double>::Zero(12, 2);
  for (Index i = 0; i < 12; ++i)
    Y(i, X(i, 0) * X(i, 1) > 0 ? 0 : 1) = 1;
  auto network = [] {
    Network<double> net(2, {{12, Activation::tanh}, {2, Activation::softmax}}, Loss::cross_entropy);
    initialize(net, 4);
    return net;
  };
  auto lbfgs = [&] {
    Network<double> net = network();
    OptimizerSettings settings;
    settings.name = "lbfgs";
    settings.learning_rate = 1;
    auto optimizer = make_optimizer<double>(settings);
    Trainer<double> trainer(net, *optimizer, {3, 0, 1});
    trainer.run_epoch(X, Y);
    trainer.run_epoch(X, Y);
    trainer.run_epoch(X, Y);
    return double(net.predict(X).sum());
  };
  auto check = [&] {
    const GradientCheckResult result = gradient_check(network(), X, Y);
    return result.max_relative_error;
  };
  auto explain = [&] {
    Network<double> net(2, {{3, Activation::sigmoid}, {1, Activation::linear}},
                        Loss::half_squared_error);
    initialize(net, 5);
    const StepExplanation step = explain_step(net, X.topRows(1), Y.topLeftCorner(1, 1), 0.5);
    StepExplanation with_chain = step;
    with_chain.chain = chain_rule(step, {1, 1, 1});
    return double(explanation_text(with_chain).size() + explanation_markdown(step).size());
  };
  auto report = [&] {
    ReportInput input{network(), {}, Precision::double_, {}, Dataset<double>{X, Y}, {}, {}};
    input.info.classes = {"same", "other"};
    return double(report_html(input).size());
  };
  const Network<double> small(30, {{40, Activation::tanh}}, Loss::half_squared_error);
  const Matrix<double> X_small = random_matrix<double>(2, 30, 22);
  auto warm = [&] { small.predict(X_small); };
  EXPECT_GT(fail_each_allocation_in_turn(lbfgs, warm), 20);
  EXPECT_GT(fail_each_allocation_in_turn(check, warm), 5);
  EXPECT_GT(fail_each_allocation_in_turn(explain, warm), 20);
  EXPECT_GT(fail_each_allocation_in_turn(report, warm), 20);
}

// Reading a CSV table of labels and a FANN file, scaling, splitting and the loss plot: the same.
TEST(AllocationFailure, ReadersScalingAndThePlotEndInBadAllocNeverACrash) {
  std::string csv = "width;height;kind\n";
  for (int i = 0; i < 30; ++i)
    csv +=
        std::to_string(i) + ";" + std::to_string(i % 7) + ".5;" + (i % 3 ? "long" : "short") + "\n";
  const std::string fann = "3 2 1\n0 0\n0\n0 1\n1\n1 1\n0\n";
  History history;
  for (int e = 1; e <= 40; ++e)
    history.push_back({e, 1.0 / e, 2.0 / e, 0.1, 0.01 * e});
  auto work = [&] {
    const Table table = parse_csv(csv, "kinds.csv", {.label_columns = {"kind"}});
    const ClassEncoding classes = fit_classes(table);
    const Dataset<double> data =
        make_dataset<double>(table, 2, 1, Loss::binary_cross_entropy, {}, &classes);
    const Scaler scaler = fit_scaler(Scaling::standard, data.X);
    const std::vector<Index> row_classes = class_of_rows(data.Y);
    const Split split = split_rows(data.X.rows(), 0.2, 0.2, 1, &row_classes);
    const Dataset<double> pairs = parse_fann_data(fann, "xor.data");
    return double(scaler.apply(take_rows(data.X, split.train)).sum() + data.Y.sum() +
                  pairs.X.sum() + loss_plot_svg(history, "loss").size());
  };
  const Network<double> small(30, {{40, Activation::tanh}}, Loss::half_squared_error);
  const Matrix<double> X_small = random_matrix<double>(2, 30, 25);
  EXPECT_GT(fail_each_allocation_in_turn(work, [&] { small.predict(X_small); }), 50);
}

// A model file's text is reserved whole, for the longest numbers and a row of W per line: never
// doubled as it grows, which would hold it twice. Here every number is as long as a double's gets,
// and the second layer's W is 3000 rows of one number.
TEST(ModelText, IsAllocatedOnceAtItsFullSize) {
  Network<double> network(1, {{3000, Activation::tanh}, {1, Activation::linear}},
                          Loss::half_squared_error);
  for (auto& layer : network.layers()) {
    layer.W.setConstant(-2.2250738585072014e-308);
    layer.b.setConstant(-2.2250738585072014e-308);
  }
  allocations = 0;
  largest = 0;
  counting = true;
  const std::string text = model_to_json(network);
  counting = false;
  EXPECT_NE(text.find("-2.2250738585072014e-308"), std::string::npos);
  EXPECT_GE(largest.load(), text.size());
  EXPECT_LT(largest.load(), text.size() + text.size() / 10) << "the text was reallocated";
}

// JSON texts built with nlohmann-json 3.11.2, whose first key made a null value an object: when
// that object's allocation failed, the value was left an object with no object, and its
// destructor read through the null pointer. Each now starts as an object. (Only the allocations
// up to the first key's are failed here: that version's destructor itself allocates, to flatten
// nested values, and a failure there ends the process whatever the caller does.)
TEST(AllocationFailure, JsonTextsWhoseFirstAllocationsFailThrowBadAlloc) {
  Network<double> net(2, {{3, Activation::sigmoid}, {1, Activation::linear}},
                      Loss::half_squared_error);
  initialize(net, 5);
  const Matrix<double> X = random_matrix<double>(2, 2, 23), Y = random_matrix<double>(2, 1, 24);
  const StepExplanation step = explain_step(net, X, Y, 0.5);
  const RegressionMetrics regression = regression_metrics(Y, Y);
  auto fails_first_allocations = [&](auto text) {
    for (long failed = 1; failed <= 3; ++failed) {
      const FailingAllocation failing_one(failed);
      EXPECT_THROW(text(), std::bad_alloc) << "allocation " << failed;
    }
    EXPECT_FALSE(text().empty());
  };
  fails_first_allocations([&] { return explanation_json(step); });
  fails_first_allocations([&] { return metrics_json(regression); });
}

// The public calls that size their output: one whose allocation fails leaves it as it was.
TYPED_TEST(AllocationTest, AnOutputWhoseResizingFailsIsLeftAsItWas) {
  using T = TypeParam;
  const Matrix<T> Z = random_matrix<T>(5, 4, 15), Y = random_matrix<T>(5, 4, 16);
  const Matrix<T> before = Matrix<T>::Constant(2, 3, T(7));
  auto fails_first_allocation = [&](auto call) {
    Matrix<T> out = before;
    {
      const FailingAllocation first(1);
      EXPECT_THROW(call(out), std::bad_alloc);
    }
    EXPECT_EQ(out, before);
  };
  fails_first_allocation([&](Matrix<T>& A) { activate(Activation::sigmoid, Z, A); });
  fails_first_allocation(
      [&](Matrix<T>& dZ) { activation_backward(Activation::tanh, Z, Z, Y, dZ); });
  fails_first_allocation([&](Matrix<T>& dZ) {
    loss_gradient(Loss::half_squared_error, Activation::linear, Z, Z, Y, dZ);
  });
}

// Weights that pass the topology's checks and still cannot be allocated (memory taken since, or
// a container's limit the checks cannot see): the error names the layer that failed within the
// whole topology, not the layers built before it.
TEST(AllocationFailure, NamesTheLayerWhoseWeightsCannotBeAllocated) {
  const std::vector<LayerSpec> layers{
      {40, Activation::relu}, {20, Activation::relu}, {1, Activation::linear}};
  std::set<std::string> messages;
  for (long failed = 1;; ++failed) {
    try {
      const FailingAllocation failing_one(failed);
      const Network<double> network(3, layers, Loss::half_squared_error);
      break;
    } catch (const UsageError& e) {
      messages.insert(e.what());
    }
  }
  const std::string network = ") of a 3-40-20-1 network";
  EXPECT_EQ(messages, (std::set<std::string>{
                          "cannot allocate the weights of layer 1 (3 x 40, 2.38e-06 GiB with its "
                          "gradients" +
                              network,
                          "cannot allocate the weights of layer 2 (40 x 20, 1.22e-05 GiB with its "
                          "gradients" +
                              network,
                          "cannot allocate the weights of layer 3 (20 x 1, 3.13e-07 GiB with its "
                          "gradients" +
                              network}));
}

TYPED_TEST(AllocationTest, PredictorOnOneRowAndOnBatchesNoLargerThanItsFirst) {
  using T = TypeParam;
  const Network<T> small = tutorial::majority_network<T>(1);
  Network<T> large(100, {{300, Activation::relu}, {10, Activation::softmax}}, Loss::cross_entropy);
  initialize(large, 1);
  for (const Network<T>* network : {&small, static_cast<const Network<T>*>(&large)}) {
    const Matrix<T> X = random_matrix<T>(200, network->inputs(), 7);
    Predictor<T> predictor(*network);
    predictor.predict(X);
    allocations = 0;
    counting = true;
    T sum = 0;
    for (Index i = 0; i < 50; ++i)
      sum += predictor.predict(X.row(i))(0, 0) + predictor.predict(X.topRows(i + 1))(0, 0);
    counting = false;
    EXPECT_EQ(allocations.load(), 0) << network->topology();
    EXPECT_TRUE(std::isfinite(double(sum)));
  }
}

}  // namespace
}  // namespace neurona
