// Optimizers: each step updates every W and b from the dW and db of the last backward pass.
// One interface for all, as torch.optim's: sgd (momentum, Nesterov), adam, adamw, rmsprop, rprop
// (iRPROP-) and lbfgs, built by name with make_optimizer. Each follows torch.optim 1.13's formulas.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "neurona/matrix.hpp"
#include "neurona/network.hpp"

namespace neurona {

// What an optimizer carries from step to step, for checkpoints. Buffers hold flat copies of the
// per-parameter state in layer order (W row by row, then b), plus "learning_rate" (one value),
// which load_state restores as torch's load_state_dict does.
struct OptimizerState {
  std::string name;
  long long steps = 0;
  std::map<std::string, std::vector<double>> buffers;
};

// The most steps a state may count, which load_state checks: 2^53, the last count a double holds
// exactly (Adam's bias corrections take the step as one). At a step a microsecond that is 285
// years of training; a state beyond it is damaged, and its ++steps would overflow.
inline constexpr long long max_optimizer_steps = 1LL << 53;

template <class T>
class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Updates every W and b from dW and db of the last backward pass. `evaluate`, when given,
  // recomputes forward, loss and backward on the same batch at the network's current parameters
  // and returns the loss; only optimizers that search along a direction (L-BFGS) call it. Throws
  // what network.check_shapes() throws first: each dW is read beside its W.
  void step(Network<T>& network, const std::function<double()>& evaluate = {}) {
    network.check_shapes();
    update(network, evaluate);
  }

  // "sgd", "adam", "adamw", "rmsprop", "rprop" or "lbfgs".
  virtual std::string_view name() const = 0;
  virtual double learning_rate() const = 0;
  // Schedules call this between epochs.
  virtual void set_learning_rate(double rate) = 0;
  virtual OptimizerState state() const = 0;
  // Continues from a state() of the same optimizer. Throws InputError when the state is another
  // optimizer's or malformed, holds a value no run of it holds (a negative second moment, say), or,
  // for rprop, a step size outside --step-min..--step-max; a state whose buffers do not fit the
  // network is refused at the next step, with InputError.
  virtual void load_state(const OptimizerState& state) = 0;

 protected:
  virtual void update(Network<T>& network, const std::function<double()>& evaluate) = 0;

 private:
  // Its step follows the network's forward_backward, which has just checked the layers.
  template <class>
  friend class Trainer;
};

// The settings of every optimizer; each field is a flag of `neurona train`, named beside it. The
// defaults are torch.optim's but for the learning rate (the tutorial's; default_learning_rate has
// one per optimizer) and history (scikit-learn's; torch's is 100). A field the chosen optimizer
// does not use must keep its default.
struct OptimizerSettings {
  std::string name = "sgd";  // --optimizer
  // --lr; none: the optimizer's own, default_learning_rate(name) (so that naming adam alone does
  // not run it at sgd's 0.5)
  std::optional<double> learning_rate = std::nullopt;
  double momentum = 0;      // --momentum, in [0, 1): sgd, rmsprop
  bool nesterov = false;    // --nesterov: sgd, needs momentum > 0
  double weight_decay = 0;  // --weight-decay: lambda p added to the gradient (all but adamw,
                            // which decouples it)
  double beta1 = 0.9;       // --beta1: adam, adamw
  double beta2 = 0.999;     // --beta2: adam, adamw
  double epsilon = 1e-8;    // --epsilon: adam, adamw, rmsprop
  double alpha = 0.99;      // --rmsprop-alpha: rmsprop's smoothing of the squared gradient
  double eta_minus = 0.5;   // --eta-minus: rprop, step factor after a sign change
  double eta_plus = 1.2;    // --eta-plus: rprop, step factor while the sign holds
  double step_min = 1e-6;   // --step-min: rprop
  double step_max = 50;     // --step-max: rprop; its first step is the learning rate
  int history = 10;         // --lbfgs-history: lbfgs, corrections kept (scikit-learn's 10)
};

// The names make_optimizer knows, in the order help texts list them.
inline constexpr std::string_view optimizer_names[] = {"sgd",     "adam",  "adamw",
                                                       "rmsprop", "rprop", "lbfgs"};

// A learning rate that suits each optimizer, for when none is given: sgd 0.5 (the tutorial's),
// adam and adamw 1e-3, rmsprop 1e-2 (torch's), rprop 0.1 (FANN's first step), lbfgs 1 (torch's:
// the quasi-Newton step, which the line search then adjusts). Throws UsageError for another name.
double default_learning_rate(std::string_view name);

// A setting given in double and used in float by a float network: throws UsageError naming
// `flag` when float cannot hold `value` (1e39 would be infinity there, 1e-46 zero, with no word).
void check_holds_in_float(std::string_view flag, double value);

// The optimizer `settings.name` with its settings. Throws UsageError naming the flag for a value
// out of range ("--momentum must be in [0, 1), got 1.5"), a setting the optimizer does not use,
// or an unknown name (listing the names).
template <class T>
std::unique_ptr<Optimizer<T>> make_optimizer(const OptimizerSettings& settings);

// sgd, as torch.optim.SGD with dampening 0. Plain, it is the tutorial's p <- p - alpha dE/dp.
template <class T>
class GradientDescent : public Optimizer<T> {
 public:
  // Plain gradient descent. Throws UsageError unless alpha is a positive, finite number.
  explicit GradientDescent(T learning_rate);
  // With settings.momentum, nesterov and weight_decay; throws UsageError as make_optimizer.
  explicit GradientDescent(const OptimizerSettings& settings);

  std::string_view name() const override { return "sgd"; }
  double learning_rate() const override { return double(learning_rate_); }
  void set_learning_rate(double rate) override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 protected:
  void update(Network<T>& network, const std::function<double()>& evaluate) override;

 private:
  void update_with_momentum_or_decay(Network<T>& network);

  T learning_rate_;
  T momentum_ = 0;
  bool nesterov_ = false;
  T weight_decay_ = 0;
  long long steps_ = 0;
  Eigen::Array<T, Eigen::Dynamic, 1> velocity_;  // torch's momentum_buffer, one per parameter
};

// adam and adamw: torch.optim.Adam (weight decay as L2 in the gradient) and torch.optim.AdamW
// (weight decay decoupled: p <- p (1 - alpha lambda) before the Adam step).
template <class T>
class Adam : public Optimizer<T> {
 public:
  Adam(const OptimizerSettings& settings, bool decoupled_weight_decay);

  std::string_view name() const override { return decoupled_ ? "adamw" : "adam"; }
  double learning_rate() const override { return learning_rate_; }
  void set_learning_rate(double rate) override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 protected:
  void update(Network<T>& network, const std::function<double()>& evaluate) override;

 private:
  double learning_rate_, beta1_, beta2_, epsilon_, weight_decay_;
  bool decoupled_;
  long long steps_ = 0;
  Eigen::Array<T, Eigen::Dynamic, 1> m_;  // first moment, torch's exp_avg
  Eigen::Array<T, Eigen::Dynamic, 1> v_;  // second moment, torch's exp_avg_sq
};

// rmsprop: torch.optim.RMSprop, not centered, with optional momentum.
template <class T>
class RMSprop : public Optimizer<T> {
 public:
  explicit RMSprop(const OptimizerSettings& settings);

  std::string_view name() const override { return "rmsprop"; }
  double learning_rate() const override { return learning_rate_; }
  void set_learning_rate(double rate) override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 protected:
  void update(Network<T>& network, const std::function<double()>& evaluate) override;

 private:
  double learning_rate_, alpha_, epsilon_, momentum_, weight_decay_;
  long long steps_ = 0;
  Eigen::Array<T, Eigen::Dynamic, 1> square_average_;  // torch's square_avg
  Eigen::Array<T, Eigen::Dynamic, 1> velocity_;        // torch's momentum_buffer
};

// rprop: torch.optim.Rprop, which is iRPROP-: every parameter has its own step, grown while the
// gradient keeps its sign and shrunk when it flips, and a flipped gradient is then taken as 0.
// The learning rate is the first step only; a schedule changes nothing once steps have begun.
// Weight decay, which torch's Rprop lacks, is added to the gradient as in sgd.
template <class T>
class Rprop : public Optimizer<T> {
 public:
  explicit Rprop(const OptimizerSettings& settings);

  std::string_view name() const override { return "rprop"; }
  double learning_rate() const override { return learning_rate_; }
  void set_learning_rate(double rate) override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 protected:
  void update(Network<T>& network, const std::function<double()>& evaluate) override;

 private:
  double learning_rate_, eta_minus_, eta_plus_, step_min_, step_max_, weight_decay_;
  long long steps_ = 0;
  Eigen::Array<T, Eigen::Dynamic, 1> previous_;    // the last gradient taken, torch's prev
  Eigen::Array<T, Eigen::Dynamic, 1> step_sizes_;  // each parameter's own step, torch's step_size
};

// lbfgs: torch.optim.LBFGS with line_search_fn="strong_wolfe", one iteration per step (torch's
// max_iter = 1), so an epoch is one L-BFGS iteration as in scikit-learn. It minimises
// E + lambda/2 |p|^2 (lambda the weight decay) and needs `evaluate` for its line search: step
// throws UsageError without it.
template <class T>
class LBFGS : public Optimizer<T> {
 public:
  explicit LBFGS(const OptimizerSettings& settings);

  std::string_view name() const override { return "lbfgs"; }
  double learning_rate() const override { return learning_rate_; }
  void set_learning_rate(double rate) override;
  OptimizerState state() const override;
  void load_state(const OptimizerState& state) override;

 protected:
  void update(Network<T>& network, const std::function<double()>& evaluate) override;

 private:
  using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

  // f = E + lambda/2 |p|^2 and its gradient (into g) at the network's parameters p_.
  double objective(Network<T>& network, const std::function<double()>& evaluate, Vector& g);
  // f and its derivative g.d at x + t d; leaves the network's parameters at x.
  std::pair<double, double> along(Network<T>& network, const std::function<double()>& evaluate,
                                  double t);
  // A step length t along d_ that meets the strong Wolfe conditions (torch's _strong_wolfe), from
  // f and gtd = g.d at t = 0 and a first guess t.
  double strong_wolfe(Network<T>& network, const std::function<double()>& evaluate, double t,
                      double f, double gtd);

  double learning_rate_, weight_decay_;
  int history_;
  long long iterations_ = 0;  // torch's n_iter
  double t_ = 0;              // the last step length along d_
  double H_diag_ = 1;         // the initial inverse Hessian's scale, s.y / y.y
  Vector x_, p_, g_, previous_g_, d_, g_trial_, s_new_, y_new_;
  std::vector<Vector> s_, y_;  // the last corrections, oldest first: s = t d, y = g - g_prev
  std::vector<double> rho_;    // 1 / (y.s)
  std::vector<double> a_;      // the two-loop recursion's alphas
};

}  // namespace neurona
