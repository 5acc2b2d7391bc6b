"""Named predicates: the judgements policy YAML cannot express, used by name from policy files.

Each takes (resource, args, context, item) and returns a Verdict; it judges facts the model computed and
never turns an Unknown value into a failure (it returns state None with the blocker instead). Each module
declares its predicates with their arguments (scanner/evaluate/predicates/spec.py); this registry is the
only place that lists them, and the policy loader checks every policy's arguments against it.
"""
from __future__ import annotations

from scanner.evaluate.predicates.addons import ADDONS
from scanner.evaluate.predicates.backups import BACKUPS
from scanner.evaluate.predicates.cmk import CMK
from scanner.evaluate.predicates.core import CORE
from scanner.evaluate.predicates.exit import EXIT
from scanner.evaluate.predicates.haven import HAVEN
from scanner.evaluate.predicates.haven_network import HAVEN_NETWORK
from scanner.evaluate.predicates.haven_zones import HAVEN_ZONES
from scanner.evaluate.predicates.pinning import PINNING
from scanner.evaluate.predicates.images import IMAGES
from scanner.evaluate.predicates.kube_secrets import KUBE_SECRETS
from scanner.evaluate.predicates.residency import RESIDENCY
from scanner.evaluate.predicates.secrets import SECRETS
from scanner.evaluate.predicates.settings_secrets import SETTINGS_SECRETS
from scanner.evaluate.predicates.spec import PredicateSpec
from scanner.evaluate.predicates.workloads import WORKLOADS

PREDICATES: dict[str, PredicateSpec] = {
    **CORE,
    **CMK,
    **RESIDENCY,
    **SECRETS,
    **SETTINGS_SECRETS,
    **KUBE_SECRETS,
    **EXIT,
    **BACKUPS,
    **PINNING,
    **IMAGES,
    **HAVEN,
    **HAVEN_ZONES,
    **HAVEN_NETWORK,
    **ADDONS,
    **WORKLOADS,
}
