// Reading and writing model files with nlohmann-json; the layout keeps one row of W per line.
#include "neurona/model_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "json_text.hpp"
#include "kernels.hpp"
#include "neurona/atomic_file.hpp"
#include "neurona/dataset.hpp"
#include "neurona/error.hpp"
#include "text_file.hpp"

namespace neurona {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int format_version = 1;

// The longest text of a number in a model file and its ", ": the shortest text that reads back
// to the same value is at most 24 characters in double ("-2.2250738585072014e-308") and 15 in
// float. Each row of W adds its line break, indent and brackets.
template <class T>
constexpr std::size_t model_text_per_number() {
  return sizeof(T) == 8 ? 26 : 17;
}
constexpr std::size_t model_text_per_row = 12;

// What the fields beside the layers are checked against.
struct ModelShape {
  Index inputs, outputs;
  Loss loss;
};

// Reads one model file's fields, each error naming the file (or what stands for it, `where`) and
// the field.
class ModelReader {
 public:
  explicit ModelReader(std::string where) : where_(std::move(where)) {}

  [[noreturn]] void fail(const std::string& field, const std::string& what) const {
    throw InputError(fmt::format("{}: {}: {}", where_, field, what));
  }

  static std::string describe(const json& value) {
    std::string text = value.dump();
    if (text.size() > 40) text = text.substr(0, 37) + "...";
    return fmt::format("{} {}", value.type_name(), text);
  }

  const json& member(const json& object, const std::string& key, const std::string& field) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(field, "missing");
    return *it;
  }

  std::string string_field(const json& object, const std::string& key,
                           const std::string& field) const {
    const json& value = member(object, key, field);
    if (!value.is_string()) fail(field, "expected a string, got " + describe(value));
    return value.get<std::string>();
  }

  Index count_field(const json& object, const std::string& key, const std::string& field) const {
    const json& value = member(object, key, field);
    if (!value.is_number_integer() || value.get<long long>() < 1)
      fail(field, "expected a whole number of at least 1, got " + describe(value));
    return Index(value.get<long long>());
  }

  // A JSON array of exactly `size` values: refused before anything is allocated for them.
  void check_count(const json& value, Index size, const std::string& field) const {
    if (!value.is_array()) fail(field, "expected an array, got " + describe(value));
    if (Index(value.size()) != size)
      fail(field,
           fmt::format("expected {} number{}, got {}", size, size == 1 ? "" : "s", value.size()));
  }

  // The numbers of an array of exactly `size` values into `out`.
  void read_numbers(const json& value, Index size, const std::string& field, double* out) const {
    check_count(value, size, field);
    for (std::size_t i = 0; i < value.size(); ++i) {
      // The field's name is made only for an error: a model holds millions of numbers.
      if (!value[i].is_number())
        fail(fmt::format("{}[{}]", field, i), "expected a number, got " + describe(value[i]));
      out[i] = value[i].get<double>();
    }
  }

  std::vector<double> numbers(const json& value, Index size, const std::string& field) const {
    check_count(value, size, field);  // before allocating for them
    std::vector<double> result(static_cast<std::size_t>(size));
    read_numbers(value, size, field, result.data());
    return result;
  }

  // A layer's weights or biases into `out`: in a float model each must be a float, or it would
  // become infinity when the model is cast to its precision. A model holds millions of rows, so
  // `field` makes their name only for an error: read again, with it, to say what is wrong.
  template <class Field>
  void read_parameters(const json& value, Index size, const Field& field, Precision precision,
                       double* out) const {
    if (parameters_read(value, size, precision, out)) return;
    read_numbers(value, size, field(), out);
    for (Index i = 0; precision == Precision::single && i < size; ++i)
      if (std::isinf(float(out[i])))  // as the cast rounds: 3.4028235e38 is float's largest
        fail(fmt::format("{}[{}]", field(), i),
             fmt::format("{} is beyond float's range (3.4e38), and the model's precision is float",
                         out[i]));
  }

  static bool parameters_read(const json& value, Index size, Precision precision, double* out) {
    if (!value.is_array() || Index(value.size()) != size) return false;
    for (Index i = 0; i < size; ++i) {
      const json& number = value[std::size_t(i)];
      if (!number.is_number()) return false;
      out[i] = number.get<double>();
      if (precision == Precision::single && std::isinf(float(out[i]))) return false;
    }
    return true;
  }

  ModelFile read(const json& root) const {
    if (!root.is_object()) fail("top level", "expected an object, got " + describe(root));
    if (const std::string format = string_field(root, "format", "format"); format != "neurona")
      fail("format", "expected \"neurona\", got \"" + format + "\"");
    const json& version = member(root, "version", "version");
    if (!version.is_number_integer() || version.get<long long>() != format_version)
      fail("version",
           fmt::format("this neurona reads version {}, got {}", format_version, describe(version)));
    Precision precision;
    Loss loss;
    try {
      precision = parse_precision(string_field(root, "precision", "precision"));
    } catch (const UsageError& e) {
      fail("precision", e.what());
    }
    try {
      loss = parse_loss(string_field(root, "loss", "loss"));
    } catch (const UsageError& e) {
      fail("loss", e.what());
    }
    const Index inputs = count_field(root, "inputs", "inputs");
    const json& layers = member(root, "layers", "layers");
    if (!layers.is_array() || layers.empty())
      fail("layers", "expected a non-empty array, got " + describe(layers));

    // Every shape is checked against the file's own numbers before anything is allocated; the
    // numbers are then read into the network's weights themselves, with no copy on the way.
    std::vector<LayerSpec> specs;
    Index n_in = inputs;
    for (std::size_t l = 0; l < layers.size(); ++l) {
      const std::string field = fmt::format("layers[{}]", l);
      const json& layer = layers[l];
      if (!layer.is_object()) fail(field, "expected an object, got " + describe(layer));
      const Index units = count_field(layer, "units", field + ".units");
      Activation activation;
      try {
        activation = parse_activation(string_field(layer, "activation", field + ".activation"));
      } catch (const UsageError& e) {
        fail(field + ".activation", e.what());
      }
      const json& W = member(layer, "W", field + ".W");
      if (!W.is_array() || Index(W.size()) != n_in)
        fail(field + ".W",
             fmt::format("expected {} rows (the layer's inputs) of {} numbers, got {}", n_in, units,
                         W.is_array() ? fmt::format("{} rows", W.size()) : describe(W)));
      for (std::size_t i = 0; i < W.size(); ++i)
        if (!W[i].is_array() || Index(W[i].size()) != units)
          check_count(W[i], units, fmt::format("{}.W[{}]", field, i));
      check_count(member(layer, "b", field + ".b"), units, field + ".b");
      specs.push_back({units, activation});
      n_in = units;
    }

    try {
      ModelFile model{precision, Network<double>(inputs, specs, loss), {}};
      for (std::size_t l = 0; l < specs.size(); ++l) {
        const std::string field = fmt::format("layers[{}]", l);
        auto& layer = model.network.layers()[l];
        const json& W = layers[l]["W"];
        for (Index i = 0; i < layer.W.rows(); ++i)
          read_parameters(
              W[std::size_t(i)], layer.W.cols(), [&] { return fmt::format("{}.W[{}]", field, i); },
              precision, layer.W.row(i).data());
        read_parameters(
            layers[l]["b"], layer.b.cols(), [&] { return field + ".b"; }, precision,
            layer.b.data());
      }
      model.info = read_info(root, {inputs, model.network.outputs(), loss});
      return model;
    } catch (const UsageError& e) {
      fail("layers", e.what());
    }
  }

  // {"kind": ..., "offset": [n numbers], "scale": [n numbers above 0]}, or {"kind": "none"}.
  Scaler read_scaler(const json& object, const std::string& field, Index n) const {
    if (!object.is_object()) fail(field, "expected an object, got " + describe(object));
    Scaler scaler;
    try {
      scaler.kind = parse_scaling(string_field(object, "kind", field + ".kind"));
    } catch (const UsageError& e) {
      fail(field + ".kind", "expected standard, minmax or none, got " + describe(object["kind"]));
    }
    if (scaler.kind == Scaling::none) return scaler;
    const auto offset = numbers(member(object, "offset", field + ".offset"), n, field + ".offset");
    const auto scale = numbers(member(object, "scale", field + ".scale"), n, field + ".scale");
    scaler.offset = Eigen::Map<const RowVector<double>>(offset.data(), n);
    scaler.scale = Eigen::Map<const RowVector<double>>(scale.data(), n);
    if (!(scaler.scale.array() > 0).all()) fail(field + ".scale", "expected numbers above 0");
    return scaler;
  }

  // The optional fields beside the network; absent ones stay empty.
  ModelInfo read_info(const json& root, const ModelShape& network) const {
    ModelInfo info;
    if (const auto it = root.find("classes"); it != root.end()) {
      if (!it->is_array()) fail("classes", "expected an array of labels, got " + describe(*it));
      for (std::size_t k = 0; k < it->size(); ++k) {
        const std::string field = fmt::format("classes[{}]", k);
        if (!(*it)[k].is_string()) fail(field, "expected a string, got " + describe((*it)[k]));
        const std::string label = (*it)[k].get<std::string>();
        // predict prints one label per line, and a data file could not have held these.
        if (label.empty() || has_control_character(label))
          fail(field, "expected a label of printable text, got " + describe((*it)[k]));
        if (std::find(info.classes.begin(), info.classes.end(), label) != info.classes.end())
          fail(field, fmt::format("the label {} is there twice", describe((*it)[k])));
        info.classes.push_back(label);
      }
      // Labels equal as numbers ("1" and "1.0") are one class to the data's reader.
      if (make_class_encoding(info.classes).size() != Index(info.classes.size()))
        fail("classes", fmt::format("two labels are the same number: {}", describe(*it)));
      const Index outputs = network.outputs;
      const Index count = Index(info.classes.size());
      if ((count != outputs || count < 2) && !(outputs == 1 && count == 2))
        fail("classes", fmt::format("expected {} labels (one per output{}), got {}", outputs,
                                    outputs == 1 ? ", or 2 for one sigmoid output" : "", count));
    }
    if (const auto it = root.find("scaling"); it != root.end())
      info.scaler = read_scaler(*it, "scaling", network.inputs);
    if (const auto it = root.find("target_scaling"); it != root.end()) {
      info.target_scaler = read_scaler(*it, "target_scaling", network.outputs);
      // Classes' targets are probabilities, which the loss needs as they are.
      if (info.target_scaler.kind != Scaling::none && network.loss != Loss::half_squared_error)
        fail("target_scaling",
             fmt::format("a {} model's targets are classes, not scaled", to_string(network.loss)));
    }
    if (const auto it = root.find("columns"); it != root.end())
      info.columns = read_columns(*it, network);
    if (const auto it = root.find("provenance"); it != root.end() && it->is_object()) {
      auto text = [&](const char* key) {
        const auto found = it->find(key);
        return found != it->end() && found->is_string() ? found->get<std::string>() : "";
      };
      info.provenance = {text("neurona"), text("command"), 0, text("data"), text("data_crc32")};
      if (const auto seed = it->find("seed"); seed != it->end() && seed->is_number_unsigned())
        info.provenance.seed = seed->get<std::uint64_t>();
    }
    return info;
  }

  // The training table's layout: target column numbers (1-based, as --targets takes them) that fit
  // the network's outputs, and the header's names when it had one, a name per column.
  TableLayout read_columns(const json& columns, const ModelShape& network) const {
    if (!columns.is_object()) fail("columns", "expected an object, got " + describe(columns));
    TableLayout layout;
    const json& targets = member(columns, "targets", "columns.targets");
    const Index outputs = network.outputs;
    // A column per output, or, for softmax's classes, one column of class labels or numbers.
    const bool one_for_classes = network.loss == Loss::cross_entropy && targets.size() == 1;
    if (!targets.is_array() || targets.empty() ||
        (Index(targets.size()) != outputs && !one_for_classes))
      fail("columns.targets", fmt::format("expected {} column number{}, got {}",
                                          network.loss == Loss::cross_entropy && outputs > 1
                                              ? fmt::format("1 or {}", outputs)
                                              : std::to_string(outputs),
                                          outputs == 1 ? "" : "s", describe(targets)));
    const Index count = network.inputs + Index(targets.size());
    for (std::size_t k = 0; k < targets.size(); ++k) {
      const std::string field = fmt::format("columns.targets[{}]", k);
      const json& number = targets[k];
      if (!number.is_number_integer() || number.get<std::int64_t>() < 1 ||
          number.get<std::int64_t>() > count)
        fail(field, fmt::format("expected a column number from 1 to {} (the inputs and targets), "
                                "got {}",
                                count, describe(number)));
      const Index column = Index(number.get<std::int64_t>() - 1);
      if (std::find(layout.targets.begin(), layout.targets.end(), column) != layout.targets.end())
        fail(field, fmt::format("column {} is there twice", column + 1));
      layout.targets.push_back(column);
    }
    if (const auto names = columns.find("names"); names != columns.end()) {
      if (!names->is_array() || Index(names->size()) != count)
        fail("columns.names", fmt::format("expected {} names (the inputs and targets), got {}",
                                          count, describe(*names)));
      for (std::size_t k = 0; k < names->size(); ++k) {
        if (!(*names)[k].is_string())
          fail(fmt::format("columns.names[{}]", k),
               "expected a string, got " + describe((*names)[k]));
        layout.names.push_back((*names)[k].get<std::string>());
      }
    }
    return layout;
  }

 private:
  std::string where_;
};

}  // namespace

std::vector<std::string> TableLayout::input_names() const {
  std::vector<std::string> inputs;
  for (std::size_t j = 0; j < names.size(); ++j)
    if (std::find(targets.begin(), targets.end(), Index(j)) == targets.end())
      inputs.push_back(names[j]);
  return inputs;
}

std::string_view to_string(Precision precision) {
  return precision == Precision::single ? "float" : "double";
}

Precision parse_precision(std::string_view name) {
  if (name == "float") return Precision::single;
  if (name == "double") return Precision::double_;
  throw UsageError("unknown precision \"" + std::string(name) + "\"; expected float or double");
}

ModelFile read_model(const fs::path& path) {
  return parse_model(read_text_file(path, "a model file"), path.string());
}

ModelFile parse_model(const std::string& text, const std::string& name) {
  const fs::path path = name;
  const json root =
      parse_json(text, path.string(), text.empty() ? "a neurona model (JSON)" : "a neurona model");
  return ModelReader(path.string()).read(root);
}

namespace {

// A JSON array of numbers on one line.
template <class Vector>
std::string number_list(const Vector& values) {
  std::string out;
  append_json_array(out, values);
  return out;
}

// The optional fields, each on its own lines before "layers".
std::string info_to_json(const ModelInfo& info) {
  std::string out;
  try {
    if (!info.classes.empty())
      out += fmt::format("  \"classes\": {},\n", json(info.classes).dump());
  } catch (const json::type_error&) {
    throw InputError("not written: classes: a label is not UTF-8 text, which JSON holds");
  }
  for (const auto& [field, scaler] :
       {std::pair{"scaling", &info.scaler}, std::pair{"target_scaling", &info.target_scaler}}) {
    if (scaler->kind == Scaling::none) continue;
    if (!scaler->offset.allFinite() || !scaler->scale.allFinite())
      throw InputError(
          fmt::format("not written: {}: an offset or scale is NaN or infinite", field));
    out += fmt::format(
        "  \"{}\": {{\n    \"kind\": \"{}\",\n    \"offset\": {},\n    \"scale\": {}\n  }},\n",
        field, to_string(scaler->kind), number_list(scaler->offset), number_list(scaler->scale));
  }
  if (!info.columns.targets.empty()) {
    json targets = json::array();
    for (const Index column : info.columns.targets)
      targets.push_back(column + 1);
    json columns = {{"targets", targets}};
    // Header names are a file's bytes: names that are not UTF-8 would be read back changed, and
    // then match no header, so they are left out and the columns go by number alone.
    try {
      if (!info.columns.names.empty()) columns["names"] = info.columns.names;
      out += fmt::format("  \"columns\": {},\n", columns.dump());
    } catch (const json::type_error&) {
      columns.erase("names");
      out += fmt::format("  \"columns\": {},\n", columns.dump());
    }
  }
  if (!info.provenance.neurona_version.empty()) {
    const Provenance& p = info.provenance;
    const json record = {{"neurona", p.neurona_version},
                         {"command", p.command_line},
                         {"seed", p.seed},
                         {"data", p.data_file},
                         {"data_crc32", p.data_crc32}};
    // A command line or path may hold bytes that are not UTF-8 (file names are any bytes); the
    // record is for people to read, so such a byte is shown as U+FFFD rather than refused.
    out += fmt::format("  \"provenance\": {},\n",
                       record.dump(-1, ' ', false, json::error_handler_t::replace));
  }
  return out;
}

}  // namespace

template <class T>
std::string model_to_json(const Network<T>& network, const ModelInfo& info) {
  // What read_model would refuse is refused here, before a file is written that none can read:
  // layers changed in place (a cross_entropy network given a sigmoid output), a parameter that is
  // not finite (JSON has no NaN), info that does not fit the network (three labels for two
  // outputs, a scaling of other columns). The info is read back as the reader reads it.
  try {
    network.check_shapes();
    Network<T>::check_topology(network.inputs(), network.layer_specs(), network.loss_type());
  } catch (const UsageError& e) {
    throw InputError(fmt::format("not written: {}", e.what()));
  }
  const auto& layers = network.layers();
  for (std::size_t l = 0; l < layers.size(); ++l)
    if (!detail::all_finite<T>(layers[l].W) || !layers[l].b.allFinite())
      throw InputError(fmt::format("not written: layer {} has a NaN or infinite parameter", l + 1));
  std::string info_text = info_to_json(info);
  if (!info_text.empty()) {
    const json fields = json::parse("{" + info_text.substr(0, info_text.rfind(',')) + "}");
    ModelReader("not written")
        .read_info(fields, {network.inputs(), network.outputs(), network.loss_type()});
  }
  // Reserved at once, rather than doubled as the text grows (which would hold the text twice):
  // each number's longest text and its ", ", each row of W's line break, indent and brackets,
  // the info and the fields around the layers.
  std::size_t rows = 0;
  for (const auto& layer : layers)
    rows += std::size_t(layer.W.rows());
  std::string out;
  out.reserve(std::size_t(network.parameter_count()) * model_text_per_number<T>() +
              rows * model_text_per_row + info_text.size() + 256 * layers.size() + 4096);
  out += fmt::format(
      "{{\n  \"format\": \"neurona\",\n  \"version\": {},\n  \"precision\": \"{}\",\n"
      "  \"inputs\": {},\n  \"loss\": \"{}\",\n{}  \"layers\": [",
      format_version, to_string(precision_of<T>()), network.inputs(),
      to_string(network.loss_type()), info_text);
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const auto& layer = layers[l];
    out += fmt::format(
        "{}\n    {{\n      \"units\": {},\n      \"activation\": \"{}\",\n      \"W\": [",
        l ? "," : "", layer.units(), to_string(layer.activation));
    for (Index i = 0; i < layer.W.rows(); ++i) {
      out += i ? ",\n        " : "\n        ";
      append_json_array(out, layer.W.row(i));
    }
    out += "\n      ],\n      \"b\": ";
    append_json_array(out, layer.b);
    out += "\n    }";
  }
  out += "\n  ]\n}\n";
  return out;
}

template <class T>
void write_model(const Network<T>& network, const fs::path& path, const ModelInfo& info) {
  std::string text;
  try {
    text = model_to_json(network, info);
  } catch (const InputError& e) {
    throw InputError(fmt::format("{}: {}", path.string(), e.what()));
  }
  write_file_atomically(path, text);
}

template std::string model_to_json<float>(const Network<float>&, const ModelInfo&);
template std::string model_to_json<double>(const Network<double>&, const ModelInfo&);
template void write_model<float>(const Network<float>&, const fs::path&, const ModelInfo&);
template void write_model<double>(const Network<double>&, const fs::path&, const ModelInfo&);

}  // namespace neurona
