"""One report across many repositories: `sovscan report merge` reads the JSON results of many scans (one per
repository, `-f json=FILE`, format sovscan-result version 2) and combines them into an organisation view:
the posture across the organisation, a row per repository, the worst offenders per family, the regions in
use, the waivers that expire soon and the control coverage. Every total is the sum of the repositories'.

A result is named after its file (`results/gemeente-app.json` is `gemeente-app`) or as NAME=FILE.
"""
from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.evaluate import citations
from scanner.report import labels, tally
from scanner.report.json_report import FORMAT_NAME, FORMAT_VERSION
from scanner.terminal import inert, plural

ORGANISATION_FORMAT = "sovscan-organisation"
ORGANISATION_VERSION = 1
MAX_BYTES = 256 * 1024 * 1024
WORST = 5
SUMMED = ("files", "policies", "checks", "passes", "findings", "suppressed", "unresolved", "notices", "failing")


@dataclass(frozen=True)
class Repository:
    name: str
    source: str                                   # the JSON file
    date: str
    fail_on: str
    exit_code: int
    verdict: str
    summary: dict[str, int]
    families: dict[str, tally.Tally]
    policies: tuple[dict[str, Any], ...]
    posture: tuple[dict[str, Any], ...]
    regions: tuple[dict[str, Any], ...]
    register: tuple[dict[str, Any], ...]

    def verdict_in(self, lang: str) -> str:
        """The scan's verdict in `lang`: a failing one said again from its numbers (the result carries it in the
        language it was scanned in); another as the result says it."""
        failing = self.summary.get("failing", 0)
        if not self.exit_code or not failing or self.fail_on == "never":
            return self.verdict
        words = labels.words(lang)
        return words["verdict_failed"].format(count=labels.count(failing, "finding", lang), level=self.fail_on,
                                              FAILED=words["FAILED"], PASSED=words["PASSED"])


@dataclass(frozen=True)
class Organisation:
    repositories: tuple[Repository, ...]
    reference_date: str                           # the latest scan date merged: "soon" is counted from it
    within_days: int
    totals: dict[str, int] = field(default_factory=dict)

    @property
    def failing_repositories(self) -> list[Repository]:
        return [r for r in self.repositories if r.exit_code]

    def families(self) -> dict[str, tally.Tally]:
        out: dict[str, tally.Tally] = {}
        for repository in self.repositories:
            for family, counts in repository.families.items():
                out[family] = out.get(family, tally.Tally()) + counts
        return dict(sorted(out.items()))

    def posture(self) -> list[tuple[dict[str, Any], list[str]]]:
        """Every provider in use, with the repositories that use it."""
        found: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for repository in self.repositories:
            for entry in repository.posture:
                found.setdefault(str(entry.get("source")), (entry, []))[1].append(repository.name)
        return [found[key] for key in sorted(found)]

    def regions(self) -> list[tuple[dict[str, Any], list[tuple[str, int]]]]:
        """Every region in use: (the region, [(repository, resources placed there)])."""
        found: dict[tuple[str, str], tuple[dict[str, Any], list[tuple[str, int]]]] = {}
        for repository in self.repositories:
            for region in repository.regions:
                key = (str(region.get("provider")), str(region.get("region")))
                found.setdefault(key, (region, []))[1].append((repository.name, len(region.get("resources") or [])))
        order = {tier: i for i, tier in enumerate(("eu", "eea", "adequacy", "third-country", "unknown"))}
        return sorted(found.values(), key=lambda item: (order.get(str(item[0].get("tier")), 9),
                                                         str(item[0].get("country")), str(item[0].get("region"))))

    def worst(self) -> dict[str, list[tuple[Repository, int, list[tuple[str, int]]]]]:
        """Per family, the repositories with the most failed checks (and their most failing policies)."""
        out: dict[str, list[tuple[Repository, int, list[tuple[str, int]]]]] = {}
        for family in self.families():
            ranked = sorted(((r, r.families.get(family, tally.Tally()).failed) for r in self.repositories),
                            key=lambda item: (-item[1], item[0].name))
            out[family] = [(r, failed, _top_policies(r, family)) for r, failed in ranked if failed][:WORST]
        return out

    def expiring(self) -> list[tuple[Repository, dict[str, Any]]]:
        """Waivers that expired or expire within `within_days` of the reference date, soonest first."""
        if not self.reference_date:
            return []
        limit = datetime.date.fromisoformat(self.reference_date) + datetime.timedelta(days=self.within_days)
        found = [(r, e) for r in self.repositories for e in r.register
                 if (_date(e.get("expires")) or datetime.date.max) <= limit]
        return sorted(found, key=lambda item: (str(item[1]["expires"]), item[0].name, str(item[1].get("rule"))))

    def controls(self, lang: str) -> tuple[list[tally.ControlCoverage], list[tally.ControlCoverage]]:
        """Control coverage summed over the repositories, from each policy's counts and control ids."""
        iso: dict[str, tuple[set[str], tally.Tally]] = {}
        sov: dict[str, tuple[set[str], tally.Tally]] = {}
        for repository in self.repositories:
            for policy in repository.policies:
                counts = tally.Tally(**{k: int(policy.get(k, 0)) for k in tally.OUTCOMES})
                for control in policy.get("controls", []):
                    table = sov if str(control).startswith("SOV-") else iso
                    members, total = table.get(control, (set(), tally.Tally()))
                    table[control] = (members | {str(policy["id"])}, total + counts)
        registry = citations.builtin()
        iso_rows = [tally.ControlCoverage(c, getattr(registry.controls[c], "nl" if lang == "nl" else "en"),
                                          tuple(sorted(iso[c][0])), iso[c][1])
                    for c in sorted(iso, key=lambda c: tuple(int(n) for n in c.split("."))) if c in registry.controls]
        sov_rows = [tally.ControlCoverage(o, citations.objective_citation(o, lang).replace(registry.framework + " ", ""),
                                          tuple(sorted(sov[o][0])), sov[o][1])
                    for o in sorted(sov, key=tally._sov_order)]
        return iso_rows, sov_rows


def _top_policies(repository: Repository, family: str) -> list[tuple[str, int]]:
    failing = [(str(p["id"]), int(p.get("failed", 0))) for p in repository.policies
               if p.get("family") == family and int(p.get("failed", 0))]
    return sorted(failing, key=lambda item: (-item[1], item[0]))[:3]


def _date(value: object) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


# --- reading -------------------------------------------------------------------------------------------

def read(argument: str) -> Repository:
    """One result file, `FILE` or `NAME=FILE`; anything else than a sovscan result of this version is an
    InputError naming the file."""
    name, _, path = argument.rpartition("=") if "=" in argument else ("", "", argument)
    source = Path(path)
    try:
        if source.stat().st_size > MAX_BYTES:
            raise InputError(f"{path}: larger than {MAX_BYTES // (1024 * 1024)} MiB; not a sovscan result")
        data = json.loads(source.read_text("utf-8"))
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}") from None
    except (ValueError, UnicodeDecodeError) as err:
        raise InputError(f"{path}: not JSON: {err}") from None
    kind = data.get("format") if isinstance(data, dict) else None
    if not isinstance(kind, dict) or kind.get("name") != FORMAT_NAME or kind.get("version") != FORMAT_VERSION:
        raise InputError(f"{path}: not a sovscan result of format version {FORMAT_VERSION} "
                         f"(write it with sovscan scan -f json=FILE)")
    try:
        repository = _repository(name or source.stem, path, data)
        _used_in_full(repository)
    except (KeyError, TypeError, ValueError, AttributeError, IndexError) as err:
        raise InputError(f"{path}: a sovscan result with a broken field ({type(err).__name__}: {err})") from None
    return repository


def _used_in_full(repository: Repository) -> None:
    """Every field the organisation's reports read, read once: a result whose field has the wrong shape is
    refused here, naming its file, rather than failing while a report is written."""
    from scanner.report import organisation_html   # the HTML reads the most of a result
    if repository.date and _date(repository.date) is None:
        raise ValueError(f"scan.date {repository.date[:20]!r} is not a date")
    alone = Organisation((repository,), repository.date, 30,
                         {key: repository.summary[key] for key in SUMMED} | {"repositories": 1,
                                                                            "failing_repositories": 0})
    render_json(alone)
    organisation_html.render(alone)
    render_text(alone)


def _repository(name: str, path: str, data: dict[str, Any]) -> Repository:
    scan, summary = data["scan"], data["summary"]
    if not isinstance(scan, dict) or not isinstance(summary, dict):
        raise TypeError("scan and summary are mappings")
    policies = tuple(data["policies"])
    families: dict[str, tally.Tally] = {}
    for policy in policies:
        counts = tally.Tally(**{k: int(policy[k]) for k in tally.OUTCOMES})
        families[str(policy["family"])] = families.get(str(policy["family"]), tally.Tally()) + counts
    residency = data.get("residency") or {}
    return Repository(name, path, str(scan.get("date") or ""), str(scan["fail_on"]), int(scan["exit_code"]),
                      str(summary["verdict"]), {k: int(summary[k]) for k in SUMMED}, dict(sorted(families.items())),
                      policies, tuple(data.get("sovereignty_posture") or ()), tuple(residency.get("regions") or ()),
                      tuple(data.get("waiver_register") or ()))


def merge(arguments: list[str], within_days: int = 30) -> Organisation:
    repositories = [read(a) for a in arguments]
    names = [r.name for r in repositories]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InputError(f"two results are named {twice[0]!r}; name them NAME=FILE")
    repositories.sort(key=lambda r: r.name)
    totals = {key: sum(r.summary[key] for r in repositories) for key in SUMMED}
    totals["repositories"] = len(repositories)
    totals["failing_repositories"] = sum(1 for r in repositories if r.exit_code)
    dates = [r.date for r in repositories if r.date]
    return Organisation(tuple(repositories), max(dates) if dates else "", within_days, totals)


# --- the organisation as JSON --------------------------------------------------------------------------

def render_json(organisation: Organisation, lang: str = "en") -> str:
    iso, sov = organisation.controls(lang)
    data = {
        "format": {"name": ORGANISATION_FORMAT, "version": ORGANISATION_VERSION},
        "reference_date": organisation.reference_date or None,
        "totals": organisation.totals,
        "families": {f: t.as_dict() for f, t in organisation.families().items()},
        "repositories": [{"name": r.name, "source": r.source, "date": r.date or None, "fail_on": r.fail_on,
                          "exit_code": r.exit_code, "verdict": r.verdict, "summary": r.summary,
                          "families": {f: t.as_dict() for f, t in r.families.items()},
                          "providers": sorted(str(p.get("source")) for p in r.posture)}
                         for r in organisation.repositories],
        "posture": [{**entry, "repositories": names} for entry, names in organisation.posture()],
        "regions": [{k: v for k, v in region.items() if k != "resources"} | {"repositories": dict(uses)}
                    for region, uses in organisation.regions()],
        "worst_offenders": {family: [{"repository": r.name, "failed": failed, "policies": dict(top)}
                                     for r, failed, top in ranked] for family, ranked in organisation.worst().items()},
        "waivers_expiring": [{"repository": r.name, **entry} for r, entry in organisation.expiring()],
        "controls": {"iso27002": [_control(c) for c in iso], "sov": [_control(c) for c in sov]},
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _control(coverage: tally.ControlCoverage) -> dict[str, Any]:
    return {"id": coverage.id, "title": coverage.title, "policies": list(coverage.policies), **coverage.tally.as_dict()}


def render_text(organisation: Organisation) -> str:
    totals = organisation.totals
    lines = [inert(f"{r.name}: {r.verdict}") for r in organisation.repositories]
    lines.append(f"sovscan organisation: {plural(totals['repositories'], 'repository', 'repositories')} "
                 f"({totals['failing_repositories']} failing), {plural(totals['checks'], 'check')} "
                 f"({totals['passes']} passed): {plural(totals['findings'], 'finding')}, "
                 f"{totals['failing']} failing, {totals['unresolved']} unresolved, {totals['suppressed']} waived")
    return "\n".join(lines) + "\n"
