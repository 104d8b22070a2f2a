#!/usr/bin/python3
"""The peers' side of the medium-network benchmark: PyTorch and scikit-learn's MLPClassifier on
the network medium_neurona trains (784-256-128-10, ReLU hidden, softmax + cross-entropy, float32,
batches of 128 rows in row order, plain SGD), from the weights file it writes.

    peers.py torch|sklearn check --weights W --images I --labels L --steps K --lr A
                                 --predict-rows P --out F
    peers.py torch|sklearn serve --weights W --images I --labels L --rows R --lr A --threads N

`check` writes what medium_neurona check writes (see write_check); `serve` answers the same
commands on stdin with the same JSON lines. bench/medium.py sets the thread variables
(OMP_NUM_THREADS, OPENBLAS_NUM_THREADS) before starting this, because OpenBLAS reads them when it
loads and torch.set_num_threads does not bound it.
"""

import argparse
import ctypes
import gzip
import json
import sys
import time
import warnings

import numpy as np

LAYERS = [784, 256, 128, 10]
BATCH = 128


def read_idx(path, rows):
    """The first `rows` entries of an IDX file of unsigned bytes (gzip or plain), as uint8."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    if data[2] != 0x08:
        raise ValueError(f"{path}: expected unsigned bytes (type 0x08), got {data[2]:#x}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(data[3])]
    if rows > dims[0]:
        raise ValueError(f"{path} has {dims[0]} rows, not {rows}")
    width = int(np.prod(dims[1:])) if len(dims) > 1 else 1
    offset = 4 + 4 * len(dims)
    return np.frombuffer(data, np.uint8, rows * width, offset).reshape(rows, width)


def load(images, labels, rows):
    # float32 division, as medium_neurona computes it: the same bits in every program.
    X = read_idx(images, rows).astype(np.float32) / np.float32(255)
    y = read_idx(labels, rows).reshape(-1).astype(np.int64)
    return X, y


def read_weights(path):
    """[(W, b)] per layer from medium_neurona init's file: float32, W (n_in x n_out) then b."""
    flat = np.fromfile(path, np.float32)
    layers, at = [], 0
    for n_in, n_out in zip(LAYERS[:-1], LAYERS[1:]):
        W = flat[at:at + n_in * n_out].reshape(n_in, n_out)
        at += n_in * n_out
        b = flat[at:at + n_out]
        at += n_out
        layers.append((W.copy(), b.copy()))
    if at != flat.size:
        raise ValueError(f"{path}: {flat.size} floats, expected {at}")
    return layers


def openblas_kernel():
    """The OpenBLAS loaded into this process and the kernel it runs, or None."""
    with open("/proc/self/maps") as maps:
        paths = {line.split()[-1] for line in maps if "openblas" in line and "/" in line}
    for path in sorted(paths):
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            return {"kernel": lib.openblas_get_corename().decode(),
                    "config": lib.openblas_get_config().decode(),
                    "threads": lib.openblas_get_num_threads()}
        except (OSError, AttributeError):
            continue
    return None


class Torch:
    name = "PyTorch"

    def __init__(self, weights, lr, threads):
        import torch
        self.torch = torch
        torch.set_num_threads(threads)
        layers = []
        for i, (W, b) in enumerate(weights):
            linear = torch.nn.Linear(W.shape[0], W.shape[1])
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(W.T.copy()))  # torch keeps W^T (out x in)
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if i + 1 < len(weights):
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.loss = torch.nn.CrossEntropyLoss()
        self.optimizer = torch.optim.SGD(self.model.parameters(), lr=lr)

    def info(self):
        config = self.torch.__config__.show()
        lines = [line.strip(" -") for line in config.splitlines()]
        capability = [line.split(":", 1)[1].strip() for line in lines
                      if line.startswith("CPU capability usage")]
        onednn = [line for line in lines if "MKL-DNN" in line or "oneDNN" in line]
        return {"version": self.torch.__version__,
                "threads": self.torch.get_num_threads(),
                "cpu_capability": capability[0] if capability else "unknown",
                "onednn": onednn[0] if onednn else "no oneDNN",
                "blas": "BLAS_INFO=generic" if "BLAS_INFO=generic" in config else "see config",
                "openblas": openblas_kernel()}

    def data(self, X, y):
        return self.torch.from_numpy(X), self.torch.from_numpy(y)

    def epoch(self, X, y):
        """One pass over the rows in batches; E of each batch before its update."""
        losses = []
        for start in range(0, X.shape[0], BATCH):
            self.optimizer.zero_grad(set_to_none=True)
            loss = self.loss(self.model(X[start:start + BATCH]), y[start:start + BATCH])
            loss.backward()
            self.optimizer.step()
            losses.append(loss.item())
        return losses

    def weights(self):
        linears = [m for m in self.model if isinstance(m, self.torch.nn.Linear)]
        return [(m.weight.detach().numpy().T, m.bias.detach().numpy()) for m in linears]

    def predict(self, X):
        with self.torch.no_grad():
            return self.torch.softmax(self.model(X), 1)


class Sklearn:
    name = "scikit-learn"

    def __init__(self, weights, lr, threads):
        import sklearn
        from sklearn.neural_network import MLPClassifier
        from threadpoolctl import threadpool_limits
        self.sklearn = sklearn
        self.limits = threadpool_limits(threads)
        self.model = MLPClassifier(
            hidden_layer_sizes=tuple(LAYERS[1:-1]), activation="relu", solver="sgd",
            batch_size=BATCH, learning_rate="constant", learning_rate_init=lr, momentum=0.0,
            nesterovs_momentum=False, alpha=0.0, shuffle=False, max_iter=1)
        # The first partial_fit builds the model and its optimizer, which keeps references to the
        # weight arrays: the shared weights are then copied into those arrays, not rebound.
        first = np.zeros((1, LAYERS[0]), np.float32)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.partial_fit(first, np.zeros(1, np.int64), classes=np.arange(LAYERS[-1]))
        for (W, b), coef, intercept in zip(weights, self.model.coefs_, self.model.intercepts_):
            if coef.dtype != np.float32:
                raise RuntimeError(f"scikit-learn keeps {coef.dtype} weights, not float32")
            coef[...] = W
            intercept[...] = b

    def info(self):
        from threadpoolctl import threadpool_info
        blas = [f"{i.get('internal_api')} {i.get('version')} kernel {i.get('architecture')}, "
                f"{i.get('num_threads')} threads"
                for i in threadpool_info() if i.get("user_api") == "blas"]
        return {"version": self.sklearn.__version__, "numpy": np.__version__,
                "blas": "; ".join(blas) or "none found", "openblas": openblas_kernel()}

    def data(self, X, y):
        return X, y

    def epoch(self, X, y):
        """One pass over the rows; scikit-learn gives only the epoch's mean E."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.model.partial_fit(X, y)
        return [self.model.loss_curve_[-1]]

    def weights(self):
        return list(zip(self.model.coefs_, self.model.intercepts_))

    def predict(self, X):
        return self.model.predict_proba(X)


def make_peer(name, weights, lr, threads):
    return {"torch": Torch, "sklearn": Sklearn}[name](weights, lr, threads)


def write_check(path, losses, weights, predictions):
    """Losses (float64), weights after the steps (float32, as medium_neurona writes them), then
    predictions for the first P rows (P x 10 float32)."""
    with open(path, "wb") as out:
        out.write(np.asarray(losses, np.float64).tobytes())
        for W, b in weights:
            out.write(np.ascontiguousarray(W, np.float32).tobytes())
            out.write(np.ascontiguousarray(b, np.float32).tobytes())
        out.write(np.ascontiguousarray(predictions, np.float32).tobytes())


def check(args):
    rows = args.steps * BATCH
    X, y = load(args.images, args.labels, max(rows, args.predict_rows))
    peer = make_peer(args.peer, read_weights(args.weights), args.lr, 1)
    X, y = peer.data(X, y)
    losses = peer.epoch(X[:rows], y[:rows])
    predictions = np.asarray(peer.predict(X[:args.predict_rows]))
    write_check(args.out, losses, peer.weights(), predictions)


def serve(args):
    X, y = load(args.images, args.labels, args.rows)
    peer = make_peer(args.peer, read_weights(args.weights), args.lr, args.threads)
    X, y = peer.data(X, y)
    one_row = X[:1]
    reply = {"ready": True, "threads": args.threads, **peer.info()}
    print(json.dumps(reply), flush=True)
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == "quit":
            break
        if words[0] == "train":
            start = time.perf_counter()
            losses = peer.epoch(X, y)
            seconds = time.perf_counter() - start
            reply = {"seconds": seconds, "rows": args.rows, "loss": float(np.mean(losses))}
        elif words[0] == "predict1":
            calls = int(words[1])
            start = time.perf_counter()
            for _ in range(calls):
                peer.predict(one_row)
            reply = {"seconds": time.perf_counter() - start, "calls": calls}
        elif words[0] == "predict_batch":
            batch = min(int(words[1]), args.rows)
            rows = X[:batch]
            start = time.perf_counter()
            peer.predict(rows)
            reply = {"seconds": time.perf_counter() - start, "rows": batch}
        else:
            reply = {"error": f"unknown command {words[0]}"}
        print(json.dumps(reply), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("peer", choices=["torch", "sklearn"])
    parser.add_argument("command", choices=["check", "serve"])
    parser.add_argument("--weights", required=True)
    parser.add_argument("--images", required=True)
    parser.add_argument("--labels", required=True)
    parser.add_argument("--lr", type=float, required=True)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--predict-rows", type=int, default=0)
    parser.add_argument("--out")
    parser.add_argument("--rows", type=int, default=60000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.command == "check":
        check(args)
    else:
        serve(args)


if __name__ == "__main__":
    main()
