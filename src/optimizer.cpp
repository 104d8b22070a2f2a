// sgd (GradientDescent), adam, adamw, rmsprop and rprop, each with torch.optim 1.13's update
// term for term, and make_optimizer, which builds any optimizer by name from its settings.
#include "neurona/optimizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <utility>

#include "neurona/error.hpp"
#include "optimizer_checks.hpp"

namespace neurona {

// Plain gradient descent comes first: the tutorial's update, to which docs/equations.md points.
template <class T>
void GradientDescent<T>::update(Network<T>& network, const std::function<double()>&) {
  if (momentum_ != 0 || weight_decay_ != 0) {
    update_with_momentum_or_decay(network);
    return;
  }
  for (auto& layer : network.layers()) {
    layer.W -= learning_rate_ * layer.dW;  // W <- W - alpha dE/dW
    layer.b -= learning_rate_ * layer.db;  // b <- b - alpha dE/db
  }
  ++steps_;
}

namespace {

template <class T>
using FlatArray = Eigen::Array<T, Eigen::Dynamic, 1>;

// W (row by row) or b as one column of its values, without a copy.
template <class T, int Rows, int Options>
Eigen::Map<FlatArray<T>> flat(Eigen::Matrix<T, Rows, Eigen::Dynamic, Options>& m) {
  return Eigen::Map<FlatArray<T>>(m.data(), m.size());
}

// Calls visit(p, g, at) for every parameter p of the network with its gradient g, both flat, in
// layer order W then b; `at` is where p starts in a buffer that holds all parameters in that order.
// In the updates that visit them, p, g and the buffers' segments are one parameter's values (n_in
// x n_out of a W, or 1 x n_out of a b, as columns) and every operation is element by element.
template <class T, class Visit>
void for_each_parameter(Network<T>& network, Visit visit) {
  Index at = 0;
  for (auto& layer : network.layers()) {
    visit(flat(layer.W), flat(layer.dW), at);
    at += layer.W.size();
    visit(flat(layer.b), flat(layer.db), at);
    at += layer.b.size();
  }
}

// Makes per-parameter buffers fit the network: zero-filled before the first step (the only time
// they are allocated); after it, a mismatch means a state loaded for another network.
template <class T>
void prepare(const Network<T>& network, long long steps, std::string_view optimizer,
             std::initializer_list<FlatArray<T>*> buffers) {
  const Index n = network.parameter_count();
  for (FlatArray<T>* buffer : buffers) {
    if (steps == 0) {
      if (buffer->size() != n) buffer->resize(n);
      buffer->setZero();
    } else if (buffer->size() != n) {
      throw InputError(fmt::format(
          "the {} optimizer's state holds {} values per buffer, but the {} network has {} "
          "parameters: the state belongs to another network",
          optimizer, buffer->size(), network.topology(), n));
    }
  }
}

// ---- settings ----

[[noreturn]] void out_of_range(std::string_view flag, std::string_view range, double value) {
  throw UsageError(fmt::format("{} must be {}, got {}", flag, range, value));
}

// [0, 1): momentum, betas, rmsprop's alpha.
void check_fraction(std::string_view flag, double value) {
  if (!(value >= 0 && value < 1)) out_of_range(flag, "in [0, 1)", value);
}

void check_epsilon(double epsilon) {
  if (!(epsilon > 0) || !std::isfinite(epsilon))
    out_of_range("--epsilon", "a positive number", epsilon);
}

// ---- state ----

template <class T>
std::vector<double> to_vector(const FlatArray<T>& buffer) {
  return std::vector<double>(buffer.begin(), buffer.end());
}

// The state's learning rate, after checking that the state is this optimizer's and holds exactly
// learning_rate and the named buffers (only learning_rate before the first step), all of one
// length and finite; copies the buffers in.
template <class T>
double read_state(const OptimizerState& state, std::string_view optimizer,
                  std::initializer_list<std::pair<std::string_view, FlatArray<T>*>> buffers) {
  if (state.name != optimizer)
    throw InputError(fmt::format("the optimizer state is {}'s, not {}'s", state.name, optimizer));
  check_state_steps(optimizer, state.steps);
  std::vector<std::string> expected{"learning_rate"}, found;
  if (state.steps > 0)
    for (const auto& [name, buffer] : buffers)
      expected.emplace_back(name);
  std::sort(expected.begin(), expected.end());
  for (const auto& [name, values] : state.buffers)
    found.push_back(name);  // sorted: a std::map
  if (found != expected)
    throw InputError(fmt::format("the {} state after {} steps holds buffers {}; expected {}",
                                 optimizer, state.steps, fmt::join(found, ", "),
                                 fmt::join(expected, ", ")));
  const std::vector<double>& rate = state.buffers.at("learning_rate");
  if (rate.size() != 1 || !(rate[0] >= 0) || !std::isfinite(rate[0]))
    throw InputError(fmt::format(
        "the {} state's learning_rate must be one number, 0 or more (a schedule may reach 0)",
        optimizer));
  if (state.steps == 0 || buffers.size() == 0) return rate[0];
  const std::string_view first = buffers.begin()->first;
  const std::size_t length = state.buffers.at(std::string(first)).size();
  if (length == 0) throw InputError(fmt::format("the {} state's {} is empty", optimizer, first));
  for (const auto& [name, buffer] : buffers) {
    const std::vector<double>& values = state.buffers.at(std::string(name));
    if (values.size() != length)
      throw InputError(
          fmt::format("the {} state's buffers {} and {} hold {} and {} values; they "
                      "must hold one value per parameter",
                      optimizer, first, name, length, values.size()));
    if (!std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }))
      throw InputError(
          fmt::format("the {} state's buffer {} holds NaN or infinity", optimizer, name));
    *buffer = Eigen::Map<const Eigen::ArrayXd>(values.data(), Index(length)).cast<T>();
  }
  check_state_values(state, fmt::format("the {} state's ", optimizer));
  return rate[0];
}

}  // namespace

void check_state_values(const OptimizerState& state, std::string_view where) {
  struct Bound {
    std::string_view optimizer, buffer;
    bool above_zero;  // > 0, or else >= 0
    std::string_view why;
  };
  // Each follows from the update that writes the buffer; a value beyond it is a damaged state,
  // which would go on as NaN (the square root of a negative) or as a step the wrong way.
  static constexpr Bound bounds[] = {
      {"adam", "exp_avg_sq", false, "a running average of squared gradients"},
      {"adamw", "exp_avg_sq", false, "a running average of squared gradients"},
      {"rmsprop", "square_avg", false, "a running average of squared gradients"},
      {"rprop", "step_size", false,
       "a step size, clamped at each step to --step-min, which is 0 or more"},
      {"lbfgs", "ro", true, "1 / y.s of a correction, kept only where y.s > 1e-10"},
      {"lbfgs", "H_diag", true, "y.s / y.y of the last correction kept, or 1"},
      {"lbfgs", "t", false, "the step length of the last line search"},
  };
  for (const Bound& bound : bounds) {
    if (state.name != bound.optimizer) continue;
    const auto found = state.buffers.find(std::string(bound.buffer));
    if (found == state.buffers.end()) continue;
    const std::vector<double>& values = found->second;
    for (std::size_t i = 0; i < values.size(); ++i)
      if (bound.above_zero ? !(values[i] > 0) : !(values[i] >= 0))
        throw InputError(fmt::format("{}{}[{}]: expected {} ({}), got {}", where, bound.buffer, i,
                                     bound.above_zero ? "more than 0" : "0 or more", bound.why,
                                     values[i]));
  }
}

// ---- sgd ----

template <class T>
GradientDescent<T>::GradientDescent(T learning_rate) : learning_rate_(learning_rate) {
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    throw UsageError(
        fmt::format("the learning rate must be a positive number, got {}", learning_rate));
}

template <class T>
GradientDescent<T>::GradientDescent(const OptimizerSettings& settings)
    : learning_rate_(T(learning_rate_of(settings))),
      momentum_(T(settings.momentum)),
      nesterov_(settings.nesterov),
      weight_decay_(T(settings.weight_decay)) {
  check_fraction("--momentum", settings.momentum);
  if (settings.nesterov && !(settings.momentum > 0))
    throw UsageError("--nesterov needs --momentum above 0");
  check_weight_decay(settings.weight_decay);
  if constexpr (std::is_same_v<T, float>) check_float_settings(settings);  // after its own checks
}

// torch.optim.SGD, dampening 0, with lambda the weight decay and mu the momentum:
//   d = g + lambda p;  v <- mu v + d (v = d at the first step);  p <- p - alpha v,
//   or with Nesterov p <- p - alpha (d + mu v).
template <class T>
void GradientDescent<T>::update_with_momentum_or_decay(Network<T>& network) {
  if (momentum_ != 0) prepare(network, steps_, name(), {&velocity_});
  const T alpha = learning_rate_, lambda = weight_decay_, mu = momentum_;
  const bool first = steps_ == 0;
  for_each_parameter(network, [&](auto p, auto g, Index at) {
    const auto d = g + lambda * p;
    if (momentum_ == 0) {
      p -= alpha * d;
      return;
    }
    auto v = velocity_.segment(at, p.size());
    if (first)
      v = d;
    else
      v = v * mu + d;
    if (nesterov_)
      p -= alpha * (d + mu * v);
    else
      p -= alpha * v;
  });
  ++steps_;
}

template <class T>
void GradientDescent<T>::set_learning_rate(double rate) {
  check_scheduled_rate(rate);
  learning_rate_ = T(rate);
}

template <class T>
OptimizerState GradientDescent<T>::state() const {
  OptimizerState state{"sgd", steps_, {{"learning_rate", {double(learning_rate_)}}}};
  if (momentum_ != 0 && steps_ > 0) state.buffers["momentum_buffer"] = to_vector(velocity_);
  return state;
}

template <class T>
void GradientDescent<T>::load_state(const OptimizerState& state) {
  FlatArray<T> velocity;
  const double rate = momentum_ != 0
                          ? read_state<T>(state, name(), {{"momentum_buffer", &velocity}})
                          : read_state<T>(state, name(), {});
  learning_rate_ = T(rate);
  steps_ = state.steps;
  velocity_ = std::move(velocity);
}

// ---- adam, adamw ----

template <class T>
Adam<T>::Adam(const OptimizerSettings& settings, bool decoupled_weight_decay)
    : learning_rate_(learning_rate_of(settings)),
      beta1_(settings.beta1),
      beta2_(settings.beta2),
      epsilon_(settings.epsilon),
      weight_decay_(settings.weight_decay),
      decoupled_(decoupled_weight_decay) {
  check_fraction("--beta1", settings.beta1);
  check_fraction("--beta2", settings.beta2);
  check_epsilon(settings.epsilon);
  check_weight_decay(settings.weight_decay);
  if constexpr (std::is_same_v<T, float>) check_float_settings(settings);  // after its own checks
}

// torch.optim.Adam / AdamW at step k, with g the gradient and lambda the weight decay:
//   adamw: p <- p (1 - alpha lambda);  adam: g <- g + lambda p
//   m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
//   p <- p - alpha / (1 - beta1^k) m / (sqrt(v) / sqrt(1 - beta2^k) + epsilon)
template <class T>
void Adam<T>::update(Network<T>& network, const std::function<double()>&) {
  prepare(network, steps_, name(), {&m_, &v_});
  ++steps_;
  const double k = double(steps_);
  const T step_size = T(learning_rate_ / (1 - std::pow(beta1_, k)));
  const T correction2_sqrt = T(std::sqrt(1 - std::pow(beta2_, k)));
  const T beta1 = T(beta1_), beta2 = T(beta2_), epsilon = T(epsilon_);
  const T decay = T(1 - learning_rate_ * weight_decay_);  // adamw's factor
  const T lambda = decoupled_ ? T(0) : T(weight_decay_);  // adam's L2 term
  for_each_parameter(network, [&](auto p, auto g, Index at) {
    auto m = m_.segment(at, p.size());
    auto v = v_.segment(at, p.size());
    if (decoupled_) p *= decay;
    const auto d = g + lambda * p;
    m = m * beta1 + T(1 - beta1_) * d;
    v = v * beta2 + T(1 - beta2_) * d * d;
    p += -step_size * m / (v.sqrt() / correction2_sqrt + epsilon);
  });
}

template <class T>
void Adam<T>::set_learning_rate(double rate) {
  check_scheduled_rate(rate);
  learning_rate_ = rate;
}

template <class T>
OptimizerState Adam<T>::state() const {
  OptimizerState state{std::string(name()), steps_, {{"learning_rate", {learning_rate_}}}};
  if (steps_ > 0) {
    state.buffers["exp_avg"] = to_vector(m_);
    state.buffers["exp_avg_sq"] = to_vector(v_);
  }
  return state;
}

template <class T>
void Adam<T>::load_state(const OptimizerState& state) {
  FlatArray<T> m, v;
  learning_rate_ = read_state<T>(state, name(), {{"exp_avg", &m}, {"exp_avg_sq", &v}});
  steps_ = state.steps;
  m_ = std::move(m);
  v_ = std::move(v);
}

// ---- rmsprop ----

template <class T>
RMSprop<T>::RMSprop(const OptimizerSettings& settings)
    : learning_rate_(learning_rate_of(settings)),
      alpha_(settings.alpha),
      epsilon_(settings.epsilon),
      momentum_(settings.momentum),
      weight_decay_(settings.weight_decay) {
  check_fraction("--rmsprop-alpha", settings.alpha);
  check_epsilon(settings.epsilon);
  check_fraction("--momentum", settings.momentum);
  check_weight_decay(settings.weight_decay);
  if constexpr (std::is_same_v<T, float>) check_float_settings(settings);  // after its own checks
}

// torch.optim.RMSprop, not centered, with rho its alpha (the smoothing) and mu the momentum:
//   g <- g + lambda p;  s <- rho s + (1 - rho) g^2
//   p <- p - alpha g / (sqrt(s) + epsilon),  or with momentum
//   v <- mu v + g / (sqrt(s) + epsilon);  p <- p - alpha v
template <class T>
void RMSprop<T>::update(Network<T>& network, const std::function<double()>&) {
  if (momentum_ > 0)
    prepare(network, steps_, name(), {&square_average_, &velocity_});
  else
    prepare(network, steps_, name(), {&square_average_});
  ++steps_;
  const T alpha = T(learning_rate_), rho = T(alpha_), epsilon = T(epsilon_);
  const T lambda = T(weight_decay_), mu = T(momentum_);
  for_each_parameter(network, [&](auto p, auto g, Index at) {
    auto s = square_average_.segment(at, p.size());
    const auto d = g + lambda * p;
    s = s * rho + T(1 - alpha_) * d * d;
    if (momentum_ > 0) {
      auto v = velocity_.segment(at, p.size());
      v = v * mu + d / (s.sqrt() + epsilon);
      p -= alpha * v;
    } else {
      p += -alpha * d / (s.sqrt() + epsilon);
    }
  });
}

template <class T>
void RMSprop<T>::set_learning_rate(double rate) {
  check_scheduled_rate(rate);
  learning_rate_ = rate;
}

template <class T>
OptimizerState RMSprop<T>::state() const {
  OptimizerState state{"rmsprop", steps_, {{"learning_rate", {learning_rate_}}}};
  if (steps_ > 0) {
    state.buffers["square_avg"] = to_vector(square_average_);
    if (momentum_ > 0) state.buffers["momentum_buffer"] = to_vector(velocity_);
  }
  return state;
}

template <class T>
void RMSprop<T>::load_state(const OptimizerState& state) {
  FlatArray<T> s, v;
  learning_rate_ = momentum_ > 0
                       ? read_state<T>(state, name(), {{"square_avg", &s}, {"momentum_buffer", &v}})
                       : read_state<T>(state, name(), {{"square_avg", &s}});
  steps_ = state.steps;
  square_average_ = std::move(s);
  velocity_ = std::move(v);
}

// ---- rprop ----

template <class T>
Rprop<T>::Rprop(const OptimizerSettings& settings)
    : learning_rate_(learning_rate_of(settings)),
      eta_minus_(settings.eta_minus),
      eta_plus_(settings.eta_plus),
      step_min_(settings.step_min),
      step_max_(settings.step_max),
      weight_decay_(settings.weight_decay) {
  if (!(settings.eta_minus > 0 && settings.eta_minus < 1))
    out_of_range("--eta-minus", "in (0, 1)", settings.eta_minus);
  if (!(settings.eta_plus > 1) || !std::isfinite(settings.eta_plus))
    out_of_range("--eta-plus", "above 1", settings.eta_plus);
  if (!(settings.step_min >= 0) || !std::isfinite(settings.step_min))
    out_of_range("--step-min", "0 or more", settings.step_min);
  if (!(settings.step_max > 0 && settings.step_max >= settings.step_min) ||
      !std::isfinite(settings.step_max))
    out_of_range("--step-max",
                 fmt::format("positive and at least --step-min ({})", settings.step_min),
                 settings.step_max);
  check_weight_decay(settings.weight_decay);
  if constexpr (std::is_same_v<T, float>) check_float_settings(settings);  // after its own checks
}

// torch.optim.Rprop (iRPROP-), parameter by parameter, with Delta the parameter's own step
// (the learning rate before the first step) and g_prev the gradient taken at the last step:
//   g <- g + lambda p
//   g g_prev > 0:  Delta <- min(eta_plus Delta, Delta_max)
//   g g_prev < 0:  Delta <- max(eta_minus Delta, Delta_min),  g <- 0 (no move; no flip next time)
//   p <- p - sign(g) Delta;  g_prev <- g
template <class T>
void Rprop<T>::update(Network<T>& network, const std::function<double()>&) {
  const bool first = steps_ == 0;
  prepare(network, steps_, name(), {&previous_, &step_sizes_});
  if (first) step_sizes_.setConstant(T(learning_rate_));
  ++steps_;
  const T lambda = T(weight_decay_), eta_minus = T(eta_minus_), eta_plus = T(eta_plus_);
  const T step_min = T(step_min_), step_max = T(step_max_);
  for_each_parameter(network, [&](auto p, auto g, Index at) {
    for (Index i = 0; i < p.size(); ++i) {
      T gradient = g[i] + lambda * p[i];
      T& Delta = step_sizes_[at + i];
      T& previous = previous_[at + i];
      const T agreement = gradient * previous;
      // As torch, the step is clamped at every step, the first one included.
      const T factor = agreement > 0 ? eta_plus : agreement < 0 ? eta_minus : T(1);
      Delta = std::clamp(Delta * factor, step_min, step_max);
      if (agreement < 0) gradient = 0;
      const T sign = T((gradient > 0) - (gradient < 0));
      p[i] -= sign * Delta;
      previous = gradient;
    }
  });
}

template <class T>
void Rprop<T>::set_learning_rate(double rate) {
  check_scheduled_rate(rate);
  learning_rate_ = rate;
}

template <class T>
OptimizerState Rprop<T>::state() const {
  OptimizerState state{"rprop", steps_, {{"learning_rate", {learning_rate_}}}};
  if (steps_ > 0) {
    state.buffers["prev"] = to_vector(previous_);
    state.buffers["step_size"] = to_vector(step_sizes_);
  }
  return state;
}

template <class T>
void Rprop<T>::load_state(const OptimizerState& state) {
  FlatArray<T> previous, steps;
  learning_rate_ = read_state<T>(state, name(), {{"prev", &previous}, {"step_size", &steps}});
  // Every step clamps every step size to these, in T as update does; another range is another
  // run's flags.
  for (Index i = 0; i < steps.size(); ++i)
    if (!(steps[i] >= T(step_min_) && steps[i] <= T(step_max_)))
      throw InputError(fmt::format(
          "the rprop state's step_size[{}] is {}, outside --step-min {} to --step-max {}", i,
          steps[i], step_min_, step_max_));
  steps_ = state.steps;
  previous_ = std::move(previous);
  step_sizes_ = std::move(steps);
}

// ---- by name ----

double default_learning_rate(std::string_view name) {
  if (name == "sgd") return 0.5;
  if (name == "adam" || name == "adamw") return 1e-3;
  if (name == "rmsprop") return 1e-2;
  if (name == "rprop") return 0.1;
  if (name == "lbfgs") return 1;
  throw UsageError(fmt::format("--optimizer must be one of {}, got \"{}\"",
                               fmt::join(optimizer_names, ", "), name));
}

namespace {

// Throws UsageError for a setting left away from its default that `name` would ignore, so that a
// flag is never silently without effect.
void check_only_used_settings(const OptimizerSettings& s) {
  const OptimizerSettings d;
  struct Setting {
    const char* flag;
    bool changed;
    std::initializer_list<std::string_view> used_by;
  };
  const Setting settings[] = {
      {"--momentum", s.momentum != d.momentum, {"sgd", "rmsprop"}},
      {"--nesterov", s.nesterov != d.nesterov, {"sgd"}},
      {"--beta1", s.beta1 != d.beta1, {"adam", "adamw"}},
      {"--beta2", s.beta2 != d.beta2, {"adam", "adamw"}},
      {"--epsilon", s.epsilon != d.epsilon, {"adam", "adamw", "rmsprop"}},
      {"--rmsprop-alpha", s.alpha != d.alpha, {"rmsprop"}},
      {"--eta-minus", s.eta_minus != d.eta_minus, {"rprop"}},
      {"--eta-plus", s.eta_plus != d.eta_plus, {"rprop"}},
      {"--step-min", s.step_min != d.step_min, {"rprop"}},
      {"--step-max", s.step_max != d.step_max, {"rprop"}},
      {"--lbfgs-history", s.history != d.history, {"lbfgs"}},
  };
  for (const Setting& setting : settings)
    if (setting.changed &&
        std::find(setting.used_by.begin(), setting.used_by.end(), s.name) == setting.used_by.end())
      throw UsageError(fmt::format("{} does not apply to --optimizer {}; it is used by {}",
                                   setting.flag, s.name, fmt::join(setting.used_by, ", ")));
}

}  // namespace

void check_holds_in_float(std::string_view flag, double value) {
  const float in_float = float(value);
  if (!std::isfinite(in_float) || (value != 0 && in_float == 0))
    throw UsageError(
        fmt::format("{} {} is {} in float (--precision float); give a value from "
                    "about 1e-38 to 3e38, or train in double",
                    flag, value, in_float));
}

// A float network's settings: Adam with --epsilon 1e39 (inf) learns nothing, and --lr 1e-46 is 0.
void check_float_settings(const OptimizerSettings& s) {
  const std::pair<const char*, double> settings[] = {
      {"--lr", learning_rate_of(s)},      {"--momentum", s.momentum},
      {"--weight-decay", s.weight_decay}, {"--epsilon", s.epsilon},
      {"--eta-minus", s.eta_minus},       {"--eta-plus", s.eta_plus},
      {"--step-min", s.step_min},         {"--step-max", s.step_max}};
  for (const auto& [flag, value] : settings)
    check_holds_in_float(flag, value);
}

template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSettings& settings) {
  default_learning_rate(settings.name);  // throws for an unknown name, listing the names
  check_only_used_settings(settings);
  const std::string& name = settings.name;
  std::unique_ptr<Optimizer<T>> optimizer;
  if (name == "sgd")
    optimizer = std::make_unique<GradientDescent<T>>(settings);
  else if (name == "adam")
    optimizer = std::make_unique<Adam<T>>(settings, false);
  else if (name == "adamw")
    optimizer = std::make_unique<Adam<T>>(settings, true);
  else if (name == "rmsprop")
    optimizer = std::make_unique<RMSprop<T>>(settings);
  else if (name == "rprop")
    optimizer = std::make_unique<Rprop<T>>(settings);
  else
    optimizer = std::make_unique<LBFGS<T>>(settings);
  return optimizer;
}

template class GradientDescent<float>;
template class GradientDescent<double>;
template class Adam<float>;
template class Adam<double>;
template class RMSprop<float>;
template class RMSprop<double>;
template class Rprop<float>;
template class Rprop<double>;
template std::unique_ptr<Optimizer<float>> make_optimizer<float>(const OptimizerSettings&);
template std::unique_ptr<Optimizer<double>> make_optimizer<double>(const OptimizerSettings&);

}  // namespace neurona
