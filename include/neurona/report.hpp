// A model's report as one self-contained HTML page: the network drawn with its weights and biases,
// the loss curves, the decision surface and each hidden neuron's map for two inputs, the truth
// table for boolean inputs, the metrics, and where the model came from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "neurona/dataset.hpp"
#include "neurona/history.hpp"
#include "neurona/model_io.hpp"
#include "neurona/network.hpp"

namespace neurona {

// What a report shows; everything but the network and its info is optional.
struct ReportInput {
  Network<double> network;
  ModelInfo info;                            // classes, the scaler and the provenance
  Precision precision = Precision::double_;  // predictions are computed in this precision
  std::optional<History> history;            // the loss curves, when given
  // Raw data, as read from the file (not scaled: info.scaler is applied here, as predict does).
  // X is m x n_in; Y is m x n_out (one-hot for classes) or empty when there are no targets.
  std::optional<Dataset<double>> data;
  std::vector<std::string> input_names;  // n_in names; empty: the header's in info.columns, or
                                         // "x1" .. "xn"
  std::string title;                     // empty: "neurona: <topology>"
};

// The report as one HTML5 document that opens from disk and makes no request: styles, pictures
// (inline SVG, and canvases filled by a short inline script from base64 pixels) and text all in
// the page, guarded by a Content-Security-Policy that forbids loading anything.
//
// - The diagram: one <g class="node"> per neuron and one <line class="edge"> per weight (layers of
//   more than 48 neurons show their first 48; more than 2000 weights, the 2000 largest |w|), an
//   edge's width and colour from its weight (warm positive, cool negative), a node's fill from its
//   bias. Each carries data-value (the exact number; inputs, class "node input", have none) and
//   data-tip (its text, e.g. "w x1 -> h1.2 = 0.5"), which hovering shows in the #tooltip element.
// - The training and validation loss, from loss_plot_svg, when the history is given.
// - For two inputs: the network's output over the input plane, in raw input units (the range of
//   the data, padded by 10%, or else what the scaler implies, or else 0 .. 1 padded), with the
//   data points on it (at most 2000, evenly sampled; misclassified ones ringed), and one
//   small map per hidden neuron (the first 64) of its activation.
// - When every input value of the data is 0 or 1 (and n_in <= 10): all 2^n_in rows, each with its
//   target when the data has that row, the prediction and the margin: for classes, the target
//   class's score minus the best other one (for one output, yhat - 0.5 signed toward the target),
//   negative when wrong; wrong rows have class "wrong".
// - With targets: evaluate's metrics text, and the confusion matrix as a table for classes (also
//   for one output of targets all 0 or 1, thresholded at 0.5, as the tutorial's network).
// - The provenance: version, command line, seed, data file and its CRC-32.
// Throws ShapeError when data or input_names do not fit the network.
std::string report_html(const ReportInput& input);

// Writes report_html(input) to `path` atomically. Throws as report_html, and InputError when the
// file cannot be written.
void write_report(const std::filesystem::path& path, const ReportInput& input);

}  // namespace neurona
