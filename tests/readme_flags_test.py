#!/usr/bin/env python3
"""Keeps the README's reference true to the program, command by command: every flag a command's
--help lists is documented where the reference describes that command (the data flags' table for
the commands it names, `train`'s table, or the command's row under "Other commands"), every flag
documented there is one the command takes, and every default --help shows is written in the
README's row of that flag.

Run: python3 tests/readme_flags_test.py path/to/neurona

A flag counts as documented when it appears inside a code span (`--lr X`, `--beta1`) that is not
an example command line. A default
counts as written when its row holds the same number (1e-4 is 0.0001) or the same word. It prints
one line per problem, then "N flags checked", and exits 1 on a problem.
"""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = [["train"], ["predict"], ["evaluate"], ["gradcheck"], ["explain"], ["report"],
            ["demo", "majority"], ["demo", "house"]]
FLAG = re.compile(r"--[a-z][a-z0-9-]*")
CODE_SPAN = re.compile(r"`([^`\n]+)`")
# CLI11's help shows a captured default as "--momentum FLOAT=0".
DEFAULT = re.compile(r"(--[a-z][a-z0-9-]*) [A-Z]+=(\S+)")
NUMBER = re.compile(r"(?<![\w.-])-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?(?![\w.])")


def help_text(neurona, command):
    return subprocess.run([neurona, *command, "--help"], capture_output=True, text=True,
                          check=True).stdout


def flags_in(text):
    """The flags named in the text's code spans, but for example command lines ("neurona ...")."""
    return {flag for span in CODE_SPAN.findall(text) if "neurona " not in span
            for flag in FLAG.findall(span)}


def table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| `")]


def between(text, start, end):
    at = text.index(start)
    return text[at:text.index(end, at)]


def parts(readme):
    """The README's text that documents each command: {"train": text, "demo majority": ...}."""
    section = between(readme, "### Reference", "\n## ")
    data = between(section, "### Reference", "`train`:")
    data_commands = CODE_SPAN.findall(data.splitlines()[2])  # "Data, for `train`, `predict` ..."
    own = {"train": between(section, "`train`:", "Other commands:")}
    for row in between(section, "Other commands:", "\nEvery command").splitlines():
        spans = CODE_SPAN.findall(row)
        if row.startswith("| `") and spans:
            own[spans[0]] = row
    return data, data_commands, own


def default_written(default, row):
    try:
        value = float(default)
    except ValueError:
        return re.search(rf"\b{re.escape(default)}\b", row) is not None
    return any(float(number) == value for number in NUMBER.findall(row))


def main():
    neurona = sys.argv[1]
    data, data_commands, own = parts((ROOT / "README.md").read_text())
    rows = table_rows(data) + table_rows(own["train"])
    problems = []
    checked = 0
    for command in COMMANDS:
        name = " ".join(command)
        text = help_text(neurona, command)
        taken = set(FLAG.findall(text)) - {"--help"}
        checked += len(taken)
        if name not in own:
            problems.append(f"the README's reference has no row for neurona {name}")
            continue
        documented = flags_in(own[name]) | (flags_in(data) if name in data_commands else set())
        for flag in sorted(taken - documented):
            problems.append(f"neurona {name} takes {flag}, which the README's reference does not "
                            f"name for {name}")
        for flag in sorted(documented - taken):
            problems.append(f"the README's reference names {flag} for neurona {name}, which does "
                            "not take it")
        for flag, default in DEFAULT.findall(text):
            # train's flags each have a row of their own; other commands' flags share one.
            where = [row for row in rows if flag in flags_in(row)] if name == "train" else \
                [own[name]]
            if not any(default_written(default, row) for row in where):
                problems.append(f"neurona {name} {flag} defaults to {default}, which the "
                                "README's row of the flag does not say")
    for problem in problems:
        print(problem)
    print(f"{checked} flags checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
