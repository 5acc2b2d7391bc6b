"""WL-035 (token_automount_disabled): a RoleBinding counts where it is deployed with the pod."""
from __future__ import annotations

from scanner.config import Config

_POD = ("apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: apps}\n"
        "spec:\n  serviceAccountName: web\n  containers:\n    - {name: web, image: 'nginx:1.27.3'}\n")
_BINDING = ("apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata: {name: web, namespace: apps}\n"
            "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: reader}\n"
            "subjects:\n  - {kind: ServiceAccount, name: web, namespace: apps}\n")
_RESTRICTED = Config(enforcement={"WL-035": ("deny", None)})


def test_a_binding_deployed_with_the_pod_means_it_asks_for_its_token(write, run_scan):
    result = run_scan(write({"k8s/pod.yaml": _POD, "k8s/binding.yaml": _BINDING}), only=("WL-035",), config=_RESTRICTED)
    assert result.findings == [] and result.unresolved == []


def test_a_binding_of_another_build_is_unresolved_not_a_pass(write, run_scan):
    """The pod is rendered by the kustomization in app/; the binding is a plain manifest elsewhere, which
    grants the role only if both are deployed to one cluster."""
    root = write({"app/kustomization.yaml": "resources: [pod.yaml]\n", "app/pod.yaml": _POD,
                  "rbac/binding.yaml": _BINDING})
    result = run_scan(root, only=("WL-035",), config=_RESTRICTED)
    assert result.findings == []
    assert [(u.path, u.policy_id) for u in result.unresolved] == [("app/pod.yaml", "WL-035")]
    assert "RoleBinding web (rbac/binding.yaml)" in result.unresolved[0].message
