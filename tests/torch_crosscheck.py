#!/usr/bin/python3
"""Cross-checks neurona's training and prediction against PyTorch, in double precision.

Random networks of 1 to 4 layers, covering every activation (hidden and output) and every loss,
start from the same initial weights on the same data in both. After 200 full-batch epochs of
plain gradient descent every weight and bias must agree within 1e-9 relative, and so must the
predictions of the trained models.

Run as: /usr/bin/python3 tests/torch_crosscheck.py --neurona PATH_TO_NEURONA_BINARY
Needs Debian's python3-torch and numpy (installed by scripts/install-deps), which only Debian's
own interpreter, /usr/bin/python3, sees.
"""

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import numpy as np
    import torch
    import torch.nn.functional as F
except ImportError as error:
    sys.exit(f"torch_crosscheck: cannot import {error.name}: this test needs python3-torch and "
             "numpy, run with Debian's /usr/bin/python3 (scripts/install-deps installs them)")

EPOCHS = 200
TOLERANCE = 1e-9      # largest relative error allowed, parameters and predictions alike
ABSOLUTE_FLOOR = 1e-12  # denominators never go below this, for entries that are essentially 0
SEED = 20240531
LEAKY_RELU_SLOPE = 0.01

HIDDEN_ACTIVATIONS = ["linear", "sigmoid", "tanh", "relu", "leaky_relu"]
OUTPUT_LOSS_PAIRS = [
    ("linear", "half_squared_error"),
    ("sigmoid", "half_squared_error"),
    ("tanh", "half_squared_error"),
    ("relu", "half_squared_error"),
    ("leaky_relu", "half_squared_error"),
    ("softmax", "half_squared_error"),
    ("sigmoid", "binary_cross_entropy"),
    ("softmax", "cross_entropy"),
]
ROUNDS = 3  # each output/loss pair is tried this many times, each time at another depth


@dataclass
class Case:
    """One network, its initial weights, its data and its learning rate."""
    number: int
    inputs: int
    widths: list          # units of each layer, first to last
    activations: list     # activation of each layer, the last being the output's
    loss: str
    weights: list         # initial W of each layer, numpy n_in x n_out
    biases: list          # initial b of each layer, numpy n_out
    X: np.ndarray         # m x inputs
    Y: np.ndarray         # m x outputs; one-hot rows for cross_entropy
    class_column: bool    # cross_entropy targets written as one column of class numbers
    learning_rate: float

    def describe(self):
        """One line naming depth, topology, activations, loss and training settings."""
        topology = "-".join(str(n) for n in [self.inputs] + self.widths)
        hidden = ",".join(self.activations[:-1]) or "none"
        targets = " (class column)" if self.class_column else ""
        return (f"case {self.number:2d}: depth {len(self.widths)} {topology:<13} "
                f"hidden {hidden:<30} output {self.activations[-1]:<10} "
                f"{self.loss}{targets} m={len(self.X)} lr={self.learning_rate:.3f}")


def initial_weights(rng, n_in, n_out, activation):
    """W drawn as neurona draws it (He for relu and leaky_relu, Glorot otherwise), and a small
    random b so that the biases are tested from a value other than 0."""
    if activation in ("relu", "leaky_relu"):
        limit = np.sqrt(6.0 / n_in)
    else:
        limit = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out)), rng.uniform(-0.1, 0.1, n_out)


def targets_for(rng, rows, outputs, output_activation, loss):
    """Targets that fit the loss: 0/1 for binary cross-entropy, one-hot rows for cross-entropy,
    and values in the output activation's range for half squared error."""
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, (rows, outputs)).astype(float)
    if loss == "cross_entropy" or output_activation == "softmax":
        return np.eye(outputs)[rng.integers(0, outputs, rows)]
    if output_activation == "sigmoid":
        return rng.uniform(0.0, 1.0, (rows, outputs))
    if output_activation == "tanh":
        return rng.uniform(-1.0, 1.0, (rows, outputs))
    if output_activation == "relu":
        return np.abs(rng.normal(size=(rows, outputs)))
    return rng.normal(size=(rows, outputs))


def make_cases():
    """The deterministic list of cases. Every output/loss pair appears in ROUNDS cases of
    different depths; hidden activations are dealt in turn so that each appears at every
    position; widths, batch sizes, data and learning rates come from a seeded Generator."""
    rng = np.random.default_rng(SEED)
    cases = []
    next_hidden = 0
    cross_entropy_seen = 0
    for round_ in range(ROUNDS):
        for pair_index, (output, loss) in enumerate(OUTPUT_LOSS_PAIRS):
            depth = 1 + (pair_index + round_) % 4
            activations = []
            for _ in range(depth - 1):
                activations.append(HIDDEN_ACTIVATIONS[next_hidden % len(HIDDEN_ACTIVATIONS)])
                next_hidden += 1
            activations.append(output)
            inputs = int(rng.integers(1, 7))
            widths = [int(w) for w in rng.integers(1, 7, depth)]
            if output == "softmax":
                widths[-1] = int(rng.integers(2, 7))  # a softmax of one unit is constant
            weights, biases = [], []
            n_in = inputs
            for width, activation in zip(widths, activations):
                W, b = initial_weights(rng, n_in, width, activation)
                weights.append(W)
                biases.append(b)
                n_in = width
            rows = int(rng.integers(4, 21))
            X = rng.normal(size=(rows, inputs))
            Y = targets_for(rng, rows, widths[-1], output, loss)
            class_column = False
            if loss == "cross_entropy":
                class_column = cross_entropy_seen % 2 == 1
                cross_entropy_seen += 1
            cases.append(Case(len(cases) + 1, inputs, widths, activations, loss, weights, biases,
                              X, Y, class_column, float(rng.uniform(0.05, 0.2))))
    return cases


def write_model(case, path):
    """The initial model as a neurona model file (JSON; Python's float repr round-trips)."""
    layers = [{"units": width, "activation": activation, "W": W.tolist(), "b": b.tolist()}
              for width, activation, W, b in zip(case.widths, case.activations, case.weights,
                                                 case.biases)]
    model = {"format": "neurona", "version": 1, "precision": "double", "inputs": case.inputs,
             "loss": case.loss, "layers": layers}
    path.write_text(json.dumps(model))


def write_data(case, path):
    """The data as CSV without a header: inputs, then targets (one-hot columns, or one column
    of class numbers), every value written with repr so that it reads back exactly."""
    targets = case.Y.argmax(axis=1)[:, None].astype(float) if case.class_column else case.Y
    table = np.hstack([case.X, targets])
    path.write_text("".join(",".join(repr(float(v)) for v in row) + "\n" for row in table))


def run_neurona(binary, *arguments):
    """Runs the neurona CLI and returns its standard output; raises RuntimeError with its
    messages when it fails."""
    result = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"neurona {' '.join(arguments)} exited with {result.returncode}:\n"
                           f"{result.stderr.strip()}")
    return result.stdout


def activate(name, Z):
    """sigma(Z) in torch, as neurona defines each activation."""
    if name == "linear":
        return Z
    if name == "sigmoid":
        return torch.sigmoid(Z)
    if name == "tanh":
        return torch.tanh(Z)
    if name == "relu":
        return torch.relu(Z)
    if name == "leaky_relu":
        return F.leaky_relu(Z, LEAKY_RELU_SLOPE)
    if name == "softmax":
        return torch.softmax(Z, dim=1)
    raise ValueError(f"unknown activation {name}")


def forward(case, parameters, X):
    """The output layer's pre-activation Z and output A = sigma(Z) for inputs X."""
    A = X
    for layer, activation in enumerate(case.activations):
        W, b = parameters[2 * layer], parameters[2 * layer + 1]
        Z = A @ W + b
        A = activate(activation, Z)
    return Z, A


def loss_value(case, Z, A, Y):
    """E: the mean over rows of a per-row sum over outputs; the cross-entropies on Z."""
    if case.loss == "half_squared_error":
        return 0.5 * ((A - Y) ** 2).sum(1).mean()
    if case.loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(Z, Y, reduction="none").sum(1).mean()
    if case.loss == "cross_entropy":
        return -(Y * F.log_softmax(Z, dim=1)).sum(1).mean()
    raise ValueError(f"unknown loss {case.loss}")


def train_torch(case):
    """Trains the case's network in torch: EPOCHS full-batch steps of p <- p - lr dE/dp.
    Returns the trained parameters [W1, b1, W2, b2, ...] and their predictions for X."""
    parameters = []
    for W, b in zip(case.weights, case.biases):
        parameters.append(torch.tensor(W, dtype=torch.float64, requires_grad=True))
        parameters.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    X = torch.tensor(case.X, dtype=torch.float64)
    Y = torch.tensor(case.Y, dtype=torch.float64)
    for _ in range(EPOCHS):
        Z, A = forward(case, parameters, X)
        gradients = torch.autograd.grad(loss_value(case, Z, A, Y), parameters)
        with torch.no_grad():
            for parameter, gradient in zip(parameters, gradients):
                parameter -= case.learning_rate * gradient
    with torch.no_grad():
        _, predictions = forward(case, parameters, X)
    return [p.detach().numpy() for p in parameters], predictions.numpy()


def relative_errors(ours, theirs):
    """|a - b| / max(|a|, |b|, ABSOLUTE_FLOOR), element by element."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    scale = np.maximum(np.maximum(np.abs(ours), np.abs(theirs)), ABSOLUTE_FLOOR)
    return np.abs(ours - theirs) / scale


def worst_entry(name, ours, theirs):
    """(relative error, description) of the entry of `name` that differs most."""
    errors = relative_errors(ours, theirs)
    index = np.unravel_index(int(np.argmax(errors)), errors.shape)
    where = "".join(f"[{i}]" for i in index)
    return (float(errors[index]), f"{name}{where}: neurona {float(np.asarray(ours)[index])!r}, "
                                  f"torch {float(np.asarray(theirs)[index])!r}")


def check_case(case, binary, folder):
    """Trains and predicts with neurona and torch. Returns (passed, parameter error, prediction
    error, details), the errors being the largest relative ones."""
    init, data, trained = folder / "init.json", folder / "data.csv", folder / "out.json"
    write_model(case, init)
    write_data(case, data)
    run_neurona(binary, "train", "--init", str(init), "--data", str(data),
                "--lr", repr(case.learning_rate), "--epochs", str(EPOCHS), "--batch", "0",
                "--save", str(trained), "--quiet")
    output = run_neurona(binary, "predict", "--model", str(trained), "--data", str(data))
    neurona_predictions = np.array([[float(v) for v in line.split(",")]
                                    for line in output.splitlines() if line])
    layers = json.loads(trained.read_text())["layers"]
    torch_parameters, torch_predictions = train_torch(case)

    parameter_errors = []
    for l, layer in enumerate(layers):
        parameter_errors.append(worst_entry(f"layer {l + 1} W", layer["W"],
                                            torch_parameters[2 * l]))
        parameter_errors.append(worst_entry(f"layer {l + 1} b", layer["b"],
                                            torch_parameters[2 * l + 1]))
    if neurona_predictions.shape != torch_predictions.shape:
        raise RuntimeError(f"neurona predicted {neurona_predictions.shape}, torch "
                           f"{torch_predictions.shape}")
    prediction_error = worst_entry("prediction", neurona_predictions, torch_predictions)
    parameter_error = max(parameter_errors)
    details = [text for error, text in parameter_errors + [prediction_error] if error > TOLERANCE]
    return not details, parameter_error[0], prediction_error[0], details


def main():
    """Runs every case, prints one line each and a summary; exits 1 if any case failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--neurona", required=True, help="path to the neurona binary")
    binary = str(Path(parser.parse_args().neurona).resolve())
    if not Path(binary).is_file():
        sys.exit(f"torch_crosscheck: no neurona binary at {binary}")
    torch.set_num_threads(1)

    start = time.monotonic()
    passed = failed = 0
    worst_parameter = worst_prediction = 0.0
    with tempfile.TemporaryDirectory(prefix="torch_crosscheck_") as temporary:
        for case in make_cases():
            print(case.describe())
            try:
                ok, parameter_error, prediction_error, details = check_case(case, binary,
                                                                            Path(temporary))
            except RuntimeError as error:
                ok, details = False, [str(error)]
            else:
                worst_parameter = max(worst_parameter, parameter_error)
                worst_prediction = max(worst_prediction, prediction_error)
                print(f"    max relative error: parameters {parameter_error:.2e}, "
                      f"predictions {prediction_error:.2e}  {'ok' if ok else 'FAILED'}")
            for line in details:
                print(f"    FAILED {line}")
            if ok:
                passed += 1
            else:
                failed += 1
    print(f"largest relative errors: parameters {worst_parameter:.2e}, predictions "
          f"{worst_prediction:.2e} (tolerance {TOLERANCE:g}); {time.monotonic() - start:.1f} s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
