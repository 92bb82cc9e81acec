"""The kit's pagination tokens: pages by key, offsets, and refusing every token not issued as is."""

from __future__ import annotations

import base64
import json
import random
import string
import subprocess
import sys
from pathlib import Path

import pytest

from hoarfrost.core.kit.paging import Page, key_token, paginate, token_key

KIND = "test:ListThings"


class BadToken(Exception):
    """What the listings under test answer a bad token with (a service's own error)."""


def bad() -> BadToken:
    return BadToken("Invalid NextToken value.")


def walk(items: list[str], limit: int, kind: str = KIND) -> list[list[str]]:
    pages, token = [], None
    while True:
        page = paginate(items, token, limit, kind=kind, key=str, error=bad)
        pages.append(page.items)
        token = page.next_token
        if token is None:
            return pages


def test_pages_by_key_cover_everything_once() -> None:
    items = [f"item-{i:03d}" for i in range(25)]
    pages = walk(items, 10)
    assert [len(page) for page in pages] == [10, 10, 5]
    assert [item for page in pages for item in page] == items


def test_exact_multiple_has_no_trailing_token() -> None:
    first = paginate([str(i) for i in range(10)], None, 10, kind=KIND, key=str, error=bad)
    assert first == Page([str(i) for i in range(10)], None)
    assert paginate([], None, 5, kind=KIND, key=str, error=bad) == Page([], None)


def test_key_token_resumes_after_its_key_whatever_changed() -> None:
    items = ["a", "b", "c", "d", "e", "f"]
    first = paginate(items, None, 3, kind=KIND, key=str, error=bad)
    assert first.items == ["a", "b", "c"] and first.next_token
    # The last item returned is gone and two were added before the boundary: an offset
    # would repeat or skip items; the key resumes exactly after "c".
    changed = ["a", "aa", "b", "bb", "d", "e", "f"]
    assert paginate(changed, first.next_token, 3, kind=KIND, key=str, error=bad).items == ["d", "e", "f"]


def test_keys_may_be_tuples_and_numbers() -> None:
    rows = [("k", 1), ("k", 2), ("l", 0)]
    first = paginate(rows, None, 2, kind=KIND, key=lambda row: row, error=bad)
    assert paginate(rows, first.next_token, 2, kind=KIND, key=lambda row: row, error=bad).items == [("l", 0)]
    numbers = list(range(1, 8))
    first = paginate(numbers, None, 5, kind=KIND, key=int, error=bad)
    assert paginate(numbers, first.next_token, 5, kind=KIND, key=int, error=bad).items == [6, 7]


def test_key_token_of_another_shape_is_refused() -> None:
    token = paginate(["a", "b"], None, 1, kind=KIND, key=str, error=bad).next_token
    assert token is not None
    with pytest.raises(BadToken):
        paginate([1, 2, 3], token, 1, kind=KIND, key=int, error=bad)


def test_offset_pages_when_there_is_no_key() -> None:
    items = [{"n": i} for i in range(7)]
    first = paginate(items, None, 3, kind=KIND, error=bad)
    second = paginate(items, first.next_token, 3, kind=KIND, error=bad)
    third = paginate(items, second.next_token, 3, kind=KIND, error=bad)
    assert [first.items, second.items, third.items] == [items[:3], items[3:6], items[6:]]
    assert third.next_token is None
    # An authentic offset past a listing that shrank is an empty last page, not an error.
    assert paginate(items[:2], second.next_token, 3, kind=KIND, error=bad) == Page([], None)


def test_key_and_offset_tokens_do_not_mix() -> None:
    key_next = paginate(["a", "b"], None, 1, kind=KIND, key=str, error=bad).next_token
    offset_next = paginate(["a", "b"], None, 1, kind=KIND, error=bad).next_token
    assert key_next and offset_next
    with pytest.raises(BadToken):
        paginate(["a", "b"], key_next, 1, kind=KIND, error=bad)
    with pytest.raises(BadToken):
        paginate(["a", "b"], offset_next, 1, kind=KIND, key=str, error=bad)


def test_tokens_are_opaque_urlsafe_text() -> None:
    token = key_token(KIND, "arn:aws:sns:us-east-1:123456789012:topic/with+odd?chars")
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")
    assert "topic" not in token
    assert token_key(KIND, token, bad) == "arn:aws:sns:us-east-1:123456789012:topic/with+odd?chars"


def test_a_flipped_character_anywhere_is_refused() -> None:
    token = key_token(KIND, "queue-0042")
    alphabet = string.ascii_letters + string.digits + "-_"
    for index, char in enumerate(token):
        for replacement in (alphabet[(alphabet.index(char) + 1) % 64], alphabet[(alphabet.index(char) + 32) % 64]):
            flipped = token[:index] + replacement + token[index + 1:]
            with pytest.raises(BadToken):
                token_key(KIND, flipped, bad)


def test_truncated_or_extended_tokens_are_refused() -> None:
    token = key_token(KIND, "queue-0042")
    for cut in range(len(token)):
        with pytest.raises(BadToken):
            token_key(KIND, token[:cut], bad)
    for extra in ("A", "AA", "=", "==", " ", "\n"):
        with pytest.raises(BadToken):
            token_key(KIND, token + extra, bad)


def test_a_token_of_another_kind_is_refused() -> None:
    token = paginate(["a", "b"], None, 1, kind="sns:ListTopics", key=str, error=bad).next_token
    assert token is not None
    with pytest.raises(BadToken):
        paginate(["a", "b"], token, 1, kind="sns:ListSubscriptions", key=str, error=bad)
    assert paginate(["a", "b"], token, 1, kind="sns:ListTopics", key=str, error=bad).items == ["b"]


def test_an_unsigned_token_is_refused() -> None:
    # A well-formed payload without a valid checksum: what a client forging a position would send.
    payload = json.dumps(["k", "b"]).encode()
    forged = base64.urlsafe_b64encode(b"\0" * 8 + payload).rstrip(b"=").decode()
    with pytest.raises(BadToken):
        paginate(["a", "b", "c"], forged, 1, kind=KIND, key=str, error=bad)


@pytest.mark.parametrize("token", [
    "garbage!", "!!", "=", "====", "a", "ab", "abc", "é", "\x00", "a" * 5000, "null", "[]",
    base64.urlsafe_b64encode(b"12").decode(), base64.urlsafe_b64encode(b"x" * 40).decode(),
])
def test_garbage_is_the_services_error(token: str) -> None:
    with pytest.raises(BadToken):
        paginate(["a", "b"], token, 1, kind=KIND, key=str, error=bad)
    with pytest.raises(BadToken):
        paginate(["a", "b"], token, 1, kind=KIND, error=bad)


def test_random_input_never_escapes_as_a_python_error() -> None:
    rng = random.Random(7)
    alphabet = string.printable + "éß€"
    for _ in range(2000):
        token = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 60)))
        with pytest.raises(BadToken):
            paginate(["a"], token, 1, kind=KIND, key=str, error=bad)


def test_a_non_positive_limit_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        paginate(["a"], None, 0, kind=KIND, key=str, error=bad)


def test_a_token_issued_by_another_process_is_accepted() -> None:
    src = Path(__file__).resolve().parents[3] / "src"
    code = "from hoarfrost.core.kit.paging import key_token; print(key_token('test:ListThings', 'm'))"
    token = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True,
                           env={"PYTHONPATH": str(src)}).stdout.strip()
    assert paginate(["a", "m", "z"], token, 5, kind=KIND, key=str, error=bad).items == ["z"]


def test_token_member_spreads_into_an_output() -> None:
    first = paginate(["a", "b"], None, 1, kind=KIND, key=str, error=bad)
    last = paginate(["a", "b"], first.next_token, 1, kind=KIND, key=str, error=bad)
    assert first.token_member() == {"NextToken": first.next_token}
    assert first.token_member("nextToken") == {"nextToken": first.next_token}
    assert last.token_member() == {}
