// The slopes of the loss by central differences, one parameter at a time.
#include "central_differences.hpp"

#include <vector>

#include "kernels.hpp"

namespace neurona::detail {
namespace {

// E with one parameter of layer l moved by delta, from the values of the forward pass the network
// holds. In Z_l = A_prev W_l + b_l, moving W_l(i, j) moves only column j of Z_l, by delta times
// column i of A_prev (moving b_l(j): by delta). A hidden layer's activation works value by value
// (softmax is only ever the output's), so only column j of A_l moves, and
// Z_{l+1} = A_l W_{l+1} + b_{l+1} moves by that column's change times row j of W_{l+1}. Only the
// layers after l + 1 are computed whole. A first-layer weight of 784-256-128-10 so costs a row
// 128 + 128 x 10 multiply-adds instead of the whole pass's 784 x 256 + 256 x 128 + 128 x 10.
template <class T>
class MovedLoss {
 public:
  MovedLoss(const Network<T>& network, const Matrix<T>& X, const Matrix<T>& Y)
      : network_(network), X_(X), Y_(Y), Z_(network.layers().size()), A_(Z_.size()) {
    for (std::size_t k = 0; k < Z_.size(); ++k) {
      Z_[k].resize(X.rows(), network.layers()[k].units());
      A_[k].resize(X.rows(), network.layers()[k].units());
    }
    z_.resize(X.rows(), 1);
    a_.resize(X.rows(), 1);
  }

  // E with W_l(i, j) moved by delta, or b_l(j) when i is -1.
  double operator()(std::size_t l, Index i, Index j, T delta) {
    const auto& layers = network_.layers();
    const DenseLayer<T>& layer = layers[l];
    // Column j of Z_l, moved (m x 1).
    if (i < 0)
      z_.array() = layer.Z().col(j).array() + delta;
    else if (l == 0)
      z_ = layer.Z().col(j) + delta * X_.col(i);
    else
      z_ = layer.Z().col(j) + delta * layers[l - 1].A().col(i);
    const std::size_t last = layers.size() - 1;
    if (l == last) {  // the output: softmax needs each whole row
      Z_[l] = layer.Z();
      Z_[l].col(j) = z_;
      detail::activate<T>(layer.activation, Z_[l], A_[l]);
      return loss();
    }
    detail::activate<T>(layer.activation, z_, a_);
    a_ -= layer.A().col(j);  // the change in column j of A_l
    const DenseLayer<T>& next = layers[l + 1];
    Z_[l + 1] = next.Z();
    Z_[l + 1].noalias() += a_ * next.W.row(j);  // (m x 1) (1 x n_{l+1})
    detail::activate<T>(next.activation, Z_[l + 1], A_[l + 1]);
    for (std::size_t k = l + 2; k <= last; ++k) {
      detail::affine<T>(A_[k - 1], layers[k].W, layers[k].b, Z_[k]);
      detail::activate<T>(layers[k].activation, Z_[k], A_[k]);
    }
    return loss();
  }

 private:
  double loss() const {
    const std::size_t last = Z_.size() - 1;
    return double(detail::loss_value<T>(network_.loss_type(), network_.layers()[last].activation,
                                        Z_[last], A_[last], Y_, nullptr));
  }

  const Network<T>& network_;
  const Matrix<T>& X_;
  const Matrix<T>& Y_;
  std::vector<Matrix<T>> Z_, A_;  // each layer's values with the parameter moved
  Matrix<T> z_, a_;               // column j of the moved layer's Z, and the change in its A
};

}  // namespace

template <class T>
void central_differences(const Network<T>& network, const Matrix<T>& X, const Matrix<T>& Y,
                         double step,
                         const std::function<void(const Parameter& p, double slope)>& slope) {
  MovedLoss<T> loss_at(network, X, Y);
  const T h = T(step);
  auto difference = [&](std::size_t l, Index i, Index j) {
    // Differences first: a loss that does not move gives exactly 0, not rounding noise.
    const double near = loss_at(l, i, j, h) - loss_at(l, i, j, -h);
    const double far = loss_at(l, i, j, 2 * h) - loss_at(l, i, j, -2 * h);
    slope(Parameter{l, i, j}, (8 * near - far) / (12 * double(h)));
  };
  for (std::size_t l = 0; l < network.layers().size(); ++l) {
    const DenseLayer<T>& layer = network.layers()[l];
    for (Index i = 0; i < layer.W.rows(); ++i)
      for (Index j = 0; j < layer.W.cols(); ++j)
        difference(l, i, j);
    for (Index j = 0; j < layer.b.cols(); ++j)
      difference(l, -1, j);
  }
}

template void central_differences<float>(const Network<float>&, const Matrix<float>&,
                                         const Matrix<float>&, double,
                                         const std::function<void(const Parameter&, double)>&);
template void central_differences<double>(const Network<double>&, const Matrix<double>&,
                                          const Matrix<double>&, double,
                                          const std::function<void(const Parameter&, double)>&);

}  // namespace neurona::detail
