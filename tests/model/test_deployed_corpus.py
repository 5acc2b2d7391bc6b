"""Opt-in: real repositories judged as deployed (their kustomizations and charts rendered).

    SOVSCAN_CORPUS=/work/corpus pytest tests/model/test_deployed_corpus.py -rs

MinBZK/ai-validation-infra is the case issue 13 was filed on: patches judged as whole objects, `images:`
rewrites, namespaces and name prefixes ignored. None of those claims may come back.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.model import helm_engines
from scanner.notices import UNRENDERED

CORPUS = os.environ.get("SOVSCAN_CORPUS", "")
pytestmark = pytest.mark.skipif(not CORPUS, reason="opt-in: set SOVSCAN_CORPUS to the corpus directory")
NO_ENGINE = helm_engines.choose("auto") is None


def repository(name: str) -> Path:
    path = Path(CORPUS, name)
    if not path.is_dir():
        pytest.skip(f"{name} is not in the corpus")
    return path


@pytest.fixture(scope="module")
def minbzk(catalogue):
    from scanner.config import Config
    from scanner.pipeline import ScanRequest, scan
    result, _ = scan(ScanRequest((str(repository("MinBZK__ai-validation-infra")),), tuple(catalogue), Config()))
    return result


def test_minbzk_patches_are_not_judged_as_whole_objects(minbzk):
    patch = [f for f in minbzk.findings if f.path.endswith("minio-backup-patch.yaml")]
    # the sidecar container the patch adds is judged on its lines; the Deployment the patch names is not
    assert {f.line for f in patch} == {10, 11}
    assert not [f for f in minbzk.findings if f.policy_id == "WL-035"]


def test_minbzk_images_rewritten_by_the_overlays_are_not_judged_as_written_in_the_base(minbzk):
    images = [f for f in minbzk.findings if f.policy_id in ("EXIT-009", "EXIT-010")]
    assert not [f for f in images if "-image" in f.message]
    production = [f for f in images if f.path == "apps/amt/overlays/production/kustomization.yaml"]
    assert [f.policy_id for f in production] == ["EXIT-010"]   # pinned by digest: only the registry is reported


def test_minbzk_objects_are_addressed_and_related_within_their_own_build(minbzk):
    assert not [f for f in minbzk.findings if "/default/" in f.address or "HorizontalPodAutoscaler hpa" in f.message]
    assert not [f for f in minbzk.findings if "$patch" in f.message or f.path.endswith("kustomization.yaml")
                and f.policy_id not in ("EXIT-009", "EXIT-010", "WL-010", "WL-021")]
    assert minbzk.notices == []


@pytest.mark.skipif(NO_ENGINE, reason="no Helm engine: install the helm extra (pip install 'sovscan[helm]')")
@pytest.mark.parametrize("name, chart", [
    ("GoogleCloudPlatform__microservices-demo", "helm-chart"),
    ("madhuakula__kubernetes-goat", "scenarios/metadata-db"),
])
def test_corpus_charts_are_rendered_and_judged_in_their_templates(run_scan, name, chart):
    result = run_scan(repository(name), ("WL-010", "WL-030", "EXIT-009"))
    in_chart = [f for f in result.findings if f.path.startswith(chart + "/")]
    assert in_chart and all(f.path.startswith(f"{chart}/templates/") or f.path == f"{chart}/values.yaml" for f in in_chart)
    assert not [n for n in result.notices if n.kind == UNRENDERED and n.path.startswith(chart + "/")]


@pytest.mark.parametrize("name, charts", [
    ("GoogleCloudPlatform__microservices-demo", ["helm-chart/Chart.yaml"]),
    ("madhuakula__kubernetes-goat", ["infrastructure/helm-tiller/pwnchart/Chart.yaml", "scenarios/metadata-db/Chart.yaml"]),
])
def test_without_an_engine_each_corpus_chart_is_an_unrendered_notice(run_scan, name, charts):
    result = run_scan(repository(name), ("WL-001",), helm_engine="none")
    assert sorted(n.path for n in result.notices if n.kind == UNRENDERED) == charts
    assert not [n for n in result.notices if "Helm/Go template" in n.message]
