"""Plain manifests are deployed with the other plain manifests of their own repository: in a scan of a
directory of clones, a NetworkPolicy, HorizontalPodAutoscaler, PodDisruptionBudget or RoleBinding of one
repository says nothing about another's workloads."""
from __future__ import annotations

import pytest

OWN_TOP = {"LICENSE": "MIT\n", ".gitignore": "*.log\n"}
WEB = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n"
       "  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n"
       "    spec:\n      serviceAccountName: api\n      containers:\n        - name: web\n"
       "          image: nginx:1.27.3\n          ports:\n            - containerPort: 80\n")
DENY = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\nspec:\n"
        "  podSelector: {}\n  policyTypes: [Ingress]\n")
HPA = ("apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata:\n  name: web\nspec:\n  minReplicas: 2\n"
       "  maxReplicas: 4\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n")
PDB = ("apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: web\nspec:\n  minAvailable: 1\n"
       "  selector:\n    matchLabels: {app: web}\n")
BINDING = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: api\nroleRef:\n"
           "  apiGroup: rbac.authorization.k8s.io\n  kind: Role\n  name: reader\nsubjects:\n"
           "  - kind: ServiceAccount\n    name: api\n    namespace: default\n")
HELPERS = "---\n".join([DENY, HPA, PDB, BINDING])


def _repository(name: str, files: dict[str, str]) -> dict[str, str]:
    return {f"{name}/{path}": text for path, text in {**OWN_TOP, **files}.items()}


def _verdicts(result, rule):
    return sorted([(f.path, f.line, "fail") for f in result.findings if f.policy_id == rule] +
                  [(u.path, u.line, "open") for u in result.unresolved if u.policy_id == rule])


@pytest.mark.parametrize("rule, line, verdict", [
    ("WL-021", 3, "fail"), ("WL-010", 6, "fail"), ("WL-042", 1, "fail"),
    ("WL-035", 12, "open"),   # another repository's RoleBinding grants the account a role only if deployed with it
])
def test_another_repositorys_manifests_do_not_isolate_scale_or_bind_a_workload(write, run_scan, rule, line, verdict):
    root = write({**_repository("shop", {"web.yaml": WEB}), **_repository("platform", {"helpers.yaml": HELPERS})})
    assert _verdicts(run_scan(root, only=(rule,)), rule) == [("shop/web.yaml", line, verdict)]


@pytest.mark.parametrize("rule", ["WL-021", "WL-010", "WL-042", "WL-035"])
def test_the_same_manifests_in_the_workloads_own_repository_do(write, run_scan, rule):
    root = write({**_repository("shop", {"web.yaml": WEB, "helpers.yaml": HELPERS}),
                  **_repository("platform", {"README.md": "platform\n"})})
    assert _verdicts(run_scan(root, only=(rule,)), rule) == []


def test_plain_manifests_of_one_tree_without_nested_repositories_are_still_deployed_together(write, run_scan):
    root = write({"shop/web.yaml": WEB, "platform/helpers.yaml": HELPERS})
    assert _verdicts(run_scan(root, only=("WL-021", "WL-010")), "WL-021") == []
    assert _verdicts(run_scan(root, only=("WL-021", "WL-010")), "WL-010") == []


def test_another_repositorys_service_account_does_not_decide_a_pods_token(write, run_scan):
    account = "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: api\nautomountServiceAccountToken: false\n"
    root = write({**_repository("shop", {"web.yaml": WEB}), **_repository("platform", {"account.yaml": account})})
    result = run_scan(root, only=("WL-035",))
    assert _verdicts(result, "WL-035") == [("shop/web.yaml", 12, "open")]
    assert "ServiceAccount api is defined in another build or repository (platform/account.yaml)" in \
        result.unresolved[0].message
    together = write({**_repository("shop", {"web.yaml": WEB, "account.yaml": account})}, root.parent / "together")
    assert _verdicts(run_scan(together, only=("WL-035",)), "WL-035") == []
