// The tutorial's data and starting networks.
#include "neurona/tutorial.hpp"

#include "neurona/initialization.hpp"

namespace neurona::tutorial {

template <class T>
Dataset<T> majority_table() {
  Dataset<T> data;
  data.X.resize(8, 3);
  data.X << 1, 0, 0,  //
      0, 1, 0,        //
      0, 0, 1,        //
      0, 0, 0,        //
      0, 1, 1,        //
      1, 0, 1,        //
      1, 1, 0,        //
      1, 1, 1;
  data.Y.resize(8, 1);
  data.Y << 0, 0, 0, 0, 1, 1, 1, 1;
  return data;
}

template <class T>
Network<T> majority_network(std::uint64_t seed) {
  Network<T> network(3,
                     {{2, Activation::sigmoid}, {4, Activation::sigmoid}, {1, Activation::linear}},
                     Loss::half_squared_error);
  initialize(network, seed);
  return network;
}

template <class T>
Dataset<T> house_table() {
  Dataset<T> data;
  data.X = Matrix<T>::Constant(1, 1, T(50));
  data.Y = Matrix<T>::Constant(1, 1, T(300));
  return data;
}

template <class T>
Network<T> house_network() {
  Network<T> network(1, {{1, Activation::relu}, {1, Activation::linear}}, Loss::half_squared_error);
  auto& hidden = network.layers()[0];
  auto& out = network.layers()[1];
  hidden.W(0, 0) = T(0.5);  // w1
  hidden.b(0) = T(0.1);     // b1
  out.W(0, 0) = T(0.4);     // w_out
  out.b(0) = T(0.2);        // b_out
  return network;
}

template Dataset<float> majority_table<float>();
template Dataset<double> majority_table<double>();
template Network<float> majority_network<float>(std::uint64_t);
template Network<double> majority_network<double>(std::uint64_t);
template Dataset<float> house_table<float>();
template Dataset<double> house_table<double>();
template Network<float> house_network<float>();
template Network<double> house_network<double>();

}  // namespace neurona::tutorial
