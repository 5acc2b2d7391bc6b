"""Notices: problems with inputs that do not stop the scan (SARIF toolExecutionNotifications)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from scanner import terminal

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


def strict_problems(notices: Iterable[Notice], files: int, configuration: str = "") -> tuple[str, ...]:
    """Why --strict fails a run no finding fails: nothing scanned, files that could not be read or parsed,
    builds not rendered in full, module calls not evaluated, directories left out as tagged caches."""
    problems = []
    if files == 0:
        problems.append(NOTHING_SCANNED)
    failing = [n for n in notices if fails_strict(n, configuration)]   # the JUnit report makes them errors
    unrendered = sorted({n.path for n in failing if n.kind == UNRENDERED})
    unread = sorted({n.path for n in failing if not n.kind})
    caches = sorted({n.path for n in failing if n.kind == CACHE_SKIPPED})
    modules = sorted({f"{n.path}:{n.line}" for n in failing if n.kind == NOT_EVALUATED})
    if unread:
        problems.append(f"{terminal.plural(len(unread), 'file')} could not be read or parsed: {_some(unread)}")
    if unrendered:   # "render failed, zero files scanned, green build" must not happen under --strict
        problems.append(f"{terminal.plural(len(unrendered), 'Kustomize build or Helm chart', 'Kustomize builds or Helm charts')} "
                        f"not rendered in full: {_some(unrendered)}")
    if caches:       # anyone can tag a directory as a cache: code left out so is not a pass either
        left_out = "a tagged cache" if len(caches) == 1 else "tagged caches"
        problems.append(f"{terminal.plural(len(caches), 'directory', 'directories')} left out as {left_out}: "
                        f"{_some(caches)}")
    if modules:      # a module whose resources were never looked at is not a pass
        problems.append(f"{terminal.plural(len(modules), 'module call')} not evaluated: {_some(modules)}")
    return tuple(problems)


def _some(names: list[str]) -> str:
    """The first five, made safe for a terminal, and an ellipsis for the rest."""
    return ", ".join(terminal.inert(n) for n in names[:5]) + (", …" if len(names) > 5 else "")
