"""Kubernetes judged as it will be deployed: Kustomize builds and Helm charts rendered in the model.

Each fixture under fixtures/deployed/ marks every expected finding with `# expect: ID` on the line it must
land on; a scan with the listed rules must give exactly those (file, line, rule), and the messages must
name an overlay only where the issue asks for it.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scanner.config import Config
from scanner.model import helm_engines
from scanner.notices import UNRENDERED

FIXTURES = Path(__file__).parent / "fixtures" / "deployed"
EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+-\d{3}(?:\s*,\s*[A-Z]+-\d{3})*)")
NO_ENGINE = helm_engines.choose("auto") is None


def expected(directory: Path) -> set[tuple[str, int, str]]:
    out = set()
    for path in sorted(p for p in directory.rglob("*") if p.is_file()):
        for number, text in enumerate(path.read_text("utf-8").splitlines(), 1):
            match = EXPECT.search(text)
            for rule in re.split(r"\s*,\s*", match.group(1)) if match else ():
                out.add((path.relative_to(directory).as_posix(), number, rule))
    return out


def fixture(tmp_path: Path, name: str) -> Path:
    """A copy of the fixture as the scan root, so paths in findings are relative to it."""
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def found(result, root: Path) -> set[tuple[str, int, str]]:
    return {(_relative(f.path, root), f.line, f.policy_id) for f in result.findings}


def _relative(path: str, root: Path) -> str:
    """Finding paths are relative to the working directory when the root is inside it, else to the root."""
    cwd = Path.cwd().resolve()
    prefix = root.resolve().relative_to(cwd).as_posix() + "/" if root.resolve().is_relative_to(cwd) else ""
    return path.removeprefix(prefix)


def the(result, rule: str):
    (finding,) = [f for f in result.findings if f.policy_id == rule]
    return finding


OVERLAY_RULES = ("WL-010", "WL-001", "WL-021", "WL-030", "WL-034", "EXIT-009", "EXIT-010", "WL-035")


def test_overlays_give_exactly_the_marked_findings(tmp_path, run_scan):
    root = fixture(tmp_path, "overlays")
    result = run_scan(root, OVERLAY_RULES)
    assert found(result, root) == expected(root)
    assert result.notices == []


def test_a_finding_every_overlay_shares_is_reported_once_on_the_base_line_without_an_overlay_name(tmp_path, run_scan):
    result = run_scan(fixture(tmp_path, "overlays"), OVERLAY_RULES)
    shared = the(result, "WL-034")
    assert "overlay" not in shared.message
    assert {shared.address, *shared.instances} == {"Deployment/shop-prod/prod-web", "Deployment/shop-sandbox/web"}


@pytest.mark.parametrize("rule, where", [
    ("WL-030", "(in overlay overlays/sandbox only)"),   # base line: the prod overlay's patch fixes it
    ("WL-010", "(in overlay overlays/sandbox only)"),   # base line: sandbox deletes the autoscaler
    ("WL-001", "(in overlay overlays/sandbox)"),        # the sandbox's own patch line
    ("EXIT-009", "(in overlay overlays/sandbox)"),         # the sandbox's own `images:` entry
])
def test_a_finding_that_holds_in_one_overlay_names_it(tmp_path, run_scan, rule, where):
    finding = the(run_scan(fixture(tmp_path, "overlays"), OVERLAY_RULES), rule)
    assert finding.message.endswith(where)
    assert finding.address == "Deployment/shop-sandbox/web" and finding.instances == ()


def test_overlay_objects_are_addressed_after_namespace_and_name_prefix_and_the_base_is_not_judged_alone(tmp_path, run_scan):
    result = run_scan(fixture(tmp_path, "overlays"), OVERLAY_RULES)
    addresses = {p.address for p in result.passed}
    assert "Deployment/shop-prod/prod-web" in addresses and "Deployment/shop-sandbox/web" in addresses
    assert not [a for a in addresses | {f.address for f in result.findings} if "/default/" in a]
    assert not [f for f in result.findings + result.unresolved if "debug-privileged" in f.path and f.policy_id != "WL-001"]
    assert not [f for f in result.findings + result.unresolved if "delete-autoscaler" in f.path]


def test_the_overlay_that_pins_by_digest_has_no_image_finding(tmp_path, run_scan):
    result = run_scan(fixture(tmp_path, "overlays"), ("EXIT-009", "EXIT-010"))
    assert [(f.address, f.policy_id) for f in result.findings] == [("Deployment/shop-sandbox/web", "EXIT-009")]
    assert result.unresolved == []


def test_build_tool_files_local_config_and_placeholders_are_not_judged_as_objects(tmp_path, run_scan):
    root = fixture(tmp_path, "not-objects")
    result = run_scan(root, ("EXIT-007", "EXIT-009", "EXIT-010", "SEC-011"))
    assert found(result, root) == expected(root)
    assert sorted((f.policy_id, _relative(f.path, root), f.line, f.message.rsplit(": ", 1)[1]) for f in result.unresolved) == [
        ("EXIT-009", "k8s/api.yaml", 19, "image api (skaffold replaces it when it deploys) is not known statically"),
    ]


def test_a_remote_base_is_a_notice_naming_kustomization_and_feature_and_its_checks_are_unresolved(tmp_path, run_scan):
    root = fixture(tmp_path, "unrendered")
    result = run_scan(root, ("WL-001",))
    assert result.findings == []
    assert {(_relative(f.path, root), f.policy_id) for f in result.unresolved} == {("app/deployment.yaml", "WL-001")}
    assert all("the full render of kustomization" in f.message for f in result.unresolved)
    (notice,) = result.notices
    assert (_relative(notice.path, root), notice.line, notice.kind) == ("app/kustomization.yaml", 4, UNRENDERED)
    assert "remote bases are not rendered" in notice.message


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_a_chart_is_judged_in_its_templates_and_values_files(tmp_path, run_scan):
    root = fixture(tmp_path, "chart")
    result = run_scan(root, ("WL-001", "SEC-011"))
    assert found(result, root) == expected(root)
    assert result.notices == []


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_values_files_the_configuration_names_for_a_chart_are_applied(tmp_path, run_scan):
    root = fixture(tmp_path, "chart")
    config = Config(helm_values={"shop": ["values-prod.yaml"]})
    result = run_scan(root, ("WL-042", "WL-001", "SEC-011"), config)
    assert {(_relative(f.path, root), f.line, f.policy_id) for f in result.findings} == {
        ("shop/values.yaml", 7, "SEC-011"),                 # production values keep the default password
        ("shop/templates/deployment.yaml", 1, "WL-042"),  # no disruption budget; 3 replicas from values-prod
    }


def test_a_values_file_named_for_a_missing_chart_is_a_notice(tmp_path, run_scan):
    root = fixture(tmp_path, "chart")
    result = run_scan(root, ("WL-001",), Config(helm_values={"charts/web": ["values-prod.yaml"]}), helm_engine="none")
    assert any(n.kind == UNRENDERED and "kubernetes.helm.values names chart charts/web" in n.message for n in result.notices)


def test_without_a_helm_engine_each_chart_is_an_unrendered_notice_and_no_template_is_judged(tmp_path, run_scan):
    root = fixture(tmp_path, "chart")
    result = run_scan(root, ("WL-001", "SEC-011"), helm_engine="none")
    assert result.findings == [] and result.unresolved == []
    assert [(_relative(n.path, root), n.kind) for n in result.notices] == [("shop/Chart.yaml", UNRENDERED)]
    assert "Helm chart" in result.notices[0].message and "not rendered" in result.notices[0].message


KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
WEB = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: web-image
          ports: [{containerPort: 8080}]
"""


def test_an_image_one_overlay_rewrites_is_a_placeholder_where_another_build_keeps_it(write, run_scan):
    root = write({"base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
                  "base/deployment.yaml": WEB,
                  "prod/kustomization.yaml": KUSTOMIZATION + "resources: [../base]\nimages:\n  - name: web-image\n"
                                                             "    newName: registry.example.eu/web\n    newTag: '2.1'\n",
                  "dev/kustomization.yaml": KUSTOMIZATION + "resources: [../base]\n"})
    result = run_scan(root, ("EXIT-009",))
    assert [(f.path, f.line, f.address) for f in result.findings] == [("prod/kustomization.yaml", 7, "Deployment/default/web")]
    assert [(f.path, f.line) for f in result.unresolved] == [("base/deployment.yaml", 10)]
    assert "image web-image (kustomize replaces it when it deploys)" in result.unresolved[0].message


def test_an_unsupported_feature_of_a_shared_base_names_the_builds_it_leaves_incomplete(write, run_scan):
    root = write({"base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\nreplacements: []\n",
                  "base/deployment.yaml": WEB,
                  "prod/kustomization.yaml": KUSTOMIZATION + "resources: [../base]\n",
                  "dev/kustomization.yaml": KUSTOMIZATION + "resources: [../base]\n"})
    result = run_scan(root, ("WL-001",))
    (notice,) = result.notices
    assert (notice.path, notice.line, notice.kind) == ("base/kustomization.yaml", 4, UNRENDERED)
    assert notice.message == "kustomize 'replacements' (replacements) is not rendered by sovscan (rendered in part: dev, prod)"
    assert result.findings == [] and {f.path for f in result.unresolved} == {"base/deployment.yaml"}


@pytest.mark.parametrize("name", ["text", "sarif", "json", "gitlab-sast", "junit", "markdown"])
def test_an_unrendered_chart_is_shown_in_every_format_that_carries_notices(tmp_path, run_scan, name):
    """Code Quality reports carry issues only (no notices), so it is the one format without it."""
    from scanner.report import FORMATTERS, Report
    result = run_scan(fixture(tmp_path, "chart"), ("WL-001",), helm_engine="none")
    shown = FORMATTERS[name](Report(result, 4, False))
    assert "shop/Chart.yaml" in shown and "Helm chart shop not rendered" in shown


def test_a_rule_failing_in_every_overlay_names_none_even_when_the_messages_name_each_overlays_objects(write, run_scan):
    """Each overlay has its own name prefix, so the messages differ; the rule fails in both: one finding on the
    base line, naming no overlay, with the other overlay's object as its instance."""
    root = write({"base/kustomization.yaml": KUSTOMIZATION + "resources: [deployment.yaml]\n",
                  "base/deployment.yaml": WEB.replace("spec:\n  template:", "spec:\n  replicas: 1\n  template:"),
                  "prod/kustomization.yaml": KUSTOMIZATION + "namePrefix: prod-\nresources: [../base]\n",
                  "dev/kustomization.yaml": KUSTOMIZATION + "namePrefix: dev-\nresources: [../base]\n"})
    result = run_scan(root, ("WL-010",))
    (finding,) = [f for f in result.findings if f.line == 6]
    assert finding.message == ("Deployment/default/dev-web can run with a single replica: spec.replicas is 1 "
                               "and no HorizontalPodAutoscaler scales it")
    assert finding.instances == ("Deployment/default/prod-web",)


PARTIAL_CHART = {
    "shop/Chart.yaml": ("apiVersion: v2\nname: shop\nversion: 0.1.0\ndependencies:\n  - name: postgresql\n"
                        "    version: 12.1.0\n    repository: https://charts.example.org\n"),
    "shop/values.yaml": "replicas: 1\n",
    "shop/templates/deployment.yaml": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: registry.example.org/web:1.0
          securityContext:
            privileged: true
            runAsNonRoot: true
          ports: [{containerPort: 8080}]
""",
}
PARTIAL_RULES = ("WL-001", "WL-010", "WL-021", "WL-030")


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_a_chart_missing_a_dependency_fails_what_its_own_objects_break_and_leaves_the_rest_unresolved(write, run_scan):
    """The dependency only adds objects: the privileged container deploys as rendered. A check that passes,
    or that another object could answer (an autoscaler, a NetworkPolicy in the dependency), stays open."""
    root = write(PARTIAL_CHART)
    result = run_scan(root, PARTIAL_RULES)
    assert [(f.path, f.line, f.policy_id, f.level) for f in result.findings] == [
        ("shop/templates/deployment.yaml", 17, "WL-001", "error")]
    assert sorted((f.path, f.line, f.policy_id) for f in result.unresolved) == [
        ("shop/templates/deployment.yaml", 1, "WL-001"),    # no host namespace: a pass, so open
        ("shop/templates/deployment.yaml", 3, "WL-021"),    # no NetworkPolicy: the dependency may hold one
        ("shop/templates/deployment.yaml", 14, "WL-030"),   # runAsNonRoot: a pass, so open
        ("shop/values.yaml", 1, "WL-010"),                  # one replica: the dependency may hold an autoscaler
    ]
    assert all("the full render of Helm chart shop" in f.message for f in result.unresolved)
    assert [(n.path, n.line, n.kind) for n in result.notices] == [("shop/Chart.yaml", 5, UNRENDERED)]


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_a_chart_rendered_without_a_named_values_file_judges_nothing(write, run_scan):
    """The values file could change any field: even the privileged container is only unresolved."""
    root = write({**PARTIAL_CHART, "shop/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 0.1.0\n"})
    result = run_scan(root, PARTIAL_RULES, Config(helm_values={"shop": ["values-prod.yaml"]}))
    assert result.findings == []
    assert ("shop/templates/deployment.yaml", 17, "WL-001") in {(f.path, f.line, f.policy_id) for f in result.unresolved}


UNNAMED_POD = ("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: x\n    image: busybox:1.36\n"
               "    securityContext:\n      privileged: {{ .Values.privileged }}\n")


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_unnamed_objects_of_a_chart_are_two_places_not_one(write, run_scan):
    """Objects a chart renders without a name are named by their template and count there: two in one template
    are two findings, and two that one values line makes privileged are one finding standing for both."""
    root = write({"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n", "app/values.yaml": "privileged: true\n",
                  "app/templates/pods.yaml": UNNAMED_POD.replace("{{ .Values.privileged }}", "true") + "---\n"
                                             + UNNAMED_POD.replace("{{ .Values.privileged }}", "true"),
                  "app/templates/a.yaml": UNNAMED_POD, "app/templates/b.yaml": UNNAMED_POD})
    result = run_scan(root, ("WL-001",))
    def tail(address: str) -> str:
        return address.rsplit("/templates/", 1)[-1]
    assert sorted((_relative(f.path, root), tail(f.address), [tail(a) for a in f.instances])
                  for f in result.findings) == [
        ("app/templates/pods.yaml", "pods.yaml[0]", []), ("app/templates/pods.yaml", "pods.yaml[1]", []),
        ("app/values.yaml", "a.yaml[0]", ["b.yaml[0]"])]
    assert len({f.fingerprint for f in result.findings}) == 3


MIGRATE_JOB = ("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: migrate-\nspec:\n  template:\n    spec:\n"
               "      containers:\n      - name: x\n        image: busybox:1.36\n        securityContext:\n"
               "          privileged: {{ .Values.privileged }}\n")


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
def test_jobs_a_chart_names_by_one_generate_name_are_two_places_not_one(write, run_scan):
    """Two in one template are two findings with their own fingerprints; two that one values line makes
    privileged are one finding standing for both, not one that hides the other."""
    root = write({"app/Chart.yaml": "apiVersion: v2\nname: app\nversion: 0.1.0\n", "app/values.yaml": "privileged: true\n",
                  "app/templates/jobs.yaml": MIGRATE_JOB.replace("{{ .Values.privileged }}", "true") + "---\n"
                                             + MIGRATE_JOB.replace("{{ .Values.privileged }}", "true"),
                  "app/templates/z-hooks.yaml": MIGRATE_JOB + "---\n" + MIGRATE_JOB})
    result = run_scan(root, ("WL-001",))
    assert sorted((_relative(f.path, root), f.address, f.instances) for f in result.findings) == [
        ("app/templates/jobs.yaml", "Job/default/migrate-*", ()),
        ("app/templates/jobs.yaml", "Job/default/migrate-*[1]", ()),
        ("app/values.yaml", "Job/default/migrate-*[2]", ("Job/default/migrate-*[3]",))]
    assert len({f.fingerprint for f in result.findings}) == 3
