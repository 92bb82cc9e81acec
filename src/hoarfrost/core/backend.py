"""BackendState: one lazily created backend per (account, region), each behind its own lock."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

B = TypeVar("B")


class Scope(Generic[B]):
    """One account/region of one service: its backend, its lock, and a condition on that lock.

    The lock is re-entrant so a handler may call helpers that lock again. ``condition`` lets
    a handler wait (long polling) with the lock released, and a writer wake it.
    """

    __slots__ = ("account", "region", "backend", "lock", "condition")

    def __init__(self, account: str, region: str, backend: B) -> None:
        self.account = account
        self.region = region
        self.backend = backend
        self.lock = threading.RLock()
        self.condition = threading.Condition(self.lock)

    def wake(self) -> None:
        """Wake waiters (long polls); call with the lock held."""
        self.condition.notify_all()


class BackendState(Generic[B]):
    def __init__(self, factory: Callable[[str, str], B]) -> None:
        self._factory = factory
        self._scopes: dict[tuple[str, str], Scope[B]] = {}
        self._create_lock = threading.Lock()

    def scope(self, account: str, region: str) -> Scope[B]:
        key = (account, region)
        scope = self._scopes.get(key)
        if scope is None:
            with self._create_lock:
                scope = self._scopes.get(key)
                if scope is None:
                    scope = Scope(account, region, self._factory(account, region))
                    self._scopes[key] = scope
        return scope

    def get(self, account: str, region: str) -> B:
        return self.scope(account, region).backend

    def existing(self, account: str, region: str) -> Scope[B] | None:
        """The scope if it was ever touched; never creates one."""
        return self._scopes.get((account, region))

    def scopes(self) -> list[tuple[str, str]]:
        return list(self._scopes)

    def __iter__(self) -> Iterator[Scope[B]]:
        return iter(list(self._scopes.values()))

    def reset(self, account: str | None = None, region: str | None = None) -> list[tuple[str, str]]:
        """Forget matching scopes (all when both are None); returns the scopes dropped."""
        with self._create_lock:
            dropped = [
                key
                for key in self._scopes
                if (account is None or key[0] == account) and (region is None or key[1] == region)
            ]
            for key in dropped:
                del self._scopes[key]
        return dropped
