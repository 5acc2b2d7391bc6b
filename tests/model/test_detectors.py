"""Credential detectors: the same matches as a regex tried everywhere, in work linear in the text."""
from __future__ import annotations

import dataclasses
import random

import pytest

from scanner.evaluate.predicates.secrets import rules
from scanner.model import detectors
from scanner.model.detectors import MAX_REACH, Catalogue, Work, find, load

MB = 1_000_000
FOOTER = "-----END PRIVATE KEY-----"


def _catalogue() -> Catalogue:
    return rules().detectors


def _detector(detector_id: str) -> detectors.Detector:
    return next(d for d in _catalogue().detectors if d.id == detector_id)


def _matches_only(catalogue: Catalogue) -> Catalogue:
    """The same detectors with every qualification switched off: what find() returns is what matched."""
    bare = tuple(dataclasses.replace(d, min_entropy=0.0, context=None, validate="") for d in catalogue.detectors)
    return Catalogue(bare, frozenset(), ())


def _everywhere(text: str, catalogue: Catalogue) -> list[tuple[int, str, str]]:
    """The reference: each regex tried at every position (finditer), as detection worked before."""
    found = []
    for index, detector in enumerate(catalogue.detectors):
        for match in detector.regex.finditer(text):
            start = match.start("secret")
            found.append((text.count("\n", 0, start) + 1, index, start, detector.id, match.group("secret")))
    return [(line, detector_id, secret) for line, _, _, detector_id, secret in sorted(found)]


# Pieces that make and break matches: literals, the characters of runs, separators, PEM markers.
PIECES = ["eyJ", "eyJhbGciOiJIUzI1NiJ9", ".", "-", "_", " ", "\n", "a" * 12, "A" * 16, "AKIA", "ASIA", "A3TX",
          "ghp_", "glpat-", "github_pat_", "x" * 40, "Q" * 82, "?", "&", "sig=", "AccountKey=", "=", "%3D",
          "client-key-data:", "  ", "'", "-----BEGIN PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----",
          FOOTER, "-----END RSA PRIVATE KEY-----", "-----END CERTIFICATE-----", "b" * 70, "0123456789" * 3,
          "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.", "ghp_" + "a1B2" * 9, "gho_" + "Zz9" * 11]


@pytest.mark.parametrize("seed", range(200))
def test_tries_only_where_a_match_can_start_yet_finds_what_trying_everywhere_finds(seed):
    generator = random.Random(seed)
    text = "".join(generator.choice(PIECES) for _ in range(generator.randint(1, 400)))
    bare = _matches_only(_catalogue())
    assert [(h.line, h.detector.id, h.secret) for h in find(text, bare)] == _everywhere(text, bare)


def test_every_detector_is_bounded_and_names_where_it_starts():
    for detector in _catalogue().detectors:
        assert 0 < detector.reach <= MAX_REACH and detector.prefilter.pattern, detector.id


def test_the_prefilter_finds_every_place_one_of_its_literals_starts_overlapping_ones_too():
    """One search for all the literals finds what a search per literal finds: where `AKIA` starts inside
    `xAKIA3T`, `A3T` starts too, and literals are literal (`.atlasv1.` has no wildcard)."""
    detector = load({"detectors": [{"id": "d", "title": "d", "regex": "(?P<secret>[A-Z0-9]{4,20})",
                                    "prefilter": ["A3T", "AKIA", "KIA3", ".x."]}]}).detectors[0]
    text = "xAKIA3T yy.x.z ax1x. AKIAKIA3"
    assert detectors._starts(text, detector.prefilter) == [1, 2, 4, 10, 21, 24, 25]


def _line_of(detector_id: str, piece: str) -> str:
    return (piece * (MB // len(piece) + 1))[:MB]


ADVERSARIAL = [
    # (detector, a 1 MB line that used to make a regex scan far from each place it tried, most tries)
    ("private-key", "-----BEGIN PRIVATE KEY-----\n", 0),                       # no footer anywhere
    ("private-key", "-----BEGIN PRIVATE KEY-----\n-----END CERTIFICATE-----\n", 0),  # footers of something else
    ("jwt", "eyJhbGciOiJIUzI1NiJ9-", 1),                                        # one run, no dot: one try
    ("jwt", "eyJa-" * 800 + ".eyJ!", 500),                                     # one try per run
    ("aws-access-key", "AKIA", MB // 4),                                       # a try per place, 20 chars each
    ("github-token", "ghp_", MB // 4),
    ("aws-secret-access-key", "SecretAccessKey=", MB // 16 + 1),
    ("github-fine-grained-pat", "github_pat_", MB // 11 + 1),
    ("gitlab-token", "glpat-", MB // 1030 + 1),                                # each try takes 1030 chars
    ("azure-storage-key", "AccountKey=", MB // 11 + 1),
    ("azure-sas", "?sig=", MB // 5),
    ("kubeconfig-client-key", "client-key-data:" + " " * 200, MB // 216 + 1),
]


@pytest.mark.parametrize("detector_id,piece,most_tries", ADVERSARIAL)
def test_hostile_megabyte_line_costs_a_bounded_number_of_bounded_tries(detector_id, piece, most_tries):
    text = _line_of(detector_id, piece)
    catalogue = Catalogue((_detector(detector_id),), frozenset(), ())
    work = Work()
    find(text, catalogue, work)
    assert work.tries <= most_tries
    assert work.run_chars <= len(text)      # the end of a run is looked for once per run


def test_a_line_of_real_tokens_is_found_in_one_pass():
    generator = random.Random(3)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    tokens = ["ghp_" + "".join(generator.choice(alphabet) for _ in range(36)) for _ in range(2000)]
    work = Work()
    hits = find(" ".join(tokens), _catalogue(), work)
    assert [h.secret for h in hits] == tokens and work.tries == 2000


def test_hits_come_by_line_then_detector_then_place():
    key = "AKIA" + "QWERTYUIOPASDFGH"
    token = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
    hits = find(f"{token} {key}\n{key} {key.replace('QW', 'ZX')}\n", _catalogue())
    assert [(h.line, h.detector.id) for h in hits] == [(1, "aws-access-key"), (1, "github-token"),
                                                        (2, "aws-access-key"), (2, "aws-access-key")]
    assert hits[3].secret == key.replace("QW", "ZX")


@pytest.mark.parametrize("entry,message", [
    ({"id": "loose", "title": "t", "prefilter": ["k_"], "regex": "k_(?P<secret>[a-z]{8,})"},
     "detector loose: regex: can match more than"),
    ({"id": "nowhere", "title": "t", "regex": "k_(?P<secret>[a-z]{8,40})"}, "detector nowhere: prefilter:"),
    ({"id": "footer", "title": "t", "prefilter": ["k_"], "requires": "END.*", "regex": "k_(?P<secret>[a-z]{8})"},
     "detector footer: requires: can match more than"),
])
def test_a_detector_that_could_read_without_bound_is_refused(entry, message):
    with pytest.raises(ValueError, match=message):
        load({"detectors": [entry]})


def test_a_jwt_header_of_deep_json_is_not_a_crash():
    import base64
    header = base64.urlsafe_b64encode(b"[" * 5000).decode().rstrip("=")
    text = f"t = {header}.eyJzdWIiOiJ4eHh4eHh4In0.c2lnbmF0dXJlc2lnbg\n"
    assert find(text, _catalogue()) == []


def test_the_four_sec_002_checks_share_one_pass_per_file(write, run_scan, monkeypatch):
    passes = []
    real_find = detectors.find
    monkeypatch.setattr(detectors, "find", lambda text, *a, **k: passes.append(text) or real_find(text, *a, **k))
    token = "ghp_" + "aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5"
    files = {"a.env": f"T={token}\n", "b.txt": "nothing here\n"}
    result = run_scan(write(files), only=("SEC-002",))
    # each file once, not once per check (the messages are searched too, when masked)
    assert [passes.count(text) for text in files.values()] == [1, 1]
    assert [(f.path, f.line) for f in result.findings] == [("a.env", 1)]
