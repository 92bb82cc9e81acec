"""filter_policy.py directly: each operator family's matching, both scopes, and validation."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hoarfrost.services.sns import filter_policy as fp


def attrs(**values: Any) -> dict[str, dict[str, Any]]:
    """Message attributes: str -> String, int/float -> Number, list -> String.Array."""
    result: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if isinstance(value, list):
            result[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, (int, float)):
            result[name] = {"DataType": "Number", "StringValue": str(value)}
        elif isinstance(value, bytes):
            result[name] = {"DataType": "Binary", "BinaryValue": value}
        else:
            result[name] = {"DataType": "String", "StringValue": value}
    return result


def on_attributes(policy: dict[str, Any], **values: Any) -> bool:
    return fp.matches(fp.parse(json.dumps(policy)), fp.SCOPE_ATTRIBUTES, "body", attrs(**values))


def on_body(policy: dict[str, Any], body: Any) -> bool:
    compiled = fp.parse(json.dumps(policy), fp.SCOPE_BODY)
    return fp.matches(compiled, fp.SCOPE_BODY, body if isinstance(body, str) else json.dumps(body), {})


def test_exact_strings_and_numbers_are_typed() -> None:
    assert on_attributes({"color": ["red", "blue"]}, color="blue")
    assert not on_attributes({"color": ["red"]}, color="green")
    assert on_attributes({"size": [5]}, size=5.0)
    assert not on_attributes({"size": ["5"]}, size=5)  # a string rule never matches a Number
    assert not on_attributes({"size": [5]}, size="5")  # nor a numeric rule a String


def test_all_keys_must_match_and_missing_keys_fail() -> None:
    policy = {"color": ["red"], "size": ["L"]}
    assert on_attributes(policy, color="red", size="L")
    assert not on_attributes(policy, color="red")
    assert not on_attributes(policy, color="red", size="M")


def test_string_array_matches_any_element() -> None:
    assert on_attributes({"tags": ["b"]}, tags=["a", "b"])
    assert on_attributes({"tags": [{"numeric": [">", 10]}]}, tags=["x", 11])
    assert not on_attributes({"tags": ["c"]}, tags=["a", "b"])


def test_prefix_suffix_and_equals_ignore_case() -> None:
    assert on_attributes({"s": [{"prefix": "ord"}]}, s="order-1")
    assert not on_attributes({"s": [{"prefix": "ord"}]}, s="Order-1")
    assert on_attributes({"s": [{"prefix": {"equals-ignore-case": "ORD"}}]}, s="order-1")
    assert on_attributes({"s": [{"suffix": ".png"}]}, s="a.png")
    assert not on_attributes({"s": [{"suffix": ".png"}]}, s="a.jpg")
    assert on_attributes({"s": [{"suffix": {"equals-ignore-case": ".PNG"}}]}, s="a.png")
    assert on_attributes({"s": [{"equals-ignore-case": "ReD"}]}, s="rEd")


def test_anything_but_forms() -> None:
    assert on_attributes({"s": [{"anything-but": "red"}]}, s="blue")
    assert not on_attributes({"s": [{"anything-but": "red"}]}, s="red")
    assert not on_attributes({"s": [{"anything-but": ["red", "blue"]}]}, s="blue")
    assert on_attributes({"n": [{"anything-but": [1, 2]}]}, n=3)
    assert not on_attributes({"n": [{"anything-but": 2}]}, n=2)
    assert on_attributes({"s": [{"anything-but": {"prefix": "tmp"}}]}, s="final")
    assert not on_attributes({"s": [{"anything-but": {"prefix": "tmp"}}]}, s="tmp-1")
    assert not on_attributes({"s": [{"anything-but": {"suffix": ".tmp"}}]}, s="x.tmp")
    assert not on_attributes({"s": [{"anything-but": {"equals-ignore-case": ["RED"]}}]}, s="red")
    assert not on_attributes({"s": [{"anything-but": "red"}]})  # needs the key present


def test_numeric_ranges() -> None:
    policy = {"price": [{"numeric": [">", 0, "<=", 100]}]}
    assert on_attributes(policy, price=100)
    assert on_attributes(policy, price=0.5)
    assert not on_attributes(policy, price=0)
    assert not on_attributes(policy, price=100.01)
    assert on_attributes({"price": [{"numeric": ["=", 3.5]}]}, price=3.5)
    assert on_attributes({"price": [{"numeric": [">=", 10]}]}, price=10)
    assert not on_attributes({"price": [{"numeric": ["<", 10]}]}, price=10)


def test_exists_true_and_false() -> None:
    assert on_attributes({"k": [{"exists": True}]}, k="anything")
    assert not on_attributes({"k": [{"exists": True}]}, other="x")
    assert on_attributes({"k": [{"exists": False}]}, other="x")
    assert not on_attributes({"k": [{"exists": False}]}, k="x")


def test_binary_attributes_are_not_filterable() -> None:
    assert not on_attributes({"b": [{"exists": True}]}, b=b"\x00")


def test_cidr() -> None:
    assert on_attributes({"ip": [{"cidr": "10.0.0.0/24"}]}, ip="10.0.0.7")
    assert not on_attributes({"ip": [{"cidr": "10.0.0.0/24"}]}, ip="10.0.1.7")


def test_or_combines_with_the_other_keys() -> None:
    policy = {"source": ["shop"], "$or": [{"kind": ["order"]}, {"amount": [{"numeric": [">", 100]}]}]}
    assert on_attributes(policy, source="shop", kind="order")
    assert on_attributes(policy, source="shop", kind="refund", amount=500)
    assert not on_attributes(policy, source="shop", kind="refund", amount=5)
    assert not on_attributes(policy, source="web", kind="order")


def test_body_scope_nested_keys_arrays_and_non_json() -> None:
    policy = {"order": {"status": ["paid"], "total": [{"numeric": [">=", 10]}]}}
    assert on_body(policy, {"order": {"status": "paid", "total": 12}})
    assert not on_body(policy, {"order": {"status": "paid", "total": 2}})
    assert not on_body(policy, {"status": "paid", "total": 12})
    assert on_body({"items": {"sku": ["b"]}}, {"items": [{"sku": "a"}, {"sku": "b"}]})
    assert on_body({"flag": [True]}, {"flag": True})
    assert not on_body({"flag": [True]}, {"flag": 1})
    assert on_body({"gone": [{"exists": False}]}, {"here": 1})
    assert not on_body({"x": ["y"]}, "not json at all")
    assert on_body({"a": {"$or": [{"b": ["1"]}, {"c": ["2"]}]}}, {"a": {"c": "2"}})


@pytest.mark.parametrize(
    ("policy", "scope", "message"),
    [
        ("not json", fp.SCOPE_ATTRIBUTES, "Invalid parameter: FilterPolicy: failed to parse JSON."),
        ('["a"]', fp.SCOPE_ATTRIBUTES, "Invalid parameter: FilterPolicy: Filter policy must be a JSON object"),
        ('{"a": "b"}', fp.SCOPE_ATTRIBUTES, 'Invalid parameter: FilterPolicy: "a" must be an object or an array'),
        ('{"a": []}', fp.SCOPE_ATTRIBUTES, "Invalid parameter: FilterPolicy: Empty arrays are not allowed"),
        ('{"a": {"b": ["c"]}}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"),
        ('{"a": [{"regex": "x"}]}', fp.SCOPE_ATTRIBUTES, "Invalid parameter: FilterPolicy: Unrecognized match type regex"),
        ('{"a": [{"prefix": 1}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: prefix match pattern must be a string"),
        ('{"a": [{"exists": "yes"}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."),
        ('{"a": [{"numeric": [">", "x"]}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Value of > must be numeric"),
        ('{"a": [{"numeric": [">>", 1]}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: >>"),
        ('{"a": [{"numeric": [">", 10, "<", 5]}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Bottom must be less than top"),
        ('{"a": [{"numeric": [">", 1, "<", 5, "=", 3]}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Too many elements in numeric expression"),
        ('{"a": [{"anything-but": {"x": 1}}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: x"),
        ('{"a": [{"anything-but": [[1]]}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Value of anything-but must be an array or single string/number value."),
        ('{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"),
        ('{"$or": [{"a": ["1"]}]}', fp.SCOPE_ATTRIBUTES,
         "Invalid parameter: FilterPolicy: Or relationship must have at least two items"),
    ],
)
def test_invalid_policies_answer_sns_messages(policy: str, scope: str, message: str) -> None:
    with pytest.raises(fp.FilterPolicyError) as exc_info:
        fp.parse(policy, scope)
    assert exc_info.value.message.startswith(message)


def test_more_than_150_combinations_is_too_complex() -> None:
    ok = {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(15)]}
    assert fp.parse(json.dumps(ok)).combinations() == 150
    too_many = {"a": [str(i) for i in range(10)], "b": [str(i) for i in range(16)]}
    with pytest.raises(fp.FilterPolicyError) as exc_info:
        fp.parse(json.dumps(too_many))
    assert exc_info.value.message == "Invalid parameter: FilterPolicy: Filter policy is too complex"


def test_or_combinations_are_summed_per_branch() -> None:
    policy = {"a": ["1", "2"], "$or": [{"b": ["1", "2", "3"]}, {"c": ["1"]}]}
    assert fp.parse(json.dumps(policy)).combinations() == 2 * (3 + 1)
