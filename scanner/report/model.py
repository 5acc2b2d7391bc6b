"""What every formatter receives: the result plus the facts of the run (no I/O, no clock)."""
from __future__ import annotations

import functools
from dataclasses import dataclass

from scanner import __version__
from scanner.config import Config
from scanner.evaluate.result import LEVEL_RANK, Finding, Result
from scanner.evaluate.policies import Policy
from scanner.model.resource import managed_type
from scanner.report import labels
from scanner.review import RuleSummary

TOOL_NAME = "sovscan"


SEVERITIES = ("info", "low", "medium", "high", "critical")


def severity_at(severity: str, level: str) -> str:
    """A policy's severity held to the level a result has, for the tools that show and gate on severity rather
    than level (GitHub code scanning, GitLab's approval policies): an error at least high (what they block by
    default), a warning at most medium, a note at most low."""
    if level == "error":
        return max(severity, "high", key=SEVERITIES.index)
    return min(severity, "medium" if level == "warning" else "low", key=SEVERITIES.index)


def gated_severity(finding: Finding) -> str | None:
    """The severity a CI widget shows for a finding: held to its level, info when waived or a note (in
    demonstration code), at most low in audit mode (it never fails the run); None for an unresolved check."""
    if finding.kind == "open":
        return None
    if finding.suppression is not None or finding.level == "note":
        return "info"
    if finding.mode == "audit":
        return min(finding.severity, "low", key=SEVERITIES.index)
    return severity_at(finding.severity, finding.level)


def help_uri(docs_url: str, policy_id: str, lang: str = "en") -> str:
    """The rule's documentation page under the configured `report.docs_url`, "" when none is configured (no
    link is better than a dead one). The pages are docs/policies/<ID>.md (nl/<ID>.md in Dutch); a URL with
    `{id}` (and `{lang}`) names its own page form, e.g. https://example.org/sovscan/{lang}/{id}.html."""
    if not docs_url:
        return ""
    if "{id}" in docs_url:
        return docs_url.replace("{id}", policy_id).replace("{lang}", lang)
    return docs_url.rstrip("/") + ("/nl" if lang == "nl" else "") + f"/{policy_id}.md"


def remediation(policy: Policy, resource_type: str, lang: str = "en", check: int = 0, address: str = "") -> str:
    """The policy's fix for this kind of resource, in `lang`: the fix of the check that found it when it has
    one, else the one written for its type, else for its provider (the type's prefix), else the default. A
    block judged as another type (an azapi block standing for the azurerm resource, at `address`) is fixed
    in its own terms first: the fix written for its own type or provider, when the policy has one."""
    text = policy.text(lang)
    own = text.check_remediations[check] if 0 <= check < len(text.check_remediations) else None
    if own:
        return own
    texts = text.remediation
    for kind in dict.fromkeys((managed_type(address), resource_type)):
        fix = texts.get(kind) or texts.get(kind.split("_", 1)[0]) if kind else None
        if fix:
            return fix
    return texts.get("default") or next(iter(texts.values()), "")


@dataclass(frozen=True)
class SovereigntyTarget:
    seal: int | None          # the SEAL level the providers should reach (Config.seal_level)
    requirement: str          # the sovereignty requirement: none | some | high, "" when not configured
    tier: str                 # the allowed residency tier
    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()


def sovereignty_target(config: Config) -> SovereigntyTarget:
    return SovereigntyTarget(config.seal_level(), config.sovereignty_requirement or "", config.residency_tier,
                             config.allow_regions, config.deny_regions)


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
    sarif_category: str = TOOL_NAME    # the SARIF run's automationDetails.id is this, then "/"
    rules: RuleSummary | None = None   # configuration in use, policies it switches off, waivers applied
    fail_on: str = "error"
    strict_problems: tuple[str, ...] = ()   # with --strict: why the run fails although no finding does
    quiet: bool = False                # text: findings only
    width: int = 0                     # text: wrap messages to this many columns (0: never, off a terminal)
    lang: str = "en"                   # language of titles, messages, remediation, labels and the verdict
    docs_url: str = ""                 # report.docs_url: base of the policy pages; "" gives no links at all
    scan_date: str = ""                # the date the scan judged expiry and exit tests by (ISO), for the HTML
    paths: tuple[str, ...] = ()        # the scanned paths as given
    revision: str = ""                 # the commit the scanned checkout had out ("" when not a git checkout)
    target: SovereigntyTarget | None = None   # the configured SEAL target, requirement and residency

    def help_uri(self, policy_id: str) -> str:
        return help_uri(self.docs_url, policy_id, self.lang)

    @property
    def docs_home(self) -> str:
        """Where the documentation starts (report.docs_url without its page pattern), "" when not configured."""
        return self.docs_url.split("{", 1)[0]

    def message(self, finding: Finding) -> str:
        return finding.message_in(self.lang)

    def title(self, policy_id: str) -> str:
        return self.policies_by_id[policy_id].text(self.lang).title

    def fix(self, finding: Finding) -> str:
        """The remediation for the finding's resource, in the report's language."""
        return remediation(self.policies_by_id[finding.policy_id], finding.resource_type, self.lang, finding.check,
                           finding.address)

    @functools.cached_property
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
        """One line: does this run pass, and why (in the report's language)."""
        words = labels.words(self.lang)
        states = {"FAILED": words["FAILED"], "PASSED": words["PASSED"]}
        failing = len(self.failing())
        if failing:
            return words["verdict_failed"].format(count=labels.count(failing, "finding", self.lang),
                                                  level=self.fail_on, **states)
        if self.strict_problems:
            return words["verdict_strict"].format(problems="; ".join(self.strict_problems), **states)
        if self.fail_on == "never":
            return words["verdict_never"].format(**states)
        return words["verdict_passed"].format(level=self.fail_on, **states)

    def failing_at(self, fail_on: str) -> list[Finding]:
        """Active findings that would fail the run at another --fail-on."""
        return Report(self.result, self.files_scanned, fail_on=fail_on).failing()
