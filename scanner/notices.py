"""Notices: problems with inputs that do not stop the scan (SARIF toolExecutionNotifications)."""
from __future__ import annotations

from dataclasses import dataclass

# Notice.kind of a Kustomize build or Helm chart that was not rendered, or only in part: its objects are
# not (all) judged, so `--strict` fails the run on it.
UNRENDERED = "unrendered"


@dataclass(frozen=True, order=True)
class Notice:
    path: str
    line: int
    message: str
    level: str = "warning"  # SARIF notification level: note | warning | error
    kind: str = ""          # "" | UNRENDERED
