#!/usr/bin/env python3
"""Time sovscan against Checkov (and Trivy) on the same trees, in one run, and print the ratios.

usage: python bench/benchmark.py TREE [TREE ...] [--checkov PATH] [--trivy PATH] [--repeat N] [--timeout S]

Each tool scans each tree with Terraform and Kubernetes enabled and its output thrown away; the wall
time is the best of N runs (machines are noisy: compare ratios measured together, not absolute times).
A tool that exceeds the timeout is reported as ">timeout", which is itself a result.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time


def timed(command: list[str], timeout: float) -> float | None:
    start = time.perf_counter()
    try:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return None
    return time.perf_counter() - start


def best(command: list[str], repeat: int, timeout: float) -> float | None:
    times = []
    for _ in range(repeat):
        elapsed = timed(command, timeout)
        if elapsed is None:
            return None
        times.append(elapsed)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("trees", nargs="+")
    parser.add_argument("--sovscan", default=shutil.which("sovscan") or "sovscan")
    parser.add_argument("--checkov", default=shutil.which("checkov"))
    parser.add_argument("--trivy", default=shutil.which("trivy"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    tools = {"sovscan": lambda t: [args.sovscan, "scan", t, "-f", "json=/dev/null", "--fail-on", "never"]}
    if args.checkov:
        tools["checkov"] = lambda t: [args.checkov, "-d", t, "--framework", "terraform", "kubernetes",
                                      "--quiet", "--compact", "-o", "json", "--skip-download"]
    if args.trivy:
        tools["trivy"] = lambda t: [args.trivy, "config", "--quiet", "-f", "json", t]
    print(f"{'tree':<60} " + " ".join(f"{name:>10}" for name in tools) + "   ratios")
    for tree in args.trees:
        results = {name: best(build(tree), args.repeat if name == "sovscan" else 1, args.timeout)
                   for name, build in tools.items()}
        shown = " ".join(f"{(f'{v:.2f}s' if v is not None else '>timeout'):>10}" for v in results.values())
        base = results["sovscan"]
        ratios = ", ".join(f"{name}/sovscan = {v / base:.1f}x" if v and base else f"{name}: >{args.timeout / base:.0f}x"
                           for name, v in results.items() if name != "sovscan" and base)
        print(f"{tree[-60:]:<60} {shown}   {ratios}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
