"""The outcome cache: after a change, the checks that judge a resource alone replay what they concluded on
the Terraform roots and file directories the change left as they were, and the result is the one judging
everything gives, in the same order; another configuration, policy selection or date judges again; a
damaged or malformed entry is judged again; a file that changed during the scan leaves no entry; and no
predicate said to judge the resource alone reads the rest of the model."""
from __future__ import annotations

import ast
import dataclasses
import datetime
import inspect
import json
import random
import string
import textwrap
from pathlib import Path

import pytest

from scanner.cachedir import CacheDirectory, sealed
from scanner.config import Config
from scanner.evaluate import engine, result_codec, selection
from scanner.evaluate import policies as policy_module
from scanner.evaluate.outcome_cache import FORMAT, OutcomeCache, Units, unit_name
from scanner.evaluate.predicates import PREDICATES
from scanner.evaluate.result import Finding
from scanner.model.resource import Model, Resource
from scanner.parse import texts as texts_module
from scanner.pipeline import ScanRequest, scan

TODAY = datetime.date(2026, 6, 1)
RANDOM = random.Random(5)
TOKEN = "ghp_" + "".join(RANDOM.choice(string.ascii_letters + string.digits) for _ in range(36))


def bucket(name: str, location: str) -> str:
    return f'resource "google_storage_bucket" "{name}" {{\n  name     = "{name}"\n  location = "{location}"\n}}\n'


TREE = {"envs/a/main.tf": bucket("a", "US"), "envs/b/main.tf": bucket("b", "europe-west4"),
        "docs/notes.md": f"# notes\n\ntoken: {TOKEN}\n", "docs/other.md": "# nothing here\n"}


@pytest.fixture(scope="module")
def policies():
    return tuple(selection.select(policy_module.load(()), ()))


def _scan(root: Path, policies, cache: Path | None, config: Config | None = None, today=TODAY):
    return scan(ScanRequest((str(root),), policies, config or Config(), today=today,
                            cache=None if cache is None else CacheDirectory(str(cache))))[0]


@pytest.fixture
def judged(monkeypatch):
    """(policy, resource path) of every check judged, not replayed, that judges its resource alone."""
    calls: list[tuple[str, str]] = []
    check = engine._Run.check

    def counting(self, policy, checked, resource, mode):
        if engine.judges_alone(checked) and unit_name(resource) is not None:
            calls.append((policy.id, resource.path))
        return check(self, policy, checked, resource, mode)
    monkeypatch.setattr(engine._Run, "check", counting)
    return calls


def _edit(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)
    (root / "README.md").write_text(f"# {random.random()}\n")   # and the whole scan's result is not the cached one


def test_a_change_in_one_root_judges_that_root_again_and_replays_the_others(write, tmp_path, policies, judged):
    root = write(TREE, tmp_path / "repo")
    _scan(root, policies, tmp_path / "c")
    assert {path for _, path in judged} >= {"envs/a/main.tf", "envs/b/main.tf", "docs/notes.md"}
    judged.clear()
    _edit(root, "envs/a/main.tf", bucket("a", "europe-west4"))
    warm = _scan(root, policies, tmp_path / "c")
    assert {path for _, path in judged} == {"envs/a/main.tf", "README.md"}
    assert warm == _scan(root, policies, None)
    assert [(f.path, f.line, f.policy_id) for f in warm.findings if f.policy_id in ("RES-001", "SEC-002")] == [
        ("docs/notes.md", 3, "SEC-002")]


def test_replayed_outcomes_are_the_judged_ones_in_the_same_order(write, tmp_path, policies, judged):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    _edit(root, "docs/other.md", "# still nothing\n")
    judged.clear()
    warm = _scan(root, policies, tmp_path / "c")
    assert {path for _, path in judged} == {"docs/other.md", "docs/notes.md", "README.md"}   # docs/ is one unit
    assert warm.findings == cold.findings and warm.unresolved == cold.unresolved
    uncached = _scan(root, policies, None)
    assert warm.passed == uncached.passed and warm.checks == uncached.checks
    assert ("envs/a/main.tf", 3, "RES-001") in [(f.path, f.line, f.policy_id) for f in warm.findings]


@pytest.mark.parametrize("other", ["configuration", "selection", "date"])
def test_another_configuration_selection_or_date_judges_again(write, tmp_path, policies, judged, other):
    root = write(TREE, tmp_path / "repo")
    _scan(root, policies, tmp_path / "c")
    judged.clear()
    config, chosen, today = Config(), policies, TODAY
    if other == "configuration":
        config = Config(deny_regions=("europe-west4",))
    elif other == "selection":
        chosen = tuple(p for p in policies if p.id != "RES-013")
    else:
        today = TODAY + datetime.timedelta(days=1)
    again = _scan(root, chosen, tmp_path / "c", config, today)
    assert {"envs/a/main.tf", "envs/b/main.tf", "docs/notes.md"} <= {path for _, path in judged}
    assert again == _scan(root, chosen, None, config, today)
    if other == "configuration":
        assert ("envs/b/main.tf", 3, "RES-001") in [(f.path, f.line, f.policy_id) for f in again.findings]


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("outcomes/*/*.json"))


@pytest.mark.parametrize("damage", ["flip", "truncate", "malformed row", "finding of the wrong type", "not a list",
                                    "another unit's resource"])
def test_a_damaged_or_malformed_entry_is_judged_again(write, tmp_path, policies, judged, damage):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    entries = _entries(tmp_path / "c")
    assert len(entries) == 5          # the roots envs/a and envs/b; the files of envs/a, envs/b and docs
    for entry in entries:
        raw = entry.read_bytes()
        key = entry.stem
        if damage == "flip":
            middle = len(raw) * 3 // 4
            entry.write_bytes(raw[:middle] + bytes([raw[middle] ^ 0x40]) + raw[middle + 1:])
        elif damage == "truncate":
            entry.write_bytes(raw[: len(raw) - 7])
        elif damage == "malformed row":
            entry.write_bytes(sealed(b'[["RES-001", 0, "google_storage_bucket"]]', key, FORMAT))
        elif damage == "finding of the wrong type":
            finding = _with(result_codec.plain(cold.findings[0]), "policy_id", 1)   # a number, not a policy id
            entry.write_bytes(sealed(b'[["RES-001",0,"google_storage_bucket","google_storage_bucket.a","envs/a/main.tf",'
                                     b'1,1,0,' + json.dumps([finding]).encode() + b',[]]]', key, FORMAT))
        elif damage == "not a list":
            entry.write_bytes(sealed(b'{"rows": []}', key, FORMAT))
        else:
            entry.write_bytes(sealed(b'[["RES-001",0,"google_storage_bucket","google_storage_bucket.z","envs/z/main.tf",'
                                     b'1,1,1,[],[]]]', key, FORMAT))
    judged.clear()
    _edit(root, "README.md", "# edited\n")
    warm = _scan(root, policies, tmp_path / "c")
    assert {"envs/a/main.tf", "envs/b/main.tf", "docs/notes.md"} <= {path for _, path in judged}
    assert warm.findings == cold.findings and warm.passed == _scan(root, policies, None).passed


def _forge(cache: Path, rows: list[list]) -> None:
    """Every entry replaced by a sealed one holding `rows` (what another job with write access could do)."""
    for entry in _entries(cache):
        entry.write_bytes(sealed(json.dumps(rows).encode(), entry.stem, FORMAT))


def _with(finding: list, name: str, value: object) -> list:
    """A finding as the codec writes it (its fields' values, in order) with one field's value replaced."""
    names = [f.name for f in dataclasses.fields(Finding)]
    return [value if field == name else item for field, item in zip(names, finding)]


def test_a_forged_finding_a_report_could_not_show_is_judged_again(write, tmp_path, policies, judged):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    finding = result_codec.plain(next(f for f in cold.findings if f.policy_id == "RES-001"))
    _forge(tmp_path / "c", [["RES-001", 0, "google_storage_bucket", "google_storage_bucket.a", "envs/a/main.tf", 1,
                             1, 0, [_with(finding, "level", "catastrophic")], []]])
    judged.clear()
    _edit(root, "README.md", "# edited\n")
    warm = _scan(root, policies, tmp_path / "c")
    assert ("RES-001", "envs/a/main.tf") in judged
    assert warm.findings == cold.findings


def test_a_forged_finding_with_text_no_report_could_write_is_judged_again(write, tmp_path, policies):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    finding = result_codec.plain(next(f for f in cold.findings if f.policy_id == "RES-001"))
    _forge(tmp_path / "c", [["RES-001", 0, "google_storage_bucket", "google_storage_bucket.a", "envs/a/main.tf", 1,
                             1, 0, [_with(finding, "message", "\ud800")], []]])
    _edit(root, "README.md", "# edited\n")
    assert _scan(root, policies, tmp_path / "c").findings == cold.findings
    with pytest.raises(result_codec.Malformed):
        result_codec.typed(json.loads('"\\ud800"'), str)


def test_a_forged_count_of_passes_is_judged_again_not_replayed(write, tmp_path, policies, judged):
    root = write(TREE, tmp_path / "repo")
    cold = _scan(root, policies, tmp_path / "c")
    rows = [[p.id, n, "google_storage_bucket", f"google_storage_bucket.{x}", f"envs/{x}/main.tf", 1, 10 ** 12,
             10 ** 12, [], []] for p in policies for n, _ in enumerate(p.checks) for x in "ab"]
    _forge(tmp_path / "c", rows)
    judged.clear()
    _edit(root, "README.md", "# edited\n")
    warm = _scan(root, policies, tmp_path / "c")
    assert ("RES-001", "envs/a/main.tf") in judged and ("CMK-001", "envs/b/main.tf") in judged
    in_roots = [f for f in cold.findings if f.path.startswith("envs/") and f.policy_id != "SEC-002"]
    assert [f for f in warm.findings if f.path.startswith("envs/") and f.policy_id != "SEC-002"] == in_roots
    assert len(warm.passed) <= len(_scan(root, policies, None).passed)


def test_a_file_that_changed_during_the_scan_leaves_no_entry_for_its_directory(write, tmp_path, policies,
                                                                               monkeypatch):
    root = write(TREE, tmp_path / "repo")
    read_again = texts_module.read_again

    def changed(source, digest):
        return None if source.path == "docs/notes.md" else read_again(source, digest)
    monkeypatch.setattr(texts_module, "read_again", changed)
    result = _scan(root, policies, tmp_path / "c")
    assert "docs/notes.md" in {n.path for n in result.notices}
    assert len(_entries(tmp_path / "c")) == 4          # not the files of docs/, judged with an empty text
    monkeypatch.setattr(texts_module, "read_again", read_again)
    _edit(root, "README.md", "# edited\n")
    again = _scan(root, policies, tmp_path / "c")
    assert ("docs/notes.md", 3, "SEC-002") in [(f.path, f.line, f.policy_id) for f in again.findings]


def test_resources_an_entry_could_not_tell_apart_are_judged_every_time(tmp_path):
    twins = [Resource("terraform", "google_storage_bucket", "google_storage_bucket.b", "m/main.tf", 1, {}, root=r)
             for r in ("m", "m", "n")]
    model = Model(twins, evaluations={"m": "1" * 64, "n": "2" * 64})
    units = Units(model, OutcomeCache(str(tmp_path), scan="s"))
    assert units.of(twins[0]) is None and units.of(twins[2]) is not None


def test_file_units_are_directories_whose_files_all_have_digests(tmp_path):
    notes = Resource("file", "text_file", "docs/notes.md", "docs/notes.md", 1, {})
    lone = Resource("file", "text_file", "lone/x.md", "lone/x.md", 1, {})
    model = Model([notes, lone], digests={"docs/notes.md": "a" * 64, "docs/other.md": "b" * 64})
    units = Units(model, OutcomeCache(str(tmp_path), scan="s"))
    assert units.of(notes) is not None and units.of(lone) is None
    assert units.of(notes).paths == {"docs/notes.md", "docs/other.md"}


# --- what a predicate judging the resource alone may read ------------------------------------------------
CUSTOM = """id: {id}
title: A policy of the organisation, for this test
family: custom
severity: medium
rationale: Written for the outcome cache's tests, long enough for the policy schema to accept it.
remediation:
  default: Change the code as the organisation's own guidance says, for this test.
message: "{{address}}: {{detail}}"
references: {{}}
input: {input}
checks:
  - match: {match}
    assert: {assertion}
"""


@pytest.fixture
def custom(tmp_path):
    """The built-in pack and two policies of the organisation's: one on the repository (its values count the
    scan's files), one that runs the secret detectors over a Terraform resource's file."""
    directory = tmp_path / "policies"
    (directory / "custom").mkdir(parents=True)
    (directory / "custom" / "ORG-001.yaml").write_text(CUSTOM.format(id="ORG-001", input="file", match="{file: [repository]}",
                                                          assertion="{path: files, op: lt, value: 6}"))
    (directory / "custom" / "ORG-002.yaml").write_text(CUSTOM.format(id="ORG-002", input="terraform",
                                                          match="{terraform: [google_storage_bucket]}",
                                                          assertion="{predicate: secret_text}"))
    return tuple(selection.select(policy_module.load((str(directory),)), ()))


@pytest.mark.parametrize("change", ["a file elsewhere", "a secret below the resource"])
def test_a_check_that_reads_beyond_its_unit_is_judged_again(write, tmp_path, custom, change):
    """The repository counts every file; the secret detectors read a Terraform resource's file as text."""
    root = write({**TREE, "README.md": "# infra\n"}, tmp_path / "repo")
    _scan(root, custom, tmp_path / "c")
    if change == "a file elsewhere":   # the repository's own file (README.md) and directory stay as they were
        write({"envs/c/notes.md": "# more\n", "envs/d/notes.md": "# more\n"}, root)
    else:
        _edit(root, "envs/a/main.tf", bucket("a", "US") + f"# token: {TOKEN}\n")
    warm = _scan(root, custom, tmp_path / "c")
    assert warm == _scan(root, custom, None)
    wanted = ("ORG-001", "") if change == "a file elsewhere" else ("ORG-002", "envs/a/main.tf")
    assert wanted in [(f.policy_id, f.path if f.policy_id == "ORG-002" else "") for f in warm.findings]


def _reads_the_model(function_name: str, module_source: str) -> bool:
    """Whether the function, or a function of the same module it calls, reads ctx.model (or ctx.of_type /
    ctx.at, which read it)."""
    tree = ast.parse(module_source)
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    seen: set[str] = set()
    todo = [function_name]
    while todo:
        name = todo.pop()
        if name in seen or name not in functions:
            continue
        seen.add(name)
        for node in ast.walk(functions[name]):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ctx" \
                    and node.attr in ("model", "of_type", "at"):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                todo.append(node.func.id)
    return False


def test_no_predicate_said_to_judge_the_resource_alone_reads_the_model():
    alone = {name: spec for name, spec in PREDICATES.items() if not spec.reads and not spec.derived}
    assert "region_allowed" in alone and "outside_demonstration" not in alone
    readers = [name for name, spec in sorted(alone.items()) if not spec.own_text and not spec.own_root and
               _reads_the_model(spec.function.__name__, inspect.getsource(inspect.getmodule(spec.function)))]
    assert readers == [] and PREDICATES["secret_text"].own_text


def test_a_predicate_said_to_read_its_root_reads_the_model_only_at_an_address_in_the_resources_root():
    """A root's unit decides what such a predicate reads only while it reads no other root (Model.at with
    `resource.root`)."""
    readers = {name: spec for name, spec in PREDICATES.items() if spec.own_root}
    assert {"region_allowed", "region_known"} <= set(readers)
    for spec in readers.values():
        tree = ast.parse(inspect.getsource(inspect.getmodule(spec.function)))
        reads = [node for node in ast.walk(tree) if isinstance(node, ast.Attribute) and node.attr == "model"
                 and isinstance(node.value, ast.Name) and node.value.id == "ctx"]
        calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                 and isinstance(node.func.value, ast.Attribute) and node.func.value.attr == "model"]
        assert reads and len(reads) == len(calls)
        assert all(c.func.attr == "at" and ast.unparse(c.args[1]) == "resource.root" for c in calls)


def test_the_guard_sees_a_read_through_a_helper():
    source = textwrap.dedent("""
        def judged(resource, args, ctx, base=None):
            return _helper(resource, ctx)

        def _helper(resource, ctx):
            return ctx.model.of_type(["x"])
    """)
    assert _reads_the_model("judged", source) and not _reads_the_model("_unrelated", source)


def test_a_check_reading_a_terraform_file_as_text_is_replayed_in_a_root_whose_files_did_not_change(
        write, tmp_path, custom, judged):
    """A root's unit digest holds the bytes of its resources' files, so the secret detectors' outcome on a
    resource of an unchanged root is the one they gave before."""
    root = write(TREE, tmp_path / "repo")
    _scan(root, custom, tmp_path / "c")
    assert ("ORG-002", "envs/b/main.tf") in judged
    judged.clear()
    _edit(root, "envs/a/main.tf", bucket("a", "US") + f"# token: {TOKEN}\n")
    warm = _scan(root, custom, tmp_path / "c")
    assert ("ORG-002", "envs/a/main.tf") in judged and ("ORG-002", "envs/b/main.tf") not in judged
    assert warm == _scan(root, custom, None)
