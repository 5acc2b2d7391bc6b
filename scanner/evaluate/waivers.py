"""Waivers: inline `sovscan:ignore` comments and central ones in the configuration, and the baseline.

"Don't make the exception the rule" ("Overheid saai?"): a waiver names one rule (never `*` or `all`) and a
resource, gives a reason, and expires no further ahead than the configuration's `max_waiver_days` (default
one year). A waiver that misses any of these, or has expired, suppresses nothing: the finding is active
again and the waiver is reported. A waiver on a `module` block covers that module instance's resources only.
"""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from scanner.config import CONFIG_FILE, Config, ConfigWaiver
from scanner.errors import InputError
from scanner.evaluate.fingerprint import attribute_in_root, finding_key
from scanner.evaluate.result import Finding, Result, Suppression
from scanner.notices import Notice
from scanner.parse.directives import Directive, ForeignDirective
from scanner.regular_file import read_bytes

if TYPE_CHECKING:
    from scanner.model.resource import Model

BASELINE_VERSION = 1
MAX_BASELINE_BYTES = 64 * 1024 * 1024


EVERY_RULE = ("*", "all")


def _covers_rule(rules: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """The waiver names the rule: its id, or an id it had before (an alias). `*` and `all` are refused."""
    return any(name in rules for name in names)


def address_matches(address: str, pattern: str) -> bool:
    """`*` stands for any text; everything else is literal (addresses hold `[`, `"` and `.`)."""
    if "*" not in pattern:
        return address == pattern
    return re.fullmatch(".*".join(re.escape(part) for part in pattern.split("*")), address) is not None


def _module_prefixes(model: Model) -> dict[tuple[str, int], tuple[str, ...]]:
    """(file, header line) of each module block -> the address prefixes of its module instances: every one,
    when a shared module's block is called from several roots or has count or for_each."""
    prefixes: dict[tuple[str, int], tuple[str, ...]] = {}
    for resource in model.by_type("module_call"):
        place = (resource.path, resource.line)
        prefixes[place] = prefixes.get(place, ()) + (resource.address + ".",)
    return prefixes


def _inline_target(directive: Directive, finding: Finding, modules: dict, names: tuple[str, ...]) -> bool:
    if not _covers_rule(directive.rules, names):
        return False
    for line in (directive.line, directive.line + 1):      # on the line, or on the line above
        if finding.address.startswith(modules.get((directive.path, line), ())):
            return True
    if directive.path != finding.path:
        return False
    return directive.line in (finding.line, finding.line - 1, finding.resource_line, finding.resource_line - 1)


def _central_target(waiver: ConfigWaiver, finding: Finding, names: tuple[str, ...]) -> bool:
    if waiver.rule not in names:
        return False
    if waiver.path and waiver.path != finding.path:
        return False
    return address_matches(finding.address, waiver.resource)


def _expiry_problem(expires: datetime.date | None, today: datetime.date, max_days: int, form: str) -> str:
    if expires is None:
        return f"has no expiry ({form}, at most {max_days} days ahead): it suppresses nothing"
    if expires < today:
        return f"expired on {expires}: the finding is active again"
    if expires > today + datetime.timedelta(days=max_days):
        return (f"expires on {expires}, more than {max_days} days ahead (max_waiver_days): "
                "it suppresses nothing")
    return ""


def _inline_problem(directive: Directive, today: datetime.date, max_days: int) -> str:
    if directive.problem:
        return directive.problem
    if any(rule.lower() in EVERY_RULE for rule in directive.rules):
        return "names every rule: name the rule it waives (sovscan:ignore RES-001 ...); it suppresses nothing"
    if not directive.reason:
        return "has no reason=\"...\": it suppresses nothing"
    return _expiry_problem(directive.until, today, max_days, "until=YYYY-MM-DD")


def _central_problem(waiver: ConfigWaiver, today: datetime.date, max_days: int) -> str:
    if not waiver.reason:
        return "has no reason: it suppresses nothing"
    return _expiry_problem(waiver.expires, today, max_days, "expires: YYYY-MM-DD")


def apply(result: Result, model: Model, directives: list[Directive], foreign: list[ForeignDirective],
          config: Config, today: datetime.date) -> Result:
    modules = _module_prefixes(model)
    used: dict = {}     # waiver -> the rules it names that matched a finding
    problems: dict = {}
    findings = []
    names = {p.id: p.names for p in result.policies}
    for finding in result.findings:
        findings.append(_waive(finding, modules, directives, config, today, used, problems,
                               names.get(finding.policy_id, (finding.policy_id,))))
    migration = sorted(Notice(f.path, f.line, f"{f.text} is not honoured by sovscan; use "
                              f"`# sovscan:ignore RULE reason=\"...\"` instead", "note") for f in foreign)
    return result.but(findings=findings, waiver_problems=sorted(_problem_notices(directives, config, used, problems)),
                      migration=migration)


def _waive(finding: Finding, modules: dict, directives: list[Directive], config: Config, today: datetime.date,
           used: dict, problems: dict, names: tuple[str, ...]) -> Finding:
    for directive in directives:
        if not _inline_target(directive, finding, modules, names):
            continue
        used.setdefault(directive, set()).update(rule for rule in directive.rules if rule in names)
        problem = _inline_problem(directive, today, config.max_waiver_days)
        if problem:
            problems[directive] = problem
            continue
        until = directive.until.isoformat() if directive.until else ""
        return replace(finding, suppression=Suppression("inSource", directive.reason, until=until))
    for waiver in config.waivers:
        if not _central_target(waiver, finding, names):
            continue
        used.setdefault(waiver, set()).add(waiver.rule)
        problem = _central_problem(waiver, today, config.max_waiver_days)
        if problem:
            problems[waiver] = problem
            continue
        until = waiver.expires.isoformat() if waiver.expires else ""
        return replace(finding, suppression=Suppression("external", waiver.reason, waiver.owner, until))
    return finding


def _problem_notices(directives: list[Directive], config: Config, used: dict, problems: dict) -> list[Notice]:
    notices = []
    for directive in directives:
        rules = ",".join(directive.rules)
        every = _inline_problem(directive, datetime.date.min, config.max_waiver_days)
        if directive not in problems and every.startswith("names every rule"):
            problems[directive] = every
        if directive in problems:
            notices.append(Notice(directive.path, directive.line, f"waiver for {rules} {problems[directive]}"))
        elif directive not in used:
            notices.append(Notice(directive.path, directive.line, f"waiver for {rules} matches no finding (unused)", "note"))
        else:   # a comment naming several rules: each is a waiver of its own
            idle = [rule for rule in directive.rules if rule not in used[directive]]
            if idle:
                notices.append(Notice(directive.path, directive.line, f"waiver for {rules}: {', '.join(idle)} "
                                                                      "matches no finding here (unused)", "note"))
    for waiver in config.waivers:
        where = config.source or ".sovscan.yaml"
        label = f"waiver for {waiver.rule} on {waiver.resource}"
        if waiver in problems:
            notices.append(Notice(where, 0, f"{label} {problems[waiver]}"))
        elif waiver not in used:
            notices.append(Notice(where, 0, f"{label} matches no finding (unused)", "note"))
    return notices


# --- baseline ---------------------------------------------------------------------------------------

# --- the register: every waiver with what it did in this run -------------------------------------------

@dataclass(frozen=True)
class WaiverEntry:
    """One waiver (inline comment or configuration) or baseline entry, with what it did in this run."""
    source: str             # inline | configuration | baseline
    rule: str
    resource: str           # the address or pattern it names; for an inline waiver the resources it waived
    path: str               # where it is written (the baseline: the finding's file)
    line: int
    owner: str
    reason: str
    expires: str            # ISO date, "" when none
    state: str              # active | expired | unused | invalid | stale
    findings: int           # findings it waives in this run
    problem: str = ""       # why it suppresses nothing (expired, no reason, too far ahead), as the notice says


def register(result: Result, model: Model, directives: list[Directive], config: Config,
             today: datetime.date) -> tuple[WaiverEntry, ...]:
    """Every waiver and baseline entry with its state, judged by the same rules that applied it."""
    modules = _module_prefixes(model)
    names = {p.id: p.names for p in result.policies}
    entries = []
    for directive in directives:
        waived = [f for f in result.suppressed if f.suppression is not None and f.suppression.kind == "inSource"
                  and _inline_target(directive, f, modules, names.get(f.policy_id, (f.policy_id,)))]
        problem = _inline_problem(directive, today, config.max_waiver_days)
        resource = ", ".join(sorted({f.address for f in waived})) 
        entries.append(WaiverEntry("inline", ",".join(directive.rules), resource, directive.path, directive.line, "",
                                   directive.reason, directive.until.isoformat() if directive.until else "",
                                   _state(problem, len(waived), directive.until, today), len(waived), problem))
    for waiver in config.waivers:
        waived = [f for f in result.suppressed if f.suppression is not None and f.suppression.kind == "external"
                  and f.suppression.justification != "in the baseline" and _central_target(waiver, f, names.get(f.policy_id, (f.policy_id,)))]
        problem = _central_problem(waiver, today, config.max_waiver_days)
        entries.append(WaiverEntry("configuration", waiver.rule, waiver.resource, config.source or CONFIG_FILE, 0,
                                   waiver.owner, waiver.reason, waiver.expires.isoformat() if waiver.expires else "",
                                   _state(problem, len(waived), waiver.expires, today), len(waived), problem))
    for finding in result.suppressed:
        if finding.suppression is not None and finding.suppression.justification == "in the baseline":
            entries.append(WaiverEntry("baseline", finding.policy_id, finding.address, finding.path, finding.line,
                                       "", "", "", "active", 1))
    for stale in result.stale_baseline:
        entries.append(WaiverEntry("baseline", str(stale.get("rule", "")), str(stale.get("address", "")),
                                   str(stale.get("path", "")), 0, "", "", "", "stale", 0))
    return tuple(entries)


def _state(problem: str, waived: int, expires: datetime.date | None, today: datetime.date) -> str:
    if expires is not None and expires < today:
        return "expired"
    if problem:
        return "invalid"
    return "active" if waived else "unused"



# --- the baseline ----------------------------------------------------------------------------------------

def baseline_entries(result: Result) -> list[dict]:
    """One entry for each instance a finding stands for (a module called twice is two resources)."""
    return [{"fingerprint": f.fingerprint if address == f.address else finding_key(f.policy_id, f.path, address,
                                                                                    f.attribute),
             "rule": f.policy_id, "path": f.path, "address": address, "attribute": f.attribute}
            for f in sorted(result.active, key=lambda f: f.sort_key) for address in f.addresses]


def render_baseline(result: Result) -> str:
    return json.dumps({"version": BASELINE_VERSION, "tool": "sovscan", "findings": baseline_entries(result)},
                      indent=2) + "\n"


def _place(entry: dict) -> tuple[str, str, str, str]:
    return entry.get("rule", ""), entry.get("path", ""), entry.get("address", ""), entry.get("attribute", "")


def _names_its_place(entry: dict, roots: set[str]) -> bool:
    """The entry's fingerprint is the key of the place it names, as one of the scan's roots judged it: an entry
    whose place was edited in a pull request (a fingerprint of one resource beside another's address) matches
    by fingerprint alone, and so hides nothing else."""
    rule, path, address, attribute = _place(entry)
    return any(entry["fingerprint"] == finding_key(rule, path, address, identity)
               for identity in [attribute] + [attribute_in_root(attribute, root) for root in sorted(roots)])


def _identity(finding: Finding) -> str:
    """The attribute as the finding's own fingerprint names it: with its root in module code several roots deploy."""
    in_root = attribute_in_root(finding.attribute, finding.root)
    shared = finding.root and finding.fingerprint == finding_key(finding.policy_id, finding.path, finding.address, in_root)
    return in_root if shared else finding.attribute


def load_baseline(path: str) -> list[dict]:
    try:
        raw = read_bytes(path, MAX_BASELINE_BYTES)
        if len(raw) > MAX_BASELINE_BYTES:
            raise InputError(f"--baseline {path}: larger than {MAX_BASELINE_BYTES // (1024 * 1024)} MiB")
        data = json.loads(raw.decode("utf-8"))
    except OSError as err:
        raise InputError(f"--baseline {path}: cannot read: {err.strerror}") from None
    except ValueError as err:
        raise InputError(f"--baseline {path}: not JSON: {err}") from None
    if not isinstance(data, dict) or data.get("version") != BASELINE_VERSION or not isinstance(data.get("findings"), list):
        raise InputError(f"--baseline {path}: not a sovscan baseline (version {BASELINE_VERSION} with a findings list)")
    for index, entry in enumerate(data["findings"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("fingerprint"), str):
            raise InputError(f"--baseline {path}: findings[{index}].fingerprint is missing")
        for field in ("rule", "path", "address", "attribute"):
            if not isinstance(entry.get(field, ""), str):
                raise InputError(f"--baseline {path}: findings[{index}].{field} is not a string")
    return data["findings"]


def apply_baseline(result: Result, entries: list[dict]) -> Result:
    """Suppress the findings the baseline lists; an entry recorded under a rule's earlier id (an alias)
    still matches, so renaming a rule does not turn a baseline stale."""
    known = {e["fingerprint"] for e in entries}
    # the place an entry names matches the finding there from every root module that deploys that code (their
    # fingerprints differ by root, and the baseline records the one the report showed)
    roots = {f.root for f in result.findings if f.root}
    # several entries may name one place (two roots call a module by one name): each matches what is found there
    places: dict[tuple[str, str, str, str], list[str]] = {}
    for entry in entries:
        if _names_its_place(entry, roots):
            places.setdefault(_place(entry), []).append(entry["fingerprint"])
    aliases = {p.id: p.aliases for p in result.policies}
    seen = set()
    findings = []
    for finding in result.findings:
        rules = (finding.policy_id,) + tuple(aliases.get(finding.policy_id, ()))
        prints = [finding.fingerprint] + [finding_key(alias, finding.path, finding.address, _identity(finding))
                                          for alias in rules[1:]]
        prints += [p for rule in rules for p in places.get((rule, finding.path, finding.address, finding.attribute), ())]
        matched = [p for p in prints if p in known]
        if finding.active and matched:
            seen.update(matched)
            finding = replace(finding, suppression=Suppression("external", "in the baseline"))
        findings.append(finding)
    return result.but(findings=findings, stale_baseline=[e for e in entries if e["fingerprint"] not in seen])
