// lbfgs: torch.optim.LBFGS with line_search_fn="strong_wolfe" and one iteration per step: a
// direction from the two-loop recursion over the last corrections, then a step length along it
// that meets the strong Wolfe conditions. Parameters are one flat vector p (W row by row, then b,
// layer by layer), n long; g is the gradient of f = E + lambda/2 |p|^2 there.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>
#include <type_traits>

#include "neurona/error.hpp"
#include "neurona/optimizer.hpp"
#include "optimizer_checks.hpp"

namespace neurona {
namespace {

// torch's defaults.
constexpr double tolerance_grad = 1e-7;    // no step once max |g| is this small: a minimum
constexpr double tolerance_change = 1e-9;  // smallest descent g.d and line-search bracket
constexpr double c1 = 1e-4;                // sufficient decrease: f(t) <= f + c1 t g.d
constexpr double c2 = 0.9;                 // curvature: |g(t).d| <= c2 |g.d|
constexpr int max_line_search = 25;        // evaluations of f after the first, in one search
constexpr double min_curvature = 1e-10;    // a correction with y.s below this is skipped

// Copies between the network and a flat vector of n values, in layer order W then b.
template <class T, class Vector>
void gather(const Network<T>& network, bool gradient, Vector& out) {
  out.resize(network.parameter_count());
  Index at = 0;
  for (const auto& layer : network.layers()) {
    const auto& W = gradient ? layer.dW : layer.W;
    const auto& b = gradient ? layer.db : layer.b;
    out.segment(at, W.size()) = Eigen::Map<const Vector>(W.data(), W.size());
    at += W.size();
    out.segment(at, b.size()) = Eigen::Map<const Vector>(b.data(), b.size());
    at += b.size();
  }
}

template <class T, class Vector>
void scatter(const Vector& p, Network<T>& network) {
  Index at = 0;
  for (auto& layer : network.layers()) {
    Eigen::Map<Vector>(layer.W.data(), layer.W.size()) = p.segment(at, layer.W.size());
    at += layer.W.size();
    Eigen::Map<Vector>(layer.b.data(), layer.b.size()) = p.segment(at, layer.b.size());
    at += layer.b.size();
  }
}

// torch's _cubic_interpolate: the minimiser of the cubic through (x1, f1) and (x2, f2) with
// slopes g1 and g2, kept within [lo, hi]; their midpoint when the cubic has no minimum.
double cubic_minimum(double x1, double f1, double g1, double x2, double f2, double g2, double lo,
                     double hi) {
  const double d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2);
  const double d2_square = d1 * d1 - g1 * g2;
  if (!(d2_square >= 0)) return (lo + hi) / 2;
  const double d2 = std::sqrt(d2_square);
  const double minimum = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                  : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return std::min(std::max(minimum, lo), hi);
}

double cubic_minimum(double x1, double f1, double g1, double x2, double f2, double g2) {
  return cubic_minimum(x1, f1, g1, x2, f2, g2, std::min(x1, x2), std::max(x1, x2));
}

}  // namespace

template <class T>
LBFGS<T>::LBFGS(const OptimizerSettings& settings)
    : learning_rate_(learning_rate_of(settings)),
      weight_decay_(settings.weight_decay),
      history_(settings.history) {
  check_weight_decay(settings.weight_decay);
  if (settings.history < 1)
    throw UsageError(fmt::format("--lbfgs-history must be 1 or more, got {}", settings.history));
  if constexpr (std::is_same_v<T, float>) check_float_settings(settings);  // after its own checks
}

template <class T>
double LBFGS<T>::objective(Network<T>& network, const std::function<double()>& evaluate,
                           Vector& g) {
  double f = evaluate();
  gather(network, true, g);
  if (weight_decay_ != 0) {
    f += weight_decay_ / 2 * double(p_.squaredNorm());  // + lambda/2 |p|^2
    g += T(weight_decay_) * p_;                         // + lambda p
  }
  return f;
}

template <class T>
std::pair<double, double> LBFGS<T>::along(Network<T>& network,
                                          const std::function<double()>& evaluate, double t) {
  p_ = x_ + T(t) * d_;
  scatter(p_, network);
  const double f = objective(network, evaluate, g_trial_);
  const double gtd = double(g_trial_.dot(d_));
  p_ = x_;
  scatter(p_, network);
  return {f, gtd};
}

// torch's _strong_wolfe, ported from lswolfe.lua. First a bracket: t grows (by cubic
// extrapolation, at most 10 times) until f rises, the slope turns, or both conditions hold; then
// zoom: cubic interpolation inside the bracket, kept 10% away from its ends when progress stalls.
template <class T>
double LBFGS<T>::strong_wolfe(Network<T>& network, const std::function<double()>& evaluate,
                              double t, double f, double gtd) {
  const double d_norm = double(d_.cwiseAbs().maxCoeff());
  auto [f_new, gtd_new] = along(network, evaluate, t);
  double t_prev = 0, f_prev = f, gtd_prev = gtd;
  double bracket[2], bracket_f[2], bracket_gtd[2];
  bool done = false;
  int size = 0;   // points in the bracket: 1 when t already meets both conditions
  int tries = 0;  // evaluations after the first, torch's ls_iter
  auto bracket_last_two = [&] {
    bracket[0] = t_prev, bracket_f[0] = f_prev, bracket_gtd[0] = gtd_prev;
    bracket[1] = t, bracket_f[1] = f_new, bracket_gtd[1] = gtd_new;
    size = 2;
  };
  while (tries < max_line_search) {
    if (f_new > f + c1 * t * gtd || (tries > 1 && f_new >= f_prev)) {  // too far: f rose
      bracket_last_two();
      break;
    }
    if (std::abs(gtd_new) <= -c2 * gtd) {  // both conditions hold at t
      bracket[0] = t, bracket_f[0] = f_new;
      size = 1;
      done = true;
      break;
    }
    if (gtd_new >= 0) {  // past a minimum: the slope turned
      bracket_last_two();
      break;
    }
    const double t_was = t;
    t = cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, t + 0.01 * (t - t_prev), t * 10);
    t_prev = t_was, f_prev = f_new, gtd_prev = gtd_new;
    std::tie(f_new, gtd_new) = along(network, evaluate, t);
    ++tries;
  }
  if (tries == max_line_search) {
    bracket[0] = 0, bracket_f[0] = f;
    bracket[1] = t, bracket_f[1] = f_new;
    size = 2;
  }
  // With one point, it is the low one.
  int low = size == 1 || bracket_f[0] <= bracket_f[1] ? 0 : 1, high = 1 - low;
  bool insufficient_progress = false;
  while (!done && tries < max_line_search) {
    if (std::abs(bracket[1] - bracket[0]) * d_norm < tolerance_change) break;
    t = cubic_minimum(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1],
                      bracket_gtd[1]);
    const double lo = std::min(bracket[0], bracket[1]), hi = std::max(bracket[0], bracket[1]);
    const double margin = 0.1 * (hi - lo);
    if (std::min(hi - t, t - lo) < margin) {
      if (insufficient_progress || t >= hi || t <= lo) {
        t = std::abs(t - hi) < std::abs(t - lo) ? hi - margin : lo + margin;
        insufficient_progress = false;
      } else {
        insufficient_progress = true;
      }
    } else {
      insufficient_progress = false;
    }
    std::tie(f_new, gtd_new) = along(network, evaluate, t);
    ++tries;
    if (f_new > f + c1 * t * gtd || f_new >= bracket_f[low]) {
      bracket[high] = t, bracket_f[high] = f_new, bracket_gtd[high] = gtd_new;
      low = bracket_f[0] <= bracket_f[1] ? 0 : 1;
      high = 1 - low;
    } else {
      if (std::abs(gtd_new) <= -c2 * gtd) {
        done = true;
      } else if (gtd_new * (bracket[high] - bracket[low]) >= 0) {
        bracket[high] = bracket[low], bracket_f[high] = bracket_f[low];
        bracket_gtd[high] = bracket_gtd[low];
      }
      bracket[low] = t, bracket_f[low] = f_new, bracket_gtd[low] = gtd_new;
    }
  }
  return bracket[low];
}

// One iteration of torch.optim.LBFGS.step (max_iter = 1):
//   k = 1:  d = -g
//   k > 1:  s = t d_prev,  y = g - g_prev; kept (the oldest dropped past --history) if y.s > 1e-10
//           d = -H g by the two-loop recursion, H the inverse Hessian built from the kept (s, y)
//           on H_0 = (s.y / y.y) I
//   t from the strong Wolfe line search, starting at alpha (at k = 1, alpha min(1, 1/|g|_1));
//   p <- p + t d
template <class T>
void LBFGS<T>::update(Network<T>& network, const std::function<double()>& evaluate) {
  if (!evaluate)
    throw UsageError(
        "L-BFGS needs the full batch loss: call step(network, evaluate) with an `evaluate` that "
        "recomputes forward, loss and backward on the batch and returns the loss");
  const Index n = network.parameter_count();
  if (iterations_ > 0 && d_.size() != n)
    throw InputError(fmt::format(
        "the lbfgs optimizer's state holds vectors of {} values, but the {} network has {} "
        "parameters: the state belongs to another network",
        d_.size(), network.topology(), n));
  gather(network, false, x_);
  p_ = x_;
  const double f = objective(network, evaluate, g_);
  if (g_.cwiseAbs().maxCoeff() <= T(tolerance_grad)) return;  // a minimum: nothing to do

  ++iterations_;
  if (iterations_ == 1) {
    d_ = -g_;
    s_.clear();
    y_.clear();
    rho_.clear();
    H_diag_ = 1;
  } else {
    y_new_ = g_ - previous_g_;
    s_new_ = d_ * T(t_);
    const double ys = double(y_new_.dot(s_new_));
    if (ys > min_curvature) {
      if (int(s_.size()) == history_) {  // forget the oldest, reusing its storage
        std::rotate(s_.begin(), s_.begin() + 1, s_.end());
        std::rotate(y_.begin(), y_.begin() + 1, y_.end());
        std::rotate(rho_.begin(), rho_.begin() + 1, rho_.end());
        std::swap(s_.back(), s_new_);
        std::swap(y_.back(), y_new_);
        rho_.back() = 1 / ys;
      } else {
        s_.push_back(s_new_);
        y_.push_back(y_new_);
        rho_.push_back(1 / ys);
      }
      H_diag_ = ys / double(y_.back().squaredNorm());
    }
    // Two-loop recursion, newest correction first, then oldest first: d = -H g.
    const std::size_t kept = s_.size();
    // Grown with the corrections, as s_ and y_ are: --lbfgs-history 200000000 reserved 1.6 GB up
    // front for a network that keeps ten.
    if (a_.size() < kept) a_.resize(kept);
    d_ = -g_;
    for (std::size_t i = kept; i-- > 0;) {
      a_[i] = double(s_[i].dot(d_)) * rho_[i];
      d_ += T(-a_[i]) * y_[i];
    }
    d_ *= T(H_diag_);
    for (std::size_t i = 0; i < kept; ++i) {
      const double b = double(y_[i].dot(d_)) * rho_[i];
      d_ += T(a_[i] - b) * s_[i];
    }
  }
  previous_g_ = g_;

  double t = iterations_ == 1 ? std::min(1.0, 1.0 / double(g_.cwiseAbs().sum())) * learning_rate_
                              : learning_rate_;
  const double gtd = double(g_.dot(d_));  // the slope of f along d; below 0 for a descent
  // At a rate of 0 (a schedule's end) there is no step to search for: the line search would
  // spend its evaluations of the full batch finding t = 0.
  if (gtd > -tolerance_change || t == 0) {
    t_ = t;
    return;
  }
  t = strong_wolfe(network, evaluate, t, f, gtd);
  t_ = t;
  p_ = x_ + T(t) * d_;
  scatter(p_, network);
}

template <class T>
void LBFGS<T>::set_learning_rate(double rate) {
  check_scheduled_rate(rate);
  learning_rate_ = rate;
}

template <class T>
OptimizerState LBFGS<T>::state() const {
  OptimizerState state{"lbfgs", iterations_, {{"learning_rate", {learning_rate_}}}};
  if (iterations_ == 0) return state;
  auto values = [](const Vector& v) { return std::vector<double>(v.begin(), v.end()); };
  auto join = [](const std::vector<Vector>& vectors) {
    std::vector<double> all;
    all.reserve(vectors.empty() ? 0 : vectors.size() * std::size_t(vectors.front().size()));
    for (const Vector& v : vectors)
      all.insert(all.end(), v.begin(), v.end());
    return all;
  };
  state.buffers["d"] = values(d_);
  state.buffers["prev_flat_grad"] = values(previous_g_);
  state.buffers["t"] = {t_};
  state.buffers["H_diag"] = {H_diag_};
  state.buffers["old_stps"] = join(s_);
  state.buffers["old_dirs"] = join(y_);
  state.buffers["ro"] = rho_;
  return state;
}

template <class T>
void LBFGS<T>::load_state(const OptimizerState& state) {
  auto refuse = [](const std::string& what) {
    throw InputError(fmt::format("the lbfgs state {}", what));
  };
  if (state.name != "lbfgs")
    throw InputError(fmt::format("the optimizer state is {}'s, not lbfgs's", state.name));
  check_state_steps("lbfgs", state.steps);
  for (const auto& [name, values] : state.buffers)
    if (!std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); }))
      refuse(fmt::format("buffer {} holds NaN or infinity", name));
  check_state_values(state, "the lbfgs state's ");
  auto buffer = [&](const std::string& name) -> const std::vector<double>& {
    const auto found = state.buffers.find(name);
    if (found == state.buffers.end()) refuse("has no buffer " + name);
    return found->second;
  };
  const std::vector<double>& rate = buffer("learning_rate");
  if (rate.size() != 1 || !(rate[0] >= 0) || !std::isfinite(rate[0]))
    refuse("needs learning_rate, one number, 0 or more (a schedule may reach 0)");
  const std::size_t expected = state.steps > 0 ? 8 : 1;
  if (state.buffers.size() != expected)
    refuse(fmt::format("after {} steps holds {} buffers, expected {}", state.steps,
                       state.buffers.size(), expected));

  long long iterations = state.steps;
  double t = 0, H_diag = 1;
  Vector d, previous_g;
  std::vector<Vector> s, y;
  std::vector<double> rho;
  if (iterations > 0) {
    const std::vector<double>& d_values = buffer("d");
    const std::size_t n = d_values.size();
    if (n == 0) refuse("has an empty direction d");
    if (buffer("prev_flat_grad").size() != n) refuse("has prev_flat_grad and d of other lengths");
    if (buffer("t").size() != 1 || buffer("H_diag").size() != 1)
      refuse("needs t and H_diag, one number each");
    rho = buffer("ro");
    if (rho.size() > std::size_t(history_))
      refuse(fmt::format("holds {} corrections, more than --history {}", rho.size(), history_));
    for (const char* name : {"old_stps", "old_dirs"})
      if (buffer(name).size() != rho.size() * n)
        refuse(fmt::format("buffer {} holds {} values, expected {} corrections of {}", name,
                           buffer(name).size(), rho.size(), n));
    auto vector = [&](const std::vector<double>& values, std::size_t at) -> Vector {
      return Eigen::Map<const Eigen::VectorXd>(values.data() + at, Index(n)).cast<T>();
    };
    d = vector(d_values, 0);
    previous_g = vector(buffer("prev_flat_grad"), 0);
    for (std::size_t i = 0; i < rho.size(); ++i) {
      s.push_back(vector(buffer("old_stps"), i * n));
      y.push_back(vector(buffer("old_dirs"), i * n));
    }
    t = buffer("t")[0];
    H_diag = buffer("H_diag")[0];
  }
  learning_rate_ = rate[0];
  iterations_ = iterations;
  t_ = t;
  H_diag_ = H_diag;
  d_ = std::move(d);
  previous_g_ = std::move(previous_g);
  s_ = std::move(s);
  y_ = std::move(y);
  rho_ = std::move(rho);
}

template class LBFGS<float>;
template class LBFGS<double>;

}  // namespace neurona
