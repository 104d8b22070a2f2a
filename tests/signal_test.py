#!/usr/bin/python3
"""A kill while `neurona train` writes its files leaves no temporary file behind: its SIGTERM
handler removes the one being written, and the process still ends by the signal.

    signal_test.py NEURONA IMAGES.idx.gz LABELS.idx.gz

Trains with a checkpoint of a few megabytes written every epoch, and sends SIGTERM at times spread
over the run, so that some land inside a write. Exits 1 with the reason on a failure.
"""

import os
import signal
import subprocess
import sys
import tempfile
import time

KILLS = 12


def main():
    neurona, images, labels = sys.argv[1:4]
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        command = [neurona, "train", "--data", images, "--labels", labels, "--layers",
                   "784,256,10", "--optimizer", "adam", "--scale", "minmax", "--epochs", "100000",
                   "--checkpoint-every", "1", "--quiet", "--save", os.path.join(folder, "m.json")]
        for kill in range(KILLS):
            # The caller's SIGTERM handling is not inherited: a fresh default, as from a shell.
            process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                       stderr=subprocess.PIPE, text=True)
            time.sleep(0.3 + 0.9 * kill / KILLS)
            process.send_signal(signal.SIGTERM)
            _, err = process.communicate(timeout=60)
            if process.returncode != -signal.SIGTERM:
                problems.append(f"kill {kill}: ended with {process.returncode}, not by SIGTERM: "
                                f"{err}")
            left = [name for name in os.listdir(folder) if ".tmp-" in name]
            if left:
                problems.append(f"kill {kill}: temporary files left: {left}")
                for name in left:
                    os.remove(os.path.join(folder, name))
    if problems:
        print("\n".join(problems))
        return 1
    print(f"{KILLS} kills during training with checkpoints: no temporary file left: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
