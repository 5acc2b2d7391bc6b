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


# Why `--strict` fails a run that read no file at all (no notice says it: there was nothing to say it of).
NOTHING_SCANNED = "no file was scanned"

LEVELS = ("note", "warning", "error")
KINDS = ("", UNRENDERED, NOT_EVALUATED, CACHE_SKIPPED)


def fails_strict(notice: Notice, configuration: str = "") -> bool:
    """Whether `--strict` fails the run on this notice: a Kustomize build or Helm chart not rendered in full, a
    module call not evaluated, a directory left out as a tagged cache that is no known tool's (a warning), or a
    file that could not be read or parsed (a warning or error on a file; not one about the run as a whole, such
    as an --exclude that matches nothing, nor one on the configuration file, such as a waiver's problem)."""
    if notice.kind in (UNRENDERED, NOT_EVALUATED):
        return True
    if notice.kind == CACHE_SKIPPED:
        return notice.level == "warning"
    return notice.level in ("warning", "error") and notice.path not in ("", configuration or ".sovscan.yaml")
