"""Reports written only where asked, never through a link the scanned checkout planted, and never half.

A report target inside the scanned checkout (the working directory or a scanned repository) may be a
symbolic link the pull request committed, e.g. `gl-sast-report.json -> ~/.bashrc`; writing through it would
overwrite any file the CI job can write. Each report is written to a temporary file in the target's
directory and renamed over the target: the rename replaces a link instead of following it, and a run
interrupted half-way leaves the temporary file, never an empty or truncated report under the real name.
Reports a run is going to write are removed before it starts, so a failed run leaves no stale report
from an earlier one that would look valid. A stream (`/dev/null`, `/dev/stdout`, a named pipe) is written
in place: removing or renaming over it would replace the device with a file (as root, for every process).
"""
from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from scanner.checkout import inside
from scanner.errors import SovscanError


def check_targets(targets: list[str], checkouts: list[str]) -> None:
    """Refuse a target that is a directory, that is named twice, or whose directory is reached through a
    symbolic link inside one of the `checkouts` (directories whose content the scanned change controls)."""
    seen: dict[str, str] = {}
    guarded = [os.path.abspath(c) for c in checkouts]
    for target in targets:
        absolute = os.path.abspath(target)
        if absolute in seen:
            raise SovscanError(f"{target}: named as the target of two reports ({seen[absolute]} and {target})")
        seen[absolute] = target
        if os.path.isdir(absolute) and not os.path.islink(absolute):
            raise SovscanError(f"cannot write {target}: it is a directory")
        _check_directories(target, absolute, guarded)


def _check_directories(target: str, absolute: str, guarded: list[str]) -> None:
    for checkout in guarded:
        if not inside(absolute, checkout):
            continue
        directory = Path(absolute).parent
        while inside(str(directory), checkout) and str(directory) != checkout:
            if directory.is_symlink():
                raise SovscanError(f"refusing to write {target}: {directory} is a symbolic link inside the scanned "
                                   "checkout; write reports to a real directory")
            directory = directory.parent


def is_stream(target: str) -> bool:
    """A character device or named pipe, or a link in /dev (`/dev/stdout -> /proc/self/fd/1`, whatever the
    descriptor is); a link anywhere else is a file's name and is replaced, never followed."""
    try:
        mode = os.lstat(target).st_mode
    except OSError:
        return False
    if stat.S_ISLNK(mode):
        return os.path.abspath(target).startswith("/dev/")
    return stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)


def discard(targets: list[str]) -> None:
    """Remove earlier reports at these targets (a link is removed, not followed; a stream is left alone)."""
    for target in targets:
        if is_stream(target):
            continue
        try:
            os.unlink(target)
        except FileNotFoundError:
            pass
        except OSError as err:
            raise SovscanError(f"cannot replace {target}: {err.strerror}") from None


def write(target: str, text: str) -> None:
    """Write `text` to `target` atomically, replacing (never following) a link at that name."""
    if is_stream(target):
        _write_stream(target, text)
        return
    directory = os.path.dirname(os.path.abspath(target))
    name = os.path.basename(target)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    except OSError as err:
        raise SovscanError(f"cannot write {target}: {err.strerror}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as err:
        raise SovscanError(f"cannot write {target}: {err.strerror}") from None
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _write_stream(target: str, text: str) -> None:
    try:
        # Appending: a standard output redirected to a file already holds what the run printed.
        with open(target, "a", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
    except OSError as err:
        raise SovscanError(f"cannot write {target}: {err.strerror}") from None


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
