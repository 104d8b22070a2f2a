#!/usr/bin/env python3
"""Keeps docs/equations.md true: every line it links to must still hold the code it quotes.

Run from anywhere: python3 tests/equations_doc_test.py

A line link is a markdown link whose text is PATH:LINE and whose target is ../PATH#LLINE, PATH
being relative to the repository root (the target is relative to docs/). Each one must sit on a
table row, alone (one line link per row), and the first code span after it on that row is the
code it quotes:

    | equation | `Function` | [src/dense_layer.cpp:17](../src/dense_layer.cpp#L17) | `Z.rowwise() += b;` |

For each link this checks that both spellings name the same file and the same line, that the file
exists, and that its line LINE contains the quoted code, whitespace-normalised (runs of spaces
count as one; "\\|" in the quote stands for "|", as markdown tables need). It prints one line per
problem, then "N passed, M failed", and exits 1 if anything failed.
"""

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "equations.md"

CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
LINK = re.compile(r"\[([^\]\n]*)\]\(([^)\s]*)\)")
LINK_TEXT = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+)$")
LINK_TARGET = re.compile(r"^(?P<path>[^#\s]+)#L(?P<line>\d+)$")


def normalise(text):
    return " ".join(text.split())


def code_spans(line):
    """(start, end, content) of each inline code span of a line."""
    return [(m.start(), m.end(), m.group(2).strip()) for m in CODE_SPAN.finditer(line)]


def line_links(line, spans):
    """The links of a line that name a source line, outside code spans: (match, is_line_link)."""
    masked = list(line)
    for start, end, _ in spans:
        masked[start:end] = " " * (end - start)
    masked = "".join(masked)
    found = []
    for m in LINK.finditer(masked):
        text, target = m.group(1), m.group(2)
        if LINK_TEXT.match(text) or "#L" in target:
            found.append(m)
    return found


def read_lines(path, cache):
    if path not in cache:
        cache[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return cache[path]


def check_link(text, target, snippet, cache):
    """The problems of one line link (an empty list when it holds)."""
    text_m = LINK_TEXT.match(text)
    target_m = LINK_TARGET.match(target)
    if not text_m:
        return [f"link text {text!r} is not PATH:LINE"]
    if not target_m:
        return [f"link target {target!r} is not ../PATH#LLINE"]
    problems = []
    rel, line_no = text_m.group("path"), int(text_m.group("line"))
    if int(target_m.group("line")) != line_no:
        problems.append(f"line numbers disagree: text says {line_no}, target says "
                        f"#L{target_m.group('line')}")
    source = (ROOT / rel).resolve()
    if (DOC.parent / target_m.group("path")).resolve() != source:
        problems.append(f"target {target_m.group('path')!r} is not the file {rel!r} "
                        "(targets are relative to docs/)")
    if ROOT not in source.parents:
        return problems + [f"{rel} is outside the repository"]
    if not source.is_file():
        return problems + [f"{rel} does not exist"]
    if snippet is None:
        return problems + ["no code span follows the link on its row"]
    wanted = normalise(snippet.replace("\\|", "|"))
    if not wanted:
        return problems + ["the quoted code is empty"]
    lines = read_lines(source, cache)
    if not 1 <= line_no <= len(lines):
        return problems + [f"{rel} has {len(lines)} lines, not {line_no}"]
    if wanted not in normalise(lines[line_no - 1]):
        elsewhere = [str(i + 1) for i, l in enumerate(lines) if wanted in normalise(l)]
        hint = f" (found at line {', '.join(elsewhere)})" if elsewhere else " (not in the file)"
        problems.append(f"line {line_no} is {lines[line_no - 1].strip()!r}, "
                        f"not `{snippet}`{hint}")
    return problems


def main():
    shown = DOC.relative_to(ROOT)
    if not DOC.is_file():
        print(f"{shown}: missing")
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    cache = {}
    in_fence = False
    for number, line in enumerate(DOC.read_text(encoding="utf-8").splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        spans = code_spans(line)
        links = line_links(line, spans)
        if not links:
            continue
        on_row = line.lstrip().startswith("|")
        for link in links:
            text, target = link.group(1), link.group(2)
            if not on_row:
                problems = ["a line link outside a table row (it has no code to check)"]
            elif len(links) > 1:
                problems = [f"{len(links)} line links on one row; a row holds one"]
            else:
                snippet = next((s for start, _, s in spans if start >= link.end()), None)
                problems = check_link(text, target, snippet, cache)
            for problem in problems:
                print(f"{shown}:{number}: [{text}]: {problem}")
            if problems:
                failed += 1
            else:
                passed += 1
    if passed + failed == 0:
        print(f"{shown}: no line links found")
        failed = 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
