"""What ships beside the code: the licence the package declares, and README pins that point at real commits."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from scanner import git
from scanner.discover import MAX_FILE_BYTES

ROOT = Path(__file__).resolve().parent.parent
# sha256 of the official EUPL-1.2 English text as SPDX distributes it (npm spdx-license-list 6.12.0); its
# articles 1-15 were compared word for word with ScanCode's copy (licensedcode-data 32.1.0).
EUPL_SHA256 = "57fb42fbcd0b037ce528ed8f72f1ec095d67bc6825ecf1448ff39be1fe68a4b4"


def test_licence_is_the_declared_eupl_1_2():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert 'license = {text = "EUPL-1.2"}' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert text.startswith("EUROPEAN UNION PUBLIC LICENCE v. 1.2\nEUPL © the European Union 2007, 2016\n")
    headings = re.findall(r"^(\d+)\.\s?[A-Z]", text, re.MULTILINE)
    assert headings == [str(n) for n in range(1, 16)]
    assert "'Compatible Licences' according to Article 5 EUPL are:".replace("'", "‘", 1).replace("'", "’", 1) in text
    assert hashlib.sha256(text.encode("utf-8")).hexdigest() == EUPL_SHA256


def test_readme_pins_commits_that_exist_and_have_the_hook():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pins = set(re.findall(r"rev: ([0-9a-f]{40})", readme)) | set(re.findall(r"uses: OWNER/sovscan@([0-9a-f]{40})", readme))
    assert pins, "the README pins pre-commit and the action to full commit ids"
    assert "rev: v0.1.0" not in readme and "@v0.1.0" not in readme
    if git.top_level(str(ROOT)) is None:
        pytest.skip("not a git checkout")
    repository = git.Repository(git.top_level(str(ROOT)), MAX_FILE_BYTES)
    for pin in pins:
        try:
            commit = repository.commit(pin, what="README pin")
        except Exception as err:   # a shallow CI clone may not have it
            pytest.skip(f"commit {pin} not in this clone: {err}")
        assert repository.read(commit, ".pre-commit-hooks.yaml") is not None
        assert repository.read(commit, "action.yml") is not None
