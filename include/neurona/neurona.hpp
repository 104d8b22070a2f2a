// neurona: multilayer perceptrons trained by backpropagation, as derived in the tutorial
// "Red neuronal 1". Include this header for the whole public API.
#pragma once

#include "neurona/activation.hpp"
#include "neurona/atomic_file.hpp"
#include "neurona/dataset.hpp"
#include "neurona/dense_layer.hpp"
#include "neurona/error.hpp"
#include "neurona/gradient_check.hpp"
#include "neurona/initialization.hpp"
#include "neurona/loss.hpp"
#include "neurona/matrix.hpp"
#include "neurona/model_io.hpp"
#include "neurona/network.hpp"
#include "neurona/optimizer.hpp"
#include "neurona/random.hpp"
#include "neurona/trainer.hpp"
#include "neurona/tutorial.hpp"
#include "neurona/version.hpp"
