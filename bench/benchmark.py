#!/usr/bin/env python3
"""Measure sovscan's speed targets in one run and print them as a markdown table with ratios.

usage: python bench/benchmark.py CORPUS [--repos TREE ...] [--peer-repos TREE ...] [--precommit FILE]
                                 [--checkov PATH] [--trivy PATH] [--runs N] [--timeout S] [--peer-timeout S]

Measured, each as the median of N runs with the tools alternating run by run (machines are noisy: compare
ratios measured together, not absolute times):
- sovscan on the whole CORPUS cold (an empty cache directory), warm (the cache filled, nothing changed), and
  warm with one `.tf` file changed: terraform-aws-eks `main.tf`, which every example root module of that
  repository calls (the worst case), and a file that only its own root module reads (an example's `main.tf`);
  the tree scanned is a hard-linked copy of CORPUS in a temporary directory;
- the parser floor: one Python process that parses every `.tf` file of CORPUS with python-hcl2 (`hcl2.loads`);
- a pre-commit run on one file (--precommit, default: terraform-aws-eks `main.tf` under CORPUS) warm, without
  a cache, and with the cache warm just after the file was edited (in the copy), `sovscan --version`, and a
  bare `python3 -c "import yaml, click"` start-up;
- the scaling curve: CORPUS x1, x2 and x4 (hard-linked copies side by side), scanned without a cache;
- linearity: generated root modules of 375 to 6,000 resources that also call a chain of 20 local modules;
- many files: a generated repository of 5,000 to 50,000 ordinary files (code, documentation, configuration:
  sovscan reads each as text for the secret detectors) beside a small Terraform module and a Deployment,
  without a cache and warm: peak RSS and what each file beyond the first 5,000 adds to it;
- Checkov and Trivy on the whole CORPUS and on --peer-repos, when installed: `not installed` otherwise. Trivy
  runs offline (--skip-check-update --skip-version-check) and every tool gets HTTPS_PROXY at a closed local
  port, so look-ups fail at once as in CI without egress; a run past --peer-timeout is "did not finish".
Peak RSS is the largest resident set of the measured process and its children (getrusage of the children).
sovscan's bytecode is compiled first, as an installed package has it (an editable checkout under
PYTHONDONTWRITEBYTECODE would otherwise compile every module on every run).
"""
from __future__ import annotations

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

CLOSED_PROXY = "http://127.0.0.1:9"   # nothing listens on the discard port: a look-up fails at once
GENERATED_SIZES = (375, 750, 1500, 3000, 6000)
FILE_COUNTS = (5_000, 20_000, 50_000)
CHAIN_DEPTH = 20

FLOOR_SCRIPT = """
import sys, hcl2
paths = open(sys.argv[1], encoding="utf-8").read().splitlines()
failed = 0
for path in paths:
    try:
        with open(path, encoding="utf-8") as handle:
            hcl2.loads(handle.read())
    except Exception:
        failed += 1
print(len(paths), failed)
"""


@dataclass
class Timing:
    """The runs of one command: wall seconds and peak RSS (MB) of each; None for a run past the timeout."""
    seconds: list[float] = field(default_factory=list)
    rss_mb: list[float] = field(default_factory=list)
    timed_out: float | None = None
    missing: str = ""

    @property
    def median(self) -> float | None:
        return statistics.median(self.seconds) if self.seconds and self.timed_out is None else None

    @property
    def peak_rss(self) -> float | None:
        return max(self.rss_mb) if self.rss_mb else None

    def shown(self) -> str:
        if self.missing:
            return self.missing
        if self.timed_out is not None:
            return f"did not finish in {self.timed_out:.0f} s"
        return f"{self.median:.2f} s" if self.median is not None else "-"


def run_once(command: list[str], timeout: float, env: dict[str, str] | None = None, cwd: str | None = None,
             before=None) -> tuple[float | None, float]:
    """(wall seconds or None past the timeout, peak RSS in MB of the process and its waited-for children)."""
    if before is not None:
        before()
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd,
                               start_new_session=True)
    deadline = start + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            return time.perf_counter() - start, usage.ru_maxrss / 1024
        if time.perf_counter() > deadline:
            os.killpg(process.pid, 9)
            _, _, usage = os.wait4(process.pid, 0)
            return None, usage.ru_maxrss / 1024
        time.sleep(0.005)


def measure(commands: dict[str, dict], runs: int) -> dict[str, Timing]:
    """Each command `runs` times, alternating: run 1 of every command, then run 2 of every command, ..."""
    timings = {name: Timing() for name in commands}
    for _ in range(runs):
        for name, spec in commands.items():
            timing = timings[name]
            if timing.timed_out is not None:
                continue               # once past the timeout, not tried again
            seconds, rss = run_once(spec["command"], spec.get("timeout", 900), spec.get("env"), spec.get("cwd"),
                                    spec.get("before"))
            timing.rss_mb.append(rss)
            if seconds is None:
                timing.timed_out = spec.get("timeout", 900)
            else:
                timing.seconds.append(seconds)
    return timings


def ratio(a: Timing, b: Timing) -> str:
    if a.median is None or b.median is None or not b.median:
        return "-"
    return f"{a.median / b.median:.2f}"


def hard_link_copies(source: Path, target: Path, copies: int) -> list[Path]:
    trees = []
    for number in range(copies):
        tree = target / f"copy{number}"
        if not tree.exists():
            shutil.copytree(source, tree, copy_function=os.link, symlinks=True)
        trees.append(tree)
    return trees


# the file of the second "changed" case: one example root module's own, which nothing else calls
LEAF_FILE = "terraform-aws-eks/examples/karpenter/main.tf"


def tf_files(tree: Path) -> list[str]:
    return sorted(str(p) for p in tree.rglob("*.tf") if ".terraform" not in p.parts and p.is_file()
                  and p.stat().st_size <= 5 * 1024 * 1024)


# --- generated modules ------------------------------------------------------------------------------

def generated_module(root: Path, resources: int) -> Path:
    """A root module of `resources` resources (buckets, their encryption, keys and policies linked by
    reference, as real modules are) that also calls a chain of CHAIN_DEPTH local modules."""
    root.mkdir(parents=True, exist_ok=True)
    groups = resources // 4
    lines = ['locals {\n  prefix = "gen"\n  tags   = { team = "platform", env = var.env }\n}\n',
             'variable "env" {\n  default = "prod"\n}\n',
             'provider "aws" {\n  region = "eu-central-1"\n}\n',
             'module "chain" {\n  source = "./modules/level0"\n  name   = local.prefix\n}\n']
    for n in range(groups):
        lines.append(f'resource "aws_kms_key" "k{n}" {{\n  description = "key {n}"\n  enable_key_rotation = true\n'
                     f'  tags = local.tags\n}}\n')
        lines.append(f'resource "aws_s3_bucket" "b{n}" {{\n  bucket = "${{local.prefix}}-{n}"\n  tags = local.tags\n}}\n')
        lines.append(f'resource "aws_s3_bucket_server_side_encryption_configuration" "e{n}" {{\n'
                     f'  bucket = aws_s3_bucket.b{n}.id\n  rule {{\n    apply_server_side_encryption_by_default {{\n'
                     f'      sse_algorithm     = "aws:kms"\n      kms_master_key_id = aws_kms_key.k{n}.arn\n    }}\n'
                     f'  }}\n}}\n')
        lines.append(f'resource "aws_s3_bucket_public_access_block" "p{n}" {{\n  bucket = aws_s3_bucket.b{n}.id\n'
                     f'  block_public_acls = true\n  restrict_public_buckets = true\n}}\n')
    (root / "main.tf").write_text("".join(lines), encoding="utf-8")
    for level in range(CHAIN_DEPTH):
        module = root / "modules" / f"level{level}"
        module.mkdir(parents=True, exist_ok=True)
        text = ('variable "name" {}\n'
                f'resource "aws_s3_bucket" "level" {{\n  bucket = "${{var.name}}-{level}"\n}}\n'
                f'resource "aws_s3_bucket_versioning" "level" {{\n  bucket = aws_s3_bucket.level.id\n'
                f'  versioning_configuration {{\n    status = "Enabled"\n  }}\n}}\n'
                'output "bucket" {\n  value = aws_s3_bucket.level.bucket\n}\n')
        if level + 1 < CHAIN_DEPTH:
            text += (f'module "next" {{\n  source = "../level{level + 1}"\n  name   = "${{var.name}}-{level}"\n}}\n')
        (module / "main.tf").write_text(text, encoding="utf-8")
    return root


def many_files(root: Path, count: int) -> Path:
    """A repository of `count` ordinary files, a hundred per directory, beside a Terraform module and a
    Kubernetes Deployment (so that every stage runs)."""
    if root.exists():
        return root
    (root / "infra").mkdir(parents=True)
    (root / "infra" / "main.tf").write_text(
        'provider "aws" {\n  region = "eu-central-1"\n}\n'
        'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n', encoding="utf-8")
    (root / "deploy").mkdir()
    (root / "deploy" / "app.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n"
        "      containers:\n        - name: app\n          image: registry.example.nl/app:1.0\n", encoding="utf-8")
    suffixes = (".py", ".md", ".json", ".txt")
    for number in range(count):
        directory = root / "src" / f"part{number // 100}"
        if number % 100 == 0:
            directory.mkdir(parents=True)
        suffix = suffixes[number % len(suffixes)]
        text = f'{{"item": {number}, "name": "part {number}"}}\n' if suffix == ".json" else \
            "".join(f"line {line} of file {number}: value = {(number * 31 + line * 7) % 1000}\n" for line in range(30))
        (directory / f"file{number}{suffix}").write_text(text, encoding="utf-8")
    return root


# --- the run ------------------------------------------------------------------------------------------

def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    return f"{os.cpu_count()} cores ({model or 'unknown CPU'}), {platform.system()} {platform.release()}, " \
           f"Python {platform.python_version()}"


def version_of(command: list[str]) -> str:
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=120,
                             env={**os.environ, "HTTPS_PROXY": CLOSED_PROXY})
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, subprocess.SubprocessError, IndexError):
        return "?"


def compile_bytecode(script: str) -> None:
    """Compile the scanner package that the sovscan script runs, with that script's Python."""
    with open(script, "rb") as handle:
        first = handle.readline().decode("utf-8", "replace").strip()
    python = first[2:].strip() if first.startswith("#!") and "python" in first else sys.executable
    subprocess.run([python, "-c", "import compileall, os, scanner; "
                    "compileall.compile_dir(os.path.dirname(scanner.__file__), quiet=1)"], check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", help="the whole corpus: a directory of repositories")
    parser.add_argument("--repos", nargs="*", default=None,
                        help="trees timed on their own (default: every directory under CORPUS)")
    parser.add_argument("--peer-repos", nargs="*", default=(), help="trees Checkov and Trivy scan too")
    parser.add_argument("--precommit", help="the file a pre-commit run is given (default: terraform-aws-eks main.tf)")
    parser.add_argument("--sovscan", default=str(Path(sys.executable).with_name("sovscan")))
    parser.add_argument("--checkov", default=shutil.which("checkov"))
    parser.add_argument("--trivy", default=shutil.which("trivy"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=1, help="runs of Checkov and Trivy on the whole corpus")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--peer-timeout", type=float, default=900)
    parser.add_argument("--skip", nargs="*", default=(), choices=("scaling", "generated", "files", "repos", "peers"))
    args = parser.parse_args()
    corpus = Path(args.corpus).resolve()
    env = {**os.environ, "HTTPS_PROXY": CLOSED_PROXY, "https_proxy": CLOSED_PROXY}
    sovscan = [args.sovscan, "scan", "-f", "json=/dev/null", "--fail-on", "never"]
    compile_bytecode(args.sovscan)
    rows: list[str] = []
    with tempfile.TemporaryDirectory(prefix="sovscan-bench-") as temporary:
        work = Path(temporary)
        print(f"# sovscan benchmark, {datetime.date.today().isoformat()}\n", flush=True)
        hcl2_version = version_of([sys.executable, "-c", "import importlib.metadata as m; print(m.version('python-hcl2'))"])
        peers = [version_of([args.checkov, "--version"]) and f"Checkov {version_of([args.checkov, '--version'])}"
                 if args.checkov else "Checkov not installed",
                 version_of([args.trivy, "--version"]) if args.trivy else "Trivy not installed"]
        print(f"Machine: {machine()}. {version_of([args.sovscan, '--version'])}, python-hcl2 {hcl2_version}; "
              f"{'; '.join(peers)}. Median of {args.runs} alternating runs.\n", flush=True)
        rows += targets(args, corpus, work, sovscan, env)
        print("\n".join(rows), flush=True)
        rows.clear()
        if "scaling" not in args.skip:
            print("\n".join(scaling(args, corpus, work, sovscan, env)), flush=True)
        if "generated" not in args.skip:
            print("\n".join(generated(args, work, sovscan, env)), flush=True)
        if "files" not in args.skip:
            print("\n".join(files_scaling(args, work, sovscan, env)), flush=True)
        if "repos" not in args.skip or "peers" not in args.skip:
            print("\n".join(per_repository(args, corpus, work, sovscan, env)), flush=True)
    return 0


def targets(args, corpus: Path, work: Path, sovscan: list[str], env: dict[str, str]) -> list[str]:
    tree = hard_link_copies(corpus, work / "x1", 1)[0]
    cold_cache, warm_cache = work / "cache-cold", work / "cache-warm"
    changed = next((Path(p) for p in tf_files(tree) if p.endswith("terraform-aws-eks/main.tf")), Path(tf_files(tree)[0]))
    leaf = next((Path(p) for p in tf_files(tree) if p.endswith(LEAF_FILE)), None)
    originals: dict[Path, bytes] = {}
    edits = iter(range(10 ** 6))

    def empty_cache() -> None:
        shutil.rmtree(cold_cache, ignore_errors=True)

    def editing(path: Path) -> Callable[[], None]:
        """Before each run: a new comment at the end of `path` in the copy (the corpus itself is not touched)."""
        originals.setdefault(path, path.read_bytes())

        def edit() -> None:
            path.unlink()                      # breaks the hard link
            path.write_bytes(originals[path] + f"\n# edit {next(edits)}\n".encode())
        return edit
    change_one_file = editing(changed)

    subprocess.run(sovscan + ["--cache-dir", str(warm_cache), str(tree)], env=env, capture_output=True, check=False)
    files = tf_files(corpus)
    listing = work / "tf-files.txt"
    listing.write_text("\n".join(files), encoding="utf-8")
    precommit = Path(args.precommit) if args.precommit else next(
        (p for p in corpus.glob("*terraform-aws-eks/main.tf")), None)
    commands: dict[str, dict] = {
        "cold": dict(command=sovscan + ["--cache-dir", str(cold_cache), str(tree)], before=empty_cache),
        "warm": dict(command=sovscan + ["--cache-dir", str(warm_cache), str(tree)]),
        "changed": dict(command=sovscan + ["--cache-dir", str(warm_cache), str(tree)], before=change_one_file),
        "floor": dict(command=[sys.executable, "-c", FLOOR_SCRIPT, str(listing)]),
        "bare": dict(command=[sys.executable, "-c", "import yaml, click"]),
        "version": dict(command=[args.sovscan, "--version"]),
    }
    if leaf is not None:
        commands["changed-leaf"] = dict(command=sovscan + ["--cache-dir", str(warm_cache), str(tree)],
                                        before=editing(leaf))
    if precommit is not None:
        repository = precommit.parent
        while repository.parent != corpus and repository.parent != repository:
            repository = repository.parent
        relative = str(precommit.relative_to(repository))
        pre = [args.sovscan, "scan", relative, "--fail-on", "never"]
        subprocess.run(pre + ["--cache-dir", str(warm_cache)], cwd=repository, env=env, capture_output=True, check=False)
        commands["precommit-warm"] = dict(command=pre + ["--cache-dir", str(warm_cache)], cwd=str(repository))
        commands["precommit-uncached"] = dict(command=pre + ["--no-cache"], cwd=str(repository))
        # The usual case: a hook runs on files that were just edited, so the result cache cannot answer. Its own
        # copy of the repository: the whole-corpus copy must stay as the "changed" run left it, for "warm".
        edited_repository = hard_link_copies(repository, work / "precommit", 1)[0]
        edited_cache = work / "cache-precommit"
        subprocess.run(pre + ["--cache-dir", str(edited_cache)], cwd=edited_repository, env=env, capture_output=True,
                       check=False)
        commands["precommit-edited"] = dict(command=pre + ["--cache-dir", str(edited_cache)],
                                            cwd=str(edited_repository), before=editing(edited_repository / relative))
        # A team's pipeline scans its one repository, with the cache of the last pipeline restored: its own copy
        # and cache, the same file changed before each run.
        alone = hard_link_copies(repository, work / "repository", 1)[0]
        alone_cache = work / "cache-repository"
        subprocess.run(sovscan + ["--cache-dir", str(alone_cache), str(alone)], env=env, capture_output=True, check=False)
        commands["repository-warm"] = dict(command=sovscan + ["--cache-dir", str(alone_cache), str(alone)])
        commands["repository-changed"] = dict(command=sovscan + ["--cache-dir", str(alone_cache), str(alone)],
                                              before=editing(alone / relative))
        leaf_in_repository = alone / LEAF_FILE.split("/", 1)[1]
        if leaf_in_repository.is_file():
            commands["repository-changed-leaf"] = dict(
                command=sovscan + ["--cache-dir", str(alone_cache), str(alone)], before=editing(leaf_in_repository))
    for spec in commands.values():
        spec.setdefault("env", env)
        spec.setdefault("timeout", args.timeout)
    t = measure(commands, args.runs)
    for path, original in originals.items():
        path.unlink()
        path.write_bytes(original)
    rows = [f"## Targets ({len(files)} `.tf` files in {corpus.name})\n",
            "| measure | time | peak RSS | ratio | target |", "|---|---:|---:|---:|---|"]

    def row(label: str, name: str, against: str = "", target: str = "") -> None:
        timing = t.get(name)
        if timing is None:
            return
        shown = f"{ratio(timing, t[against])} of {against}" if against else ""
        rss = f"{timing.peak_rss:.0f} MB" if timing.peak_rss else "-"
        rows.append(f"| {label} | {timing.shown()} | {rss} | {shown} | {target} |")
    row("whole corpus, cold (empty cache)", "cold", "floor", "<= 1.0 of the parser floor")
    row("whole corpus, warm (nothing changed)", "warm", "cold", "<= 0.2 of cold")
    row("whole corpus, warm, one `.tf` file changed (eks `main.tf`, which every eks root module calls)", "changed",
        "warm", "close to warm")
    row(f"whole corpus, warm, one root module's own `.tf` file changed (`{LEAF_FILE}`)", "changed-leaf", "warm")
    row("parser floor: python-hcl2 parse of the same `.tf` files, one process", "floor")
    if precommit is not None:
        row(f"pre-commit on `{precommit.parent.name}/{precommit.name}`, warm", "precommit-warm", "bare",
            "<= 4x bare start-up")
        row("the same without a cache", "precommit-uncached", "bare")
        row("the same just after an edit of the file (cache warm, the result cache misses)", "precommit-edited", "bare")
        row(f"`{repository.name}` alone, warm (nothing changed)", "repository-warm")
        row(f"`{repository.name}` alone, warm, `{relative}` changed", "repository-changed", "repository-warm")
        row(f"`{repository.name}` alone, warm, `{LEAF_FILE.split('/', 1)[1]}` changed", "repository-changed-leaf",
            "repository-warm")
    row("`sovscan --version`", "version", "bare")
    row('bare start-up: `python3 -c "import yaml, click"`', "bare")
    return rows


def scaling(args, corpus: Path, work: Path, sovscan: list[str], env: dict[str, str]) -> list[str]:
    commands = {}
    for copies in (1, 2, 4):
        hard_link_copies(corpus, work / f"x{copies}", copies)
        commands[f"x{copies}"] = dict(command=sovscan + ["--no-cache", str(work / f"x{copies}")], env=env,
                                      timeout=args.timeout)
    t = measure(commands, args.runs)
    rows = ["\n## Scaling: the corpus copied side by side, no cache\n", "| copies | time | peak RSS | x1's time per copy |",
            "|---|---:|---:|---:|"]
    for copies in (1, 2, 4):
        timing = t[f"x{copies}"]
        per_copy = f"{timing.median / copies / t['x1'].median:.2f}" if timing.median and t["x1"].median else "-"
        rows.append(f"| x{copies} | {timing.shown()} | {timing.peak_rss or 0:.0f} MB | {per_copy} |")
    return rows


def generated(args, work: Path, sovscan: list[str], env: dict[str, str]) -> list[str]:
    commands = {}
    for size in GENERATED_SIZES:
        root = generated_module(work / f"generated-{size}", size)
        commands[str(size)] = dict(command=sovscan + ["--no-cache", str(root)], env=env, timeout=args.timeout)
    t = measure(commands, args.runs)
    first = t[str(GENERATED_SIZES[0])]
    rows = [f"\n## Linearity: a generated root module calling a chain of {CHAIN_DEPTH} local modules, no cache\n",
            "| resources | time | peak RSS | ms per resource | time / 375's time |", "|---:|---:|---:|---:|---:|"]
    for size in GENERATED_SIZES:
        timing = t[str(size)]
        per = f"{timing.median / size * 1000:.2f}" if timing.median else "-"
        rows.append(f"| {size:,} | {timing.shown()} | {timing.peak_rss or 0:.0f} MB | {per} | {ratio(timing, first)} |")
    return rows


def files_scaling(args, work: Path, sovscan: list[str], env: dict[str, str]) -> list[str]:
    commands = {}
    for count in FILE_COUNTS:
        root = many_files(work / f"files-{count}", count)
        cache = work / f"files-cache-{count}"
        subprocess.run(sovscan + ["--cache-dir", str(cache), str(root)], env=env, capture_output=True, check=False)
        commands[f"{count} no cache"] = dict(command=sovscan + ["--no-cache", str(root)], env=env, timeout=args.timeout)
        commands[f"{count} warm"] = dict(command=sovscan + ["--cache-dir", str(cache), str(root)], env=env,
                                         timeout=args.timeout)
    t = measure(commands, args.runs)
    rows = ["\n## Many files: a repository of ordinary files beside a small module and a Deployment\n",
            "| files | no cache | peak RSS | per file beyond 5,000 | warm | peak RSS | per file beyond 5,000 |",
            "|---:|---:|---:|---:|---:|---:|---:|"]
    first = FILE_COUNTS[0]
    for count in FILE_COUNTS:
        cells = [f"{count:,}"]
        for mode in ("no cache", "warm"):
            timing, base = t[f"{count} {mode}"], t[f"{first} {mode}"]
            growth = "-" if count == first or not timing.peak_rss or not base.peak_rss else \
                f"{(timing.peak_rss - base.peak_rss) * 1024 * 1024 / (count - first):,.0f} B"
            cells += [timing.shown(), f"{timing.peak_rss or 0:.0f} MB", growth]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def per_repository(args, corpus: Path, work: Path, sovscan: list[str], env: dict[str, str]) -> list[str]:
    repos = [Path(r).resolve() for r in args.repos] if args.repos is not None else \
        sorted(p for p in corpus.iterdir() if p.is_dir())
    peer_repos = {Path(r).resolve() for r in args.peer_repos} | ({corpus} if "peers" not in args.skip else set())
    trees = ([] if "repos" in args.skip else repos) + sorted(peer_repos - set(repos))
    rows = ["\n## Per repository (sovscan without a cache; Checkov and Trivy where measured)\n",
            "| tree | sovscan | peak RSS | Checkov | Trivy | Checkov / sovscan | Trivy / sovscan |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for tree in trees:
        commands: dict[str, dict] = {"sovscan": dict(command=sovscan + ["--no-cache", str(tree)], env=env,
                                                     timeout=args.timeout)}
        peers = tree in peer_repos and "peers" not in args.skip
        if peers and args.checkov:
            commands["checkov"] = dict(command=[args.checkov, "-d", str(tree), "--framework", "terraform",
                                                "kubernetes", "--quiet", "--compact", "-o", "json", "--skip-download"],
                                       env=env, timeout=args.peer_timeout)
        if peers and args.trivy:
            commands["trivy"] = dict(command=[args.trivy, "config", "--quiet", "-f", "json", "--skip-check-update",
                                              "--skip-version-check", str(tree)], env=env, timeout=args.peer_timeout)
        runs = args.peer_runs if tree == corpus else args.runs
        t = measure(commands, runs)
        missing = Timing(missing="not installed")
        checkov = t.get("checkov", missing if peers else Timing(missing="-"))
        trivy = t.get("trivy", missing if peers else Timing(missing="-"))
        name = "whole corpus" if tree == corpus else tree.name

        def versus(peer: Timing) -> str:
            if peer.timed_out is not None and t["sovscan"].median:
                return f"> {peer.timed_out / t['sovscan'].median:.0f}"
            return ratio(peer, t["sovscan"])
        rows.append(f"| {name} | {t['sovscan'].shown()} | {t['sovscan'].peak_rss or 0:.0f} MB | {checkov.shown()} | "
                    f"{trivy.shown()} | {versus(checkov)} | {versus(trivy)} |")
        print(rows[-1], file=sys.stderr, flush=True)
    return rows


if __name__ == "__main__":
    sys.exit(main())
