// Model files, version 1: a network's topology, activations, loss, weights and precision as JSON
// (see docs/FORMAT.md). Every number is written so that it reads back to the same bits.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "neurona/network.hpp"

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

// A model as read from a file. A float model's numbers are exact in double, so one type holds both.
struct ModelFile {
  Precision precision;
  Network<double> network;
};

// Reads a model file. Throws InputError naming the file and, for malformed JSON, the line and
// column; for a well-formed file with wrong contents, the field ("layers[2].W").
ModelFile read_model(const std::filesystem::path& path);

// The model file's text for a network.
template <class T>
std::string model_to_json(const Network<T>& network);

// Writes the network to `path` atomically. Throws InputError if a parameter is NaN or infinite
// (nothing is written then) or the file cannot be written.
template <class T>
void write_model(const Network<T>& network, const std::filesystem::path& path);

}  // namespace neurona
