"""The rules of a scan, made visible: what the configuration switches off, what was waived and how, and,
with --changed-since, every waiver or configuration change the change itself makes.

A pull request can carry its own `.sovscan.yaml` or `sovscan:ignore` comments. They are honoured (the
repository owns its rules), but never unseen: every format states the configuration in use, how many
policies it switches off and how many findings were waived by what, and a rule change made by the change
under review is a finding (REVIEW-001) on the line that makes it, next to the code it excuses.
"""
from __future__ import annotations

import datetime
import os
import posixpath
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import yaml

from scanner import checkout, git, yamlfile
from scanner.config import Config
from scanner.discover import CACHEDIR_SIGNATURE, CACHEDIR_TAG, display_prefix
from scanner.errors import ConfigError
from scanner.evaluate.result import Finding, Result
from scanner.evaluate.fingerprint import finding_key
from scanner.masking import redact
from scanner.notices import CACHE_SKIPPED
from scanner.evaluate.policies import NOT_POLICIES, Policy
from scanner.evaluate.selection import REVIEW_ID, mode_of
from scanner.focus import Change
from scanner.parse import directives as directive_module
from scanner.regular_file import read_bytes

MAX_TEXT_BYTES = 5 * 1024 * 1024

REVIEW = Policy(
    id=REVIEW_ID, title="Rule changes made by this change are reviewed", family="review", severity="medium",
    rationale=("A change that adds a waiver, switches a policy off or loosens the configuration changes what the "
               "scan checks. It is honoured, and reported in the change that makes it so that a reviewer sees it "
               "next to the code it excuses, instead of a scan that silently passes."),
    remediation={"default": "Review the rule change with the code it excuses; keep the configuration on the target "
                            "branch (--config with the base branch's file) and protect .sovscan.yaml with CODEOWNERS."},
    references={}, input="file", checks=(), message="{address}", precision="very-high", path="(built in)")


@dataclass(frozen=True)
class RuleSummary:
    """What the reports state about the rules of this run."""
    configuration: str                # the configuration file, "" when none
    profile: str
    switched_off: tuple[str, ...]     # policy ids the configuration switches off
    audit: tuple[str, ...]            # policy ids it puts in audit mode
    waived_inline: int
    waived_configuration: int
    baselined: int
    excludes: tuple[str, ...]
    by_default: int = 0               # policies that run unless switched off (opt-in rules not named excluded)

    @property
    def waived(self) -> int:
        return self.waived_inline + self.waived_configuration

    @property
    def loosened(self) -> bool:
        """The configuration changes what fails the run: every format states how (a policy in audit mode is
        reported but no longer fails)."""
        return bool(self.switched_off or self.audit or self.waived or self.baselined or self.excludes)

    def as_dict(self) -> dict:
        return {"configuration": self.configuration or None, "profile": self.profile,
                "policies_switched_off": list(self.switched_off), "policies_in_audit": list(self.audit),
                "excludes": list(self.excludes),
                "waived": {"inline": self.waived_inline, "configuration": self.waived_configuration,
                           "baseline": self.baselined}}


def summarise(config: Config, result: Result, today: datetime.date) -> RuleSummary:
    # An opt-in rule the configuration does not name is not "switched off": it never ran by default.
    modes = {p.id: mode_of(config, p, today) for p in result.policies
             if p.id != REVIEW.id and (not p.opt_in or any(n in config.enforcement for n in p.names + (p.opt_in,)))}
    kinds = Counter(_waived_by(f) for f in result.suppressed)
    return RuleSummary(config.source, config.profile, tuple(sorted(k for k, m in modes.items() if m == "off")),
                       tuple(sorted(k for k, m in modes.items() if m == "audit")),
                       kinds["inline"], kinds["configuration"], kinds["baseline"], tuple(config.exclude), len(modes))


def _waived_by(finding: Finding) -> str:
    suppression = finding.suppression
    assert suppression is not None
    if suppression.kind == "inSource":
        return "inline"
    return "baseline" if suppression.justification == "in the baseline" else "configuration"


# --- rule changes made by the change (--changed-since) --------------------------------------------------

def changes(change: Change, config: Config, result: Result, policy_dirs: tuple[str, ...] = (),
            roots: tuple[str, ...] = (".",)) -> list[Finding]:
    """REVIEW-001 findings for waivers and configuration settings the change adds or alters, configuration
    files it removes, policy files it adds, removes or alters in the policy directories of this run (the
    configuration's `policies` and `policy_dirs`) that are inside the repository, and cache directory tags
    it adds below the scanned paths (`roots`)."""
    findings = _configuration_changes(change, config)
    findings += _removed_configurations(change, config)
    findings += _policy_file_changes(change, tuple(config.policy_dirs) + tuple(policy_dirs))
    findings += _inline_changes(change, result)
    findings += _cache_tags_added(change, result, roots)
    return sorted(findings, key=lambda f: f.sort_key)


def _cache_tags_added(change: Change, result: Result, roots: tuple[str, ...]) -> list[Finding]:
    """A directory the change tags as a cache (a valid CACHEDIR.TAG it adds, or makes valid): discovery leaves
    it out, with a notice, so the code in it is no longer scanned."""
    out = []
    for notice in result.notices:
        if notice.kind != CACHE_SKIPPED:
            continue
        repo_path = _repository_path(change, os.path.join(_shown_base(roots), notice.path, CACHEDIR_TAG))
        if repo_path is None:
            continue
        before = change.repository.read(change.commit, repo_path)
        if before is not None and before.startswith(CACHEDIR_SIGNATURE):
            continue
        shown = _shown(change, repo_path)
        out.append(_finding(shown, 1, f"cache directory tag {shown} added",
                            f"cache directory tag added in this change: none of the files in {notice.path} is "
                            f"scanned any more ({shown})"))
    return out


def _shown_base(roots: tuple[str, ...]) -> str:
    """What the paths of a scan's notices are relative to: the scanned directory when it is the only one and
    lies outside the working directory (discover.display_prefix), else the working directory."""
    if len({os.path.realpath(r) for r in roots}) == 1 and os.path.isdir(roots[0]) and \
            display_prefix(roots[0], roots) == "":
        return roots[0]
    return "."


def _repository_path(change: Change, path: str) -> str | None:
    real = os.path.realpath(path)
    if not checkout.inside(real, change.repository.top):
        return None
    inner = Path(real).relative_to(change.repository.top).as_posix()
    return "" if inner == "." else inner


def _configuration_changes(change: Change, config: Config) -> list[Finding]:
    files = [config.source] if config.source else []
    if "/" in config.profile or config.profile.endswith((".yaml", ".yml")):
        files.append(os.path.relpath(os.path.join(checkout.root_of("."), config.profile)))
    out: list[Finding] = []
    for shown in files:
        repo_path = _repository_path(change, shown)
        if repo_path is None:      # the caller's file (e.g. the target branch's), not part of the change
            continue
        try:
            text = read_bytes(shown, yamlfile.MAX_BYTES)
            new = yamlfile.parse(text, shown)
        except (OSError, ConfigError):
            continue
        old_raw = change.repository.read(change.commit, repo_path)
        try:
            old = yamlfile.parse(old_raw, shown) if old_raw is not None else {}
        except ConfigError:
            old = {}
        out += _compare_settings(shown, text, old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {})
    return out


def _removed_configurations(change: Change, config: Config) -> list[Finding]:
    """A .sovscan.yaml REF has and the working tree does not, in the working directory, below it or above it
    in the repository: the rules it set no longer apply. Not reported when the run's configuration comes
    from outside the repository (the repository's own file did not decide this run's rules)."""
    if config.source and _repository_path(change, config.source) is None:
        return []
    cwd = _repository_path(change, ".")
    if cwd is None:
        return []
    removed = {repo_path: oid for repo_path, (_, oid) in change.repository.tree(change.commit).items()
               if posixpath.basename(repo_path) == checkout.CONFIG_FILE and _in_scope(repo_path, cwd)
               and not os.path.lexists(change.repository.top / repo_path)}
    contents = change.repository.blobs(list(removed.values()))
    out: list[Finding] = []
    for repo_path, oid in sorted(removed.items()):
        shown = _shown(change, repo_path)
        out.append(_finding(shown, 1, f"configuration {shown} removed",
                            f"configuration file removed in this change: {shown}"
                            + _what_it_set(contents.get(oid), shown)))
    return out


def _in_scope(repo_path: str, cwd: str) -> bool:
    """A configuration file the scan of the working directory finds: in it, below it, or in a directory
    above it (the nearest file from a scanned path up to the repository root is the configuration)."""
    directory = posixpath.dirname(repo_path)
    below = not cwd or directory == cwd or directory.startswith(cwd + "/")
    above = not directory or cwd == directory or cwd.startswith(directory + "/")
    return below or above


def _what_it_set(raw: bytes | None, shown: str) -> str:
    """The profile, enforcement entries and other keys a removed configuration set, briefly."""
    try:
        data = yamlfile.parse(raw, shown) if raw is not None else None
    except ConfigError:
        return ""
    if not isinstance(data, dict) or not data:
        return ""
    parts = []
    if "profile" in data:
        parts.append(f"profile {_value(data['profile'])}")
    enforcement = data.get("enforcement")
    if isinstance(enforcement, dict) and enforcement:
        entries = [f"{key}={_value(value)}" for key, value in sorted(enforcement.items(), key=lambda kv: str(kv[0]))]
        more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
        parts.append("enforcement " + ", ".join(entries[:5]) + more)
    waivers = data.get("waivers")
    if isinstance(waivers, list) and waivers:
        parts.append(f"{len(waivers)} waiver{'s' if len(waivers) != 1 else ''}")
    others = sorted(str(k) for k in data if k not in ("profile", "enforcement", "waivers"))
    if others:
        parts.append(", ".join(others))
    return "; it set " + "; ".join(parts)


def _policy_file_changes(change: Change, directories: tuple[str, ...]) -> list[Finding]:
    """Policy files (`<directory>/<family>/<name>.yaml`, as the policy loader reads them) that the change
    adds, removes or alters, in the policy directories of this run that are inside the repository."""
    tree = change.repository.tree(change.commit)
    object_format = change.repository.object_format()
    out: list[Finding] = []
    for repo_dir in sorted({r for d in directories if (r := _repository_path(change, d)) is not None}):
        before = {p: oid for p, (_, oid) in tree.items() if _policy_file(p, repo_dir)}
        now = _policy_files_now(change.repository.top, repo_dir)
        for repo_path in sorted(set(before) | set(now)):
            if repo_path not in now:
                old = change.repository.blobs([before[repo_path]]).get(before[repo_path])
                out.append(_policy_finding(change, repo_path, "removed", old))
                continue
            content = now[repo_path]
            if repo_path in before and content is not None and git.blob_id(content, object_format) == before[repo_path]:
                continue
            out.append(_policy_finding(change, repo_path, "changed" if repo_path in before else "added", content))
    return out


def _policy_file(repo_path: str, repo_dir: str) -> bool:
    prefix = repo_dir + "/" if repo_dir else ""
    if not repo_path.startswith(prefix):
        return False
    parts = repo_path[len(prefix):].split("/")
    return len(parts) == 2 and parts[0] not in NOT_POLICIES and parts[1].endswith(".yaml")


def _policy_files_now(top: Path, repo_dir: str) -> dict[str, bytes | None]:
    """The policy files the working tree has in the directory (content None when unreadable)."""
    out: dict[str, bytes | None] = {}
    for path in sorted((top / repo_dir).glob("*/*.yaml")):
        repo_path = path.relative_to(top).as_posix()
        if _policy_file(repo_path, repo_dir) and (path.is_file() or path.is_symlink()):
            out[repo_path] = _bytes(path)
    return out


def _bytes(path: Path) -> bytes | None:
    """A file's content as git compares it: a symbolic link is its target (never followed)."""
    try:
        if path.is_symlink():
            return os.readlink(path).encode("utf-8", "surrogateescape")
        return read_bytes(str(path), MAX_TEXT_BYTES)
    except OSError:
        return None


def _policy_finding(change: Change, repo_path: str, verb: str, content: bytes | None) -> Finding:
    shown = _shown(change, repo_path)
    ids = _policy_ids(content, shown)
    named = f" ({', '.join(ids)})" if ids else ""
    changed = change.focus.files.get(shown)
    line = min(changed) if verb == "changed" and changed else 1
    return _finding(shown, line, f"policy file {shown}", f"policy file {verb} in this change: {shown}{named}")


def _policy_ids(raw: bytes | None, shown: str) -> list[str]:
    """The id a policy file declares, if it can be read."""
    try:
        data = yamlfile.parse(raw, shown, "policy file") if raw is not None else None
    except ConfigError:
        return []
    found = data.get("id") if isinstance(data, dict) else None
    return [found] if isinstance(found, str) and found.isprintable() and len(found) <= 64 else []


def _shown(change: Change, repo_path: str) -> str:
    """A repository file as reports show it: relative to the working directory."""
    return os.path.relpath(change.repository.top / repo_path).replace(os.sep, "/")


def _compare_settings(shown: str, text: bytes, old: dict, new: dict) -> list[Finding]:
    lines = _key_lines(text)
    out = []
    old_waivers = {_waiver_key(w): w for w in old.get("waivers") or [] if isinstance(w, dict)}
    for index, waiver in enumerate(new.get("waivers") or []):
        if not isinstance(waiver, dict):
            continue
        key = _waiver_key(waiver)
        if old_waivers.get(key) == waiver:
            continue
        verb = "changed" if key in old_waivers else "added"
        rule, resource = key[0], key[1]
        expiry = f" (expires {waiver['expires']})" if waiver.get("expires") else " (no expiry)"
        out.append(_finding(shown, lines.get(("waivers", index), 1), f"waiver {rule} {resource}",
                            f"waiver {verb} in this change for {rule} on {resource}{expiry}: {shown}"))
    old_flat, new_flat = _flatten(old), _flatten(new)
    for key in sorted(set(old_flat) | set(new_flat)):
        if key[0] == "waivers" or old_flat.get(key) == new_flat.get(key):
            continue
        dotted = ".".join(map(str, key))
        now = _value(new_flat[key]) if key in new_flat else "removed"
        was = _value(old_flat[key]) if key in old_flat else "not set"
        out.append(_finding(shown, lines.get(key, 1), f"configuration {dotted}",
                            f"configuration changed in this change: {dotted} = {now} (was {was}) in {shown}"))
    return out


def _waiver_key(waiver: dict) -> tuple[str, str, str]:
    return str(waiver.get("rule", "")), str(waiver.get("resource", "")), str(waiver.get("path", ""))


def _flatten(data: dict, prefix: tuple = ()) -> dict[tuple, object]:
    out: dict[tuple, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            out.update(_flatten(value, prefix + (key,)))
        else:
            out[prefix + (key,)] = value
    return out


def _value(value: object) -> str:
    return redact(yamlfile.excerpt(value) if not isinstance(value, list) else repr(value)[:120])


def _key_lines(text: bytes) -> dict[tuple, int]:
    """(key path) -> line of each mapping key and list item, from the composed YAML."""
    try:
        root = yaml.compose(text.decode("utf-8-sig"), Loader=yaml.SafeLoader)
    except (yaml.YAMLError, UnicodeDecodeError, RecursionError):
        return {}
    out: dict[tuple, int] = {}
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())] if root is not None else []
    while stack:
        node, path = stack.pop()
        if len(path) > yamlfile.MAX_DEPTH:
            continue
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                out[path + (key.value,)] = key.start_mark.line + 1
                stack.append((value, path + (key.value,)))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                out[path + (index,)] = item.start_mark.line + 1
                stack.append((item, path + (index,)))
    return out


def _inline_changes(change: Change, result: Result) -> list[Finding]:
    out: list[Finding] = []
    for shown, lines in sorted(change.focus.files.items()):
        new_text = _text(Path(shown))
        if new_text is None or "sovscan:ignore" not in new_text:
            continue
        old_path = change.old_paths.get(shown)
        old_raw = change.repository.read(change.commit, old_path) if old_path else None
        old_text = old_raw.decode("utf-8", "replace") if old_raw is not None else ""
        before = Counter(_signature(d) for d in directive_module.read(shown, old_text)[0])
        for directive in directive_module.read(shown, new_text)[0]:
            signature = _signature(directive)
            if before[signature] > 0:
                before[signature] -= 1
                continue
            rules = ",".join(directive.rules)
            target = _waived_here(result, shown, directive.line) or f"line {directive.line}"
            until = f" until {directive.until}" if directive.until else " (no expiry)"
            out.append(_finding(shown, directive.line, f"waiver {rules} line {directive.line}",
                                f"waiver added in this change for {rules} on {target}{until}"))
    return out


def _signature(directive: directive_module.Directive) -> tuple:
    return directive.rules, directive.reason, directive.until, directive.problem


def _waived_here(result: Result, path: str, line: int) -> str:
    addresses = sorted({f.address for f in result.suppressed
                        if f.suppression is not None and f.suppression.kind == "inSource" and f.path == path
                        and line in (f.line, f.line - 1, f.resource_line, f.resource_line - 1)})
    return ", ".join(addresses)


def _text(path: Path) -> str | None:
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_TEXT_BYTES:
            return None
        return read_bytes(str(path), MAX_TEXT_BYTES).decode("utf-8", "replace")
    except OSError:
        return None


def _finding(path: str, line: int, address: str, message: str) -> Finding:
    return Finding(policy_id=REVIEW.id, family=REVIEW.family, severity=REVIEW.severity, level="warning", kind="fail",
                   message=redact(message), path=path, line=line, address=address, attribute="",
                   fingerprint=finding_key(REVIEW.id, path, address, ""), resource_type="", mode="deny")


def attach(result: Result, findings: list[Finding]) -> Result:
    """The result with the review findings (and their policy, which no profile or --only can leave out)."""
    if not findings:
        return result
    policies = result.policies if any(p.id == REVIEW.id for p in result.policies) else result.policies + [REVIEW]
    return result.but(findings=sorted(result.findings + findings, key=lambda f: f.sort_key), policies=policies)
