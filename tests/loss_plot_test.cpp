// Loss plots: well-formed standalone SVG, both curves, the switch to a log axis, nice ticks,
// decimation of long runs, and the awkward values (one epoch, zero on a log axis, NaN, a title
// with markup in it).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>

#include "neurona/loss_plot.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

struct Element {
  std::string name;
  std::map<std::string, std::string> attributes;
  std::string text;  // the character data directly inside it, entities left as written
};

// A small XML well-formedness check, enough for what loss_plot_svg writes: one root element,
// balanced tags, quoted and unique attributes, no bare '<' or '&' in text or values. Returns the
// elements in document order; adds a test failure and returns what it has at the first fault.
std::vector<Element> parse_xml(const std::string& xml) {
  std::vector<Element> elements;
  std::vector<std::size_t> open;  // indices into elements
  std::size_t i = 0, roots = 0;
  auto fail = [&](const std::string& what) {
    ADD_FAILURE() << "not well-formed at byte " << i << ": " << what << " near \""
                  << xml.substr(i > 30 ? i - 30 : 0, 60) << "\"";
  };
  auto name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == ':' ||
           c == '.';
  };
  auto check_entities = [&](const std::string& text) {
    for (std::size_t at = text.find('&'); at != std::string::npos; at = text.find('&', at + 1)) {
      const std::string rest = text.substr(at, 6);
      if (rest.rfind("&amp;", 0) && rest.rfind("&lt;", 0) && rest.rfind("&gt;", 0) &&
          rest.rfind("&quot;", 0) && rest.rfind("&apos;", 0) && rest.rfind("&#", 0))
        return false;
    }
    return true;
  };
  if (xml.rfind("<?xml", 0) == 0) i = xml.find("?>") + 2;
  while (i < xml.size()) {
    const std::size_t lt = xml.find('<', i);
    const std::string text = xml.substr(i, (lt == std::string::npos ? xml.size() : lt) - i);
    if (!check_entities(text)) return fail("bad entity in text"), elements;
    if (open.empty() && text.find_first_not_of(" \n\r\t") != std::string::npos)
      return fail("text outside the root element"), elements;
    if (!open.empty()) elements[open.back()].text += text;
    if (lt == std::string::npos) break;
    i = lt + 1;
    if (i < xml.size() && xml[i] == '/') {  // a closing tag
      const std::size_t gt = xml.find('>', i);
      if (gt == std::string::npos) return fail("unterminated closing tag"), elements;
      const std::string name = xml.substr(i + 1, gt - i - 1);
      if (open.empty() || elements[open.back()].name != name)
        return fail("closing tag " + name + " does not match"), elements;
      open.pop_back();
      i = gt + 1;
      continue;
    }
    Element element;
    while (i < xml.size() && name_char(xml[i]))
      element.name += xml[i++];
    if (element.name.empty()) return fail("a '<' that starts no tag"), elements;
    bool closed = false;
    while (true) {
      while (i < xml.size() && std::isspace(static_cast<unsigned char>(xml[i])))
        ++i;
      if (i >= xml.size()) return fail("unterminated tag"), elements;
      if (xml.compare(i, 2, "/>") == 0) {
        closed = true;
        i += 2;
        break;
      }
      if (xml[i] == '>') {
        ++i;
        break;
      }
      std::string attribute;
      while (i < xml.size() && name_char(xml[i]))
        attribute += xml[i++];
      if (attribute.empty() || xml.compare(i, 2, "=\"") != 0)
        return fail("expected name=\"value\""), elements;
      const std::size_t end = xml.find('"', i + 2);
      if (end == std::string::npos) return fail("unterminated value"), elements;
      const std::string value = xml.substr(i + 2, end - i - 2);
      if (value.find('<') != std::string::npos || !check_entities(value))
        return fail("'<' or a bad entity in a value"), elements;
      if (!element.attributes.emplace(attribute, value).second)
        return fail("attribute " + attribute + " twice"), elements;
      i = end + 1;
    }
    if (open.empty() && ++roots > 1) return fail("a second root element"), elements;
    elements.push_back(element);
    if (!closed) open.push_back(elements.size() - 1);
  }
  if (!open.empty()) fail("unclosed " + elements[open.back()].name);
  if (roots != 1) fail("no root element");
  return elements;
}

std::vector<Element> all(const std::vector<Element>& elements, const std::string& name) {
  std::vector<Element> found;
  std::copy_if(elements.begin(), elements.end(), std::back_inserter(found),
               [&](const Element& e) { return e.name == name; });
  return found;
}

std::vector<std::string> texts(const std::vector<Element>& elements) {
  std::vector<std::string> found;
  for (const Element& e : all(elements, "text"))
    found.push_back(e.text);
  return found;
}

bool has_text(const std::vector<Element>& elements, const std::string& text) {
  const std::vector<std::string> t = texts(elements);
  return std::find(t.begin(), t.end(), text) != t.end();
}

// The (x, y) pairs of a polyline's points attribute.
std::vector<std::pair<double, double>> points_of(const Element& polyline) {
  std::vector<std::pair<double, double>> points;
  std::istringstream in(polyline.attributes.at("points"));
  double x, y;
  char comma;
  while (in >> x >> comma >> y)
    points.emplace_back(x, y);
  return points;
}

// Whether every coordinate of every polyline and circle is a finite number.
bool coordinates_finite(const std::vector<Element>& elements) {
  for (const Element& e : elements) {
    std::string numbers;
    if (e.name == "polyline") numbers = e.attributes.at("points");
    if (e.name == "circle") numbers = e.attributes.at("cx") + " " + e.attributes.at("cy");
    std::replace(numbers.begin(), numbers.end(), ',', ' ');
    std::istringstream in(numbers);
    std::string token;
    while (in >> token)
      if (!std::isfinite(std::stod(token))) return false;
  }
  return true;
}

// The y axis's tick labels: the texts anchored at their end.
std::vector<std::string> y_tick_labels(const std::vector<Element>& elements) {
  std::vector<std::string> labels;
  for (const Element& e : all(elements, "text"))
    if (e.attributes.count("text-anchor") && e.attributes.at("text-anchor") == "end")
      labels.push_back(e.text);
  return labels;
}

History curve(Index epochs, double (*loss)(double), bool validation) {
  History history;
  for (Index e = 1; e <= epochs; ++e)
    history.push_back({e, loss(double(e)), validation ? 1.1 * loss(double(e)) : std::nan(""), 0.1,
                       double(e) * 0.01});
  return history;
}

const double inf = std::numeric_limits<double>::infinity();

TEST(LossPlot, IsAStandaloneSvgDocument) {
  const std::string svg = loss_plot_svg(curve(
                                            50, [](double e) { return 1 / e; }, false),
                                        "run");
  const std::vector<Element> elements = parse_xml(svg);
  ASSERT_FALSE(elements.empty());
  const Element& root = elements.front();
  EXPECT_EQ(root.name, "svg");
  EXPECT_EQ(root.attributes.at("xmlns"), "http://www.w3.org/2000/svg");
  EXPECT_EQ(root.attributes.at("width"), "800");
  EXPECT_EQ(root.attributes.at("height"), "500");
  EXPECT_EQ(root.attributes.at("viewBox"), "0 0 800 500");
  EXPECT_EQ(root.attributes.at("font-family"), "sans-serif");
  for (const Element& e : elements) {
    EXPECT_NE(e.name, "script");
    EXPECT_NE(e.name, "image");
    EXPECT_NE(e.name, "style");
    for (const auto& [name, value] : e.attributes) {
      EXPECT_EQ(name.find("href"), std::string::npos) << e.name;
      EXPECT_EQ(value.find("url("), std::string::npos) << e.name;
      EXPECT_NE(name.rfind("on", 0), 0u) << e.name << " " << name;  // no event handlers
    }
  }
  EXPECT_TRUE(has_text(elements, "epoch"));
  EXPECT_TRUE(has_text(elements, "run"));
  EXPECT_TRUE(has_text(elements, "training"));
  EXPECT_EQ(all(elements, "polyline").size(), 1u);
  EXPECT_FALSE(has_text(elements, "validation"));

  // xmllint, where it is installed, agrees that it is well-formed.
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    const fs::path file = fs::temp_directory_path() / "neurona-loss-plot-test.svg";
    std::ofstream(file, std::ios::binary) << svg;
    EXPECT_EQ(std::system(("xmllint --noout " + file.string()).c_str()), 0);
    fs::remove(file);
  }
}

TEST(LossPlot, DrawsBothCurvesWhenThereIsAValidationLoss) {
  const std::vector<Element> elements =
      parse_xml(loss_plot_svg(curve(
                                  50, [](double e) { return 1 / e; }, true),
                              "run"));
  EXPECT_EQ(all(elements, "polyline").size(), 2u);
  EXPECT_TRUE(has_text(elements, "training"));
  EXPECT_TRUE(has_text(elements, "validation"));
}

TEST(LossPlot, UsesALogAxisForFourDecadesAndNotForOne) {
  // 1 down to 1e-4.
  std::vector<Element> elements = parse_xml(
      loss_plot_svg(curve(
                        100, [](double e) { return std::pow(10.0, -(e - 1) / 99 * 4); }, false),
                    ""));
  EXPECT_TRUE(has_text(elements, "loss (log scale)"));
  EXPECT_EQ(y_tick_labels(elements),
            (std::vector<std::string>{"1e-4", "1e-3", "1e-2", "1e-1", "1e0"}));

  // 1 down to 0.1.
  elements = parse_xml(
      loss_plot_svg(curve(
                        100, [](double e) { return std::pow(10.0, -(e - 1) / 99); }, false),
                    ""));
  EXPECT_TRUE(has_text(elements, "loss"));
  EXPECT_FALSE(has_text(elements, "loss (log scale)"));
}

TEST(LossPlot, TicksAreOneTwoOrFiveTimesAPowerOfTen) {
  for (double high : {0.87, 3.3, 47.0, 0.00071}) {
    History history = {{1, high / 7, std::nan(""), 0.1, 0}, {2, high, std::nan(""), 0.1, 1}};
    const std::vector<std::string> labels = y_tick_labels(parse_xml(loss_plot_svg(history, "")));
    ASSERT_GE(labels.size(), 3u) << high;
    ASSERT_LE(labels.size(), 12u) << high;
    const double step = std::stod(labels[1]) - std::stod(labels[0]);
    const double power = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    const double factor = std::round(step / power);
    EXPECT_TRUE(factor == 1 || factor == 2 || factor == 5) << high << ": step " << step;
    for (std::size_t k = 1; k < labels.size(); ++k)
      EXPECT_NEAR(std::stod(labels[k]) - std::stod(labels[k - 1]), step, step * 1e-6)
          << high << ": " << labels[k];
    EXPECT_LE(std::stod(labels.front()), high / 7);
    EXPECT_GE(std::stod(labels.back()), high);
    for (const std::string& label : labels)
      EXPECT_LE(label.size(), 8u) << label;  // readable, not 0.30000000000000004
  }
}

TEST(LossPlot, ABarelyMovingLossIsLabelledFromItsLowestTick) {
  // 0.41666567 to 0.41666564: labels of the values themselves would be 13 characters wide.
  const double base = 0.4166656815;
  History history;
  for (Index epoch = 1; epoch <= 200; ++epoch)
    history.push_back({epoch, base + 2.6e-10 - 1.15e-12 * double(epoch), std::nan(""), 0.1, 0});
  const std::string svg = loss_plot_svg(history, "");
  const std::vector<std::string> labels = y_tick_labels(parse_xml(svg));
  ASSERT_GE(labels.size(), 3u);
  EXPECT_EQ(labels.front(), "0");
  for (const std::string& label : labels)
    EXPECT_LE(label.size(), 8u) << label;
  // The title gives what the labels are measured from; lowest tick + label = the value.
  const std::size_t minus = svg.find("loss \u2212 ");
  ASSERT_NE(minus, std::string::npos) << svg;
  const double offset = std::stod(svg.substr(minus + std::string("loss \u2212 ").size()));
  EXPECT_LE(offset, history.back().loss);
  EXPECT_GE(offset + std::stod(labels.back()), history.front().loss);
  EXPECT_NEAR(offset, base, 1e-9);
}

TEST(LossPlot, ManyEpochsAreDecimatedAndKeepTheirSpikes) {
  History history = curve(
      100000, [](double e) { return 1 + 1 / e; }, true);
  history[54320].loss = 3;  // one spike in the middle
  const std::string svg = loss_plot_svg(history, "long run");
  EXPECT_LT(svg.size(), 200u * 1024);
  const std::vector<Element> elements = parse_xml(svg);
  const std::vector<Element> lines = all(elements, "polyline");
  ASSERT_EQ(lines.size(), 2u);
  double top = inf;
  for (const Element& line : lines) {
    const auto points = points_of(line);
    EXPECT_GE(points.size(), 500u);
    EXPECT_LE(points.size(), 1002u);
    EXPECT_TRUE(std::is_sorted(points.begin(), points.end(),
                               [](const auto& a, const auto& b) { return a.first < b.first; }));
    for (const auto& p : points)
      top = std::min(top, p.second);
  }
  EXPECT_EQ(top, 50);  // the spike is the highest loss, drawn at the top of the plot area
}

TEST(LossPlot, OneEpochShowsAsADot) {
  const std::vector<Element> elements =
      parse_xml(loss_plot_svg({{1, 0.25, 0.5, 0.1, 0.01}}, "one"));
  EXPECT_EQ(all(elements, "polyline").size(), 2u);
  EXPECT_EQ(all(elements, "circle").size(), 2u);
  EXPECT_TRUE(has_text(elements, "1"));  // the epoch axis has a tick at it
}

TEST(LossPlot, AZeroLossOnALogAxisIsDrawnAtTheSmallestPositiveLoss) {
  const History history = {
      {1, 1, std::nan(""), 0.1, 0}, {2, 1e-3, std::nan(""), 0.1, 0}, {3, 0, std::nan(""), 0.1, 0}};
  const std::string svg = loss_plot_svg(history, "");
  const std::vector<Element> elements = parse_xml(svg);
  EXPECT_TRUE(has_text(elements, "loss (log scale)"));
  EXPECT_TRUE(has_text(elements, "losses of 0 are drawn at the smallest positive loss"));
  const auto points = points_of(all(elements, "polyline").at(0));
  ASSERT_EQ(points.size(), 3u);
  EXPECT_EQ(points[1].second, points[2].second);
  EXPECT_TRUE(coordinates_finite(elements));
}

TEST(LossPlot, NaNAndInfiniteLossesAreLeftOut) {
  History history = curve(
      10, [](double e) { return 1 / e; }, true);
  history[3].loss = std::nan("");
  history[6].loss = inf;
  history[8].validation_loss = -inf;
  const std::string svg = loss_plot_svg(history, "");
  const std::vector<Element> elements = parse_xml(svg);
  const std::vector<Element> lines = all(elements, "polyline");
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(points_of(lines[0]).size(), 8u);
  EXPECT_EQ(points_of(lines[1]).size(), 9u);
  EXPECT_TRUE(coordinates_finite(elements));

  // Nothing finite at all: still a document, with the axes and a note.
  history = {{1, std::nan(""), std::nan(""), 0.1, 0}};
  const std::vector<Element> empty = parse_xml(loss_plot_svg(history, ""));
  EXPECT_TRUE(all(empty, "polyline").empty());
  EXPECT_TRUE(has_text(empty, "no finite loss to plot"));
  EXPECT_FALSE(parse_xml(loss_plot_svg({}, "")).empty());
}

// Whether the text holds a number written from NaN or infinity: "nan" or "inf" not inside a
// word, as "dominant-baseline" and "finite" have them.
bool writes_nan_or_inf(const std::string& text) {
  for (const char* word : {"nan", "inf"})
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
      if (at == 0 || !std::isalpha(static_cast<unsigned char>(text[at - 1]))) return true;
  return false;
}

// The epoch axis's tick labels: the texts just below the plot area.
std::vector<std::string> x_tick_labels(const std::vector<Element>& elements) {
  std::vector<std::string> labels;
  for (const Element& e : all(elements, "text"))
    if (e.attributes.count("y") && e.attributes.at("y") == "458") labels.push_back(e.text);
  return labels;
}

// A plot that can be drawn: well-formed, every number finite, and a few ticks on each axis.
void expect_drawable(const History& history) {
  const std::string svg = loss_plot_svg(history, "");
  EXPECT_FALSE(writes_nan_or_inf(svg)) << svg;
  const std::vector<Element> elements = parse_xml(svg);
  EXPECT_TRUE(coordinates_finite(elements));
  EXPECT_EQ(all(elements, "polyline").size(), 1u);
  const std::vector<std::string> x = x_tick_labels(elements), y = y_tick_labels(elements);
  EXPECT_GE(x.size(), 2u);
  EXPECT_LE(x.size(), 12u);
  EXPECT_GE(y.size(), 2u);
  EXPECT_LE(y.size(), 12u);
  for (const std::vector<std::string>* labels : {&x, &y})
    for (const std::string& label : *labels)
      EXPECT_TRUE(std::isfinite(std::stod(label))) << label;
}

TEST(LossPlot, LossesCloseTogetherPast2To53HaveAFewTicks) {
  // 1e17 and the next double but three: ticks 10 apart would be some 1e16 steps from 0, past
  // where a double counting them one by one stands still.
  expect_drawable(
      {{1, 1e17, std::nan(""), 0.1, 0}, {2, 100000000000000064.0, std::nan(""), 0.1, 0}});
  expect_drawable({{1, 2e17, std::nan(""), 0.1, 0}, {2, 2e17, std::nan(""), 0.1, 0}});
}

TEST(LossPlot, EpochsPast2To53HaveAFewTicks) {
  // 2^62 and the next double but three: ticks 200 apart would be some 2e16 steps from 0.
  const Index epoch = Index(1) << 62;
  expect_drawable({{epoch, 0.5, std::nan(""), 0.1, 0}, {epoch + 1024, 0.25, std::nan(""), 0.1, 0}});
}

TEST(LossPlot, LossesNearTheLargestDoubleAreDrawn) {
  const double most = std::numeric_limits<double>::max();
  expect_drawable({{1, 1.7e308, std::nan(""), 0.1, 0}});
  expect_drawable({{1, most, std::nan(""), 0.1, 0}, {2, most, std::nan(""), 0.1, 0}});
  expect_drawable({{1, -most, std::nan(""), 0.1, 0}});
  // A span from -1.7e308 to 1.7e308 is more than the largest double.
  expect_drawable({{1, -1.7e308, std::nan(""), 0.1, 0}, {2, 1.7e308, std::nan(""), 0.1, 0}});
}

TEST(LossPlot, SubnormalLossesAreDrawn) {
  const double least = std::numeric_limits<double>::denorm_min();
  expect_drawable({{1, least, std::nan(""), 0.1, 0}, {1, least, std::nan(""), 0.1, 0}});
  expect_drawable({{1, least, std::nan(""), 0.1, 0}, {2, 2 * least, std::nan(""), 0.1, 0}});
  expect_drawable({{1, -least, std::nan(""), 0.1, 0}, {2, least, std::nan(""), 0.1, 0}});
}

TEST(LossPlot, TheTitleIsEscaped) {
  const std::string svg = loss_plot_svg(curve(
                                            3, [](double e) { return e; }, false),
                                        "a<b & \"c\"\x01");
  EXPECT_EQ(svg.find("a<b"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b &amp; &quot;c&quot; "), std::string::npos);
  const std::vector<Element> elements = parse_xml(svg);
  EXPECT_EQ(all(elements, "title").at(0).text, "a&lt;b &amp; &quot;c&quot; ");
}

}  // namespace
}  // namespace neurona
