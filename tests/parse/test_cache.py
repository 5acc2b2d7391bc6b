"""The parse cache: hits read back exactly what parsing gave (trees, lines, documents, notices); a changed
file, another sovscan or parser, or a damaged, foreign or forged-but-malformed entry is a miss that is
parsed again and rewritten; writers never leave half an entry; an unwritable cache is no error; the
least recently used entries are evicted past the size bound."""
from __future__ import annotations

import datetime
import errno
import hashlib
import json
import math
import multiprocessing
import os
import random
import threading
import zlib
from pathlib import Path

import pytest

from scanner.discover import Source
from scanner.notices import Notice
from scanner import cachedir
from scanner.parse import cache as cache_module
from scanner.parse import codec, terraform, yaml
from scanner.parse.files import parse_all
from scanner.cachedir import sealed
from scanner.parse.cache import ParseCache
from scanner.parse.packed import PackedTerraform, unpacked

# One file per thing parsing reports: a plain module, a syntax error, escapes Terraform rejects (each a
# notice), a Unicode identifier (the second grammar), JSON syntax with a surrogate escape, tfvars, YAML with
# lines, a List with an item over the limits, a document that is an alias bomb, a Helm template, and YAML
# values of every type the loader makes.
FILES: dict[str, tuple[str, bytes]] = {
    "main.tf": ("terraform", b'resource "aws_s3_bucket" "b" {\n  bucket = "x-${var.env}"\n  tags = { a = 1.5 }\n'
                             b'  count = length([for k, v in var.m : k if v != null])\n}\n'),
    "broken.tf": ("terraform", b'resource "x" "y" {\n  a = \n'),
    "escapes.tf": ("terraform", b'locals {\n  a = "\\ud800"\n  b = "\\U00110000 ok"\n}\n'),
    "unicode.tf": ("terraform", 'locals {\n  caf\u00e9 = 1\n}\n'.encode()),
    "main.tf.json": ("terraform-json", b'{"locals": {"a": "\\ud800", "b": "${var.x}", "n": 1e999}}'),
    "prod.tfvars": ("tfvars", b'region = "westeurope"\nsizes = [1, 2]\n'),
    "app.yaml": ("yaml", b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  x: '1'\n---\n"
                         b"apiVersion: v1\nkind: Secret\n"),
    "list.yaml": ("yaml", b"apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: A}\n- &r\n  apiVersion: v1\n"
                          b"  kind: B\n  me: *r\n"),
    "bomb.yaml": ("yaml", b"apiVersion: v1\nkind: X\na: &a [x, x, x, x, x, x, x, x, x]\n" + b"".join(
        f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n".encode() for p, n in zip("abcdefg", "bcdefgh"))),
    "charts/app/templates/d.yaml": ("yaml", b"apiVersion: v1\nkind: X\nname: {{ .Values.x }}\n"),
    "types.yaml": ("yaml", b"apiVersion: v1\nkind: T\nwhen: 2024-01-02\nat: 2024-01-02T03:04:05.5+01:30\n"
                           b"utc: 2024-01-02T03:04:05Z\nbin: !!binary aGVsbG8=\ninf: .inf\n1: int key\n"
                           b"? [a, b]\n: list key\nnull: n\n\"\\0tag\": tricky\nbig: 123456789012345678901234567890\n"),
}


def _sources(root: Path, files: dict[str, tuple[str, bytes]] = FILES) -> list[Source]:
    sources = []
    for name, (kind, content) in sorted(files.items()):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        sources.append(Source(name, kind, str(path)))
    return sources


def _as_data(result) -> tuple:
    """Everything parse_all hands on, comparable with == (Terraform trees unpacked, with their module sources)."""
    files, notices = result
    return [(f.source, f.has_text, f.generated, _tree(f.terraform), f.documents, f.directives, f.foreign_directives)
            for f in files], notices


def _tree(syntax):
    if syntax is None:
        return None
    sources = syntax.module_sources if isinstance(syntax, PackedTerraform) else None
    return unpacked(syntax), sources


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("parse/*/*.json"))


@pytest.fixture
def parsed_cold(tmp_path):
    sources = _sources(tmp_path / "repo")
    return sources, parse_all(sources)


def test_a_warm_parse_is_the_cold_parse_exactly_with_every_notice(tmp_path, parsed_cold, monkeypatch):
    sources, cold = parsed_cold
    cache = ParseCache(str(tmp_path / "cache"))
    assert _as_data(parse_all(sources, cache)) == _as_data(cold)
    assert len(_entries(tmp_path / "cache")) == len(FILES)
    assert [(n.path, n.line, n.message, n.level) for n in cold[1]] == [
        ("bomb.yaml", 1, "document 1 not judged: aliases in this file expand to more than 100000 values "
                         "(an alias bomb?)", "error"),
        ("broken.tf", 2, "not parsed: HCL syntax error at line 2, column 7", "error"),
        ("charts/app/templates/d.yaml", 0, "skipped: Helm/Go template, not YAML until rendered", "note"),
        ("escapes.tf", 2, "the escape \\ud800 is not a Unicode character (Terraform rejects it); read as U+FFFD",
         "warning"),
        ("escapes.tf", 3, "the escape \\U00110000 is not a Unicode character (Terraform rejects it); read as "
                          "U+FFFD", "warning"),
        ("list.yaml", 5, "document 1 not judged: items[1]: an alias refers to a value that contains it (a "
                         "recursive anchor)", "error")]
    unicode = unpacked(next(f for f in cold[0] if f.source.path == "unicode.tf").terraform)
    assert list(unicode.blocks[0].attributes) == ["caf\u00e9"]

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed although cached")
    monkeypatch.setattr(terraform, "parse_text", no_parsing)
    monkeypatch.setattr(terraform, "parse_json_text", no_parsing)
    monkeypatch.setattr(yaml, "parse_stream", no_parsing)
    warm = parse_all(sources, cache)
    assert _as_data(warm) == _as_data(cold)
    types = next(f for f in warm[0] if f.source.path == "types.yaml").documents[0]
    assert types.values["at"] == datetime.datetime(2024, 1, 2, 3, 4, 5, 500000, datetime.timezone(
        datetime.timedelta(hours=1, minutes=30)))
    assert types.values["utc"].tzinfo is datetime.timezone.utc and types.values["bin"] == b"hello"
    assert math.isinf(types.values["inf"]) and types.values[1] == "int key" and types.values[None] == "n"
    assert types.values["\0tag"] == "tricky" and types.locations[("at",)] == 4


def test_a_changed_file_is_parsed_again_and_the_others_are_read(tmp_path, monkeypatch):
    sources = _sources(tmp_path / "repo")
    cache = ParseCache(str(tmp_path / "cache"))
    parse_all(sources, cache)
    Path(sources[0].abspath).write_bytes(FILES["app.yaml"][1].replace(b"ConfigMap", b"Namespace"))
    parsed: list[str] = []
    real = yaml.parse_stream
    monkeypatch.setattr(yaml, "parse_stream", lambda path, text: parsed.append(path) or real(path, text))
    files, _ = parse_all(sources, cache)
    assert parsed == ["app.yaml"] and files[0].documents[0].values["kind"] == "Namespace"
    assert len(_entries(tmp_path / "cache")) == len(FILES) + 1


def test_another_sovscan_or_parser_or_path_does_not_read_the_entry(tmp_path, parsed_cold):
    sources, cold = parsed_cold
    first = ParseCache(str(tmp_path / "cache"))
    parse_all(sources, first)
    other = ParseCache(str(tmp_path / "cache"), fingerprint=hashlib.sha256(b"sovscan 9.9").hexdigest())
    source = next(s for s in sources if s.path == "main.tf")
    data = Path(source.abspath).read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert first.get(source, first.key("main.tf", "terraform", data), digest) is not None
    assert other.get(source, other.key("main.tf", "terraform", data), digest) is None
    assert first.get(source, first.key("other.tf", "terraform", data), digest) is None
    assert first.key("main.tf", "terraform", data) != first.key("main.tf", "tfvars", data)
    assert _as_data(parse_all(sources, other)) == _as_data(cold)
    assert len(_entries(tmp_path / "cache")) == 2 * len(FILES)


def test_the_fingerprint_follows_the_parse_code_and_the_version(monkeypatch):
    today = cache_module.code_fingerprint()
    assert ParseCache("x").fingerprint == today
    monkeypatch.setattr(cachedir, "__version__", "0.0.0-other")
    other_version = cache_module.code_fingerprint()
    monkeypatch.undo()
    monkeypatch.setattr(cache_module, "FORMAT", "sovscan-parse-cache/0")
    assert len({today, other_version, cache_module.code_fingerprint()}) == 3


def _one_entry(tmp_path: Path) -> tuple[list[Source], ParseCache, Path, tuple]:
    sources = _sources(tmp_path / "repo", {"main.tf": FILES["main.tf"], "escapes.tf": FILES["escapes.tf"]})
    cold = _as_data(parse_all(sources))
    cache = ParseCache(str(tmp_path / "cache"))
    parse_all(sources, cache)
    data = Path(sources[0].abspath).read_bytes()
    return sources, cache, cache.entry(cache.key(sources[0].path, "terraform", data)), cold


def test_every_flipped_byte_and_every_truncation_is_a_miss_that_is_rebuilt(tmp_path):
    sources, cache, entry, cold = _one_entry(tmp_path)
    good = entry.read_bytes()
    for position in range(len(good)):
        for damaged in (good[:position] + bytes([good[position] ^ 0x01]) + good[position + 1:], good[:position]):
            entry.write_bytes(damaged)
            assert _as_data(parse_all(sources, cache)) == cold
            assert entry.read_bytes() == good     # parsed again and written again
    entry.write_bytes(b"")
    assert _as_data(parse_all(sources, cache)) == cold


def _forge(entry: Path, key: str, body: object, form: str = cache_module.FORMAT, packed: bytes = b"") -> None:
    """An entry with a valid checksum around `body` (the header line) and `packed` (the packed tree): what only
    someone writing the cache could make."""
    entry.write_bytes(sealed(json.dumps(body).encode() + b"\n" + packed, key, form))


def _parts(entry: Path) -> tuple[object, bytes]:
    """The header line and the packed tree of an entry."""
    line, _, packed = zlib.decompress(entry.read_bytes().partition(b"\n")[2]).partition(b"\n")
    return json.loads(line), packed


@pytest.mark.parametrize("tree", [
    {"blocks": [["resource", ["a", "b"], [["x", ["__import__", "os"], 2]], [], 1, 3]], "attributes": [],
     "problems": []},
    {"blocks": [], "attributes": [["x", ["Lit"], 1]], "problems": []},
    {"blocks": [], "attributes": [["x", ["Var", 7], 1]], "problems": []},
    {"blocks": [], "attributes": [["x", ["Lit", 1], True]], "problems": []},
    {"blocks": [], "attributes": [["x", ["Lit", {"\0": "date", "v": 10 ** 30}], 1]], "problems": []},
    ["not", "a", "tree"],
])
def test_a_packed_tree_the_codec_refuses_is_parsed_again_when_unpacked(tmp_path, tree):
    sources, cache, entry, cold = _one_entry(tmp_path)
    header, _ = _parts(entry)
    bomb = zlib.compress(b"[" + b"0," * (cachedir.MAX_VALUES // 2 + 1) + b"0]")     # a few kilobytes
    for packed in (zlib.compress(json.dumps(tree).encode()), b"not zlib", zlib.compress(b"[not json"),
                   zlib.compress(json.dumps(tree).encode())[:-2], bomb):
        _forge(entry, entry.stem, header, packed=packed)
        assert cache.get(sources[0], entry.stem, "") is not None     # a hit: the tree is unpacked only when used
        assert _as_data(parse_all(sources, cache)) == cold


def test_a_packed_tree_of_a_file_changed_since_is_empty_rather_than_another_files(tmp_path):
    sources, cache, entry, _ = _one_entry(tmp_path)
    header, _ = _parts(entry)
    _forge(entry, entry.stem, header, packed=b"not zlib")
    files, _ = parse_all(sources, cache)
    Path(sources[0].abspath).write_text('resource "aws_s3_bucket" "other" {}\n')
    assert unpacked(files[0].terraform).blocks == []


@pytest.mark.parametrize("body", [
    {"terraform": [["__import__", "os"]], "documents": [], "notices": []},
    {"terraform": "./modules/a", "documents": [], "notices": []},
    {"terraform": [7], "documents": [], "notices": []},
    {"terraform": None, "documents": [[0, {"\0": "pickle", "v": "gASV"}, [-1], [[]], [1], 1]], "notices": []},
    {"terraform": None, "documents": [[0, {}, [-1], [[{"a": 1}]], [1], 1]], "notices": []},
    {"terraform": None, "documents": [[0, {}, [-1], [[]], [], 1]], "notices": []},
    {"terraform": None, "documents": [[0, {}, [-1, 1], [[], "a"], [1, 2], 1]], "notices": []},    # itself
    {"terraform": None, "documents": [[0, {}, [-1, 7], [[], "a"], [1, 2], 1]], "notices": []},    # beyond
    {"terraform": None, "documents": [[0, {}, [-1, "0"], [[], "a"], [1, 2], 1]], "notices": []},  # not a number
    {"terraform": None, "documents": [[0, {}, [-1], ["a"], [1], 1]], "notices": []},   # a whole path, not a list
    {"terraform": None, "documents": [[0, {}, [[]], [1], 1]], "notices": []},          # the layout before /2
    {"terraform": None, "documents": [[0, {}, [-2], [[]], [1], 1]], "notices": []},    # only -1 is "whole path"
    {"terraform": None, "documents": [[0, {}, [-1, -1], [["a"], ["a"]], [1, 2], 1]], "notices": []},  # twice
    {"terraform": None, "documents": [[0, {}, [True], [[]], [1], 1]], "notices": []},  # a bool is not a position
    # a chain of parents longer than any parse makes: the tuples would grow with the square of the entry
    {"terraform": None, "documents": [[0, {}, [-1] + list(range(199)), [["a"]] + ["a"] * 199,
                                       list(range(1, 201)), 1]], "notices": []},
    {"terraform": None, "documents": [[0, {}, [-1], [["a"] * 200], [1], 1]], "notices": []},
    {"terraform": None, "documents": [], "notices": [[1, "m", "error"]]},
    {"terraform": None, "documents": [], "notices": [[1, "m", "critical", ""]]},    # a level SARIF has not
    {"terraform": None, "documents": [], "notices": [[1, "m", "error", "bogus"]]},  # a kind sovscan never writes
    {"terraform": None, "documents": [], "notices": [], "code": "print(1)"},
    ["not", "an", "entry"],
])
def test_a_malformed_entry_with_a_valid_checksum_is_a_miss(tmp_path, body):
    sources, cache, entry, cold = _one_entry(tmp_path)
    _forge(entry, entry.stem, body, packed=_parts(entry)[1])
    assert cache.get(sources[0], entry.stem, "") is None
    assert _as_data(parse_all(sources, cache)) == cold


def test_an_entry_without_its_header_line_or_with_a_tree_and_no_module_sources_is_a_miss(tmp_path):
    sources, cache, entry, cold = _one_entry(tmp_path)
    header, packed = _parts(entry)
    entry.write_bytes(sealed(json.dumps(header).encode(), entry.stem, cache_module.FORMAT))
    assert cache.get(sources[0], entry.stem, "") is None
    _forge(entry, entry.stem, {**header, "terraform": None}, packed=packed)
    assert cache.get(sources[0], entry.stem, "") is None
    assert _as_data(parse_all(sources, cache)) == cold


def test_an_entry_of_another_format_or_key_is_a_miss(tmp_path):
    sources, cache, entry, cold = _one_entry(tmp_path)
    header, packed = _parts(entry)
    _forge(entry, entry.stem, header, packed=packed)
    assert cache.get(sources[0], entry.stem, "") is not None     # the forge itself is faithful
    _forge(entry, entry.stem, header, form="sovscan-parse-cache/0", packed=packed)
    assert cache.get(sources[0], entry.stem, "") is None
    other = next(e for e in _entries(tmp_path / "cache") if e != entry)
    entry.write_bytes(other.read_bytes())                         # an entry copied under another key
    assert cache.get(sources[0], entry.stem, "") is None
    assert _as_data(parse_all(sources, cache)) == cold


def _parsed(sources: list[Source]) -> list[tuple[Source, bytes, cache_module.Parsed]]:
    from scanner.parse.files import parse_file
    out = []
    for source in sources:
        parsed, notices = parse_file(source)
        out.append((source, Path(source.abspath).read_bytes(),
                    cache_module.Parsed(parsed.terraform, tuple(parsed.documents), tuple(notices))))
    return out


def _write_and_read(directory: str, root: str, rounds: int) -> None:
    """Write every entry again and again, reading them back between writes: a hit must be exact."""
    cache = ParseCache(directory)
    expected = _parsed(_sources(Path(root)))
    for _ in range(rounds):
        for source, data, parsed in expected:
            key = cache.key(source.path, source.kind, data)
            cache.put(source.path, key, parsed)
            hit = cache.get(source, key, hashlib.sha256(data).hexdigest())
            if hit is not None and hit != parsed:
                os._exit(1)
    os._exit(0 if cache.writable else 2)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks the writers")
def test_concurrent_writers_leave_whole_entries(tmp_path):
    directory = str(tmp_path / "cache")
    context = multiprocessing.get_context("fork")
    writers = [context.Process(target=_write_and_read, args=(directory, str(tmp_path / f"repo{n}"), 40))
               for n in range(3)]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0, 0, 0]
    assert len(_entries(tmp_path / "cache")) == len(FILES)        # same paths and bytes: the same keys
    assert not list((tmp_path / "cache").glob("parse/*/.*.tmp"))
    cache = ParseCache(directory)
    for source, data, parsed in _parsed(_sources(tmp_path / "repo0")):
        assert cache.get(source, cache.key(source.path, source.kind, data), hashlib.sha256(data).hexdigest()) == parsed


def test_a_cache_that_cannot_be_written_is_no_error(tmp_path, parsed_cold, monkeypatch):
    sources, cold = parsed_cold
    (tmp_path / "a-file").write_text("not a directory")
    assert _as_data(parse_all(sources, ParseCache(str(tmp_path / "a-file")))) == _as_data(cold)

    def disk_full(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(cachedir.tempfile, "mkstemp", disk_full)
    full = ParseCache(str(tmp_path / "cache"))
    assert _as_data(parse_all(sources, full)) == _as_data(cold)
    assert not full.writable and _entries(tmp_path / "cache") == []


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    sources = _sources(tmp_path / "repo", {"main.tf": FILES["main.tf"]})

    def replace_fails(source, target):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(cachedir.os, "replace", replace_fails)
    parse_all(sources, ParseCache(str(tmp_path / "cache")))
    assert list((tmp_path / "cache").rglob("*.tmp")) == []


def test_least_recently_used_entries_are_evicted_past_the_limit(tmp_path):
    root = tmp_path / "parse"
    for number in range(10):
        entry = root / f"{number:02d}" / f"{number:02d}{'0' * 62}.json"
        entry.parent.mkdir(parents=True)
        entry.write_bytes(b"x" * 1000)
        os.utime(entry, (1_000_000 + number, 1_000_000 + number))
    os.utime(root / "03" / f"03{'0' * 62}.json", (2_000_000, 2_000_000))      # used lately
    (root / "09" / ".left-over.tmp").write_bytes(b"x")
    os.utime(root / "09" / ".left-over.tmp", (1_000_000, 1_000_000))
    outside = tmp_path / "outside.json"
    outside.write_bytes(b"x" * 1000)
    (root / "zz").symlink_to(tmp_path)
    assert cachedir.evict(root, 6000) == 7           # 10,000 bytes to at most 4,800, and the old .tmp
    assert sorted(p.name[:2] for p in root.glob("[0-9][0-9]/*.json")) == ["03", "07", "08", "09"]
    assert outside.exists()


def test_a_hit_marks_the_entry_as_used(tmp_path):
    sources, cache, entry, _ = _one_entry(tmp_path)
    os.utime(entry, (1_000_000, 1_000_000))
    parse_all(sources, cache)
    assert entry.stat().st_mtime > 1_000_000


def test_a_run_that_wrote_entries_keeps_the_directory_under_its_limit(tmp_path):
    sources = _sources(tmp_path / "repo")
    cache = ParseCache(str(tmp_path / "cache"), limit=1)
    parse_all(sources, cache)
    assert _entries(tmp_path / "cache") == []


@pytest.mark.parametrize("value", [float("nan"), [1, {"a": float("nan")}], {float("nan"): 1}, {1, 2}, (1, 2)])
def test_values_that_would_not_read_back_identical_are_not_cached(value):
    with pytest.raises(codec.Unencodable):
        codec.encode_value(value)


@pytest.mark.parametrize("value", [
    None, True, 0, -1.5, float("inf"), 10 ** 40, "\ud800", {"\0": "map"}, {"\0x": 1, "y": [1, None]},
    {1: "a", 1.5: "b", None: "c", True: "d"}, datetime.date(2024, 2, 29), b"\x00\xff",
    datetime.datetime(2024, 1, 1, 0, 0, tzinfo=datetime.timezone(-datetime.timedelta(hours=3, minutes=30))),
])
def test_plain_values_read_back_identical(value):
    again = codec.decode_value(json.loads(json.dumps(codec.encode_value(value))))
    assert again == value and type(again) is type(value)
    if isinstance(value, dict):
        assert [type(k) for k in again] == [type(k) for k in value]


def test_default_directory_follows_xdg():
    assert cachedir.default_directory({"XDG_CACHE_HOME": "/c"}) == "/c/sovscan"
    assert cachedir.default_directory({"XDG_CACHE_HOME": "relative"}) == \
        os.path.join(os.path.expanduser("~"), ".cache", "sovscan")
    assert cachedir.default_directory({}) == os.path.join(os.path.expanduser("~"), ".cache", "sovscan")


def test_notices_from_the_cache_are_notices_of_this_path(tmp_path):
    sources, cache, entry, cold = _one_entry(tmp_path)
    escapes = next(s for s in sources if s.path == "escapes.tf")
    hit = cache.get(escapes, cache.key("escapes.tf", "terraform", Path(escapes.abspath).read_bytes()), "")
    assert hit is not None and hit.notices == tuple(n for n in cold[1] if n.path == "escapes.tf")
    assert all(isinstance(n, Notice) for n in hit.notices) and unpacked(hit.terraform).path == "escapes.tf"


def test_bytes_flipped_in_every_entry_at_once_are_misses_rebuilt(tmp_path):
    sources = _sources(tmp_path / "repo")
    cold = _as_data(parse_all(sources))
    cache = ParseCache(str(tmp_path / "cache"))
    parse_all(sources, cache)
    good = {entry: entry.read_bytes() for entry in _entries(tmp_path / "cache")}
    assert len(good) == len(FILES)
    chooser = random.Random(16)
    for _ in range(25):
        for entry, data in good.items():
            damaged = bytearray(data)
            for position in chooser.sample(range(len(damaged)), chooser.randint(1, 3)):
                damaged[position] ^= 1 << chooser.randrange(8)
            entry.write_bytes(bytes(damaged))
        assert _as_data(parse_all(sources, cache)) == cold
        assert {entry: entry.read_bytes() for entry in good} == good


def test_threads_writing_the_same_entries_leave_whole_entries(tmp_path):
    """Parse workers of several scans in one directory: every thread's result is the cold parse."""
    sources = _sources(tmp_path / "repo")
    cold = _as_data(parse_all(sources))
    directory = str(tmp_path / "cache")
    results: list[tuple] = []

    def scan_again() -> None:
        cache = ParseCache(directory)
        for _ in range(5):
            results.append(_as_data(parse_all(sources, cache)))
    threads = [threading.Thread(target=scan_again) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert len(results) == 20 and all(result == cold for result in results)
    assert len(_entries(tmp_path / "cache")) == len(FILES)
    assert not list((tmp_path / "cache").glob("parse/*/.*.tmp"))


def test_a_location_table_read_back_holds_each_key_once_as_a_fresh_parse_does():
    """Read back, every key path was made of strings of its own: a large manifest's table took half again
    the memory of its parse. Decoded, a key that many paths hold is one string object, as the parser gives."""
    text = "items:\n" + "".join(f"- metadata:\n    labels:\n      app: a{i}\n" for i in range(50))
    text += "on: push\nsteps:\n- run: a\n- run: b\n1: one\n"    # `on` is True in YAML 1.1, as 1 == True
    fresh = yaml.parse_text("m.yaml", text)
    read_back = codec.decode_documents("m.yaml", json.loads(json.dumps(codec.encode_documents(fresh))))
    assert [(d.values, d.locations) for d in read_back] == [(d.values, d.locations) for d in fresh]
    typed = [[tuple(map(type, path)) for path in d.locations] for d in fresh]
    assert [[tuple(map(type, path)) for path in d.locations] for d in read_back] == typed   # (True,) == (1,)
    assert (True,) in read_back[0].locations and ("steps", 1) in read_back[0].locations
    # `1:` then `true:` with keys below it: (True, "x") is not read back as (1, "x"), though (True,) == (1,)
    mixed = yaml.parse_text("n.yaml", "1: a\ntrue:\n  x: b\n")
    mixed_back = codec.decode_documents("n.yaml", json.loads(json.dumps(codec.encode_documents(mixed))))
    assert [[tuple(map(type, p)) for p in d.locations] for d in mixed_back] == \
        [[tuple(map(type, p)) for p in d.locations] for d in mixed] == [[(), (int,), (bool, str)]]
    keys = [key for path in read_back[0].locations for key in path if isinstance(key, str)]
    assert len(keys) > 100 and len({id(key) for key in keys}) == len(set(keys)) == 6   # + steps, run
