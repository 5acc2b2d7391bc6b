"""The file-reading built-ins over ModuleFiles (an in-memory view here, the disk view in the last
tests), and templatefile/templatestring rendering with an evaluation callback."""
from __future__ import annotations

import os
import posixpath
from typing import Any, Mapping

import pytest

from scanner.model.functions import FUNCTIONS
from scanner.model.functions.arguments import MAX_VALUE_SIZE
from scanner.model.functions.files import ScanRootFiles, file_functions
from scanner.model.values import Unknown
from scanner.parse import expressions as x

U = Unknown("var.x")


class MemoryFiles:
    """ModuleFiles over a dict of repository-relative paths; `base` is the module directory."""

    def __init__(self, files: dict[str, bytes | str], base: str = ""):
        self.files = {k: v.encode() if isinstance(v, str) else v for k, v in files.items()}
        self.base = base

    def _path(self, path: str) -> str | None:
        if path.startswith(("/", "~")):
            return None
        joined = posixpath.normpath(posixpath.join(self.base, path))
        return None if joined == ".." or joined.startswith("../") else ("" if joined == "." else joined)

    def read(self, path: str, limit: int) -> bytes | None:
        key = self._path(path)
        return None if key is None or key not in self.files else self.files[key][:limit + 1]

    def kind(self, path: str) -> str:
        key = self._path(path)
        if key is None:
            return "refused"
        if key in self.files:
            return "file"
        return "directory" if any(k.startswith(key + "/") or key == "" for k in self.files) else "missing"

    def list_files(self, directory: str) -> list[str] | None:
        key = self._path(directory)
        if key is None:
            return None
        prefix = key + "/" if key else ""
        return sorted(k[len(prefix):] for k in self.files if k.startswith(prefix))


def evaluate(expr: x.Expr, scope: Mapping[str, Any]) -> Any:
    """Just enough of an evaluator for templates: names, attributes, literals, calls, + and ==."""
    if isinstance(expr, x.Lit):
        return expr.value
    if isinstance(expr, x.Var):
        return scope[expr.name]
    if isinstance(expr, x.GetAttr):
        return evaluate(expr.obj, scope)[expr.name]
    if isinstance(expr, x.Call):
        return FUNCTIONS[expr.name](*(evaluate(a, scope) for a in expr.args))
    if isinstance(expr, x.BinOp):
        left, right = evaluate(expr.left, scope), evaluate(expr.right, scope)
        return left + right if expr.op.strip() == "+" else left == right
    if isinstance(expr, x.Template):
        return "".join(p if isinstance(p, str) else str(evaluate(p, scope)) for p in expr.parts)
    raise AssertionError(f"test evaluator does not handle {expr}")


FILES = MemoryFiles({
    "modules/app/policy.json": '{"a": 1}',
    "modules/app/bin.dat": b"\xff\x00\x01",
    "modules/app/templates/user.tpl": "Hello, ${name}!",
    "modules/app/templates/list.tpl": "%{ for i, x in items ~}\n${i}:${upper(x)}\n%{ endfor ~}",
    "modules/app/templates/cond.tpl": "%{ if enabled }on%{ else }off%{ endif }",
    "modules/app/templates/value.tpl": "${items}",
    "modules/app/templates/bad.tpl": "${",
    "modules/app/templates/sub/a.tpl": "",
    "modules/app/files/.hidden": "",
    "modules/app/files/x.txt": "",
    "modules/app/files/deep/y.txt": "",
    "secrets/key.pem": "-----BEGIN PRIVATE KEY-----",
    "big.txt": "x" * (MAX_VALUE_SIZE + 1),
}, base="modules/app")
BOUND = file_functions(FILES, evaluate)




def fails(fragment: str) -> tuple:
    return ("fails", fragment)


ROWS = [
    ("file", ("policy.json",), '{"a": 1}'),
    ("file", ("./templates/../policy.json",), '{"a": 1}'),
    ("file", ("../../secrets/key.pem",), "-----BEGIN PRIVATE KEY-----"),      # inside the scan root
    ("file", ("../../../etc/passwd",), fails("inside the scan root")),
    ("file", ("/etc/passwd",), fails("inside the scan root")),
    ("file", ("~/.ssh/id_rsa",), fails("inside the scan root")),
    ("file", ("missing.txt",), fails("no readable file")),
    ("file", ("templates",), fails("no readable file")),
    ("file", ("bin.dat",), fails("not valid UTF-8")),
    ("file", ("../../big.txt",), fails("too large to evaluate statically")),
    ("file", (U,), U),
    ("file", (None,), fails("must not be null")),
    ("filebase64", ("bin.dat",), "/wAB"),
    ("filemd5", ("policy.json",), "42b7b4f2921788ea14dac5566e6f06d0"),
    ("filesha1", ("policy.json",), "e4ad4daad53a2eec0313386ada88211e50d693bd"),
    ("filesha256", ("policy.json",), "f9d86028c6e0d64e225186f96acb69338b2c59764df79162107f5c4bb34d1310"),
    ("filesha512", ("policy.json",), "778d1677f90ee644f1254e0fc57b76e2f996466488b91a64272644f5e362a7134cf9510cdb56b097fece6d5a3bad788d11edd1162a1c6208eabf3f079815cb5c"),
    ("filebase64sha256", ("policy.json",), "+dhgKMbg1k4iUYb5astpM4ssWXZN95FiEH9cS7NNExA="),
    ("filebase64sha512", ("policy.json",), "d40Wd/kO5kTxJU4PxXt24vmWRmSIuRpkJyZE9eNipxNM+VEM21awl/7ObVo7rXiNEe3RFiocYgjqvz8HmBXLXA=="),
    ("fileexists", ("policy.json",), True),
    ("fileexists", ("nope.json",), False),
    ("fileexists", ("templates",), fails("is a directory, not a file")),
    ("fileexists", ("../../../x",), fails("outside the scan root")),
    ("fileset", (".", "*.json"), ["policy.json"]),
    ("fileset", ("files", "*"), [".hidden", "x.txt"]),
    ("fileset", ("files", "**/*.txt"), ["deep/y.txt", "x.txt"]),
    ("fileset", ("files", "**"), [".hidden", "deep/y.txt", "x.txt"]),
    ("fileset", ("templates", "{user,cond}.tpl"), ["cond.tpl", "user.tpl"]),
    ("fileset", ("templates", "[lu]*.tpl"), ["list.tpl", "user.tpl"]),
    ("fileset", ("nowhere", "*"), []),
    ("fileset", ("../../..", "*"), fails("cannot list")),
    ("fileset", (".", "../*"), fails("leaves the directory")),
    ("fileset", (".", "{a"), fails("unclosed {")),
    ("templatefile", ("templates/user.tpl", {"name": "Ada"}), "Hello, Ada!"),
    ("templatefile", ("templates/list.tpl", {"items": ["a", "b"]}), "0:A\n1:B\n"),
    ("templatefile", ("templates/list.tpl", {"items": {"k": "v"}}), "k:V\n"),
    ("templatefile", ("templates/cond.tpl", {"enabled": True}), "on"),
    ("templatefile", ("templates/cond.tpl", {"enabled": "false"}), "off"),
    ("templatefile", ("templates/value.tpl", {"items": [1, 2]}), [1, 2]),
    ("templatefile", ("templates/user.tpl", {"name": U}), U),
    ("templatefile", ("templates/cond.tpl", {"enabled": U}), U),
    ("templatefile", ("templates/user.tpl", {}), fails("vars map does not contain key 'name'")),
    ("templatefile", ("templates/user.tpl", {"name": None}), fails("interpolation is null")),
    ("templatefile", ("templates/user.tpl", {"name": ["a"]}), fails("is a collection")),
    ("templatefile", ("templates/user.tpl", {"name": "a", "bad key": 1}), fails("invalid template variable name")),
    ("templatefile", ("templates/list.tpl", {"items": "ab"}), fails("needs a list or map")),
    ("templatefile", ("templates/cond.tpl", {"enabled": "maybe"}), fails("must be a bool")),
    ("templatefile", ("templates/bad.tpl", {}), fails("invalid template")),
    ("templatefile", ("templates/user.tpl", ["name"]), fails("must be a map")),
    ("templatestring", ("${a}-${b}", {"a": 1, "b": True}), "1-true"),
    ("templatestring", ("%{ for x in xs }${x}%{ endfor }", {"xs": ["a", "b", "c"]}), "abc"),
    ("templatestring", ("%{ for x in xs }${x}%{ endfor }", {"xs": list(range(20))}), "012345678910111213141516171819"),
    ("templatestring", ("$${literal} %%{ also }", {}), "${literal} %{ also }"),
    ("templatestring", ("%{ for x in xs }${x}%{ endfor }", {"xs": ["ab"] * 600_000}),
     fails("too large to evaluate statically")),
]

@pytest.mark.parametrize("name, args, expected", ROWS, ids=[f"{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_file_function(name: str, args: tuple, expected: Any) -> None:
    result = BOUND[name](*args)
    if isinstance(expected, tuple) and expected[0] == "fails":
        assert isinstance(result, Unknown) and expected[1] in result.reason, result
    else:
        assert result == expected, result


def test_every_file_function_has_rows() -> None:
    assert set(BOUND) - {row[0] for row in ROWS} == set()
    assert "templatefile" not in file_functions(FILES)      # no evaluator, no templates


def test_scan_root_files_on_disk_refuse_everything_outside_the_root(tmp_path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("s3cret")
    root = tmp_path / "repo"
    (root / "mod" / "data").mkdir(parents=True)
    (root / "mod" / "data" / "a.txt").write_text("A")
    (root / "shared.txt").write_text("S")
    os.symlink(outside / "secret.txt", root / "mod" / "link-out.txt")
    os.symlink(outside, root / "mod" / "dir-out")
    os.symlink(root / "shared.txt", root / "mod" / "link-in.txt")
    os.mkfifo(root / "mod" / "pipe")
    functions = file_functions(ScanRootFiles(str(root), "mod"))
    assert functions["file"]("data/a.txt") == "A"
    assert functions["file"]("../shared.txt") == "S"
    assert functions["file"]("link-in.txt") == "S"
    for refused in ("link-out.txt", "dir-out/secret.txt", "../../outside/secret.txt", str(outside / "secret.txt"), "pipe"):
        result = functions["file"](refused)
        assert isinstance(result, Unknown) and "s3cret" not in result.reason, refused
    assert functions["fileexists"]("data/a.txt") is True
    assert functions["fileexists"]("data/none.txt") is False
    assert isinstance(functions["fileexists"]("pipe"), Unknown)
    assert isinstance(functions["fileexists"]("dir-out/secret.txt"), Unknown)
    assert functions["fileset"](".", "**") == ["data/a.txt", "link-in.txt"]
    assert isinstance(functions["fileset"]("dir-out", "*"), Unknown)
