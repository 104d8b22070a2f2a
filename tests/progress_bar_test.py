#!/usr/bin/python3
"""On a terminal, `neurona train` draws one progress bar, redrawn in place, with the epoch, the
loss, the validation loss and the time left; off a terminal it prints plain lines instead.

    progress_bar_test.py NEURONA DATA.csv

Runs the built neurona with its stderr on a pseudo-terminal (and again on a pipe) and checks
what it wrote. Exits 1 with the reason on a failure.
"""

import fcntl
import os
import pty
import re
import struct
import subprocess
import sys
import tempfile
import termios

EPOCHS = 3000  # a few tenths of a second: a drawing at most every 0.1 s, the last always


def train(neurona, data, folder, stderr):
    return [neurona, "train", "--data", data, "--classes", "--validation", "0.2", "--layers",
            "4,8,3", "--loss", "cross_entropy", "--activation", "tanh", "--epochs", str(EPOCHS),
            "--save", os.path.join(folder, f"{stderr}.json")]


def on_terminal(command, columns=120):
    """What the command writes to stdout, and to a pseudo-terminal `columns` wide as its stderr."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=follower)
    os.close(follower)
    written = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the program has exited and closed the terminal
            break
        if not chunk:
            break
        written += chunk
    os.close(leader)
    out = process.stdout.read()
    if process.wait() != 0:
        raise SystemExit(f"neurona train failed on a terminal: {written.decode(errors='replace')}")
    return out.decode(), written.decode()


def main():
    neurona, data = sys.argv[1], sys.argv[2]
    problems = []
    with tempfile.TemporaryDirectory() as folder:
        _, terminal = on_terminal(train(neurona, data, folder, "terminal"))
        piped = subprocess.run(train(neurona, data, folder, "pipe"), capture_output=True,
                               text=True, check=True).stderr

    # Every drawing starts at the line's beginning and clears it: "\r\x1b[K" (the terminal turns
    # the final "\n" into "\r\n").
    drawings = terminal.split("\r\x1b[K")[1:]
    if not drawings:
        problems.append(f"no bar drawn in place on the terminal: {terminal!r}")
    bar = re.compile(r"epoch +(\d+)/%d \[(=*)( *)\] loss [0-9.e+-]+  validation [0-9.e+-]+  "
                     r"(\d+s left|done in [0-9.e+-]+s)" % EPOCHS)
    epochs = []
    for number, drawing in enumerate(drawings, 1):
        text = re.split(r"\r?\n", drawing, maxsplit=1)[0]  # after the last: the summary line
        match = bar.fullmatch(text)
        if match and match.group(4).startswith("done") != (number == len(drawings)):
            problems.append(f"only the last drawing says 'done in': {text!r}")
        if not match:
            problems.append(f"not a progress bar: {text!r}")
            continue
        epochs.append(int(match.group(1)))
        if len(match.group(2)) + len(match.group(3)) != 24:
            problems.append(f"the bar is not 24 wide: {text!r}")
        if len(match.group(2)) != int(24 * int(match.group(1)) / EPOCHS):
            problems.append(f"the bar's filling does not match its epoch: {text!r}")
    if epochs and (epochs != sorted(epochs) or epochs[-1] != EPOCHS):
        problems.append(f"the bar's epochs do not end at {EPOCHS} in order: {epochs}")
    if "\n" in "".join(drawings[:-1]):
        problems.append("a line ends before the last drawing: the bar is not redrawn in place")
    if drawings and not re.search(r"\r?\n", drawings[-1]):
        problems.append("the bar's line is not ended once training is done")
    if re.search(r"^epoch +1/%d  loss" % EPOCHS, terminal, re.M):
        problems.append("plain lines on a terminal")

    # A narrow terminal: every drawing fits in its width less one column (a wider line would wrap,
    # and the next "\r" would redraw only its last row); the bar narrows, then goes.
    with tempfile.TemporaryDirectory() as folder:
        for columns in (90, 40):
            _, narrow = on_terminal(train(neurona, data, folder, f"narrow{columns}"), columns)
            lines = [re.split(r"\r?\n", d, maxsplit=1)[0] for d in narrow.split("\r\x1b[K")[1:]]
            if not lines or any(len(line) > columns - 1 for line in lines):
                problems.append(f"lines wider than {columns - 1} on a terminal {columns} wide: "
                                f"{lines[-3:]}")
            if columns == 90 and not re.search(r"\[=+ *\]", lines[-1] if lines else ""):
                problems.append(f"no narrowed bar on a terminal 90 wide: {lines[-1:]}")
            # Narrowed, it stays so: it does not jump to and fro as the numbers change length.
            widths = [len(bar) for line in lines for bar in re.findall(r"\[[= ]*\]", line)]
            if widths != sorted(widths, reverse=True):
                problems.append(f"the bar widens again on a terminal {columns} wide: {widths}")

    # Stopped early by --patience: the last drawing is of the epoch it stopped at, not of one drawn
    # before it (the bar redraws at most ten times a second).
    with tempfile.TemporaryDirectory() as folder:
        command = train(neurona, data, folder, "early") + ["--patience", "3", "--lr", "2",
                                                           "--optimizer", "adam"]
        _, early = on_terminal(command)
    stopped = re.search(r"for (\d+) epochs \(stopped early\)", early)
    last = re.findall(r"\r\x1b\[Kepoch +(\d+)/%d [^\r\n]*done in" % EPOCHS, early)
    if not stopped or last != [stopped.group(1)]:
        problems.append(f"stopped early, the bar does not end at the epoch it stopped at: {early!r}")

    # On a pipe: one plain line per reporting interval, no control characters.
    if "\x1b" in piped or "\r" in piped:
        problems.append(f"terminal control characters on a pipe: {piped!r}")
    if not re.search(r"^epoch +1/%d  loss [0-9.e+-]+  validation " % EPOCHS, piped, re.M) or \
            not re.search(r"^epoch %d/%d  loss" % (EPOCHS, EPOCHS), piped, re.M):
        problems.append(f"no plain progress lines on a pipe: {piped!r}")

    if problems:
        print("\n".join(problems))
        return 1
    print(f"progress bar: {len(drawings)} drawings on a terminal, plain lines on a pipe: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
