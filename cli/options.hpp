// Parsing and checking of the flags the commands share; each error names its flag.
#pragma once

#include <CLI/CLI.hpp>
#include <map>
#include <string>
#include <vector>

#include "neurona/neurona.hpp"

namespace neurona::cli {

// "3,2,4,1" -> {3, 2, 4, 1}: inputs, then each layer's width. Throws UsageError naming --layers.
std::vector<Index> parse_layers(const std::string& text);

// One activation for every hidden layer ("sigmoid"), or one per hidden layer ("relu,tanh").
std::vector<Activation> parse_hidden_activations(const std::string& text, std::size_t hidden);

// "a,b,3" -> {"a", "b", "3"}; empty text gives an empty list.
std::vector<std::string> split_list(const std::string& text);

// Throws UsageError unless the learning rate is a positive, finite number.
void check_learning_rate(double learning_rate);

// Accepts a whole number from 0 to 2^63-1, in decimal, and passes it on as such (a transform,
// not a check). Counts and seeds take it: the conversion alone would let "-1" wrap around,
// "99999999999999999999" saturate into a run that never ends, and read 0x10 as 16 and 010 as 8.
extern const CLI::Validator whole_number;
// The same, from `smallest` to `largest`: for a flag held in an int, whose conversion alone would
// refuse 2^31 with no word of the range.
CLI::Validator whole_number_in(std::int64_t smallest, std::int64_t largest);

// Accepts a decimal number as std::from_chars reads it (1e-3, .5, inf, nan; also with a leading
// +), refusing words and the hexadecimal (0x10) that CLI11's own conversion takes. Range checks
// are each flag's own. take_decimal_numbers gives it to every floating-point flag of `app` and
// its commands, so that none is missed; call it once all flags are added.
extern const CLI::Validator decimal_number;
void take_decimal_numbers(CLI::App& app);

// The command that trained a model, for its provenance: "neurona" and the arguments, less the flags
// that only say where results go or how progress shows (--save, --quiet, ...), so that the same
// training gives the same file wherever it is saved. Set once by main.
std::string& invocation();
std::string training_command(int argc, char** argv);

// The settings in such a command that decide the trained result, for --resume to compare with
// the run that wrote a checkpoint: each flag with its values, in any order, but --epochs, which a
// resumed run may raise (unless the schedule is cosine, whose rate follows the total), and
// --data, whose file is compared by its CRC-32 rather than its path. Values are compared as
// numbers where they are numbers ("0.10" is "0.1", "1e-3" is "0.001"), and a flag given its
// default (`defaults`: flag -> value) counts as not given.
std::vector<std::string> result_settings(const std::string& command,
                                         const std::map<std::string, std::string>& defaults = {});

// The shortest text that reads back to the same value.
std::string exact(double value);
std::string exact(float value);

}  // namespace neurona::cli
