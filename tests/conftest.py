from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest

from scanner.config import Config
from scanner.evaluate import policies as policy_module
from scanner.evaluate import selection
from scanner.pipeline import ScanRequest, scan

TODAY = datetime.date(2026, 11, 23)


@pytest.fixture
def write(tmp_path: Path):
    """write({"main.tf": "..."}) -> the directory, with the files created."""
    def _write(files: dict[str, str | bytes], base: Path | None = None) -> Path:
        root = base or tmp_path
        for name, content in files.items():
            path = root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return root
    return _write


@pytest.fixture(autouse=True, scope="session")
def cache_outside_home(tmp_path_factory):
    """The command line caches parsed files under $XDG_CACHE_HOME: the tests' runs in a directory of their own."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    """One PRE_COMMIT_HOME for the tests that run the real hook: pre-commit installs sovscan into an environment
    there once per commit of this checkout, and reuses it. Parallel workers share it (pre-commit locks its
    store), so the package is installed once, not once per test."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    return shared / "pre-commit-home"


@pytest.fixture(scope="session")
def catalogue():
    return policy_module.load()


@pytest.fixture
def run_scan(catalogue):
    def _run(path: Path, only: tuple[str, ...] = (), config: Config | None = None, **kwargs):
        chosen = selection.select(catalogue, only)
        result, files = scan(ScanRequest((str(path),), tuple(chosen), config or Config(), today=TODAY, **kwargs))
        return result
    return _run
