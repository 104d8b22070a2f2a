// FANN's training-data text format, so that files made for FANN train here as they are: a line
// "pairs inputs outputs", then for each pair a line of its inputs and a line of its outputs.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "neurona/dataset.hpp"

namespace neurona {

// Reads a FANN .data (.train, .test) file into X (pairs x inputs) and Y (pairs x outputs).
// Numbers are separated by spaces or tabs; blank lines are skipped. Throws InputError naming the
// file, line and column for a bad header, a line with too few or too many numbers, a field that
// is not a finite number, fewer pairs than the header declares, and lines after the last pair.
Dataset<double> read_fann_data(const std::filesystem::path& path);

// The same, from text already read (standard input, say); `name` stands for the file in messages.
Dataset<double> parse_fann_data(std::string_view text, const std::string& name);

}  // namespace neurona
