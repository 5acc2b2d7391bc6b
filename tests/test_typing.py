"""The type checker runs with the tests: scanner/ passes mypy with the settings in pyproject.toml."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_scanner_passes_mypy(tmp_path):
    api = pytest.importorskip("mypy.api", reason="mypy is part of the test extra")
    out, err, code = api.run(["--config-file", str(ROOT / "pyproject.toml"), "--cache-dir", str(tmp_path),
                              str(ROOT / "scanner")])
    assert code == 0, out + err
