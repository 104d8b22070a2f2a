// The HTML report: every picture is inline SVG written here, or a canvas that a few lines of inline
// script fill from base64 pixels computed here; nothing is loaded from anywhere.
#include "neurona/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>

#include "axis.hpp"
#include "markup.hpp"
#include "neurona/atomic_file.hpp"
#include "neurona/error.hpp"
#include "neurona/loss_plot.hpp"
#include "neurona/metrics.hpp"
#include "neurona/version.hpp"

namespace neurona {
namespace {

constexpr Index most_nodes_per_layer = 48;  // shown in the diagram
constexpr std::size_t most_edges = 2000;    // shown in the diagram, the largest |w|
constexpr Index surface_cells = 80;         // the decision surface is 80 x 80 pixels
constexpr Index map_cells = 32;             // each hidden neuron's map, 32 x 32
constexpr Index most_maps = 64;             // hidden neuron maps shown
constexpr Index most_points = 2000;         // data points drawn on the surface
constexpr Index most_truth_inputs = 10;     // a truth table of at most 2^10 rows

// A number for people: 4 significant digits.
std::string show(double x) {
  return fmt::format("{:.4g}", x);
}

struct Rgb {
  double r, g, b;
};

Rgb mix(Rgb a, Rgb b, double t) {
  return {a.r + (b.r - a.r) * t, a.g + (b.g - a.g) * t, a.b + (b.b - a.b) * t};
}

std::string css(Rgb c) {
  return fmt::format("#{:02x}{:02x}{:02x}", int(std::lround(c.r)), int(std::lround(c.g)),
                     int(std::lround(c.b)));
}

// Warm for positive (and class 1), cool for negative (and class 0), throughout the report.
constexpr Rgb cool{33, 102, 172}, warm{178, 24, 43}, paper{247, 247, 247};
constexpr const char* cool_css = "#2166ac";
constexpr const char* warm_css = "#b2182b";

// t in [-1, 1] (clamped; NaN is white): cool .. white .. warm.
Rgb diverging(double t) {
  if (!(t == t)) return paper;
  t = std::clamp(t, -1.0, 1.0);
  return t < 0 ? mix(paper, cool, -t) : mix(paper, warm, t);
}

// Colours of classes when there are more than two.
Rgb class_colour(Index k, Index classes) {
  static constexpr std::array<Rgb, 10> palette{{{31, 119, 180},
                                                {255, 127, 14},
                                                {44, 160, 44},
                                                {214, 39, 40},
                                                {148, 103, 189},
                                                {140, 86, 75},
                                                {227, 119, 194},
                                                {127, 127, 127},
                                                {188, 189, 34},
                                                {23, 190, 207}}};
  if (classes == 2) return k == 0 ? cool : warm;
  return palette[std::size_t(k) % palette.size()];
}

std::string base64(const std::vector<unsigned char>& bytes) {
  static constexpr char digits[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const unsigned n = unsigned(bytes[i]) << 16 |
                       (i + 1 < bytes.size() ? unsigned(bytes[i + 1]) << 8 : 0) |
                       (i + 2 < bytes.size() ? unsigned(bytes[i + 2]) : 0);
    out += digits[n >> 18 & 63];
    out += digits[n >> 12 & 63];
    out += i + 1 < bytes.size() ? digits[n >> 6 & 63] : '=';
    out += i + 2 < bytes.size() ? digits[n & 63] : '=';
  }
  return out;
}

void push(std::vector<unsigned char>& pixels, Rgb c) {
  for (const double v : {c.r, c.g, c.b})
    pixels.push_back(static_cast<unsigned char>(std::clamp(std::lround(v), 0L, 255L)));
}

// A canvas of w x h pixels, drawn by the page's script from RGB bytes, row by row from the top.
std::string canvas(Index w, Index h, const std::vector<unsigned char>& pixels,
                   const std::string& style) {
  return fmt::format(
      "<canvas class=\"raster\" width=\"{}\" height=\"{}\" style=\"{}\" "
      "data-rgb=\"{}\"></canvas>",
      w, h, style, base64(pixels));
}

// Yhat for raw inputs, scaled by the model's scaler and computed in the model's precision, in the
// targets' own units (a model trained on scaled targets has its outputs scaled back), as
// `neurona predict` computes them.
class RawInputPredictor {
 public:
  explicit RawInputPredictor(const ReportInput& input) : input_(input) {
    if (input.precision == Precision::single) single_.emplace(input.network.cast<float>());
  }
  Matrix<double> operator()(const Matrix<double>& X_raw) const {
    const Matrix<double> X = input_.info.scaler.apply(X_raw);
    if (single_)
      return input_.info.target_scaler.invert(single_->predict(X.cast<float>())).cast<double>();
    return input_.info.target_scaler.invert(input_.network.predict(X));
  }

 private:
  const ReportInput& input_;
  std::optional<Network<float>> single_;
};

// What the outputs mean, for colours, the truth table and the metrics.
struct Reading {
  bool classes;         // the outputs name classes: a label per row
  bool binary_targets;  // one output whose targets are all 0 or 1
  Index class_count;    // 2 for one output, n_out for several
};

Reading reading_of(const ReportInput& input) {
  const Network<double>& net = input.network;
  bool binary = false;
  if (input.data && input.data->Y.size() > 0 && net.outputs() == 1)
    binary = (input.data->Y.array() == 0.0 || input.data->Y.array() == 1.0).all();
  const bool classes = net.loss_type() != Loss::half_squared_error || binary;
  return {classes, binary, net.outputs() == 1 ? 2 : net.outputs()};
}

// The class of row i of Y (one output: >= 0.5; several: the argmax, first on a tie).
Index class_of(const Matrix<double>& Y, Index i) {
  if (Y.cols() == 1) return Y(i, 0) >= 0.5 ? 1 : 0;
  Index best = 0;
  for (Index j = 1; j < Y.cols(); ++j)
    if (Y(i, j) > Y(i, best)) best = j;
  return best;
}

std::string class_name(const ReportInput& input, Index k) {
  const auto& labels = input.info.classes;
  if (std::size_t(k) < labels.size() &&
      (Index(labels.size()) == input.network.outputs() || labels.size() == 2))
    return labels[std::size_t(k)];
  return std::to_string(k);
}

// The inputs' names: as given, else from the header of the table the model was trained on (its
// columns but the targets), else x1, x2, ... Made once per section: the diagram names an input
// on each of up to 2000 edges.
std::vector<std::string> input_names_of(const ReportInput& input) {
  if (!input.input_names.empty()) return input.input_names;
  std::vector<std::string> names = input.info.columns.input_names();
  if (Index(names.size()) == input.network.inputs()) return names;
  names.clear();
  for (Index i = 0; i < input.network.inputs(); ++i)
    names.push_back(fmt::format("x{}", i + 1));
  return names;
}

// ---- The diagram ----

std::string diagram(const ReportInput& input) {
  const Network<double>& net = input.network;
  const std::vector<std::string> input_names = input_names_of(input);
  const auto& layers = net.layers();
  const Index columns = Index(layers.size()) + 1;
  std::vector<Index> width{net.inputs()}, shown;
  for (const auto& layer : layers)
    width.push_back(layer.units());
  for (const Index w : width)
    shown.push_back(std::min(w, most_nodes_per_layer));
  const Index tallest = *std::max_element(shown.begin(), shown.end());

  constexpr double gap_x = 170, gap_y = 46, left = 120, top = 50, radius = 16;
  const double svg_width = left + double(columns - 1) * gap_x + 140;
  const double svg_height = top + double(tallest) * gap_y + 40;
  auto x_of = [&](Index c) { return left + double(c) * gap_x; };
  auto y_of = [&](Index c, Index i) {
    return top + (double(tallest) - double(shown[std::size_t(c)])) * gap_y / 2 +
           (double(i) + 0.5) * gap_y;
  };
  auto node_name = [&](Index c, Index i) {
    if (c == 0) return input_names[std::size_t(i)];
    if (c == columns - 1)
      return net.outputs() == 1 ? std::string("output") : "output " + class_name(input, i);
    return fmt::format("h{}.{}", c, i + 1);
  };

  struct Edge {
    Index layer, from, to;
    double w;
  };
  std::vector<Edge> edges;
  double most_w = 0, most_b = 0;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    most_b = std::max(most_b, layers[l].b.cwiseAbs().maxCoeff());
    for (Index i = 0; i < shown[l]; ++i)
      for (Index j = 0; j < shown[l + 1]; ++j) {
        edges.push_back({Index(l), i, j, layers[l].W(i, j)});
        most_w = std::max(most_w, std::abs(layers[l].W(i, j)));
      }
  }
  const std::size_t all_edges = edges.size();
  auto weaker = [](const Edge& a, const Edge& b) { return std::abs(a.w) < std::abs(b.w); };
  if (edges.size() > most_edges) {
    std::nth_element(edges.begin(), edges.begin() + std::ptrdiff_t(edges.size() - most_edges),
                     edges.end(), weaker);
    edges.erase(edges.begin(), edges.begin() + std::ptrdiff_t(edges.size() - most_edges));
  }
  // The strongest on top.
  std::stable_sort(edges.begin(), edges.end(), weaker);

  Index node_count = 0;
  for (const Index s : shown)
    node_count += s;
  std::string svg = fmt::format(
      "<svg class=\"diagram\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\" "
      "data-nodes=\"{2}\" data-edges=\"{3}\" role=\"img\" aria-label=\"the network {4}\">\n",
      svg_width, svg_height, node_count, edges.size(), escape_markup(net.topology()));
  for (Index c = 0; c < columns; ++c) {
    const std::string heading =
        c == 0 ? "inputs"
               : fmt::format("{} {}", c == columns - 1 ? "output" : fmt::format("layer {}", c),
                             to_string(layers[std::size_t(c - 1)].activation));
    svg += fmt::format("<text class=\"heading\" x=\"{}\" y=\"24\">{}</text>\n", x_of(c),
                       escape_markup(heading));
  }
  for (const Edge& e : edges) {
    const double strength = most_w > 0 ? std::abs(e.w) / most_w : 0;
    const std::string tip = fmt::format("w {} \u2192 {} = {}", node_name(e.layer, e.from),
                                        node_name(e.layer + 1, e.to), show(e.w));
    svg += fmt::format(
        "<line class=\"edge\" x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"{}\" stroke-width=\"{:.2f}\" stroke-opacity=\"{:.2f}\" data-value=\"{}\" "
        "data-tip=\"{}\"/>\n",
        x_of(e.layer) + radius, y_of(e.layer, e.from), x_of(e.layer + 1) - radius,
        y_of(e.layer + 1, e.to), e.w >= 0 ? warm_css : cool_css, 0.6 + 5.4 * strength,
        0.35 + 0.65 * strength, e.w, escape_markup(tip));
  }
  for (Index c = 0; c < columns; ++c) {
    for (Index i = 0; i < shown[std::size_t(c)]; ++i) {
      const double x = x_of(c), y = y_of(c, i);
      if (c == 0) {
        const Scaler& s = input.info.scaler;
        const std::string scaling =
            s.kind == Scaling::none || s.offset.size() <= i
                ? std::string()
                : fmt::format(", scaled as (x - {}) / {}", show(s.offset(i)), show(s.scale(i)));
        svg += fmt::format(
            "<g class=\"node input\" data-tip=\"input {0}{1}\"><circle cx=\"{2:.1f}\" "
            "cy=\"{3:.1f}\" r=\"{4}\" fill=\"#e8e8e8\"/><text class=\"name\" x=\"{5:.1f}\" "
            "y=\"{3:.1f}\" text-anchor=\"end\">{0}</text></g>\n",
            escape_markup(input_names[std::size_t(i)]), escape_markup(scaling), x, y, radius,
            x - radius - 6);
        continue;
      }
      const double b = layers[std::size_t(c - 1)].b(i);
      const double t = most_b > 0 ? b / most_b : 0;
      const std::string name = node_name(c, i);
      svg += fmt::format(
          "<g class=\"node\" data-value=\"{}\" data-tip=\"{} bias b = {}\"><circle cx=\"{:.1f}\" "
          "cy=\"{:.1f}\" r=\"{}\" fill=\"{}\"/><text class=\"bias\" x=\"{:.1f}\" y=\"{:.1f}\" "
          "fill=\"{}\">{}</text>",
          b, escape_markup(name), show(b), x, y, radius, css(diverging(t)), x, y,
          std::abs(t) > 0.6 ? "white" : "black", escape_markup(fmt::format("{:.2g}", b)));
      if (c == columns - 1)
        svg +=
            fmt::format("<text class=\"name\" x=\"{:.1f}\" y=\"{:.1f}\">{}</text>", x + radius + 6,
                        y, escape_markup(net.outputs() == 1 ? "\u0177" : class_name(input, i)));
      svg += "</g>\n";
    }
    if (shown[std::size_t(c)] < width[std::size_t(c)])
      svg += fmt::format("<text class=\"more\" x=\"{}\" y=\"{}\">+{} more</text>\n", x_of(c),
                         svg_height - 12, width[std::size_t(c)] - shown[std::size_t(c)]);
  }
  svg += "</svg>\n";

  std::string note;
  if (edges.size() < all_edges || node_count < net.inputs() + [&] {
        Index n = 0;
        for (const auto& layer : layers)
          n += layer.units();
        return n;
      }())
    note = fmt::format(
        "<p class=\"note\">Shown: {} of the neurons (at most {} a layer) and the {} weights of "
        "largest |w| among them.</p>\n",
        node_count, most_nodes_per_layer, edges.size());
  return svg + note;
}

// ---- Two inputs: the decision surface and the hidden neurons' maps ----

struct Range {
  double low, high;
};

// high - low, halved: a range from -1e308 to 1e308 is wider than the largest double, its half is
// not. Halving is exact but for subnormals, so ratios of halves are those of the wholes.
double half_width(Range r) {
  return r.high / 2 - r.low / 2;
}

// The raw input plane: the data's range padded by 10%, else what the scaler implies. A constant
// input is padded by 1, or a trillionth of its size where 1 would be lost to rounding (1e16 + 1 is
// 1e16); a range narrower than that is widened to it, as its ticks would be so close that doubles
// could not keep them apart, some 2^53 steps from 0. Subnormal ranges widen to 1e-300, whose
// fifths are normal, and the plane ends at the largest double where the padding would pass it.
std::array<Range, 2> plane_of(const ReportInput& input) {
  std::array<Range, 2> r{};
  const Scaler& s = input.info.scaler;
  for (Index i = 0; i < 2; ++i) {
    double low = 0, high = 1;
    if (input.data && input.data->X.rows() > 0) {
      low = input.data->X.col(i).minCoeff();
      high = input.data->X.col(i).maxCoeff();
    } else if (s.kind == Scaling::minmax && s.offset.size() == 2) {
      low = s.offset(i);
      high = s.offset(i) + s.scale(i);
    } else if (s.kind == Scaling::standard && s.offset.size() == 2) {
      low = s.offset(i) - 2 * s.scale(i);
      high = s.offset(i) + 2 * s.scale(i);
    }
    low = std::clamp(low, -largest, largest);  // a scaler's offset + scale can overflow
    high = std::clamp(high, -largest, largest);
    const double size = std::max(std::abs(low), std::abs(high));
    const double pad =
        std::max({high > low ? 0.2 * half_width({low, high}) : 1, size * 0.5e-12, 0.5e-300});
    r[std::size_t(i)] = {std::max(low - pad, -largest), std::min(high + pad, largest)};
  }
  return r;
}

// Ticks at the multiples of 1, 2 or 5 x 10^k inside the range, four to eleven of them. They are
// counted in whole steps from the first, as a double counting on from 2^53 stands still
// (n + 1 == n), and at most a few more than the steps can give, whatever rounding does.
std::vector<double> nice_ticks(Range r) {
  constexpr int most_ticks = 20;
  const double rough = half_width(r) / 2.5;
  const double decade = std::pow(10.0, std::floor(std::log10(rough)));
  const double step = rough / decade < 1.5   ? decade
                      : rough / decade < 3.5 ? 2 * decade
                                             : 5 * decade;
  std::vector<double> ticks;
  const double first = std::ceil(r.low / step);
  for (int k = 0; k < most_ticks && (first + k) * step <= r.high; ++k)
    ticks.push_back(std::abs(first + k) < 0.5 ? 0.0 : (first + k) * step);  // no "-0"
  return ticks;
}

// The point a fraction t of the way from r.low to r.high. Where high - low is past the largest
// double, low < 0 < high, and the sum of their parts cannot overflow.
double along(Range r, double t) {
  const double width = r.high - r.low;
  return std::isfinite(width) ? r.low + t * width : (1 - t) * r.low + t * r.high;
}

// The cell centres of an n x n grid over the plane, row by row from the top (x2 high) down.
Matrix<double> grid_of(const std::array<Range, 2>& plane, Index n) {
  Matrix<double> X(n * n, 2);
  for (Index row = 0; row < n; ++row)
    for (Index col = 0; col < n; ++col) {
      X(row * n + col, 0) = along(plane[0], (double(col) + 0.5) / double(n));
      X(row * n + col, 1) = along({plane[1].high, plane[1].low}, (double(row) + 0.5) / double(n));
    }
  return X;
}

// The colour of an output row: for one output, its value on a scale from `low` (cool) to `high`
// (warm); for several, the class's colour, paler where the network is less sure.
Rgb output_colour(const Matrix<double>& Y_hat, Index i, Range scale, Index classes) {
  if (Y_hat.cols() == 1) {
    const double mid = scale.low / 2 + scale.high / 2, half = half_width(scale);
    return diverging(half > 0 ? (Y_hat(i, 0) - mid) / half : 0);
  }
  const Index k = class_of(Y_hat, i);
  double second = -INFINITY;
  for (Index j = 0; j < Y_hat.cols(); ++j)
    if (j != k) second = std::max(second, Y_hat(i, j));
  const double lead = Y_hat(i, k) - second;  // softmax: 0 .. 1
  return mix(paper, class_colour(k, classes), 0.35 + 0.65 * std::clamp(lead, 0.0, 1.0));
}

std::string surface_section(const ReportInput& input, const RawInputPredictor& predict,
                            const Reading& reading) {
  const Network<double>& net = input.network;
  const auto plane = plane_of(input);

  // The colour scale of one output: 0 .. 1 for classes, else the targets' or the outputs' range.
  const Matrix<double> grid = grid_of(plane, surface_cells);
  const Matrix<double> Y_grid = predict(grid);
  Range scale{0, 1};
  if (!reading.classes && net.outputs() == 1) {
    const Matrix<double>& source = input.data && input.data->Y.size() > 0 ? input.data->Y : Y_grid;
    scale = {source.minCoeff(), source.maxCoeff()};
  }
  std::vector<unsigned char> pixels;
  for (Index i = 0; i < Y_grid.rows(); ++i)
    push(pixels, output_colour(Y_grid, i, scale, reading.class_count));

  constexpr double size = 400, left = 64, top = 12;
  auto px = [&](double x) { return left + place(x, plane[0].low, plane[0].high) * size; };
  auto py = [&](double y) { return top + place(y, plane[1].high, plane[1].low) * size; };

  std::string svg = fmt::format(
      "<svg class=\"overlay\" viewBox=\"0 0 {0} {1}\" width=\"{0}\" height=\"{1}\">\n"
      "<rect x=\"{2}\" y=\"{3}\" width=\"{4}\" height=\"{4}\" fill=\"none\" stroke=\"#444\"/>\n",
      left + size + 16, top + size + 44, left, top, size);
  for (const double fx : nice_ticks(plane[0]))
    svg += fmt::format(
        "<text class=\"tick\" x=\"{:.1f}\" y=\"{}\" text-anchor=\"middle\">{}</text>"
        "<path d=\"M{:.1f} {}v5\" stroke=\"#444\"/>\n",
        px(fx), top + size + 18, show(fx), px(fx), top + size);
  for (const double fy : nice_ticks(plane[1]))
    svg += fmt::format(
        "<text class=\"tick\" x=\"{}\" y=\"{:.1f}\" text-anchor=\"end\" "
        "dominant-baseline=\"middle\">{}</text><path d=\"M{} {:.1f}h-5\" stroke=\"#444\"/>\n",
        left - 8, py(fy), show(fy), left, py(fy));
  const std::vector<std::string> input_names = input_names_of(input);
  svg += fmt::format(
      "<text class=\"axis\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>"
      "<text class=\"axis\" x=\"14\" y=\"{}\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 14 {})\">{}</text>\n",
      left + size / 2, top + size + 36, escape_markup(input_names[0]), top + size / 2,
      top + size / 2, escape_markup(input_names[1]));

  Index points = 0, wrong = 0;
  if (input.data && input.data->X.rows() > 0) {
    const Dataset<double>& d = *input.data;
    const bool targets = d.Y.size() > 0;
    const Matrix<double> Y_hat = predict(d.X);
    const Index m = d.X.rows();
    const Index step = (m + most_points - 1) / most_points;
    for (Index r = 0; r < m; r += step, ++points) {
      std::string fill = "#777", stroke = "white", tip;
      const std::string at = fmt::format("({}, {})", show(d.X(r, 0)), show(d.X(r, 1)));
      if (targets && reading.classes) {
        const Index truth = class_of(d.Y, r), guess = class_of(Y_hat, r);
        fill = css(class_colour(truth, reading.class_count));
        if (truth != guess) {
          stroke = "black";
          ++wrong;
        }
        tip = fmt::format("{}: class {}, predicted {}", at, class_name(input, truth),
                          class_name(input, guess));
      } else if (targets) {
        fill = css(output_colour(d.Y, r, scale, reading.class_count));
        tip = fmt::format("{}: y = {}, \u0177 = {}", at, show(d.Y(r, 0)), show(Y_hat(r, 0)));
      } else {
        tip = fmt::format("{}: \u0177 = {}", at, show(Y_hat(r, 0)));
      }
      svg += fmt::format(
          "<circle class=\"point{}\" cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"3.5\" fill=\"{}\" "
          "stroke=\"{}\" stroke-width=\"{}\" data-tip=\"{}\"/>\n",
          stroke == "black" ? " wrong" : "", px(d.X(r, 0)), py(d.X(r, 1)), fill, stroke,
          stroke == "black" ? 1.8 : 1, escape_markup(tip));
    }
  }
  svg += "</svg>\n";

  std::string legend =
      net.outputs() == 1
          ? fmt::format("cool {} \u2026 warm {}", show(scale.low), show(scale.high))
          : std::string("each class its colour, paler where the network is less sure");
  std::string html = fmt::format(
      "<section id=\"surface\"><h2>Decision surface</h2>\n"
      "<p>The network's output over the input plane, in raw input units ({}). {}</p>\n"
      "<div class=\"row\"><div class=\"plot\" style=\"width:{}px;height:{}px\">",
      escape_markup(legend),
      points
          ? escape_markup(fmt::format(
                "{} data points{}, coloured by their target{}.", points,
                points < input.data->X.rows() ? " (a sample)" : "",
                wrong ? fmt::format("; {} misclassified, ringed in black", wrong) : std::string()))
          : std::string(),
      left + size + 16, top + size + 44);
  html += canvas(surface_cells, surface_cells, pixels,
                 fmt::format("left:{}px;top:{}px;width:{}px;height:{}px", left, top, size, size));
  html += svg + "</div>\n";

  // What each hidden neuron has learnt: its activation over the same plane.
  const auto& layers = net.layers();
  if (layers.size() > 1) {
    html +=
        "<div class=\"neurons\"><h3>Hidden neurons</h3>\n<p>Each hidden neuron's activation over "
        "the same plane "
        "(cool low, warm high; sigmoid 0 .. 1, tanh -1 .. 1, others scaled by their largest "
        "|a| here).</p>\n<div class=\"maps\">\n";
    const Matrix<double> small = grid_of(plane, map_cells);
    Matrix<double> A = input.info.scaler.apply(small), Z, A_next;
    Index maps = 0;
    for (std::size_t l = 0; l + 1 < layers.size() && maps < most_maps; ++l) {
      layers[l].apply(A, Z, A_next);
      A = A_next;
      for (Index j = 0; j < A.cols() && maps < most_maps; ++j, ++maps) {
        const Activation act = layers[l].activation;
        const double most = A.col(j).cwiseAbs().maxCoeff();
        std::vector<unsigned char> map;
        for (Index i = 0; i < A.rows(); ++i) {
          const double a = A(i, j);
          const double t = act == Activation::sigmoid ? 2 * a - 1
                           : act == Activation::tanh  ? a
                           : most > 0                 ? a / most
                                                      : 0;
          push(map, diverging(t));
        }
        const std::string name = fmt::format("h{}.{}", l + 1, j + 1);
        html += fmt::format("<figure class=\"map\" data-tip=\"{} ({}), b = {}\">", name,
                            to_string(act), show(layers[l].b(j)));
        html += canvas(map_cells, map_cells, map, "width:96px;height:96px");
        html += fmt::format("<figcaption>{}</figcaption></figure>\n", name);
      }
    }
    html += "</div></div>\n";
  }
  return html + "</div></section>\n";
}

// ---- Boolean inputs: the truth table ----

std::string truth_table(const ReportInput& input, const RawInputPredictor& predict,
                        const Reading& reading) {
  const Dataset<double>& d = *input.data;
  const Index n = input.network.inputs(), rows = Index(1) << n;
  Matrix<double> X(rows, n);
  for (Index r = 0; r < rows; ++r)
    for (Index i = 0; i < n; ++i)
      X(r, i) = double(r >> (n - 1 - i) & 1);  // x1 is the highest bit: 000, 001, 010, ...
  const Matrix<double> Y_hat = predict(X);
  const bool targets = d.Y.size() > 0;
  std::map<Index, Index> row_of;  // the first data row of each input pattern
  for (Index r = d.X.rows() - 1; r >= 0; --r) {
    Index key = 0;
    for (Index i = 0; i < n; ++i)
      key = key << 1 | Index(d.X(r, i) != 0);
    row_of[key] = r;
  }

  std::string html =
      "<section id=\"truth\"><h2>Truth table</h2>\n<p>Every combination of the boolean inputs. "
      "The margin is the target class's score minus the best other (for one output, \u0177 - 0.5 "
      "toward the target): negative when the row is predicted wrong.</p>\n"
      "<table class=\"truth\"><thead><tr>";
  for (const std::string& name : input_names_of(input))
    html += "<th>" + escape_markup(name) + "</th>";
  html += "<th>target</th><th>prediction</th><th>margin</th><th></th></tr></thead><tbody>\n";
  Index wrong_rows = 0;
  for (Index r = 0; r < rows; ++r) {
    std::string cells;
    for (Index i = 0; i < n; ++i)
      cells += fmt::format("<td>{}</td>", X(r, i));
    const auto found = targets ? row_of.find(r) : row_of.end();
    std::string target = "\u2014", prediction, margin = "\u2014";
    bool wrong = false;
    const Index guess = class_of(Y_hat, r);
    if (reading.classes) {
      prediction =
          Y_hat.cols() == 1
              ? fmt::format("{} ({})", class_name(input, guess), fmt::format("{:.3f}", Y_hat(r, 0)))
              : fmt::format("{} ({:.3f})", class_name(input, guess), Y_hat(r, guess));
    } else {
      for (Index j = 0; j < Y_hat.cols(); ++j)
        prediction += (j ? ", " : "") + show(Y_hat(r, j));
    }
    if (found != row_of.end()) {
      const Index dr = found->second;
      if (reading.classes) {
        const Index truth = class_of(d.Y, dr);
        target = class_name(input, truth);
        double value;
        if (Y_hat.cols() == 1) {
          value = truth == 1 ? Y_hat(r, 0) - 0.5 : 0.5 - Y_hat(r, 0);
        } else {
          double best_other = -INFINITY;
          for (Index j = 0; j < Y_hat.cols(); ++j)
            if (j != truth) best_other = std::max(best_other, Y_hat(r, j));
          value = Y_hat(r, truth) - best_other;
        }
        margin = fmt::format("{:+.3f}", value);
        wrong = truth != guess;
      } else {
        target.clear();
        for (Index j = 0; j < d.Y.cols(); ++j)
          target += (j ? ", " : "") + show(d.Y(dr, j));
      }
    }
    wrong_rows += wrong;
    html += fmt::format("<tr{}>{}<td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
                        wrong ? " class=\"wrong\"" : "", cells, escape_markup(target),
                        escape_markup(prediction), margin, wrong ? "\u2717 wrong" : "");
  }
  html += "</tbody></table>\n";
  if (targets && reading.classes)
    html += wrong_rows ? fmt::format("<p>{} of {} rows predicted wrong.</p>\n", wrong_rows, rows)
                       : "<p>Every row with a target is predicted right.</p>\n";
  return html + "</section>\n";
}

// ---- Metrics ----

std::string confusion_table(const ClassificationMetrics& metrics, const ReportInput& input) {
  const Index k = metrics.confusion.rows();
  std::string html =
      "<table class=\"confusion\"><caption>Confusion matrix: rows the true class, columns the "
      "predicted one</caption><thead><tr><th></th>";
  for (Index c = 0; c < k; ++c)
    html += "<th>" + escape_markup(class_name(input, c)) + "</th>";
  html += "</tr></thead><tbody>\n";
  for (Index r = 0; r < k; ++r) {
    const double total = double(metrics.confusion.row(r).sum());
    html += "<tr><th>" + escape_markup(class_name(input, r)) + "</th>";
    for (Index c = 0; c < k; ++c) {
      const double share = total > 0 ? double(metrics.confusion(r, c)) / total : 0;
      const Rgb colour = mix(paper, r == c ? cool : warm, share);
      html += fmt::format("<td style=\"background:{};color:{}\">{}</td>", css(colour),
                          share > 0.6 ? "white" : "black", metrics.confusion(r, c));
    }
    html += "</tr>\n";
  }
  return html + "</tbody></table>\n";
}

std::string metrics_section(const ReportInput& input, const RawInputPredictor& predict,
                            const Reading& reading) {
  const Dataset<double>& d = *input.data;
  const Matrix<double> Y_hat = predict(d.X);
  const Network<double>& net = input.network;
  std::string text, table;
  if (net.loss_type() == Loss::half_squared_error)
    text = format_regression(regression_metrics(Y_hat, d.Y));
  if (reading.classes && !(net.loss_type() == Loss::binary_cross_entropy && net.outputs() > 1)) {
    const ClassificationMetrics metrics = classification_metrics(Y_hat, d.Y);
    std::vector<std::string> labels;
    for (Index k = 0; k < metrics.confusion.rows(); ++k)
      labels.push_back(class_name(input, k));
    if (!text.empty()) text += "\nread as classes (\u0177 >= 0.5 is class 1):\n";
    text += format_classification(metrics, labels);
    table = confusion_table(metrics, input);
    // The confusion matrix is drawn as that table: its text copy, which evaluate prints, goes.
    if (const std::size_t from = text.find("\nconfusion matrix ("); from != std::string::npos) {
      const std::size_t to = text.find("\n\n", from + 1);
      text.erase(from, to == std::string::npos ? std::string::npos : to + 1 - from);
    }
  }
  // evaluate prints a regression's metrics alone: the reading as classes is the report's own.
  const bool both = net.loss_type() == Loss::half_squared_error && !table.empty();
  return fmt::format(
      "<section id=\"metrics\"><h2>Metrics</h2>\n<p>On the {} row{} of the data: {}.</p>\n"
      "<pre>{}</pre>\n{}</section>\n",
      d.X.rows(), d.X.rows() == 1 ? "" : "s",
      both ? "the metrics <code>neurona evaluate</code> prints, then the outputs read as classes, "
             "which it does not, with their confusion matrix drawn below"
      : table.empty() ? "the metrics as <code>neurona evaluate</code> prints them"
                      : "the metrics as <code>neurona evaluate</code> prints them, but with the "
                        "confusion matrix drawn below",
      escape_markup(text), table);
}

// ---- The model and where it came from ----

std::string model_section(const ReportInput& input) {
  const Network<double>& net = input.network;
  const Provenance& p = input.info.provenance;
  std::string layers;
  for (const auto& spec : net.layer_specs())
    layers +=
        fmt::format("{}{} {}", layers.empty() ? "" : ", ", spec.units, to_string(spec.activation));
  std::string rows;
  auto row = [&](const std::string& name, const std::string& value) {
    rows += "<tr><th>" + escape_markup(name) + "</th><td>" + escape_markup(value) + "</td></tr>\n";
  };
  row("topology", net.topology());
  row("layers", layers);
  row("loss", std::string(to_string(net.loss_type())));
  row("precision", std::string(to_string(input.precision)));
  row("parameters", std::to_string(net.parameter_count()));
  row("input scaling", std::string(to_string(input.info.scaler.kind)));
  if (input.info.target_scaler.kind != Scaling::none)
    row("target scaling", std::string(to_string(input.info.target_scaler.kind)));
  if (!input.info.classes.empty()) {
    std::string classes;
    for (const auto& c : input.info.classes)
      classes += (classes.empty() ? "" : ", ") + c;
    row("classes", classes);
  }
  if (p.neurona_version.empty()) {
    row("trained by", "not recorded in the model file");
  } else {
    row("trained by", "neurona " + p.neurona_version);
    row("command line", p.command_line);
    row("seed", std::to_string(p.seed));
    if (!p.data_file.empty()) row("data file", p.data_file);
    if (!p.data_crc32.empty()) row("data CRC-32", p.data_crc32);  // none for the demo's own table
  }
  row("report written by", std::string("neurona ") + version);
  return "<section id=\"model\"><h2>Model and provenance</h2>\n<table class=\"provenance\">\n" +
         rows + "</table></section>\n";
}

constexpr const char* style = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1240px;padding:0 16px;color:#222}
.row{display:flex;flex-wrap:wrap;gap:0 32px;align-items:flex-start}.row>section{flex:1 1 480px;min-width:0}
.row>.neurons{flex:1 1 300px;min-width:0}.row>.plot{flex:none}
svg.diagram{max-width:100%;height:auto}caption{caption-side:top;text-align:left;white-space:nowrap}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #ddd}
h3{font-size:15px}section{overflow-x:auto}
.diagram text{font-size:11px;dominant-baseline:middle}.diagram .heading{text-anchor:middle;font-weight:600}
.diagram .bias{text-anchor:middle;font-size:9px;pointer-events:none}.diagram .more{text-anchor:middle}
.edge:hover{stroke-opacity:1;stroke:#000}.node:hover circle{stroke:#000;stroke-width:2}
.node circle{stroke:#555;stroke-width:1}
.plot{position:relative}.plot canvas,.plot svg{position:absolute;left:0;top:0}
.plot svg{width:100%;height:100%}.plot text{font-size:11px}
.maps{display:flex;flex-wrap:wrap;gap:8px}.map{margin:0;text-align:center;font-size:11px}
.map canvas{display:block;border:1px solid #999}
canvas.raster{image-rendering:auto}
table{border-collapse:collapse}th,td{padding:2px 8px;border:1px solid #ddd;text-align:right}
.provenance th,.provenance td{text-align:left}.provenance td{font-family:ui-monospace,monospace;word-break:break-all}
tr.wrong td{background:#fde0dc;font-weight:600}
pre{background:#f6f6f6;padding:8px;overflow-x:auto}.note{color:#666}
.loss svg{max-width:100%;height:auto}
#tooltip{position:absolute;pointer-events:none;background:#222;color:#fff;padding:3px 7px;border-radius:3px;font-size:12px;white-space:nowrap}
)";

// Fills the canvases from their base64 RGB bytes and shows data-tip texts on hover.
constexpr const char* script = R"(
for (const c of document.querySelectorAll('canvas[data-rgb]')) {
  const bytes = atob(c.dataset.rgb), ctx = c.getContext('2d');
  const img = ctx.createImageData(c.width, c.height);
  for (let i = 0, j = 0; i + 2 < bytes.length; i += 3, j += 4) {
    img.data[j] = bytes.charCodeAt(i); img.data[j + 1] = bytes.charCodeAt(i + 1);
    img.data[j + 2] = bytes.charCodeAt(i + 2); img.data[j + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
const tip = document.getElementById('tooltip');
document.addEventListener('mouseover', e => {
  const t = e.target.closest('[data-tip]');
  tip.hidden = !t;
  if (t) tip.textContent = t.dataset.tip;
});
document.addEventListener('mousemove', e => {
  tip.style.left = (e.pageX + 14) + 'px'; tip.style.top = (e.pageY + 14) + 'px';
});
)";

void check_input(const ReportInput& input) {
  const Network<double>& net = input.network;
  net.check_shapes();
  if (!input.input_names.empty() && Index(input.input_names.size()) != net.inputs())
    throw ShapeError(fmt::format("report: {} input names for a network of {} inputs",
                                 input.input_names.size(), net.inputs()));
  if (!input.data) return;
  const Dataset<double>& d = *input.data;
  if (d.X.cols() != net.inputs())
    throw ShapeError(fmt::format("report: the data has {} input columns; the network {} takes {}",
                                 d.X.cols(), net.topology(), net.inputs()));
  if (d.Y.size() > 0 && (d.Y.rows() != d.X.rows() || d.Y.cols() != net.outputs()))
    throw ShapeError(fmt::format(
        "report: the targets are {}x{}; expected {}x{} ({} rows, one column per output)",
        d.Y.rows(), d.Y.cols(), d.X.rows(), net.outputs(), d.X.rows()));
}

}  // namespace

std::string report_html(const ReportInput& input) {
  check_input(input);
  const Network<double>& net = input.network;
  const RawInputPredictor predict(input);
  const Reading reading = reading_of(input);
  const bool has_data = input.data && input.data->X.rows() > 0;
  const std::string title =
      input.title.empty() ? fmt::format("neurona: {}", net.topology()) : input.title;

  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>{0}</title>\n<style>{1}</style></head>\n<body>\n<h1>{0}</h1>\n"
      "<p>{2} network, {3} loss. Hover a neuron or a weight to read its value.</p>\n",
      escape_markup(title), style, escape_markup(net.topology()),
      escape_markup(to_string(net.loss_type())));

  html +=
      "<div class=\"row\"><section id=\"network\"><h2>Network</h2>\n<p>Each line is a weight: warm "
      "positive, "
      "cool negative, wider and darker the larger |w|. Each neuron's colour and number is its "
      "bias b.</p>\n";
  html += diagram(input) + "</section>\n";

  if (input.history) {
    std::string svg = loss_plot_svg(*input.history, "loss during training");
    if (svg.rfind("<?xml", 0) == 0) svg.erase(0, svg.find('\n') + 1);
    html += "<section id=\"loss\" class=\"loss\"><h2>Loss</h2>\n" + svg + "</section>\n";
  }
  html += "</div>\n";
  if (net.inputs() == 2) html += surface_section(input, predict, reading);
  if (has_data && net.inputs() <= most_truth_inputs &&
      (input.data->X.array() == 0.0 || input.data->X.array() == 1.0).all())
    html += truth_table(input, predict, reading);
  if (has_data && input.data->Y.size() > 0) html += metrics_section(input, predict, reading);
  html += model_section(input);
  html += "<div id=\"tooltip\" hidden></div>\n<script>" + std::string(script) +
          "</script>\n</body></html>\n";
  return html;
}

void write_report(const std::filesystem::path& path, const ReportInput& input) {
  write_file_atomically(path, report_html(input));
}

}  // namespace neurona
