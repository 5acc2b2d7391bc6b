"""What sovscan prints to a terminal or a CI log: untrusted text made inert, colour and width decided once.

Resource names, Kubernetes names, file names and values come from the scanned repository. Printed as they
are, a newline would forge a finding line, an ESC or OSC sequence would rewrite the terminal or plant a
link, and a line starting with `::` would be a GitHub workflow command (`::add-mask::`, `::stop-commands::`,
`::error::`). `inert` escapes the characters; `guard_line` makes sure no line can start a command.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import textwrap
import threading
import time
from typing import Mapping, TextIO

# C0 and C1 controls, DEL, bidirectional overrides and isolates, and the Unicode line separators.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Lines a CI runner reads as commands: GitHub's `::cmd::` (after leading blanks) and the older `##[cmd]`.
_COMMAND_START = re.compile(r"^\s*(::|##\[)")


def _escape(match: re.Match) -> str:
    char = match.group(0)
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def inert(text: object) -> str:
    """The text on one line with every control, escape and bidi character shown as an escape sequence."""
    return _UNSAFE.sub(_escape, str(text))


def guard_line(line: str) -> str:
    """A line that cannot be read as a workflow command: a leading `:` or `#` of a command is escaped."""
    match = _COMMAND_START.match(line)
    if not match:
        return line
    start = match.start(1)
    return line[:start] + f"\\x{ord(line[start]):02x}" + line[start + 1:]


def guard(text: str) -> str:
    return "\n".join(guard_line(line) for line in text.split("\n"))


def plain_terminal(environ: Mapping[str, str]) -> bool:
    """NO_COLOR (any non-empty value, no-color.org) or TERM=dumb: no colour, no cursor movement."""
    return bool(environ.get("NO_COLOR")) or environ.get("TERM") == "dumb"


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def wants_color(stream: TextIO, environ: Mapping[str, str] = os.environ) -> bool:
    return is_tty(stream) and not plain_terminal(environ)


def width(stream: TextIO) -> int:
    """Columns to wrap long messages to; 0 (no wrapping) when the stream is not a terminal, so output
    written to a file or a CI log is the same on every machine."""
    if not is_tty(stream):
        return 0
    return max(shutil.get_terminal_size((100, 24)).columns, 40)


def wrap(text: str, columns: int, indent: int) -> list[str]:
    """`text` as lines of at most `columns`, continuation lines indented; one line when columns is 0."""
    if columns <= 0 or len(text) <= columns:
        return [text]
    return textwrap.wrap(text, columns, subsequent_indent=" " * indent, break_on_hyphens=False,
                         break_long_words=True) or [text]


def plural(count: int, word: str, many: str = "") -> str:
    return f"{count} {word if count == 1 else (many or word + 's')}"


class Progress:
    """A one-line "scanning… N s" on stderr, only on a terminal and only once a scan takes longer than
    `delay` seconds; cleared when the scan ends, so it never reaches a log or the report."""

    def __init__(self, label: str, stream: TextIO | None = None, delay: float = 2.0,
                 environ: Mapping[str, str] = os.environ):
        self.label = label
        self.stream = stream or sys.stderr
        self.delay = delay
        self.enabled = is_tty(self.stream) and environ.get("TERM") != "dumb"
        self.started = time.monotonic()
        self.shown = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread = threading.Thread(target=self._run, name="sovscan-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.clear()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            self.tick(time.monotonic() - self.started)
            self._stop.wait(1.0)

    def tick(self, elapsed: float) -> None:
        self.stream.write(f"\r\x1b[2Ksovscan: scanning {self.label}… {int(elapsed)} s")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
            self.shown = False
