// Checkpoint files: the model file's JSON for the networks, beside the training state.
#include "neurona/checkpoint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "neurona/atomic_file.hpp"
#include "neurona/error.hpp"

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

const json& member(const json& object, const char* key, const fs::path& path) {
  const auto it = object.find(key);
  if (it == object.end()) fail(path, key, "missing");
  return *it;
}

}  // namespace

template <class T>
void write_checkpoint(const Checkpoint<T>& checkpoint, const fs::path& path) {
  json root;
  root["format"] = "neurona-checkpoint";
  root["version"] = checkpoint_version;
  root["model"] = json::parse(model_to_json(checkpoint.network, checkpoint.info));
  const TrainerState<T>& trainer = checkpoint.trainer;
  root["trainer"] = {{"epochs_done", trainer.epochs_done},
                     {"best_validation_loss", number(trainer.best_validation_loss)},
                     {"best_epoch", trainer.best_epoch}};
  root["best_model"] =
      trainer.best_network ? json::parse(model_to_json(*trainer.best_network)) : json(nullptr);
  json buffers = json::object();
  for (const auto& [name, values] : checkpoint.optimizer.buffers)
    buffers[name] = values;
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
  write_file_atomically(path, root.dump(1) + "\n");
}

template <class T>
Checkpoint<T> read_checkpoint(const fs::path& path) {
  std::error_code error;
  if (!fs::is_regular_file(path, error))
    throw InputError(path.string() + ": no such checkpoint file");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  json root;
  try {
    root = json::parse(text.str());
  } catch (const json::parse_error& e) {
    // Where, as model files say it: line and column of the byte the parser stopped at.
    const std::string contents = text.str();
    const std::size_t end = std::min<std::size_t>(e.byte > 0 ? e.byte - 1 : 0, contents.size());
    const auto line = std::count(contents.begin(), contents.begin() + long(end), '\n') + 1;
    const std::size_t line_start = contents.rfind('\n', end == 0 ? 0 : end - 1);
    const std::size_t column =
        line_start == std::string::npos || end == 0 ? end + 1 : end - line_start;
    throw InputError(
        fmt::format("{}:{}:{}: malformed JSON, not a checkpoint", path.string(), line, column));
  }
  try {
    if (!root.is_object() || root.value("format", "") != "neurona-checkpoint")
      fail(path, "format", "expected \"neurona-checkpoint\"");
    if (root.value("version", 0) != checkpoint_version)
      fail(path, "version", fmt::format("this neurona reads version {}", checkpoint_version));

    const ModelFile model =
        parse_model(member(root, "model", path).dump(), path.string() + ": model");
    if (model.precision != precision_of<T>())
      fail(path, "model.precision", fmt::format("expected {}", to_string(precision_of<T>())));
    Checkpoint<T> checkpoint{model.network.template cast<T>(), model.info, {}, {}, {}, {}};

    const json& trainer = member(root, "trainer", path);
    checkpoint.trainer.epochs_done = trainer.at("epochs_done").get<Index>();
    checkpoint.trainer.best_validation_loss = number_or_nan(trainer.at("best_validation_loss"));
    if (std::isnan(checkpoint.trainer.best_validation_loss))
      checkpoint.trainer.best_validation_loss = HUGE_VAL;
    checkpoint.trainer.best_epoch = trainer.at("best_epoch").get<Index>();
    if (const json& best = member(root, "best_model", path); !best.is_null())
      checkpoint.trainer.best_network =
          parse_model(best.dump(), path.string() + ": best_model").network.template cast<T>();

    const json& optimizer = member(root, "optimizer", path);
    checkpoint.optimizer.name = optimizer.at("name").get<std::string>();
    checkpoint.optimizer.steps = optimizer.at("steps").get<long long>();
    for (const auto& [name, values] : optimizer.at("buffers").items())
      checkpoint.optimizer.buffers[name] = values.template get<std::vector<double>>();

    if (const auto it = root.find("schedule"); it != root.end() && !it->is_null()) {
      ScheduleState s;
      s.kind = it->at("kind").get<std::string>();
      s.rate = it->at("rate").get<double>();
      if (!it->at("best").is_null()) s.best = it->at("best").get<double>();
      s.bad_epochs = it->at("bad_epochs").get<long long>();
      checkpoint.schedule = s;
    }
    for (const json& r : member(root, "history", path))
      checkpoint.history.push_back({r.at(0).get<Index>(), number_or_nan(r.at(1)),
                                    number_or_nan(r.at(2)), r.at(3).get<double>(),
                                    r.at(4).get<double>()});
    return checkpoint;
  } catch (const json::exception& e) {
    throw InputError(fmt::format("{}: not a usable checkpoint: {}", path.string(), e.what()));
  }
}

template void write_checkpoint<float>(const Checkpoint<float>&, const fs::path&);
template void write_checkpoint<double>(const Checkpoint<double>&, const fs::path&);
template Checkpoint<float> read_checkpoint<float>(const fs::path&);
template Checkpoint<double> read_checkpoint<double>(const fs::path&);

}  // namespace neurona
