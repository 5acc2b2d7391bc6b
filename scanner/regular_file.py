"""Reading a file the user's repository or command line names: regular files only, bounded.

A FIFO, a character device (`/dev/zero`) or a socket can sit in a checkout or be named by a hostile
configuration; opening one blocks forever or reads without end. Every input sovscan reads goes through
`read_bytes`, which opens without blocking, checks what it opened (not the name, which can change in
between) and reads at most `limit + 1` bytes so that the caller can say the file is too large. The null
device reads as empty: `--config /dev/null` means "no configuration".
"""
from __future__ import annotations

import errno
import os
import stat


class NotRegular(OSError):
    """The path is not a regular file (a directory, FIFO, device or socket)."""

    def __init__(self, path: str, mode: int):
        what = "a directory" if stat.S_ISDIR(mode) else "a FIFO" if stat.S_ISFIFO(mode) else \
            "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else \
            "not a regular file"
        super().__init__(errno.EINVAL, f"not a regular file ({what})" if what != "not a regular file" else what, path)


def is_regular(path: str) -> bool:
    """The path (after symlinks) is a regular file; False when it cannot be looked at."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def read_bytes(path: str, limit: int, follow_links: bool = True) -> bytes:
    """At most limit + 1 bytes of the regular file at path. Raises OSError (NotRegular for anything else);
    without `follow_links`, also for a symbolic link (ELOOP)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags if follow_links else flags | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as handle:
        status = os.fstat(handle.fileno())
        if stat.S_ISREG(status.st_mode):
            # as much as the file holds, not the limit: read(limit + 1) asks for the whole limit first (256 MB for
            # a cache entry), which a memory limit (ulimit -v) refuses; a file that grew since is read on
            data = handle.read(min(status.st_size, limit) + 1)
            if status.st_size < len(data) <= limit:
                data += handle.read(limit + 1 - len(data))
            return data
        if stat.S_ISCHR(status.st_mode) and status.st_rdev == _devnull():
            return b""                 # `--config /dev/null`: nothing, on purpose
        raise NotRegular(path, status.st_mode)


def is_null_device(path: str) -> bool:
    """The path is the null device, which read_bytes reads as empty."""
    try:
        status = os.stat(path)
    except (OSError, ValueError):
        return False
    return stat.S_ISCHR(status.st_mode) and status.st_rdev == _devnull()


def _devnull() -> int:
    try:
        return os.stat(os.devnull).st_rdev
    except OSError:
        return -1
