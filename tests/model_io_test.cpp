// Model files: exact round trips, tolerance of unknown fields, errors naming file and place, and
// atomic replacement.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "neurona/error.hpp"
#include "neurona/model_io.hpp"
#include "temp_folder.hpp"
#include "test_networks.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;

class ModelFiles : public ::TempFolderTest {
 protected:
  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    return dir / name;
  }
  std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  // The message of the InputError that reading `text` as a model gives.
  std::string error_of(const std::string& text) {
    const fs::path path = write("model.json", text);
    try {
      read_model(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  }
  std::size_t files_in_dir() {
    return std::size_t(std::distance(fs::directory_iterator(dir), fs::directory_iterator()));
  }
};

const std::string tiny_model = R"({"format": "neurona", "version": 1, "precision": "double",
  "inputs": 2, "loss": "half_squared_error",
  "layers": [{"units": 1, "activation": "linear", "W": [[0.5], [-1]], "b": [0.25]}]})";

template <class T>
bool same_bits(const Matrix<T>& a, const Matrix<T>& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() &&
         std::memcmp(a.data(), b.data(), sizeof(T) * std::size_t(a.size())) == 0;
}

TEST_F(ModelFiles, EveryNumberReadsBackToTheSameBits) {
  Network<double> net = testing::random_network(3, {Activation::tanh, Activation::relu},
                                                Activation::softmax, 3, Loss::cross_entropy, 11);
  auto& W = net.layers()[0].W;
  W(0, 0) = -0.0;
  W(1, 0) = std::numeric_limits<double>::denorm_min();
  W(2, 0) = std::numeric_limits<double>::max();
  W(0, W.cols() - 1) = 0.1 + 0.2;
  net.layers()[1].b(0) = -1e-300;
  write_model(net, dir / "m.json");
  const ModelFile model = read_model(dir / "m.json");
  EXPECT_EQ(model.precision, Precision::double_);
  EXPECT_EQ(model.network.topology(), net.topology());
  EXPECT_EQ(model.network.loss_type(), Loss::cross_entropy);
  for (std::size_t l = 0; l < net.layers().size(); ++l) {
    EXPECT_EQ(model.network.layers()[l].activation, net.layers()[l].activation);
    EXPECT_TRUE(same_bits(model.network.layers()[l].W, net.layers()[l].W)) << "layer " << l;
    EXPECT_TRUE(same_bits<double>(model.network.layers()[l].b, net.layers()[l].b)) << "layer " << l;
  }
}

TEST_F(ModelFiles, FloatModelsReadBackToTheSameFloatBits) {
  const Network<float> net = testing::random_network(2, {Activation::sigmoid}, Activation::linear,
                                                     1, Loss::half_squared_error, 4)
                                 .cast<float>();
  write_model(net, dir / "f.json");
  const ModelFile model = read_model(dir / "f.json");
  EXPECT_EQ(model.precision, Precision::single);
  const Network<float> back = model.network.cast<float>();
  for (std::size_t l = 0; l < net.layers().size(); ++l)
    EXPECT_TRUE(same_bits(back.layers()[l].W, net.layers()[l].W));
}

// Each float as its own shortest text, read back through double to the same bits: 100,000 bit
// patterns over every exponent, subnormals and the extremes among them.
TEST_F(ModelFiles, FloatModelsAreWrittenAsShortFloatTextAndReadBackExactly) {
  Network<float> net(1000, {{100, Activation::linear}}, Loss::half_squared_error);
  auto& W = net.layers()[0].W;
  std::uint32_t bits = 12345;
  for (Index k = 0; k < W.size(); ++k) {
    bits = bits * 1664525u + 1013904223u;  // every pattern but NaN and infinity
    float value = 0;
    std::memcpy(&value, &bits, sizeof value);
    W.data()[k] = std::isfinite(value) ? value : 1.5f;
  }
  W(0, 0) = 0.1f;
  W(1, 0) = std::numeric_limits<float>::denorm_min();
  W(2, 0) = -std::numeric_limits<float>::max();
  W(3, 0) = -0.0f;
  write_model(net, dir / "f.json");
  const std::string text = read(dir / "f.json");
  EXPECT_NE(text.find("[0.1, "), std::string::npos);
  EXPECT_EQ(text.find("0.10000000149011612"), std::string::npos);
  const Network<float> back = read_model(dir / "f.json").network.cast<float>();
  EXPECT_TRUE(same_bits(back.layers()[0].W, W));
  EXPECT_TRUE(std::signbit(back.layers()[0].W(3, 0)));
}

TEST_F(ModelFiles, UnknownFieldsAreIgnored) {
  std::string text = tiny_model;
  text.replace(text.find("\"inputs\""), 0, "\"comment\": {\"by\": \"a later version\"}, ");
  text.replace(text.find("\"units\""), 0, "\"dropout\": 0.5, ");
  const fs::path path = write("extra.json", text);
  const ModelFile model = read_model(path);
  EXPECT_EQ(model.network.layers()[0].W(1, 0), -1.0);
  EXPECT_EQ(model.network.layers()[0].b(0), 0.25);
}

TEST_F(ModelFiles, MalformedJsonNamesLineAndColumn) {
  const std::string message = error_of("{\n  \"format\": \"neurona\",\n  \"version\" 1\n}");
  EXPECT_NE(message.find("model.json:3:13: malformed JSON"), std::string::npos) << message;
}

TEST_F(ModelFiles, DeepNestingIsRefusedBeforeItOverflowsTheStack) {
  // 100000 levels crashed the reader (its messages quote values, recursively).
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  std::string message = error_of(deep);
  EXPECT_NE(message.find("model.json:1:65: arrays and objects nested more than 64 deep"),
            std::string::npos)
      << message.substr(0, 200);
  // Brackets inside strings are text, not nesting.
  std::string text = tiny_model;
  text.replace(text.find("\"inputs\""), 0, "\"note\": \"" + std::string(100, '[') + "\\\"{\", ");
  EXPECT_EQ(read_model(write("note.json", text)).network.layers()[0].b(0), 0.25);
  message = error_of("{\"format\": " + std::string(70, '{'));
  EXPECT_NE(message.find("model.json:1:75: arrays and objects nested"), std::string::npos)
      << message;
}

TEST_F(ModelFiles, AKeyGivenTwiceInOneObjectIsRefusedWhereItIsRepeated) {
  // The parser would keep the last: which of two contradicting values counts would hang on
  // their order.
  std::string text = tiny_model;
  text.replace(text.find("\"inputs\""), 0, "\"inputs\": 99, ");
  std::string message = error_of(text);
  EXPECT_NE(message.find("model.json:2:17: the key \"inputs\" is given twice in one object"),
            std::string::npos)
      << message;
  // Spelled with an escape, as the parser reads it.
  text = tiny_model;
  text.replace(text.find("\"loss\""), 0, "\"\\u0070recision\": \"float\", ");
  message = error_of(text);
  EXPECT_NE(message.find("model.json:2:16: the key \"precision\" is given twice"),
            std::string::npos)
      << message;
  // The same name in two objects, or as a value or inside a string, is no repetition.
  text = tiny_model;
  text.replace(text.find("\"inputs\""), 0,
               "\"note\": {\"units\": \"units\", \"b\": \"\\\"inputs\\\": 1\"}, ");
  EXPECT_EQ(read_model(write("note.json", text)).network.inputs(), 2);
  // Malformed text is reported as such, even with a repeated key before the fault.
  message = error_of("{\"a\": 1, \"a\": 2, }");
  EXPECT_NE(message.find("malformed JSON"), std::string::npos) << message;
}

TEST_F(ModelFiles, ANumberBeyondDoublesRangeIsPlacedWhereItIs) {
  // Not at the same characters inside a string before it.
  std::string text = tiny_model;
  text.replace(text.find("\"inputs\""), 0, "\"note\": \"1e999\", ");
  text.replace(text.find("0.25"), 4, "1e999");
  const std::string message = error_of(text);
  EXPECT_NE(message.find("model.json:3:77: the number 1e999 is beyond double's range"),
            std::string::npos)
      << message;
}

TEST_F(ModelFiles, TruncatedFileIsMalformed) {
  const std::string message = error_of(tiny_model.substr(0, tiny_model.find("\"layers\"")));
  EXPECT_NE(message.find("malformed JSON"), std::string::npos) << message;
  EXPECT_NE(message.find("end of input"), std::string::npos) << message;
}

TEST_F(ModelFiles, AZeroByteIsMalformedWhereverItIs) {
  // After the model (the parser would stop there and read the model alone), and within it.
  const std::string after = error_of(tiny_model + std::string("\0{\"x\": 1", 8));
  EXPECT_NE(after.find("malformed JSON"), std::string::npos) << after;
  EXPECT_NE(after.find("a zero byte"), std::string::npos) << after;
  std::string within = tiny_model;
  within.insert(within.find("\"layers\"") + 3, 1, '\0');
  const std::string message = error_of(within);
  EXPECT_NE(message.find("a zero byte"), std::string::npos) << message;
  EXPECT_EQ(message.find("end of input"), std::string::npos) << message;
}

TEST_F(ModelFiles, EmptyAndMissingFiles) {
  EXPECT_NE(error_of("").find("model.json:1:1: empty file"), std::string::npos) << error_of("");
  try {
    read_model(dir / "absent.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("absent.json: no such file"), std::string::npos);
  }
  EXPECT_THROW(read_model(dir), InputError);
}

TEST_F(ModelFiles, ContentErrorsNameTheField) {
  auto with = [](std::string from, std::string to) {
    std::string text = tiny_model;
    text.replace(text.find(from), from.size(), to);
    return text;
  };
  auto as_float = [](std::string text) {
    return text.replace(text.find("\"double\""), 8, "\"float\"");
  };
  struct Case {
    std::string text, expected;
  };
  for (const Case& c : {
           Case{with("\"neurona\"", "\"keras\""), "format: expected \"neurona\""},
           Case{with("\"version\": 1", "\"version\": 2"), "version: this neurona reads version 1"},
           Case{with("\"double\"", "\"half\""), "precision: unknown precision"},
           Case{with("\"inputs\": 2", "\"inputs\": 0"), "inputs: expected a whole number"},
           Case{with("[[0.5], [-1]]", "[[0.5]]"), "layers[0].W: expected 2 rows"},
           Case{with("[[0.5], [-1]]", "[[0.5], [-1, 2]]"),
                "layers[0].W[1]: expected 1 number, got 2"},
           Case{with("[-1]", "[\"x\"]"), "layers[0].W[1][0]: expected a number, got string"},
           Case{with("[0.25]", "[0.25, 1]"), "layers[0].b: expected 1 number, got 2"},
           Case{with("\"linear\"", "\"swish\""), "layers[0].activation: unknown activation"},
           Case{with("\"half_squared_error\"", "\"cross_entropy\""), "needs a softmax output"},
           Case{with("\"b\": [0.25]", "\"c\": [0.25]"), "layers[0].b: missing"},
           // A float model's parameters are floats: 1e300 would become infinity.
           Case{as_float(with("[-1]", "[1e300]")),
                "layers[0].W[1][0]: 1e+300 is beyond float's range"},
           Case{as_float(with("[0.25]", "[-4e38]")),
                "layers[0].b[0]: -4e+38 is beyond float's range"},
           // predict prints a label per line; two outputs may not share one.
           Case{with("\"inputs\"", "\"classes\": [\"a\", \"b\\nc\"], \"inputs\""),
                "classes[1]: expected a label of printable text"},
           Case{with("\"inputs\"", "\"classes\": [\"a\", \"a\"], \"inputs\""),
                "classes[1]: the label string \"a\" is there twice"},
       }) {
    const std::string message = error_of(c.text);
    EXPECT_NE(message.find("model.json: "), std::string::npos) << message;
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
  }
}

TEST_F(ModelFiles, ANanModelIsNotWrittenAndTheOldFileStaysWhole) {
  const fs::path path = write("m.json", tiny_model);
  Network<double> net = read_model(path).network;
  net.layers()[0].W(0, 0) = std::nan("");
  EXPECT_THROW(write_model(net, path), InputError);
  EXPECT_EQ(read(path), tiny_model);
  EXPECT_EQ(files_in_dir(), 1u);
}

TEST_F(ModelFiles, SavingReplacesTheFileAndLeavesNoTemporaryFile) {
  const fs::path path = write("m.json", "old contents");
  const Network<double> net = read_model(write("tiny.json", tiny_model)).network;
  write_model(net, path);
  EXPECT_EQ(read(path), model_to_json(net));
  EXPECT_EQ(files_in_dir(), 2u);
}

TEST_F(ModelFiles, SavingIntoAMissingFolderFailsClearly) {
  const Network<double> net = read_model(write("tiny.json", tiny_model)).network;
  try {
    write_model(net, dir / "missing" / "m.json");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(dir / "missing"));
}

TEST_F(ModelFiles, ClassesScalingAndProvenanceRoundTrip) {
  const Network<double> net = testing::random_network(2, {Activation::relu}, Activation::softmax, 3,
                                                      Loss::cross_entropy, 8);
  ModelInfo info;
  info.classes = {"setosa", "versi\"color", "virginica"};
  info.scaler.kind = Scaling::standard;
  info.scaler.offset = (RowVector<double>(2) << 5.8, -0.1).finished();
  info.scaler.scale = (RowVector<double>(2) << 0.83, 1.0 / 3).finished();
  info.provenance = {"0.1.0", "neurona train --data iris.csv", 42, "iris.csv", "0badcafe"};
  write_model(net, dir / "m.json", info);
  const ModelFile model = read_model(dir / "m.json");
  EXPECT_EQ(model.info.classes, info.classes);
  EXPECT_EQ(model.info.scaler.kind, Scaling::standard);
  EXPECT_EQ(model.info.scaler.offset, info.scaler.offset);
  EXPECT_EQ(model.info.scaler.scale, info.scaler.scale);
  EXPECT_EQ(model.info.provenance.command_line, info.provenance.command_line);
  EXPECT_EQ(model.info.provenance.seed, 42u);
  EXPECT_EQ(model.info.provenance.data_crc32, "0badcafe");

  EXPECT_TRUE(model.info.columns.targets.empty());  // none given, none written

  std::string text = read(dir / "m.json");
  text.replace(text.find("\"setosa\","), 9, "");
  EXPECT_NE(error_of(text).find("classes: expected 3 labels"), std::string::npos) << error_of(text);
  // Labels a data file's reader would take for one class.
  text = read(dir / "m.json");
  text.replace(text.find("\"setosa\""), 8, "\"1\"");
  text.replace(text.find("\"versi\\\"color\""), 14, "\"1.0\"");
  text.replace(text.find("\"virginica\""), 11, "\"2\"");
  EXPECT_NE(error_of(text).find("classes: two labels are the same number"), std::string::npos)
      << error_of(text);
}

// A regression model's target scaling is kept beside its input scaling; a classifier's targets
// are probabilities, which are never scaled.
TEST_F(ModelFiles, TargetScalingRoundTripsForRegressionOnly) {
  const Network<double> net = testing::random_network(2, {Activation::tanh}, Activation::linear, 2,
                                                      Loss::half_squared_error, 4);
  ModelInfo info;
  info.target_scaler.kind = Scaling::minmax;
  info.target_scaler.offset = (RowVector<double>(2) << 1e5, -3).finished();
  info.target_scaler.scale = (RowVector<double>(2) << 8e5, 0.1).finished();
  write_model(net, dir / "m.json", info);
  const ModelFile model = read_model(dir / "m.json");
  EXPECT_EQ(model.info.target_scaler.kind, Scaling::minmax);
  EXPECT_EQ(model.info.target_scaler.offset, info.target_scaler.offset);
  EXPECT_EQ(model.info.target_scaler.scale, info.target_scaler.scale);
  EXPECT_EQ(model.info.scaler.kind, Scaling::none);
  const std::string text = read(dir / "m.json");
  // The model with the target scaling's scale given as `scale`.
  auto with_scale = [&](const std::string& scale) {
    std::string edited = text;
    const std::size_t at = edited.find("\"scale\": [", edited.find("\"target_scaling\""));
    return edited.replace(at, edited.find(']', at) + 1 - at, "\"scale\": " + scale);
  };
  const std::string one_scale = with_scale("[800000]");
  EXPECT_NE(error_of(one_scale).find("target_scaling.scale: expected 2 numbers, got 1"),
            std::string::npos)
      << error_of(one_scale);
  const std::string negative = with_scale("[800000, -0.1]");
  EXPECT_NE(error_of(negative).find("target_scaling.scale: expected numbers above 0"),
            std::string::npos)
      << error_of(negative);

  const Network<double> classifier = testing::random_network(
      2, {Activation::tanh}, Activation::softmax, 2, Loss::cross_entropy, 4);
  EXPECT_THROW(
      try { write_model(classifier, dir / "c.json", info); } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("not written: target_scaling: a cross_entropy "
                                             "model's targets are classes, not scaled"),
                  std::string::npos)
            << e.what();
        throw;
      },
      InputError);
  EXPECT_FALSE(fs::exists(dir / "c.json"));
  ModelInfo nan_offset = info;
  nan_offset.target_scaler.offset(1) = std::nan("");
  EXPECT_THROW(write_model(net, dir / "m.json", nan_offset), InputError);
  EXPECT_EQ(read(dir / "m.json"), text);
}

// What read_model would refuse is not written, and an older file stays whole: what one writes,
// the other reads.
TEST_F(ModelFiles, WhatCouldNotBeReadBackIsNotWritten) {
  const Network<double> net = testing::random_network(3, {Activation::relu}, Activation::softmax, 2,
                                                      Loss::cross_entropy, 8);
  const fs::path path = write("m.json", tiny_model);
  auto error_writing = [&](const Network<double>& network, const ModelInfo& info) {
    try {
      write_model(network, path, info);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ModelInfo three_labels;
  three_labels.classes = {"a", "b", "c"};
  EXPECT_NE(error_writing(net, three_labels)
                .find("m.json: not written: classes: expected 2 labels (one per output), got 3"),
            std::string::npos)
      << error_writing(net, three_labels);
  ModelInfo not_utf8;
  not_utf8.classes = {"a", "b\xff"};
  EXPECT_NE(error_writing(net, not_utf8).find("not written: classes: a label is not UTF-8"),
            std::string::npos)
      << error_writing(net, not_utf8);
  ModelInfo other_columns;  // a scaling fitted on 7 columns, for a network of 3 inputs
  other_columns.scaler.kind = Scaling::standard;
  other_columns.scaler.offset = RowVector<double>::Zero(7);
  other_columns.scaler.scale = RowVector<double>::Ones(7);
  EXPECT_NE(error_writing(net, other_columns)
                .find("not written: scaling.offset: expected 3 numbers, got 7"),
            std::string::npos)
      << error_writing(net, other_columns);
  ModelInfo zero_scale;
  zero_scale.scaler.kind = Scaling::minmax;
  zero_scale.scaler.offset = RowVector<double>::Zero(3);
  zero_scale.scaler.scale = RowVector<double>::Zero(3);
  EXPECT_NE(error_writing(net, zero_scale)
                .find("not written: scaling.scale: expected numbers "
                      "above 0"),
            std::string::npos)
      << error_writing(net, zero_scale);
  ModelInfo nan_scale = zero_scale;
  nan_scale.scaler.scale = RowVector<double>::Constant(3, std::nan(""));
  EXPECT_NE(error_writing(net, nan_scale).find("not written: scaling: an offset or scale is NaN"),
            std::string::npos)
      << error_writing(net, nan_scale);
  ModelInfo far_column;
  far_column.columns.targets = {9};
  EXPECT_NE(error_writing(net, far_column)
                .find("not written: columns.targets[0]: expected a "
                      "column number from 1 to 4"),
            std::string::npos)
      << error_writing(net, far_column);
  Network<double> changed = net;  // a layer changed in place into a network no constructor makes
  changed.layers().back().activation = Activation::sigmoid;
  EXPECT_NE(error_writing(changed, {})
                .find("not written: the loss cross_entropy needs a softmax "
                      "output layer, got sigmoid"),
            std::string::npos)
      << error_writing(changed, {});
  changed.layers().back().activation = Activation(42);
  EXPECT_NE(error_writing(changed, {}).find("not written: layer 2: no such activation (42)"),
            std::string::npos)
      << error_writing(changed, {});
  EXPECT_EQ(read(path), tiny_model);
  EXPECT_EQ(files_in_dir(), 1u);
}

TEST_F(ModelFiles, TheTrainingTablesColumnsRoundTrip) {
  const Network<double> net = testing::random_network(2, {Activation::relu}, Activation::sigmoid, 1,
                                                      Loss::binary_cross_entropy, 8);
  ModelInfo info;
  info.columns = {{"label", "x,1", "x 2"}, {0}};
  write_model(net, dir / "m.json", info);
  EXPECT_EQ(read_model(dir / "m.json").info.columns.names, info.columns.names);
  EXPECT_EQ(read_model(dir / "m.json").info.columns.targets, info.columns.targets);
  // A name that is not UTF-8 could not be read back as written: the columns go by number alone.
  info.columns.names[1] = "x\xff";
  write_model(net, dir / "m.json", info);
  EXPECT_TRUE(read_model(dir / "m.json").info.columns.names.empty());
  EXPECT_EQ(read_model(dir / "m.json").info.columns.targets, info.columns.targets);
}

}  // namespace
}  // namespace neurona
