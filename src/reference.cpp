// The reference path: the tutorial's equations as single Eigen expressions.
#include "reference.hpp"

#include <cmath>

namespace neurona::reference {

template <class T>
Matrix<T> affine(const Matrix<T>& A_prev, const Matrix<T>& W, const RowVector<T>& b) {
  Matrix<T> Z = A_prev * W;  // (m x n_in) (n_in x n_out)
  Z.rowwise() += b;          // b broadcast over the m rows
  return Z;
}

template <class T>
void weight_gradients(const Matrix<T>& A_prev, const Matrix<T>& dZ, Matrix<T>& dW,
                      RowVector<T>& db) {
  dW = A_prev.transpose() * dZ;  // (n_in x m) (m x n_out)
  db = dZ.colwise().sum();       // 1 x n_out
}

template <class T>
Matrix<T> input_gradient(const Matrix<T>& dZ, const Matrix<T>& W) {
  return dZ * W.transpose();  // (m x n_out) (n_out x n_in)
}

template <class T>
Matrix<T> activate(Activation activation, const Matrix<T>& Z) {
  const T slope = T(leaky_relu_slope);
  switch (activation) {
    case Activation::linear:
      return Z;
    case Activation::sigmoid:
      // e^-z is only formed for z >= 0, so it never overflows.
      return Z.unaryExpr([](T z) {
        if (z >= 0) return T(1) / (T(1) + std::exp(-z));
        const T e = std::exp(z);
        return e / (T(1) + e);
      });
    case Activation::tanh:
      return Z.unaryExpr([](T z) { return std::tanh(z); });
    case Activation::relu:
      return Z.unaryExpr([](T z) { return z > 0 ? z : T(0); });
    case Activation::leaky_relu:
      return Z.unaryExpr([slope](T z) { return z > 0 ? z : slope * z; });
    case Activation::softmax: {
      Matrix<T> A(Z.rows(), Z.cols());
      for (Index i = 0; i < Z.rows(); ++i) {
        const T peak = Z.row(i).maxCoeff();
        T sum = 0;
        for (Index j = 0; j < Z.cols(); ++j)
          sum += A(i, j) = std::exp(Z(i, j) - peak);
        A.row(i) /= sum;
      }
      return A;
    }
  }
  return Z;
}

template <class T>
std::vector<double> central_differences(const Network<T>& network, const Matrix<T>& X,
                                        const Matrix<T>& Y, double step) {
  Network<T> moved = network;
  auto loss_at = [&](T* parameter, T value) {
    const T original = *parameter;
    *parameter = value;
    moved.forward(X);
    *parameter = original;
    return double(moved.loss(Y));
  };
  std::vector<double> slopes;
  auto difference = [&](T* p) {
    const T h = T(step);
    const double near = loss_at(p, *p + h) - loss_at(p, *p - h);
    const double far = loss_at(p, *p + 2 * h) - loss_at(p, *p - 2 * h);
    slopes.push_back((8 * near - far) / (12 * double(h)));
  };
  for (auto& layer : moved.layers()) {
    for (Index i = 0; i < layer.W.rows(); ++i)
      for (Index j = 0; j < layer.W.cols(); ++j)
        difference(&layer.W(i, j));
    for (Index j = 0; j < layer.b.cols(); ++j)
      difference(&layer.b(j));
  }
  return slopes;
}

#define NEURONA_REFERENCE(T)                                                               \
  template Matrix<T> affine<T>(const Matrix<T>&, const Matrix<T>&, const RowVector<T>&);   \
  template void weight_gradients<T>(const Matrix<T>&, const Matrix<T>&, Matrix<T>&,        \
                                    RowVector<T>&);                                        \
  template Matrix<T> input_gradient<T>(const Matrix<T>&, const Matrix<T>&);                \
  template Matrix<T> activate<T>(Activation, const Matrix<T>&);                            \
  template std::vector<double> central_differences<T>(const Network<T>&, const Matrix<T>&, \
                                                      const Matrix<T>&, double);
NEURONA_REFERENCE(float)
NEURONA_REFERENCE(double)
#undef NEURONA_REFERENCE

}  // namespace neurona::reference
