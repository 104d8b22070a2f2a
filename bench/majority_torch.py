#!/usr/bin/python3
"""PyTorch's side of workloads 1, 3 and 4: the tutorial's 3-2-4-1 network, shared weights.

  majority_torch.py train --variant sequential|tensor --model FILE.json --precision P --epochs N
  majority_torch.py predict --model FILE.json --precision P [--rows R]
  majority_torch.py job --model FILE.json --data FILE.csv --epochs N

Each prints one JSON line (job: a table) for bench/compare. --threads is given by the benchmark
only: tests leave PyTorch's thread settings alone.
"""
import argparse
import csv
import json
import statistics
import sys
import time

import torch

MAJORITY_X = [[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 0],
              [0, 1, 1], [1, 0, 1], [1, 1, 0], [1, 1, 1]]
MAJORITY_Y = [[0], [0], [0], [0], [1], [1], [1], [1]]


def read_layers(path, dtype):
    """[(W, b)] from a neurona model file, in the tutorial's layout: W (n_in x n_out), b (n_out)."""
    with open(path) as f:
        model = json.load(f)
    return [(torch.tensor(layer["W"], dtype=torch.float64).to(dtype),
             torch.tensor(layer["b"], dtype=torch.float64).to(dtype)) for layer in model["layers"]]


def sequential(layers, dtype):
    """nn.Sequential as a PyTorch user writes it; nn.Linear keeps W transposed."""
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 4),
                              torch.nn.Sigmoid(), torch.nn.Linear(4, 1)).to(dtype)
    with torch.no_grad():
        for linear, (W, b) in zip([net[0], net[2], net[4]], layers):
            linear.weight.copy_(W.t())
            linear.bias.copy_(b)
    return net


def half_squared_error(yhat, y):
    """neurona's E = 1/m sum_i 1/2 sum_j (yhat_ij - y_ij)^2."""
    return 0.5 * ((yhat - y) ** 2).sum(1).mean()


def median_round_seconds(round_, min_seconds):
    """The median time of round_() repeated until min_seconds have passed, at least twice."""
    times = []
    start = time.perf_counter()
    while len(times) < 2 or time.perf_counter() - start < min_seconds:
        t0 = time.perf_counter()
        round_()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def train_sequential(layers, X, Y, epochs, lr, dtype):
    net = sequential(layers, dtype)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = half_squared_error(net(X), Y)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        return net(X)


def train_tensor(layers, X, Y, epochs, lr, dtype):
    """The fastest plain PyTorch found: the backward pass written out, no autograd, every buffer
    made once and every operation in place or into its buffer (out=)."""
    with torch.no_grad():
        (W1, b1), (W2, b2), (W3, b3) = [(W.clone(), b.clone()) for W, b in layers]
        m = X.shape[0]
        A1 = torch.empty(m, 2, dtype=dtype)
        A2 = torch.empty(m, 4, dtype=dtype)
        A3 = torch.empty(m, 1, dtype=dtype)
        dA1, dA2, dZ3 = torch.empty_like(A1), torch.empty_like(A2), torch.empty_like(A3)
        S1, S2 = torch.empty_like(A1), torch.empty_like(A2)
        dW1, dW2, dW3 = torch.empty_like(W1), torch.empty_like(W2), torch.empty_like(W3)
        db1, db2, db3 = torch.empty_like(b1), torch.empty_like(b2), torch.empty_like(b3)
        XT = X.t().contiguous()
        for _ in range(epochs):
            # Z = A_prev W + b, A = sigma(Z)
            torch.addmm(b1, X, W1, out=A1).sigmoid_()
            torch.addmm(b2, A1, W2, out=A2).sigmoid_()
            torch.addmm(b3, A2, W3, out=A3)
            # dZ3 = (yhat - y) / m; dW = A_prev^T dZ, db = sum over rows of dZ, dA_prev = dZ W^T
            torch.sub(A3, Y, out=dZ3).mul_(1.0 / m)
            torch.mm(A2.t(), dZ3, out=dW3)
            torch.sum(dZ3, 0, out=db3)
            torch.mm(dZ3, W3.t(), out=dA2)
            # dZ = dA (.) a (1 - a)
            torch.neg(A2, out=S2).add_(1).mul_(A2)
            dA2.mul_(S2)
            torch.mm(A1.t(), dA2, out=dW2)
            torch.sum(dA2, 0, out=db2)
            torch.mm(dA2, W2.t(), out=dA1)
            torch.neg(A1, out=S1).add_(1).mul_(A1)
            dA1.mul_(S1)
            torch.mm(XT, dA1, out=dW1)
            torch.sum(dA1, 0, out=db1)
            for p, g in ((W1, dW1), (b1, db1), (W2, dW2), (b2, db2), (W3, dW3), (b3, db3)):
                p.sub_(g, alpha=lr)
        A1 = torch.sigmoid(X @ W1 + b1)
        A2 = torch.sigmoid(A1 @ W2 + b2)
        return A2 @ W3 + b3


def evaluate(yhat, Y):
    yhat = yhat.double()
    Y = Y.double()
    loss = float(half_squared_error(yhat, Y))
    correct = int(((yhat >= 0.5) == (Y >= 0.5)).sum())
    return loss, correct


def command_train(args, dtype):
    layers = read_layers(args.model, dtype)
    X = torch.tensor(MAJORITY_X, dtype=dtype)
    Y = torch.tensor(MAJORITY_Y, dtype=dtype)
    train = {"sequential": train_sequential, "tensor": train_tensor}[args.variant]
    result = {}

    def round_():
        result["yhat"] = train(layers, X, Y, args.epochs, args.lr, dtype)

    seconds = median_round_seconds(round_, args.min_time)
    loss, correct = evaluate(result["yhat"], Y)
    print(json.dumps({"loss": loss, "correct": correct,
                      "seconds_per_epoch": seconds / args.epochs}))


def prediction_rows(rows, dtype):
    """bench/compare's rows: x_ij = ((3 i + j) * 2654435761 mod 2^32) / 2^32."""
    values = [[((3 * i + j) * 2654435761 % 4294967296) / 4294967296.0 for j in range(3)]
              for i in range(rows)]
    return torch.tensor(values, dtype=torch.float64).to(dtype)


def command_predict(args, dtype):
    net = sequential(read_layers(args.model, dtype), dtype).eval()
    X = prediction_rows(args.rows, dtype)
    singles = [X[i:i + 1].clone() for i in range(min(args.rows, 1024))]
    result = {}
    with torch.inference_mode():
        def one_row():
            result["one"] = sum(float(net(x)[0, 0]) for x in singles)

        def batch():
            result["batch"] = net(X)

        one_row_seconds = median_round_seconds(one_row, args.min_time)
        batch_seconds = median_round_seconds(batch, args.min_time)
    yhat = result["batch"].double()
    print(json.dumps({"one_row_seconds": one_row_seconds / len(singles),
                      "one_row_sum": result["one"],
                      "batch_seconds_per_row": batch_seconds / args.rows,
                      "batch_sum": float(yhat.sum()), "first": float(yhat[0, 0])}))


def command_job(args, dtype):
    """Workload 4: what a PyTorch user writes to train the network on the CSV and show it."""
    with open(args.data) as f:
        rows = [[float(v) for v in row] for row in list(csv.reader(f))[1:]]
    X = torch.tensor([row[:3] for row in rows], dtype=dtype)
    Y = torch.tensor([row[3:] for row in rows], dtype=dtype)
    yhat = train_sequential(read_layers(args.model, dtype), X, Y, args.epochs, args.lr, dtype)
    loss, correct = evaluate(yhat, Y)
    print(" x1 x2 x3 | target | prediction")
    for x, y, p in zip(X.tolist(), Y.tolist(), yhat.tolist()):
        print(f"  {x[0]:g}  {x[1]:g}  {x[2]:g} |      {y[0]:g} | {p[0]:10.6f}")
    print(f"loss: {loss!r}\naccuracy: {correct}/{len(rows)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["train", "predict", "job"])
    parser.add_argument("--model", required=True)
    parser.add_argument("--precision", choices=["double", "float"], default="double")
    parser.add_argument("--variant", choices=["sequential", "tensor"], default="sequential")
    parser.add_argument("--epochs", type=int, default=10000)
    parser.add_argument("--lr", type=float, default=0.5)
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--min-time", type=float, default=0.3)
    parser.add_argument("--data")
    parser.add_argument("--threads", type=int, help="torch.set_num_threads (benchmark runs only)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    dtype = torch.float64 if args.precision == "double" else torch.float32
    commands = {"train": command_train, "predict": command_predict, "job": command_job}
    commands[args.command](args, dtype)


if __name__ == "__main__":
    sys.exit(main())
