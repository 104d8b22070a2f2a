// HTML reports: the diagram's nodes and edges, nothing fetched from anywhere, the truth table with
// its wrong rows, the decision surface only for two inputs, the size, and escaped text.
#include <gtest/gtest.h>

#include <cctype>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "neurona/error.hpp"
#include "neurona/initialization.hpp"
#include "neurona/report.hpp"
#include "neurona/tutorial.hpp"

namespace neurona {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

// The shortest text that reads back to the same double, as data-value holds it.
std::string exact(double value) {
  char text[64];
  return std::string(text, std::to_chars(text, text + sizeof text, value).ptr);
}

// The text between the first `from` and the next `to` after it; empty when `from` is absent.
std::string between(const std::string& text, const std::string& from, const std::string& to) {
  const std::size_t start = text.find(from);
  if (start == std::string::npos) return {};
  return text.substr(start, text.find(to, start) - start);
}

Network<double> network_3241() {
  Network<double> net(3,
                      {{2, Activation::sigmoid}, {4, Activation::sigmoid}, {1, Activation::linear}},
                      Loss::half_squared_error);
  initialize(net, 7);
  return net;
}

History history_of(Index epochs, bool validation) {
  History history;
  for (Index e = 1; e <= epochs; ++e)
    history.push_back({e, 1.0 / double(e), validation ? 1.5 / double(e) : NAN, 0.5, 0.001 * e});
  return history;
}

// The majority table with a one-layer 3-1 network, yhat = 0.6 x1 + 0.3 x2 + 0.3 x3: right on
// every row but 100 (yhat 0.6, target 0).
ReportInput one_wrong_row() {
  Network<double> net(3, {{1, Activation::linear}}, Loss::half_squared_error);
  net.layers()[0].W << 0.6, 0.3, 0.3;
  net.layers()[0].b << 0.0;
  return {net, {}, Precision::double_, {}, tutorial::majority_table<double>(), {}, {}};
}

ReportInput two_inputs(Index hidden) {
  Network<double> net(2, {{hidden, Activation::tanh}, {1, Activation::sigmoid}},
                      Loss::binary_cross_entropy);
  initialize(net, 3);
  Dataset<double> data;
  data.X.resize(4, 2);
  data.X << -1, -1, -1, 1, 1, -1, 1, 1;
  data.Y.resize(4, 1);
  data.Y << 0, 1, 1, 0;
  return {net, {}, Precision::double_, history_of(50, true), data, {}, {}};
}

TEST(Report, DrawsOneNodePerNeuronAndOneEdgePerWeight) {
  const std::string html = report_html({network_3241(), {}, Precision::double_, {}, {}, {}, {}});
  EXPECT_EQ(count(html, "class=\"node"), 3u + 2 + 4 + 1);
  EXPECT_EQ(count(html, "class=\"node input\""), 3u);
  EXPECT_EQ(count(html, "class=\"edge\""), 3u * 2 + 2 * 4 + 4 * 1);
  EXPECT_NE(html.find("data-nodes=\"10\" data-edges=\"18\""), std::string::npos);
  // Each edge carries its weight exactly.
  const Network<double> net = network_3241();
  EXPECT_NE(html.find("data-value=\"" + exact(net.layers()[1].W(1, 3)) + "\""), std::string::npos);
}

TEST(Report, EdgeAndNodeCarryTheirValues) {
  Network<double> net(2, {{1, Activation::linear}}, Loss::half_squared_error);
  net.layers()[0].W << 0.25, -1.5;
  net.layers()[0].b << 0.125;
  const std::string html = report_html({net, {}, Precision::double_, {}, {}, {}, {}});
  EXPECT_NE(html.find("data-value=\"0.25\" data-tip=\"w x1 \u2192 output = 0.25\""),
            std::string::npos);
  EXPECT_NE(html.find("data-value=\"-1.5\" data-tip=\"w x2 \u2192 output = -1.5\""),
            std::string::npos);
  EXPECT_NE(html.find("data-value=\"0.125\" data-tip=\"output bias b = 0.125\""),
            std::string::npos);
}

TEST(Report, RequestsNothingFromAnywhere) {
  ReportInput input = two_inputs(3);
  input.info.provenance = {"0.1.0", "neurona train --data xor.csv", 3, "xor.csv", "0123abcd"};
  for (const ReportInput& in : {input, one_wrong_row()}) {
    std::string html = report_html(in);
    // The SVG namespace of the embedded loss plot is a name, not a request.
    for (const char* name : {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xhtml"})
      for (std::size_t at; (at = html.find(name)) != std::string::npos;)
        html.erase(at, std::strlen(name));
    for (const char* banned : {"http://", "https://", "<script src", "<link", "@import", "url(",
                               "src=", "href=", "<iframe", "<img", "<object", "<embed"})
      EXPECT_EQ(html.find(banned), std::string::npos) << banned;
    EXPECT_NE(html.find("Content-Security-Policy\" content=\"default-src 'none'"),
              std::string::npos);
  }
}

TEST(Report, TruthTableMarksTheOneWrongRow) {
  const std::string html = report_html(one_wrong_row());
  const std::string table = between(html, "<table class=\"truth\"", "</table>");
  ASSERT_FALSE(table.empty());
  EXPECT_EQ(count(table, "<tr"), 1u + 8);  // the heading and 2^3 rows
  EXPECT_EQ(count(table, "<tr class=\"wrong\">"), 1u);
  const std::string wrong = between(table, "<tr class=\"wrong\">", "</tr>");
  EXPECT_NE(wrong.find("<td>1</td><td>0</td><td>0</td><td>0</td><td>1 (0.600)</td><td>-0.100</td>"),
            std::string::npos)
      << wrong;
  // A right row: 011, yhat 0.6 for target 1, margin +0.1.
  EXPECT_NE(table.find("<tr><td>0</td><td>1</td><td>1</td><td>1</td><td>1 (0.600)</td>"
                       "<td>+0.100</td>"),
            std::string::npos);
  EXPECT_NE(html.find("1 of 8 rows predicted wrong"), std::string::npos);
  // The metrics read the 0/1 targets as classes too: 7 of 8 right; evaluate prints no such part.
  EXPECT_NE(html.find("accuracy: 0.8750"), std::string::npos);
  EXPECT_NE(html.find("On the 8 rows of the data: the metrics <code>neurona evaluate</code> "
                      "prints, then the outputs read as classes, which it does not, with their "
                      "confusion matrix drawn below."),
            std::string::npos);
  EXPECT_NE(html.find("<table class=\"confusion\""), std::string::npos);
  // Drawn once: not also as evaluate's text.
  EXPECT_EQ(html.find("confusion matrix (rows"), std::string::npos);
}

TEST(Report, TruthTableListsRowsMissingFromTheData) {
  ReportInput input = one_wrong_row();
  Dataset<double>& d = *input.data;
  d.X.conservativeResize(4, 3);
  d.Y.conservativeResize(4, 1);
  const std::string table = between(report_html(input), "<table class=\"truth\"", "</table>");
  EXPECT_EQ(count(table, "<tr"), 1u + 8);
  EXPECT_EQ(count(table, "<td>\u2014</td>"), 2u * 4);  // no target and no margin for 4 rows
}

TEST(Report, NoTruthTableForRealInputs) {
  ReportInput input = one_wrong_row();
  input.data->X(2, 1) = 0.5;
  EXPECT_EQ(report_html(input).find("class=\"truth\""), std::string::npos);
}

TEST(Report, DecisionSurfaceOnlyForTwoInputs) {
  const std::string two = report_html(two_inputs(3));
  EXPECT_NE(two.find("id=\"surface\""), std::string::npos);
  EXPECT_EQ(count(two, "<canvas class=\"raster\""), 1u + 3);  // the surface, one map per neuron
  EXPECT_EQ(count(two, "<circle class=\"point"), 4u);
  EXPECT_EQ(count(two, "width=\"80\" height=\"80\""), 1u);
  // The surface's 80 x 80 RGB pixels, in base64. (Found by hand: std::regex recurses once per
  // character and overflows the stack on 25,600 of them under AddressSanitizer.)
  const std::string attribute = "data-rgb=\"";
  const std::size_t start = two.find(attribute);
  ASSERT_NE(start, std::string::npos);
  const std::size_t begin = start + attribute.size();
  const std::size_t end = two.find('"', begin);
  ASSERT_NE(end, std::string::npos);
  const std::string pixels = two.substr(begin, end - begin);
  EXPECT_EQ(pixels.size(), std::size_t(80 * 80 * 3 / 3 * 4));
  EXPECT_EQ(
      pixels.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="),
      std::string::npos);

  const std::string three = report_html(one_wrong_row());
  EXPECT_EQ(three.find("id=\"surface\""), std::string::npos);
  EXPECT_EQ(three.find("<canvas"), std::string::npos);

  // Without data, the plane is still drawn, with no points.
  ReportInput bare = two_inputs(2);
  bare.data.reset();
  const std::string no_data = report_html(bare);
  EXPECT_NE(no_data.find("id=\"surface\""), std::string::npos);
  EXPECT_EQ(no_data.find("<circle class=\"point"), std::string::npos);
}

// Whether the text holds a number written from NaN or infinity: "nan" or "inf" not inside a
// word, as "dominant-baseline" and "finite" have them.
bool writes_nan_or_inf(const std::string& text) {
  for (const char* word : {"nan", "inf"})
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1))
      if (at == 0 || !std::isalpha(static_cast<unsigned char>(text[at - 1]))) return true;
  return false;
}

// That the decision surface's overlay can be drawn: every number in it finite, four to eleven
// ticks on each axis, and `points` data points.
void expect_drawable_surface(const ReportInput& input, std::size_t points) {
  const std::string svg = between(report_html(input), "<svg class=\"overlay\"", "</svg>");
  ASSERT_FALSE(svg.empty());
  EXPECT_FALSE(writes_nan_or_inf(svg)) << svg;
  EXPECT_EQ(count(svg, "<circle class=\"point"), points);
  const std::size_t x_ticks = count(svg, "text-anchor=\"middle\">") - 1;  // less the axis name
  const std::size_t y_ticks = count(svg, "dominant-baseline=\"middle\">");
  for (const std::size_t ticks : {x_ticks, y_ticks}) {
    EXPECT_GE(ticks, 4u) << svg;
    EXPECT_LE(ticks, 11u) << svg;
  }
}

// Two data points, (a, c) and (b, d).
void expect_drawable_surface(double a, double b, double c, double d) {
  ReportInput input = two_inputs(2);
  input.data->X.resize(2, 2);
  input.data->X << a, c, b, d;
  input.data->Y.resize(2, 1);
  input.data->Y << 0, 1;
  expect_drawable_surface(input, 2);
}

TEST(Report, SurfaceOfInputsCloseTogetherPast2To53HasAFewTicks) {
  // 1e17 and the next double but one: ticks 0.5 apart would be some 1e17 steps from 0, past where
  // a double counting them one by one stands still.
  expect_drawable_surface(0, 1, 1e17, 100000000000000032.0);
}

TEST(Report, SurfaceOfAConstantInputOf1e16IsNotFlat) {
  // 1e16 + 1 is 1e16: padding by 1 gave a plane no wide, and points at -nan.
  expect_drawable_surface(0, 1, 1e16, 1e16);
  expect_drawable_surface(-3e300, -3e300, 1, 2);
}

TEST(Report, SurfaceNearTheLargestDoubleIsDrawn) {
  const double most = std::numeric_limits<double>::max();
  expect_drawable_surface(-1.7e308, 1.7e308, 0, 1);  // a plane wider than the largest double
  expect_drawable_surface(0, 1, most, most);
  expect_drawable_surface(-most, -most, 0, 1);

  // From a scaler alone, with no data: offset + scale is past the largest double.
  ReportInput input = two_inputs(2);
  input.data.reset();
  input.info.scaler.kind = Scaling::minmax;
  input.info.scaler.offset.resize(2);
  input.info.scaler.offset << 1e308, 0;
  input.info.scaler.scale.resize(2);
  input.info.scaler.scale << 1e308, 1;
  expect_drawable_surface(input, 0);
}

TEST(Report, SurfaceOfSubnormalInputsHasTicks) {
  const double least = std::numeric_limits<double>::denorm_min();
  expect_drawable_surface(least, 2 * least, 0, 1);
  expect_drawable_surface(0, 1, -least, least);
}

TEST(Report, LossCurvesAreEmbeddedWithoutTheirProlog) {
  const std::string html = report_html(two_inputs(2));
  EXPECT_NE(html.find("id=\"loss\""), std::string::npos);
  EXPECT_EQ(html.find("<?xml"), std::string::npos);
  EXPECT_NE(html.find("validation"), std::string::npos);
  ReportInput without = two_inputs(2);
  without.history.reset();
  EXPECT_EQ(report_html(without).find("id=\"loss\""), std::string::npos);
}

TEST(Report, ConfusionMatrixForClasses) {
  Network<double> net(2, {{4, Activation::relu}, {3, Activation::softmax}}, Loss::cross_entropy);
  initialize(net, 5);
  Dataset<double> data;
  data.X = Matrix<double>::Random(30, 2);
  data.Y = Matrix<double>::Zero(30, 3);
  for (Index i = 0; i < 30; ++i)
    data.Y(i, i % 3) = 1;
  ModelInfo info;
  info.classes = {"setosa", "versicolor", "virginica"};
  const std::string html = report_html({net, info, Precision::single, {}, data, {}, {}});
  const std::string table = between(html, "<table class=\"confusion\"", "</table>");
  EXPECT_EQ(count(table, "<tr>"), 1u + 3);
  EXPECT_NE(table.find("<th>versicolor</th>"), std::string::npos);
  EXPECT_NE(html.find("accuracy: "), std::string::npos);
  EXPECT_EQ(html.find("mse: "), std::string::npos);
  EXPECT_NE(html.find("the metrics as <code>neurona evaluate</code> prints them, but with the "
                      "confusion matrix drawn below."),
            std::string::npos);
  EXPECT_EQ(between(html, "<pre>", "</pre>").find("confusion matrix"), std::string::npos);
  // The text keeps what follows evaluate's matrix: its notes on 0/0 (no rows of virginica).
  for (Index i = 0; i < 30; ++i)
    data.Y.row(i) << (i % 2 == 0), (i % 2 == 1), 0;
  const std::string notes =
      between(report_html({net, info, Precision::single, {}, data, {}, {}}), "<pre>", "</pre>");
  EXPECT_NE(notes.find("weighted avg"), std::string::npos) << notes;
  EXPECT_NE(notes.find("\n\nnote: no rows of this class"), std::string::npos) << notes;
  EXPECT_EQ(notes.find("confusion matrix"), std::string::npos) << notes;
}

TEST(Report, TutorialNetworkStaysUnderOneMegabyte) {
  ReportInput input{tutorial::majority_network<double>(1),
                    {},
                    Precision::double_,
                    history_of(10000, false),
                    tutorial::majority_table<double>(),
                    {},
                    {}};
  input.info.provenance = {"0.1.0", "neurona demo majority", 1, "majority.csv", "5ea9a4c2"};
  const std::string html = report_html(input);
  EXPECT_LT(html.size(), 1u << 20);
  EXPECT_NE(html.find("class=\"truth\""), std::string::npos);
}

TEST(Report, EscapesTitlesLabelsAndCommandLines) {
  ReportInput input = two_inputs(2);
  input.title = "<script>alert(1)</script> & \"x\"";
  input.info.classes = {"<a>", "b&c"};
  input.info.provenance = {"0.1.0", "neurona train --data \"a b.csv\" <in >out & echo '1'", 1,
                           "a<b>.csv", "00000000"};
  input.input_names = {"x<1>", "\"y\""};
  const std::string html = report_html(input);
  for (const char* raw : {"<script>alert", "<a>", "b&c", "\"a b.csv\"", "<in", "a<b>", "x<1>"})
    EXPECT_EQ(html.find(raw), std::string::npos) << raw;
  for (const char* escaped :
       {"&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;", "&lt;a&gt;", "b&amp;c",
        "neurona train --data &quot;a b.csv&quot; &lt;in &gt;out &amp; echo &#39;1&#39;",
        "a&lt;b&gt;.csv", "x&lt;1&gt;", "&quot;y&quot;"})
    EXPECT_NE(html.find(escaped), std::string::npos) << escaped;
  // Only our own script element.
  EXPECT_EQ(count(html, "<script"), 1u);
}

// A model trained on a table with a header names its inputs from it, the target left out.
TEST(Report, NamesTheInputsAsTheModelsHeaderDoes) {
  ReportInput input = two_inputs(2);
  EXPECT_NE(report_html(input).find(">x1</text>"), std::string::npos);
  input.info.columns = {{"label", "size<cm>", "weight"}, {0}};
  const std::string html = report_html(input);
  EXPECT_EQ(html.find(">x1</text>"), std::string::npos);
  EXPECT_NE(html.find(">size&lt;cm&gt;</text>"), std::string::npos);
  EXPECT_NE(html.find(">weight</text>"), std::string::npos);
  EXPECT_EQ(html.find(">label</text>"), std::string::npos);
}

TEST(Report, RefusesDataThatDoesNotFit) {
  ReportInput input = two_inputs(2);
  input.data->X.conservativeResize(4, 3);
  EXPECT_THROW(report_html(input), ShapeError);
  input = two_inputs(2);
  input.data->Y.conservativeResize(3, 1);
  EXPECT_THROW(report_html(input), ShapeError);
  input = two_inputs(2);
  input.input_names = {"only one"};
  EXPECT_THROW(report_html(input), ShapeError);
}

TEST(Report, LargeLayersAreCutDown) {
  Network<double> net(100, {{60, Activation::relu}, {10, Activation::softmax}},
                      Loss::cross_entropy);
  initialize(net, 1);
  const std::string html = report_html({net, {}, Precision::double_, {}, {}, {}, {}});
  EXPECT_EQ(count(html, "class=\"node"), 48u + 48 + 10);
  EXPECT_EQ(count(html, "class=\"edge\""), 2000u);
  EXPECT_NE(html.find("+52 more"), std::string::npos);
  EXPECT_NE(html.find("+12 more"), std::string::npos);
}

TEST(Report, WriteReportWritesTheFile) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / "neurona-report-test.html";
  write_report(path, one_wrong_row());
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), report_html(one_wrong_row()));
  std::filesystem::remove(path);
  EXPECT_THROW(write_report("/nonexistent-folder/r.html", one_wrong_row()), InputError);
}

}  // namespace
}  // namespace neurona
