"""Table tests for Terraform's built-in functions (scanner/model/functions/).

Expected values are Terraform's (from its documentation and the Go implementations it uses). A row
expecting Fails("...") expects an Unknown whose reason contains that text: Terraform would fail
the call, or the value cannot be known statically.
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from scanner.model.functions import FUNCTIONS, MAX_VALUE_SIZE
from scanner.model.values import Unknown

U = Unknown("var.x")


@dataclass(frozen=True)
class Fails:
    fragment: str


def check(name: str, args: tuple, expected: object) -> None:
    result = FUNCTIONS[name](*args)
    if isinstance(expected, Fails):
        assert isinstance(result, Unknown), f"{name}{args} gave {result!r}"
        assert expected.fragment in result.reason, result.reason
    else:
        assert result == expected and type(result) is type(expected), f"{name}{args} gave {result!r}"


def rows(name: str, *table: tuple) -> list:
    return [pytest.param(name, args, expected, id=f"{name}-{index}") for index, (args, expected) in enumerate(table)]


NUMERIC = [
    *rows("abs", ((23,), 23), ((0,), 0), ((-12.4,), 12.4), (("-5",), 5), (("x",), Fails("not a decimal number")),
          ((None,), Fails("must not be null")), (([1],), Fails("must be a number"))),
    *rows("ceil", ((5,), 5), ((5.1,), 6), ((-5.1,), -5), (("1.5",), 2), ((True,), Fails("must be a number"))),
    *rows("floor", ((5,), 5), ((4.9,), 4), ((-4.1,), -5)),
    *rows("log", ((50, 10), 1.6989700043360185), ((16, 2), 4), ((1, 10), 0), ((0, 10), Fails("not a finite number")),
          ((-1, 10), Fails("not a finite number")), ((8, 1), Fails("not a finite number"))),
    *rows("max", ((12, 54, 3), 54), ((-1.5, "2"), 2), ((), Fails("at least one number")), ((1, "a"), Fails("not a decimal"))),
    *rows("min", ((12, 54, 3), 3), ((0.5, 1), 0.5), ((), Fails("at least one number"))),
    *rows("parseint", (("100", 10), 100), (("FF", 16), 255), (("-10", 2), -2), (("1101", 2), 13), (("zZ", 62), 2231),
          (("aA", 36), 370), (("12", 2), Fails("cannot parse")), (("", 10), Fails("cannot parse")),
          (("1", 1), Fails("between 2 and 62")), ((12, 10), Fails("must be a string")),
          (("9" * 200, 10), Fails("too large to evaluate statically"))),
    *rows("pow", ((3, 2), 9), ((4, 0), 1), ((2, -1), 0.5), ((2, 0.5), 1.4142135623730951),
          ((10, 400), Fails("not a finite number")), ((-8, 0.5), Fails("not a number")), ((0, -1), Fails("not a number"))),
    *rows("signum", ((-13,), -1), ((0,), 0), ((344,), 1), ((0.5,), Fails("whole number"))),
]

STRINGS = [
    *rows("chomp", (("hello\n",), "hello"), (("hello\r\n",), "hello"), (("hello\n\n",), "hello"), (("a\nb",), "a\nb"),
          (("",), "")),
    *rows("endswith", (("hello world", "world"), True), (("hello world", "hello"), False), (("x", ""), True)),
    *rows("startswith", (("hello world", "hello"), True), (("hello world", "world"), False), (("", ""), True),
          ((None, "a"), Fails("must not be null"))),
    *rows("strcontains", (("hello world", "wor"), True), (("hello world", "wod"), False), ((12345, 234), True)),
    *rows("indent", ((2, "[\n  foo,\n  bar,\n]\n"), "[\n    foo,\n    bar,\n  ]\n  "), ((0, "a\nb"), "a\nb"),
          ((-1, "a"), Fails("must not be negative")), ((1_000_000, "\n\n"), Fails("too large to evaluate statically"))),
    *rows("join", (("-", ["foo", "bar", "baz"]), "foo-bar-baz"), ((", ", ["foo"]), "foo"), ((",", []), ""),
          ((",", ["a"], ["b", 1, True]), "a,b,1,true"), ((",",), Fails("at least one list")),
          ((",", ["a", None]), Fails("is null")), ((",", ["a", U]), U), ((",", "ab"), Fails("must be a list"))),
    *rows("lower", (("HELLO",), "hello"), (("АЛЛО!",), "алло!"), (("İ",), "i")),
    *rows("upper", (("hello",), "HELLO"), (("алло!",), "АЛЛО!"), (("straße",), "STRAßE")),
    *rows("title", (("hello world",), "Hello World"), (("hello-world_x y",), "Hello-World_x Y"), (("ǆx",), "ǅx")),
    *rows("split", ((",", "foo,bar,baz"), ["foo", "bar", "baz"]), ((",", "foo"), ["foo"]), ((",", ""), [""]),
          (("", "abc"), ["a", "b", "c"])),
    *rows("strrev", (("hello",), "olleh"), (("a☃",), "☃a"), (("e\u0301x",), "x\u00e9"), (("🇳🇱🇩🇪",), "🇩🇪🇳🇱"),
          (("a\r\nb",), "b\r\na")),
    *rows("substr", (("hello world", 1, 4), "ello"), (("🤔🤷", 0, 1), "🤔"), (("hello world", -5, -1), "world"),
          (("hello world", 6, 10), "world"), (("hello", 10, 2), ""), (("hello", 1, 0), ""), (("hello", -1, 0), "o"),
          (("hello", -10, 2), "he"), (("e\u0301xy", 1, 1), "x"), (("hello", 1.5, 1), Fails("whole number"))),
    *rows("trim", (("?!hello?!", "!?"), "hello"), (("foobar", "far"), "oob"), (("   hello! world.!  ", "! "), "hello! world.")),
    *rows("trimprefix", (("helloworld", "hello"), "world"), (("helloworld", "cat"), "helloworld"), (("aaa", ""), "aaa")),
    *rows("trimsuffix", (("helloworld", "world"), "hello"), (("helloworld", "cat"), "helloworld"), (("aaa", ""), "aaa")),
    *rows("trimspace", (("  hello\n\n",), "hello"), (("\u00a0x\u2003",), "x"), (("\x1fx",), "\x1fx")),
    *rows("replace", (("1 + 2 + 3", "+", "-"), "1 - 2 - 3"), (("hello world", "/w.*d/", "everybody"), "hello everybody"),
          (("abc", "", "-"), "-a-b-c-"), (("a/b", "/", "\\"), "a\\b"), (("-ab-axxb-", "/a(x*)b/", "${1}W"), "-W-xxW-"),
          (("-ab-axxb-", "/a(x*)b/", "$1W"), "---"), (("abxd", "/x*/", "-"), "-a-b-d-"),
          (("2019-01-31", "/(?P<y>\\d+)-(?P<m>\\d+)-(?P<d>\\d+)/", "$d.$m.$y"), "31.01.2019"),
          (("cost", "/o/", "$$"), "c$st"), (("a", "/(/", "x"), Fails("invalid regular expression")),
          (("x" * 10, "x", "y" * 200_000), Fails("too large to evaluate statically"))),
]

REGEX = [
    *rows("regex", (("[a-z]+", "53453453.345345aaabbbccc23454"), "aaabbbccc"),
          (("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01"), ["2019", "02", "01"]),
          (("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/"),
           {"scheme": "https", "authority": "terraform.io"}),
          (("(a)|(b)", "b"), [None, "b"]), (("[a-z]+", "1234"), Fails("did not match")),
          (("(?P<a>x)(y)", "xy"), Fails("cannot mix both named and unnamed")),
          (("a$", "a\n"), Fails("did not match")), (("(?m)a$", "a\nb"), "a"), (("^\\w+", "über"), Fails("did not match")),
          (("\\d+", "٣3"), "3"), (("(?i)straSSe", "STRASSE"), "STRASSE"), (("[[:upper:]]+", "abCDe"), "CD"),
          (("\\bfoo\\b", "a foo."), "foo"), (("x{2,}", "axxxb"), "xxx"), (("a{,2}", "a{,2}"), "a{,2}"),
          (("\\Qa.b\\E", "axb a.b"), "a.b"), (("(?U)a+", "aaa"), "a"), (("\\pL", "a"), Fails("Unicode character classes")),
          (("(a)\\1", "aa"), Fails("backreferences")), (("(?=a)", "a"), Fails("unsupported group syntax")),
          (("a**", "a"), Fails("invalid nested repetition")), (("*a", "a"), Fails("missing argument")),
          (("(a+)+b", "aaaa"), Fails("too large/complex to evaluate statically")),
          (("(a|a)*b", "aaaa"), Fails("too large/complex")), (("a*a*a*b", "a" * 2000), Fails("too large/complex")),
          (("^a*a*b", "a" * 2000), Fails("did not match")), (("a", "a" * 200_000), Fails("too large/complex"))),
    *rows("regexall", (("[a-z]+", "1234abcd5678efgh9"), ["abcd", "efgh"]), (("[a-z]+", "123456789"), []),
          (("(\\w)=(\\d)", "a=1, b=2"), [["a", "1"], ["b", "2"]]), (("x*", "abxd"), ["", "", "x", ""]),
          (("(?P<k>\\w)", "ab"), [{"k": "a"}, {"k": "b"}]), ((U, "a"), U)),
]

FORMAT = [
    *rows("format", (("Hello, %s!", "Ander"), "Hello, Ander!"), (("There are %d lights", 4), "There are 4 lights"),
          (("%#v", "hello"), '"hello"'), (("%#v", True), "true"), (("%#v", {"a": 1}), '{"a":1}'), (("%#v", None), "null"),
          (("%v", [True]), "[true]"), (("%v", 1000000), "1e+06"), (("%v", 123456), "123456"), (("%v", 0.1), "0.1"),
          (("%v", None), "null"), (("%.2f", 3.14159), "3.14"), (("%05.1f|%-6d|%+d", 2.25, 42, 5), "002.2|42    |+5"),
          (("%x %X %o %b %#x", 255, 255, 8, 5, 255), "ff FF 10 101 0xff"), (("%e", 1234.5678), "1.234568e+03"),
          (("%g %g", 0.00001234, 100), "1.234e-05 100"), (("%5s|%-5s|%.2s", "ab", "ab", "abc"), "   ab|ab   |ab"),
          (("%q", "a\"b<"), '"a\\"b\\u003c"'), (("%t %t", True, "false"), "true false"),
          (("%[2]s %[1]s %s", "a", "b"), "b a b"), (("100%%",), "100%"), (("%3s|", "é"), "  é|"),
          (("%d", 1.5), Fails("an integer is required")), (("%s",), Fails("not enough arguments")),
          (("%s", "a", "b"), Fails("too many arguments")), (("%s", None), Fails("null value cannot be formatted")),
          (("%z", 1), Fails("unsupported format verb")), (("%s", [1]), Fails("must be a string")),
          (("%d", ["x", U]), U), (("%999999999d", 1), Fails("too large to evaluate statically")),
          (("%.5000f", 1), Fails("too large to evaluate statically"))),
    *rows("formatlist", (("Hello, %s!", ["Valentina", "Ander"]), ["Hello, Valentina!", "Hello, Ander!"]),
          (("%s, %s!", "Salutations", ["Valentina", "Ander"]), ["Salutations, Valentina!", "Salutations, Ander!"]),
          (("%s=%d", ["a", "b"], [1, 2]), ["a=1", "b=2"]), (("%s", []), []), (("x",), ["x"]),
          (("%s", ["a", U]), ["a", U]), (("%s%s", ["a"], ["b", "c"]), Fails("same length")),
          (("%s", ["ab"] * 600_000), Fails("too large to evaluate statically"))),
]

COLLECTIONS = [
    *rows("alltrue", ((["true", True],), True), ((["true", False],), False), (([],), True), (([False, U],), False),
          (([U, True],), U), (([None],), False), ((["yes"],), Fails("must be a bool"))),
    *rows("anytrue", ((["true"],), True), (([True, False],), True), (([],), False), (([U, True],), True),
          (([U, False],), U), (([None, False],), False)),
    *rows("chunklist", ((["a", "b", "c", "d", "e"], 2), [["a", "b"], ["c", "d"], ["e"]]), ((["a", "b"], 1), [["a"], ["b"]]),
          (([1, 2], 0), [[1, 2]]), (([], 3), []), (([1], -1), Fails("must be positive"))),
    *rows("coalescelist", ((["a", "b"], ["c", "d"]), ["a", "b"]), (([], ["c", "d"]), ["c", "d"]), ((None, [1]), [1]),
          (([], []), Fails("no non-null arguments")), (("a",), Fails("must be a list")), ((), Fails("at least one"))),
    *rows("coalesce", (("a", "b"), "a"), (("", "b"), "b"), ((None, 1), 1), ((1, 2), 1), ((None, "", "x"), "x"),
          ((1, "a"), "1"), (("a", U), "a"), ((U, "a"), U), ((None, ""), Fails("no non-null")), ((), Fails("at least one"))),
    *rows("compact", ((["a", "", "b", None, "c"],), ["a", "b", "c"]), (([],), []), (([1, ""],), ["1"]), ((["a", U],), U)),
    *rows("concat", ((["a", ""], ["b", "c"]), ["a", "", "b", "c"]), (([], [U]), [U]), (([1],), [1]),
          ((["a"], "b"), Fails("must be a list")), ((), Fails("at least one"))),
    *rows("contains", ((["a", "b", "c"], "a"), True), ((["a", "b", "c"], "d"), False), (([1, 2], "1"), False),
          (([True], 1), False), (([[1]], [1]), True), (([U, "a"], "a"), True), (([U, "a"], "b"), U),
          ((None, "a"), Fails("must not be null")), (([], "a"), False)),
    *rows("distinct", ((["a", "b", "a", "c", "d", "b"],), ["a", "b", "c", "d"]), (([1, "1", 2],), ["1", "2"]),
          (([1, 1.0],), [1]), (([{"a": 1}, {"a": 1}],), [{"a": 1}]), ((["a", U],), U), (([1, True],), Fails("no common type"))),
    *rows("element", ((["a", "b", "c"], 1), "b"), ((["a", "b", "c"], 3), "a"), ((["a", "b", "c"], -1), "c"),
          (([U, "b"], 1), "b"), (([], 0), Fails("empty list")), ((["a"], 0.5), Fails("whole number"))),
    *rows("flatten", (([["a", "b"], [], ["c"]],), ["a", "b", "c"]), (([[["a", "b"], []], ["c"]],), ["a", "b", "c"]),
          (([1, None],), [1, None]), (([["a"], U],), U), (("ab",), Fails("must be a list"))),
    *rows("index", ((["a", "b", "c"], "b"), 1), ((["a", "b"], "z"), Fails("item not found")),
          (([], "a"), Fails("empty list")), (([U, "b"], "b"), U), (([1, "1"], "1"), 1)),
    *rows("keys", (({"a": 1, "c": 2, "d": 3},), ["a", "c", "d"]), (({"b": U, "a": 1},), ["a", "b"]), (({},), []),
          (([1],), Fails("must be a map"))),
    *rows("length", (([],), 0), ((["a", "b"],), 2), (({"a": "b"},), 1), (("hello",), 5), (("🇳🇱e\u0301",), 2),
          (("\r\n",), 1), (([U],), 1), ((None,), Fails("must not be null")), ((5,), Fails("argument must be a string"))),
    *rows("lookup", (({"a": "ay", "b": "bee"}, "a", "what?"), "ay"), (({"a": "ay"}, "c", "what?"), "what?"),
          (({"a": U, "b": 2}, "b"), 2), (({"a": 1}, "z"), Fails("failed to find")), (({"a": 1}, "a", 1, 2), Fails("two or three")),
          (({"1": "x"}, 1), "x"), (("a", "a"), Fails("must be a map"))),
    *rows("matchkeys", ((["i-123", "i-abc", "i-def"], ["us-west", "us-east", "us-east"], ["us-east"]), ["i-abc", "i-def"]),
          (([1, 2], ["a", "b"], []), []), (([1, 2], ["a"], ["a"]), Fails("should be equal")), (([1], [U], ["a"]), U)),
    *rows("merge", (({"a": "b", "c": "d"}, {"e": "f", "c": "z"}), {"a": "b", "c": "z", "e": "f"}), ((), {}),
          (({"a": 1}, None), {"a": 1}), (({"a": U}, {"b": 1}), {"a": U, "b": 1}), (({"a": 1}, [1]), Fails("must be a map"))),
    *rows("one", (([],), None), ((["hello"],), "hello"), (([U],), U), ((["a", "b"],), Fails("either zero or one"))),
    *rows("range", ((3,), [0, 1, 2]), ((1, 4), [1, 2, 3]), ((1, 8, 2), [1, 3, 5, 7]), ((1, 4, 0.5), [1, 1.5, 2, 2.5, 3, 3.5]),
          ((4, 1), [4, 3, 2]), ((10, 5, -2), [10, 8, 6]), ((0,), []), ((-3,), [0, -1, -2]), ((0, 0.5, 0.1), [0, 0.1, 0.2, 0.3, 0.4]),
          ((1, 2, 0), Fails("must not be zero")), ((1, 5, -1), Fails("end must be")), ((2000,), Fails("more than 1024")),
          ((1e9,), Fails("more than 1024")), ((), Fails("one, two, or three"))),
    *rows("reverse", (([1, 2, 3],), [3, 2, 1]), (([],), []), ((None,), Fails("must not be null"))),
    *rows("slice", ((["a", "b", "c", "d"], 1, 3), ["b", "c"]), (([1], 0, 0), []), (([1, 2], 2, 2), []),
          (([1, 2], 1, 3), Fails("greater than the length")), (([1, 2], 2, 1), Fails("start index must not be greater")),
          (([1], -1, 1), Fails("less than zero"))),
    *rows("sort", ((["e", "d", "a", "x"],), ["a", "d", "e", "x"]), (([10, 9, 1],), ["1", "10", "9"]), (([],), []),
          ((["b", None],), Fails("null string")), ((["b", U],), U)),
    *rows("sum", (([10, 13, 6, 4.5],), 33.5), (([1, 2],), 3), ((["1", 2],), 3), (([0.1, 0.2],), 0.3), (([],), Fails("empty list")),
          (([1, None],), Fails("number values")), (([1, "x"],), Fails("not a decimal")), (([1, U],), U)),
    *rows("transpose", (({"a": ["1", "2"], "b": ["2", "3"]},), {"1": ["a"], "2": ["a", "b"], "3": ["b"]}), (({},), {}),
          (({"a": [1]},), {"1": ["a"]}), (({"a": None},), Fails("null list")), (({"a": "x"},), Fails("must be a list"))),
    *rows("values", (({"a": 3, "c": 2, "d": 1},), [3, 2, 1]), (({},), []), (({"b": U, "a": 1},), [1, U])),
    *rows("zipmap", ((["a", "b"], [1, 2]), {"a": 1, "b": 2}), (([], []), {}), ((["a", "a"], [1, 2]), {"a": 2}),
          (([1], ["x"]), {"1": "x"}), ((["a"], []), Fails("does not match")), (([None], [1]), Fails("null value")),
          (([U], [1]), U)),
]

SETS = [
    *rows("setintersection", ((["a", "b"], ["b", "c"], ["b", "d"]), ["b"]), ((["b", "a"], ["a", "b"]), ["a", "b"]),
          (([1, 2], ["1"]), ["1"]), (([],), []), ((), Fails("at least 1")), ((["a", U], ["a"]), U)),
    *rows("setsubtract", ((["a", "b", "c"], ["a", "c"]), ["b"]), ((["a", "b"], []), ["a", "b"]), (([3, 1, 2], [2]), [1, 3])),
    *rows("setunion", ((["a", "b"], ["b", "c"], ["d"]), ["a", "b", "c", "d"]), (([True], [False]), [False, True]),
          (([{"a": 1}], [{"a": 1}, {"b": 2}]), [{"a": 1}, {"b": 2}]), (([2, 10], [1]), [1, 2, 10]),
          ((["a"], "b"), Fails("must be a list"))),
    *rows("setproduct", ((["development", "staging"], ["app1", "app2"]),
                         [["development", "app1"], ["development", "app2"], ["staging", "app1"], ["staging", "app2"]]),
          ((["a"], []), []), ((["a"],), Fails("at least two")), ((["a", 1], ["b"]), [["a", "b"], ["1", "b"]]),
          ((list(range(1000)), list(range(1000))), Fails("too large to evaluate statically"))),
    *rows("tostring", (("hello",), "hello"), ((1,), "1"), ((1.5,), "1.5"), ((1e20,), "100000000000000000000"),
          ((True,), "true"), ((None,), None), (([1],), Fails("must be a string"))),
    *rows("tonumber", ((1,), 1), (("1",), 1), (("1.5e3",), 1500), (("0.25",), 0.25), ((None,), None),
          (("no",), Fails("not a decimal number")), ((True,), Fails("cannot convert bool"))),
    *rows("tobool", ((True,), True), (("false",), False), ((None,), None), (("no",), Fails("must be a bool")),
          ((1,), Fails("cannot convert"))),
    *rows("tolist", ((["a", "b"],), ["a", "b"]), ((["a", 1, True],), ["a", "1", "true"]), ((None,), None),
          (([1, True],), Fails("no common type")), (({"a": 1},), Fails("must be a list"))),
    *rows("toset", ((["c", "b", "b"],), ["b", "c"]), (([3, 1, 3],), [1, 3]), ((["a", 1],), ["1", "a"]), ((None,), None),
          ((["a", U],), U)),
    *rows("tomap", (({"a": 1, "b": "x"},), {"a": "1", "b": "x"}), (({"a": 1},), {"a": 1}), ((None,), None),
          ((["a"],), Fails("must be a map"))),
    *rows("sensitive", (("secret",), "secret"), (({"a": 1},), {"a": 1}), ((U,), U)),
    *rows("nonsensitive", (("x",), "x"), ((None,), None), (([U],), [U])),
]

ENCODING = [
    *rows("base64encode", (("Hello World",), "SGVsbG8gV29ybGQ="), (("é",), "w6k="), (("",), "")),
    *rows("base64decode", (("SGVsbG8gV29ybGQ=",), "Hello World"), (("SGVs\nbG8=",), "Hello"),
          (("not base64!",), Fails("failed to decode")), (("/w==",), Fails("not valid UTF-8"))),
    *rows("textencodebase64", (("Hello World", "UTF-16LE"), "SABlAGwAbABvACAAVwBvAHIAbABkAA=="),
          (("é", "ISO-8859-1"), "6Q=="), (("☃", "windows-1252"), Fails("cannot be represented")),
          (("x", "EBCDIC-X"), Fails("not supported statically"))),
    *rows("textdecodebase64", (("SABlAGwAbABvACAAVwBvAHIAbABkAA==", "UTF-16LE"), "Hello World"),
          (("6Q==", "iso-8859-1"), "é"), (("gQ==", "windows-1252"), Fails("not defined for this encoding"))),
    *rows("urlencode", (("Hello World!",), "Hello+World%21"), (("☃",), "%E2%98%83"),
          (("foo:bar@localhost?foo=bar&bar=baz",), "foo%3Abar%40localhost%3Ffoo%3Dbar%26bar%3Dbaz"), (("a-_.~",), "a-_.~")),
    *rows("jsonencode", (({"hello": "world"},), '{"hello":"world"}'), (([1, 2.5, None, True],), "[1,2.5,null,true]"),
          (({"b": 1, "a": {"y": 1e20, "x": 0.1}},), '{"a":{"x":0.1,"y":100000000000000000000},"b":1}'),
          (("<&>\u2028\n",), '"\\u003c\\u0026\\u003e\\u2028\\n"'), (("é",), '"é"'), (({"a": U},), U)),
    *rows("jsondecode", (('{"hello": "world"}',), {"hello": "world"}), (("true",), True), (("1.0",), 1), (("[1.5, null]",), [1.5, None]),
          (('"\\u00e9"',), "é"), (('{"a": 1, "a": 2}',), Fails("duplicate")), (("NaN",), Fails("not valid JSON")),
          (("1e400",), Fails("too large")), (("{",), Fails("invalid JSON")), (("[1] x",), Fails("invalid JSON")),
          (("[" * 100_000,), Fails("jsondecode()"))),
    *rows("csvdecode", (("a,b,c\n1,2,3\n4,5,6",), [{"a": "1", "b": "2", "c": "3"}, {"a": "4", "b": "5", "c": "6"}]),
          (('a,b\n"x,1","say ""hi"""\r\n\n',), [{"a": "x,1", "b": 'say "hi"'}]), (("a,b\n",), []),
          (('a\n"multi\nline"',), [{"a": "multi\nline"}]), (("",), Fails("missing header")), (("a,a\n1,2",), Fails("duplicate column")),
          (("a,b\n1",), Fails("wrong number of fields")), (('a\nx"y',), Fails('bare "')), (('a\n"x"y',), Fails("extraneous"))),
    *rows("yamldecode", (("hello: world",), {"hello": "world"}), (("true",), True), (("{a: &foo [1, 2, 3], b: *foo}",), {"a": [1, 2, 3], "b": [1, 2, 3]}),
          (("a: yes\nb: off\nc: y",), {"a": True, "b": False, "c": True}), (("a: 0x1F\nb: 017\nc: 1_000\nd: 1e3",), {"a": 31, "b": 17, "c": "1_000", "d": 1000}),
          (("d: 2001-12-14\nt: 2001-12-14t21:59:43.10-05:00",), {"d": "2001-12-14T00:00:00Z", "t": "2001-12-14T21:59:43-05:00"}),
          (("a: '1'\nb: !!str 2\nc: ~\nd:",), {"a": "1", "b": "2", "c": None, "d": None}), (("",), None),
          (("base: &b {x: 1, z: 2}\nover:\n  <<: *b\n  z: 3",), {"base": {"x": 1, "z": 2}, "over": {"x": 1, "z": 3}}),
          (("y: 1\nn: 2",), {"true": 1, "false": 2}),
          (("1: a\ntrue: b",), {"1": "a", "true": "b"}), (("a: .inf",), Fails("infinite")), (("a: !custom x",), Fails("unsupported YAML tag")),
          (("a: 1\n---\nb: 2",), Fails("invalid YAML")), (("[a, b",), Fails("invalid YAML")), (("? [a]\n: b",), Fails("only strings")),
          (("a: &a [*a]",), Fails("refers to itself")),
          (("a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)),),
           Fails("too large to evaluate statically"))),
    *rows("yamlencode", (({"a": "b", "c": "d"},), '"a": "b"\n"c": "d"\n'),
          (({"foo": [1, 2, 3], "bar": "baz"},), '"bar": "baz"\n"foo":\n- 1\n- 2\n- 3\n'),
          (({"foo": [1, {"a": "b", "c": "d"}, 3], "bar": "baz"},), '"bar": "baz"\n"foo":\n- 1\n- "a": "b"\n  "c": "d"\n- 3\n'),
          (({"k": "a\nb\n"},), '"k": |\n  a\n  b\n'), (({},), "{}\n"), (([],), "[]\n"), (({"a": None, "b": True, "c": 1.5},), '"a": null\n"b": true\n"c": 1.5\n'),
          (({"a": U},), U)),
]

DATES = [
    *rows("formatdate", (("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z"), "02 Jan 2018 23:12 UTC"),
          (("EEEE, DD-MMM-YY hh:mm:ss ZZZ", "2018-01-02T23:12:01-08:00"), "Tuesday, 02-Jan-18 23:12:01 -0800"),
          (("EEE, DD MMM YYYY hh:mm:ss ZZZ", "2018-01-02T23:12:01+03:30"), "Tue, 02 Jan 2018 23:12:01 +0330"),
          (("MMM DD, YYYY", "2018-01-02T23:12:01Z"), "Jan 02, 2018"), (("HH:mmaa", "2018-01-02T23:12:01Z"), "11:12pm"),
          (("h'h'mm", "2018-01-02T23:12:01-08:00"), "23h12"), (("M/D 'o''clock' ''", "2018-01-02T03:04:05Z"), "1/2 o'clock '"),
          (("Z ZZZZZ", "2018-01-02T03:04:05.123Z"), "Z +00:00"), (("YYY", "2018-01-02T03:04:05Z"), Fails("invalid date format verb")),
          (("Q", "2018-01-02T03:04:05Z"), Fails("invalid date format verb")), (("'open", "2018-01-02T03:04:05Z"), Fails("unterminated")),
          (("YYYY", "2018-01-02"), Fails("not a valid RFC3339")), (("YYYY", "2018-02-30T00:00:00Z"), Fails("out of range"))),
    *rows("timeadd", (("2017-11-22T00:00:00Z", "10m"), "2017-11-22T00:10:00Z"), (("2017-11-22T00:00:00Z", "-1h30m"), "2017-11-21T22:30:00Z"),
          (("2017-11-22T23:00:00+01:00", "1.5h"), "2017-11-23T00:30:00+01:00"), (("2017-11-22T00:00:00.5Z", "600ms"), "2017-11-22T00:00:01Z"),
          (("2017-11-22T00:00:00Z", "0"), "2017-11-22T00:00:00Z"), (("2017-11-22T00:00:00Z", "1d"), Fails("invalid duration")),
          (("2017-11-22T00:00:00Z", ""), Fails("invalid duration")), (("2017-11-22T00:00:00Z", "5"), Fails("invalid duration")),
          (("2017-11-22", "1h"), Fails("not a valid RFC3339"))),
    *rows("timecmp", (("2017-11-22T00:00:00Z", "2017-11-22T00:00:00Z"), 0), (("2017-11-22T00:00:00Z", "2017-11-22T01:00:00Z"), -1),
          (("2017-11-22T01:00:00Z", "2017-11-22T00:00:00Z"), 1), (("2017-11-22T01:00:00Z", "2017-11-22T00:00:00-01:00"), 0),
          (("2017-11-22T00:00:00.1Z", "2017-11-22T00:00:00Z"), 1), (("x", "2017-11-22T00:00:00Z"), Fails("not a valid RFC3339"))),
]

HASHES = [
    *rows("md5", (("hello world",), "5eb63bbbe01eeed093cb22bb8f5acdc3"), (("",), "d41d8cd98f00b204e9800998ecf8427e"),
          (([],), Fails("must be a string"))),
    *rows("sha1", (("hello world",), "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed"), (("",), "da39a3ee5e6b4b0d3255bfef95601890afd80709"),
          ((1,), "356a192b7913b04c54574d18c28d46e6395428ab"), ((None,), Fails("must not be null"))),
    *rows("sha256", (("hello world",), "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"),
          (("",), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), (([1],), Fails("must be a string"))),
    *rows("sha512", (("hello world",), "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f"),
          (("",), "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"), ((True,), "9120cd5faef07a08e971ff024a3fcbea1e3a6b44142a6d82ca28c6c42e4f852595bcf53d81d776f10541045abdb7c37950629415d0dc66c8d86c64a5606d32de")),
    *rows("base64sha256", (("hello world",), "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="),
          (("",), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), (({},), Fails("must be a string"))),
    *rows("base64sha512", (("hello world",), "MJ7MSJwS1utMxA9QyQLytNDtd+5RGnx6m808qG1M2G+YndNbxf9JlnDaNCVbRbDP2DDoH2Bdz33FVC6TrpzXbw=="),
          (("",), "z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="), ((None,), Fails("must not be null"))),
    *rows("uuidv5", (("dns", "www.terraform.io"), "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
          (("url", "https://www.terraform.io/"), "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5"),
          (("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.terraform.io"), "a5008fae-b28c-5ba5-96cd-82b4c53552d6"),
          (("nope", "x"), Fails("doesn't support this namespace"))),
]

NETWORK = [
    *rows("cidrhost", (("10.12.112.0/20", 16), "10.12.112.16"), (("10.12.112.0/20", 268), "10.12.113.12"),
          (("fd00:fd12:3456:7890:00a2::/72", 34), "fd00:fd12:3456:7890::22"), (("10.0.0.0/30", -1), "10.0.0.3"),
          (("10.0.0.0/30", 4), Fails("does not accommodate")), (("10.0.0.0/30", -5), Fails("does not accommodate")),
          (("010.001.0.0/16", 1), "10.1.0.1"), (("10.1.2.3/8", 0), "10.0.0.0"), (("10.0.0.0", 1), Fails("invalid CIDR"))),
    *rows("cidrnetmask", (("172.16.0.0/12",), "255.240.0.0"), (("10.0.0.0/32",), "255.255.255.255"),
          (("10.0.0.0/0",), "0.0.0.0"), (("fd00::/8",), Fails("IPv6 addresses cannot have a netmask")),
          (("10.0.0.0/33",), Fails("invalid CIDR"))),
    *rows("cidrsubnet", (("172.16.0.0/12", 4, 2), "172.18.0.0/16"), (("10.1.2.0/24", 4, 15), "10.1.2.240/28"),
          (("fd00:fd12:3456:7890::/56", 16, 162), "fd00:fd12:3456:7800:a200::/72"), (("10.0.0.0/30", 4, 0), Fails("insufficient address space")),
          (("10.0.0.0/8", 2, 4), Fails("does not accommodate")), (("10.0.0.0/8", 2, -1), Fails("does not accommodate"))),
    *rows("cidrsubnets", (("10.1.0.0/16", 4, 4, 8, 4), ["10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"]),
          (("fd00:fd12:3456:7890::/56", 16, 16, 16, 32), ["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72",
                                                         "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88"]),
          (("10.0.0.0/8",), []), (("10.0.0.0/30", 1, 1, 1), Fails("not enough remaining address space")),
          (("10.0.0.0/8", 0), Fails("by 1 to 32 bits")), (("10.0.0.0/30", 3), Fails("too long"))),
]

PATHS = [
    *rows("basename", (("foo/bar/baz.txt",), "baz.txt"), (("foo/bar/",), "bar"), (("",), "."), (("///",), "/")),
    *rows("dirname", (("foo/bar/baz.txt",), "foo/bar"), (("baz.txt",), "."), (("/a//b/../c",), "/a"), (("/x",), "/")),
]


@pytest.mark.parametrize("name, args, expected",
                         NUMERIC + STRINGS + REGEX + FORMAT + COLLECTIONS + SETS + ENCODING + DATES + HASHES + NETWORK + PATHS)
def test_function(name: str, args: tuple, expected: object) -> None:
    check(name, args, expected)


def test_every_function_has_a_table() -> None:
    tested = {p.values[0] for p in NUMERIC + STRINGS + REGEX + FORMAT + COLLECTIONS + SETS + ENCODING + DATES + HASHES
              + NETWORK + PATHS}
    assert set(FUNCTIONS) - tested == set()


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_raises_on_hostile_arguments(name: str) -> None:
    hostile = [None, "", "x" * (MAX_VALUE_SIZE // 2), -1, 1e308, True, [], {}, [[[]]], {"a": {"b": None}}, [U], "\ud800"]
    for first in hostile:
        for second in (None, "%", 2 ** 600, ["a"]):
            for args in ((), (first,), (first, second), (first, second, first)):
                FUNCTIONS[name](*args)   # must return (a value or an Unknown), never raise


def test_results_are_never_infinite_or_nan() -> None:
    for name, args in (("pow", (10, 308)), ("pow", (10, 309)), ("log", (0, 2)), ("sum", ([1e308, 1e308],)),
                       ("jsondecode", ("1e308",)), ("tonumber", ("1e309",)), ("abs", (1e308,))):
        result = FUNCTIONS[name](*args)
        assert isinstance(result, Unknown) or (result == result and abs(result) != float("inf")), (name, result)


@pytest.mark.parametrize("name, args, kind", [
    ("parseint", ("12", 2), "function"),
    ("lookup", ({}, "a"), "function"),
    ("upper", (), "function"),
    ("range", (1e9,), "function"),                       # Terraform's own limit: an error there too
    ("indent", (1_000_000, "\n\n"), "limit"),
    ("regex", ("(a+)+b", "aaaa"), "limit"),
    ("regex", ("a", "a" * 200_000), "limit"),
])
def test_unknowns_say_what_kind_of_thing_blocked_them(name: str, args: tuple, kind: str) -> None:
    result = FUNCTIONS[name](*args)
    assert isinstance(result, Unknown) and result.kind == kind, result



def test_distinct_by_key_keeps_what_pairwise_terraform_equality_keeps():
    from random import Random

    from scanner.model.functions.arguments import distinct_values, same

    def pairwise(items):
        out = []
        for item in items:
            if not any(same(item, earlier) for earlier in out):
                out.append(item)
        return out
    assert distinct_values([1, 1.0, True, [1], [1.0], {"a": 1}, {"a": 1.0}, None, "a", "a", False, "1"]) == \
        [1, True, [1], {"a": 1}, None, "a", False, "1"]
    random = Random(7)
    atoms = [0, 1, 1.0, 2.5, True, False, "1", "a", "", None]
    for _ in range(500):
        items = [random.choice(atoms + [[random.choice(atoms)], {"k": random.choice(atoms)}]) for _ in range(12)]
        assert distinct_values(items) == pairwise(items), items
