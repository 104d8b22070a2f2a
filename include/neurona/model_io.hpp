// Model files, version 1: a network's topology, activations, loss, weights and precision as JSON
// (see docs/FORMAT.md). Every number is written so that it reads back to the same bits.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "neurona/network.hpp"
#include "neurona/scaling.hpp"

namespace neurona {

enum class Precision { single, double_ };

// "float" or "double", as in flags and model files.
std::string_view to_string(Precision precision);
// Throws UsageError for anything but "float" or "double".
Precision parse_precision(std::string_view name);

template <class T>
constexpr Precision precision_of() {
  return sizeof(T) == sizeof(float) ? Precision::single : Precision::double_;
}

// Where a model came from, for reports: what trained it, on what, with which seed.
struct Provenance {
  std::string neurona_version;  // empty: unknown (the whole record is then left out of the file)
  std::string command_line;
  std::uint64_t seed = 0;
  std::string data_file;
  std::string data_crc32;  // 8 hex digits of the data file's CRC-32
};

// The columns of the table a model was trained on, so that predict and evaluate take the same
// ones from a file laid out alike, without --targets again.
struct TableLayout {
  std::vector<std::string> names;  // the header, a name per column; empty when it had none
  std::vector<Index> targets;      // the target columns, 0-based; empty: not trained on a table

  // The names of the input columns, in order: the header's but the targets'.
  std::vector<std::string> input_names() const;
};

// What a model file holds beside the network, each part optional.
struct ModelInfo {
  std::vector<std::string>
      classes;    // label of each output (one-hot column), when trained on labels
  Scaler scaler;  // applied to raw inputs before the first layer
  // A regression model's targets as it was trained on them; its outputs are in those units, and
  // target_scaler.invert takes them back to the data's.
  Scaler target_scaler;
  Provenance provenance;
  TableLayout columns;
};

// A model as read from a file. A float model's numbers are exact in double, so one type holds both.
struct ModelFile {
  Precision precision;
  Network<double> network;
  ModelInfo info;
};

// Reads a model file. Throws InputError naming the file and, for malformed JSON, the line and
// column; for a well-formed file with wrong contents, the field ("layers[2].W").
ModelFile read_model(const std::filesystem::path& path);

// Reads a model from its JSON text; `name` stands for the file in messages.
ModelFile parse_model(const std::string& text, const std::string& name);

// The model file's text for a network: what read_model reads back to the same bits. Throws
// InputError "not written: ...", naming the field where there is one, for what read_model would
// refuse: a parameter that
// is NaN or infinite, layers changed in place into a network no constructor makes (a
// cross_entropy loss over a sigmoid output), or info that does not fit the network (a label per
// output, or two for one sigmoid; a scaling of its inputs, each scale above 0; target columns
// that fit its outputs); ShapeError if some W or b does not fit the topology.
template <class T>
std::string model_to_json(const Network<T>& network, const ModelInfo& info = {});

// Writes the network to `path` atomically. Throws InputError, naming the path, for what
// model_to_json refuses with one (nothing is written then) or if the file cannot be written;
// ShapeError as model_to_json does.
template <class T>
void write_model(const Network<T>& network, const std::filesystem::path& path,
                 const ModelInfo& info = {});

}  // namespace neurona
