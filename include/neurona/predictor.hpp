// Y_hat = sigma(... sigma(X W1 + b1) ... WL + bL) for serving predictions: the forward pass alone,
// on a fixed copy of a trained network's weights, with buffers of its own.
//
// Network::predict returns a new matrix each call and Network::forward keeps the state a training
// step needs; a Predictor does neither, so one row takes only the arithmetic, and after its first
// batch of m rows it allocates nothing for batches of m rows or fewer (on a machine without
// OpenBLAS, products of 2^20 multiply-adds or more may still: see BatchStorage). One Predictor
// per thread.
#pragma once

#include <vector>

#include "neurona/activation.hpp"
#include "neurona/matrix.hpp"
#include "neurona/network.hpp"

namespace neurona {

template <class T>
class Predictor {
 public:
  // Copies the network's weights: training the network later does not change this Predictor.
  // Throws ShapeError if some W or b does not fit the network's topology.
  explicit Predictor(const Network<T>& network);

  Index inputs() const { return inputs_; }
  Index outputs() const { return layers_.back().W.cols(); }

  // Y_hat (m x n_out) for X (m x n_in), the same values as Network::predict; valid until the
  // next call, to which it may be given as X. Throws ShapeError if X does not have n_in columns.
  // A row may get other last bits in another batch: a product's sums, and whether e^z takes
  // Eigen's vector or scalar routine, depend on the batch's shape and on where the row lies in it.
  ConstMatrixMap<T> predict(ConstMatrixRef<T> X);

 private:
  struct Layer {
    Matrix<T> W;     // n_in x n_out
    RowVector<T> b;  // 1 x n_out
    Activation activation;
  };
  Index inputs_;
  std::vector<Layer> layers_;
  std::vector<BatchStorage<T>> A_;  // each layer's output, m x n_out
};

}  // namespace neurona
