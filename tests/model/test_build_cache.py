"""The build cache: a Kustomize build or a Helm chart whose files did not change is not rendered again, and the
scan's result is the one rendering everything gives; a changed file, a file that appears where a build looked
for one, another Helm engine or a damaged entry renders again; a build that read a file changed during the
scan leaves no entry; and a build reads back exactly as it was rendered."""
from __future__ import annotations

import datetime
import json
import os
import random
from pathlib import Path

import pytest

from scanner.cachedir import CacheDirectory, sealed, verified_body
from scanner.config import Config
from scanner.evaluate import policies as policy_module
from scanner.evaluate import selection
from scanner.model import build_cache, helm
from scanner.model.helm_engines import RenderFailure
from scanner.model.build_cache import decode_build, encode_build
from scanner.model.kustomize import render_all
from scanner.model.rendered import Place, RenderedBuild, RenderedObject
from scanner.model.terraform.cache import model_fingerprint
from scanner.notices import Notice
from scanner.parse import texts as texts_module
from scanner.pipeline import ScanRequest, scan

TODAY = datetime.date(2026, 6, 1)
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
          securityContext:
            privileged: {privileged}
"""
TREE = {
    "deploy/base/kustomization.yaml": "resources:\n- web.yaml\n",
    "deploy/base/web.yaml": DEPLOYMENT.format(privileged="false"),
    "deploy/prod/kustomization.yaml": "resources:\n- ../base\nnamespace: prod\n",
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "chart/values.yaml": "replicas: 1\n",
    "chart/templates/web.yaml": DEPLOYMENT.format(privileged="false"),
}


class PlainEngine:
    """Renders a chart whose templates are plain YAML: each template as written. Counts its renders."""
    name = "plain"

    def __init__(self) -> None:
        self.renders = 0

    def render(self, chart_dir: str, values: list[str]) -> dict[str, str]:
        self.renders += 1
        templates = Path(chart_dir, "templates")
        return {f"web/templates/{p.name}": p.read_text(encoding="utf-8") for p in sorted(templates.glob("*.yaml"))}


class FailingAfterFirst(PlainEngine):
    """Renders a chart once, then fails: as when the marked or sentinel renders hit a limit."""

    def render(self, chart_dir: str, values: list[str]) -> dict[str, str]:
        if self.renders:
            self.renders += 1
            raise RenderFailure("timed out after 60 s")
        return super().render(chart_dir, values)


@pytest.fixture
def engine(monkeypatch) -> PlainEngine:
    plain = PlainEngine()
    monkeypatch.setattr(helm, "choose", lambda preference="auto": plain)
    monkeypatch.setattr(build_cache, "choose", lambda preference="auto": plain)
    monkeypatch.setattr(build_cache, "engine_identity", lambda chosen: ["plain", chosen.name])
    return plain


@pytest.fixture
def rendered(monkeypatch) -> list[str]:
    """The roots of the Kustomize builds rendered, not read from the cache."""
    roots: list[str] = []
    render_root = build_cache.render_root

    def counting(files, root):
        roots.append(root)
        return render_root(files, root)
    monkeypatch.setattr(build_cache, "render_root", counting)
    return roots


@pytest.fixture(scope="module")
def policies():
    return tuple(selection.select(policy_module.load(()), ()))


def _scan(root: Path, policies, cache: Path | None):
    return scan(ScanRequest((str(root),), policies, Config(), today=TODAY,
                            cache=None if cache is None else CacheDirectory(str(cache))))[0]


def _edit(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")
    (root / "README.md").write_text(f"# {random.random()}\n")   # and the whole scan's result is not the cached one


def _privileged(result) -> list[tuple[str, int]]:
    return sorted((f.path, f.line) for f in result.findings if f.policy_id == "WL-001")


def _in_builds(result) -> list:
    """The workload findings (on the builds' objects)."""
    return [f for f in result.findings if f.policy_id.startswith("WL-")]


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "builds").rglob("*.json"))


def test_unchanged_builds_are_not_rendered_again_and_the_result_is_the_same(write, tmp_path, policies, engine,
                                                                               rendered):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    assert (rendered, engine.renders > 0) == (["deploy/prod"], True)
    rendered.clear()
    engine.renders = 0
    _edit(root, "notes.md", "# notes\n")
    warm = _scan(root, policies, tmp_path / "c")
    assert (rendered, engine.renders) == ([], 0)
    assert warm.findings == _scan(root, policies, None).findings
    assert _in_builds(warm) == _in_builds(cold) and _in_builds(cold)
    assert len(_entries(tmp_path / "c")) == 2


@pytest.mark.parametrize("change", ["base", "absent file appears", "values"])
def test_a_change_to_what_a_build_read_renders_it_again(write, tmp_path, policies, engine, rendered, change):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    assert not _privileged(cold)
    rendered.clear()
    engine.renders = 0
    if change == "base":
        _edit(root, "deploy/base/web.yaml", DEPLOYMENT.format(privileged="true"))
    elif change == "absent file appears":   # the build looked for kustomization.yml beside kustomization.yaml
        _edit(root, "deploy/base/kustomization.yml", TREE["deploy/base/kustomization.yaml"])
    else:
        _edit(root, "chart/values.yaml", "replicas: 2\n")
    warm = _scan(root, policies, tmp_path / "c")
    assert (rendered, engine.renders > 0) == ((["deploy/prod"], False) if change != "values" else ([], True))
    assert warm.findings == _scan(root, policies, None).findings
    assert warm.notices == _scan(root, policies, None).notices
    if change == "base":
        assert _privileged(warm) == [("deploy/base/web.yaml", 12)]
    if change == "absent file appears":
        assert any("multiple kustomization files" in n.message for n in warm.notices)


def test_another_helm_engine_renders_the_chart_again(write, tmp_path, policies, engine, monkeypatch):
    root = write(TREE, tmp_path / "repo")
    _scan(root, policies, tmp_path / "c")
    engine.renders = 0
    monkeypatch.setattr(build_cache, "engine_identity", lambda chosen: ["plain", chosen.name, "v2"])
    _edit(root, "notes.md", "# notes\n")
    _scan(root, policies, tmp_path / "c")
    assert engine.renders > 0


def test_a_chart_a_render_of_which_failed_is_rendered_again(write, tmp_path, policies, monkeypatch):
    """Its places fell back to coarser ones, perhaps because a render hit its time limit: not remembered."""
    flaky = FailingAfterFirst()
    monkeypatch.setattr(build_cache, "choose", lambda preference="auto": flaky)
    monkeypatch.setattr(build_cache, "engine_identity", lambda chosen: ["flaky"])
    root = write(TREE, tmp_path / "repo")
    _scan(root, policies, tmp_path / "c")
    assert flaky.renders > 1
    flaky.renders = 0
    _edit(root, "notes.md", "# notes\n")
    _scan(root, policies, tmp_path / "c")
    assert flaky.renders > 1 and len(_entries(tmp_path / "c")) == 1     # the Kustomize build's alone


def test_without_a_helm_engine_a_chart_is_not_remembered(write, tmp_path, policies, monkeypatch):
    monkeypatch.setattr(build_cache, "choose", lambda preference="auto": None)
    monkeypatch.setattr(helm, "choose", lambda preference="auto": None)
    root = write(TREE, tmp_path / "repo")
    result = _scan(root, policies, tmp_path / "c")
    assert any("chart not rendered" in n.message or "not rendered" in n.message for n in result.notices)
    assert len(_entries(tmp_path / "c")) == 1


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign", "resealed"])
def test_a_damaged_entry_is_rendered_again(write, tmp_path, policies, engine, rendered, damage):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    entries = _entries(tmp_path / "c")
    originals = [entry.read_bytes() for entry in entries]
    for entry, other in zip(entries, reversed(originals)):
        data = bytearray(entry.read_bytes())
        if damage == "flip":
            data[len(data) // 2] ^= 0x55
        elif damage == "truncate":
            data = data[: len(data) // 2]
        elif damage == "foreign":   # a valid entry of the other build under this build's name
            data = bytearray(other)
        else:   # the other build's body sealed with this build's key: only what it says tells it apart
            other_key = json.loads(other.partition(b"\n")[0])["key"]
            body = verified_body(other, other_key, build_cache.FORMAT)
            kept = json.loads(body)
            data = bytearray(sealed(json.dumps(kept["build"] if isinstance(kept, dict) else
                                               {"asked": [], "build": kept}).encode(), entry.stem, build_cache.FORMAT))
        entry.write_bytes(bytes(data))
    rendered.clear()
    engine.renders = 0
    _edit(root, "notes.md", "# notes\n")
    warm = _scan(root, policies, tmp_path / "c")
    assert (rendered, engine.renders > 0) == (["deploy/prod"], True)
    assert warm.findings == _scan(root, policies, None).findings
    assert _in_builds(warm) == _in_builds(cold)


def test_a_build_that_read_a_file_changed_during_the_scan_leaves_no_entry(write, tmp_path, policies, engine,
                                                                          monkeypatch):
    root = write(TREE, tmp_path / "repo")
    read_again = texts_module.read_again

    def changed(source, digest):
        return None if source.path in ("deploy/base/web.yaml", "chart/templates/web.yaml") else read_again(source, digest)
    monkeypatch.setattr(texts_module, "read_again", changed)
    result = _scan(root, policies, tmp_path / "c")
    assert {"deploy/base/web.yaml", "chart/templates/web.yaml"} <= {n.path for n in result.notices}
    assert _entries(tmp_path / "c") == []


def test_a_build_reads_back_as_it_was_rendered():
    files = {"app/kustomization.yaml": "resources:\n- web.yaml\nnamespace: ns\ncommonLabels:\n  tier: web\n",
             "app/web.yaml": DEPLOYMENT.format(privileged="true") + "  when: 2026-01-02\n  1: one\n"}
    [build] = render_all(files)
    assert build.objects and decode_build(encode_build(build)) == build
    made = RenderedBuild("chart", "helm", [RenderedObject({"kind": "ConfigMap", "data": {"at": datetime.datetime(
        2026, 1, 2, 3, 4, tzinfo=datetime.timezone.utc)}}, {"": Place("chart/templates/c.yaml", 1)},
        Place("chart/templates/c.yaml", 1), "chart")], frozenset({"chart/Chart.yaml"}),
        [Notice("chart/Chart.yaml", 0, "Helm dependency db is not vendored")], False, True)
    assert decode_build(encode_build(made)) == made


def test_the_cache_holds_data_only(write, tmp_path, policies, engine):
    root = write(TREE, tmp_path / "repo")
    _scan(root, policies, tmp_path / "c")
    for entry in _entries(tmp_path / "c"):
        header, _, _ = entry.read_bytes().partition(b"\n")
        assert b"sovscan-build-cache/1" in header
        assert os.stat(entry).st_mode & 0o111 == 0


def test_the_fingerprint_follows_the_data_kustomize_renders_with(monkeypatch):
    """A build is keyed by sovscan's fingerprint, which reads its data files too (merge keys, built-in field
    specs), not only its source."""
    before = model_fingerprint()
    read_bytes = Path.read_bytes
    monkeypatch.setattr(Path, "read_bytes", lambda self: read_bytes(self) + (
        b"\n# another merge key" if self.name == "openapi_merge_keys.yaml" else b""))
    assert model_fingerprint() != before
