// FANN 2.2's side of workloads 1, 3 and 4: the tutorial's 3-2-4-1 network set up to compute what
// neurona computes. Built twice, as majority_fann_double (doublefann) and majority_fann_float
// (floatfann): FANN fixes its number type when it is compiled.
//
//   majority_fann_* train --model FILE.json --epochs N [--min-time S]
//   majority_fann_* predict --model FILE.json [--rows R] [--min-time S]
//   majority_fann_* job --model FILE.json --data FILE.data --epochs N
#include <cmath>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <vector>

#if defined(BENCH_FANN_FLOAT)
#include <floatfann.h>
#else
#include <doublefann.h>
#endif

#include "majority_common.hpp"

namespace {

using Ann = std::unique_ptr<fann, decltype(&fann_destroy)>;
using Data = std::unique_ptr<fann_train_data, decltype(&fann_destroy_train)>;

// The tutorial's network in FANN's terms: FANN's sigmoid is 1/(1 + exp(-2 s z)), the logistic
// function at steepness 0.5; the output is linear with slope 1; FANN_ERRORFUNC_LINEAR keeps the
// error y - yhat as it is (FANN's default, tanh, would stretch it); and FANN_TRAIN_BATCH steps once
// per epoch by the mean gradient, which is full-batch gradient descent.
Ann make_network(const bench::MajorityWeights& w, double lr) {
  Ann ann(fann_create_standard(4, 3, 2, 4, 1), &fann_destroy);
  if (!ann) throw std::runtime_error("fann_create_standard failed");
  fann_set_activation_function_hidden(ann.get(), FANN_SIGMOID);
  fann_set_activation_steepness_hidden(ann.get(), fann_type(0.5));
  fann_set_activation_function_output(ann.get(), FANN_LINEAR);
  fann_set_activation_steepness_output(ann.get(), fann_type(1));
  fann_set_train_error_function(ann.get(), FANN_ERRORFUNC_LINEAR);
  fann_set_training_algorithm(ann.get(), FANN_TRAIN_BATCH);
  fann_set_learning_rate(ann.get(), float(lr));
  fann_set_learning_momentum(ann.get(), 0);

  // FANN numbers neurons across layers, each layer followed by its bias neuron; a connection runs
  // from a neuron (or bias) of layer l - 1 to a neuron of layer l.
  std::vector<unsigned> first(4);
  unsigned bias[4];
  fann_get_bias_array(ann.get(), bias);
  for (int l = 1; l < 4; ++l)
    first[l] = first[l - 1] + unsigned(bench::MajorityWeights::widths[l - 1]) + bias[l - 1];
  std::vector<fann_connection> connections(fann_get_total_connections(ann.get()));
  fann_get_connection_array(ann.get(), connections.data());
  for (fann_connection& c : connections) {
    int l = 3;
    while (c.to_neuron < first[l])
      --l;
    const int j = int(c.to_neuron - first[l]);
    const int i = int(c.from_neuron - first[l - 1]);
    const int n_out = bench::MajorityWeights::widths[l];
    c.weight = fann_type(i == bench::MajorityWeights::widths[l - 1] ? w.b[l - 1][j]
                                                                    : w.W[l - 1][i * n_out + j]);
  }
  fann_set_weight_array(ann.get(), connections.data(), unsigned(connections.size()));
  return ann;
}

Data majority_data() {
  Data data(fann_create_train(bench::majority_rows, 3, 1), &fann_destroy_train);
  for (int i = 0; i < bench::majority_rows; ++i) {
    for (int j = 0; j < 3; ++j)
      data->input[i][j] = fann_type(bench::majority_X[i][j]);
    data->output[i][0] = fann_type(bench::majority_Y[i]);
  }
  return data;
}

// E = 1/(2m) sum (yhat - y)^2, in double: fann_test_data's MSE is a float and has no 1/2.
std::pair<double, int> evaluate(fann* ann, fann_train_data* data) {
  double sum = 0;
  int correct = 0;
  for (unsigned i = 0; i < data->num_data; ++i) {
    const fann_type yhat = fann_run(ann, data->input[i])[0];
    const double e = double(yhat) - double(data->output[i][0]);
    sum += e * e;
    correct += (yhat >= fann_type(0.5)) == (data->output[i][0] >= fann_type(0.5));
  }
  return {sum / (2.0 * double(data->num_data)), correct};
}

int train(const bench::Flags& flags) {
  const bench::MajorityWeights w = bench::read_majority_weights(flags.get("model"));
  const long long epochs = flags.number("epochs");
  const double lr = flags.real("lr", "0.5");
  const Data data = majority_data();
  Ann ann(nullptr, &fann_destroy);
  const double seconds = bench::median_round_seconds(
      [&] {
        ann = make_network(w, lr);
        for (long long e = 0; e < epochs; ++e)
          fann_train_epoch(ann.get(), data.get());
      },
      flags.real("min-time", "0.3"));
  const auto [loss, correct] = evaluate(ann.get(), data.get());
  std::printf("{\"loss\": %s, \"correct\": %d, \"seconds_per_epoch\": %s}\n",
              bench::exact(loss).c_str(), correct, bench::exact(seconds / double(epochs)).c_str());
  return 0;
}

int predict(const bench::Flags& flags) {
  const Ann ann = make_network(bench::read_majority_weights(flags.get("model")), 0.5);
  const long long rows = flags.number("rows", "10000");
  const long long one_row_inputs = std::min(rows, 1024LL);
  std::vector<fann_type> X = bench::prediction_inputs<fann_type>(rows);  // fann_run takes no const
  const double min_time = flags.real("min-time", "0.3");

  double one_row_sum = 0;
  const double one_row_seconds = bench::median_round_seconds(
      [&] {
        one_row_sum = 0;
        for (long long i = 0; i < one_row_inputs; ++i)
          one_row_sum += double(fann_run(ann.get(), &X[std::size_t(i * 3)])[0]);
      },
      min_time);
  // FANN has no batch call: a batch is fann_run row by row, each output copied out.
  std::vector<fann_type> yhat(static_cast<std::size_t>(rows));
  const double batch_seconds = bench::median_round_seconds(
      [&] {
        for (long long i = 0; i < rows; ++i)
          yhat[std::size_t(i)] = fann_run(ann.get(), &X[std::size_t(i * 3)])[0];
      },
      min_time);
  bench::print_prediction_result(one_row_seconds / double(one_row_inputs), one_row_sum,
                                 batch_seconds / double(rows), yhat.data(), rows);
  return 0;
}

// Workload 4: the whole job a FANN user writes: read the data file, train, print the table.
int job(const bench::Flags& flags) {
  const Ann ann = make_network(bench::read_majority_weights(flags.get("model")), 0.5);
  const Data data(fann_read_train_from_file(flags.get("data").c_str()), &fann_destroy_train);
  if (!data) throw std::runtime_error("cannot read " + flags.get("data"));
  const long long epochs = flags.number("epochs");
  for (long long e = 0; e < epochs; ++e)
    fann_train_epoch(ann.get(), data.get());
  const auto [loss, correct] = evaluate(ann.get(), data.get());
  std::printf(" x1 x2 x3 | target | prediction\n");
  for (unsigned i = 0; i < data->num_data; ++i) {
    const fann_type* x = data->input[i];
    std::printf("  %g  %g  %g |      %g | %10.6f\n", double(x[0]), double(x[1]), double(x[2]),
                double(data->output[i][0]), double(fann_run(ann.get(), data->input[i])[0]));
  }
  std::printf("loss: %s\naccuracy: %d/%u\n", bench::exact(loss).c_str(), correct, data->num_data);
  return 0;
}

}  // namespace

int main(int argc, char** argv) try {
  if (argc < 2) throw std::runtime_error("usage: majority_fann train|predict|job --flag value ...");
  const std::string command = argv[1];
  const bench::Flags flags(argc, argv, 2);
  if (command == "train") return train(flags);
  if (command == "predict") return predict(flags);
  if (command == "job") return job(flags);
  throw std::runtime_error("unknown command " + command);
} catch (const std::exception& e) {
  std::fprintf(stderr, "error: %s\n", e.what());
  return 1;
}
