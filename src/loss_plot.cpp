// The loss plot as SVG text: scales, nice ticks, decimated polylines, legend.
#include "neurona/loss_plot.hpp"
#include "axis.hpp"
#include "markup.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace neurona {
namespace {

// The canvas and the plot area inside it, in SVG user units (pixels).
constexpr double width = 800, height = 500;
constexpr double left = 80, right = width - 30, top = 50, bottom = height - 60;

constexpr std::size_t most_points = 1000;  // per curve, after decimation

constexpr const char* training_colour = "#1f77b4";
constexpr const char* validation_colour = "#d62728";

struct Point {
  double x, y;
};

// Keeps the lowest and the highest point of each of most/2 equal runs, in their order, and the
// first and last points: a spike survives, where taking every n-th point could drop it.
std::vector<Point> decimate(const std::vector<Point>& points, std::size_t most) {
  if (points.size() <= most) return points;
  const std::size_t runs = most / 2 - 1;  // room for the first and last points too
  std::vector<Point> kept{points.front()};
  std::size_t last = 0;  // index of the point kept last
  for (std::size_t r = 0; r < runs; ++r) {
    const std::size_t begin = r * points.size() / runs, end = (r + 1) * points.size() / runs;
    std::size_t low = begin, high = begin;
    for (std::size_t i = begin; i < end; ++i) {
      if (points[i].y < points[low].y) low = i;
      if (points[i].y > points[high].y) high = i;
    }
    for (const std::size_t i : {std::min(low, high), std::max(low, high)})
      if (i > last && i + 1 < points.size()) {
        kept.push_back(points[i]);
        last = i;
      }
  }
  kept.push_back(points.back());
  return kept;
}

// A tick step of 1, 2 or 5 x 10^exponent giving about `count` steps from `low` to `high`.
struct Step {
  double size;
  int exponent;
};

Step nice_step(double low, double high, double count) {
  // A span past the largest double is infinite; the difference of its parts over count is not.
  const double span = high - low;
  const double raw = std::isfinite(span) ? span / count : high / count - low / count;
  int exponent = int(std::floor(std::log10(raw)));
  const double fraction = raw / std::pow(10.0, exponent);
  double factor = fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10;
  if (factor == 10) {
    factor = 1;
    ++exponent;
  }
  return {factor * std::pow(10.0, exponent), exponent};
}

// An axis from `low` to `high` with ticks at every step.
struct Axis {
  double low, high;
  Step step;
  bool log = false;  // then low and high are decades, log10 of the values
  // The ticks of a linear axis: `ticks` + 1 of them, the first `first` steps from 0. They are
  // counted from the first, as a double counting on from 2^53 stands still (n + 1 == n).
  double first = 0;
  int ticks = 0;
};

// A span below a trillionth of its values' size would have ticks some 2^53 steps from 0, too close
// for doubles to tell apart; a span of subnormal numbers has tenths and a logarithm of 0 and -inf.
// Both are widened, the latter to 1e-300, whose fifths are normal numbers still.
constexpr double least_relative_span = 1e-12, least_span = 1e-300;

// More than the 11 that about `count` <= 5 nice steps can give; few enough to draw.
constexpr int most_ticks = 20;

// A linear axis over `low` .. `high` in about `count` steps, widened to whole steps. The ends stay
// finite: an end past the largest double is the largest double, with no tick there.
Axis linear_axis(double low, double high, double count, double smallest_step = 0) {
  if (!(high > low)) {  // one value: give it room around it, not below 0 if it is not
    const double room = std::max(low == 0 ? 1 : std::abs(low) * 0.1, least_span);
    low = low >= 0 ? std::max(0.0, low - room) : std::max(low - room, -largest);
    high = std::min(high + room, largest);
  }
  const double least =
      std::max(std::max(std::abs(low), std::abs(high)) * least_relative_span, least_span);
  if (high - low < least) {  // around the middle, and not below 0 if it is not
    const double middle = low / 2 + high / 2;
    const double new_low = middle - least / 2;
    low = low >= 0 && new_low < 0 ? 0 : std::max(new_low, -largest);
    high = std::min(low + least, largest);
  }
  Step step = nice_step(low, high, count);
  if (step.size < smallest_step) step = {smallest_step, int(std::floor(std::log10(smallest_step)))};
  double first = std::floor(low / step.size), last = std::ceil(high / step.size);
  const double axis_low = std::max(first * step.size, -largest),
               axis_high = std::min(last * step.size, largest);
  if (!std::isfinite(first * step.size)) ++first;  // no tick past the largest double
  if (!std::isfinite(last * step.size)) --last;
  return {axis_low, axis_high, step, false, first, int(std::min(last - first, double(most_ticks)))};
}

// "0.5", "12", "1.5e-05": as many decimals as the step needs, exponent form for tiny or huge.
std::string tick_label(double value, const Step& step) {
  if (value == 0) return "0";
  if (step.exponent >= -4 && std::abs(value) < 1e6)
    return fmt::format("{:.{}f}", value, std::max(0, -step.exponent));
  const int digits = std::max(0, int(std::floor(std::log10(std::abs(value)))) - step.exponent);
  return fmt::format("{:.{}e}", value, digits);
}

std::string points_text(const std::vector<Point>& points) {
  std::string out;
  for (const Point& p : points)
    out += fmt::format("{}{:.1f},{:.1f}", out.empty() ? "" : " ", p.x, p.y);
  return out;
}

}  // namespace

std::string loss_plot_svg(const History& history, const std::string& title) {
  std::vector<Point> training, validation;
  for (const EpochRecord& r : history) {
    if (std::isfinite(r.loss)) training.push_back({double(r.epoch), r.loss});
    if (std::isfinite(r.validation_loss))
      validation.push_back({double(r.epoch), r.validation_loss});
  }

  // The scales, from every loss drawn.
  double x_min = std::numeric_limits<double>::infinity(), x_max = -x_min;
  double y_min = x_min, y_max = -x_min, y_min_positive = x_min;
  for (const auto* curve : {&training, &validation})
    for (const Point& p : *curve) {
      x_min = std::min(x_min, p.x);
      x_max = std::max(x_max, p.x);
      y_min = std::min(y_min, p.y);
      y_max = std::max(y_max, p.y);
      if (p.y > 0) y_min_positive = std::min(y_min_positive, p.y);
    }
  const bool empty = training.empty() && validation.empty();
  if (empty) x_min = x_max = y_min = y_max = 0;
  std::string note = empty ? "no finite loss to plot" : "";

  const Axis x_axis = linear_axis(x_min, x_max, 5, 1);  // epochs are whole numbers
  Axis y_axis;
  const bool log =
      !empty && y_min >= 0 && std::isfinite(y_min_positive) && y_max / y_min_positive >= 100;
  if (log) {
    // Decades from below the smallest to above the largest; the slack absorbs log10's rounding.
    const double low = std::floor(std::log10(y_min_positive) + 1e-9);
    const double high = std::ceil(std::log10(y_max) - 1e-9);
    y_axis = {low, high, {1, 0}, true};
    if (y_min <= 0) {
      note = "losses of 0 are drawn at the smallest positive loss";
      for (auto* curve : {&training, &validation})
        for (Point& p : *curve)
          p.y = std::max(p.y, y_min_positive);
    }
  } else {
    y_axis = linear_axis(y_min, y_max, 5);
  }

  auto px = [&](double x) { return left + place(x, x_axis.low, x_axis.high) * (right - left); };
  auto py = [&](double y) {
    const double t = y_axis.log ? (std::log10(y) - y_axis.low) / (y_axis.high - y_axis.low)
                                : place(y, y_axis.low, y_axis.high);
    return bottom - t * (bottom - top);
  };

  std::string svg = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" height=\"{1}\" "
      "viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" font-size=\"12\">\n"
      "<title>{2}</title>\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n",
      width, height, escape_markup(title.empty() ? "loss" : title));

  // Grid, ticks and tick labels; ticks point out of the plot area.
  std::string grid, ticks, labels;
  std::string y_offset;  // subtracted from the loss in the tick labels, when they would not fit
  for (int k = 0; k <= x_axis.ticks; ++k) {
    const double value = (x_axis.first + k) * x_axis.step.size, x = px(value);
    grid += fmt::format("M{:.1f} {}V{}", x, top, bottom);
    ticks += fmt::format("M{:.1f} {}v5", x, bottom);
    labels += fmt::format("<text x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n", x,
                          bottom + 18, tick_label(value, x_axis.step));
  }
  std::string minor;
  if (y_axis.log) {
    // A label every decade, or every few when there are many; minor ticks at 2..9 x 10^k.
    const int decades = int(y_axis.high - y_axis.low);
    const int every = std::max(1, (decades + 9) / 10);
    for (int k = int(y_axis.low); k <= int(y_axis.high); ++k) {
      const double y = bottom - (k - y_axis.low) / decades * (bottom - top);
      if ((k - int(y_axis.low)) % every == 0) {
        grid += fmt::format("M{} {:.1f}H{}", left, y, right);
        ticks += fmt::format("M{} {:.1f}h-5", left, y);
        labels += fmt::format(
            "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" dominant-baseline=\"middle\">1e{}"
            "</text>\n",
            left - 8, y, k);
      }
      if (decades <= 6 && k < int(y_axis.high))
        for (int d = 2; d <= 9; ++d)
          minor += fmt::format("M{} {:.1f}h-3", left, y - std::log10(d) / decades * (bottom - top));
    }
  } else {
    const double first = y_axis.first, step = y_axis.step.size;
    // A loss that barely moves needs labels like 4.1666567e-01, wider than the margin: then the
    // ticks are labelled by their distance from the lowest, which the axis title gives. Not when
    // that distance is past the largest double, from -1e308 to 1e308: the values say enough there.
    for (int k = 0; k <= y_axis.ticks; ++k)
      if (tick_label((first + k) * step, y_axis.step).size() > 8 &&
          std::isfinite(y_axis.ticks * step))
        y_offset = tick_label(first * step, y_axis.step);
    for (int k = 0; k <= y_axis.ticks; ++k) {
      const double y = py((first + k) * step);
      grid += fmt::format("M{} {:.1f}H{}", left, y, right);
      ticks += fmt::format("M{} {:.1f}h-5", left, y);
      const double value = y_offset.empty() ? (first + k) * step : k * step;
      labels += fmt::format(
          "<text x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" "
          "dominant-baseline=\"middle\">{}</text>\n",
          left - 8, y, tick_label(value, y_axis.step));
    }
  }
  svg += fmt::format("<path d=\"{}\" stroke=\"#e5e5e5\" fill=\"none\"/>\n", grid);
  svg += fmt::format("<path d=\"{}{}\" stroke=\"#333\" fill=\"none\"/>\n", ticks, minor);
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" stroke=\"#333\" "
      "fill=\"none\"/>\n",
      left, top, right - left, bottom - top);
  svg += labels;

  // Axis labels and title.
  svg +=
      fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"14\">epoch</text>\n",
                  (left + right) / 2, bottom + 42);
  svg += fmt::format(
      "<text transform=\"translate({} {}) rotate(-90)\" text-anchor=\"middle\" "
      "font-size=\"14\">{}</text>\n",
      y_offset.empty() ? 22 : 16, (top + bottom) / 2,
      y_axis.log         ? "loss (log scale)"
      : y_offset.empty() ? "loss"
                         : "loss \u2212 " + y_offset);
  if (!title.empty())
    svg += fmt::format(
        "<text x=\"{}\" y=\"30\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\">{}"
        "</text>\n",
        width / 2, escape_markup(title));

  // The curves: a dashed validation line stays apart from the training line without colour too.
  // Few points get a dot each, so that a single epoch still shows.
  auto curve = [&](const std::vector<Point>& points, const char* colour, const char* dash) {
    std::vector<Point> drawn;
    for (const Point& p : decimate(points, most_points))
      drawn.push_back({px(p.x), py(p.y)});
    svg += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"1.5\" "
        "stroke-linejoin=\"round\"{}/>\n",
        points_text(drawn), colour, dash);
    if (drawn.size() <= 30)
      for (const Point& p : drawn)
        svg += fmt::format("<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>\n", p.x,
                           p.y, colour);
  };
  const char* validation_dash = " stroke-dasharray=\"6 3\"";
  if (!training.empty()) curve(training, training_colour, "");
  if (!validation.empty()) curve(validation, validation_colour, validation_dash);

  // The legend, in the top right corner of the plot area.
  const bool both = !validation.empty();
  const double legend_x = right - 120, legend_y = top + 10;
  svg += fmt::format(
      "<rect x=\"{}\" y=\"{}\" width=\"110\" height=\"{}\" fill=\"white\" fill-opacity=\"0.85\" "
      "stroke=\"#999\"/>\n",
      legend_x, legend_y, both ? 44 : 24);
  auto entry = [&](double y, const char* name, const char* colour, const char* dash) {
    svg += fmt::format(
        "<path d=\"M{} {}h24\" stroke=\"{}\" stroke-width=\"1.5\"{}/>\n"
        "<text x=\"{}\" y=\"{}\" dominant-baseline=\"middle\">{}</text>\n",
        legend_x + 8, y, colour, dash, legend_x + 38, y, name);
  };
  entry(legend_y + 12, "training", training_colour, "");
  if (both) entry(legend_y + 32, "validation", validation_colour, validation_dash);

  if (!note.empty())
    svg += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#666\">{}</text>\n", left,
                       height - 8, note);
  svg += "</svg>\n";
  return svg;
}

}  // namespace neurona
