// Checkpoints: everything a training run needs to continue where it stopped and end with the same
// bits as a run never stopped — the network, the optimizer's and schedule's state, early
// stopping's best weights, and the history so far. One JSON file, replaced atomically.
#pragma once

#include <filesystem>
#include <optional>

#include "neurona/history.hpp"
#include "neurona/model_io.hpp"
#include "neurona/optimizer.hpp"
#include "neurona/schedule.hpp"
#include "neurona/trainer.hpp"

namespace neurona {

template <class T>
struct Checkpoint {
  Network<T> network;  // the parameters after `trainer.epochs_done` epochs
  ModelInfo info;
  TrainerState<T> trainer;
  OptimizerState optimizer;
  std::optional<ScheduleState> schedule;
  History history;
};

// Writes the checkpoint atomically. Throws InputError naming the path, and writes nothing, for
// what read_checkpoint would refuse: a history without one record per epoch done (epochs 1, 2,
// ..., as Trainer's run keeps them), a best epoch after the last epoch done, a best network of
// another architecture than the network, and what model_to_json refuses; or if it cannot be
// written.
template <class T>
void write_checkpoint(const Checkpoint<T>& checkpoint, const std::filesystem::path& path);

// Reads a checkpoint written in precision T. Throws InputError naming the file and the field's
// path (`history[3][1]`, `schedule.rate`) for a field missing, of another type or out of range,
// and for an optimizer buffer value that no run writes (a negative second moment, say).
template <class T>
Checkpoint<T> read_checkpoint(const std::filesystem::path& path);

}  // namespace neurona
