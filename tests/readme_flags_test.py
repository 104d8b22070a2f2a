#!/usr/bin/env python3
"""Keeps the README's reference true to the program: every flag a command's --help lists is in the
reference section, and every flag the section names is one that some command takes.

Run: python3 tests/readme_flags_test.py path/to/neurona

A flag counts as documented when it appears inside a code span of the section (`--lr X`,
`--beta1`). It prints one line per problem, then "N flags checked", and exits 1 on a problem.
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


def help_flags(neurona, command):
    text = subprocess.run([neurona, *command, "--help"], capture_output=True, text=True,
                          check=True).stdout
    return set(FLAG.findall(text)) - {"--help"}


def reference_section(readme):
    start = readme.index("### Reference")
    end = readme.index("\n## ", start)
    return readme[start:end]


def main():
    neurona = sys.argv[1]
    section = reference_section((ROOT / "README.md").read_text())
    documented = {flag for span in CODE_SPAN.findall(section) for flag in FLAG.findall(span)}
    problems = []
    taken = set()
    for command in COMMANDS:
        flags = help_flags(neurona, command)
        taken |= flags
        for flag in sorted(flags - documented):
            problems.append(f"neurona {' '.join(command)} takes {flag}, which the README's "
                            "reference does not name")
    for flag in sorted(documented - taken - {"--help", "--version"}):
        problems.append(f"the README's reference names {flag}, which no command takes")
    for problem in problems:
        print(problem)
    print(f"{len(taken)} flags checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
