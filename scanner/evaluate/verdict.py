"""Three-valued outcome of a condition: pass (True), fail (False) or cannot tell (None)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

from scanner.model.rendered import Place


@dataclass(frozen=True)
class Verdict:
    state: bool | None
    path: str = ""      # where a finding should point (attribute path for the location table)
    key: str = ""       # attribute path for the fingerprint
    detail: str = ""    # what was seen, for the message ({detail})
    blocker: str = ""   # when state is None: what could not be resolved
    line: int = 0       # a line of the file itself, for checks over text (a detector's match), not an attribute
    decided: tuple[tuple[Place, str], ...] = ()   # places on another resource that decided it (a linked one's value)

    def negate(self) -> "Verdict":
        return replace(self, state=None if self.state is None else not self.state)


PASS = Verdict(True)


def fail(path: str = "", detail: str = "", key: str | None = None) -> Verdict:
    return Verdict(False, path, path if key is None else key, detail)


def unknown(blocker: str, path: str = "", key: str | None = None) -> Verdict:
    return Verdict(None, path, path if key is None else key, "", blocker)


def every(verdicts: Iterable[Verdict]) -> Verdict:
    """Each of several values holds (every match of a path): one that fails is a finding whatever the others
    are, else one that cannot be told leaves it unresolved."""
    undecided = None
    for verdict in verdicts:
        if verdict.state is False:
            return verdict
        if verdict.state is None and undecided is None:
            undecided = verdict
    return undecided or PASS


def either(verdicts: list[Verdict]) -> Verdict:
    """One of several conditions holds (a policy's `any`, AWS Backup's OR of resources and selection tags): one
    that holds passes whatever the others are, else one that cannot be told leaves it unresolved, else the first
    failure."""
    if any(verdict.state for verdict in verdicts):
        return PASS
    return next((verdict for verdict in verdicts if verdict.state is None), verdicts[0])


def at_match(verdict: Verdict, path: str, location: str, key: str) -> Verdict:
    """A verdict on one match of the path `path` pointed at that match (`location`, `key`): its own line and
    fingerprint, not the path as the policy wrote it (`containers[*].image`), which names no attribute."""
    if verdict.state or verdict.path != path or not location:
        return verdict
    return replace(verdict, path=location, key=key or location)
