"""Strings generated from models' patterns: they satisfy the pattern and the lengths, Java-only
classes included, and ARNs keep the scope they are built for."""

from __future__ import annotations

import random
import re

import pytest
from botocore.model import Shape

from hoarfrost.generic.engine.shapes import new_arn
from hoarfrost.generic.pattern_strings import generate, matches

PATTERNS = [
    ("arn:[a-z0-9-]+:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}", 10, 1224),
    ("d[a-z0-9]+", 1, 20),
    ("v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", 2, 30),
    ("[0-9]+", 1, 5),
    ("[a-z]([a-z0-9]|-(?!-))*[a-z0-9]", 3, 63),
    ("^(arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z]+-[0-9]:[0-9]{12}:instance/)?[a-zA-Z0-9-]{1,100}$", 1, 250),
    ("[1-5]\\d\\d", 3, 3),
]


@pytest.mark.parametrize(("pattern", "low", "high"), PATTERNS)
def test_generated_strings_fit_pattern_and_length(pattern: str, low: int, high: int) -> None:
    rng = random.Random(7)
    for _ in range(20):
        text = generate(pattern, low, high, rng)
        assert text is not None
        assert low <= len(text) <= high
        assert re.fullmatch(pattern, text) or re.search(pattern, text), (pattern, text)


def test_java_property_classes_generate_what_java_accepts() -> None:
    text = generate(r"[\p{L}\p{N}_-]+", 5, 10)
    assert text is not None and re.fullmatch(r"[A-Za-z0-9_-]{5,10}", text)
    # Surrogate-pair ranges, as several models write "any character".
    assert generate(r"[\u0020-\uD7FF\uE000-\uFFFD\uD800\uDC00-\uDBFF\uDFFF\t]*", 1, 4) is not None
    assert matches(r"\p{L}+", "abc") and not matches(r"\p{L}+", "123")


def test_impossible_constraints_answer_none() -> None:
    assert generate("[0-9]{3}", 5, 8) is None
    assert generate("a", 3, 2) is None


def _shape(pattern: str) -> Shape:
    return Shape("Arn", {"type": "string", "pattern": pattern, "min": 20, "max": 200})


def test_arn_keeps_scope_and_id_where_the_patterns_allow() -> None:
    preferred = "arn:aws:ivs:eu-west-1:111122223333:channel-thing/abc"
    shapes = [_shape("arn:aws:ivs:[a-z0-9-]+:[0-9]+:channel/[a-zA-Z0-9-]+")]
    arn = new_arn(shapes, "aws", "eu-west-1", "111122223333", preferred, "abc")
    assert arn == "arn:aws:ivs:eu-west-1:111122223333:channel/abc"
    # What already fits is kept as is.
    assert new_arn([_shape("arn:.+")], "aws", "eu-west-1", "111122223333", preferred, "abc") == preferred
