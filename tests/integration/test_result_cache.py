"""The result cache: a scan of an unchanged tree gives the earlier Result without parsing or evaluating; any
change to what a scan could read is a different key; a damaged or forged entry is a miss, never a crash
and never a different result."""
from __future__ import annotations

import dataclasses
import datetime
import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scanner import cli, result_cache, stages
from scanner.config import Config
from scanner.evaluate import policies as policy_module
from scanner.evaluate import selection
from scanner.evaluate import result_codec
from scanner.evaluate.result import Finding, RegionUse, ResidencySummary, Result
from scanner.cachedir import sealed
from scanner.cachedir import CacheDirectory
from scanner.pipeline import ScanRequest, scan

REPOSITORY = Path(__file__).resolve().parents[2]
TODAY = datetime.date(2026, 6, 1)
TREE = {"main.tf": 'resource "google_storage_bucket" "b" {\n  name     = "b"\n  location = var.where\n}\n',
        "variables.tf": 'variable "where" {\n  default = "US"\n}\n',
        "k8s/web.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  hostNetwork: true\n"
                        "  containers:\n    - {name: web, image: 'nginx:1.27.3'}\n",
        "README.md": "# infra\n"}


@pytest.fixture
def policies():
    return tuple(selection.select(policy_module.load(()), ()))


def _request(root: Path, policies, cache: Path, **changes) -> ScanRequest:
    request = ScanRequest((str(root),), policies, Config(), today=TODAY, cache=CacheDirectory(str(cache)))
    return dataclasses.replace(request, **changes)


def _key(request: ScanRequest) -> str | None:
    return result_cache.request_key(request, "fingerprint")


def _entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("results/*/*.json"))


def _no_scan(request, *given):
    raise AssertionError("scanned again")


def test_an_unchanged_tree_gives_the_same_result_without_scanning(write, tmp_path, policies, monkeypatch):
    root = write(TREE, tmp_path / "repo")
    uncached, files = scan(dataclasses.replace(_request(root, policies, tmp_path / "c"), cache=None))
    cold = scan(_request(root, policies, tmp_path / "c"))
    assert len(_entries(tmp_path / "c")) == 1
    monkeypatch.setattr(stages, "run", _no_scan)
    warm = scan(_request(root, policies, tmp_path / "c"))
    assert cold == warm == (uncached, files)
    assert {f.policy_id for f in warm[0].findings} >= {"RES-001", "WL-001"}


SECRET = "aws_access_key_id = AKIA" + "QWERTYUIOPASDFGH\n"   # split: the file itself holds no credential


@pytest.mark.parametrize("when, edit", [("before parsing", "write"), ("before judging", "write"),
                                        ("before discovery", "remove"), ("before discovery", "add"),
                                        ("after judging", "rewrite the same bytes"),
                                        ("before parsing", "write as many bytes and set the time back")])
def test_a_file_that_changes_while_it_is_scanned_leaves_no_entry(write, tmp_path, policies, monkeypatch, when, edit):
    """The key is taken from the tree before the scan reads it: a file edited, removed or added in between gave
    a result that is not the key's tree, and a later scan of the first tree got it back (here without the
    credential its notes.txt holds, or with one a file that is gone held). Even bytes written back as they
    were make the scan not remembered: the tree is compared by what lstat says, before and after."""
    root = write({"main.tf": 'locals {\n  a = 1\n}\n', "notes.txt": SECRET}, tmp_path / "repo")
    stage, name = {"before parsing": (stages, "parse_all"), "before judging": (stages.engine, "evaluate"),
                   "before discovery": (stages, "discover"), "after judging": (stages.engine, "evaluate")}[when]
    real = getattr(stage, name)
    if edit == "add":
        (root / "notes.txt").unlink()

    def edited(*args, **kwargs):
        if edit == "rewrite the same bytes":
            result = real(*args, **kwargs)
            time.sleep(0.01)
            (root / "notes.txt").write_text(SECRET)
            return result
        if edit == "write":
            (root / "notes.txt").write_text("nothing here\n")
        elif edit.startswith("write as many bytes"):   # cp -p, touch -r: only the change time tells
            before = (root / "notes.txt").stat()
            (root / "notes.txt").write_text("x" * before.st_size)
            os.utime(root / "notes.txt", ns=(before.st_atime_ns, before.st_mtime_ns))
        elif edit == "remove" and (root / "notes.txt").exists():
            (root / "notes.txt").unlink()
        elif edit == "add" and not (root / "notes.txt").exists():
            (root / "notes.txt").write_text(SECRET)
        return real(*args, **kwargs)
    monkeypatch.setattr(stage, name, edited)
    request = _request(root, policies, tmp_path / "c")
    _ = scan(request)
    assert _entries(tmp_path / "c") == []
    monkeypatch.setattr(stage, name, real)
    if edit == "add":
        (root / "notes.txt").unlink()
    else:
        (root / "notes.txt").write_text(SECRET)
    again, _ = scan(request)
    expected = [] if edit == "add" else [("SEC-002", "notes.txt")]
    assert [(f.policy_id, f.path) for f in again.findings if f.policy_id == "SEC-002"] == expected
    assert len(_entries(tmp_path / "c")) == 1


@pytest.mark.parametrize("change", ["edit", "add", "remove", "readme", "link", "empty directory is not"])
def test_any_change_below_the_scanned_path_is_another_key(write, tmp_path, policies, change):
    root = write(TREE, tmp_path / "repo")
    before = _key(_request(root, policies, tmp_path / "c"))
    if change == "edit":
        (root / "variables.tf").write_text('variable "where" {\n  default = "EU"\n}\n')
    elif change == "add":
        (root / "k8s/extra.yaml").write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: x}\n")
    elif change == "remove":
        (root / "k8s/web.yaml").unlink()
    elif change == "readme":
        (root / "README.md").write_text("# infra, edited\n")
    elif change == "link":
        (root / "shared.tf").symlink_to("main.tf")
    else:
        (root / "empty").mkdir()
    after = _key(_request(root, policies, tmp_path / "c"))
    assert before is not None and after is not None
    assert (before == after) is (change == "empty directory is not")


def test_the_inputs_besides_the_tree_are_in_the_key(write, tmp_path, policies):
    root = write(TREE, tmp_path / "repo")
    var_file = write({"prod.tfvars": 'where = "EU"\n'}, tmp_path / "vars") / "prod.tfvars"
    base = _request(root, policies, tmp_path / "c", var_files=(str(var_file),))
    keys = {_key(base)}
    var_file.write_text('where = "US"\n')
    keys.add(_key(base))
    keys.add(_key(dataclasses.replace(base, today=TODAY + datetime.timedelta(days=1))))
    keys.add(_key(dataclasses.replace(base, config=Config(residency_tier="eea"))))
    keys.add(_key(dataclasses.replace(base, policies=policies[:-1])))
    keys.add(_key(dataclasses.replace(base, helm_engine="none")))
    keys.add(_key(dataclasses.replace(base, excludes=("k8s",))))
    keys.add(result_cache.request_key(base, "another sovscan"))
    assert None not in keys and len(keys) == 8


def test_git_metadata_and_a_cache_inside_the_tree_are_not_in_the_key(write, tmp_path, policies):
    root = write(TREE, tmp_path / "repo")
    outside = _key(_request(root, policies, root / ".cache"))
    write({".git/HEAD": "ref: refs/heads/main\n"}, root)
    before = _key(_request(root, policies, root / ".cache"))
    assert before != outside      # a .git directory marks the top of a repository (EXIT-005 asks)
    scan(_request(root, policies, root / ".cache"))           # writes its entries inside the tree
    assert _entries(root / ".cache")
    write({".git/HEAD": "ref: refs/heads/other\n", ".git/index": "x"}, root)
    assert _key(_request(root, policies, root / ".cache")) == before


def test_a_tree_that_becomes_a_repository_is_judged_again(write, tmp_path, policies, monkeypatch):
    """EXIT-005 asks for an exit plan at the top of a repository: a cached result from before `git init`
    would leave it out."""
    root = write({"main.tf": 'provider "aws" {\n  region = "eu-west-1"\n}\n'}, tmp_path / "repo")
    exit_plan = tuple(p for p in policies if p.id == "EXIT-005")
    before = scan(_request(root, exit_plan, tmp_path / "c"))[0]
    (root / ".git").mkdir()
    after = scan(_request(root, exit_plan, tmp_path / "c"))[0]
    assert not before.findings and [f.policy_id for f in after.findings] == ["EXIT-005"]


def test_a_repository_above_the_scanned_paths_is_in_the_key(write, tmp_path, policies, monkeypatch):
    """Two directories of one tree scanned together: whether the directory that holds them both is a
    repository's top decides EXIT-005 (unresolved, then a finding), though its `.git` lies above both paths."""
    tree = tmp_path / "tree"
    write({"a/main.tf": 'terraform {\n  backend "s3" {}\n}\nprovider "aws" {\n  region = "eu-west-1"\n}\n',
           "b/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'}, tree)
    monkeypatch.chdir(tmp_path)
    exit_plan = tuple(p for p in policies if p.id == "EXIT-005")
    request = dataclasses.replace(_request(tree, exit_plan, tmp_path / "c"), paths=("tree/a", "tree/b"))
    before = scan(request)[0]
    (tree / ".git").mkdir()
    after = scan(request)[0]
    assert after == scan(dataclasses.replace(request, cache=None))[0]
    assert [(f.policy_id, f.path) for f in before.unresolved] == [("EXIT-005", "tree/a/main.tf")]
    assert not before.findings and [(f.policy_id, f.path, f.message) for f in after.findings] == \
        [("EXIT-005", "tree/a/main.tf", "no exit plan: neither exit.plan in the configuration nor an EXIT.md in the "
                                        "scan root")]


def test_a_link_through_a_link_outside_the_tree_is_keyed_by_where_it_leads(write, tmp_path, policies, monkeypatch):
    """`a -> ../outside/link -> x` reads x's files as a/: retargeted to y, the link in the tree says the same
    but leads elsewhere."""
    root = write({"x/main.tf": TREE["main.tf"].replace("var.where", '"US"'),
                  "y/main.tf": TREE["main.tf"].replace("var.where", '"EU"')}, tmp_path / "repo")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "link").symlink_to(root / "x")
    (root / "a").symlink_to(tmp_path / "outside" / "link")
    monkeypatch.chdir(root)
    request = dataclasses.replace(_request(root, policies, tmp_path / "c"), paths=(".",))
    before = scan(request)[0]
    (tmp_path / "outside" / "link").unlink()
    (tmp_path / "outside" / "link").symlink_to(root / "y")
    after = scan(request)[0]
    assert after == scan(dataclasses.replace(request, cache=None))[0]
    assert ("RES-001", "a/main.tf") in {(f.policy_id, f.path) for f in before.findings}
    assert [(f.policy_id, f.path) for f in after.findings if f.policy_id == "RES-001"] == [("RES-001", "x/main.tf")]


@pytest.mark.parametrize("link, target", [("g", ".git"), ("creds", ".git/creds")])
def test_what_a_link_into_git_metadata_leads_to_is_in_the_key(write, tmp_path, policies, monkeypatch, link, target):
    """The key leaves the contents of .git out, but discovery reads them through a link in the tree."""
    root = write({"main.tf": 'resource "null_resource" "n" {}\n', ".git/HEAD": "ref: refs/heads/main\n",
                  ".git/creds": "nothing here\n"}, tmp_path / "repo")
    (root / link).symlink_to(target)
    monkeypatch.chdir(root)
    request = dataclasses.replace(_request(root, policies, tmp_path / "c"), paths=(".",))
    before = scan(request)[0]
    (root / ".git" / "creds").write_text(SECRET)
    after = scan(request)[0]
    assert after == scan(dataclasses.replace(request, cache=None))[0]
    assert not [f for f in before.findings if f.policy_id == "SEC-002"]
    assert [(f.policy_id, f.path, f.line) for f in after.findings if f.policy_id == "SEC-002"] == \
        [("SEC-002", "g/creds" if link == "g" else "creds", 1)]


@pytest.mark.parametrize("levels, below", [(126, ["sub"]), (99, ["y"] * 40)])
def test_a_directory_first_reached_deep_is_keyed_where_discovery_reads_it(write, tmp_path, policies, monkeypatch,
                                                                          levels, below):
    """A link deep in .terraform (which discovery leaves out) leads to d/: the key's walk met d there, too deep to
    go (far) below it, and no longer walked what lies below d where discovery, reaching it at d/, reads it."""
    place = "/".join(["d", *below, "main.tf"])
    root = write({place: 'resource "null_resource" "n" {}\n'}, tmp_path / "repo")
    deep = root.joinpath(".terraform", *["x"] * levels)
    deep.mkdir(parents=True)
    (deep / "l").symlink_to("../" * (levels + 1) + "d")
    monkeypatch.chdir(root)
    request = dataclasses.replace(_request(root, policies, tmp_path / "c"), paths=(".",))
    scan(request)
    (root / place).write_text(SECRET)
    after = scan(request)[0]
    assert after == scan(dataclasses.replace(request, cache=None))[0]
    assert [(f.policy_id, f.path) for f in after.findings if f.policy_id == "SEC-002"] == [("SEC-002", place)]


def test_an_installed_module_in_a_tagged_cache_directory_is_left_out_as_the_key_leaves_it_out(write, tmp_path,
                                                                                            policies, monkeypatch):
    """The key's walk leaves a CACHEDIR.TAG directory out; the installed modules' walk read its .tf files, so a
    change there returned the result from before. Now it is left out with a warning, as discovery leaves it."""
    manifest = {"Modules": [{"Key": "", "Source": "", "Dir": "."},
                            {"Key": "m", "Source": "registry.terraform.io/example/m/aws", "Dir": ".terraform/modules/m"}]}
    root = write({"main.tf": 'module "m" {\n  source = "example/m/aws"\n}\n',
                  ".terraform/modules/modules.json": json.dumps(manifest),
                  ".terraform/modules/m/main.tf": 'resource "null_resource" "n" {}\n',
                  ".terraform/modules/m/CACHEDIR.TAG": "Signature: 8a477f597d28d172789f06886806bc55\n"},
                 tmp_path / "repo")
    monkeypatch.chdir(root)
    request = dataclasses.replace(_request(root, policies, tmp_path / "c"), paths=(".",))
    before = scan(request)[0]
    (root / ".terraform/modules/m/main.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    after = scan(request)[0]
    assert after == scan(dataclasses.replace(request, cache=None))[0] == before
    assert not [f for f in after.findings if f.address.startswith("module.m.")]
    assert (".terraform/modules/m", "warning") in {(n.path, n.level) for n in after.notices if "CACHEDIR" in n.message}


def test_the_same_tree_scanned_from_another_directory_is_another_key(write, tmp_path, policies, monkeypatch):
    """Reports show paths relative to the working directory: the same absolute path gives `repo/main.tf`
    from its parent and `main.tf` from inside the tree."""
    root = write(TREE, tmp_path / "repo")
    request = _request(root, policies, tmp_path / "c")
    shown = {}
    for where in (tmp_path, root):
        monkeypatch.chdir(where)
        cached = scan(request)[0]
        assert cached == scan(dataclasses.replace(request, cache=None))[0]
        shown[where] = {f.path.split("/")[0] for f in cached.findings}
    assert "repo" in shown[tmp_path] and "repo" not in shown[root]


def test_a_named_file_that_cannot_be_read_is_not_cached_and_the_scan_says_why(write, tmp_path, policies):
    root = write(TREE, tmp_path / "repo")
    request = _request(root, policies, tmp_path / "c", var_files=(str(tmp_path / "missing.tfvars"),))
    assert _key(request) is None
    with pytest.raises(Exception, match="missing.tfvars"):
        scan(request)
    assert not _entries(tmp_path / "c")


def test_a_tree_too_large_to_hash_is_not_cached(write, tmp_path, policies, monkeypatch):
    root = write(TREE, tmp_path / "repo")
    monkeypatch.setattr(result_cache, "MAX_TREE_FILES", 3)
    assert _key(_request(root, policies, tmp_path / "c")) is None
    scan(_request(root, policies, tmp_path / "c"))
    assert not _entries(tmp_path / "c")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_the_tree_is_keyed_by_its_type_and_never_opened(write, tmp_path, policies):
    root = write(TREE, tmp_path / "repo")
    os.mkfifo(root / "pipe")
    assert _key(_request(root, policies, tmp_path / "c")) is not None    # returns: nothing waits on the FIFO
    os.mkfifo(tmp_path / "vars.tfvars")
    assert _key(_request(root, policies, tmp_path / "c", var_files=(str(tmp_path / "vars.tfvars"),))) is None


def test_every_flipped_byte_and_every_truncation_is_a_miss_with_the_same_result(write, tmp_path, policies):
    root = write({"main.tf": TREE["main.tf"]}, tmp_path / "repo")
    expected = scan(_request(root, policies, tmp_path / "c"))
    (entry,) = _entries(tmp_path / "c")
    good = entry.read_bytes()
    header = good.index(b"\n") + 1
    cache = result_cache.ResultCache(str(tmp_path / "c"))
    positions = sorted(set(range(0, header + 8)) | set(range(header, len(good), max(1, len(good) // 40))))
    sampled = set(positions[::12])     # a miss is a scan like any other: a sample of them, scanned whole
    for position in positions:
        for damaged in (good[:position] + bytes([good[position] ^ 0x01]) + good[position + 1:], good[:position]):
            entry.write_bytes(damaged)
            assert cache.get(entry.stem, policies) is None, position
            if position in sampled:
                assert scan(_request(root, policies, tmp_path / "c")) == expected
                assert entry.read_bytes() == good     # scanned again and written again


@pytest.mark.parametrize("forged", ["wrong type", "unknown field", "unknown policy", "no policies", "unknown level",
                                    "unknown severity", "unknown tier", "unknown role", "unknown notice level",
                                    "passed check outside the texts", "passed checks cut short",
                                    "passed check's text not a text", "passed check's line negative",
                                    "finding's line negative", "files negative", "not an object"])
def test_an_entry_forged_with_a_valid_checksum_but_not_what_sovscan_writes_is_a_miss(write, tmp_path, policies,
                                                                                     forged, monkeypatch):
    root = write({"main.tf": TREE["main.tf"], "variables.tf": TREE["variables.tf"]}, tmp_path / "repo")
    expected = scan(_request(root, policies, tmp_path / "c"))
    (entry,) = _entries(tmp_path / "c")
    body = json.loads(result_codec.encode(*expected))
    written = body["result"]                       # a dataclass is the list of its fields' values
    finding = written[_at(Result, "findings")][0]
    regions = written[_at(Result, "residency")][_at(ResidencySummary, "regions")]
    if forged == "wrong type":
        finding[_at(Finding, "line")] = "3"
    elif forged == "unknown field":
        finding.append(1)
    elif forged == "finding's line negative":     # no report has a place for it
        finding[_at(Finding, "line")] = -1
    elif forged == "files negative":
        body["files"] = -5
    elif forged == "unknown policy":
        written[_at(Result, "policies")][0] = "XX-999"
    elif forged == "no policies":                  # the findings name policies the result does not hold
        written[_at(Result, "policies")] = []
    elif forged == "unknown level":
        finding[_at(Finding, "level")] = "bogus"
    elif forged == "unknown severity":
        finding[_at(Finding, "severity")] = "bogus"
    elif forged == "unknown tier":
        regions[0][_at(RegionUse, "tier")] = "bogus"
    elif forged == "unknown role":
        regions[0][_at(RegionUse, "resources")][0][3] = "bogus"
    elif forged == "unknown notice level":       # a report writes it as it is (SARIF allows no other)
        written[_at(Result, "notices")] = [["main.tf", 1, "m", "critical", ""]]
    elif forged.startswith("passed"):            # a table: distinct texts, five numbers per passed check
        table = written[_at(Result, "passed")]
        assert len(table["checks"]) >= 5 and set(table) == {"checks", "texts"}
        if forged == "passed check outside the texts":
            table["checks"][1] = len(table["texts"])
        elif forged == "passed checks cut short":
            table["checks"].pop()
        elif forged == "passed check's text not a text":
            table["texts"][table["checks"][2]] = 7
        else:
            table["checks"][3] = -1
    else:
        body = [body]
    entry.write_bytes(sealed(json.dumps(body).encode(), entry.stem, result_cache.FORMAT))
    assert scan(_request(root, policies, tmp_path / "c")) == expected


def _at(cls: type, name: str) -> int:
    """Where a dataclass's field is in the list the codec writes for it."""
    return [f.name for f in dataclasses.fields(cls)].index(name)


def _scan_into(args: tuple[str, str, str]) -> str:
    root, cache, report = args
    cli.main(["scan", root, "--cache-dir", cache, "-f", f"json={report}", "--fail-on", "never"])
    return Path(report).read_text()


def test_concurrent_scans_sharing_the_cache_write_one_whole_entry(write, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1780000000")
    root = write(TREE, tmp_path / "repo")
    cache = tmp_path / "c"
    jobs = [(str(root), str(cache), str(tmp_path / f"r{i}.json")) for i in range(4)]
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        reports = pool.map(_scan_into, jobs)
    assert len(set(reports)) == 1
    (entry,) = _entries(cache)
    assert not list(cache.glob("results/*/.*.tmp"))
    assert _scan_into((str(root), str(cache), str(tmp_path / "warm.json"))) == reports[0]
    assert entry.read_bytes() == _entries(cache)[0].read_bytes()


def test_every_example_round_trips_through_the_codec(policies):
    for example in sorted(p for p in (REPOSITORY / "examples").iterdir() if p.is_dir()):
        result, files = scan(ScanRequest((str(example),), policies, Config(), today=TODAY))
        assert result_codec.decode(result_codec.encode(result, files), policies) == (result, files)


def test_a_path_read_back_is_one_object_for_every_check_on_its_file(policies):
    """Every passed check names its file and resource: read back, a recurring path or address is one object,
    not one per check (a 50,000-file tree's warm run held as much as a scan without a cache)."""
    example = REPOSITORY / "examples" / "azure-municipal"
    result, files = scan(ScanRequest((str(example),), policies, Config(), today=TODAY))
    back, _ = result_codec.decode(result_codec.encode(result, files), policies)
    first = {}
    for passed in back.passed:
        assert first.setdefault(passed.path, passed.path) is passed.path
        assert first.setdefault(passed.address, passed.address) is passed.address
    assert len(back.passed) > len(first)
    assert type(json.loads(result_codec.encode(result, files))["result"]) is list   # fields by position
    # a policy's checks that held on one target are one record, as judging made them
    assert len({id(p) for p in back.passed}) == len({id(p) for p in result.passed}) < len(result.passed)
    assert back.passed == result.passed


def test_the_entry_is_written_in_pieces_that_make_the_json_of_the_whole_result(policies, monkeypatch):
    """A long list is made plain and written BATCH items at a time; the pieces are byte for byte the JSON of
    the whole plain result, so an entry reads back as before."""
    monkeypatch.setattr(result_codec, "BATCH", 3)
    example = REPOSITORY / "examples" / "azure-municipal"
    result, files = scan(ScanRequest((str(example),), policies, Config(), today=TODAY))
    assert len(result.passed) > 3 and len(result.findings) > 3       # batched, and more than one batch
    pieces = list(result_codec.encode_pieces(result, files))
    whole = json.dumps({"files": files, "result": result_codec.plain(result)}, separators=(",", ":"),
                       ensure_ascii=True, allow_nan=False).encode("ascii")
    assert b"".join(pieces) == whole
    assert max(map(len, pieces)) < len(whole) // 2
    assert result_codec.decode(b"".join(pieces), policies) == (result, files)


def test_a_value_the_codec_cannot_keep_met_half_way_through_the_pieces_writes_no_entry(policies, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setattr(result_codec, "BATCH", 3)
    result, files = scan(ScanRequest((str(REPOSITORY / "examples" / "azure-municipal"),), policies, Config(),
                                     today=TODAY))
    plain, seen = result_codec.plain, []

    def failing_late(value):
        seen.append(value)
        if len(seen) == 40:                    # after several pieces have been compressed
            raise result_codec.Unencodable("late")
        return plain(value)
    monkeypatch.setattr(result_codec, "plain", failing_late)
    result_cache.ResultCache(str(tmp_path / "c")).put("ab" * 32, result, files)
    assert len(seen) == 40
    assert not [p for p in (tmp_path / "c").rglob("*") if p.is_file()]


# What a pre-commit run answered from the cache must not load: each stage's code, the HCL parser, the YAML
# policy pack's validation and importlib.metadata are most of a cold start-up.
NOT_ON_A_HIT = ("scanner.stages", "scanner.model.build", "scanner.parse.files", "scanner.parse.terraform",
                "scanner.evaluate.engine", "scanner.evaluate.predicates", "lark", "hcl2", "jsonschema",
                "importlib.metadata")
LOADED = """
import sys
from scanner.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m.startswith(("scanner", "lark", "hcl2", "jsonschema", "importlib")))))
"""


def _modules_loaded(root: Path, cache: Path, *args: str) -> set[str]:
    command = [sys.executable, "-c", LOADED, "scan", *args, "--cache-dir", str(cache), "--fail-on", "never", "-q"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True,
                          env={**os.environ, "SOURCE_DATE_EPOCH": "1780000000"})
    return set(done.stdout.splitlines()[-1].split())


@pytest.mark.parametrize("target", [".", "main.tf"])
def test_a_run_the_cache_answers_loads_none_of_the_stages(write, tmp_path, target):
    root = write(TREE, tmp_path / "repo")
    cold = _modules_loaded(root, tmp_path / "c", target)
    assert {"scanner.stages", "scanner.parse.terraform", "lark"} <= cold       # the first run scans
    warm = _modules_loaded(root, tmp_path / "c", target)
    assert warm.isdisjoint(NOT_ON_A_HIT), sorted(warm & set(NOT_ON_A_HIT))


def test_the_domains_a_cached_result_is_checked_against_are_the_reports_tables():
    """within_domains lets through only what the reports can show: every value has its label in each language
    (a value missing here would make every cached result with it a miss, or a report fail)."""
    from scanner.evaluate.policies import SEVERITY_LEVEL
    from scanner.evaluate.result import CLUSTER_STATES, JUDGED_STATES, LEVEL_RANK, PINNED, ROLES, WAIVER_STATES
    from scanner.registries.regions import TIERS
    from scanner.report import codequality, html_words
    wanted = ([f"role_{r}" for r in ROLES] + [f"tier_{t}" for t in TIERS + ("unknown",)]
              + [f"state_{s}" for s in CLUSTER_STATES + JUDGED_STATES] + [f"pin_{w}" for w in PINNED] + list(WAIVER_STATES))
    for lang, table in html_words.WORDS.items():
        assert [key for key in wanted if key not in table] == [], lang
    assert set(codequality.SEVERITY) == set(SEVERITY_LEVEL)
    assert {"error", "warning", "note"} <= set(LEVEL_RANK)
