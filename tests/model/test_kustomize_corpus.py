"""Opt-in: every kustomization of the real-world corpus, rendered by kubectl and by sovscan.

    SOVSCAN_CORPUS=/work/corpus pytest tests/model/test_kustomize_corpus.py -rs

A build kustomize renders and sovscan renders completely must match field by field; a build sovscan marks
incomplete must say why in a notice (an unsupported feature is not a mismatch); a build kustomize refuses
must not be reported complete by sovscan either.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from scanner.model.kustomize import Files, build_roots, render_root
from tests.model.kustomize.oracle import ABSENT, KUBECTL, differences, kubectl_objects

REPOSITORIES = ("MinBZK__ai-validation-infra", "GoogleCloudPlatform__microservices-demo",
                "argoproj__argocd-example-apps", "prometheus-operator__kube-prometheus", "madhuakula__kubernetes-goat")
CORPUS = os.environ.get("SOVSCAN_CORPUS", "")


def _texts(repository: Path) -> dict[str, str]:
    texts = {}
    for directory, folders, names in os.walk(repository):
        folders[:] = [f for f in folders if f != ".git"]
        for name in names:
            path = Path(directory, name)
            if path.is_symlink() or not path.is_file():
                continue
            try:
                texts[path.relative_to(repository).as_posix()] = path.read_text("utf-8")
            except (UnicodeDecodeError, OSError):
                continue
    return texts


_FILES: dict[str, tuple[dict[str, str], Files]] = {}


def _files(repository: str) -> tuple[dict[str, str], Files]:
    if repository not in _FILES:
        texts = _texts(Path(CORPUS, repository))
        _FILES[repository] = (texts, Files(texts))
    return _FILES[repository]


def _builds() -> list[tuple[str, str]]:
    if not CORPUS:
        return []
    found = []
    for repository in REPOSITORIES:
        if Path(CORPUS, repository).is_dir():
            found += [(repository, root) for root in build_roots(_files(repository)[0])]
    return found


@pytest.mark.skipif(not CORPUS, reason="opt-in: set SOVSCAN_CORPUS to the corpus directory")
@pytest.mark.skipif(KUBECTL is None, reason=ABSENT)
@pytest.mark.parametrize("repository,root", _builds() or [("none", "")])
def test_corpus_kustomization_matches_kubectl(repository, root, record_property):
    if repository == "none":
        pytest.skip("no kustomization found in the corpus repositories")
    _, files = _files(repository)
    build = render_root(files, root)
    theirs = kubectl_objects(Path(CORPUS, repository, root))
    if isinstance(theirs, str):
        record_property("verdict", f"kubectl refuses: {theirs}")
        assert not build.complete and build.notices, "kubectl refuses this build; sovscan must not call it complete"
        return
    if not build.complete:
        reasons = "; ".join(f"{n.path}:{n.line} {n.message}" for n in build.notices)
        record_property("verdict", f"unsupported: {reasons}")
        pytest.skip(f"not supported by sovscan: {reasons}")
    record_property("verdict", "match")
    assert differences([o.values for o in build.objects], theirs) == []
