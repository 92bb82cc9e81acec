"""How a service registers one plain function per AWS operation, and what that function gets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from botocore import xform_name

from hoarfrost.core import catalog

if TYPE_CHECKING:
    from hoarfrost.core.backend import Scope
    from hoarfrost.core.clock import Clock
    from hoarfrost.core.emulator import Emulator
    from hoarfrost.core.http import HttpRequest
    from hoarfrost.core.views import StatefulService

B = TypeVar("B")
S = TypeVar("S", bound="StatefulService[Any, Any]")

# Operations whose names start like this only read state, unless a handler says otherwise.
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head", "Select", "Query", "Scan", "Search", "BatchGet")


@dataclass(slots=True)
class Reply:
    """A handler's answer when it sets what the model's output shape cannot carry: an HTTP
    status (S3's 206 for a range) or extra headers."""

    output: dict[str, Any]
    status: int | None = None
    headers: dict[str, str] | None = None


@dataclass(slots=True)
class RequestContext(Generic[B, S]):
    """What a handler gets besides its input: the scope it works in (locked), the caller, the
    clock, and the after-commit queue. ``RequestContext[SqsBackend, SqsService]`` types
    ``state`` and ``service`` so handlers need no casts.

    ``account`` / ``region`` are the caller's (who is asking); ``scope`` is where the request
    works, chosen by the service's ``scope_for`` (a bucket's region, a queue owner's account).
    """

    emulator: Emulator
    service: S
    operation: str
    account: str
    region: str
    scope: Scope[B]
    request: HttpRequest
    access_key: str | None
    request_id: str
    protocol: str
    # Scopes a mutating operation changed, for notification; None means the request's own.
    changed: list[tuple[str, str]] | None = None
    _away: int = 0  # depth of in_scope(): the own lock is released once, at the outermost
    # Work to run after the lock is released, in order (deliveries to other services).
    after: list[Callable[[], None]] | None = None

    @property
    def state(self) -> B:
        """The backend of the scope this request works in (its lock is held while the handler runs)."""
        return self.scope.backend

    @property
    def clock(self) -> Clock:
        return self.emulator.clock

    def after_commit(self, work: Callable[[], None]) -> None:
        """Run ``work()`` once the handler returned and its lock is released (deliveries into
        other services, which take their own locks). Errors are logged, never answered: the
        request has already succeeded."""
        if self.after is None:
            self.after = [work]
        else:
            self.after.append(work)

    def wait(self, timeout: float) -> None:
        """Block up to ``timeout`` seconds with the scope's lock released (long polling)."""
        self.scope.condition.wait(timeout)

    def wake(self) -> None:
        self.scope.wake()

    @contextmanager
    def unlocked(self) -> Iterator[None]:
        """Release the scope's lock while waiting on something outside the emulator's state (a
        Lambda function running in a worker process, which may call back into this service).
        The handler must not keep references into the state across it: re-read what it needs.
        Only for handlers registered ``blocking=True`` (a server keeps them off its event loop)."""
        self.scope.lock.release()
        try:
            yield
        finally:
            self.scope.lock.acquire()

    @contextmanager
    def in_scope(self, account: str, region: str) -> Iterator[Scope[Any]]:
        """Work in another account/region of this service (a bucket in another region, a
        queue or topic of another account) with that scope's lock held.

        The request's own lock is released meanwhile, so two opposite cross-scope requests can
        never deadlock; the handler must not keep references into its own scope across it.
        After a mutating operation the pipeline notifies the scopes entered here instead of the
        request's own (``mark_changed()`` adds the own one back)."""
        if account == self.scope.account and region == self.scope.region and self._away == 0:
            yield self.scope
            return
        scope = self.service.backends.scope(account, region)
        self.mark_changed(account, region)
        if self._away == 0:
            self.scope.lock.release()
        self._away += 1
        try:
            with scope.lock:
                yield scope
        finally:
            self._away -= 1
            if self._away == 0:
                self.scope.lock.acquire()

    def mark_changed(self, account: str | None = None, region: str | None = None) -> None:
        """Record that (account, region), by default the request's own scope, changed."""
        key = (account or self.scope.account, region or self.scope.region)
        if self.changed is None:
            self.changed = [key]
        elif key not in self.changed:
            self.changed.append(key)

    def mark_unchanged(self) -> None:
        """Nothing changed after all (an empty receive): listeners are not told."""
        self.changed = []

    def changed_scopes(self) -> list[tuple[str, str]]:
        return [(self.scope.account, self.scope.region)] if self.changed is None else self.changed


Handler = Callable[[RequestContext[Any, Any], dict[str, Any]], "dict[str, Any] | Reply | None"]
F = TypeVar("F", bound=Callable[..., Any])  # a handler as written (its own context type, extra arguments)


@dataclass(frozen=True, slots=True)
class OperationHandler:
    name: str
    fn: Handler
    mutates: bool
    # May wait (long polling): a server runs it on a worker thread, everything else inline.
    blocking: bool = False


class OperationRegistry:
    """Collects a service's handlers; function names are the operations' snake_case names.

    ``resolve()`` maps them onto botocore's operation names once; a function that names no
    operation of the installed botocore is listed in ``unresolved`` (a test keeps it empty).
    """

    def __init__(self, service: str) -> None:
        self.service = service
        self._functions: dict[str, tuple[Handler, bool | None, bool]] = {}
        self._resolved: dict[str, OperationHandler] | None = None
        self.unresolved: tuple[str, ...] = ()  # handler names the installed botocore does not know

    @overload
    def operation(self, fn: F, *, mutates: bool | None = None, blocking: bool = False) -> F: ...

    @overload
    def operation(self, fn: None = None, *, mutates: bool | None = None,
                  blocking: bool = False) -> Callable[[F], F]: ...

    def operation(self, fn: F | None = None, *, mutates: bool | None = None,
                  blocking: bool = False) -> F | Callable[[F], F]:
        """Registers ``fn`` (bare ``@ops.operation``) or returns the decorator that does
        (``@ops.operation(mutates=...)``); the function comes back as it was, signature included,
        so a handler stays type-checked where it is called directly."""
        def register(func: F) -> F:
            self._functions[func.__name__] = (func, mutates, blocking)
            self._resolved = None
            return func

        return register(fn) if fn is not None else register

    def resolve(self) -> dict[str, OperationHandler]:
        if self._resolved is None:
            names = {xform_name(op): op for op in catalog.service_model(self.service).operation_names}
            resolved: dict[str, OperationHandler] = {}
            unresolved: list[str] = []
            for func_name, (func, mutates, blocking) in self._functions.items():
                op = names.get(func_name)
                if op is None:
                    # An operation newer than the installed botocore (aiobotocore pins older ones):
                    # no client of it can call it. tests/core asserts none is left over on the
                    # botocore the project tests with, so a misspelt handler still fails there.
                    unresolved.append(func_name)
                    continue
                if mutates is None:
                    mutates = not op.startswith(READ_ONLY_PREFIXES)
                resolved[op] = OperationHandler(op, func, mutates, blocking)
            self.unresolved = tuple(unresolved)
            self._resolved = resolved
        return self._resolved
