"""Demonstration directories: where a repository keeps code that shows or tests what it holds rather than
deploying it (a module library's examples, its tests and fixtures, an archived demo).

One definition for every stage: the model marks root modules and deployments with it, the exit and
pinning rules leave such roots out, and the evaluate stage makes findings there notes
(scanner/evaluate/demonstration.py). The names are configuration (`demonstration_directories`).
"""
from __future__ import annotations

# Not "test": in the Dutch OTAP street a `test` directory is usually a real environment that deploys. A
# module's test harness inside it is not (test/setup creates the throw-away project test/integration runs in).
DEMONSTRATION_DIRECTORIES = ("example", "examples", "sample", "samples", "demo", "demos", "tests", "testdata",
                             "test-fixtures", "fixtures", "_archived", "test/setup", "test/integration")


def in_demonstration(path: str, directories: tuple[str, ...] | frozenset[str] = DEMONSTRATION_DIRECTORIES) -> bool:
    """The file `path` sits below a directory with one of these names (at any depth); a `parent/child` name
    is a directory `child` directly inside a directory `parent`."""
    parts = path.split("/")[:-1]
    if any(part in directories for part in parts):
        return True
    return any(f"{parent}/{child}" in directories for parent, child in zip(parts, parts[1:]))
