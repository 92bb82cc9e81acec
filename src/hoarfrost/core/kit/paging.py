"""Pagination tokens: opaque, tamper-evident, and positioned by key.

A token names where the next page starts by the *key* of the last item returned (a topic
ARN, a queue name), not by an offset or an object in memory, so it stays meaningful when
items are added or removed between pages and after the state was snapshotted and restored,
even into a fresh emulator in another process. Listings without a stable key fall back to
an offset.

A token carries a short blake2b checksum keyed with a fixed module key and salted with the
token's *kind* (service and operation), so a token that was edited, truncated, made up, or
issued by another operation is refused with the error the service supplies, never with a
Python exception. The key is fixed on purpose: the check is against accidents and misuse,
not secrecy, and any emulator must accept a token another one issued.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")
# What a token can point at: a key (text, number, or a tuple of them) or an offset.
Position = str | int | tuple[str | int, ...]
ErrorFactory = Callable[[], Exception]

_MAC_KEY = b"hoarfrost/kit/paging/v1"
_MAC_SIZE = 8
_MAX_TOKEN = 4096  # far above any token issued here; longer input is refused unread
_BY_KEY, _BY_OFFSET = "k", "o"


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the token of the next (None on the last page)."""

    items: list[T]
    next_token: str | None

    def token_member(self, name: str = "NextToken") -> dict[str, str]:
        """``{name: next_token}`` to spread into an output, or nothing on the last page."""
        return {name: self.next_token} if self.next_token else {}


@functools.lru_cache(maxsize=256)
def _salt(kind: str) -> bytes:
    return hashlib.blake2b(kind.encode("utf-8"), digest_size=16).digest()


def _mac(kind: str, payload: bytes) -> bytes:
    return hashlib.blake2b(payload, key=_MAC_KEY, salt=_salt(kind), digest_size=_MAC_SIZE).digest()


def _encode(kind: str, mode: str, position: Position) -> str:
    payload = json.dumps([mode, position], separators=(",", ":")).encode("ascii")
    return base64.urlsafe_b64encode(_mac(kind, payload) + payload).rstrip(b"=").decode("ascii")


def _decode(kind: str, token: str, error: ErrorFactory) -> tuple[str, Position]:
    if not isinstance(token, str) or not token or len(token) > _MAX_TOKEN:
        raise error()
    try:
        raw = base64.b64decode(token + "=" * (-len(token) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise error() from None
    # Only the exact text issued is accepted: base64 has several spellings of one byte string.
    if base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") != token or len(raw) <= _MAC_SIZE:
        raise error()
    mac, payload = raw[:_MAC_SIZE], raw[_MAC_SIZE:]
    if not hmac.compare_digest(mac, _mac(kind, payload)):
        raise error()
    try:
        mode, position = json.loads(payload)
    except (ValueError, TypeError, RecursionError):
        raise error() from None
    if isinstance(position, list):
        position = tuple(position)
    return mode, position


def key_token(kind: str, key: Position) -> str:
    """A token that resumes after ``key`` (for listings that walk their own sorted keys)."""
    return _encode(kind, _BY_KEY, key)


def token_key(kind: str, token: str, error: ErrorFactory) -> Position:
    """The key a ``key_token`` of this ``kind`` resumes after; ``error()`` is raised otherwise."""
    mode, position = _decode(kind, token, error)
    if mode != _BY_KEY:
        raise error()
    return position


def paginate(items: Sequence[T], token: str | None, limit: int, *, kind: str, error: ErrorFactory,
             key: Callable[[T], Any] | None = None) -> Page[T]:
    """The page of ``items`` that ``token`` (None: the first page) starts, at most ``limit`` long.

    With ``key``, ``items`` must be sorted by it: the page starts after the token's key, found
    by bisection, so a removed item does not shift the next page. Without ``key`` the token
    holds an offset (for listings whose items have no stable key).
    ``kind`` names the listing (``"sqs:ListQueues"``); a token of another kind is refused.
    """
    if limit < 1:
        raise ValueError(f"page limit must be positive, not {limit}")
    start = 0
    if token:
        mode, position = _decode(kind, token, error)
        if mode != (_BY_KEY if key is not None else _BY_OFFSET):
            raise error()
        if key is None:
            if not isinstance(position, int) or isinstance(position, bool) or position < 0:
                raise error()
            start = position
        else:
            try:
                start = bisect.bisect_right(items, position, key=key)
            except TypeError:  # a key of another shape than this listing's
                raise error() from None
    end = start + limit
    page = list(items[start:end])
    next_token = None
    if end < len(items):
        next_token = key_token(kind, key(page[-1])) if key is not None else _encode(kind, _BY_OFFSET, end)
    return Page(page, next_token)
