"""Kubernetes registries: the Haven Compliancy Checker's checks (hcc-checks.yaml), node images and the
security modules they run (node-os.yaml), and the Kubernetes release table (kubernetes-versions.yaml)."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from typing import Mapping

from scanner.registries import document

HARDENED = ("apparmor", "selinux", "grsecurity", "lkrg", "talos", "flatcar")   # what HCC nodehardening accepts
_MINOR = re.compile(r"^v?(\d{1,9})\.(\d{1,9})(?!\d)")     # bounded: int() refuses 4,300+ digits


@dataclass(frozen=True)
class HccCheck:
    name: str          # HCC's machine name: haworkers
    category: str
    label: str         # what HCC prints: "Running at least 3 worker nodes"
    suggested: bool = False   # cis, kubescape: opt-in, outside the mandatory checks
    preflight: bool = True    # False: nothing in the code can decide it (self tests, checksum, conformance)


@functools.lru_cache(maxsize=1)
def hcc_checks() -> tuple[HccCheck, ...]:
    """Every check the registry lists, mandatory first, in HCC's own order."""
    return tuple(HccCheck(c["name"], c["category"], c["label"], bool(c.get("suggested", False)),
                          bool(c.get("preflight", True))) for c in document("hcc-checks")["checks"])


def mandatory_hcc_checks() -> tuple[HccCheck, ...]:
    """The checks a cluster must pass to be Haven compliant (15 in HCC v12.8.0)."""
    return tuple(c for c in hcc_checks() if not c.suggested)


@dataclass(frozen=True)
class NodeOsTable:
    """How one cluster type names its node image, and which images run which security module."""
    attribute: str
    default: str = ""
    auto_mode: str = ""
    windows_when: Mapping[str, str] = field(default_factory=dict)
    images: Mapping[str, str] = field(default_factory=dict)
    prefixes: Mapping[str, str] = field(default_factory=dict)
    bootstrap_markers: tuple[str, ...] = ()   # user data that joins a self-managed node to the cluster

    def security_module(self, image: str) -> str:
        """apparmor | selinux | ... | none | unknown (not listed or not verified)."""
        lowered = image.lower()
        exact = {k.lower(): v.lower() for k, v in self.images.items()}
        if lowered in exact:
            return exact[lowered]
        for prefix, module in self.prefixes.items():
            if lowered.startswith(prefix.lower()):
                return module.lower()
        return "unknown"


@dataclass(frozen=True)
class NodeOsRegistry:
    as_of: str
    clusters: Mapping[str, NodeOsTable]


@functools.lru_cache(maxsize=1)
def node_os() -> NodeOsRegistry:
    data = document("node-os")
    tables = {cluster: NodeOsTable(str(t["attribute"]), str(t.get("default", "")), str(t.get("auto_mode", "")),
                                   {str(k): str(v) for k, v in (t.get("windows_when") or {}).items()},
                                   {str(k): str(v) for k, v in (t.get("images") or {}).items()},
                                   {str(k): str(v) for k, v in (t.get("prefixes") or {}).items()},
                                   tuple(str(m) for m in t.get("bootstrap_markers") or ()))
              for cluster, t in data["clusters"].items()}
    return NodeOsRegistry(str(data["as_of"]), tables)


@dataclass(frozen=True)
class ReleaseTable:
    as_of: str
    latest_stable: str
    latest: tuple[int, int]
    max_minors_behind: int
    released: str = ""      # the date latest_stable came out (YYYY-MM-DD), when the table records it
    release_every_days: int = 122   # how often a minor comes out


def minor_version(text: object) -> tuple[int, int] | None:
    """(major, minor) of "1.29", "v1.29.3", "1.29-gke.100"; None when it is not a version."""
    found = _MINOR.match(str(text))
    if not found or len(found.group(1)) > 4 or len(found.group(2)) > 4:   # a 4,000-digit "version" is not one
        return None
    return int(found.group(1)), int(found.group(2))


@functools.lru_cache(maxsize=1)
def releases() -> ReleaseTable:
    data = document("kubernetes-versions")
    latest = minor_version(data["latest_stable"])
    assert latest is not None   # the schema requires x.y
    released = str((data.get("releases") or {}).get(data["latest_stable"], ""))
    return ReleaseTable(str(data["as_of"]), str(data["latest_stable"]), latest, int(data["max_minors_behind"]),
                        released if len(released) == 10 else "", int(data.get("release_every_days", 122)))
