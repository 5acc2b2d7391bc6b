from __future__ import annotations

from scanner.model.kubernetes import build
from scanner.parse.yaml import parse_text


def test_objects_are_addressed_kind_namespace_name_and_lists_unpacked():
    docs = parse_text("k.yaml", """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: a, namespace: shop}
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: b
---
kind: NoApiVersion
---
apiVersion: apps/v1
kind: CronJob
metadata:
  name: report
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - name: c
              image: x
""")
    resources = build(docs)
    assert [r.address for r in resources] == ["ConfigMap/shop/a", "ConfigMap/default/b", "CronJob/default/report"]
    assert resources[1].line == 7 and resources[1].locations["metadata.name"] == 10
    cron = resources[2]
    assert cron.pod_spec_path == "spec.jobTemplate.spec.template.spec"
    assert cron.locations["spec.jobTemplate.spec.template.spec.containers[0].image"] == 25


import pytest

from scanner.model.kubernetes import is_object, rendered
from scanner.model.rendered import Place, RenderedObject
from scanner.model.resource import Resource


@pytest.mark.parametrize("document, judged", [
    ({"apiVersion": "apps/v1", "kind": "Deployment"}, True),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"annotations": {"config.kubernetes.io/local-config": "true"}}}, False),
    ({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"annotations": {"config.kubernetes.io/local-config": "false"}}}, True),
    ({"apiVersion": "blueprints.cloud.google.com/v1alpha1", "kind": "BlueprintMetadata"}, False),
    ({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}, False),
    ({"apiVersion": "kustomize.config.k8s.io/v1alpha1", "kind": "Component"}, False),
    ({"apiVersion": "builtin", "kind": "PrefixSuffixTransformer"}, False),
    ({"apiVersion": "skaffold/v4beta11", "kind": "Config"}, False),
    ({"apiVersion": "kind.x-k8s.io/v1alpha4", "kind": "Cluster"}, False),
    ({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Cluster"}, True),    # Cluster API: applied to a cluster
    ({"apiVersion": "v1", "kind": "Config"}, False),                          # a kubeconfig
    ({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}, "$patch": "delete"}, False),
    ({"kind": "Deployment"}, False),
    (["apiVersion", "kind"], False),
])
def test_what_is_judged_as_a_kubernetes_object(document, judged):
    assert is_object(document) is judged


def test_a_rendered_object_is_addressed_after_the_build_and_places_each_field():
    base, overlay = "app/base/deployment.yaml", "app/overlays/prod/kustomization.yaml"
    values = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "prod-web", "namespace": "shop"},
              "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "web"}]}}}}
    places = {"": Place(base, 1), "metadata": Place(base, 3), "metadata.name": Place(overlay, 5),
              "metadata.namespace": Place(overlay, 4), "spec": Place(base, 5), "spec.replicas": Place(overlay, 9),
              "spec.template.spec.containers[0]": Place(base, 9)}
    (resource,) = rendered([RenderedObject(values, places, Place(base, 1), "app/overlays/prod")])
    assert (resource.address, resource.path, resource.line, resource.root) == \
        ("Deployment/shop/prod-web", base, 1, "app/overlays/prod")
    assert resource.locations == {"": 1, "metadata": 3, "spec": 5, "spec.template.spec.containers[0]": 9}
    assert resource.place_of("spec.replicas") == Place(overlay, 9)
    assert resource.place_of("spec.template.spec.containers[0].securityContext.privileged") == Place(base, 9)
    assert resource.place_of("spec.paused") == Place(base, 5)           # absent: its nearest written ancestor
    assert resource.chain_of("spec.replicas") == ((Place(overlay, 9), "attribute"),)


def test_without_a_place_table_a_field_is_placed_on_its_line_in_the_resource_file():
    resource = Resource("terraform", "x", "x.y", "main.tf", 3, {}, {"a": 4, "a.b": 5})
    assert resource.place_of("a.b.c") == Place("main.tf", 5)
    assert resource.place_of("z") == Place("main.tf", 3)


def test_an_object_named_by_generate_name_is_addressed_by_its_prefix():
    docs = parse_text("hooks.yaml", """\
apiVersion: batch/v1
kind: Job
metadata:
  generateName: upgrade-sql-schema
  namespace: shop
---
apiVersion: batch/v1
kind: Job
metadata:
  labels: {a: b}
""")
    assert [r.address for r in build(docs)] == ["Job/shop/upgrade-sql-schema*", "Job/default/#1"]


MIGRATE_JOB = """\
apiVersion: batch/v1
kind: Job
metadata:
  generateName: migrate-
  namespace: shop
spec:
  template:
    spec:
      containers:
      - name: migrate
        image: busybox:1.36
        securityContext:
          privileged: true
"""


def test_objects_named_by_one_generate_name_in_a_file_are_addressed_apart():
    """The first keeps `prefix*` (its fingerprint does not change); a later one of that kind, namespace and
    prefix in the file adds its number; one in another file, another namespace or with a name does not count."""
    docs = parse_text("jobs.yaml", "---\n".join([
        MIGRATE_JOB, MIGRATE_JOB.replace("namespace: shop", "namespace: ops"),
        MIGRATE_JOB.replace("generateName: migrate-", "name: migrate-now"), MIGRATE_JOB]))
    docs += parse_text("other.yaml", MIGRATE_JOB)
    assert [r.address for r in build(docs)] == [
        "Job/shop/migrate-*", "Job/ops/migrate-*", "Job/shop/migrate-now", "Job/shop/migrate-*[1]",
        "Job/shop/migrate-*"]


def test_two_jobs_named_by_one_generate_name_are_two_findings_with_their_own_fingerprints(write, run_scan):
    root = write({"jobs.yaml": MIGRATE_JOB + "---\n" + MIGRATE_JOB})
    result = run_scan(root, ("WL-001",))
    assert sorted((f.line, f.address) for f in result.findings) == [
        (13, "Job/shop/migrate-*"), (27, "Job/shop/migrate-*[1]")]
    assert len({f.fingerprint for f in result.findings}) == 2


def _pod(template: str, line: int, **metadata) -> RenderedObject:
    values = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata, "spec": {"containers": [{"name": "x"}]}}
    return RenderedObject(values, {"": Place(template, line)}, Place(template, line), "chart")


def test_unnamed_rendered_objects_are_named_by_their_file_and_count_there():
    """Two unnamed objects of one build never share an address (so neither a fingerprint nor a place in the
    outcome cache), and one rendered from another file, with a name, or of another namespace does not
    renumber them."""
    jobs, other = "chart/templates/jobs.yaml", "chart/templates/other.yaml"
    objects = [_pod(other, 1), _pod(jobs, 1), _pod(jobs, 5, name="named"), _pod(jobs, 9, namespace="ops"),
               _pod(jobs, 13), _pod(jobs, 17, generateName="migrate-")]
    resources = rendered(objects)
    assert [r.address for r in resources] == [
        "Pod/default/#chart/templates/other.yaml[0]", "Pod/default/#chart/templates/jobs.yaml[0]",
        "Pod/default/named", "Pod/ops/#chart/templates/jobs.yaml[0]", "Pod/default/#chart/templates/jobs.yaml[1]",
        "Pod/default/migrate-*"]
    assert [r.address for r in rendered(objects[1:])] == [r.address for r in resources[1:]]
    assert resources[4].name == "#chart/templates/jobs.yaml[1]"


def test_rendered_objects_named_by_one_generate_name_are_numbered_in_their_build():
    """Counted across the build's files, as a values file can set a field of objects from two templates."""
    objects = [_pod("chart/templates/a.yaml", 1, generateName="migrate-"), _pod("chart/templates/a.yaml", 9),
               _pod("chart/templates/b.yaml", 1, generateName="migrate-"),
               _pod("chart/templates/b.yaml", 9, generateName="migrate-", namespace="ops")]
    assert [r.address for r in rendered(objects)] == [
        "Pod/default/migrate-*", "Pod/default/#chart/templates/a.yaml[0]", "Pod/default/migrate-*[1]",
        "Pod/ops/migrate-*"]


def test_unnamed_items_of_a_list_are_addressed_by_their_number_in_it():
    docs = parse_text("pods.yaml", """\
apiVersion: v1
kind: Pod
spec: {}
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: Pod, spec: {}}
  - {apiVersion: v1, kind: Pod, spec: {}}
""")
    assert [r.address for r in build(docs)] == ["Pod/default/#0", "Pod/default/#1", "Pod/default/#1[1]"]
