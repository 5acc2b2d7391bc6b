"""Notices: problems with inputs that do not stop the scan (SARIF toolExecutionNotifications)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Notice:
    path: str
    line: int
    message: str
    level: str = "warning"  # SARIF notification level: note | warning | error
