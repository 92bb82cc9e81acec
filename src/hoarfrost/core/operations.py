"""How a service registers one plain function per AWS operation, and what that function gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from botocore import xform_name

from hoarfrost.core import catalog

if TYPE_CHECKING:
    from hoarfrost.core.backend import Scope
    from hoarfrost.core.emulator import Emulator
    from hoarfrost.core.http import HttpRequest
    from hoarfrost.core.views import StatefulService

# Operations whose names start like this only read state, unless a handler says otherwise.
READ_ONLY_PREFIXES = ("Get", "List", "Describe", "Head")


@dataclass(slots=True)
class RequestContext:
    emulator: Emulator
    service: StatefulService[Any, Any]
    operation: str
    account: str
    region: str
    scope: Scope[Any]
    request: HttpRequest
    access_key: str | None
    request_id: str
    protocol: str

    @property
    def state(self) -> Any:
        """This account/region's backend (the lock is held while the handler runs)."""
        return self.scope.backend

    def wait(self, timeout: float) -> None:
        """Block up to ``timeout`` seconds with the scope's lock released (long polling)."""
        self.scope.condition.wait(timeout)

    def wake(self) -> None:
        self.scope.wake()


Handler = Callable[[RequestContext, dict[str, Any]], "dict[str, Any] | None"]


@dataclass(frozen=True, slots=True)
class OperationHandler:
    name: str
    fn: Handler
    mutates: bool
    # May wait (long polling): a server runs it on a worker thread, everything else inline.
    blocking: bool = False


class OperationRegistry:
    """Collects a service's handlers; function names are the operations' snake_case names.

    ``resolve()`` maps them onto botocore's operation names once, and fails loudly on a
    function that names no operation, so a typo never silently becomes ``NotImplemented``.
    """

    def __init__(self, service: str) -> None:
        self.service = service
        self._functions: dict[str, tuple[Handler, bool | None, bool]] = {}
        self._resolved: dict[str, OperationHandler] | None = None

    def operation(self, fn: Handler | None = None, *, mutates: bool | None = None, blocking: bool = False) -> Any:
        def register(func: Handler) -> Handler:
            self._functions[func.__name__] = (func, mutates, blocking)
            self._resolved = None
            return func

        return register(fn) if fn is not None else register

    def resolve(self) -> dict[str, OperationHandler]:
        if self._resolved is None:
            names = {xform_name(op): op for op in catalog.service_model(self.service).operation_names}
            resolved: dict[str, OperationHandler] = {}
            for func_name, (func, mutates, blocking) in self._functions.items():
                op = names.get(func_name)
                if op is None:
                    raise LookupError(f"{self.service}: handler {func_name!r} names no operation in botocore's model")
                if mutates is None:
                    mutates = not op.startswith(READ_ONLY_PREFIXES)
                resolved[op] = OperationHandler(op, func, mutates, blocking)
            self._resolved = resolved
        return self._resolved
