#!/usr/bin/python3
"""Workload 2 of the speed benchmark, the medium network, and its part of workload 3.

The network is 784-256-128-10, ReLU hidden, softmax + cross-entropy, float32, trained by plain SGD
on mini-batches of 128 Fashion-MNIST training rows taken in row order. neurona
(bench/medium/medium_neurona), PyTorch and scikit-learn's MLPClassifier (bench/medium/peers.py)
start from the same initial weights, which neurona writes. Before anything is timed, each program
runs the same first steps and its losses, weights and predictions are compared with neurona's.
Then every program runs as a worker that keeps its data loaded, and the repetitions alternate
between the workers: training samples per second on one thread and on two, the latency of a
one-row prediction and the throughput of a 10,000-row batch. The machine's bound is the step's
FLOPs over the best one-core sgemm rate on the step's own shapes (bench/medium/medium_sgemm).

    bench/medium.py [--build build] [--repetitions 5] [--quick] [--cpu N]
                    [--openblas-coretype KERNEL]

prints a Markdown section; bench/compare calls run(args) for the same text. --quick runs a few
steps on a few rows: it tests that the checks pass, not speed. A failed check raises CheckFailed
(exit status 1). Timed runs remove OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from the peers'
environment (--quick leaves them, as tests must), so that OpenBLAS picks its kernel for the CPU;
--openblas-coretype names one for all of them where it picks an old one for a CPU it does not
know. Every peer prints the BLAS kernel it loads.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PEERS = os.path.join(ROOT, "bench", "medium", "peers.py")
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
IMAGES = os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz")
LABELS = os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")

OPENBLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

LAYERS = [784, 256, 128, 10]
BATCH = 128
SEED = 1
LEARNING_RATE = 0.01

# Differences allowed between neurona and a peer after the check's steps. Float32 sums of up to
# 784 terms in another order differ by about 1e-7 relative; 20 steps leave them near 1e-6.
LOSS_TOLERANCE = 1e-5  # relative, per step (scikit-learn: the mean over the steps)
WEIGHT_TOLERANCE = 1e-6  # absolute, every weight and bias
PREDICTION_TOLERANCE = 1e-5  # absolute, every softmax output
# A wrong transpose or leading dimension in medium_sgemm shows as O(1), rounding as about 1e-6.
SGEMM_TOLERANCE = 1e-4  # relative to the largest entry of C, against Eigen's product


class CheckFailed(RuntimeError):
    pass


def step_flops():
    """FLOPs of one training step's matrix products, 2 M N K each, with m = BATCH rows: forward
    Z = A_prev W for every layer, dW = A_prev^T dZ for every layer, dA_prev = dZ W^T for all but
    the first. Bias, activations, softmax and the update are left out (O(m n), not O(m n n))."""
    pairs = list(zip(LAYERS[:-1], LAYERS[1:]))
    forward = sum(2 * BATCH * n_in * n_out for n_in, n_out in pairs)
    weights = forward
    inputs = sum(2 * BATCH * n_in * n_out for n_in, n_out in pairs[1:])
    return forward, weights, inputs


def settings(args):
    quick = bool(getattr(args, "quick", False))
    return dict(
        quick=quick,
        rows=1024 if quick else 60000,
        repetitions=1 if quick else max(1, int(getattr(args, "repetitions", 5) or 5)),
        check_steps=4 if quick else 20,
        predict_rows=256 if quick else 10000,
        predict_calls=20 if quick else 2000,
        threads=[1, 2],
        cpu=getattr(args, "cpu", None),
        coretype=getattr(args, "openblas_coretype", None),
    )


def find_build(args):
    build = getattr(args, "build", "build") or "build"
    for base in (os.getcwd(), ROOT):
        path = os.path.join(base, build, "bench", "medium")
        if os.path.exists(os.path.join(path, "medium_neurona")):
            return path
    raise FileNotFoundError(
        f"no medium_neurona under {build}/bench/medium; HINT: cmake --build {build} "
        "--target medium_neurona medium_sgemm")


def peer_environment(s, threads):
    """This process's environment with every thread pool sized and, for a timed run, without the
    OpenBLAS overrides, which hold OpenBLAS to older kernels. Tests (--quick) leave them be."""
    env = dict(os.environ)
    if not s["quick"]:
        for name in OPENBLAS_OVERRIDES:
            env.pop(name, None)
    if s["coretype"]:
        env["OPENBLAS_CORETYPE"] = s["coretype"]
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[name] = str(threads)
    return env


def placement(s, threads):
    """Pins a one-thread process to the CPU of --cpu, if any, before it starts."""
    cpu = s["cpu"]
    if threads != 1 or cpu is None:
        return None
    return lambda: os.sched_setaffinity(0, {cpu})


def run_checked(command, env, pin=None):
    done = subprocess.run(command, env=env, capture_output=True, text=True, preexec_fn=pin)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return done.stdout


class Worker:
    """A program kept running with its data loaded; one JSON line in reply to each command."""

    def __init__(self, s, label, program, threads, command, folder):
        self.label, self.program, self.threads = label, program, threads
        self.stderr_path = os.path.join(folder, f"{program}-{threads}.stderr")
        self.stderr = open(self.stderr_path, "w")
        self.process = subprocess.Popen(command, env=peer_environment(s, threads), text=True,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.stderr, preexec_fn=placement(s, threads))
        self.info = self._reply()

    def _reply(self):
        line = self.process.stdout.readline()
        if not line:
            self.process.wait()
            with open(self.stderr_path) as f:
                raise RuntimeError(f"{self.label} on {self.threads} thread(s) stopped "
                                   f"({self.process.returncode}):\n{f.read()[-2000:]}")
        reply = json.loads(line)
        if "error" in reply:
            raise RuntimeError(f"{self.label}: {reply['error']}")
        return reply

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._reply()

    def close(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write("quit\n")
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (BrokenPipeError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
        self.stderr.close()


def read_check(path, losses):
    """What medium_neurona check and peers.py check write: `losses` float64 values, the weights,
    the predictions, and (neurona only) one float64 after them."""
    data = open(path, "rb").read()
    at = 8 * losses
    loss = np.frombuffer(data, np.float64, losses, 0)
    weights = []
    for n_in, n_out in zip(LAYERS[:-1], LAYERS[1:]):
        W = np.frombuffer(data, np.float32, n_in * n_out, at).reshape(n_in, n_out)
        at += 4 * n_in * n_out
        b = np.frombuffer(data, np.float32, n_out, at)
        at += 4 * n_out
        weights.append((W, b))
    rest = len(data) - at
    trailer = None
    if rest % (4 * LAYERS[-1]) == 8:
        trailer = float(np.frombuffer(data, np.float64, 1, len(data) - 8)[0])
        rest -= 8
    predictions = np.frombuffer(data, np.float32, rest // 4, at).reshape(-1, LAYERS[-1])
    return loss, weights, predictions, trailer


def largest_difference(a, b):
    """The largest |difference| between two networks' weights and biases, [(W, b)] each."""
    return max(float(np.max(np.abs(x.astype(np.float64) - y)))
               for layer_a, layer_b in zip(a, b) for x, y in zip(layer_a, layer_b))


def run_checks(s, programs, folder, weights_file):
    """The same first steps in every program, compared with neurona's. Returns Markdown lines."""
    steps, rows = s["check_steps"], s["predict_rows"]
    common = ["--images", IMAGES, "--labels", LABELS, "--steps", str(steps), "--lr",
              str(LEARNING_RATE), "--predict-rows", str(rows)]
    out = {}
    out["neurona"] = os.path.join(folder, "check-neurona.bin")
    run_checked([programs["neurona"], "check", "--seed", str(SEED), *common, "--out",
                 out["neurona"]], peer_environment(s, 1), placement(s, 1))
    for peer in ("torch", "sklearn"):
        out[peer] = os.path.join(folder, f"check-{peer}.bin")
        run_checked([sys.executable, PEERS, peer, "check", "--weights", weights_file, *common,
                     "--out", out[peer]], peer_environment(s, 1), placement(s, 1))

    initial = read_check_weights(weights_file)
    loss, weights, predictions, timed_difference = read_check(out["neurona"], steps)
    moved = largest_difference(weights, initial)
    lines, failed = [], []

    def verdict(ok, text):
        lines.append(f"- check: {text}: {'pass' if ok else 'FAIL'}")
        if not ok:
            failed.append(text)

    verdict(timed_difference <= WEIGHT_TOLERANCE,
            f"neurona's Trainer (the timed path) and a forward, loss, backward, "
            f"GradientDescent::step loop, {steps} steps from the same weights: weights differ "
            f"by at most {timed_difference:.1e} (tolerance "
            f"{WEIGHT_TOLERANCE:.0e})")
    for peer, name in (("torch", "PyTorch"), ("sklearn", "scikit-learn")):
        peer_loss, peer_weights, peer_predictions, _ = read_check(
            out[peer], steps if peer == "torch" else 1)
        reference = loss if peer == "torch" else np.array([loss.mean()])
        loss_difference = float(np.max(np.abs(peer_loss - reference) / np.abs(reference)))
        weight_difference = largest_difference(peer_weights, weights)
        prediction_difference = float(np.max(np.abs(
            peer_predictions.astype(np.float64) - predictions)))
        what = "loss of each step" if peer == "torch" else "mean loss over the steps"
        verdict(loss_difference <= LOSS_TOLERANCE
                and weight_difference <= WEIGHT_TOLERANCE
                and prediction_difference <= PREDICTION_TOLERANCE,
                f"neurona vs {name}, {steps} steps of {BATCH} rows from the same weights: "
                f"{what} within {loss_difference:.1e} relative (tolerance "
                f"{LOSS_TOLERANCE:.0e}), weights within {weight_difference:.1e} (tolerance "
                f"{WEIGHT_TOLERANCE:.0e}; the steps moved them by up to {moved:.1e}), softmax "
                f"outputs on {rows} rows within {prediction_difference:.1e} (tolerance "
                f"{PREDICTION_TOLERANCE:.0e})")
    if moved <= 10 * WEIGHT_TOLERANCE:
        verdict(False, f"the steps moved the weights by only {moved:.1e}: the check is too weak")
    return lines, failed


def read_check_weights(path):
    flat = np.fromfile(path, np.float32)
    weights, at = [], 0
    for n_in, n_out in zip(LAYERS[:-1], LAYERS[1:]):
        weights.append((flat[at:at + n_in * n_out].reshape(n_in, n_out),
                        flat[at + n_in * n_out:at + n_in * n_out + n_out]))
        at += n_in * n_out + n_out
    return weights


def sgemm_rates(s, program):
    """{library: {"detail", "shapes": [{name, flops, seconds}]}} from one run of medium_sgemm."""
    output = run_checked([program] + (["--quick"] if s["quick"] else []), peer_environment(s, 1),
                         placement(s, 1))
    return {lib["name"]: lib for lib in json.loads(output)["libraries"]}


def best_sgemm(runs):
    """Per library, the fastest time seen for each shape over the runs."""
    best = {}
    for run in runs:
        for name, lib in run.items():
            if name not in best:
                best[name] = json.loads(json.dumps(lib))
                continue
            for kept, shape in zip(best[name]["shapes"], lib["shapes"]):
                kept["seconds"] = min(kept["seconds"], shape["seconds"])
    return best


def median_and_range(values):
    return statistics.median(values), min(values), max(values)


def machine_line():
    model = "unknown CPU"
    flags = set()
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name") and model == "unknown CPU":
                model = line.split(":", 1)[1].strip()
            if line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    isa = ", ".join(x for x in ("avx2", "fma", "avx512f") if x in flags)
    return f"{model}, {os.cpu_count()} cores ({isa})"


def fmt_rate(x):
    return f"{x:,.0f}"


def run(args):
    s = settings(args)
    if not (os.path.exists(IMAGES) and os.path.exists(LABELS)):
        return ("## Workload 2: the medium network\n\nSkipped: the full Fashion-MNIST is not "
                f"installed ({FASHION_DIR}). HINT: apt-get install dataset-fashion-mnist\n")
    folder_path = find_build(args)
    programs = {"neurona": os.path.join(folder_path, "medium_neurona"),
                "sgemm": os.path.join(folder_path, "medium_sgemm")}
    load_before = os.getloadavg()

    with tempfile.TemporaryDirectory(prefix="neurona-medium-") as folder:
        weights_file = os.path.join(folder, "weights.bin")
        run_checked([programs["neurona"], "init", "--seed", str(SEED), "--out", weights_file],
                    os.environ)
        check_lines, failed = run_checks(s, programs, folder, weights_file)
        if failed:
            raise CheckFailed("medium network checks failed:\n" + "\n".join(check_lines))

        data = ["--images", IMAGES, "--labels", LABELS, "--rows", str(s["rows"]), "--lr",
                str(LEARNING_RATE)]
        workers = []
        try:
            for threads in s["threads"]:
                workers.append(Worker(s, "neurona", "neurona", threads,
                                      [programs["neurona"], "serve", "--seed", str(SEED), *data,
                                       "--threads", str(threads)], folder))
                for peer, label in (("torch", "PyTorch"), ("sklearn", "scikit-learn")):
                    workers.append(Worker(s, label, peer, threads,
                                          [sys.executable, PEERS, peer, "serve", "--weights",
                                           weights_file, *data, "--threads", str(threads)],
                                          folder))
            training = {(w.program, w.threads): [] for w in workers}
            epoch_losses = {w.threads: [] for w in workers if w.program == "neurona"}
            predictors = [w for w in workers if w.threads == 1 and w.program in ("neurona",
                                                                                "torch")]
            latency = {w.program: [] for w in predictors}
            batch = {w.program: [] for w in predictors}
            sgemm_runs = []

            # A first round, not counted: caches, page faults and each library's buffers.
            for w in workers:
                reply = w.ask("train")
                if w.program == "neurona":
                    epoch_losses[w.threads].append(reply["loss"])
            for w in predictors:
                w.ask(f"predict1 {s['predict_calls'] // 10 or 1}")
                w.ask(f"predict_batch {s['predict_rows']}")

            for r in range(s["repetitions"]):
                # Each repetition starts with another program, so that none always follows the
                # same neighbour on a shared machine.
                order = workers[r % len(workers):] + workers[:r % len(workers)]
                for w in order:
                    reply = w.ask("train")
                    training[(w.program, w.threads)].append(reply["rows"] / reply["seconds"])
                    if w.program == "neurona":
                        epoch_losses[w.threads].append(reply["loss"])
                for w in (predictors if r % 2 == 0 else predictors[::-1]):
                    reply = w.ask(f"predict1 {s['predict_calls']}")
                    latency[w.program].append(reply["seconds"] / reply["calls"])
                    reply = w.ask(f"predict_batch {s['predict_rows']}")
                    batch[w.program].append(reply["rows"] / reply["seconds"])
                sgemm_runs.append(sgemm_rates(s, programs["sgemm"]))
        finally:
            for w in workers:
                w.close()
    load_after = os.getloadavg()

    # The same seed gives the same bits on any number of threads: every epoch's loss must agree.
    one, *others = (epoch_losses[t] for t in s["threads"])
    same = all(losses == one for losses in others)
    check_lines.append(
        f"- check: neurona on {' and '.join(map(str, s['threads']))} threads, the same "
        f"{len(one)} epochs from the same weights: the same loss bit for bit every epoch "
        f"(last {one[-1]!r}): " + ("pass" if same else f"FAIL ({epoch_losses})"))
    if not same:
        raise CheckFailed("medium network checks failed:\n" + "\n".join(check_lines))

    sgemm = best_sgemm(sgemm_runs)
    difference = max(shape["difference"] for run in sgemm_runs for lib in run.values()
                     for shape in lib["shapes"])
    others = [name for name in sgemm if name != "Eigen"]
    if others:
        ok = difference <= SGEMM_TOLERANCE
        check_lines.append(
            f"- check: {' and '.join(others)} sgemm agree with Eigen's on the step's shapes "
            f"within {difference:.1e} of the largest entry (tolerance {SGEMM_TOLERANCE:.0e}): "
            + ("pass" if ok else "FAIL"))
        if not ok:
            raise CheckFailed("medium network checks failed:\n" + "\n".join(check_lines))

    return report(s, workers, training, latency, batch, sgemm, check_lines,
                  load_before, load_after)


def report(s, workers, training, latency, batch, sgemm, check_lines, load_before, load_after):
    forward, weights, inputs = step_flops()
    flops = forward + weights + inputs
    per_sample = flops // BATCH
    lines = ["## Workload 2: the medium network, 784-256-128-10, training", ""]
    if s["quick"]:
        lines += ["**Quick run** (a test of the checks): few rows and one repetition; the "
                  "figures below say nothing about speed.", ""]
    lines += [
        f"Fashion-MNIST, the first {s['rows']:,} training rows (pixels / 255), ReLU hidden, "
        f"softmax + cross-entropy, float32, plain SGD (lr {LEARNING_RATE}) on batches of "
        f"{BATCH} rows in row order, from the same initial weights (neurona's `initialize`, "
        f"seed {SEED}). One epoch per repetition, {s['repetitions']} repetitions alternating "
        "between the programs after one untimed epoch each; median samples/s, with the range.",
        "",
        f"Machine: {machine_line()}; load average {load_before[0]:.2f} before, "
        f"{load_after[0]:.2f} after.",
        "",
        "| program | threads | samples/s | range | neurona is ... times faster |",
        "|---|---:|---:|---|---:|",
    ]
    neurona = {t: statistics.median(training[("neurona", t)]) for t in s["threads"]}
    for w in workers:
        median, low, high = median_and_range(training[(w.program, w.threads)])
        ratio = "" if w.program == "neurona" else f"{neurona[w.threads] / median:.2f}x"
        lines.append(f"| {w.label} | {w.threads} | {fmt_rate(median)} | {fmt_rate(low)} - "
                     f"{fmt_rate(high)} | {ratio} |")
    lines.append("")
    lines.append(f"neurona on two threads (`set_thread_count(2)`) does "
                 f"{neurona[2] / neurona[1]:.2f}x its one-thread rate. Its timed path is "
                 "`Trainer::run_epoch` with `TrainOptions::shuffle = false`.")
    lines.append("")

    # The bound: per shape, the fastest library's time.
    best_seconds = sum(min(lib["shapes"][i]["seconds"] for lib in sgemm.values())
                       for i in range(len(next(iter(sgemm.values()))["shapes"])))
    bound = BATCH / best_seconds
    lines += [
        f"Machine bound: one step's matrix products are {flops:,} FLOPs, {per_sample:,} per "
        f"sample (forward `Z = A_prev W` {forward // BATCH:,}, `dW = A_prev^T dZ` "
        f"{weights // BATCH:,}, `dA_prev = dZ W^T` for layers 2 and 3 {inputs // BATCH:,}; "
        "2 M N K each). On one core the fastest sgemm for each of the step's eight shapes "
        f"takes {best_seconds * 1e3:.3f} ms in all ({flops / best_seconds / 1e9:.1f} GFLOP/s): "
        f"a bound of **{fmt_rate(bound)} samples/s**. neurona on one thread reaches "
        f"{neurona[1] / bound:.0%} of it.",
        "",
        "| sgemm, one core | build | GFLOP/s on the step's shapes | samples/s bound |",
        "|---|---|---:|---:|",
    ]
    for name, lib in sgemm.items():
        seconds = sum(shape["seconds"] for shape in lib["shapes"])
        lines.append(f"| {name} | {lib['detail']} | {flops / seconds / 1e9:.1f} | "
                     f"{fmt_rate(BATCH / seconds)} |")
    lines += ["", "| shape (M x N x K) | " + " | ".join(sgemm) + " |",
              "|---|" + "---:|" * len(sgemm)]
    for i, shape in enumerate(next(iter(sgemm.values()))["shapes"]):
        rates = [f"{lib['shapes'][i]['flops'] / lib['shapes'][i]['seconds'] / 1e9:.1f}"
                 for lib in sgemm.values()]
        lines.append(f"| `{shape['name']}` ({shape['M']} x {shape['N']} x {shape['K']}) | "
                     + " | ".join(rates) + " |")
    lines += ["", "GFLOP/s, the fastest of the repetitions; Eigen compiled with -O3 "
              "-march=native.", ""]

    lines += check_lines + [""]
    overrides = ", ".join(f"{name}={os.environ[name]}" for name in OPENBLAS_OVERRIDES
                          if name in os.environ)
    kept = (f"kept as this environment sets them ({overrides or 'unset'}), as in tests"
            if s["quick"] else "unset")
    if s["coretype"]:
        kept += (f", then OPENBLAS_CORETYPE={s['coretype']} set for every program "
                 "(--openblas-coretype)")
    pinned = (f"one-thread runs pinned to CPU {s['cpu']}" if s["cpu"] is not None
              else "no process pinned")
    lines.append(f"Peers run with OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = the thread count and "
                 f"OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE {kept}; {pinned}:")
    lines.append("")
    for w in workers:
        if w.program == "neurona" and w.threads == 1:
            lines.append(f"- neurona: products of 2^20 multiply-adds or more by "
                         f"{w.info.get('products', 'not said')}.")
        if w.program == "neurona" or w.threads != 1:
            continue
        info = w.info
        blas = info.get("openblas") or {}
        kernel = (f"OpenBLAS kernel {blas.get('kernel')} ({blas.get('config')})" if blas
                  else "no OpenBLAS loaded")
        if w.program == "torch":
            lines.append(f"- PyTorch {info['version']}: {kernel}; CPU capability "
                         f"{info['cpu_capability']}; {info['blas']}; {info['onednn']}; "
                         "`torch.set_num_threads` = the thread count.")
        else:
            lines.append(f"- scikit-learn {info['version']}, numpy {info['numpy']}: {kernel}; "
                         f"threadpoolctl: {info['blas']}.")
    lines.append("")

    lines += ["## Workload 3: prediction with the medium network", "",
              f"One thread; neurona's `Predictor` (made after each epoch, outside the timing, and "
              "called once on the timed batch size before it, as a server that has answered a "
              "request), PyTorch under `torch.no_grad()` with the softmax, as the Predictor "
              "returns it. One-row latency: the median over the repetitions "
              f"of the mean of {s['predict_calls']:,} calls on the same row; batch: "
              f"{s['predict_rows']:,} rows in one call.", "",
              "| program | one row (us) | range | batch (rows/s) | range |",
              "|---|---:|---|---:|---|"]
    names = {"neurona": "neurona", "torch": "PyTorch"}
    for program in latency:
        lm, ll, lh = median_and_range(latency[program])
        bm, bl, bh = median_and_range(batch[program])
        lines.append(f"| {names[program]} | {lm * 1e6:.2f} | {ll * 1e6:.2f} - {lh * 1e6:.2f} | "
                     f"{fmt_rate(bm)} | {fmt_rate(bl)} - {fmt_rate(bh)} |")
    one = statistics.median(latency["torch"]) / statistics.median(latency["neurona"])
    many = statistics.median(batch["neurona"]) / statistics.median(batch["torch"])
    lines += ["", f"neurona is {one:.2f}x as fast as PyTorch on one row and {many:.2f}x on the "
              f"batch (the predictions agree: see the checks above).", ""]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--build", default="build", help="the CMake build folder (default build)")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help="a few steps on a few rows: checks, not speed; leaves OpenBLAS's "
                             "settings alone, as tests must")
    parser.add_argument("--cpu", type=int, default=None,
                        help="CPU to pin every one-thread run to (default: none pinned)")
    parser.add_argument("--openblas-coretype", default=None, metavar="KERNEL",
                        help="OPENBLAS_CORETYPE for every program (neurona's OpenBLAS, PyTorch's, "
                             "numpy's, medium_sgemm's), for a CPU whose model OpenBLAS does not "
                             "know and gives an old kernel (SkylakeX for AVX-512, Haswell for AVX2)")
    args = parser.parse_args()
    try:
        print(run(args))
    except CheckFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
