"""The event-pattern language: a table of patterns and events that match, that do not, and
patterns AWS rejects with its reason."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoarfrost.core.kit.event_patterns import PatternError, compile_pattern

EVENT: dict[str, Any] = {
    "version": "0",
    "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718",
    "detail-type": "EC2 Instance State-change Notification",
    "source": "aws.ec2",
    "account": "111122223333",
    "time": "2017-12-22T18:43:48Z",
    "region": "us-west-1",
    "resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"],
    "detail": {
        "instance-id": "i-1234567890abcdef0",
        "state": "running",
        "c-count": 5,
        "d-count": 300,
        "price": 10.5,
        "flag": True,
        "nothing": None,
        "empty": "",
        "sourceIPAddress": "10.0.0.123",
        "ipv6": "2001:db8::1",
        "location": {"city": "Seattle", "zip": "98101"},
        "tags": ["alpha", "beta"],
        "numbers": [1, 2, 3],
        "items": [{"name": "a", "size": 1}, {"name": "b", "size": 2}],
        "file": "dir/sub/file.png",
        "Case": "MiXeD",
        "numstr": "5",
    },
}


def d(**fields: Any) -> dict[str, Any]:
    return {"detail": fields}


MATCHING: list[tuple[str, dict[str, Any]]] = [
    ("source exact", {"source": ["aws.ec2"]}),
    ("one of several", {"source": ["aws.s3", "aws.ec2"]}),
    ("two fields", {"source": ["aws.ec2"], "detail-type": ["EC2 Instance State-change Notification"]}),
    ("nested string", d(state=["running"])),
    ("number", d(**{"c-count": [5]})),
    ("number as float", d(**{"c-count": [5.0]})),
    ("number exponent", d(**{"d-count": [3.0e2]})),
    ("float", d(price=[10.5])),
    ("boolean", d(flag=[True])),
    ("null", d(nothing=[None])),
    ("empty string", d(empty=[""])),
    ("array element", d(tags=["beta"])),
    ("array number", d(numbers=[3])),
    ("resources array", {"resources": ["arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0"]}),
    ("deeper object", d(location={"city": ["Seattle"]})),
    ("array of objects", d(items={"name": ["b"]})),
    ("array of objects same element", d(items={"name": ["b"], "size": [2]})),
    ("prefix", {"source": [{"prefix": "aws."}]}),
    ("empty prefix", {"source": [{"prefix": ""}]}),
    ("suffix", d(file=[{"suffix": ".png"}])),
    ("prefix ignore case", d(Case=[{"prefix": {"equals-ignore-case": "mix"}}])),
    ("suffix ignore case", d(Case=[{"suffix": {"equals-ignore-case": "XED"}}])),
    ("equals-ignore-case", d(Case=[{"equals-ignore-case": "mixed"}])),
    ("anything-but string", d(state=[{"anything-but": "stopped"}])),
    ("anything-but list", d(state=[{"anything-but": ["stopped", "pending"]}])),
    ("anything-but number", d(**{"c-count": [{"anything-but": 4}]})),
    ("anything-but number list", d(**{"c-count": [{"anything-but": [1, 2]}]})),
    ("anything-but prefix", d(state=[{"anything-but": {"prefix": "stop"}}])),
    ("anything-but suffix", d(file=[{"anything-but": {"suffix": ".jpg"}}])),
    ("anything-but wildcard", d(file=[{"anything-but": {"wildcard": "*/lib/*"}}])),
    ("anything-but wildcard list", d(file=[{"anything-but": {"wildcard": ["*/lib/*", "*.txt"]}}])),
    ("anything-but ignore case", d(state=[{"anything-but": {"equals-ignore-case": ["STOPPED"]}}])),
    ("anything-but array any element", d(tags=[{"anything-but": "alpha"}])),
    ("numeric >", d(**{"c-count": [{"numeric": [">", 0]}]})),
    ("numeric range", d(**{"c-count": [{"numeric": [">", 0, "<=", 5]}]})),
    ("numeric =", d(**{"d-count": [{"numeric": ["=", 300]}]})),
    ("numeric >= boundary", d(price=[{"numeric": [">=", 10.5]}])),
    ("numeric <", d(price=[{"numeric": ["<", 10.500001]}])),
    ("numeric in array", d(numbers=[{"numeric": [">", 2]}])),
    ("exists true", d(state=[{"exists": True}])),
    ("exists false", d(missing=[{"exists": False}])),
    ("exists true on null", d(nothing=[{"exists": True}])),
    ("exists false on missing object", {"nope": {"x": [{"exists": False}]}}),
    ("cidr v4", d(sourceIPAddress=[{"cidr": "10.0.0.0/24"}])),
    ("cidr v6", d(ipv6=[{"cidr": "2001:db8::/32"}])),
    ("ip literal other spelling", d(ipv6=["2001:0db8:0000:0000:0000:0000:0000:0001"])),
    ("wildcard", d(file=[{"wildcard": "dir/*.png"}])),
    ("wildcard two stars", d(file=[{"wildcard": "*/sub/*"}])),
    ("wildcard escape", {"x": [{"wildcard": "a\\*b"}]}),
    ("exact", d(state=[{"exact": "running"}])),
    ("$or top level", {"$or": [{"source": ["nope"]}, {"detail-type": [{"prefix": "EC2"}]}]}),
    ("$or nested", {"detail": {"$or": [{"c-count": [{"numeric": [">", 100]}]}, {"d-count": [300]}]}}),
    ("$or with field", {"source": ["aws.ec2"], "$or": [{"detail": {"state": ["x"]}}, {"region": ["us-west-1"]}]}),
    ("mixed alternatives", d(state=["x", {"prefix": "run"}])),
    ("exists false or value", d(missing=["x", {"exists": False}])),
]

NOT_MATCHING: list[tuple[str, dict[str, Any]]] = [
    ("source other", {"source": ["aws.s3"]}),
    ("one field of two fails", {"source": ["aws.ec2"], "region": ["eu-west-1"]}),
    ("string vs number", d(**{"c-count": ["5"]})),
    ("number vs string", d(numstr=[5])),
    ("case matters", d(state=["RUNNING"])),
    ("null vs missing", d(missing=[None])),
    ("boolean vs string", d(flag=["true"])),
    ("array none", d(tags=["gamma"])),
    ("object is not a leaf", d(location=["Seattle"])),
    ("array of objects across elements", d(items={"name": ["a"], "size": [2]})),
    ("prefix", {"source": [{"prefix": "aws.s"}]}),
    ("prefix on number", d(**{"c-count": [{"prefix": "5"}]})),
    ("suffix", d(file=[{"suffix": ".jpg"}])),
    ("prefix ignore case", d(Case=[{"prefix": {"equals-ignore-case": "max"}}])),
    ("equals-ignore-case", d(Case=[{"equals-ignore-case": "mixe"}])),
    ("anything-but string", d(state=[{"anything-but": "running"}])),
    ("anything-but list", d(state=[{"anything-but": ["running", "stopped"]}])),
    ("anything-but missing field", d(missing=[{"anything-but": "x"}])),
    ("anything-but number", d(**{"c-count": [{"anything-but": [5, 6]}]})),
    ("anything-but prefix", d(state=[{"anything-but": {"prefix": "run"}}])),
    ("anything-but suffix", d(file=[{"anything-but": {"suffix": ".png"}}])),
    ("anything-but wildcard", d(file=[{"anything-but": {"wildcard": "dir/*"}}])),
    ("anything-but ignore case", d(state=[{"anything-but": {"equals-ignore-case": "RUNNING"}}])),
    ("numeric >", d(**{"c-count": [{"numeric": [">", 5]}]})),
    ("numeric range", d(**{"d-count": [{"numeric": [">", 0, "<", 300]}]})),
    ("numeric on string", d(numstr=[{"numeric": ["=", 5]}])),
    ("numeric <", d(price=[{"numeric": ["<", 10.5]}])),
    ("exists true missing", d(missing=[{"exists": True}])),
    ("exists false present", d(state=[{"exists": False}])),
    ("exists on object", d(location=[{"exists": True}])),
    ("cidr v4", d(sourceIPAddress=[{"cidr": "10.0.1.0/24"}])),
    ("cidr on non ip", d(state=[{"cidr": "10.0.0.0/8"}])),
    ("cidr v6", d(ipv6=[{"cidr": "2001:db9::/32"}])),
    ("wildcard", d(file=[{"wildcard": "dir/*.jpg"}])),
    ("wildcard anchored", d(file=[{"wildcard": "sub/*"}])),
    ("$or none", {"$or": [{"source": ["nope"]}, {"region": ["eu-west-1"]}]}),
    ("nested missing", {"detail": {"nope": {"deeper": ["x"]}}}),
    ("exact", d(state=[{"exact": "run"}])),
]

INVALID: list[tuple[str, Any, str]] = [
    ("not an object", "[]", "Filter is not an object"),
    ("not json", "{", "Unexpected character"),
    ("empty object", "{}", "Empty objects are not allowed"),
    ("scalar field", {"source": "aws.ec2"}, '"source" must be an object or an array'),
    ("empty array", {"source": []}, "Empty arrays are not allowed"),
    ("nested array", {"source": [["x"]]}, "Match value must be String, number, true, false, or null"),
    ("unknown match", {"source": [{"foo": "x"}]}, "Unrecognized match type foo"),
    ("empty expression", {"source": [{}]}, "Match expression name not found"),
    ("two keys", {"source": [{"prefix": "a", "suffix": "b"}]}, "Only one key allowed in match expression"),
    ("prefix number", {"source": [{"prefix": 1}]}, "prefix match pattern must be a string"),
    ("suffix list", {"source": [{"suffix": ["a"]}]}, "suffix match pattern must be a string"),
    ("ignore case number", {"source": [{"equals-ignore-case": 1}]}, "equals-ignore-case match pattern must be a string"),
    ("exists string", {"source": [{"exists": "true"}]}, "exists match pattern must be either true or false."),
    ("numeric not array", {"n": [{"numeric": ">"}]}, "Value of numeric must be an array."),
    ("numeric bad operator", {"n": [{"numeric": ["!", 1]}]}, "Unrecognized numeric range operator: !"),
    ("numeric non numeric", {"n": [{"numeric": [">", "1"]}]}, "Value of > must be numeric"),
    ("numeric first number", {"n": [{"numeric": [1, ">"]}]}, "Invalid member in numeric match: 1"),
    ("numeric too many", {"n": [{"numeric": ["=", 1, 2]}]}, "Too many elements in numeric expression"),
    ("numeric bad upper", {"n": [{"numeric": [">", 1, ">", 2]}]}, "Bad numeric range operator: >"),
    ("numeric out of range", {"n": [{"numeric": [">", 6e9]}]}, "Value must be between -5.0E9 and 5.0E9, inclusive"),
    ("numeric inverted", {"n": [{"numeric": [">", 5, "<", 1]}]}, "Bottom must be less than top"),
    ("anything-but null", {"s": [{"anything-but": None}]}, "Value of anything-but must be an array or single string/number value."),
    ("anything-but mixed", {"s": [{"anything-but": ["a", 1]}]}, "mixed type is not supported"),
    ("anything-but bool in list", {"s": [{"anything-but": [True]}]}, "Inside anything but list, start|null|boolean is not supported."),
    ("anything-but unknown", {"s": [{"anything-but": {"numeric": [">", 1]}}]}, "Unsupported anything-but pattern: numeric"),
    ("anything-but empty prefix", {"s": [{"anything-but": {"prefix": ""}}]}, "Null prefix/suffix not allowed"),
    ("cidr no slash", {"ip": [{"cidr": "10.0.0.1"}]}, "Malformed CIDR, one '/' required"),
    ("cidr bad bits", {"ip": [{"cidr": "10.0.0.0/x"}]}, "Malformed CIDR, mask bits must be an integer"),
    ("cidr v4 bits", {"ip": [{"cidr": "10.0.0.0/33"}]}, "IPv4 mask bits must be < 32"),
    ("cidr bad address", {"ip": [{"cidr": "host/8"}]}, "Nonstandard IP address: host"),
    ("wildcard consecutive", {"s": [{"wildcard": "a**b"}]}, "Consecutive wildcard characters at pos 2"),
    ("wildcard bad escape", {"s": [{"wildcard": "a\\b"}]}, "Invalid escape character at pos 1"),
    ("$or not array", {"$or": {"a": ["b"]}}, "It must be an Array followed with $or."),
    ("$or one branch", {"$or": [{"a": ["b"]}]}, "There must have at least 2 Objects in $or relationship."),
    ("$or non object", {"$or": [{"a": ["b"]}, "x"]}, "Only JSON object is allowed in array of $or relationship."),
    ("$or reserved", {"$or": [{"numeric": ["b"]}, {"a": ["b"]}]}, "numeric is Ruler reserved fieldName which cannot be used inside $or."),
]


@pytest.mark.parametrize(("name", "pattern"), MATCHING, ids=[c[0] for c in MATCHING])
def test_matching(name: str, pattern: dict[str, Any]) -> None:
    event = {**EVENT, "x": "a*b"} if name == "wildcard escape" else EVENT
    assert compile_pattern(json.dumps(pattern)).matches(event)


@pytest.mark.parametrize(("name", "pattern"), NOT_MATCHING, ids=[c[0] for c in NOT_MATCHING])
def test_not_matching(name: str, pattern: dict[str, Any]) -> None:
    assert not compile_pattern(pattern).matches(EVENT)


@pytest.mark.parametrize(("name", "pattern", "reason"), INVALID, ids=[c[0] for c in INVALID])
def test_invalid(name: str, pattern: Any, reason: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern if isinstance(pattern, str) else json.dumps(pattern))
    assert reason in caught.value.reason


def test_the_table_is_as_large_as_the_issue_asks() -> None:
    assert len(MATCHING) + len(NOT_MATCHING) + len(INVALID) >= 80


def test_wildcard_escape_does_not_match_other_characters() -> None:
    assert not compile_pattern({"x": [{"wildcard": "a\\*b"}]}).matches({"x": "axb"})


def test_an_empty_event_array_counts_as_absent() -> None:
    pattern = compile_pattern({"a": [{"exists": False}]})
    assert pattern.matches({"a": []})
    assert not pattern.matches({"a": ["x"]})


def test_precision_is_six_decimal_places() -> None:
    assert compile_pattern({"n": [{"numeric": ["=", 1.0000001]}]}).matches({"n": 1.0})
    assert not compile_pattern({"n": [{"numeric": ["=", 1.00001]}]}).matches({"n": 1.0})
