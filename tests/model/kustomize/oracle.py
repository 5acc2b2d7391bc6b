"""kustomize as the oracle: run `kubectl kustomize` on a directory and compare its objects with ours."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from scanner.parse.yaml import parse_text

KUBECTL = shutil.which("kubectl")
ABSENT = "kubectl is not on PATH: the kustomize oracle (kubectl kustomize) is unavailable"


def kubectl_objects(directory: Path) -> list[dict] | str:
    """kubectl's rendered objects, or its error text when kustomize refuses the build."""
    assert KUBECTL is not None
    done = subprocess.run([KUBECTL, "kustomize", str(directory)], capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        return done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"exit {done.returncode}"
    return [d.values for d in parse_text("kubectl-output.yaml", done.stdout) if isinstance(d.values, dict)]


def identity(obj: dict) -> tuple:
    metadata = obj.get("metadata") or {}
    return (obj.get("apiVersion"), obj.get("kind"), metadata.get("namespace"), metadata.get("name"))


def differences(ours: list[dict], theirs: list[dict]) -> list[str]:
    """Field-by-field differences, objects matched by apiVersion, kind, namespace and name (any order)."""
    mine, oracle = {identity(o): o for o in ours}, {identity(o): o for o in theirs}
    found = [f"only kubectl renders {k}" for k in oracle if k not in mine]
    found += [f"only sovscan renders {k}" for k in mine if k not in oracle]
    for key in mine.keys() & oracle.keys():
        found += [f"{key[1]}/{key[3]} {d}" for d in _diff(mine[key], oracle[key], "")]
    return sorted(found)


def _diff(a: object, b: object, path: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            where = f"{path}.{key}" if path else str(key)
            if key not in a or key not in b:
                out.append(f"{where}: sovscan {a.get(key)!r:.80} kubectl {b.get(key)!r:.80}")
            else:
                out += _diff(a[key], b[key], where)
        return out
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{path}[{i}]")]
    if a != b or type(a) is not type(b):
        return [f"{path}: sovscan {a!r:.80} kubectl {b!r:.80}"]
    return []
