// Checkpoint files: the model file's JSON for the networks, beside the training state.
#include "neurona/checkpoint.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "json_text.hpp"
#include "neurona/atomic_file.hpp"
#include "neurona/error.hpp"
#include "optimizer_checks.hpp"
#include "text_file.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int checkpoint_version = 1;

// JSON has no NaN or infinity: they are written as null and read back as NaN.
json number(double value) {
  return std::isfinite(value) ? json(value) : json(nullptr);
}

double number_or_nan(const json& value) {
  return value.is_number() ? value.get<double>() : std::nan("");
}

[[noreturn]] void fail(const fs::path& path, const std::string& field, const std::string& what) {
  throw InputError(fmt::format("{}: {}: {}", path.string(), field, what));
}

// A value as a message shows it: a long array or object cut short.
std::string shown(const json& value) {
  const std::string text = value.dump();
  return text.size() <= 40 ? text : text.substr(0, 37) + "...";
}

// The member `key` of the object at `field` ("" for the file's top level), or an InputError
// naming the path to it.
const json& member(const json& object, const std::string& field, const char* key,
                   const fs::path& path) {
  if (!object.is_object()) fail(path, field, "expected an object, got " + shown(object));
  const auto it = object.find(key);
  if (it == object.end()) fail(path, field.empty() ? key : field + "." + key, "missing");
  return *it;
}

std::string text(const json& value, const fs::path& path, const std::string& field) {
  if (!value.is_string()) fail(path, field, "expected a string, got " + shown(value));
  return value.get<std::string>();
}

// A count: a whole number in [low, high], not 5.5 (which nlohmann would read as 5).
Index count(const json& value, const fs::path& path, const std::string& field, Index low,
            Index high) {
  if (!value.is_number_integer())
    fail(path, field, fmt::format("expected a whole number, got {}", value.dump()));
  // nlohmann reads every number from 0 up as unsigned: compared as such, against both ends.
  const bool fits = value.is_number_unsigned()
                        ? value.get<std::uint64_t>() <= std::uint64_t(high) &&
                              (low <= 0 || value.get<std::uint64_t>() >= std::uint64_t(low))
                        : value.get<std::int64_t>() >= low && value.get<std::int64_t>() <= high;
  if (!fits) fail(path, field, fmt::format("expected {} to {}, got {}", low, high, value.dump()));
  return value.get<Index>();
}

// A number where null (NaN, as `number` writes it) has no place.
double real(const json& value, const fs::path& path, const std::string& field) {
  if (!value.is_number()) fail(path, field, "expected a number, got " + shown(value));
  return value.get<double>();
}

// A learning rate (a schedule may bring it to 0) or seconds since training started.
double non_negative(const json& value, const fs::path& path, const std::string& field) {
  const double number = real(value, path, field);
  if (!(number >= 0)) fail(path, field, "expected 0 or more, got " + value.dump());
  return number;
}

// A buffer's numbers on one line, as the model file writes its own.
std::string number_array(const std::vector<double>& values) {
  std::string out;
  out.reserve(values.size() * 26 + 2);
  append_json_array(out, values);
  return out;
}

}  // namespace

// What read_checkpoint would refuse of a checkpoint put together by hand, refused before it is
// written rather than when the run is resumed. (model_to_json checks the networks and the info.)
template <class T>
void check_resumable(const Checkpoint<T>& checkpoint, const fs::path& path) {
  const TrainerState<T>& trainer = checkpoint.trainer;
  const History& history = checkpoint.history;
  auto refuse = [&](const std::string& field, const std::string& what) {
    throw InputError(fmt::format("{}: not written: {}: {}", path.string(), field, what));
  };
  if (trainer.epochs_done < 0 || trainer.best_epoch < 0 || trainer.best_epoch > trainer.epochs_done)
    refuse("trainer", fmt::format("{} epochs done, the best at epoch {}", trainer.epochs_done,
                                  trainer.best_epoch));
  if (trainer.best_network &&
      trainer.best_network->architecture() != checkpoint.network.architecture())
    refuse("best_model",
           fmt::format("the network is {}, the model's {}", trainer.best_network->architecture(),
                       checkpoint.network.architecture()));
  // The record a resumed run goes on from: one per epoch done, as the run kept them.
  if (Index(history.size()) != trainer.epochs_done)
    refuse("history", fmt::format("{} records for {} epochs done: one per epoch is needed",
                                  history.size(), trainer.epochs_done));
  for (std::size_t i = 0; i < history.size(); ++i) {
    const EpochRecord& r = history[i];
    if (r.epoch != Index(i) + 1 || !std::isfinite(r.loss) || std::isinf(r.validation_loss) ||
        std::isnan(r.validation_loss) != std::isnan(history[0].validation_loss) ||
        !(r.learning_rate >= 0 && std::isfinite(r.learning_rate)) ||
        !(r.seconds >= 0 && std::isfinite(r.seconds)))
      refuse(fmt::format("history[{}]", i),
             fmt::format("epoch {}, loss {}, validation loss {}, learning rate {}, seconds {}: "
                         "expected epoch {}, a finite loss, a validation loss at every epoch or "
                         "at none, and a rate and seconds of 0 or more",
                         r.epoch, r.loss, r.validation_loss, r.learning_rate, r.seconds, i + 1));
  }
  // Numbers JSON cannot hold (written as null), and counts beyond a run's.
  for (const auto& [name, values] : checkpoint.optimizer.buffers)
    for (std::size_t i = 0; i < values.size(); ++i)
      if (!std::isfinite(values[i]))
        refuse(fmt::format("optimizer.buffers.{}[{}]", name, i),
               fmt::format("{} is not a finite number", values[i]));
  if (const auto& s = checkpoint.schedule;
      s && (!std::isfinite(s->rate) || (s->best && !std::isfinite(*s->best)) || s->bad_epochs < 0 ||
            s->bad_epochs > trainer.epochs_done))
    refuse("schedule", fmt::format("rate {}, {} bad epochs of {}: expected a finite rate and best, "
                                   "and bad epochs no more than the epochs done",
                                   s->rate, s->bad_epochs, trainer.epochs_done));
}

// The networks and the optimizer's buffers, nearly all of a checkpoint, are written as text and
// spliced into the JSON of the rest: built as JSON values they took over a hundred bytes a number
// and several seconds for a few million, each checkpoint.
template <class T>
void write_checkpoint(const Checkpoint<T>& checkpoint, const fs::path& path) {
  check_resumable(checkpoint, path);
  std::vector<std::pair<std::string, std::string>> bulk;  // a placeholder's JSON, the text for it
  auto splice = [&](std::string text) {
    const std::string placeholder = fmt::format("\x01{}", bulk.size());
    bulk.emplace_back(json(placeholder).dump(), std::move(text));
    return placeholder;
  };
  auto model_text = [](std::string text) {
    text.pop_back();  // the file's last newline
    return text;
  };
  json root = json::object();
  root["format"] = "neurona-checkpoint";
  root["version"] = checkpoint_version;
  auto model_json = [&](const Network<T>& network, const ModelInfo& info) {
    try {
      return model_text(model_to_json(network, info));
    } catch (const InputError& e) {
      throw InputError(fmt::format("{}: {}", path.string(), e.what()));
    }
  };
  root["model"] = splice(model_json(checkpoint.network, checkpoint.info));
  const TrainerState<T>& trainer = checkpoint.trainer;
  root["trainer"] = {{"epochs_done", trainer.epochs_done},
                     {"best_validation_loss", number(trainer.best_validation_loss)},
                     {"best_epoch", trainer.best_epoch}};
  root["best_model"] =
      trainer.best_network ? json(splice(model_json(*trainer.best_network, {}))) : json(nullptr);
  json buffers = json::object();
  for (const auto& [name, values] : checkpoint.optimizer.buffers)
    buffers[name] = splice(number_array(values));
  root["optimizer"] = {{"name", checkpoint.optimizer.name},
                       {"steps", checkpoint.optimizer.steps},
                       {"buffers", buffers}};
  if (checkpoint.schedule) {
    const ScheduleState& s = *checkpoint.schedule;
    root["schedule"] = {{"kind", s.kind},
                        {"rate", s.rate},
                        {"best", s.best ? json(*s.best) : json(nullptr)},
                        {"bad_epochs", s.bad_epochs}};
  }
  json history = json::array();
  for (const EpochRecord& r : checkpoint.history)
    history.push_back(
        {r.epoch, number(r.loss), number(r.validation_loss), r.learning_rate, r.seconds});
  root["history"] = history;

  const std::string skeleton = root.dump(1) + "\n";
  std::size_t size = skeleton.size();
  for (const auto& [placeholder, text] : bulk)
    size += text.size();
  std::string out;
  out.reserve(size);
  std::size_t from = 0;
  while (true) {  // the placeholders in the order the skeleton has them
    std::size_t at = std::string::npos;
    const std::pair<std::string, std::string>* text = nullptr;
    for (const auto& entry : bulk)
      if (const std::size_t found = skeleton.find(entry.first, from); found < at) {
        at = found;
        text = &entry;
      }
    if (!text) break;
    out.append(skeleton, from, at - from);
    out += text->second;
    from = at + text->first.size();
  }
  out.append(skeleton, from);
  write_file_atomically(path, out);
}

template <class T>
Checkpoint<T> read_checkpoint(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error))
    throw InputError(path.string() + ": no such checkpoint file");
  const json root = parse_json(read_text_file(path, "a checkpoint"), path.string(), "a checkpoint");
  try {
    // Compared as JSON values, which throw for no type: "1" is not 1.
    if (!root.is_object() || !root.contains("format") ||
        root["format"] != json("neurona-checkpoint"))
      fail(path, "format", "expected \"neurona-checkpoint\"");
    if (!root.contains("version") || root["version"] != json(checkpoint_version))
      fail(path, "version", fmt::format("this neurona reads version {}", checkpoint_version));

    const ModelFile model =
        parse_model(member(root, "", "model", path).dump(), path.string() + ": model");
    if (model.precision != precision_of<T>())
      fail(path, "model.precision",
           fmt::format("the checkpoint's network is in {} precision; it is read here as {}",
                       to_string(model.precision), to_string(precision_of<T>())));
    Checkpoint<T> checkpoint{model.network.template cast<T>(), model.info, {}, {}, {}, {}};

    const json& trainer = member(root, "", "trainer", path);
    // Epochs are counted in an int64 everywhere; a billion is beyond any run.
    const Index done = count(member(trainer, "trainer", "epochs_done", path), path,
                             "trainer.epochs_done", 0, 1 << 30);
    checkpoint.trainer.epochs_done = done;
    const json& best_loss = member(trainer, "trainer", "best_validation_loss", path);
    if (!best_loss.is_number() && !best_loss.is_null())
      fail(path, "trainer.best_validation_loss",
           "expected a number or null, got " + shown(best_loss));
    checkpoint.trainer.best_validation_loss = number_or_nan(best_loss);
    if (std::isnan(checkpoint.trainer.best_validation_loss))
      checkpoint.trainer.best_validation_loss = HUGE_VAL;
    checkpoint.trainer.best_epoch =
        count(member(trainer, "trainer", "best_epoch", path), path, "trainer.best_epoch", 0, done);
    // Early stopping's best weights stand in for the model's at the end of a run: another
    // network there would end the run as a model that its own command line does not describe.
    if (const json& best = member(root, "", "best_model", path); !best.is_null()) {
      const Network<double> best_network =
          parse_model(best.dump(), path.string() + ": best_model").network;
      if (best_network.architecture() != model.network.architecture())
        fail(path, "best_model",
             fmt::format("the network is {}, the model's {}", best_network.architecture(),
                         model.network.architecture()));
      checkpoint.trainer.best_network = best_network.template cast<T>();
    }

    const json& optimizer = member(root, "", "optimizer", path);
    checkpoint.optimizer.name =
        text(member(optimizer, "optimizer", "name", path), path, "optimizer.name");
    checkpoint.optimizer.steps = count(member(optimizer, "optimizer", "steps", path), path,
                                       "optimizer.steps", 0, max_optimizer_steps);
    const json& buffers = member(optimizer, "optimizer", "buffers", path);
    if (!buffers.is_object())
      fail(path, "optimizer.buffers", "expected an object, got " + shown(buffers));
    for (const auto& [name, values] : buffers.items()) {
      const std::string field = "optimizer.buffers." + name;
      if (!values.is_array()) fail(path, field, "expected an array, got " + shown(values));
      std::vector<double>& buffer = checkpoint.optimizer.buffers[name];
      for (std::size_t i = 0; i < values.size(); ++i)
        buffer.push_back(real(values[i], path, fmt::format("{}[{}]", field, i)));
    }
    // Here rather than at load_state, which knows no file: a negative second moment would go on
    // as a NaN loss, blamed on the learning rate.
    check_state_values(checkpoint.optimizer, path.string() + ": optimizer.buffers.");

    if (const auto it = root.find("schedule"); it != root.end() && !it->is_null()) {
      const json& schedule = *it;
      if (!schedule.is_object())
        fail(path, "schedule", "expected an object or null, got " + shown(schedule));
      ScheduleState s;
      s.kind = text(member(schedule, "schedule", "kind", path), path, "schedule.kind");
      s.rate = real(member(schedule, "schedule", "rate", path), path, "schedule.rate");
      if (const json& best = member(schedule, "schedule", "best", path); !best.is_null())
        s.best = real(best, path, "schedule.best");
      // Epochs without improvement, one at most per epoch done.
      s.bad_epochs = count(member(schedule, "schedule", "bad_epochs", path), path,
                           "schedule.bad_epochs", 0, done);
      checkpoint.schedule = s;
    }
    // One record per epoch done, in order: the history a resumed run goes on from.
    const json& history = member(root, "", "history", path);
    if (!history.is_array() || Index(history.size()) != done)
      fail(path, "history", fmt::format("expected {} records, one per epoch done", done));
    for (const json& r : history) {
      const std::string field = fmt::format("history[{}]", checkpoint.history.size());
      if (!r.is_array() || r.size() != 5)
        fail(path, field,
             fmt::format("expected 5 numbers (epoch, loss, validation_loss, learning_rate, "
                         "seconds), got {}",
                         r.is_array() ? std::to_string(r.size()) : shown(r)));
      const Index epoch = Index(checkpoint.history.size()) + 1;
      count(r[0], path, field + "[0]", epoch, epoch);
      // The validation loss is null in every record of a run without validation rows, and a
      // number in every record of one with them; the training loss is always a number (a run
      // stops at a loss that is not). history[0] has passed these checks before any other.
      const json& validation = r[2];
      if (!validation.is_number() && !validation.is_null())
        fail(path, field + "[2]", "expected a number or null, got " + shown(validation));
      if (validation.is_null() != history[0][2].is_null())
        fail(path, field + "[2]",
             fmt::format("{} where history[0][2] is {}: a run has a validation loss at every "
                         "epoch or at none",
                         validation.dump(), history[0][2].dump()));
      checkpoint.history.push_back(
          {epoch, real(r[1], path, field + "[1]"), number_or_nan(validation),
           non_negative(r[3], path, field + "[3]"), non_negative(r[4], path, field + "[4]")});
    }
    return checkpoint;
  } catch (const json::exception& e) {
    // "[json.exception.type_error.302] type must be number, but is string": the part after the
    // bracket is the reader's.
    std::string what = e.what();
    if (what.starts_with("[json.exception.")) what = what.substr(what.find("] ") + 2);
    throw InputError(fmt::format("{}: not a usable checkpoint: {}", path.string(), what));
  }
}

template void write_checkpoint<float>(const Checkpoint<float>&, const fs::path&);
template void write_checkpoint<double>(const Checkpoint<double>&, const fs::path&);
template Checkpoint<float> read_checkpoint<float>(const fs::path&);
template Checkpoint<double> read_checkpoint<double>(const fs::path&);

}  // namespace neurona
