// Builds the tutorial's network from the installed headers and library.
#include <iostream>

#include <neurona/neurona.hpp>

int main() {
  neurona::Network<double> net = neurona::tutorial::majority_network<double>(1);
  std::cout << net.topology() << "\n";
}
