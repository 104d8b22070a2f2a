#!/usr/bin/python3
"""bench/results --tune scores the small sets' candidates on several splits of their training and
validation rows. This checks those splits: no test row in any of them, each validating on the
real split's number of rows of each class give or take one (rounding), different rows for
different seeds, and the rows the script scores are the ones neurona itself held out (its
reported validation loss, measured on them again through `neurona predict`). The report's other
seeds' 60/20/20 splits are checked to be neurona's too.

    results_tuning_test.py NEURONA

Exits 1 with the reason on a failure.
"""

import collections
import os
import runpy
import sys
import tempfile
import types

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS = runpy.run_path(os.path.join(ROOT, "bench", "results"), run_name="results")
REPEATS = 3
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def counts(data, rows):
    return collections.Counter(int(data.y[r]) for r in rows)


def check_dataset(args, cfg, workdir):
    name = cfg["name"]
    data, _ = RESULTS["load"](args, cfg)
    train, val, test = RESULTS["split_of"](cfg, data)
    splits = RESULTS["tune_splits"](args, cfg, data, workdir)
    check(len(splits) == REPEATS, f"{name}: {len(splits)} splits, asked for {REPEATS}")
    held = set(train) | set(val)
    seen = []
    for (path, fraction, seed), rows, val_path in splits:
        check(set(rows) <= held and not set(rows) & set(test),
              f"{name} seed {seed}: validation rows outside the training and validation rows")
        ours, real = counts(data, rows), counts(data, val)
        if cfg["task"] == "regression":
            ours, real = {0: len(rows)}, {0: len(val)}
        check(ours.keys() == real.keys() and all(abs(ours[k] - real[k]) <= 1 for k in real),
              f"{name} seed {seed}: validation rows per class {ours}, the real split's {real}")
        seen.append(sorted(rows))

        # One epoch; with --patience the saved weights are those whose validation loss it printed.
        candidate = {**cfg, "epochs": 1}
        model = os.path.join(workdir, f"{name}-{seed}.json")
        command = RESULTS["train_command"](args, candidate, data.X.shape[1],
                                           RESULTS["outputs_of"](cfg, data), model,
                                           (path, fraction, seed))
        run = RESULTS["run_neurona"](args, command)
        reported = run["epochs"][-1]["validation_loss"]
        outputs = RESULTS["model_outputs"](args, model, val_path)
        ours = RESULTS["mean_loss"](cfg["task"], outputs, data.y[rows])
        check(abs(ours - reported) <= 1e-9 * max(1.0, abs(reported)),
              f"{name} seed {seed}: loss {ours!r} on the script's validation rows, "
              f"neurona reported {reported!r}: not the same rows")
    check(len({tuple(r) for r in seen}) == len(seen), f"{name}: two seeds held out the same rows")


def check_spread(args, cfg, workdir):
    """The other seeds' splits, which the report's spread uses, are neurona's too."""
    data, _ = RESULTS["load"](args, cfg)
    spread = RESULTS["seed_spread"](args, {**cfg, "epochs": 5}, data, workdir)
    check(not spread["failures"], f"{cfg['name']}: {spread['failures']}")
    check(len(spread["neurona"]) == len(spread["sklearn"]) == args.spread_seeds,
          f"{cfg['name']}: {spread} for {args.spread_seeds} seeds")
    tests = [tuple(RESULTS["split_of"](cfg, data, seed)[2]) for seed in (1, 2)]
    check(tests[0] != tests[1], f"{cfg['name']}: seeds 1 and 2 test on the same rows")


def main():
    args = types.SimpleNamespace(neurona=os.path.abspath(sys.argv[1]),
                                 cpu=min(os.sched_getaffinity(0)), tune_repeats=REPEATS,
                                 spread_seeds=2,
                                 fashion_dir=RESULTS["FASHION_DIR"])
    with tempfile.TemporaryDirectory(prefix="neurona-tuning-test-") as workdir:
        for cfg in RESULTS["DATASETS"]:
            if cfg["name"] in ("wine", "digits", "diabetes"):
                check_dataset(args, cfg, workdir)
            if cfg["name"] in ("iris", "diabetes"):
                check_spread(args, cfg, workdir)
    for failure in failures:
        print(f"FAILED: {failure}")
    if failures:
        sys.exit(1)
    print("ok: tuning splits hold no test rows; they and the other seeds' splits are neurona's")


if __name__ == "__main__":
    main()
