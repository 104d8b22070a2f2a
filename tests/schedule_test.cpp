// Learning-rate schedules: hand-computed rates for each kind (the same as torch.optim.lr_scheduler
// gives for these settings), checkpointed state, and bad settings refused with the flag named.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "neurona/error.hpp"
#include "neurona/schedule.hpp"

namespace neurona {
namespace {

ScheduleSettings kind(const std::string& name) {
  ScheduleSettings s;
  s.kind = name;
  return s;
}

// The rates returned after epochs 1..losses.size(), the plateau watching `losses`.
std::vector<double> rates(LearningRateSchedule& schedule, const std::vector<double>& losses) {
  std::vector<double> out;
  for (std::size_t e = 0; e < losses.size(); ++e)
    out.push_back(schedule.epoch_end((long long)(e + 1), losses[e]));
  return out;
}

TEST(Schedule, ConstantKeepsTheRate) {
  LearningRateSchedule schedule(kind("constant"), 0.5);
  EXPECT_EQ(schedule.rate(), 0.5);
  EXPECT_EQ(rates(schedule, {3, 2, 1, 1, 1}), std::vector<double>(5, 0.5));
}

TEST(Schedule, StepDecaysEveryStepSizeEpochs) {
  ScheduleSettings s = kind("step");
  s.step_size = 3;
  s.gamma = 0.5;
  LearningRateSchedule schedule(s, 1.0);
  // After epoch e the rate is 1 * 0.5^floor(e / 3): epochs 1-3 run at 1, 4-6 at 0.5, 7- at 0.25.
  EXPECT_EQ(rates(schedule, std::vector<double>(7, 1.0)),
            (std::vector<double>{1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25}));
}

TEST(Schedule, CosineAnnealsToTheMinimumAndStaysThere) {
  ScheduleSettings s = kind("cosine");
  s.total_epochs = 4;
  s.min_rate = 0.1;
  LearningRateSchedule schedule(s, 1.0);
  // 0.1 + 0.9 (1 + cos(pi e / 4)) / 2
  const std::vector<double> got = rates(schedule, std::vector<double>(6, 1.0));
  const double expected[] = {0.1 + 0.9 * (1 + std::sqrt(0.5)) / 2,
                             0.55,
                             0.1 + 0.9 * (1 - std::sqrt(0.5)) / 2,
                             0.1,
                             0.1,
                             0.1};
  for (std::size_t e = 0; e < got.size(); ++e)
    EXPECT_NEAR(got[e], expected[e], 1e-15) << "after epoch " << e + 1;
}

TEST(Schedule, PlateauDecaysAfterPatienceEpochsWithoutImprovement) {
  ScheduleSettings s = kind("plateau");
  s.factor = 0.5;
  s.patience = 2;
  s.threshold = 0.1;  // an epoch improves when loss < best * 0.9
  LearningRateSchedule schedule(s, 1.0);
  // 1.0 is the first best; 0.95, 0.92, 0.91 are not below 0.9: the third bad epoch is more than
  // 2, so the rate halves and the count restarts. 0.5 is a new best; then four bad epochs, of
  // which the third halves the rate again.
  EXPECT_EQ(rates(schedule, {1.0, 0.95, 0.92, 0.91, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5}),
            (std::vector<double>{1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25}));
}

TEST(Schedule, PlateauStopsAtTheMinimum) {
  ScheduleSettings s = kind("plateau");
  s.factor = 0.5;
  s.patience = 0;
  s.min_rate = 0.3;
  LearningRateSchedule schedule(s, 1.0);
  EXPECT_EQ(rates(schedule, {1, 1, 1, 1}), (std::vector<double>{1.0, 0.5, 0.3, 0.3}));
}

TEST(Schedule, PlateauWatchesTheValidationLossWhenThereIsOne) {
  ScheduleSettings s = kind("plateau");
  s.factor = 0.5;
  s.patience = 0;
  LearningRateSchedule schedule(s, 1.0);
  // The training loss keeps falling, the validation loss does not: the rate halves.
  EXPECT_EQ(schedule.epoch_end(1, 1.0, 2.0), 1.0);
  EXPECT_EQ(schedule.epoch_end(2, 0.5, 2.0), 0.5);
  // Without a validation loss it watches the training loss, which here improves on best 2.0.
  EXPECT_EQ(schedule.epoch_end(3, 0.4), 0.5);
}

TEST(Schedule, ResumedFromItsStateGivesTheSameRates) {
  ScheduleSettings s = kind("plateau");
  s.factor = 0.5;
  s.patience = 1;
  const std::vector<double> losses{1, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8};
  LearningRateSchedule straight(s, 1.0), first(s, 1.0);
  const std::vector<double> expected = rates(straight, losses);
  for (long long e = 1; e <= 3; ++e)
    first.epoch_end(e, losses[std::size_t(e - 1)]);
  LearningRateSchedule second(s, 1.0);
  second.load_state(first.state());
  EXPECT_EQ(second.rate(), expected[2]);
  for (long long e = 4; e <= 8; ++e)
    EXPECT_EQ(second.epoch_end(e, losses[std::size_t(e - 1)]), expected[std::size_t(e - 1)])
        << "epoch " << e;

  LearningRateSchedule cosine(kind("constant"), 1.0);
  EXPECT_THROW(cosine.load_state(first.state()), InputError);  // another kind's state
  ScheduleState bad = first.state();
  bad.rate = -1;
  EXPECT_THROW(second.load_state(bad), InputError);
  // A count of bad epochs no run reaches, whose next ++ would overflow.
  bad = first.state();
  bad.bad_epochs = std::numeric_limits<long long>::max();
  try {
    second.load_state(bad);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("bad_epochs"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(LearningRateSchedule(s, 1.0).state().best);  // no loss seen yet: no best
}

void expect_usage_error(const ScheduleSettings& s, double rate, const std::string& fragment) {
  try {
    LearningRateSchedule schedule(s, rate);
    ADD_FAILURE() << "expected a UsageError containing \"" << fragment << "\"";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
  }
}

TEST(Schedule, BadSettingsAreRefusedNamingTheFlag) {
  expect_usage_error(kind("linear"), 0.1,
                     "--lr-schedule must be one of constant, step, cosine, plateau; got "
                     "\"linear\"");
  expect_usage_error(kind("constant"), 0, "--lr must be a positive number, got 0");
  expect_usage_error(kind("step"), 0.1,
                     "--lr-step must be 1 or more for --lr-schedule step, got 0");
  ScheduleSettings s = kind("step");
  s.step_size = 10;
  s.gamma = 1.5;
  expect_usage_error(s, 0.1, "--lr-gamma must be in (0, 1], got 1.5");
  expect_usage_error(kind("cosine"), 0.1, "--epochs must be 1 or more for --lr-schedule cosine");
  s = kind("cosine");
  s.total_epochs = 10;
  s.min_rate = 0.2;
  expect_usage_error(s, 0.1, "--lr-min must be in [0, --lr] = [0, 0.1], got 0.2");
  s = kind("plateau");
  s.factor = 1;
  expect_usage_error(s, 0.1, "--lr-factor must be in (0, 1), got 1");
  s = kind("plateau");
  s.patience = -1;
  expect_usage_error(s, 0.1, "--lr-patience must be 0 or more, got -1");
  s = kind("plateau");
  s.min_rate = -0.1;
  expect_usage_error(s, 0.1, "--lr-min must be in [0, --lr] = [0, 0.1], got -0.1");
  s = kind("plateau");
  s.threshold = -1;
  expect_usage_error(s, 0.1, "--lr-threshold must be 0 or more, got -1");

  LearningRateSchedule schedule(kind("constant"), 0.1);
  EXPECT_THROW(schedule.epoch_end(0, 1.0), UsageError);
}

}  // namespace
}  // namespace neurona
