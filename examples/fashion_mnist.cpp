// Real images through the public API: Fashion-MNIST's 28x28 pictures of clothes, a 784-256-128-10
// ReLU network trained with Adam on mini-batches, early stopping on a stratified validation split,
// and the accuracy on the test images.
//
// The full set (60000 training and 10000 test images) is Debian's package dataset-fashion-mnist;
// when it is not installed, the 1000 test images kept in data/ stand in (800 to train and
// validate on, 200 to test) and the program says how to install the full set.
//
//   example_fashion_mnist [EPOCHS] [--subset]   (at most 30 epochs by default, with patience 5;
//                                               --subset: the 1000 images even when the full set
//                                               is there)
#include <cstdio>
#include <filesystem>
#include <string>

#include <neurona/neurona.hpp>

namespace fs = std::filesystem;
using namespace neurona;

namespace {

const fs::path full_set = "/usr/share/datasets/fashion-mnist";

// The images (m x 784 pixels, 0 to 255) and one-hot labels (m x 10) of one IDX pair.
Dataset<float> read_pair(const fs::path& folder, const std::string& prefix) {
  return read_idx_pair<float>(folder / (prefix + "-images-idx3-ubyte.gz"),
                              folder / (prefix + "-labels-idx1-ubyte.gz"), 10);
}

Dataset<float> rows_of(const Dataset<float>& data, const std::vector<Index>& rows) {
  return {take_rows(data.X, rows), take_rows(data.Y, rows)};
}

std::vector<Index> classes_of(const Dataset<float>& data) {
  return class_of_rows(data.Y.cast<double>());
}

}  // namespace

int main(int argc, char** argv) {
  const Index epochs = argc > 1 ? std::stol(argv[1]) : 30;
  const bool subset_only = argc > 2 && std::string(argv[2]) == "--subset";
  Dataset<float> training, test;
  if (!subset_only && fs::exists(full_set / "train-images-idx3-ubyte.gz")) {
    training = read_pair(full_set, "train");
    test = read_pair(full_set, "t10k");
  } else {
    if (!subset_only)
      std::printf(
          "The full Fashion-MNIST is not installed (as root: apt-get install "
          "dataset-fashion-mnist);\nusing the 1000 test images in data/ instead.\n");
    const Dataset<float> subset = read_pair(NEURONA_DATA_DIR, "fashion_mnist_test_1000");
    const std::vector<Index> classes = classes_of(subset);
    const Split split = split_rows(subset.X.rows(), 0, 0.2, /*seed=*/1, &classes);
    training = rows_of(subset, split.train);
    test = rows_of(subset, split.test);
  }

  // A sixth of the training images validate, each class alike: 10000 of the full 60000.
  const std::vector<Index> classes = classes_of(training);
  const Split split = split_rows(training.X.rows(), 1.0 / 6, 0, /*seed=*/1, &classes);
  Dataset<float> train = rows_of(training, split.train),
                 validation = rows_of(training, split.validation);

  // Pixels from 0..255 to 0..1, all alike. (A scaling fitted per pixel, as --scale does for
  // columns of measurements, would divide the border pixels, nearly always 0 in training, by a
  // tiny spread, and blow up the few images that have ink there.)
  for (Dataset<float>* part : {&train, &validation, &test})
    part->X /= 255.0f;

  // 784 inputs -> 256 relu -> 128 relu -> 10 softmax, trained on the cross-entropy
  Network<float> net(784,
                     {{256, Activation::relu}, {128, Activation::relu}, {10, Activation::softmax}},
                     Loss::cross_entropy);
  initialize(net, /*seed=*/1);
  OptimizerSettings settings;
  settings.name = "adam";
  settings.learning_rate = 5e-4;
  settings.weight_decay = 1e-3;
  const std::unique_ptr<Optimizer<float>> adam = make_optimizer<float>(settings);

  Trainer<float> trainer(net, *adam, {epochs, /*batch_size=*/256, /*seed=*/1, /*patience=*/5});
  trainer.set_validation(validation.X, validation.Y);
  std::printf("training on %ld images, validating on %ld\n", long(train.X.rows()),
              long(validation.X.rows()));
  while (!trainer.done()) {
    const EpochStats stats = trainer.run_epoch(train.X, train.Y);
    std::printf("epoch %3ld  loss %.4f  validation %.4f%s\n", long(stats.epoch), stats.loss,
                stats.validation_loss, stats.best ? "  (best)" : "");
  }
  trainer.restore_best();  // the weights of the lowest validation loss

  const ClassificationMetrics metrics =
      classification_metrics(net.predict(test.X).cast<double>(), test.Y.cast<double>());
  std::printf("test accuracy: %.4f on %ld images\n", metrics.accuracy, long(test.X.rows()));
}
