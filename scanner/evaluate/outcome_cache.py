"""The outcome cache: what the checks that judge a resource alone concluded on the resources of one Terraform
root module, or on the files of one directory, remembered between runs.

After one file changes, most root modules come from the root cache with the same resources as before, and
most files are the ones the last run read; judging them again was a fifth of the scan. A check judges a
resource alone when neither its `where` nor its assertion reads other resources or derived facts
(`conditions.reads_others`): its outcomes on a root's resources are then decided by those resources, and on a
file's by the file's bytes, with the policies, the configuration, the date and sovscan itself. An entry keeps
them; its key is a SHA-256 over the cache format, the root cache's fingerprint (sovscan's version, source files
and registries, the parser libraries), the date, the policies and the configuration as loaded, and the unit's
digest: of the root's evaluation (its root cache key and the answers its file functions got:
scanner/model/terraform/cache.py `evaluation`) with the path and bytes of each file its resources are written
in (the secret detectors read a resource's file as text), or of the path and bytes of every file in the
directory. A root without a root cache key (a --plan root, a module source that is not a literal, --no-cache)
is judged every time, and so is every check that reads beyond the resource, every Kubernetes object, the
repository (its values count other files), and a check that reads the text of a file whose bytes are not in
its unit's digest.

A hit replays each outcome where the check would have made it, so the result is the one judging gives, in
the same order. Entries are `<dir>/outcomes/<k[:2]>/<k>.json`, sealed as every cache entry is
(scanner/cachedir.py; JSON data only, findings read with evaluate/result_codec.py's typed decoder); a
truncated, corrupt, foreign or malformed entry is a miss and the unit is judged again. Writes are atomic; the
least recently used entries are removed past the cache directory's size bound.
"""
from __future__ import annotations

import datetime
import hashlib
import json
import posixpath
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Collection, Mapping, NamedTuple

from scanner.discover import CI_KINDS
from scanner.model.derive.inputs import TFVARS_TYPE
from scanner.model.files import STATE_FILE_TYPE, TEXT_FILE_TYPE
from scanner.cachedir import (DECODE_ERRORS, CacheDirectory, keep_under_limit, read_entry, refresh, sealed,
                              verified_body, write_atomically)
from scanner.evaluate import result_codec
from scanner.evaluate.result import Finding, finding_within_domains

if TYPE_CHECKING:
    from scanner.config import Config
    from scanner.evaluate.policies import Policy
    from scanner.model.resource import Model, Resource

FORMAT = "sovscan-outcome-cache/2"

ResourceIdentity = tuple[str, str, str, int]   # type, address, path, line: one resource of a root module


class Concluded(NamedTuple):
    """What one check concluded on one resource: how many checks it counted, passes, findings, unresolved."""
    checks: int
    passes: int
    findings: tuple[Finding, ...] = ()
    unresolved: tuple[Finding, ...] = ()


ONE_PASS = Concluded(1, 1)   # what most checks conclude: one object for all of them (a warm run reads tens of thousands)


class Outcome(NamedTuple):
    """A check's conclusion on a resource, recorded for an entry (most are ONE_PASS: a large tree's run
    records hundreds of thousands)."""
    policy_id: str
    check: int                          # the check's index in the policy
    resource: Resource                  # the model's; the entry names it by its identity
    concluded: Concluded


# (policy id, check index, id() of the resource): the resources are the model's, alive while it is judged, so
# the remembered outcomes hold no copy of their names
Remembered = dict[tuple[str, int, int], Concluded]


def identity(resource: Resource) -> ResourceIdentity:
    return resource.type, resource.address, resource.path, resource.line


@dataclass
class OutcomeCache(CacheDirectory):
    """A cache directory's outcome entries, for one scan's policies, configuration and date."""
    kind: ClassVar[str] = "outcomes"
    scan: str = ""                      # digest of what decides every outcome besides the root's resources
    written: int = 0

    def key(self, evaluation: str) -> str:
        return hashlib.sha256(f"{FORMAT}\0{self.scan}\0{evaluation}".encode()).hexdigest()

    def get(self, evaluation: str, resources: Mapping[ResourceIdentity, Resource]) -> Remembered | None:
        """The outcomes on `resources`, the unit whose digest is `evaluation`; None when missing or damaged
        alike (an outcome on a resource the unit does not have is damage)."""
        key = self.key(evaluation)
        entry = self.entry(key)
        try:
            body = verified_body(read_entry(entry), key, FORMAT)
            if body is None:
                return None
            rows = json.loads(body)
            if type(rows) is not list:
                return None
            remembered = dict(_outcome(row, resources) for row in rows)
        except DECODE_ERRORS:
            return None
        refresh(entry)
        return remembered

    def put(self, evaluation: str, outcomes: list[Outcome]) -> None:
        key = self.key(evaluation)
        try:
            rows = [[o.policy_id, o.check, *identity(o.resource), *o.concluded[:2],
                     result_codec.plain(o.concluded.findings), result_codec.plain(o.concluded.unresolved)]
                    for o in outcomes]
            data = sealed(json.dumps(rows, separators=(",", ":"), ensure_ascii=True,
                                     allow_nan=False).encode("ascii"), key, FORMAT)
            write_atomically(self.entry(key), data, self.directory)
        except (result_codec.Unencodable, ValueError, RecursionError, OSError):
            return
        self.written += len(data)

    def tidy(self) -> None:
        keep_under_limit(self.entries(), self.written, self.limit)


# An entry is a list of rows, one per outcome: policy, check, type, address, path, line, checks, passes,
# findings, unresolved. Most rows are a pass and nothing else: only findings go through the typed decoder.
_ROW_TYPES = (str, int, str, str, str, int, int, int, list, list)


def _outcome(row: object, resources: Mapping[ResourceIdentity, Resource]) -> tuple[tuple[str, int, int], Concluded]:
    if type(row) is not list or tuple(map(type, row)) != _ROW_TYPES:
        raise result_codec.Malformed("outcome")
    policy_id, check, type_, address, path, line, checks, passes, findings, unresolved = row
    resource = resources[(type_, address, path, line)]    # KeyError: not this unit's
    key = (sys.intern(policy_id), check, id(resource))
    if (checks, passes, findings, unresolved) == (1, 1, [], []):
        return key, ONE_PASS
    concluded = Concluded(checks, passes, result_codec.typed(findings, tuple[Finding, ...]),
                          result_codec.typed(unresolved, tuple[Finding, ...]))
    if not all(finding_within_domains(f, {policy_id}) for f in (*concluded.findings, *concluded.unresolved)):
        raise result_codec.Malformed("a value a report looks up is outside its table")   # would crash a report
    return key, concluded


def scan_digest(fingerprint: str, today: datetime.date, policies: list[Policy], config: Config) -> str:
    """What decides a check's outcome on a resource besides the resource: sovscan (`fingerprint`: the root
    cache's), the scan's date, and the policies and configuration as loaded (their full contents)."""
    return hashlib.sha256(f"{fingerprint}\0{today.isoformat()}\0{policies!r}\0{config!r}".encode(
        "utf-8", "surrogateescape")).hexdigest()


@dataclass
class Unit:
    """Resources judged together: a Terraform root module's, or the files' of one directory. Its outcomes are
    remembered (`remembered`), or are recorded as they are judged (`made`)."""
    evaluation: str                     # digest of what the resources are made of
    paths: frozenset[str]               # the files whose text its outcomes may have read
    remembered: Remembered | None
    made: list[Outcome] = field(default_factory=list)


# The file resources made from their own file's bytes alone: its text, a state file, a tfvars file, a CI
# definition. Not the repository, whose values count and look at other files.
FROM_ONE_FILE = frozenset({TEXT_FILE_TYPE, STATE_FILE_TYPE, TFVARS_TYPE, *CI_KINDS})


UnitName = tuple[str, str]   # ("root", its directory) | ("files", their directory)


def unit_name(resource: Resource) -> UnitName | None:
    """The unit a resource is judged in: its Terraform root, or its file's directory (a file read as a whole);
    None for what is judged only with others (Kubernetes objects of a build, derived facts, the repository)."""
    if resource.kind == "terraform":
        return "root", resource.root
    if resource.kind == "file" and resource.type in FROM_ONE_FILE:
        return "files", posixpath.dirname(resource.path)
    return None


class Units:
    """One scan's units whose outcomes can be remembered: each replays its entry, or records what is judged.

    A root's resources are what its evaluation gives (Model.evaluations); a directory's file resources
    are made from its files' bytes alone (Model.digests). A unit two of whose resources look alike to an
    entry (same type, address, file and line) is judged every time."""

    def __init__(self, model: Model, cache: OutcomeCache):
        self.cache = cache
        self.units: dict[UnitName, Unit] = {}
        members: dict[UnitName, dict[ResourceIdentity, Resource]] = {}
        spoilt: set[UnitName] = set()
        for resource in model.resources:
            name = unit_name(resource)
            if name is None:
                continue
            own = members.setdefault(name, {})
            if identity(resource) in own or resource.places:
                spoilt.add(name)
            own[identity(resource)] = resource
        directories: dict[str, list[str]] = {}
        for path in model.digests:
            directories.setdefault(posixpath.dirname(path), []).append(path)
        for name, own in members.items():
            if name in spoilt:
                continue
            kind, place = name
            if kind == "root":   # and the bytes of its resources' files, which a check reading their text reads
                paths = frozenset(r[2] for r in own if r[2] in model.digests)
                evaluation = model.evaluations.get(place)
                if evaluation is not None:
                    evaluation = _files_digest(paths, model.digests, evaluation)
            else:
                paths = frozenset(directories.get(place, ()))
                evaluation = _files_digest(paths, model.digests) if {r[2] for r in own} <= paths else None
            if evaluation is not None:
                self.units[name] = Unit(evaluation, paths, cache.get(evaluation, own))

    def of(self, resource: Resource, reads_text: bool = False, reads_root: bool = False) -> Unit | None:
        """The resource's unit; None when it has none, when the check reads the text of the resource's file
        and the unit is not the file's directory (only that unit's digest is of the file's bytes as such), or
        when it reads other resources of the resource's root module and the unit is not that root."""
        name = unit_name(resource)
        unit = None if name is None or (reads_root and name[0] != "root") else self.units.get(name)
        return None if unit is None or (reads_text and resource.path not in unit.paths) else unit

    def keep(self, unreadable: Collection[str] = ()) -> None:
        """Write the entries of the units judged in this run; not of one whose file could not be read again
        (it changed during the scan: its outcomes were made with an empty text)."""
        for unit in self.units.values():
            if unit.remembered is None and unit.paths.isdisjoint(unreadable):
                self.cache.put(unit.evaluation, unit.made)
            unit.made = []      # written: the rest of the scan does not need them
        self.cache.tidy()


def _files_digest(paths: frozenset[str], digests: Mapping[str, str], evaluation: str = "") -> str:
    digest = hashlib.sha256(b"files\0" + evaluation.encode())
    for path in sorted(paths):
        digest.update(b"\0" + path.encode("utf-8", "surrogateescape") + b"\0" + digests[path].encode())
    return digest.hexdigest()
