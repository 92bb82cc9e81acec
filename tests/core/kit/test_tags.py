"""The kit's tag rules: list <-> map, key and value lengths, the aws: prefix, union counting."""

from __future__ import annotations

import dataclasses

import pytest

from hoarfrost.core.errors import ValidationException
from hoarfrost.core.kit import tags
from hoarfrost.core.kit.tags import TagRules


class TagError(Exception):
    def __init__(self, kind: str, detail: object = None) -> None:
        super().__init__(kind)
        self.kind, self.detail = kind, detail


RULES = TagRules(
    max_tags=3,
    too_many=lambda limit: TagError("too_many", limit),
    bad_key=lambda key: TagError("bad_key", key),
    bad_value=lambda key, value: TagError("bad_value", key),
    reserved=lambda key: TagError("reserved", key),
)
STRICT = dataclasses.replace(RULES, duplicate=lambda key: TagError("dup", key))


def raised(fn: object, *args: object) -> tuple[str, object]:
    with pytest.raises(TagError) as exc_info:
        fn(*args)  # type: ignore[operator]
    return exc_info.value.kind, exc_info.value.detail


def test_list_and_map_forms() -> None:
    items = [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": ""}]
    assert tags.from_list(items, RULES) == {"team": "a", "env": ""}
    assert tags.to_list({"team": "a", "env": ""}, RULES) == items
    assert tags.from_list(None, RULES) == {}


def test_member_names_are_configurable() -> None:
    rules = TagRules(key_member="TagKey", value_member="TagValue")
    assert tags.to_list({"k": "v"}, rules) == [{"TagKey": "k", "TagValue": "v"}]
    assert tags.from_list([{"TagKey": "k", "TagValue": "v"}], rules) == {"k": "v"}


def test_key_and_value_lengths() -> None:
    assert tags.from_list([{"Key": "k" * 128, "Value": "v" * 256}], RULES) == {"k" * 128: "v" * 256}
    assert raised(tags.from_list, [{"Key": "k" * 129, "Value": ""}], RULES) == ("bad_key", "k" * 129)
    assert raised(tags.from_list, [{"Key": "", "Value": "v"}], RULES) == ("bad_key", "")
    assert raised(tags.from_list, [{"Value": "v"}], RULES) == ("bad_key", "")  # no key at all
    assert raised(tags.from_list, [{"Key": "k", "Value": "v" * 257}], RULES) == ("bad_value", "k")
    assert raised(tags.check, {"k" * 129: "v"}, RULES) == ("bad_key", "k" * 129)
    assert raised(tags.tag, {}, {"k": "v" * 257}, RULES) == ("bad_value", "k")


@pytest.mark.parametrize("key", ["aws:x", "AWS:x", "Aws:cloudformation:stack-name"])
def test_the_aws_prefix_is_reserved_in_any_case(key: str) -> None:
    assert raised(tags.from_list, [{"Key": key, "Value": "v"}], RULES) == ("reserved", key)
    assert raised(tags.check, {key: "v"}, RULES) == ("reserved", key)
    assert raised(tags.untag, {key: "v"}, [key], RULES) == ("reserved", key)


def test_reserved_rule_can_be_off() -> None:
    relaxed = TagRules(reserved_prefix=None, max_tags=1)
    assert tags.from_list([{"Key": "aws:x", "Value": "v"}], relaxed) == {"aws:x": "v"}
    current = {"aws:x": "v"}
    with pytest.raises(ValidationException):  # an unreserved aws: tag counts like any other
        tags.tag(current, {"k": "v"}, relaxed)
    tags.untag(current, ["aws:x"], relaxed)
    assert current == {}


def test_duplicates_last_wins_or_error() -> None:
    items = [{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}]
    assert tags.from_list(items, RULES) == {"k": "2"}
    assert raised(tags.from_list, items, STRICT) == ("dup", "k")


def test_count_of_a_complete_set() -> None:
    assert tags.check({"a": "", "b": "", "c": ""}, RULES) == {"a": "", "b": "", "c": ""}
    assert raised(tags.check, {"a": "", "b": "", "c": "", "d": ""}, RULES) == ("too_many", 3)


def test_tag_counts_the_union_and_changes_nothing_when_refused() -> None:
    current = {"a": "1", "b": "2"}
    tags.tag(current, {"b": "two", "c": "3"}, RULES)  # b overwrites: 3 keys in the union
    assert current == {"a": "1", "b": "two", "c": "3"}
    assert raised(tags.tag, current, {"d": "4"}, RULES) == ("too_many", 3)
    assert raised(tags.tag, current, {"a": "x", "d": "4"}, RULES) == ("too_many", 3)
    assert current == {"a": "1", "b": "two", "c": "3"}
    tags.tag(current, {"a": "one"}, RULES)  # overwriting at the limit is fine
    assert current["a"] == "one"


def test_reserved_tags_already_there_do_not_count() -> None:
    current = {"aws:cloudformation:stack-name": "s", "a": "1", "b": "2"}
    tags.tag(current, {"c": "3"}, RULES)
    assert len(current) == 4
    assert raised(tags.tag, current, {"d": "4"}, RULES) == ("too_many", 3)
    assert tags.counted(current, RULES) == 3


def test_untag_ignores_absent_keys_and_is_all_or_nothing() -> None:
    current = {"a": "1", "b": "2"}
    tags.untag(current, ["a", "missing"], RULES)
    assert current == {"b": "2"}
    assert raised(tags.untag, current, ["b", "aws:x"], RULES) == ("reserved", "aws:x")
    assert current == {"b": "2"}


def test_default_rules_answer_validation_exception() -> None:
    with pytest.raises(ValidationException):
        tags.check({f"k{i}": "" for i in range(51)})
    assert len(tags.check({f"k{i}": "" for i in range(50)})) == 50
