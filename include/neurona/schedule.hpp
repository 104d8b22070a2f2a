// Learning-rate schedules: after each epoch, the rate for the next one, as
// torch.optim.lr_scheduler's StepLR, CosineAnnealingLR and ReduceLROnPlateau compute it.
#pragma once

#include <optional>
#include <string>

namespace neurona {

// Each field is a flag of `neurona train`, named beside it; defaults are torch's where it has one.
struct ScheduleSettings {
  std::string kind = "constant";  // --lr-schedule: constant, step, cosine or plateau
  long long step_size = 0;        // --lr-step: step, epochs between two decays (required, >= 1)
  double gamma = 0.1;             // --lr-gamma: step, the decay factor, in (0, 1]
  long long total_epochs = 0;     // --epochs: cosine, the epochs from the rate down to min_rate
  double min_rate = 0;            // --lr-min: cosine's floor (eta_min) and plateau's (min_lr)
  double factor = 0.1;            // --lr-factor: plateau, the decay factor, in (0, 1)
  long long patience = 10;        // --lr-patience: plateau, bad epochs tolerated before a decay
  double threshold = 1e-4;        // --lr-threshold: plateau, relative improvement that counts
};

// What a schedule carries from epoch to epoch, for checkpoints. `best` is empty until the
// plateau schedule has seen a loss (torch starts it at infinity, which JSON cannot hold).
struct ScheduleState {
  std::string kind;
  double rate = 0;
  std::optional<double> best;
  long long bad_epochs = 0;
};

class LearningRateSchedule {
 public:
  // A schedule starting from initial_rate (the optimizer's learning rate). Throws UsageError
  // naming the flag for a bad setting ("--lr-step must be 1 or more, got 0").
  LearningRateSchedule(const ScheduleSettings& settings, double initial_rate);

  // The rate for the coming epoch.
  double rate() const { return rate_; }

  // Called after epoch `epoch` (1-based, counted from the start of training, resumed runs
  // included); returns the rate for epoch + 1, for Optimizer::set_learning_rate. With alpha_0 the
  // initial rate and e = epoch:
  //   constant:  alpha_0
  //   step:      alpha_0 gamma^floor(e / step_size)
  //   cosine:    min + (alpha_0 - min) (1 + cos(pi e / total_epochs)) / 2, and min after
  //              total_epochs (where torch's formula would rise again)
  //   plateau:   the rate times factor (not below min) once the monitored loss has not improved on
  //              its best by the relative threshold for more than `patience` epochs in a row. It
  //              monitors validation_loss, or training_loss when there is no validation set.
  // Throws UsageError for an epoch below 1.
  double epoch_end(long long epoch, double training_loss,
                   std::optional<double> validation_loss = std::nullopt);

  ScheduleState state() const;
  // Continues from a state() of a schedule of the same kind; throws InputError otherwise.
  void load_state(const ScheduleState& state);

 private:
  ScheduleSettings settings_;
  double initial_rate_;
  double rate_;
  std::optional<double> best_;  // plateau: the lowest loss seen
  long long bad_epochs_ = 0;    // plateau: epochs since the best, torch's num_bad_epochs
};

}  // namespace neurona
