// Losses E: the mean over the batch's m rows of a per-row sum over the outputs, and their gradient
// with respect to the output layer's Z. Y_hat = A = sigma(Z) and Y are m x n_out.
#pragma once

#include <string_view>

#include "neurona/activation.hpp"
#include "neurona/matrix.hpp"

namespace neurona {

enum class Loss {
  half_squared_error,    // E = 1/m sum_i 1/2 sum_j (yhat_ij - y_ij)^2, the tutorial's error
  binary_cross_entropy,  // E = -1/m sum_i sum_j [y log yhat + (1 - y) log(1 - yhat)]; sigmoid
                         // output
  cross_entropy,         // E = -1/m sum_i sum_j y_ij log yhat_ij; softmax output, one-hot rows of Y
};

// The name used in flags and model files.
std::string_view to_string(Loss loss);

// Parses a name as written by to_string; throws UsageError naming the accepted names.
Loss parse_loss(std::string_view name);

// Throws UsageError unless the loss can follow this output activation: binary_cross_entropy needs
// sigmoid and cross_entropy needs softmax, because their stable forms are written on Z.
void check_output_fits_loss(Activation output, Loss loss);

// The activation an output layer takes by default with this loss (linear, sigmoid, softmax).
Activation default_output_activation(Loss loss);

// Throws InputError, naming the first offending Y(i, j), unless the targets suit the loss: finite
// for every loss; probabilities in [0, 1] for the cross-entropies; and for cross_entropy rows
// summing to 1 within 1e-2 (soft targets written to a few decimals; summed in double, with room
// for each target's rounding to T), since its gradient
// dZ = (A - Y) / m holds only for such rows. Trainer checks its rows with it.
template <class T>
void check_targets(Loss loss, ConstMatrixRef<T> Y);

// E for the output layer's Z (pre-activation) and A = sigma(Z) against targets Y. With
// row_weights (m x 1), row i's loss counts w_i times: E = 1/m sum_i w_i L_i (class weights).
template <class T>
T loss_value(Loss loss, Activation output, const Matrix<T>& Z, const Matrix<T>& A,
             const Matrix<T>& Y, const Matrix<T>* row_weights = nullptr);

// dZ = dE/dZ of the output layer. Sigmoid + binary cross-entropy and softmax + cross-entropy use
// the fused form dZ = (A - Y) / m, which never divides by a saturated yhat.
template <class T>
void loss_gradient(Loss loss, Activation output, const Matrix<T>& Z, const Matrix<T>& A,
                   const Matrix<T>& Y, Matrix<T>& dZ, const Matrix<T>* row_weights = nullptr);

}  // namespace neurona
