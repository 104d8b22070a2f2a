#!/usr/bin/python3
"""Cross-checks neurona's optimizers against torch.optim's, in double precision.

Random networks of 1 to 3 layers start from the same weights on the same data in both; after 50
full-batch steps of each optimizer and variant (sgd plain, with momentum, with Nesterov momentum,
each with and without weight decay; adam, adamw, rmsprop, rprop) every weight and bias must agree
within 1e-9 relative. lbfgs is held to the same tolerance after 20 steps (iterations): its line
search and two-loop recursion amplify the last-bit differences between torch's dot products and
Eigen's, on networks whose weights grow without bound (separable data), to about 1e-8 by step 50,
whereas a difference in the algorithm shows at 1e-3 or more within a few steps. neurona's side
runs in tests/tools/optimizer_steps.

Run as: /usr/bin/python3 tests/torch_optim_crosscheck.py --driver PATH_TO_optimizer_steps
Needs Debian's python3-torch and numpy, which only Debian's own interpreter, /usr/bin/python3,
sees. It never skips: without torch it fails.
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
    print(f"torch_optim_crosscheck: cannot import {error.name}: this test needs python3-torch and "
          "numpy, run with Debian's /usr/bin/python3 (scripts/install-deps installs them)")
    print("0 passed, 1 failed")
    sys.exit(1)

STEPS = 50
LBFGS_STEPS = 20        # see the module's description
TOLERANCE = 1e-9        # largest relative error allowed for any parameter
ABSOLUTE_FLOOR = 1e-12  # denominators never go below this, for entries that are essentially 0
SEED = 20240607
DEPTHS = (1, 2, 3)      # every variant runs once at each depth
LEAKY_RELU_SLOPE = 0.01

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
OUTPUT_LOSS_PAIRS = [("linear", "half_squared_error"), ("sigmoid", "binary_cross_entropy"),
                     ("softmax", "cross_entropy"), ("tanh", "half_squared_error")]

# (label, optimizer, settings for both sides). Learning rates are drawn per case where the value
# is a (low, high) range; torch's names of the settings are mapped in torch_optimizer.
VARIANTS = [
    ("sgd", "sgd", {"lr": (0.05, 0.3)}),
    ("sgd weight decay", "sgd", {"lr": (0.05, 0.3), "weight_decay": 0.01}),
    ("sgd momentum", "sgd", {"lr": (0.02, 0.1), "momentum": 0.9}),
    ("sgd momentum weight decay", "sgd", {"lr": (0.02, 0.1), "momentum": 0.5,
                                          "weight_decay": 0.05}),
    ("sgd nesterov", "sgd", {"lr": (0.02, 0.1), "momentum": 0.9, "nesterov": 1}),
    ("sgd nesterov weight decay", "sgd", {"lr": (0.02, 0.1), "momentum": 0.7, "nesterov": 1,
                                          "weight_decay": 0.02}),
    ("adam", "adam", {"lr": (0.001, 0.05)}),
    ("adam betas epsilon", "adam", {"lr": (0.001, 0.05), "beta1": 0.8, "beta2": 0.99,
                                    "epsilon": 1e-6}),
    ("adam weight decay", "adam", {"lr": (0.001, 0.05), "weight_decay": 0.01}),
    ("adamw", "adamw", {"lr": (0.001, 0.05), "weight_decay": 0.01}),
    ("adamw strong decay", "adamw", {"lr": (0.001, 0.05), "weight_decay": 0.5, "beta1": 0.85}),
    ("rmsprop", "rmsprop", {"lr": (0.001, 0.02)}),
    ("rmsprop alpha weight decay", "rmsprop", {"lr": (0.001, 0.02), "alpha": 0.9,
                                               "weight_decay": 0.01}),
    ("rmsprop momentum", "rmsprop", {"lr": (0.001, 0.02), "momentum": 0.9}),
    ("rprop", "rprop", {"lr": (0.01, 0.1)}),
    ("rprop etas steps", "rprop", {"lr": (0.01, 0.1), "eta_minus": 0.3, "eta_plus": 1.5,
                                   "step_min": 1e-4, "step_max": 0.2}),
    ("lbfgs", "lbfgs", {"lr": (1.0, 1.0)}),
    ("lbfgs history 3", "lbfgs", {"lr": (1.0, 1.0), "history": 3}),
    ("lbfgs shorter first guess", "lbfgs", {"lr": (0.2, 0.5)}),
]


@dataclass
class Case:
    """One variant on one network: its initial weights, its data and its settings."""
    number: int
    label: str
    optimizer: str
    settings: dict
    inputs: int
    widths: list          # units of each layer, first to last
    activations: list     # activation of each layer, the last being the output's
    loss: str
    weights: list         # initial W of each layer, numpy n_in x n_out
    biases: list          # initial b of each layer, numpy n_out
    X: np.ndarray         # m x inputs
    Y: np.ndarray         # m x outputs; one-hot rows for cross_entropy

    def steps(self):
        return LBFGS_STEPS if self.optimizer == "lbfgs" else STEPS

    def describe(self):
        topology = "-".join(str(n) for n in [self.inputs] + self.widths)
        settings = " ".join(f"{k}={v:.4g}" for k, v in self.settings.items())
        return (f"case {self.number:2d}: {self.label:<27} {self.steps()} steps, depth {len(self.widths)} "
                f"{topology:<9} {','.join(self.activations):<22} {self.loss:<20} {settings}")


def make_cases():
    """The deterministic list of cases: every variant at every depth, with activations, losses,
    widths, data and learning rates drawn from a seeded Generator."""
    rng = np.random.default_rng(SEED)
    cases = []
    for label, optimizer, template in VARIANTS:
        for depth in DEPTHS:
            output, loss = OUTPUT_LOSS_PAIRS[len(cases) % len(OUTPUT_LOSS_PAIRS)]
            hidden = [HIDDEN_ACTIVATIONS[int(i)] for i in rng.integers(0, 5, depth - 1)]
            activations = hidden + [output]
            inputs = int(rng.integers(1, 6))
            widths = [int(w) for w in rng.integers(1, 6, depth)]
            if output == "softmax":
                widths[-1] = int(rng.integers(2, 5))
            weights, biases = [], []
            n_in = inputs
            for width, activation in zip(widths, activations):
                fan = n_in if activation in ("relu", "leaky_relu") else (n_in + width) / 2
                limit = np.sqrt(3.0 / fan)
                weights.append(rng.uniform(-limit, limit, (n_in, width)))
                biases.append(rng.uniform(-0.1, 0.1, width))
                n_in = width
            rows = int(rng.integers(4, 16))
            X = rng.normal(size=(rows, inputs))
            if loss == "binary_cross_entropy":
                Y = rng.integers(0, 2, (rows, widths[-1])).astype(float)
            elif loss == "cross_entropy":
                Y = np.eye(widths[-1])[rng.integers(0, widths[-1], rows)]
            elif output == "tanh":
                Y = rng.uniform(-0.9, 0.9, (rows, widths[-1]))
            else:
                Y = rng.normal(size=(rows, widths[-1]))
            settings = {}
            for key, value in template.items():
                settings[key] = (float(rng.uniform(*value)) if isinstance(value, tuple)
                                 else float(value))
            cases.append(Case(len(cases) + 1, label, optimizer, settings, inputs, widths,
                              activations, loss, weights, biases, X, Y))
    return cases


def write_model(case, path):
    """The initial model as a neurona model file (docs/FORMAT.md; repr round-trips floats)."""
    layers = [{"units": width, "activation": activation, "W": W.tolist(), "b": b.tolist()}
              for width, activation, W, b in zip(case.widths, case.activations, case.weights,
                                                 case.biases)]
    model = {"format": "neurona", "version": 1, "precision": "double", "inputs": case.inputs,
             "loss": case.loss, "layers": layers}
    path.write_text(json.dumps(model))


def write_data(case, path):
    """Inputs then targets as CSV without a header, every value written with repr."""
    table = np.hstack([case.X, case.Y])
    path.write_text("".join(",".join(repr(float(v)) for v in row) + "\n" for row in table))


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


def loss_value(case, parameters, X, Y):
    """E as neurona computes it: the mean over rows of a per-row sum over outputs, the
    cross-entropies on the output layer's Z."""
    A = X
    for layer, activation in enumerate(case.activations):
        Z = A @ parameters[2 * layer] + parameters[2 * layer + 1]
        A = activate(activation, Z)
    if case.loss == "half_squared_error":
        return 0.5 * ((A - Y) ** 2).sum(1).mean()
    if case.loss == "binary_cross_entropy":
        return F.binary_cross_entropy_with_logits(Z, Y, reduction="none").sum(1).mean()
    if case.loss == "cross_entropy":
        return -(Y * F.log_softmax(Z, dim=1)).sum(1).mean()
    raise ValueError(f"unknown loss {case.loss}")


def torch_optimizer(case, parameters):
    """torch.optim's optimizer for the case, with neurona's settings under torch's names."""
    s = case.settings
    lr = s["lr"]
    if case.optimizer == "sgd":
        return torch.optim.SGD(parameters, lr=lr, momentum=s.get("momentum", 0),
                               nesterov=bool(s.get("nesterov", 0)),
                               weight_decay=s.get("weight_decay", 0))
    if case.optimizer in ("adam", "adamw"):
        kind = torch.optim.Adam if case.optimizer == "adam" else torch.optim.AdamW
        return kind(parameters, lr=lr, betas=(s.get("beta1", 0.9), s.get("beta2", 0.999)),
                    eps=s.get("epsilon", 1e-8), weight_decay=s.get("weight_decay", 0))
    if case.optimizer == "rmsprop":
        return torch.optim.RMSprop(parameters, lr=lr, alpha=s.get("alpha", 0.99),
                                   eps=s.get("epsilon", 1e-8),
                                   weight_decay=s.get("weight_decay", 0),
                                   momentum=s.get("momentum", 0))
    if case.optimizer == "rprop":
        return torch.optim.Rprop(parameters, lr=lr,
                                 etas=(s.get("eta_minus", 0.5), s.get("eta_plus", 1.2)),
                                 step_sizes=(s.get("step_min", 1e-6), s.get("step_max", 50)))
    if case.optimizer == "lbfgs":
        return torch.optim.LBFGS(parameters, lr=lr, max_iter=1,
                                 history_size=int(s.get("history", 10)),
                                 line_search_fn="strong_wolfe")
    raise ValueError(f"unknown optimizer {case.optimizer}")


def train_torch(case):
    """The case's full-batch steps of its optimizer in torch; the parameters [W1, b1, ...]."""
    parameters = []
    for W, b in zip(case.weights, case.biases):
        parameters.append(torch.tensor(W, dtype=torch.float64, requires_grad=True))
        parameters.append(torch.tensor(b, dtype=torch.float64, requires_grad=True))
    X = torch.tensor(case.X, dtype=torch.float64)
    Y = torch.tensor(case.Y, dtype=torch.float64)
    optimizer = torch_optimizer(case, parameters)

    def closure():
        optimizer.zero_grad()
        loss = loss_value(case, parameters, X, Y)
        loss.backward()
        return loss

    for _ in range(case.steps()):
        if case.optimizer == "lbfgs":
            optimizer.step(closure)
        else:
            closure()
            optimizer.step()
    return [p.detach().numpy() for p in parameters]


def run_neurona(driver, case, folder):
    """The case's steps of its optimizer in neurona; the parameters [W1, b1, ...]."""
    init, data, trained = folder / "init.json", folder / "data.csv", folder / "out.json"
    write_model(case, init)
    write_data(case, data)
    settings = [f"{key}={value!r}" for key, value in case.settings.items()]
    command = [driver, str(init), str(data), str(trained), str(case.steps()), case.optimizer, *settings]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {result.returncode}:\n"
                           f"{result.stderr.strip()}")
    parameters = []
    for layer in json.loads(trained.read_text())["layers"]:
        parameters += [np.array(layer["W"], dtype=float), np.array(layer["b"], dtype=float)]
    return parameters


def worst_entry(name, ours, theirs):
    """(relative error, description) of the entry of `name` that differs most, the error being
    |a - b| / max(|a|, |b|, ABSOLUTE_FLOOR)."""
    scale = np.maximum(np.maximum(np.abs(ours), np.abs(theirs)), ABSOLUTE_FLOOR)
    errors = np.abs(ours - theirs) / scale
    index = np.unravel_index(int(np.argmax(errors)), errors.shape)
    where = "".join(f"[{i}]" for i in index)
    return (float(errors[index]),
            f"{name}{where}: neurona {float(ours[index])!r}, torch {float(theirs[index])!r}")


def check_case(case, driver, folder):
    """(largest relative error, the entries beyond TOLERANCE described)."""
    ours = run_neurona(driver, case, folder)
    theirs = train_torch(case)
    entries = []
    for index, (a, b) in enumerate(zip(ours, theirs)):
        name = f"layer {index // 2 + 1} {'W' if index % 2 == 0 else 'b'}"
        if a.shape != b.shape:
            raise RuntimeError(f"{name}: neurona has shape {a.shape}, torch {b.shape}")
        entries.append(worst_entry(name, a, b))
    return max(error for error, _ in entries), [text for error, text in entries
                                                 if not error <= TOLERANCE]


def main():
    """Runs every case, prints one line each, the largest errors per optimizer and a final
    "N passed, M failed" line; exits 1 if any case failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--driver", required=True, help="path to tests/tools/optimizer_steps")
    driver = Path(parser.parse_args().driver).resolve()
    if not driver.is_file():
        print(f"torch_optim_crosscheck: no driver at {driver}")
        print("0 passed, 1 failed")
        return 1
    torch.set_num_threads(1)

    start = time.monotonic()
    passed = failed = 0
    worst = {}
    with tempfile.TemporaryDirectory(prefix="torch_optim_crosscheck_") as temporary:
        for case in make_cases():
            try:
                error, details = check_case(case, str(driver), Path(temporary))
            except RuntimeError as problem:
                error, details = float("nan"), [str(problem)]
            ok = not details
            worst[case.label] = max(worst.get(case.label, 0.0), error)
            print(f"{case.describe()}  max relative error {error:.2e}  "
                  f"{'ok' if ok else 'FAILED'}")
            for line in details:
                print(f"    FAILED {line}")
            passed += ok
            failed += not ok
    print(f"largest relative error per variant (tolerance {TOLERANCE:g}), "
          f"{time.monotonic() - start:.1f} s:")
    for label, error in worst.items():
        print(f"    {label:<27} {error:.2e}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
