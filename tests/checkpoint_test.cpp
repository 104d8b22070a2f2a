// Checkpoint files: every number read back to the same bits, whatever its text looks like.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include "neurona/checkpoint.hpp"
#include "neurona/error.hpp"
#include "temp_folder.hpp"
#include "test_networks.hpp"

namespace neurona {
namespace {

class Checkpoints : public ::TempFolderTest {};

bool same_bits(double a, double b) {
  return std::memcmp(&a, &b, sizeof a) == 0;
}

template <class T>
bool same_bits(const Network<T>& a, const Network<T>& b) {
  for (std::size_t l = 0; l < a.layers().size(); ++l) {
    const auto &p = a.layers()[l], &q = b.layers()[l];
    if (std::memcmp(p.W.data(), q.W.data(), sizeof(T) * std::size_t(p.W.size())) != 0 ||
        std::memcmp(p.b.data(), q.b.data(), sizeof(T) * std::size_t(p.b.size())) != 0)
      return false;
  }
  return true;
}

template <class T>
void expect_round_trip(const std::filesystem::path& path) {
  Network<T> network = testing::random_network(3, {Activation::tanh}, Activation::sigmoid, 1,
                                               Loss::binary_cross_entropy, 7)
                           .template cast<T>();
  // Numbers whose shortest text is a whole number ("-0", "1"), an exponent either way, or at the
  // ends of the range: each must read back as itself, -0 with its sign.
  const std::vector<double> odd = {-0.0,    1.0,
                                   -3.0,    1e300,
                                   5e-324,  2.5e-17,
                                   1e15,    1e16,
                                   0.1,     -0.0077513325874476666,
                                   1.0 / 3, 123456789012345678.0};
  network.layers()[0].W(0, 0) = T(-0.0);
  network.layers()[0].b(0) = T(1);
  Network<T> best = network;
  best.layers()[0].W(0, 0) = T(1e-30);
  Checkpoint<T> checkpoint{network, {}, {4, 0.25, 3, best}, {"adam", 4, {}}, std::nullopt, {}};
  checkpoint.optimizer.buffers["exp_avg"] = odd;
  checkpoint.optimizer.buffers["exp_avg_sq"] = {0.0, 1.0, 1e-300};
  checkpoint.optimizer.buffers["learning_rate"] = {0.001};
  checkpoint.history = {{1, 0.5, 0.75, 0.001, 0.25},
                        {2, 0.4, 0.5, 0.001, 0.5},
                        {3, 0.3, 0.25, 0.001, 0.75},
                        {4, 0.2, 0.3, 0.001, 1}};
  write_checkpoint(checkpoint, path);

  const Checkpoint<T> back = read_checkpoint<T>(path);
  EXPECT_TRUE(same_bits(back.network, network));
  EXPECT_TRUE(std::signbit(back.network.layers()[0].W(0, 0)));
  ASSERT_TRUE(back.trainer.best_network);
  EXPECT_TRUE(same_bits(*back.trainer.best_network, best));
  EXPECT_EQ(back.trainer.epochs_done, 4);
  EXPECT_EQ(back.trainer.best_epoch, 3);
  EXPECT_EQ(back.optimizer.steps, 4);
  ASSERT_EQ(back.optimizer.buffers.size(), 3u);
  const std::vector<double>& read = back.optimizer.buffers.at("exp_avg");
  ASSERT_EQ(read.size(), odd.size());
  for (std::size_t i = 0; i < odd.size(); ++i)
    EXPECT_TRUE(same_bits(read[i], odd[i])) << i << ": " << read[i] << " for " << odd[i];
  EXPECT_EQ(back.optimizer.buffers.at("exp_avg_sq"), (std::vector<double>{0.0, 1.0, 1e-300}));
  ASSERT_EQ(back.history.size(), 4u);
  EXPECT_EQ(back.history[3].validation_loss, 0.3);
}

TEST_F(Checkpoints, EveryNumberReadsBackToTheSameBits) {
  expect_round_trip<double>(dir / "double.json");
  expect_round_trip<float>(dir / "float.json");
}

// What read_checkpoint would refuse when the run is resumed is refused when it is written.
TEST_F(Checkpoints, WhatCouldNotBeResumedIsNotWritten) {
  const Network<double> network = testing::random_network(
      3, {Activation::tanh}, Activation::sigmoid, 1, Loss::binary_cross_entropy, 7);
  const std::filesystem::path path = dir / "c.json";
  auto error_writing = [&](const Checkpoint<double>& checkpoint) {
    try {
      write_checkpoint(checkpoint, path);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  Checkpoint<double> no_history{network, {}, {10, HUGE_VAL, 0, {}}, {"sgd", 10, {}}, {}, {}};
  EXPECT_NE(error_writing(no_history)
                .find("c.json: not written: history: 0 records for 10 "
                      "epochs done: one per epoch is needed"),
            std::string::npos)
      << error_writing(no_history);
  Checkpoint<double> numbered_wrong = no_history;
  numbered_wrong.trainer.epochs_done = 2;
  numbered_wrong.history = {{1, 0.5, std::nan(""), 0.5, 0.1}, {3, 0.4, std::nan(""), 0.5, 0.2}};
  EXPECT_NE(error_writing(numbered_wrong).find("not written: history[1]: epoch 3"),
            std::string::npos)
      << error_writing(numbered_wrong);
  Checkpoint<double> other_best = numbered_wrong;
  other_best.history[1].epoch = 2;
  other_best.trainer.best_epoch = 1;
  other_best.trainer.best_network = testing::random_network(
      3, {Activation::relu}, Activation::sigmoid, 1, Loss::binary_cross_entropy, 7);
  EXPECT_NE(error_writing(other_best).find("not written: best_model: the network is "),
            std::string::npos)
      << error_writing(other_best);
  ModelInfo three_labels;
  three_labels.classes = {"a", "b", "c"};
  Checkpoint<double> bad_info = other_best;
  bad_info.trainer.best_network.reset();
  bad_info.info = three_labels;
  EXPECT_NE(error_writing(bad_info).find("c.json: not written: classes: expected 1 label"),
            std::string::npos)
      << error_writing(bad_info);
  Checkpoint<double> nan_buffer = bad_info;
  nan_buffer.info = {};
  nan_buffer.optimizer.buffers["velocity"] = {0.5, std::nan("")};
  EXPECT_NE(
      error_writing(nan_buffer).find("not written: optimizer.buffers.velocity[1]: nan is not"),
      std::string::npos)
      << error_writing(nan_buffer);
  Checkpoint<double> late_schedule = bad_info;
  late_schedule.info = {};
  late_schedule.schedule = ScheduleState{"plateau", 0.5, 0.25, 3};
  EXPECT_NE(error_writing(late_schedule).find("not written: schedule: rate 0.5, 3 bad epochs of 2"),
            std::string::npos)
      << error_writing(late_schedule);
  Checkpoint<double> infinite_rate = bad_info;
  infinite_rate.info = {};
  infinite_rate.history[1].learning_rate = HUGE_VAL;
  EXPECT_NE(error_writing(infinite_rate).find("not written: history[1]"), std::string::npos)
      << error_writing(infinite_rate);
  EXPECT_FALSE(std::filesystem::exists(path));
  bad_info.info = {};
  ASSERT_EQ(error_writing(bad_info), "no error");
  EXPECT_EQ(read_checkpoint<double>(path).history.size(), 2u);
}

}  // namespace
}  // namespace neurona
