"""Helm charts rendered into objects with the place of every field (fixtures in fixtures/helm/).

Tests that render run once per available engine (the `helm` extra's helm-python-sdk, a `helm` binary on
PATH) and are skipped, with the reason, for an engine that is not installed. The chart is handed over as
text under `deploy/`, a directory that does not exist, so nothing can be read from the tree instead.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from scanner.masking import mask
from scanner.model import helm, helm_engines
from scanner.model.helm import chart_roots, render_chart
from scanner.model.rendered import Place, RenderedBuild, RenderedObject

FIXTURES = Path(__file__).parent / "fixtures" / "helm"
WEB = "deploy/web"
TEMPLATE = f"{WEB}/templates/deployment.yaml"
VALUES = f"{WEB}/values.yaml"


def chart_files() -> dict[str, str]:
    return {f"deploy/{path.relative_to(FIXTURES).as_posix()}": path.read_text(encoding="utf-8")
            for path in sorted(FIXTURES.rglob("*")) if path.is_file()}


def line(path: str, needle: str) -> int:
    """The line of the fixture file holding needle, which must occur on exactly one line."""
    lines = [number for number, text in enumerate(chart_files()[path].split("\n"), start=1) if needle in text]
    assert len(lines) == 1, f"{needle!r} on lines {lines} of {path}"
    return lines[0]


def the(build: RenderedBuild, kind: str) -> RenderedObject:
    found = [rendered for rendered in build.objects if rendered.values["kind"] == kind]
    assert len(found) == 1, [rendered.values["kind"] for rendered in build.objects]
    return found[0]


ENGINES = {"sdk": helm_engines.sdk_engine, "binary": helm_engines.binary_engine}
MISSING = {"sdk": "helm-python-sdk not installed (pip install 'sovscan[helm]')", "binary": "no helm binary on PATH"}


@pytest.fixture(params=sorted(ENGINES), scope="module")
def engine(request: pytest.FixtureRequest) -> helm_engines.HelmEngine:
    found = ENGINES[request.param]()
    if found is None:
        pytest.skip(MISSING[request.param])
    return found


@pytest.fixture(scope="module")
def web(engine: helm_engines.HelmEngine) -> RenderedBuild:
    return render_chart(WEB, chart_files(), engine=engine)


CONTAINER = "spec.template.spec.containers"


def test_a_privileged_container_written_in_the_template_is_placed_on_its_line(web: RenderedBuild) -> None:
    deployment = the(web, "Deployment")
    assert deployment.values["spec"]["template"]["spec"]["containers"][1]["securityContext"] == {"privileged": True}
    assert deployment.places[f"{CONTAINER}[1].securityContext.privileged"] == Place(TEMPLATE, line(TEMPLATE, "privileged: true"))
    assert deployment.places[f"{CONTAINER}[1].securityContext"] == Place(TEMPLATE, line(TEMPLATE, "privileged: true") - 1)
    assert deployment.places[f"{CONTAINER}[1].image"] == Place(TEMPLATE, line(TEMPLATE, "busybox"))
    assert deployment.origin == deployment.places[""] == Place(TEMPLATE, 1)
    assert deployment.build == WEB


@pytest.mark.parametrize("field, values_line", [
    ("spec.replicas", "replicaCount: 2"),
    (f"{CONTAINER}[0].imagePullPolicy", "pullPolicy"),
    (f"{CONTAINER}[0].securityContext.runAsNonRoot", "runAsNonRoot"),   # inside a toYaml block
    (f"{CONTAINER}[0].securityContext.runAsUser", "runAsUser"),
    (f"{CONTAINER}[0].env[1].name", "name: REGION"),                      # printed by a range
    (f"{CONTAINER}[0].env[1].value", "eu-west-1"),                        # through `quote`
    # a map or list equal to the values map or list it came from, with what is in it, false included
    (f"{CONTAINER}[0].securityContext", "securityContext:"),
    (f"{CONTAINER}[0].securityContext.allowPrivilegeEscalation", "allowPrivilegeEscalation: false"),
    (f"{CONTAINER}[0].env[1]", "name: REGION"),
    (f"{CONTAINER}[0].env", "env:"),
])
def test_a_value_from_values_yaml_is_placed_on_the_values_line(web: RenderedBuild, field: str, values_line: str) -> None:
    assert the(web, "Deployment").places[field] == Place(VALUES, line(VALUES, values_line))


@pytest.mark.parametrize("field, template_line", [
    (f"{CONTAINER}[0].image", "image: \"{{ .Values.image.repository }}"),         # composed of two values
    ("metadata.labels.app.kubernetes.io/name", "{{- include \"web.labels\" . | nindent 4 }}"),   # from _helpers.tpl
    ("spec.template.metadata.annotations.checksum/config", "checksum/config"),
    ("spec.template.spec.containers", "containers:"),
])
def test_what_the_template_composes_is_placed_on_the_template_line(web: RenderedBuild, field: str,
                                                                   template_line: str) -> None:
    assert the(web, "Deployment").places[field] == Place(TEMPLATE, line(TEMPLATE, template_line))


def test_the_chart_renders_its_objects_but_not_notes_or_disabled_templates(web: RenderedBuild) -> None:
    assert sorted((o.values["kind"], o.values["metadata"]["name"]) for o in web.objects) == [
        ("ConfigMap", "release-name-web-config"), ("Deployment", "release-name-web"),
        ("Service", "release-name-web"), ("StatefulSet", "release-name-cache")]


def test_a_named_values_file_overrides_values_yaml_and_takes_the_place(engine: helm_engines.HelmEngine) -> None:
    build = render_chart(WEB, chart_files(), ["values-prod.yaml"], engine=engine)
    prod = f"{WEB}/values-prod.yaml"
    deployment, ingress = the(build, "Deployment"), the(build, "Ingress")
    assert deployment.values["spec"]["replicas"] == 4
    assert deployment.places["spec.replicas"] == Place(prod, line(prod, "replicaCount"))
    assert deployment.values["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.org/web:2.0.2"
    ingress_template = f"{WEB}/templates/ingress.yaml"
    assert ingress.origin == Place(ingress_template, line(ingress_template, "apiVersion"))   # after `{{- if … -}}`
    assert ingress.places["spec.rules[0].host"] == Place(VALUES, line(VALUES, "host:"))
    assert prod in build.inputs


def test_a_vendored_subchart_renders_with_the_parents_values(web: RenderedBuild) -> None:
    statefulset = the(web, "StatefulSet")
    template = f"{WEB}/charts/cache/templates/statefulset.yaml"
    container = "spec.template.spec.containers[0]"
    assert statefulset.values["spec"]["template"]["spec"]["containers"][0]["image"] == "registry.example.org/cache:7.2"
    assert statefulset.places[f"{container}.image"] == Place(VALUES, line(VALUES, "cache:7.2"))
    assert statefulset.places[f"{container}.ports[0].containerPort"] == Place(f"{WEB}/charts/cache/values.yaml", 2)
    assert statefulset.places[f"{container}.name"] == Place(template, line(template, "- name: cache"))
    assert statefulset.build == WEB


def test_block_scalars_keep_their_text_and_sit_on_their_key(web: RenderedBuild) -> None:
    configmap = the(web, "ConfigMap")
    template = f"{WEB}/templates/configmap.yaml"
    assert configmap.values["data"] == {"app.yaml": "region: eu-west-1\n# a comment inside the block\nreplicas: 2\n",
                                        "motd": "hello world"}
    assert configmap.places["data.app.yaml"] == Place(template, line(template, "app.yaml: |"))
    assert configmap.places["data.motd"] == Place(template, line(template, "motd:"))


def test_a_missing_dependency_is_a_notice_unless_its_condition_disables_it(web: RenderedBuild) -> None:
    chart_yaml = f"{WEB}/Chart.yaml"
    assert [(n.path, n.line, n.level) for n in web.notices] == [(chart_yaml, line(chart_yaml, "name: metrics"), "warning")]
    assert "metrics" in web.notices[0].message and "not vendored" in web.notices[0].message
    assert web.complete is False
    assert len(web.objects) == 4   # the rest of the chart is still rendered


def test_inputs_are_every_chart_file_so_none_is_judged_alone() -> None:
    build = render_chart(WEB, chart_files(), ["values-prod.yaml"], engine="none")
    assert build.inputs == frozenset(path for path in chart_files() if path.startswith(f"{WEB}/"))
    assert {f"{WEB}/templates/_helpers.tpl", f"{WEB}/charts/cache/values.yaml", f"{WEB}/Chart.yaml"} <= build.inputs


def test_without_an_engine_the_chart_is_a_notice_and_incomplete() -> None:
    build = render_chart(WEB, chart_files(), engine="none")
    assert build.tool == "helm" and build.root == WEB and build.objects == []
    assert build.complete is False
    assert [(n.path, n.line) for n in build.notices][-1] == (f"{WEB}/Chart.yaml", 0)
    assert build.notices[-1].message == ("Helm chart deploy/web not rendered: --helm-engine none; its templates are "
                                         "not scanned")   # chosen: no advice to install what the user turned off


@pytest.mark.parametrize("preference, reason", [
    ("auto", "install the optional extra (pip install 'sovscan[helm]') or put a helm binary on PATH"),
    ("sdk", "the Helm SDK is not installed (pip install 'sovscan[helm]')"),
    ("binary", "no helm binary on PATH"),
    ("none", "--helm-engine none"),
])
def test_why_no_engine_renders_follows_the_preference(preference, reason) -> None:
    assert helm_engines.unavailable(preference) == reason


def test_a_values_file_that_is_not_there_is_a_notice() -> None:
    build = render_chart(WEB, chart_files(), ["values-staging.yaml", "../../../etc/passwd"], engine="none")
    messages = [n.message for n in build.notices if "values file" in n.message]
    assert len(messages) == 2 and "values-staging.yaml" in messages[0] and "etc/passwd" in messages[1]
    assert build.complete is False


@pytest.mark.parametrize("chart_yaml, error", [
    ("apiVersion: v2\nname: [broken\n", "Chart.yaml is not valid YAML"),
    ("apiVersion: v2\nversion: 1.0.0\n", "names no chart"),
    (None, "Chart.yaml not found"),
])
def test_a_bad_chart_yaml_is_a_notice_not_a_crash(chart_yaml: str | None, error: str) -> None:
    files = {"c/templates/a.yaml": "kind: A\n"} | ({"c/Chart.yaml": chart_yaml} if chart_yaml is not None else {})
    build = render_chart("c", files, engine="none")
    assert [(n.path, n.line) for n in build.notices] == [("c/Chart.yaml", 0)]
    assert error in build.notices[0].message and build.complete is False and build.objects == []


SECRET = "s3cr3t-token-value-42"
FAILING = {
    "bad/Chart.yaml": "apiVersion: v2\nname: bad\nversion: 0.1.0\n",
    "bad/values.yaml": f"apiToken: {SECRET}\n",
    "bad/templates/ok.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n",
    "bad/templates/secret.yaml": ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n"
                                  "stringData:\n  token: {{ fail (printf \"token %s rejected\" .Values.apiToken) }}\n"),
}


def test_a_template_error_is_a_notice_on_its_line_with_values_masked(engine: helm_engines.HelmEngine) -> None:
    build = render_chart("bad", FAILING, engine=engine)
    assert [(n.path, n.line) for n in build.notices] == [("bad/templates/secret.yaml", 6)]
    message = build.notices[0].message
    assert message.startswith(f"Helm chart bad not rendered ({engine.name}): ")
    assert SECRET not in message and mask(SECRET) in message and "rejected" in message
    assert build.complete is False and build.objects == []


def test_a_missing_required_value_is_a_notice(engine: helm_engines.HelmEngine) -> None:
    files = dict(FAILING)
    files["bad/templates/secret.yaml"] = "kind: Secret\nname: {{ required \"region is required\" .Values.region }}\n"
    build = render_chart("bad", files, engine=engine)
    assert [(n.path, n.line) for n in build.notices] == [("bad/templates/secret.yaml", 2)]
    assert "region is required" in build.notices[0].message and build.complete is False


def test_values_that_the_chart_schema_rejects_are_a_notice(engine: helm_engines.HelmEngine) -> None:
    files = dict(FAILING)
    files["bad/values.schema.json"] = '{"type": "object", "properties": {"replicas": {"type": "integer"}}}'
    files["bad/values-prod.yaml"] = "replicas: many\n"
    build = render_chart("bad", files, ["values-prod.yaml"], engine=engine)
    assert [(n.path, n.line) for n in build.notices] == [("bad/Chart.yaml", 0)]
    assert "at '/replicas': got string, want integer" in build.notices[0].message and build.complete is False


def test_a_template_that_does_not_render_to_yaml_is_a_notice_without_its_text(engine: helm_engines.HelmEngine) -> None:
    files = dict(FAILING)
    files["bad/templates/secret.yaml"] = "kind: Secret\nstringData:\n  token: {{ .Values.apiToken }}\n  x: a: b\n"
    build = render_chart("bad", files, engine=engine)
    assert [(n.path, n.line) for n in build.notices] == [("bad/templates/secret.yaml", 0)]
    assert "mapping values are not allowed" in build.notices[0].message and SECRET not in build.notices[0].message
    assert build.complete is False


def test_a_template_that_does_arithmetic_on_a_value_still_traces_string_values(engine: helm_engines.HelmEngine) -> None:
    """Sentinel strings break `gt`: the numbers keep their value, strings are still traced."""
    files = {
        "n/Chart.yaml": "apiVersion: v2\nname: n\nversion: 0.1.0\n",
        "n/values.yaml": "replicas: 3\npolicy: Always\n",
        "n/templates/d.yaml": ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\nspec:\n"
                               "  replicas: {{ if gt (int .Values.replicas) 1 }}{{ .Values.replicas }}{{ else }}1{{ end }}\n"
                               "  policy: {{ .Values.policy }}\n"),
    }
    deployment = the(render_chart("n", files, engine=engine), "Deployment")
    assert deployment.values["spec"] == {"replicas": 3, "policy": "Always"}
    assert deployment.places["spec.policy"] == Place("n/values.yaml", 2)
    assert deployment.places["spec.replicas"] == Place("n/templates/d.yaml", 6)


def test_markers_that_would_change_a_document_fall_back_to_document_markers(
        engine: helm_engines.HelmEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fine marking that moves a key (here: a deliberately bad marker that swallows a line) is not used."""
    real_mark = helm.mark

    def swallowing_mark(text: str, file_id: int, documents_only: bool = False) -> str:
        marked = real_mark(text, file_id, documents_only)
        return marked if documents_only else marked.replace("\n  name:", "#  name:", 1)

    monkeypatch.setattr(helm, "mark", swallowing_mark)
    service = the(render_chart(WEB, chart_files(), engine=engine), "Service")
    template = f"{WEB}/templates/service.yaml"
    assert service.places["spec.ports[0].targetPort"] == Place(template, 1)   # the apiVersion line: coarse
    assert service.places["spec.ports[0].port"] == Place(VALUES, line(VALUES, "port: 8080"))


def test_a_kube_version_range_in_chart_yaml_does_not_stop_the_render(engine: helm_engines.HelmEngine) -> None:
    """The binary refuses a range without its default Kubernetes version; sovscan judges the manifests anyway."""
    files = {"k/Chart.yaml": "apiVersion: v2\nname: k\nversion: 0.1.0\nkubeVersion: \">=1.20.0 <1.25.0\"\n",
             "k/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"}
    build = render_chart("k", files, engine=engine)
    assert build.notices == [] and build.complete is True
    assert the(build, "ConfigMap").places["metadata.name"] == Place("k/templates/cm.yaml", 4)


def test_the_temporary_copy_is_removed(engine: helm_engines.HelmEngine, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    build = render_chart(WEB, chart_files(), engine=engine)
    assert build.objects and os.listdir(tmp_path) == []


def test_both_engines_render_the_same_objects_and_places() -> None:
    sdk, binary = helm_engines.sdk_engine(), helm_engines.binary_engine()
    if sdk is None or binary is None:
        pytest.skip("needs both helm-python-sdk and a helm binary")

    def rendered(engine: helm_engines.HelmEngine) -> list:
        build = render_chart(WEB, chart_files(), ["values-prod.yaml"], engine=engine)
        return sorted((repr(o.values), sorted(o.places.items())) for o in build.objects)

    assert rendered(sdk) == rendered(binary)


@pytest.mark.parametrize("paths, roots", [
    (["app/Chart.yaml", "app/templates/a.yaml", "app/charts/db/Chart.yaml", "app/charts/db/charts/x/Chart.yaml"],
     ["app"]),
    (["Chart.yaml", "charts/sub/Chart.yaml", "other/Chart.yaml"], ["", "other"]),
    (["a/Chart.yaml", "b/Chart.yaml", "a/examples/c/Chart.yaml", "a/Chart.yml"], ["a", "a/examples/c", "b"]),
    (["k8s/deploy.yaml", "charts/readme.md"], []),
])
def test_chart_roots_leave_out_vendored_subcharts(paths: list[str], roots: list[str]) -> None:
    assert chart_roots(paths) == roots


@pytest.mark.parametrize("last_words, error", [
    ("fatal error: runtime: out of memory\n", "helm-python-sdk ran out of its 2 GiB memory limit"),
    ("runtime/cgo: pthread_create failed: Resource temporarily unavailable\nSIGABRT: abort\n",
     "helm-python-sdk ran out of its 2 GiB memory limit"),
    ("MemoryError\n", "helm-python-sdk ran out of its 2 GiB memory limit"),
    ("panic: nil map\ngoroutine 1\n", "helm-python-sdk stopped without a result (panic: nil map)"),
    ("", "helm-python-sdk stopped without a result"),
])
def test_a_worker_that_died_is_named_by_its_last_words(tmp_path: Path, last_words: str, error: str) -> None:
    """Whichever way the address-space limit stops Go (its allocator or a thread it cannot map), the
    notice says the memory limit; any other death quotes its first line."""
    (tmp_path / "stderr").write_text(last_words, encoding="utf-8")
    assert helm_engines._reply(str(tmp_path)) == {"error": error}


class _Recording:
    """An engine that renders nothing and keeps which files the chart's copy held."""
    name = "recording"

    def __init__(self) -> None:
        self.seen: list[set[str]] = []

    def render(self, chart_dir: str, values) -> dict[str, str]:
        self.seen.append({os.path.relpath(os.path.join(d, f), chart_dir).replace(os.sep, "/")
                          for d, _, names in os.walk(chart_dir) for f in names})
        return {}


@pytest.mark.parametrize("schema, handed_over", [
    ('{"type": "object", "properties": {"image": {"$ref": "#/definitions/image"}}, '
     '"definitions": {"image": {"type": "string"}}}', True),
    ('{"$schema": "http://json-schema.org/draft-07/schema#", "type": "object"}', True),
    ('{"$ref": "file:///etc/passwd"}', False),
    ('{"properties": {"image": {"$ref": "http://127.0.0.1:9/schema.json"}}}', False),
    ('{"allOf": [{"$ref": "../other/values.schema.json"}]}', False),
    ('{"$schema": "http://127.0.0.1:9/meta", "type": "object"}', False),
    ('{"$ref": ' * 2000 + '"#"' + '}' * 2000, False),       # deeper than can be looked through
    ('not json', False),
])
def test_a_values_schema_that_refers_to_another_document_is_not_handed_to_helm(schema, handed_over):
    files = {f"{WEB}/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n", f"{WEB}/values.yaml": "a: 1\n",
             f"{WEB}/values.schema.json": schema}
    recording = _Recording()
    build = render_chart(WEB, files, engine=recording)
    assert ("values.schema.json" in recording.seen[0]) == handed_over     # the plain render (sentinels go without)
    assert any("values schema" in n.message for n in build.notices) != handed_over
