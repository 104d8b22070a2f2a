// Learning-rate schedules: StepLR and CosineAnnealingLR in torch's closed forms, and
// ReduceLROnPlateau (mode min, relative threshold, no cooldown) step by step.
#include "neurona/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "neurona/error.hpp"

namespace neurona {

LearningRateSchedule::LearningRateSchedule(const ScheduleSettings& settings, double initial_rate)
    : settings_(settings), initial_rate_(initial_rate), rate_(initial_rate) {
  const ScheduleSettings& s = settings;
  if (!(initial_rate > 0) || !std::isfinite(initial_rate))
    throw UsageError(fmt::format("--lr must be a positive number, got {}", initial_rate));
  auto bad = [](std::string_view flag, std::string_view range, auto value) {
    return UsageError(fmt::format("{} must be {}, got {}", flag, range, value));
  };
  if (s.kind == "constant") return;
  if (s.kind == "step") {
    if (s.step_size < 1) throw bad("--lr-step", "1 or more for --lr-schedule step", s.step_size);
    if (!(s.gamma > 0 && s.gamma <= 1)) throw bad("--lr-gamma", "in (0, 1]", s.gamma);
  } else if (s.kind == "cosine") {
    if (s.total_epochs < 1)
      throw bad("--epochs", "1 or more for --lr-schedule cosine", s.total_epochs);
    if (!(s.min_rate >= 0 && s.min_rate <= initial_rate))
      throw bad("--lr-min", fmt::format("in [0, --lr] = [0, {}]", initial_rate), s.min_rate);
  } else if (s.kind == "plateau") {
    if (!(s.factor > 0 && s.factor < 1)) throw bad("--lr-factor", "in (0, 1)", s.factor);
    if (s.patience < 0) throw bad("--lr-patience", "0 or more", s.patience);
    if (!(s.threshold >= 0) || !std::isfinite(s.threshold))
      throw bad("--lr-threshold", "0 or more", s.threshold);
    if (!(s.min_rate >= 0 && s.min_rate <= initial_rate))
      throw bad("--lr-min", fmt::format("in [0, --lr] = [0, {}]", initial_rate), s.min_rate);
  } else {
    throw UsageError(fmt::format(
        "--lr-schedule must be one of constant, step, cosine, plateau; got \"{}\"", s.kind));
  }
}

double LearningRateSchedule::epoch_end(long long epoch, double training_loss,
                                       std::optional<double> validation_loss) {
  if (epoch < 1) throw UsageError(fmt::format("epochs count from 1, got epoch {}", epoch));
  const ScheduleSettings& s = settings_;
  const double e = double(epoch);
  if (s.kind == "step") {
    // StepLR: alpha_0 gamma^floor(e / step_size)
    rate_ = initial_rate_ * std::pow(s.gamma, double(epoch / s.step_size));
  } else if (s.kind == "cosine") {
    // CosineAnnealingLR: min + (alpha_0 - min) (1 + cos(pi e / T)) / 2, held at min after T
    rate_ = epoch >= s.total_epochs
                ? s.min_rate
                : s.min_rate + (initial_rate_ - s.min_rate) *
                                   (1 + std::cos(std::numbers::pi * e / double(s.total_epochs))) /
                                   2;
  } else if (s.kind == "plateau") {
    // ReduceLROnPlateau, mode min, relative threshold: an epoch is good when loss < best (1 -
    // threshold); after more than `patience` bad epochs in a row, rate <- max(rate factor, min).
    const double loss = validation_loss.value_or(training_loss);
    const double best = best_.value_or(INFINITY);  // torch starts from infinity
    if (loss < best * (1 - s.threshold)) {
      best_ = loss;
      bad_epochs_ = 0;
    } else {
      ++bad_epochs_;
    }
    if (bad_epochs_ > s.patience) {
      const double reduced = std::max(rate_ * s.factor, s.min_rate);
      if (rate_ - reduced > 1e-8) rate_ = reduced;  // torch's eps: no decay too small to matter
      bad_epochs_ = 0;
    }
  }
  return rate_;
}

ScheduleState LearningRateSchedule::state() const {
  return {settings_.kind, rate_, best_, bad_epochs_};
}

void LearningRateSchedule::load_state(const ScheduleState& state) {
  if (state.kind != settings_.kind)
    throw InputError(fmt::format("the schedule state is --lr-schedule {}'s, not {}'s", state.kind,
                                 settings_.kind));
  if (!(state.rate >= 0) || !std::isfinite(state.rate))
    throw InputError(
        fmt::format("the schedule state's rate must be 0 or more, got {}", state.rate));
  // Bad epochs are epochs: a state counting more than any run could (2^30, the bound of a
  // checkpoint's epochs_done) is damaged, and its ++bad_epochs_ would overflow.
  constexpr long long max_schedule_bad_epochs = 1LL << 30;
  if (state.bad_epochs < 0 || state.bad_epochs > max_schedule_bad_epochs)
    throw InputError(fmt::format("the schedule state's bad_epochs must be 0 to {}, got {}",
                                 max_schedule_bad_epochs, state.bad_epochs));
  rate_ = state.rate;
  best_ = state.best;
  bad_epochs_ = state.bad_epochs;
}

}  // namespace neurona
