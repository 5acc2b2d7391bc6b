"""One exception root. Only cli.py turns these into exit codes."""
from __future__ import annotations


class SovscanError(Exception):
    """A problem the user can fix: bad argument, configuration or policy file (exit 2)."""


class ConfigError(SovscanError):
    pass


class PolicyError(SovscanError):
    pass


class InputError(SovscanError):
    """A bad external input given on the command line (e.g. --haven-results, --var-file)."""
