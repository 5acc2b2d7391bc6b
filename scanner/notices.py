"""Notices: problems with inputs that do not stop the scan (SARIF toolExecutionNotifications)."""
from __future__ import annotations

from dataclasses import dataclass

# Notice.kind of a Kustomize build or Helm chart that was not rendered, or only in part: its objects are
# not (all) judged, so `--strict` fails the run on it.
UNRENDERED = "unrendered"
# Notice.kind of a Terraform module call whose code was not evaluated (not downloaded, or past a limit):
# the resources it creates are not judged, so `--strict` fails the run on it too.
NOT_EVALUATED = "not-evaluated"
# Notice.kind of a directory left out because it is tagged as a cache (CACHEDIR.TAG) and is not the scan's own
# cache: anyone can tag a directory, so a pre-commit or --changed-since run keeps it and `--strict` fails on it.
CACHE_SKIPPED = "cache-skipped"


@dataclass(frozen=True, order=True)
class Notice:
    path: str
    line: int
    message: str
    level: str = "warning"  # SARIF notification level: note | warning | error
    kind: str = ""          # "" | UNRENDERED | NOT_EVALUATED | CACHE_SKIPPED

    def __post_init__(self) -> None:
        """A report writes the level as it is (SARIF allows no other) and `--strict` looks the kind up: a notice
        read back from a cache another job wrote with any other is a ValueError, which makes the entry a miss."""
        if self.level not in LEVELS or self.kind not in KINDS:
            raise ValueError(f"notice level {self.level!r} or kind {self.kind!r}")


LEVELS = ("note", "warning", "error")
KINDS = ("", UNRENDERED, NOT_EVALUATED, CACHE_SKIPPED)
