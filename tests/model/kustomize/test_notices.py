"""What the renderer does not support, and what kustomize itself would refuse: a notice on the line that
asks for it, the build marked incomplete, the rest still rendered, and never a crash or a guess."""
from __future__ import annotations

import pytest

from scanner.model.kustomize import Files, build_roots, render_all, render_root

SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\n"


def notices(files: dict[str, str], root: str = "app") -> tuple[list[tuple[str, int, str]], list[str], bool]:
    build = render_root(Files(files), root)
    names = [f"{o.values['kind']}/{o.values['metadata']['name']}" for o in build.objects]
    return [(n.path, n.line, n.message) for n in build.notices], names, build.complete


UNSUPPORTED = [
    ("remote base", "resources:\n  - service.yaml\n  - https://github.com/example/shop//base?ref=v1\n", 3, "remote bases are not rendered"),
    ("git base", "resources:\n  - service.yaml\n  - github.com/example/shop/base?ref=v1\n", 3, "remote bases are not rendered"),
    ("helm chart", "resources:\n  - service.yaml\nhelmCharts:\n  - name: redis\n", 3, "'helmCharts' (Helm charts) is not rendered"),
    ("replacements", "resources:\n  - service.yaml\nreplacements:\n  - path: r.yaml\n", 3, "'replacements' (replacements) is not rendered"),
    ("vars", "resources:\n  - service.yaml\nvars: []\n", 3, "'vars' (vars) is not rendered"),
    ("plugin", "resources:\n  - service.yaml\ntransformers:\n  - plugin.yaml\n", 3, "'transformers' (transformer plugins)"),
    ("openapi", "resources:\n  - service.yaml\nopenapi:\n  path: schema.json\n", 3, "'openapi' (a custom OpenAPI schema)"),
    ("unknown field", "resources:\n  - service.yaml\nresourcez: []\n", 3, "unknown kustomization field 'resourcez'"),
    ("leaves the root", "resources:\n  - service.yaml\n  - ../../elsewhere\n", 3, "leaves the scan root"),
    ("missing file", "resources:\n  - service.yaml\n  - absent.yaml\n", 3, "not found among the scanned files"),
    ("numeric tag", "resources:\n  - service.yaml\nimages:\n  - name: web\n    newTag: 1.10\n", 3, "quote a numeric tag"),
    ("transformer metadata", "resources:\n  - service.yaml\nbuildMetadata: [managedByLabel]\n", 3, "buildMetadata 'managedByLabel'"),
]


@pytest.mark.parametrize("name,kustomization,line,message", UNSUPPORTED, ids=[u[0] for u in UNSUPPORTED])
def test_unsupported_or_refused_features_are_notices_on_their_line(name, kustomization, line, message):
    found, objects, complete = notices({"app/kustomization.yaml": kustomization, "app/service.yaml": SERVICE})
    assert len(found) == 1 and found[0][:2] == ("app/kustomization.yaml", line) and message in found[0][2]
    assert objects == ["Service/web"] and not complete


def test_build_metadata_of_a_base_is_ignored_like_kustomize_does():
    files = {"app/kustomization.yaml": "resources:\n  - ../base\n",
             "base/kustomization.yaml": "resources:\n  - service.yaml\nbuildMetadata: [managedByLabel, originAnnotations]\n",
             "base/service.yaml": SERVICE}
    build = render_root(Files(files), "app")
    assert build.complete and build.notices == [] and build.objects[0].values["metadata"] == {"name": "web"}


WRONG_TYPES = [
    "resources: service.yaml\n",
    "resources: [service.yaml]\nnamePrefix: [a]\n",
    "resources: [service.yaml]\npatches: {path: p.yaml}\n",
    "resources: [service.yaml]\npatches:\n  - target: {kind: [Service]}\n    patch: '[]'\n",
    "resources: [service.yaml]\ncommonLabels: {tier: 1}\n",
    "resources: [service.yaml]\nreplicas:\n  - name: web\n    count: three\n",
    "resources: [service.yaml]\nconfigMapGenerator:\n  - literals: [A=1]\n",
    "resources: [service.yaml]\nconfigMapGenerator:\n  - name: c\n    literals: [novalue]\n",
    "resources: [service.yaml]\nsecretGenerator:\n  - name: s\n    files: [../../x]\n",
    "resources: [service.yaml]\nconfigurations: [refs.yaml]\n",
    "resources: [service.yaml]\npatches:\n  - target: {name: '(['}\n    patch: '[{\"op\": \"remove\", \"path\": \"/spec\"}]'\n",
    "resources: [service.yaml]\npatches:\n  - target: {labelSelector: 'a in b'}\n    patch: '[]'\n",
]


@pytest.mark.parametrize("kustomization", WRONG_TYPES)
def test_fields_of_the_wrong_shape_are_notices_never_crashes(kustomization):
    found, _, complete = notices({"app/kustomization.yaml": kustomization, "app/service.yaml": SERVICE,
                                  "app/refs.yaml": "nameReference: 1\n"})
    assert found and not complete and all(path == "app/kustomization.yaml" for path, _, _ in found)


def test_a_cycle_is_a_notice():
    found, objects, complete = notices({
        "a/kustomization.yaml": "resources:\n  - ../b\n",
        "b/kustomization.yaml": "resources:\n  - ../a\n  - service.yaml\n",
        "b/service.yaml": SERVICE}, root="a")
    assert found == [("b/kustomization.yaml", 2, "kustomize '../a': cycle: 'a' includes itself through a -> b")]
    assert objects == ["Service/web"] and not complete


def test_absurdly_deep_nesting_is_a_notice_not_a_crash():
    files = {f"d{i}/kustomization.yaml": f"resources:\n  - ../d{i + 1}\n" for i in range(300)}
    files["d300/kustomization.yaml"] = "resources:\n  - service.yaml\n"
    files["d300/service.yaml"] = SERVICE
    found, objects, complete = notices(files, root="d0")
    assert found == [("d49/kustomization.yaml", 2, "kustomize '../d50': kustomizations nested more than 50 deep")]
    assert objects == [] and not complete


def test_malformed_yaml_names_the_file_and_the_rest_is_rendered():
    found, objects, complete = notices({
        "app/kustomization.yaml": "resources:\n  - broken.yaml\n  - service.yaml\n",
        "app/broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n",
        "app/service.yaml": SERVICE})
    assert [(p, l) for p, l, _ in found] == [("app/broken.yaml", 5)] and "malformed YAML" in found[0][2]
    assert objects == ["Service/web"] and not complete


def test_a_malformed_kustomization_is_a_notice_and_nothing_is_guessed():
    found, objects, complete = notices({"app/kustomization.yaml": "resources: [\n"})
    assert [(p, l) for p, l, _ in found] == [("app/kustomization.yaml", 2)] and objects == [] and not complete


def test_files_outside_the_kustomization_directory_are_refused_like_kustomize():
    found, objects, complete = notices({
        "app/kustomization.yaml": "resources:\n  - ../shared/service.yaml\n",
        "shared/service.yaml": SERVICE})
    assert found == [("app/kustomization.yaml", 2, "kustomize '../shared/service.yaml': security: file is not in or below 'app'")]
    assert objects == [] and not complete


def test_a_failing_patch_is_a_notice_and_the_other_patches_apply():
    found, objects, complete = notices({
        "app/kustomization.yaml": """\
resources:
  - service.yaml
patches:
  - target: {kind: Service}
    patch: |-
      - op: replace
        path: /spec/absent
        value: 1
  - patch: |-
      apiVersion: v1
      kind: Service
      metadata:
        name: nothing-like-this
      spec: {}
  - target: {kind: Service}
    patch: |-
      - op: add
        path: /spec
        value: {type: ClusterIP}
""",
        "app/service.yaml": SERVICE})
    assert [(p, l) for p, l, _ in found] == [("app/kustomization.yaml", 4), ("app/kustomization.yaml", 9)]
    assert "JSON patch 'replace /spec/absent' failed" in found[0][2]
    assert "no resource matches the strategic merge patch" in found[1][2]
    build = render_root(Files({"app/kustomization.yaml": "resources: [service.yaml]\n", "app/service.yaml": SERVICE}), "app")
    assert build.complete and objects == ["Service/web"] and not complete


def test_kind_mismatches_between_resources_and_components_are_notices():
    found, _, complete = notices({
        "app/kustomization.yaml": "resources:\n  - ../feature\ncomponents:\n  - ../base\n",
        "feature/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
        "base/kustomization.yaml": "resources: []\n"})
    assert [(p, l) for p, l, _ in found] == [("app/kustomization.yaml", 2), ("app/kustomization.yaml", 4)]
    assert "is a Component" in found[0][2] and "is not a Component" in found[1][2] and not complete


def test_hostile_yaml_is_a_notice_not_a_crash():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(6))
    found, objects, complete = notices({
        "app/kustomization.yaml": "resources:\n  - bomb.yaml\n  - service.yaml\n",
        "app/bomb.yaml": bomb, "app/service.yaml": SERVICE})
    assert [(p, l) for p, l, _ in found] == [("app/bomb.yaml", 1)] and objects == ["Service/web"] and not complete


def test_build_roots_are_the_directories_with_a_kustomization_file():
    assert build_roots(["kustomization.yaml", "a/kustomization.yml", "b/Kustomization", "c/deploy.yaml",
                        "d/kustomization.yaml.bak"]) == ["", "a", "b"]


def test_render_all_returns_top_builds_with_every_input():
    files = {
        "apps/web/base/kustomization.yaml": "resources:\n  - service.yaml\n",
        "apps/web/base/service.yaml": SERVICE,
        "apps/web/overlays/prod/kustomization.yaml": "resources:\n  - ../../base\ncomponents:\n  - ../../feature\n",
        "apps/web/overlays/test/kustomization.yaml": "resources:\n  - ../../base\nnamespace: test\n",
        "apps/web/feature/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
                                               "resources:\n  - config.yaml\n",
        "apps/web/feature/config.yaml": CONFIG,
        "tools/standalone/kustomization.yaml": "resources:\n  - config.yaml\n",
        "tools/standalone/config.yaml": CONFIG,
        "tools/unused-component/kustomization.yaml": "kind: Component\napiVersion: kustomize.config.k8s.io/v1alpha1\n",
    }
    builds = render_all(files)
    assert [b.root for b in builds] == ["apps/web/overlays/prod", "apps/web/overlays/test", "tools/standalone"]
    prod = builds[0]
    assert prod.inputs == frozenset({"apps/web/overlays/prod/kustomization.yaml", "apps/web/base/kustomization.yaml",
                                     "apps/web/base/service.yaml", "apps/web/feature/kustomization.yaml",
                                     "apps/web/feature/config.yaml"})
    assert [o.values["kind"] for o in prod.objects] == ["ConfigMap", "Service"]
    assert all(b.complete and b.notices == [] for b in builds)
    assert builds[1].objects[0].values["metadata"]["namespace"] == "test"


def test_a_base_included_over_and_over_stops_at_the_build_budget(monkeypatch):
    """Fourteen levels that each include the level below twice load the base 16,384 times: the build stops at
    its budget with a notice, instead of taking minutes."""
    from scanner.model.kustomize import build as build_module
    monkeypatch.setattr(build_module, "MAX_LOADED_OBJECTS", 100)
    files = {"l0/kustomization.yaml": "resources: [c.yaml]\n", "l0/c.yaml": CONFIG}
    for level in range(1, 15):
        for side in "ab":
            files[f"l{level}/{side}/kustomization.yaml"] = f"namePrefix: {side}-\nresources: [../../l{level - 1}]\n"
        files[f"l{level}/kustomization.yaml"] = "resources: [a, b]\n"
    found, objects, complete = notices(files, "l14")
    assert not complete and any("the build loads more than" in message for _, _, message in found)
    assert len(objects) <= 2 * 100


def test_the_objects_of_a_component_no_build_includes_are_judged_as_notes(write, run_scan, tmp_path):
    """A component is deployed only by a build that includes it: when none does, its manifests deploy nowhere,
    so their findings are notes (still shown: adding a component must not hide a manifest), and a note names the
    component."""
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: assistant\nspec:\n  template:\n"
                  "    spec:\n      containers:\n        - name: a\n          image: registry.example.eu/a:1.0\n"
                  "          securityContext:\n            privileged: true\n")
    component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - assistant.yaml\n"
    unused = write({"components/assistant/kustomization.yaml": component,
                    "components/assistant/assistant.yaml": deployment,
                    "app/kustomization.yaml": "resources: []\n"}, tmp_path / "unused")
    result = run_scan(unused, only=("WL-001",))
    assert [(f.path, f.level) for f in result.findings] == [("components/assistant/assistant.yaml", "note")]
    assert result.findings[0].message.endswith("(listed only by a Kustomize component no kustomization includes: "
                                               "a note)")
    assert [(n.path, n.level, n.message) for n in result.notices if "component" in n.message] == [
        ("components/assistant/kustomization.yaml", "note",
         "component components/assistant is included by no kustomization: the manifests it lists in its own "
         "directory (1) deploy nowhere: their findings are notes")]
    included = write({"components/assistant/kustomization.yaml": component,
                      "components/assistant/assistant.yaml": deployment,
                      "app/kustomization.yaml": "components:\n  - ../components/assistant\n"}, tmp_path / "used")
    result = run_scan(included, only=("WL-001",))
    assert [(f.policy_id, f.path, f.level) for f in result.findings] == [
        ("WL-001", "components/assistant/assistant.yaml", "error")]
    assert not [n for n in result.notices if "component" in n.message]


def test_an_unused_component_hides_no_file_outside_its_directory_and_a_failed_build_keeps_its_component(
        write, run_scan, tmp_path):
    """A component's kustomization cannot make another directory's manifest unjudged (kustomize refuses such a
    path too), and a component that a kustomization includes is that build's, even when the build does not
    render (two kustomizations that include each other)."""
    privileged = ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: a\n"
                  "      image: registry.example.eu/a:1.0\n      securityContext:\n        privileged: true\n")
    component = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources:\n  - %s\n"
    outside = write({"components/x/kustomization.yaml": component % "../../k8s/app.yaml", "k8s/app.yaml": privileged},
                    tmp_path / "outside")
    assert [(f.policy_id, f.path, f.level) for f in run_scan(outside, only=("WL-001",)).findings] == [
        ("WL-001", "k8s/app.yaml", "error")]
    at_root = write({"kustomization.yaml": component % "k8s/app.yaml", "k8s/app.yaml": privileged}, tmp_path / "root")
    assert [(f.path, f.level) for f in run_scan(at_root, only=("WL-001",)).findings] == [("k8s/app.yaml", "error")]
    beside = write({"k8s/kustomization.yaml": component % "app.yaml", "k8s/app.yaml": privileged}, tmp_path / "beside")
    assert [(f.path, f.level) for f in run_scan(beside, only=("WL-001",)).findings] == [("k8s/app.yaml", "note")]
    looping = write({"components/x/kustomization.yaml": component % "app.yaml", "components/x/app.yaml": privileged,
                     "a/kustomization.yaml": "resources: [../b]\ncomponents: [../components/x]\n",
                     "b/kustomization.yaml": "resources: [../a]\n"}, tmp_path / "looping")
    result = run_scan(looping, only=("WL-001",))
    assert not [n for n in result.notices if "included by no kustomization" in n.message]
