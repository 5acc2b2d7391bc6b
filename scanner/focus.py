"""Which findings to report when only some files or lines matter (pre-commit, --changed-since).

The whole module of a changed file is still evaluated, so variables and modules resolve exactly as in
a full scan; only the report is narrowed.
"""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass

from scanner.errors import InputError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Focus:
    files: dict   # display path -> frozenset of changed lines, or None for the whole file

    def keeps(self, path: str, line: int, block_start: int = 0, block_end: int = 0) -> bool:
        if path not in self.files:
            return False
        lines = self.files[path]
        if lines is None or line in lines:
            return True
        start, end = block_start or line, max(block_end, block_start, line)
        return any(start <= changed <= end for changed in lines)


def display_path(path: str) -> str:
    """A path as reports show it: relative to the working directory when inside it."""
    real, cwd = os.path.realpath(path), os.path.realpath(os.getcwd())
    rel = os.path.relpath(real, cwd).replace(os.sep, "/")
    return os.path.basename(real) if rel.startswith("..") else rel


def _git(args: list[str]) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as err:
        raise InputError(f"--changed-since: cannot run git: {err}") from None
    if done.returncode != 0:
        raise InputError(f"--changed-since: git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def changed_since(ref: str) -> Focus:
    """Lines added or changed since REF (git diff), plus untracked files, relative to the working directory."""
    prefix = _git(["rev-parse", "--show-prefix"]).strip()
    files: dict[str, set[int] | None] = {}
    current = None
    for line in _git(["diff", "--unified=0", "--no-color", "--relative", ref, "--"]).splitlines():
        if line.startswith("+++ "):
            target = line[4:]
            current = None if target == "/dev/null" else target[2:] if target.startswith("b/") else target
            if current is not None:
                files.setdefault(current, set())
            continue
        match = _HUNK.match(line)
        lines = files.get(current) if current is not None else None
        if match and lines is not None:
            start, count = int(match.group(1)), int(match.group(2) or 1)
            lines.update(range(start, start + max(count, 1)))
    for path in _git(["ls-files", "--others", "--exclude-standard"]).splitlines():
        files[path] = None
    del prefix   # --relative already gives paths relative to the working directory
    return Focus({p: (frozenset(v) if v is not None else None) for p, v in files.items()})
