"""What every formatter receives: the result plus the facts of the run (no I/O, no clock)."""
from __future__ import annotations

from dataclasses import dataclass

from scanner import __version__
from scanner.evaluate.result import LEVEL_RANK, Finding, Result
from scanner.evaluate.policies import Policy
from scanner.review import RuleSummary

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
    rules: RuleSummary | None = None   # configuration in use, policies it switches off, waivers applied
    fail_on: str = "error"
    strict_problems: tuple[str, ...] = ()   # with --strict: why the run fails although no finding does
    quiet: bool = False                # text: findings only
    width: int = 0                     # text: wrap messages to this many columns (0: never, off a terminal)

    @property
    def policies_by_id(self) -> dict[str, Policy]:
        return {p.id: p for p in self.result.policies}

    def shown(self) -> list[Finding]:
        """Findings to report, with unresolved checks when asked for, in a stable order."""
        items = list(self.result.findings if self.include_suppressed else self.result.active)
        if self.show_unresolved:
            items += self.result.unresolved
        return sorted(items, key=lambda f: f.sort_key)

    def failing(self) -> list[Finding]:
        """Active findings that fail the run at --fail-on."""
        if self.fail_on == "never":
            return []
        threshold = LEVEL_RANK[self.fail_on]
        return [f for f in self.result.active if f.mode == "deny" and LEVEL_RANK[f.level] >= threshold]

    def verdict(self) -> str:
        """One line: does this run pass, and why."""
        failing = len(self.failing())
        noun = "finding" if failing == 1 else "findings"
        if failing:
            return f"FAILED: {failing} {noun} at or above {self.fail_on} (--fail-on {self.fail_on})"
        if self.strict_problems:
            return "FAILED (--strict): " + "; ".join(self.strict_problems)
        if self.fail_on == "never":
            return "PASSED: --fail-on never (findings are reported, none fails the run)"
        return f"PASSED: no finding at or above {self.fail_on} (--fail-on {self.fail_on})"
