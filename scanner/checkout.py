"""The checkout being scanned: its root, the configuration in it, and the rule that what the repository
says never makes sovscan read outside it.

The root is the git top level (found by walking up for `.git`, so no git runs and no repository config is
read), else the working directory when the scanned path is inside it, else the scanned path itself.
A configuration file inside the root is the repository's (a pull request can change it): every path it
names must stay inside the root, symlinks included. A file named with --config outside the root (say the
target branch's configuration) is the caller's and may name any path.
"""
from __future__ import annotations

import os
from pathlib import Path

from scanner import git
from scanner.errors import ConfigError

CONFIG_FILE = ".sovscan.yaml"


def inside(path: str | Path, root: str | Path) -> bool:
    path, root = str(path), str(root)
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def root_of(path: str) -> Path:
    real = os.path.realpath(path)
    top = git.top_level(real)
    if top is not None:
        return Path(os.path.realpath(top))
    cwd = os.path.realpath(os.getcwd())
    if inside(real, cwd):
        return Path(cwd)
    return Path(real if os.path.isdir(real) else os.path.dirname(real))


def find_config(path: str, root: Path) -> Path | None:
    """The nearest .sovscan.yaml from the scanned path up to the root."""
    start = Path(os.path.realpath(path))
    directory = start if start.is_dir() else start.parent
    if not inside(directory, root):
        directory = root
    while True:
        candidate = directory / CONFIG_FILE
        if os.path.lexists(candidate):   # a directory or FIFO so named is refused when read, never passed over
            return candidate
        if directory == root or directory.parent == directory:
            return None
        directory = directory.parent


def config_for(paths: tuple[str, ...]) -> Path | None:
    """The one configuration of this run; exit 2 when the scanned paths have different ones."""
    found = {path: find_config(path, root_of(path)) for path in paths}
    distinct = {os.path.realpath(p) if p else None for p in found.values()}
    if len(distinct) > 1:
        uses = "; ".join(f"{path} uses {_shown(config)}" for path, config in found.items())
        raise ConfigError(f"two configurations in one run ({uses}): scan these paths separately, "
                          "or name one file with --config")
    return next(iter(found.values()), None)


def _shown(config: Path | None) -> str:
    if config is None:
        return "none"
    try:
        return os.path.relpath(config)
    except ValueError:
        return str(config)


def repository_owned(config: Path, root: Path) -> bool:
    """A configuration file at a path inside the root is the repository's, whatever it links to."""
    return inside(os.path.abspath(config), root)


def check_config_file(config: Path, root: Path) -> None:
    if repository_owned(config, root) and not inside(os.path.realpath(config), root):
        raise ConfigError(f"{config}: is a symbolic link to a file outside the repository ({root}); "
                          "a configuration in the repository must be a file in it")


def resolve(value: str, root: Path, confined: bool, where: str) -> str:
    """A path named in a configuration, relative to the root; outside paths refused when `confined`."""
    if confined and os.path.isabs(value):
        raise ConfigError(f"{where}: {value!r} is an absolute path; paths in a configuration inside the "
                          f"repository are relative to its root ({root})")
    full = Path(value) if os.path.isabs(value) else root / value
    if confined and not inside(os.path.realpath(full), root):
        raise ConfigError(f"{where}: {value!r} points outside the repository ({root}); a configuration in "
                          "the repository may only name paths inside it")
    try:
        relative = os.path.relpath(full)
    except ValueError:
        return str(full)
    return relative if not relative.startswith("..") else str(full)
