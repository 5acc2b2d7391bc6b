#!/usr/bin/env python3
"""Mutation fuzzer: a scan of a hostile repository must never exit 3 (a bug), print a traceback, hang, or
let a bad file change what sovscan finds in the files next to it.

usage: python bench/fuzz.py [--cases N] [--seed S] [--timeout SECONDS] [--classes NAME,...] [--keep DIR]
                            [--payload BYTES] [--case NUMBER]

Each case copies one seed repository (examples/*, a tests/policies fixture), mutates one of its files (or
its .sovscan.yaml, or a policy given with --policies) with one mutation class, and scans it together with
an untouched neighbour repository in a forked process (a hang is killed after --timeout seconds; memory is
capped). A case fails when the exit code is not 0, 1 or 2, when standard error shows a traceback, when the
scan hangs or dies, when a mutated scanned file (not the configuration or a policy) makes the scan exit 2,
or when the neighbour's findings differ from those of the same scan without the mutation. Cases are
deterministic: the same --seed and case number give the same input (--keep saves failing ones).
"""
from __future__ import annotations

import argparse
import contextlib
import functools
import io
import json
import os
import random
import re
import resource
import select
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parent.parent
SEED_ROOTS = ("examples", "tests/policies")
FORMATS = ("json", "sarif", "gitlab-sast", "codequality", "junit", "markdown")
MEMORY_LIMIT = 2 * 1024 ** 3   # address space a case may add to what the process maps when it forks
MEGABYTE = 1_000_000

# --- what the mutations insert: data, not code ----------------------------------------------------------
ODD_CHARACTERS = ["\x00", "\ufeff", "\u202e", "\u2066", "\u200d", "\u2028", "\u2029", "\x85", "\r", "\x0b",
                  "\uffff", "\U0010ffff", "e\u0301", "\u0663", "\uff21", "\U0001f600", "\u05d0\u05d1",
                  "\\ud800", "\\udfff", "\\UFFFFFFFF", "\\U00110000", "\\u0000", "\t"]
HUGE_NUMBERS = ["9" * 5000, "-" + "9" * 4400, "1e999", "-1e999", "1e-999", "0x" + "f" * 5000, ".inf", "-.inf",
                ".nan", "NaN", "Infinity", "1_000_000", "0o777", "1:20:30", "99999999999999999999",
                "1." + "9" * 5000, "00000000000000000001"]
YAML_SNIPPETS = ["x: !!python/object/apply:os.system ['true']", "x: !!binary AAAA!!", "x: !!set {a, b}",
                 "x: !!timestamp 2024-02-30", "x: 2024-02-30", "x: !!int 0x" + "f" * 5000, "x: !!float nan",
                 "x: &x [*x]", "x: &y {a: *y}", "<<: *nowhere", "x: *nowhere", "? [a, b]\n: c", "? {a: b}\n: c",
                 "x: 1\nx: 2", "%YAML 1.1\n---", "...\n---", "\t- tab", "x: !custom {a: 1}", "x: !!omap [a: 1]",
                 "x: |\n  " + "a" * 1000, "x: >-\n", "x: 'unterminated", "x: \"\\x\"",
                 "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
                     f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefg", "bcdefgh"))]
HCL_SNIPPETS = ['x = <<EOF\n${unterminated\n', 'x = <<-EOT\n  %{ if true }a%{ endif }\n  EOT\n',
                'x = "%{ for a in b }${a}"', 'x = "${"', 'x = "$${x}"', 'x = "\\UFFFFFFFF"', 'x = "\\ud800"',
                'x = "\\U0010FFFF"', "x = a ? b : c ? d : e", "x = " + ".".join(["a"] * 2000),
                "x = " + " + ".join(["1"] * 3000), "x = [for k, v in var.m : v if k != \"\"]",
                "x = {for k, v in var.m : k => v...}", "x = var.a[*].b[0][\"c\"]", "café = 1", "naïve-ident = 1",
                'resource "a" "b" {\n  dynamic "c" {\n    for_each = var.x\n  }\n}', "x = !!true",
                "x = try(" * 200 + "1" + ")" * 200, "locals {\n  a = local.a\n}", 'module "m" {\n  source = "../../../.."\n}',
                'x = file("/etc/passwd")', 'x = file("../../../../../../etc/shadow")', "x = 1 / 0", "x = \"a\" * 10000000000"]
CONFIG_SNIPPETS = ["profile: 7", "profile: no-such-profile", "environment: [prod]", "residency_tier: moon",
                   "allow_regions: " + "[" * 500 + "]" * 500, "waivers:\n  - rule: RES-001\n    expires: 2024-02-30",
                   "waivers:\n  - rule: RES-001\n    resource: x\n    expires: 99999-01-01",
                   "enforcement:\n  residency: {mode: deny, from: 2024-13-01}", "seal_target: " + "9" * 5000,
                   "exit_plan: {last_test: not-a-date}", "policy_dirs: ['/nonexistent', '../../..']",
                   "exclude: ['[', '**/***', '" + "*" * 5000 + "']", "var_files: ['/dev/zero']",
                   "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: [*b, *b, *b]",
                   "waivers: *nowhere", "\xff\xfe not utf-8"]
POLICY_SNIPPETS = ["checks: []", "checks: [{match: {terraform: [x]}, assert: {predicate: no_such_predicate}}]",
                   "checks: [{match: {terraform: ['*']}, assert: {path: 'a', matches: '(a+)+$'}}]",
                   "checks: [{match: {terraform: ['*']}, assert: {path: 'a', matches: '['}}]",
                   "severity: apocalyptic", "family: 7", "id: ../../etc", "references: {links: [1, 2]}",
                   "remediation: {}", "input: " + "[" * 300 + "]" * 300, "title: ''", "message: '{nope'"]
ODD_NAMES = [b"\xff", b"\xe2\x80\xae", b"\n", b"\r", b" ", b"-", b"--help", b"\x01", b"\xed\xa0\x80", b"a" * 200,
             "é".encode(), "e\u0301".encode(), b"\\", b"'", b'"', b"$(x)", b"*", b"[", b"..."]
HUGE_PIECES = ["A", "eyJa-", "-----BEGIN PRIVATE KEY-----\\n", "${", "%{", "\\\\", "ghp_", "client-key-data: ",
               "AccountKey=", "<", "'", "é"]      # repeated up to the run's payload size (--payload)

# --- the mutations ---------------------------------------------------------------------------------------
Mutate = Callable[[random.Random, bytes, str, int], bytes]     # (rng, file, kind, payload bytes) -> file


def _text(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogateescape")


def _insert_line(rng: random.Random, data: bytes, line: str) -> bytes:
    lines = _text(data).split("\n")
    at = rng.randint(0, len(lines))
    return _bytes("\n".join(lines[:at] + [line] + lines[at:]))


def _assignment(kind: str, value: str) -> str:
    if kind == "hcl":
        return f"fuzz = {value}"
    if kind == "json":
        return f'"fuzz": {value},'
    return f"fuzz: {value}"


def byte_flips(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    out = bytearray(data or b" ")
    for _ in range(rng.randint(1, 8)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncation(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    return data[:rng.randint(0, max(len(data) - 1, 0))]


def line_splice(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    lines = _text(data).split("\n")
    start = rng.randrange(len(lines))
    chunk = lines[start:start + rng.randint(1, 20)]
    at = rng.randint(0, len(lines))
    return _bytes("\n".join(lines[:at] + chunk * rng.randint(1, 50) + lines[at:]))


def deep_nesting(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    depth = rng.choice([d for d in (120, 350, 1200, 5000, 50_000) if d * 10 <= payload] or [120])
    shapes = {"hcl": ["[" * depth + "]" * depth, "{a = " * depth + "1" + "}" * depth, "f(" * depth + ")" * depth],
              "yaml": ["[" * depth + "]" * depth, "{a: " * depth + "1" + "}" * depth],
              "json": ["[" * depth + "]" * depth, '{"a": ' * depth + "1" + "}" * depth]}
    if kind == "hcl" and rng.random() < 0.3:
        return _insert_line(rng, data, "b {\n" * min(depth, 5000) + "}\n" * min(depth, 5000))
    if kind == "yaml" and rng.random() < 0.3:
        return _insert_line(rng, data, "\n".join(" " * i + "a:" for i in range(min(depth, 3000))) + " 1")
    return _insert_line(rng, data, _assignment(kind, rng.choice(shapes.get(kind, shapes["yaml"]))))


def huge_string(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    piece = rng.choice(HUGE_PIECES)
    value = piece * (rng.randint(payload // 4, payload) // len(piece))
    if kind == "text" or rng.random() < 0.2:
        return _insert_line(rng, data, value)
    return _insert_line(rng, data, _assignment(kind, json.dumps(value)))


def odd_unicode(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    text = _text(data)
    for _ in range(rng.randint(1, 6)):
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(ODD_CHARACTERS) * rng.choice([1, 1, 3, 1000]) + text[at:]
    if rng.random() < 0.2:                        # a raw lone surrogate: not UTF-8 at all
        return _bytes(text) + b"\xed\xa0\x80"
    return _bytes(text)


def yaml_tags_anchors(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    return _insert_line(rng, data, rng.choice(YAML_SNIPPETS))


def hcl_heredocs_templates(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    return _insert_line(rng, data, rng.choice(HCL_SNIPPETS))


def huge_numbers(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    text = _text(data)
    numbers = list(re.finditer(r"(?<![\w.])\d+(\.\d+)?(?![\w.])", text))
    if not numbers:
        return _insert_line(rng, data, _assignment(kind, rng.choice(HUGE_NUMBERS)))
    found = rng.choice(numbers)
    return _bytes(text[:found.start()] + rng.choice(HUGE_NUMBERS) + text[found.end():])


def config_file(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    snippet = rng.choice(CONFIG_SNIPPETS)
    if rng.random() < 0.5 and data:
        return _insert_line(rng, data, snippet)
    return _bytes(snippet.replace("\xff\xfe", "")) + (b"\xff\xfe" if "\xff" in snippet else b"")


def policy_file(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    text = re.sub(r"(?m)^checks:.*", "", _text(data)) if rng.random() < 0.3 else _text(data)
    return _insert_line(rng, _bytes(text), rng.choice(POLICY_SNIPPETS + YAML_SNIPPETS))


def odd_file_name(rng: random.Random, data: bytes, kind: str, payload: int) -> bytes:
    return data          # materialise renames the file: the content stays


@dataclass(frozen=True)
class Mutation:
    name: str
    kinds: tuple[str, ...]       # the files it applies to: hcl, yaml, json, text, config, policy
    mutate: Mutate


MUTATIONS = [
    Mutation("byte-flips", ("hcl", "yaml", "json", "text"), byte_flips),
    Mutation("truncation", ("hcl", "yaml", "json"), truncation),
    Mutation("line-splice", ("hcl", "yaml", "json"), line_splice),
    Mutation("deep-nesting", ("hcl", "yaml", "json"), deep_nesting),
    Mutation("huge-strings", ("hcl", "yaml", "json", "text"), huge_string),
    Mutation("odd-unicode", ("hcl", "yaml", "json", "text"), odd_unicode),
    Mutation("yaml-tags-anchors", ("yaml",), yaml_tags_anchors),
    Mutation("hcl-heredocs-templates", ("hcl",), hcl_heredocs_templates),
    Mutation("huge-numbers", ("hcl", "yaml", "json"), huge_numbers),
    Mutation("config-file", ("config",), config_file),
    Mutation("policy-file", ("policy",), policy_file),
    Mutation("odd-file-names", ("hcl", "yaml", "json", "text"), odd_file_name),
]

# --- seeds and the neighbour -------------------------------------------------------------------------------
NEIGHBOUR = {
    "main.tf": 'resource "azurerm_storage_account" "neighbour" {\n  name = "neighbour"\n  location = "eastus"\n'
               '  account_replication_type = "GRS"\n}\nvariable "db_password" {\n  default = "Kq7#vLz2!pWx9"\n}\n',
    "deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: neighbour\n  namespace: fuzz-neighbour\n"
                   "spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n"
                   "        image: nginx\n        securityContext: {privileged: true}\n",
    "notes.txt": "token: ghp_Q8w3Zr5Ty7Ui9Op1As3Df5Gh7Jk9Lz1Xc3Vb\n",
    "tags.tf": 'locals {\n  région = "eastus"\n}\nresource "azurerm_resource_group" "neighbour" {\n'
               '  location = local.région\n}\n',
}


def _kind(path: Path) -> str:
    if path.name == ".sovscan.yaml":
        return "config"
    if path.suffix in (".tf", ".tfvars", ".hcl"):
        return "hcl"
    if path.suffix in (".yaml", ".yml"):
        return "yaml"
    if path.suffix == ".json":
        return "json"
    return "text"


@functools.lru_cache(maxsize=1)
def seeds() -> tuple[Path, ...]:
    """Seed repositories: each example, and each pass/fail fixture of a policy."""
    found = [p for p in sorted((ROOT / "examples").iterdir()) if p.is_dir()]
    found += sorted(p for p in (ROOT / "tests" / "policies").glob("*/*/*") if p.is_dir())
    return tuple(found)


def _files(seed: Path) -> list[Path]:
    return sorted(p for p in seed.rglob("*") if p.is_file())


@functools.lru_cache(maxsize=1)
def builtin_policies() -> tuple[Path, ...]:
    return tuple(sorted((ROOT / "policies").glob("*/*-*.yaml")))


@dataclass(frozen=True)
class Case:
    number: int
    mutation: str
    seed: Path
    target: str          # the file mutated, relative to the seed; a policy: "policies/<family>/<id>.yaml"


def plan(seed: int, count: int, classes: tuple[str, ...] = ()) -> list[Case]:
    """The cases a run makes: round robin over the mutation classes, the rest chosen by the seed."""
    chosen = [m for m in MUTATIONS if not classes or m.name in classes]
    cases = []
    for number in range(count):
        rng = random.Random(f"{seed}:{number}")
        mutation = chosen[number % len(chosen)]
        seed_dir = rng.choice(seeds())
        if "policy" in mutation.kinds:
            policy = rng.choice(builtin_policies())
            cases.append(Case(number, mutation.name, seed_dir, f"policies/{policy.parent.name}/{policy.name}"))
            continue
        if "config" in mutation.kinds:
            cases.append(Case(number, mutation.name, seed_dir, ".sovscan.yaml"))
            continue
        files = [f for f in _files(seed_dir) if _kind(f) in mutation.kinds]
        while not files:
            seed_dir = rng.choice(seeds())
            files = [f for f in _files(seed_dir) if _kind(f) in mutation.kinds]
        cases.append(Case(number, mutation.name, seed_dir, str(rng.choice(files).relative_to(seed_dir))))
    return cases


def materialise(case: Case, seed: int, where: Path, payload: int = 2 * MEGABYTE) -> list[str]:
    """Write the case's repository (and policy directory) under `where`; the arguments to scan it."""
    repo, neighbour = where / "repo", where / "neighbour"
    shutil.copytree(case.seed, repo)
    _write_neighbour(neighbour)
    mutation = next(m for m in MUTATIONS if m.name == case.mutation)
    rng = random.Random(f"{seed}:{case.number}:mutate")
    args = ["scan", str(repo), str(neighbour), *_shared_config(repo)]
    if case.target.startswith("policies/"):
        source = ROOT / case.target
        renamed = f"FUZZ-{case.number}"
        target = where / "policies" / source.parent.name / f"{renamed}.yaml"
        target.parent.mkdir(parents=True)
        original = re.sub(r"(?m)^id: .*$", f"id: {renamed}", source.read_text(encoding="utf-8"))
        target.write_bytes(mutation.mutate(rng, original.encode(), "policy", payload))
        args += ["--policies", str(where / "policies")]
    else:
        target = repo / case.target
        original_bytes = target.read_bytes() if target.exists() else b""
        target.write_bytes(mutation.mutate(rng, original_bytes, _kind(target), payload))
        if case.mutation == "odd-file-names":
            name = rng.choice(ODD_NAMES) + os.fsencode(target.name)
            os.rename(os.fsencode(target), os.fsencode(target.parent) + b"/" + name[:250])
    return args


def _shared_config(repo: Path) -> list[str]:
    """One configuration per run: a seed's own .sovscan.yaml is named, so the neighbour is judged by it too."""
    config = repo / ".sovscan.yaml"
    return ["--config", str(config)] if config.exists() else []


def _write_neighbour(neighbour: Path) -> None:
    neighbour.mkdir(parents=True, exist_ok=True)
    for name, text in NEIGHBOUR.items():
        (neighbour / name).write_text(text, encoding="utf-8")


# --- running a case ----------------------------------------------------------------------------------------
@dataclass
class Outcome:
    code: int | None                  # None: no exit code (hung and killed, or died of a signal)
    stderr: str
    problem: str = ""                 # why the case fails; empty when it passes
    neighbour: tuple = ()


def scan_isolated(args: list[str], where: Path, timeout: float) -> Outcome:
    """cli.main(args) in a forked child with its working directory at `where` and capped memory."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:                                               # the child never returns
        os.close(read_end)
        _child(args, where, write_end)
    os.close(write_end)
    data = _read_until(read_end, time.monotonic() + timeout)
    os.close(read_end)
    if data is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return Outcome(None, "", f"hang: no result within {timeout:.0f}s")
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return Outcome(None, "", f"died of signal {signal.Signals(os.WTERMSIG(status)).name}")
    code, stderr = json.loads(data)
    return Outcome(code, stderr)


def _mapped_bytes() -> int:
    """The address space this process maps now (Linux /proc; 0 elsewhere)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return 0


def _child(args: list[str], where: Path, write_end: int) -> None:
    code, stderr = 99, ""
    try:
        os.chdir(where)
        cap = _mapped_bytes() + MEMORY_LIMIT      # on top of what the parent (a long pytest run) already maps
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        with open("stderr.fd", "w") as raw:                    # what C code writes past sys.stderr
            os.dup2(raw.fileno(), 2)
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        from scanner import cli
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(args)
        stderr = err.getvalue() + Path("stderr.fd").read_text(errors="replace")
    except BaseException:                                     # noqa: BLE001 - reported, never raised
        import traceback
        stderr = traceback.format_exc()
    finally:
        payload = json.dumps([code, stderr[-20_000:]]).encode()
        while payload:
            payload = payload[os.write(write_end, payload):]
        os._exit(0)


def _read_until(fd: int, deadline: float) -> bytes | None:
    chunks = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([fd], [], [], left)[0]:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _neighbour_findings(where: Path) -> tuple:
    try:
        report = json.loads((where / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    # Repository-wide findings (address ".") and those of a fuzzed policy may change with the seed.
    return tuple(sorted((f["path"], f["line"], f["policy_id"], f["level"], f.get("fingerprint", ""))
                        for f in report.get("findings", []) if f["path"].startswith("neighbour/")
                        and f.get("address") != "." and not f["policy_id"].startswith("FUZZ-")))


def run_case(case: Case, seed: int, timeout: float, baseline: Callable[[Path], tuple], keep: Path | None,
             payload: int = 2 * MEGABYTE) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="sovscan-fuzz-") as temporary:
        where = Path(temporary)
        args = _relative(materialise(case, seed, where, payload), where) + _report_args()
        outcome = scan_isolated(args, where, timeout)
        outcome.neighbour = _neighbour_findings(where)
        outcome.problem = outcome.problem or _judge(case, outcome, baseline(case.seed))
        if outcome.code == 3:                  # once more with --debug, for where the bug is
            outcome.stderr = scan_isolated(["--debug", *args], where, timeout).stderr
        if outcome.problem and keep is not None:
            shutil.copytree(where, keep / f"case-{case.number}", ignore=shutil.ignore_patterns("report.*"),
                            dirs_exist_ok=True)
        return outcome


def _relative(args: list[str], where: Path) -> list[str]:
    return [os.path.relpath(a, where) if a.startswith(str(where)) else a for a in args]


def _report_args() -> list[str]:
    return [arg for fmt in FORMATS for arg in ("-f", f"{fmt}=report.{fmt}")] + ["-f", "text"]


def _judge(case: Case, outcome: Outcome, expected_neighbour: tuple) -> str:
    if outcome.code not in (0, 1, 2):
        return f"exit {outcome.code}"
    if "Traceback" in outcome.stderr:
        return "traceback on standard error"
    if outcome.code == 2 and case.mutation not in ("config-file", "policy-file"):
        return "exit 2 for a scanned file (only configuration and policy errors are exit 2)"
    # A configuration applies to the whole scan: it may change every finding.
    if outcome.code in (0, 1) and case.mutation != "config-file" and outcome.neighbour != expected_neighbour:
        return "the untouched neighbour's findings changed"
    return ""


@functools.lru_cache(maxsize=None)
def _baseline(seed_dir: Path, timeout: float) -> tuple:
    """The neighbour's findings when scanned with the unmutated seed (trusted input: scanned in-process)."""
    from scanner import cli
    with tempfile.TemporaryDirectory(prefix="sovscan-fuzz-") as temporary:
        where, here = Path(temporary), os.getcwd()
        shutil.copytree(seed_dir, where / "repo")
        _write_neighbour(where / "neighbour")
        os.chdir(where)
        try:
            with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
                cli.main(["scan", "repo", "neighbour", *_shared_config(where / "repo"), "-f", "json=report.json"])
        finally:
            os.chdir(here)
        return _neighbour_findings(where)


# --- a run -------------------------------------------------------------------------------------------------
@dataclass
class Summary:
    cases: int = 0
    by_exit: Counter = field(default_factory=Counter)
    by_class: Counter = field(default_factory=Counter)
    failures: list[tuple[Case, Outcome]] = field(default_factory=list)


def run(seed: int = 1, count: int = 300, timeout: float = 60.0, classes: tuple[str, ...] = (),
        keep: Path | None = None, progress: Callable[[Case, Outcome], None] | None = None,
        payload: int = 2 * MEGABYTE, only: int | None = None) -> Summary:
    _warm_up()
    summary = Summary()
    for case in plan(seed, count if only is None else only + 1, classes)[only:]:
        outcome = run_case(case, seed, timeout, lambda s: _baseline(s, timeout), keep, payload)
        summary.cases += 1
        summary.by_exit["none" if outcome.code is None else str(outcome.code)] += 1
        summary.by_class[case.mutation] += 1
        if outcome.problem:
            summary.failures.append((case, outcome))
        if progress is not None:
            progress(case, outcome)
    return summary


def _warm_up() -> None:
    """Validating the built-in pack takes about a second, loading parsers and registries as much again (the
    neighbour's Unicode identifier builds the second HCL parser): done once here, every fork inherits it."""
    _load_builtin_pack_once()
    with tempfile.TemporaryDirectory(prefix="sovscan-fuzz-") as temporary:
        _write_neighbour(Path(temporary))
        from scanner import cli
        reports = [a.replace("=report.", f"={temporary}/report.") for a in _report_args()]
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            cli.main(["scan", temporary, *reports])


def _load_builtin_pack_once() -> None:
    from scanner.evaluate import policies
    from scanner.pack import builtin_policy_dir
    if getattr(policies.load_dir, "cache_info", None) is not None:
        return
    builtin, load_dir = builtin_policy_dir(), policies.load_dir
    cached = functools.lru_cache(maxsize=1)(lambda: load_dir(builtin))
    policies.load_dir = functools.wraps(load_dir)(lambda d: list(cached()) if Path(d) == Path(builtin) else load_dir(d))
    policies.load_dir.cache_info = cached.cache_info   # marks the wrapper as installed
    cached()


def _first_line(outcome: Outcome) -> str:
    """The exception and the innermost sovscan frame of a traceback, or the last line of standard error."""
    lines = [line.strip() for line in outcome.stderr.strip().splitlines() if line.strip()]
    frames = [line for line in lines if line.startswith("File ") and "/scanner/" in line]
    where = frames[-1].split("/scanner/", 1)[1] if frames else ""
    return f"{lines[-1][:160]} (scanner/{where})" if where and lines else (lines[-1][:160] if lines else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a scan counts as a hang")
    parser.add_argument("--classes", default="", help="comma-separated mutation classes (default: all): "
                        + ", ".join(m.name for m in MUTATIONS))
    parser.add_argument("--keep", type=Path, help="directory to save failing cases in")
    parser.add_argument("--payload", type=int, default=2 * MEGABYTE, help="bytes a huge string or nesting may add")
    parser.add_argument("--case", type=int, help="run only this case (same --seed and --classes replay it)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))

    def progress(case: Case, outcome: Outcome) -> None:
        if outcome.problem:
            print(f"case {case.number} [{case.mutation}] {case.seed.relative_to(ROOT)}/{case.target}: "
                  f"{outcome.problem}: {_first_line(outcome)}", flush=True)
        elif case.number % 250 == 0:
            print(f"... {case.number} cases", flush=True)

    started = time.monotonic()
    summary = run(args.seed, args.cases, args.timeout, tuple(c for c in args.classes.split(",") if c), args.keep,
                  progress, args.payload, args.case)
    print(f"{summary.cases} cases in {time.monotonic() - started:.0f}s; by exit code: "
          + ", ".join(f"{k}: {v}" for k, v in sorted(summary.by_exit.items())))
    print("by class: " + ", ".join(f"{k}: {v}" for k, v in sorted(summary.by_class.items())))
    print(f"{len(summary.failures)} failing cases")
    return 1 if summary.failures else 0


if __name__ == "__main__":
    sys.exit(main())
