"""Look at the HTML report as a person would: scan the examples, render the report in headless Chromium (Debian's
`chromium` package) and write PNG screenshots and a PDF print, for a human to look at before a release.

    python bench/screenshot_report.py [--lang nl] [--out DIR] [--organisation]

With --organisation it scans each example as its own repository, merges the four JSON results with
`sovscan report merge` and pictures the organisation report instead.

Chromium runs without a sandbox, GPU, first-run dialogs, background networking, component updates or sync,
with a fresh profile directory, so the pictures show only what the file itself contains: a report that loaded
anything from the network would show it missing. The script prints the files it wrote.
"""
from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1"]
# Viewports: the top of the report as a browser shows it, and a tall one that shows most of it at once.
SHOTS = (("top", "1280,1000"), ("full", "1280,16000"))


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("no chromium on PATH (Debian: apt-get install -y chromium)")


def run(browser: str, profile: Path, *arguments: str) -> None:
    subprocess.run([browser, *FLAGS, f"--user-data-dir={profile}", *arguments], check=True, timeout=120,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _report(report: Path, lang: str) -> int:
    return subprocess.run([sys.executable, "-m", "scanner", "scan", "examples", "-f", f"html={report}", "--lang", lang],
                          cwd=ROOT).returncode


def _organisation(report: Path, out: Path, lang: str) -> int:
    results = []
    for example in sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir()):
        result = out / f"{example}.json"
        done = subprocess.run([sys.executable, "-m", "scanner", "scan", f"examples/{example}", "-f", f"json={result}"],
                              cwd=ROOT, stdout=subprocess.DEVNULL)
        if done.returncode not in (0, 1):
            return done.returncode
        results.append(str(result))
    return subprocess.run([sys.executable, "-m", "scanner", "report", "merge", *results, "--lang", lang,
                           "-f", f"html={report}"], cwd=ROOT).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lang", choices=("en", "nl"), default="en")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "screenshots")
    parser.add_argument("--organisation", action="store_true", help="picture the organisation report of the examples")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    report = args.out / f"{'organisation' if args.organisation else 'report'}-{args.lang}.html"
    made = _organisation(report, args.out, args.lang) if args.organisation else _report(report, args.lang)
    if made not in (0, 1):
        return made
    browser = chromium()
    written = []
    for name, size in SHOTS:
        with tempfile.TemporaryDirectory() as profile:
            target = args.out / f"{report.stem}-{name}.png"
            run(browser, Path(profile), f"--window-size={size}", f"--screenshot={target}", report.as_uri())
            written.append(target)
    with tempfile.TemporaryDirectory() as profile:
        target = args.out / f"{report.stem}.pdf"
        run(browser, Path(profile), "--no-pdf-header-footer", f"--print-to-pdf={target}", report.as_uri())
        written.append(target)
    for path in written:
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
