"""Bad input never crashes the scan and never hides the other files' findings."""
from __future__ import annotations

import json
import os

from scanner import cli

GOOD = 'resource "azurerm_resource_group" "rg" {\n  location = "eastus"\n}\n'
BOMB = "apiVersion: v1\nkind: ConfigMap\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))


def test_scan_survives_every_kind_of_bad_input(write, tmp_path, monkeypatch, capsys):
    root = write({
        "good/main.tf": GOOD,
        "bad/malformed.tf": 'resource "x" "y" {\n  a = \n',
        "bad/malformed.yaml": "apiVersion: v1\nkind: Pod\nspec: [\n",
        "bad/empty.tf": "",
        "bad/empty.yaml": "",
        "bad/binary.tf": b"\x7fELF\x00\x00\x01\x02",
        "bad/latin1.tf": 'resource "a" "b" { name = "caf\xe9" }\n'.encode("latin-1"),
        "bad/bomb.yaml": BOMB,
        "bad/deep.json": '{"apiVersion": "v1", "kind": "X", "a": ' + "[" * 5000 + "]" * 5000 + "}",
        "bad/deep.tf": "a = " + "[" * 3000 + "]" * 3000 + "\n",
        "bad/module-loop/main.tf": 'module "self" {\n  source = "../module-loop"\n}\n',
    })
    os.symlink(root / "bad", root / "bad" / "loop")
    os.symlink(root / "bad" / "nothing.tf", root / "bad" / "unreadable.tf")
    monkeypatch.chdir(root)
    code = cli.main(["scan", ".", "--only", "RES-001", "-f", "json=out.json", "-f", "text"])
    out = capsys.readouterr().out
    assert code == 1
    data = json.loads((root / "out.json").read_text())
    assert [(f["path"], f["policy_id"]) for f in data["findings"]] == [("good/main.tf", "RES-001")]
    noticed = {n["path"] for n in data["notices"]}
    assert {"bad/malformed.tf", "bad/malformed.yaml", "bad/binary.tf", "bad/latin1.tf", "bad/bomb.yaml",
            "bad/loop", "bad/unreadable.tf"} <= noticed
    assert "notice: bad/malformed.tf:" in out


def test_hostile_kustomizations_and_charts_are_notices_and_the_rest_is_still_judged(write, monkeypatch, capsys):
    kustomization = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
    root = write({
        "good/main.tf": GOOD,
        "k/bomb/kustomization.yaml": BOMB.replace("kind: ConfigMap", "kind: Kustomization"),
        "k/loop-a/kustomization.yaml": kustomization + "resources: [../loop-b]\n",
        "k/loop-b/kustomization.yaml": kustomization + "resources: [../loop-a]\n",
        "k/escape/kustomization.yaml": kustomization + "resources: [../../../../etc/passwd]\n",
        "k/broken/kustomization.yaml": kustomization + "resources: [\n",
        "charts/bad/Chart.yaml": "apiVersion: v2\nname: [\n",
        "charts/bad/templates/x.yaml": "{{ .Values.nope.deeper }}\n",
    })
    monkeypatch.chdir(root)
    code = cli.main(["scan", ".", "--only", "RES-001", "-f", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["path"], f["policy_id"]) for f in data["findings"]] == [("good/main.tf", "RES-001")]
    unrendered = {n["path"].split("/")[1] for n in data["notices"] if n["kind"] == "unrendered"}
    assert {"bomb", "loop-a", "escape", "broken", "bad"} <= unrendered


def test_a_tree_nested_deeper_than_python_can_walk_is_cut_off_with_a_notice(tmp_path, capsys):
    """A committed tree of a thousand levels used to exhaust the recursion of os.walk: exit 3, nothing reported."""
    (tmp_path / "main.tf").write_text("resource \"azurerm_storage_account\" \"s\" {\n  location = \"eastus\"\n}\n")
    deep = tmp_path
    for _ in range(1000):
        deep = deep / "d"
        deep.mkdir()
    (deep / "main.tf").write_text("resource \"azurerm_storage_account\" \"s\" {\n  location = \"eastus\"\n}\n")
    sarif = tmp_path / "out.sarif"
    try:
        code = cli.main(["scan", str(tmp_path), "--only", "RES-001", "-f", "text", "-f", f"sarif={sarif}"])
        out = capsys.readouterr().out
        assert code == 1 and "RES-001" in out and "nested deeper than 128 directories" in out and sarif.exists()
        assert cli.main(["scan", str(tmp_path), "--only", "RES-001", "--cache-dir", str(tmp_path.parent / "c")]) == 1
    finally:      # from the bottom up: pytest's own clean-up of old temporary directories recurses as os.walk did
        (deep / "main.tf").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent
