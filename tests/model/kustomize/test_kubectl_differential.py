"""Every fixture kustomization rendered by `kubectl kustomize` and by sovscan: the same objects, field by field."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from scanner.model.kustomize import Files, render_root
from tests.model.kustomize.cases import CASES, ORACLE_ONLY
from tests.model.kustomize.oracle import ABSENT, KUBECTL, differences, identity, kubectl_objects

ALL = {**CASES, **ORACLE_ONLY}


@pytest.fixture(scope="module")
def oracle(tmp_path_factory) -> dict[str, list[dict] | str]:
    """kubectl's output for every case, the kubectl runs in parallel (each takes a while to start)."""
    directories = {}
    for case, (root, files) in ALL.items():
        base = tmp_path_factory.mktemp(case)
        for name, text in files.items():
            Path(base, name).parent.mkdir(parents=True, exist_ok=True)
            Path(base, name).write_text(text, encoding="utf-8")
        directories[case] = base / root
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(directories, pool.map(kubectl_objects, directories.values())))


@pytest.mark.skipif(KUBECTL is None, reason=ABSENT)
@pytest.mark.parametrize("case", sorted(ALL))
def test_sovscan_renders_what_kubectl_kustomize_renders(case, oracle):
    root, files = ALL[case]
    theirs = oracle[case]
    assert not isinstance(theirs, str), f"kubectl refused the fixture: {theirs}"
    build = render_root(Files(files), root)
    ours = [o.values for o in build.objects]
    assert build.complete and differences(ours, theirs) == []
    assert [identity(o) for o in ours] == [identity(o) for o in theirs]   # kustomize's legacy output order too
