"""Each Kustomize feature: the exact values it renders and the exact place (file, line) of what it touches."""
from __future__ import annotations

import base64

import pytest

from scanner.model.kustomize import Files, render_root
from scanner.model.rendered import Place, RenderedBuild, RenderedObject
from tests.model.kustomize.cases import CASES, at


def render(case: str) -> RenderedBuild:
    root, files = CASES[case]
    build = render_root(Files(files), root)
    assert build.notices == [] and build.complete and build.tool == "kustomize" and build.root == root
    return build


def one(build: RenderedBuild, kind: str, name: str | None = None) -> RenderedObject:
    found = [o for o in build.objects if o.values["kind"] == kind and (name is None or o.values["metadata"]["name"] == name)]
    assert len(found) == 1, [(o.values["kind"], o.values["metadata"]["name"]) for o in build.objects]
    return found[0]


APP = "spec.template.spec.containers[0]"


def test_resources_nested_directories_lists_and_local_config():
    build = render("resources")
    assert [(o.values["kind"], o.values["metadata"]["name"]) for o in build.objects] == [
        ("ServiceAccount", "runner"), ("Service", "web"), ("Deployment", "web")]   # kustomize's legacy order
    account = one(build, "ServiceAccount")
    assert account.origin == Place("base/more/list.yaml", 4)                 # the List item
    assert account.places["metadata.name"] == Place("base/more/list.yaml", 7)
    deployment = one(build, "Deployment")
    assert deployment.places[f"{APP}.image"] == at("resources", "base/deployment.yaml", "image: registry")
    assert deployment.places[""] == deployment.origin == Place("base/deployment.yaml", 1)
    assert "annotations" not in deployment.values["metadata"]        # kustomize drops the empty mapping
    assert build.inputs == frozenset({"overlay/kustomization.yaml", "overlay/service.yaml", "base/kustomization.yaml",
                                      "base/deployment.yaml", "base/more/kustomization.yaml", "base/more/list.yaml"})


def test_every_rendered_field_has_a_place():
    for case in CASES:
        for obj in render(case).objects:
            assert set(obj.places) >= _paths(obj.values), case


def _paths(value: object, prefix: str = "") -> set[str]:
    found = {prefix}
    if isinstance(value, dict):
        for key, child in value.items():
            found |= _paths(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found |= _paths(child, f"{prefix}[{i}]")
    return found


def test_namespace_sets_namespaced_objects_renames_namespace_and_default_subjects():
    build = render("namespace")
    here = at("namespace", "app/kustomization.yaml", "namespace: shop")
    deployment = one(build, "Deployment")
    assert deployment.values["metadata"]["namespace"] == "shop" and deployment.places["metadata.namespace"] == here
    assert "namespace" not in one(build, "ClusterRole").values["metadata"]
    namespace = one(build, "Namespace")
    assert namespace.values["metadata"]["name"] == "shop" and namespace.places["metadata.name"] == here
    binding = one(build, "ClusterRoleBinding")
    assert [s.get("namespace") for s in binding.values["subjects"]] == ["shop", "shop", "other"]
    assert binding.places["subjects[1].namespace"] == here          # the default service account
    assert binding.places["subjects[2].namespace"] == at("namespace", "app/rbac.yaml", "namespace: other")


def test_prefix_suffix_and_the_references_that_follow_renamed_objects():
    build = render("names")
    suffix = at("names", "prod/kustomization.yaml", "nameSuffix")
    deployment = one(build, "Deployment")
    assert deployment.values["metadata"]["name"] == "shop-web-prod" and deployment.places["metadata.name"] == suffix
    spec = deployment.values["spec"]["template"]["spec"]
    secret = one(build, "Secret").values["metadata"]["name"]
    settings = one(build, "ConfigMap").values["metadata"]["name"]
    assert secret.startswith("db-prod-") and settings.startswith("settings-prod-")
    assert spec["serviceAccountName"] == "shop-runner-prod"
    assert spec["containers"][0]["env"][2]["valueFrom"]["secretKeyRef"]["name"] == secret
    assert spec["containers"][0]["envFrom"][0]["configMapRef"]["name"] == settings
    assert spec["volumes"][0]["persistentVolumeClaim"]["claimName"] == "shop-data-prod"
    assert spec["volumes"][1]["configMap"]["name"] == settings
    # a rewritten reference keeps the place where the reference is written
    assert deployment.places["spec.template.spec.volumes[1].configMap.name"] == Place("base/deployment.yaml", 50)
    assert one(build, "HorizontalPodAutoscaler").values["spec"]["scaleTargetRef"]["name"] == "shop-web-prod"
    binding = one(build, "RoleBinding")
    assert binding.values["roleRef"]["name"] == "shop-reader-prod"
    assert binding.values["subjects"] == [{"kind": "ServiceAccount", "name": "shop-runner-prod"}]
    ingress = one(build, "Ingress").values["spec"]
    assert ingress["tls"][0]["secretName"] == secret
    assert ingress["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"] == "web-prod"


def test_a_prefix_alone_points_the_name_at_the_name_prefix_line():
    root, files = CASES["names"]
    build = render_root(Files(files), "base")
    deployment = one(build, "Deployment")
    assert deployment.values["metadata"]["name"] == "shop-web"
    assert deployment.places["metadata.name"] == at("names", "base/kustomization.yaml", "namePrefix")


def test_labels_common_labels_and_annotations_reach_the_fields_kustomize_gives_them():
    build = render("labels")
    where = {key: at("labels", "app/kustomization.yaml", f"{key}:") for key in ("team", "owner", "tier", "release", "contact")}
    deployment = one(build, "Deployment")
    values = deployment.values
    assert values["metadata"]["labels"] == {"app": "web", "owner": "platform", "tier": "frontend", "release": "stable", "team": "payments"}
    assert values["spec"]["selector"]["matchLabels"] == {"app": "web", "release": "stable", "team": "payments"}
    assert values["spec"]["template"]["metadata"]["labels"] == {"app": "web", "tier": "frontend", "release": "stable", "team": "payments"}
    assert values["spec"]["template"]["metadata"]["annotations"] == {"contact": "platform@example.org", "revision": "42"}
    assert deployment.places["spec.selector.matchLabels.team"] == where["team"]
    assert deployment.places["metadata.labels.owner"] == where["owner"]
    assert deployment.places["spec.template.metadata.labels.tier"] == where["tier"]
    assert deployment.places["spec.template.metadata.annotations.contact"] == where["contact"]
    assert one(build, "Service").values["spec"]["selector"] == {"app": "web", "release": "stable", "team": "payments"}


def test_images_rewrite_containers_init_containers_and_cron_jobs_and_point_at_the_images_entry():
    build = render("images")
    deployment = one(build, "Deployment")
    spec = deployment.values["spec"]["template"]["spec"]
    assert spec["containers"][0]["image"] == "mirror.example.eu/shop/web:2.1"
    assert spec["containers"][1]["image"] == "proxy:v3"
    assert spec["initContainers"][0]["image"] == "busybox@sha256:" + "0" * 63 + "1"
    assert deployment.places[f"{APP}.image"] == at("images", "app/kustomization.yaml", 'newTag: "2.1"')
    assert deployment.places["spec.template.spec.initContainers[0].image"] == at("images", "app/kustomization.yaml", "digest:")
    cron = one(build, "CronJob")
    assert cron.values["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"][0]["image"] == "mirror.example.eu/report:5"
    assert cron.places["spec.jobTemplate.spec.template.spec.containers[0].image"] == \
        at("images", "app/kustomization.yaml", "newName: mirror.example.eu/report")


def test_replicas_points_at_the_count():
    deployment = one(render("replicas"), "Deployment")
    assert deployment.values["spec"]["replicas"] == 5
    assert deployment.places["spec.replicas"] == at("replicas", "app/kustomization.yaml", "count: 5")


def test_strategic_merge_patches_merge_lists_by_key_and_honour_directives():
    build = render("strategic-merge")
    assert [o.values["kind"] for o in build.objects] == ["Deployment"]          # `$patch: delete` removed the Service
    deployment = one(build, "Deployment")
    spec = deployment.values["spec"]
    assert "replicas" not in spec                                               # a null deletes the field
    app = spec["template"]["spec"]["containers"]
    assert [c["name"] for c in app] == ["app"]                                  # the sidecar is deleted
    assert [e["name"] for e in app[0]["env"]] == ["COLOUR", "REGION", "DB_PASSWORD"]   # patch's first, as kustomize
    assert app[0]["env"][0]["value"] == "green"
    assert app[0]["ports"] == [{"containerPort": 9090}, {"containerPort": 8080}]
    assert [v["name"] for v in spec["template"]["spec"]["volumes"]] == ["cache", "data", "config"]
    assert spec["template"]["metadata"]["annotations"] == {"checksum": "abc"}     # `$patch: replace`
    assert spec["template"]["spec"]["securityContext"] == {"runAsNonRoot": True}
    places = deployment.places
    patch = "overlay/deployment-patch.yaml"
    assert places[f"{APP}.env[0].value"] == at("strategic-merge", patch, "value: green")
    assert places[f"{APP}.env[2].valueFrom.secretKeyRef.name"] == Place("base/deployment.yaml", 34)
    assert places[f"{APP}.resources.limits.memory"] == at("strategic-merge", patch, "memory: 256Mi")
    assert places["spec.template.metadata.annotations.checksum"] == at("strategic-merge", "overlay/legacy-patch.yaml", "checksum")
    # an inline patch keeps the kustomization's own lines
    assert places["spec.template.spec.securityContext.runAsNonRoot"] == \
        at("strategic-merge", "overlay/kustomization.yaml", "runAsNonRoot")
    assert places["apiVersion"] == Place("base/deployment.yaml", 1) and places["metadata.name"] == Place("base/deployment.yaml", 4)


def test_a_strategic_merge_drops_nulls_written_as_nothing_and_empty_list_items_like_kustomize():
    build = render("blank-nulls")
    spec = one(build, "Deployment").values["spec"]
    assert "paused" not in spec and spec["revisionHistoryLimit"] is None and spec["replicas"] == 3
    assert spec["template"]["spec"]["containers"] == [{"name": "app", "image": "web"}]
    assert spec["template"]["spec"]["volumes"] == [{"name": "scratch"}, {"name": "cache", "emptyDir": {}}]
    assert one(build, "ConfigMap").values["data"] == {"empty": None}      # no patch, no change


def test_json_patches_apply_every_operation_with_the_place_of_their_value_or_operation():
    build = render("json6902")
    deployment = one(build, "Deployment")
    values, places = deployment.values, deployment.places
    kustomization = "overlay/kustomization.yaml"
    containers = values["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["app"]
    assert containers[0]["image"] == "registry.example.org/shop/web:1.1"
    assert containers[0]["env"][-1] == {"name": "EXTRA", "value": "1"}
    assert values["metadata"]["labels"] == {"app": "web", "copied": "web"}
    assert values["spec"]["template"]["spec"]["serviceAccount"] == "runner"
    assert "serviceAccountName" not in values["spec"]["template"]["spec"]
    assert values["metadata"]["annotations"] == {"example.org/note": "patched"}
    assert places[f"{APP}.image"] == at("json6902", kustomization, "value: registry.example.org/shop/web:1.1")
    assert places[f"{APP}.env[3].value"] == at("json6902", kustomization, 'value: "1"')
    assert places["spec.template.spec.serviceAccount"] == at("json6902", kustomization, "op: move")
    service = one(build, "Service")
    assert service.values["spec"]["ports"][0]["port"] == 443 and service.values["spec"]["type"] == "ClusterIP"
    assert service.places["spec.ports[0].port"] == Place("overlay/service-ops.json", 2)


def test_inline_patches_keep_the_kustomization_lines_of_block_and_quoted_scalars():
    service = one(render("inline-patches"), "Service")
    kustomization = "app/kustomization.yaml"
    assert service.values["spec"]["sessionAffinity"] == "ClientIP"
    assert service.values["spec"]["externalTrafficPolicy"] == "Local"
    assert service.places["spec.sessionAffinity"] == at("inline-patches", kustomization, "sessionAffinity")
    assert service.places["spec.externalTrafficPolicy"] == at("inline-patches", kustomization, "externalTrafficPolicy")


def test_generators_literals_files_envs_hash_behaviours_and_options():
    build = render("generators")
    settings = one(build, "ConfigMap")
    assert settings.values["metadata"]["name"] == "settings-btdg4bcg8b"
    assert settings.values["metadata"]["labels"] == {"generated": "yes"}
    assert settings.values["data"] == {"GREETING": "hello world", "LEVEL": "warn", "RETRIES": "3", "TIMEOUT": "30",
                                       "app.properties": "cache.size=10\n", "tuned": "threads = 4\n"}
    assert settings.places["data.LEVEL"] == at("generators", "overlay/kustomization.yaml", "LEVEL=warn")
    assert settings.places["data.GREETING"] == at("generators", "base/kustomization.yaml", "GREETING")
    assert settings.places["data.RETRIES"] == Place("base/defaults.env", 4)
    assert settings.places["data.tuned"] == Place("base/tuning.conf", 1)
    db = one(build, "Secret", "db-ctht2mb49g")
    assert db.values["type"] == "kubernetes.io/basic-auth"
    assert {k: base64.b64decode(v).decode() for k, v in db.values["data"].items()} == {"username": "prod", "password": "an0ther-Secret"}
    assert db.places["data.password"] == at("generators", "overlay/kustomization.yaml", "password=an0ther-Secret")
    static = one(build, "Secret", "static")
    assert static.values["data"] == {"token": "YWJj"}
    deployment = one(build, "Deployment").values["spec"]["template"]["spec"]
    assert deployment["volumes"][1]["configMap"]["name"] == "settings-btdg4bcg8b"
    assert deployment["containers"][0]["env"][2]["valueFrom"]["secretKeyRef"]["name"] == "db-ctht2mb49g"


def test_components_add_resources_and_patch_what_came_before():
    build = render("components")
    deployment = one(build, "Deployment")
    assert deployment.values["spec"]["template"]["spec"]["containers"][0]["env"][0] == {"name": "FEATURE", "value": "on"}
    assert deployment.places[f"{APP}.env[0].value"] == at("components", "feature/kustomization.yaml", 'value: "on"')
    service = one(build, "Service")
    assert service.values["metadata"]["namespace"] == "shop" and service.origin == Place("feature/service.yaml", 1)
    assert "feature/kustomization.yaml" in build.inputs and "feature/service.yaml" in build.inputs


def test_origin_annotations_name_the_source_file_or_generator():
    build = render("origin")
    service = one(build, "Service")
    assert service.values["metadata"]["annotations"] == {"config.kubernetes.io/origin": "path: ../base/service.yaml\n"}
    assert service.places["metadata.annotations.config.kubernetes.io/origin"] == \
        at("origin", "overlay/kustomization.yaml", "buildMetadata")
    generated = one(build, "ConfigMap").values["metadata"]["annotations"]["config.kubernetes.io/origin"]
    assert generated == "configuredIn: ../base/kustomization.yaml\nconfiguredBy:\n  apiVersion: builtin\n  kind: ConfigMapGenerator\n"


def test_configurations_teach_name_references_for_custom_resources():
    build = render("configurations")
    backup = one(build, "ScheduledBackup")
    assert backup.values["metadata"]["name"] == "team-nightly"
    assert backup.values["spec"]["cluster"]["name"] == "team-db"
    assert "app/backup-refs.yaml" in build.inputs


@pytest.mark.parametrize("case", sorted(CASES))
def test_rendering_is_deterministic(case):
    first, second = render(case), render(case)
    assert [(o.values, o.places) for o in first.objects] == [(o.values, o.places) for o in second.objects]


def test_a_json_patch_on_a_crd_schema_is_left_out_and_the_rest_applies():
    """sovscan reads CRDs without their OpenAPI schema (no policy judges it): a patch under it has nothing
    to apply to, and must not make the build incomplete."""
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.eu\n"
           "spec:\n  group: example.eu\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        type: object\n")
    patch = ("- op: replace\n  path: /spec/versions/0/schema/openAPIV3Schema/type\n  value: string\n"
             "- op: add\n  path: /metadata/labels\n  value: {team: platform}\n")
    kustomization = ("resources:\n- crd.yaml\npatches:\n- path: patch.yaml\n  target:\n"
                     "    kind: CustomResourceDefinition\n")
    build = render_root(Files({"kustomization.yaml": kustomization, "crd.yaml": crd, "patch.yaml": patch}), "")
    assert build.notices == [] and build.complete
    [obj] = build.objects
    assert obj.values["metadata"]["labels"] == {"team": "platform"}
    assert obj.values["spec"]["versions"] == [{"name": "v1"}]
    assert obj.places["metadata.labels.team"] == Place("patch.yaml", 6)


@pytest.mark.parametrize("operations, failure", [
    ("- {op: add, path: /metadata/labels, value: {team: x}, from: /spec/versions/0/schema}", None),  # `from` unused
    ("- {op: test, path: /spec/versions/0/schema/openAPIV3Schema/type, value: object}", "test"),
    ("- {op: replace, path: /spec/versions/7/schema/openAPIV3Schema/type, value: string}", "replace"),
    ("- {op: move, from: /spec/versions/0/schema, path: /metadata/annotations}", None),
])
def test_only_operations_inside_a_crd_schema_that_exists_are_left_out(operations: str, failure: str | None):
    """A test of the schema, and an operation on a version the CRD does not have, fail as in kustomize
    (kustomize's would fail or pass on content sovscan does not read: a failed build is the honest answer)."""
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: w.example.eu\n"
           "spec:\n  group: example.eu\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n"
           "        type: object\n")
    kustomization = "resources:\n- crd.yaml\npatches:\n- path: patch.yaml\n  target:\n    kind: CustomResourceDefinition\n"
    build = render_root(Files({"kustomization.yaml": kustomization, "crd.yaml": crd, "patch.yaml": operations + "\n"}), "")
    if failure is None:
        assert build.notices == [] and build.complete
    else:
        assert not build.complete and f"JSON patch '{failure} " in build.notices[0].message
