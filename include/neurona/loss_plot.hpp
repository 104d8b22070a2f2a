// A picture of a training run: its training and validation loss against the epoch, as an SVG
// document that a browser shows without anything else.
#pragma once

#include <string>

#include "neurona/history.hpp"

namespace neurona {

// The loss curves of `history` as a standalone SVG document (800 x 500, no scripts, no external
// references, sans-serif text): the training loss, and the validation loss when some epoch has
// one, as polylines with a legend, the title (escaped for XML) and axes "epoch" and "loss" with
// ticks at 1, 2 or 5 x 10^k. The y axis is logarithmic, with decades labelled "1e-3", when the
// largest loss is at least 100 times the smallest positive one and none is negative; a loss of 0
// cannot be drawn there, so it is drawn at the smallest positive loss and a note below the plot
// says so. NaN and infinite losses are left out. A curve of more than 1000 points is reduced to
// the lowest and highest loss of each of 500 runs of epochs, which keeps spikes and the file
// small. An empty history gives the axes and a note.
std::string loss_plot_svg(const History& history, const std::string& title);

}  // namespace neurona
