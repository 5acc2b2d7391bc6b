"""Where the built-in policy pack lives: policies, registries and profiles are data shipped with sovscan."""
from __future__ import annotations

from pathlib import Path


def builtin_policy_dir() -> Path:
    """Installed: scanner/policies; from a source checkout: the repository's policies/."""
    here = Path(__file__).resolve().parent
    installed = here / "policies"
    return installed if installed.is_dir() else here.parent / "policies"
