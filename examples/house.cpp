// The tutorial's code example through the public API: a 1-1-1 ReLU network prices a house.
#include <cstdio>

#include <neurona/neurona.hpp>

int main() {
  using namespace neurona;
  Matrix<double> X(1, 1), Y(1, 1);
  X << 50;   // square metres
  Y << 300;  // thousands of dollars

  Network<double> net(1, {{1, Activation::relu}, {1, Activation::linear}},
                      Loss::half_squared_error);
  net.layers()[0].W << 0.5;  // w1
  net.layers()[0].b << 0.1;  // b1
  net.layers()[1].W << 0.4;  // w_out
  net.layers()[1].b << 0.2;  // b_out
  GradientDescent<double> optimizer(1e-5);

  for (int epoch = 0; epoch < 1001; ++epoch) {
    const double prediction = net.forward(X)(0, 0);
    const double error = net.loss(Y);
    net.backward(Y);
    optimizer.step(net);
    if (epoch % 100 == 0)
      std::printf("epoch %4d  error %.6g  prediction %.9g\n", epoch, error, prediction);
  }
  std::printf("final prediction: %.12g\n", net.predict(X)(0, 0));
}
