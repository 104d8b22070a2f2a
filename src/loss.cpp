// Losses and their gradients, in numerically stable forms written on the output layer's Z.
#include "neurona/loss.hpp"

#include <fmt/format.h>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "kernels.hpp"
#include "neurona/error.hpp"
#include "resize.hpp"
#include "same_shape.hpp"

namespace neurona {
namespace {

constexpr std::array<std::pair<Loss, std::string_view>, 3> names{{
    {Loss::half_squared_error, "half_squared_error"},
    {Loss::binary_cross_entropy, "binary_cross_entropy"},
    {Loss::cross_entropy, "cross_entropy"},
}};

}  // namespace

std::string_view to_string(Loss loss) {
  for (const auto& [value, name] : names)
    if (value == loss) return name;
  return "?";
}

Loss parse_loss(std::string_view name) {
  for (const auto& [value, known] : names)
    if (known == name) return value;
  throw UsageError("unknown loss \"" + std::string(name) +
                   "\"; expected half_squared_error, binary_cross_entropy or cross_entropy");
}

Activation default_output_activation(Loss loss) {
  switch (loss) {
    case Loss::binary_cross_entropy:
      return Activation::sigmoid;
    case Loss::cross_entropy:
      return Activation::softmax;
    case Loss::half_squared_error:
      break;
  }
  return Activation::linear;
}

void check_output_fits_loss(Activation output, Loss loss) {
  const Activation needed = default_output_activation(loss);
  if (loss != Loss::half_squared_error && output != needed)
    throw UsageError("the loss " + std::string(to_string(loss)) + " needs a " +
                     std::string(to_string(needed)) + " output layer, got " +
                     std::string(to_string(output)));
}

namespace detail {

template <class T>
T loss_value(Loss loss, Activation output, ConstMatrixRef<T> Z, ConstMatrixRef<T> A,
             ConstMatrixRef<T> Y, const T* row_weights) {
  if (loss != Loss::half_squared_error) check_output_fits_loss(output, loss);
  if (loss == Loss::half_squared_error && !row_weights && is_contiguous<T>(A) &&
      is_contiguous<T>(Y))  // 1/2 sum_i sum_j (yhat_ij - y_ij)^2, in vector registers
    return T(0.5) * (flat<T>(A) - flat<T>(Y)).square().sum() / T(Y.rows());
  T total = 0;
  for (Index i = 0; i < Y.rows(); ++i) {
    T row = 0;
    switch (loss) {
      case Loss::half_squared_error:  // 1/2 sum_j (yhat_j - y_j)^2
        row = T(0.5) * (A.row(i) - Y.row(i)).squaredNorm();
        break;
      case Loss::binary_cross_entropy: {
        // -[y log s(z) + (1 - y) log(1 - s(z))] = max(z, 0) - z y + log(1 + e^-|z|)
        const auto z = Z.row(i).array();
        row = (z.max(T(0)) - z * Y.row(i).array() + (-z.abs()).exp().log1p()).sum();
        break;
      }
      case Loss::cross_entropy: {
        // -sum_j y_j log softmax(z)_j = sum_j y_j (logsumexp(z) - z_j)
        const T peak = Z.row(i).maxCoeff();
        const T log_sum_exp = peak + std::log((Z.row(i).array() - peak).exp().sum());
        row = (Y.row(i).array() * (log_sum_exp - Z.row(i).array())).sum();
        break;
      }
    }
    total += row_weights ? row_weights[i] * row : row;
  }
  return total / T(Y.rows());
}

template <class T>
void loss_gradient(Loss loss, Activation output, ConstMatrixRef<T> Z, ConstMatrixRef<T> A,
                   ConstMatrixRef<T> Y, MatrixRef<T> dZ, const T* row_weights) {
  const T m = T(Y.rows());
  if (loss != Loss::half_squared_error) check_output_fits_loss(output, loss);
  // half_squared_error: dE/dyhat = (yhat - y) / m, then back through the output activation.
  // Fused sigmoid + binary_cross_entropy and softmax + cross_entropy: dE/dZ = (A - Y) / m.
  if (is_contiguous<T>(A) && is_contiguous<T>(Y) && is_contiguous<T>(dZ))
    flat_writable<T>(dZ) = (flat<T>(A) - flat<T>(Y)) / m;
  else
    dZ = (A - Y) / m;
  if (row_weights)  // row i scaled by w_i
    dZ.array().colwise() *=
        Eigen::Map<const Eigen::Array<T, Eigen::Dynamic, 1>>(row_weights, Y.rows());
  // A linear output's sigma'(z) = 1 leaves dZ as it is.
  if (loss == Loss::half_squared_error && output != Activation::linear)
    activation_backward<T>(output, Z, A, dZ, dZ);
}

}  // namespace detail

template <class T>
void check_targets(Loss loss, ConstMatrixRef<T> Y) {
  const bool probabilities = loss != Loss::half_squared_error;
  // The whole matrix at once first (NaN fails every comparison); the search only on failure.
  const bool fine = probabilities ? (Y.array() >= T(0) && Y.array() <= T(1)).all() : Y.allFinite();
  for (Index i = 0; !fine && i < Y.rows(); ++i)
    for (Index j = 0; j < Y.cols(); ++j)
      if (const T y = Y(i, j); !std::isfinite(y) || (probabilities && !(y >= 0 && y <= 1)))
        throw InputError(fmt::format(
            "the target Y({}, {}) is {}; {}", i, j, y,
            probabilities ? fmt::format("{} needs probabilities in [0, 1]", to_string(loss))
                          : std::string("targets must be finite")));
  if (loss != Loss::cross_entropy) return;
  // In double, with room for the rounding of each target to T: a row that sums to within 1e-2
  // of 1 in a file's decimals does so in float too.
  const double tolerance = 1e-2 + double(Y.cols()) * double(std::numeric_limits<T>::epsilon());
  for (Index i = 0; i < Y.rows(); ++i)
    if (const double sum = Y.row(i).template cast<double>().sum(); std::abs(sum - 1) > tolerance)
      throw InputError(
          fmt::format("the targets of row {} of Y sum to {}; cross_entropy needs one "
                      "probability per class, summing to 1",
                      i, sum));
}

template <class T>
T loss_value(Loss loss, Activation output, const Matrix<T>& Z, const Matrix<T>& A,
             const Matrix<T>& Y, const Matrix<T>* row_weights) {
  detail::check_same_shape(A, "A", Z, "Z");
  detail::check_same_shape(Y, "Y", A, "A");
  detail::check_row_weights_shape(row_weights, Y.rows());
  return detail::loss_value<T>(loss, output, Z, A, Y, row_weights ? row_weights->data() : nullptr);
}

template <class T>
void loss_gradient(Loss loss, Activation output, const Matrix<T>& Z, const Matrix<T>& A,
                   const Matrix<T>& Y, Matrix<T>& dZ, const Matrix<T>* row_weights) {
  detail::check_same_shape(A, "A", Z, "Z");
  detail::check_same_shape(Y, "Y", A, "A");
  detail::check_row_weights_shape(row_weights, Y.rows());
  detail::resize_keeping_on_failure(dZ, Y.rows(), Y.cols());
  detail::loss_gradient<T>(loss, output, Z, A, Y, dZ, row_weights ? row_weights->data() : nullptr);
}

#define NEURONA_LOSSES(T)                                                                        \
  template T detail::loss_value<T>(Loss, Activation, ConstMatrixRef<T>, ConstMatrixRef<T>,       \
                                   ConstMatrixRef<T>, const T*);                                 \
  template void detail::loss_gradient<T>(Loss, Activation, ConstMatrixRef<T>, ConstMatrixRef<T>, \
                                         ConstMatrixRef<T>, MatrixRef<T>, const T*);
NEURONA_LOSSES(float)
NEURONA_LOSSES(double)
#undef NEURONA_LOSSES

template void check_targets<float>(Loss, ConstMatrixRef<float>);
template void check_targets<double>(Loss, ConstMatrixRef<double>);
template float loss_value<float>(Loss, Activation, const Matrix<float>&, const Matrix<float>&,
                                 const Matrix<float>&, const Matrix<float>*);
template double loss_value<double>(Loss, Activation, const Matrix<double>&, const Matrix<double>&,
                                   const Matrix<double>&, const Matrix<double>*);
template void loss_gradient<float>(Loss, Activation, const Matrix<float>&, const Matrix<float>&,
                                   const Matrix<float>&, Matrix<float>&, const Matrix<float>*);
template void loss_gradient<double>(Loss, Activation, const Matrix<double>&, const Matrix<double>&,
                                    const Matrix<double>&, Matrix<double>&, const Matrix<double>*);

}  // namespace neurona
