"""Reading the documentation's Markdown pages: code fences, links, headings and anchors.

Shared by ``tests/test_docs.py`` (which runs every worked example and checks every internal
link) and usable by hand to refresh an example's output after a deliberate change::

    PYTHONPATH=. python -m tests.docs_pages docs/methods/policies.md   # prints actual output

Conventions of the pages (MyST Markdown, built by Sphinx):

* A fence `` ```python `` is a worked example: every python fence of a page runs, in order, in
  one namespace per page. When the next fence (blank lines between allowed) is
  `` ```text ``, it holds the exact expected standard output.
* A MyST comment line ``% skip-test`` directly above a python fence marks a snippet that needs
  a store or other files (it is shown, not run).
* Headings of levels 1–3 get GitHub-style anchors (``myst_heading_anchors = 3``); ``(label)=``
  lines are explicit targets for ``{ref}`` roles.
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SKIP_MARK = "% skip-test"
_FENCE = re.compile(r"^(`{3,})\s*([^\s`]*)\s*(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$")
_SLUG_CLEAN = re.compile(r"[^\w\u4e00-\u9fff\- ]")


@dataclass(frozen=True)
class Fence:
    """One fenced block of a page: its info string, body and first line (1-based)."""

    info: str
    body: str
    line: int
    skip: bool


@dataclass(frozen=True)
class Example:
    """A python fence and the output the page says it prints (None: not checked)."""

    code: str
    expected: str | None
    line: int


def pages() -> list[Path]:
    """Every Markdown page of the documentation, sorted."""
    return sorted(
        p for p in DOCS.rglob("*.md") if "_build" not in p.parts and p.name != "README.md"
    )


def fences(text: str) -> list[Fence]:
    """The fenced blocks of a page in order (fences must start at column 0)."""
    lines = text.split("\n")
    found: list[Fence] = []
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        ticks, info = match.group(1), match.group(2)
        end = i + 1
        while end < len(lines) and not lines[end].startswith(ticks):
            end += 1
        skip = i > 0 and lines[i - 1].strip() == SKIP_MARK
        found.append(Fence(info, "\n".join(lines[i + 1 : end]), i + 1, skip))
        i = end + 1
    return found


def examples(text: str) -> list[Example]:
    """The runnable python fences of a page, each with the text fence that follows it."""
    blocks = fences(text)
    result = []
    for index, fence in enumerate(blocks):
        if fence.info != "python" or fence.skip:
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        expected = None
        if following is not None and following.info == "text":
            closing = fence.line + (fence.body.count("\n") + 1 if fence.body else 0)
            between = text.split("\n")[closing + 1 : following.line - 1]
            if all(not line.strip() for line in between):
                expected = following.body
        result.append(Example(fence.body, expected, fence.line))
    return result


def run_examples(text: str) -> list[tuple[Example, str]]:
    """Run a page's examples in one namespace; each with its captured standard output."""
    namespace: dict[str, object] = {"__name__": "__docs__"}
    outputs = []
    for example in examples(text):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            exec(compile(example.code, f"<docs line {example.line}>", "exec"), namespace)
        outputs.append((example, buffer.getvalue()))
    return outputs


def normalise(output: str) -> str:
    """Output compared line by line without trailing spaces or trailing blank lines."""
    return "\n".join(line.rstrip() for line in output.rstrip().split("\n"))


def slugify(title: str) -> str:
    """MyST's GitHub-style heading anchor of a heading's text (markup removed)."""
    plain = re.sub(r"[`*]", "", title)
    plain = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", plain)  # a link keeps its text
    return _SLUG_CLEAN.sub("", plain.strip().lower().replace(" ", "-"))


def outside_fences(text: str) -> list[tuple[int, str]]:
    """(line number, line) of every line that is not inside a fenced block."""
    result = []
    fence: str | None = None
    for number, line in enumerate(text.split("\n"), start=1):
        match = _FENCE.match(line)
        if fence is None and match:
            fence = match.group(1)
            continue
        if fence is not None:
            if line.startswith(fence):
                fence = None
            continue
        result.append((number, line))
    return result


def anchors(text: str) -> set[str]:
    """Heading anchors (levels 1–3) and explicit ``(label)=`` targets of a page."""
    found = set()
    for _, line in outside_fences(text):
        heading = _HEADING.match(line)
        if heading and len(heading.group(1)) <= 3:
            found.add(slugify(heading.group(2)))
        label = _LABEL.match(line)
        if label:
            found.add(label.group(1))
    return found


if __name__ == "__main__":  # pragma: no cover - a helper for people editing the docs
    for name in sys.argv[1:]:
        for example, output in run_examples(Path(name).read_text(encoding="utf-8")):
            print(f"--- {name}:{example.line}")
            print(output, end="")
