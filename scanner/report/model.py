"""What every formatter receives: the result plus the facts of the run (no I/O, no clock)."""
from __future__ import annotations

from dataclasses import dataclass

from scanner import __version__
from scanner.evaluate.result import Finding, Result
from scanner.evaluate.policies import Policy

TOOL_NAME = "sovscan"
INFORMATION_URI = "https://sovscan.invalid/"


def help_uri(policy_id: str) -> str:
    return f"{INFORMATION_URI}policies/{policy_id}"


@dataclass(frozen=True)
class Report:
    result: Result
    files_scanned: int
    show_unresolved: bool = False
    color: bool = False
    version: str = __version__
    started: str = ""     # scan start/end as ISO 8601 (UTC), filled by the CLI; "" keeps output reproducible
    finished: str = ""
    include_suppressed: bool = False   # waived and baselined findings (GitHub ignores SARIF suppressions)
    gitlab_schema_version: str = ""    # "" = the lowest 15.x version the GitLab SAST report satisfies

    @property
    def policies_by_id(self) -> dict[str, Policy]:
        return {p.id: p for p in self.result.policies}

    def shown(self) -> list[Finding]:
        """Findings to report, with unresolved checks when asked for, in a stable order."""
        items = list(self.result.findings if self.include_suppressed else self.result.active)
        if self.show_unresolved:
            items += self.result.unresolved
        return sorted(items, key=lambda f: f.sort_key)
