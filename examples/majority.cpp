// The tutorial's first problem through the public API: a 3-2-4-1 network learns the 3-bit majority.
#include <cstdio>

#include <neurona/neurona.hpp>

int main() {
  using namespace neurona;
  const Dataset<double> data = tutorial::majority_table<double>();

  // 3 inputs -> 2 sigmoid -> 4 sigmoid -> 1 linear, trained on E = 1/2 (yhat - y)^2
  Network<double> net(3,
                      {{2, Activation::sigmoid}, {4, Activation::sigmoid}, {1, Activation::linear}},
                      Loss::half_squared_error);
  initialize(net, /*seed=*/1);
  GradientDescent<double> optimizer(0.5);

  for (int epoch = 1; epoch <= 10000; ++epoch) {
    net.forward(data.X);  // Z = X W + b, A = sigma(Z), layer by layer
    const double error = net.loss(data.Y);
    net.backward(data.Y);  // every gradient from this one forward pass
    optimizer.step(net);   // then p <- p - alpha dE/dp
    if (epoch % 1000 == 0) std::printf("epoch %5d  error %.8f\n", epoch, error);
  }

  const Matrix<double> yhat = net.predict(data.X);
  for (Index i = 0; i < data.X.rows(); ++i)
    std::printf("%g%g%g -> %.4f (target %g)\n", data.X(i, 0), data.X(i, 1), data.X(i, 2),
                yhat(i, 0), data.Y(i, 0));
}
