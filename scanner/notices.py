"""Notices: problems with inputs that do not stop the scan (SARIF toolExecutionNotifications)."""
from __future__ import annotations

from dataclasses import dataclass

# Notice.kind of a Kustomize build or Helm chart that was not rendered, or only in part: its objects are
# not (all) judged, so `--strict` fails the run on it.
UNRENDERED = "unrendered"
# Notice.kind of a Terraform module call whose code was not evaluated (not downloaded, or past a limit):
# the resources it creates are not judged, so `--strict` fails the run on it too.
NOT_EVALUATED = "not-evaluated"


@dataclass(frozen=True, order=True)
class Notice:
    path: str
    line: int
    message: str
    level: str = "warning"  # SARIF notification level: note | warning | error
    kind: str = ""          # "" | UNRENDERED | NOT_EVALUATED


LEVELS = ("note", "warning", "error")
KINDS = ("", UNRENDERED, NOT_EVALUATED)


def well_formed(notice: Notice) -> bool:
    """Its level and kind are ones sovscan writes: checked on a notice read back from a cache, since a report
    writes the level as it is (SARIF allows no other) and `--strict` looks the kind up."""
    return notice.level in LEVELS and notice.kind in KINDS
