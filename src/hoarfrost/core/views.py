"""The typed state-view contract every stateful service implements.

A service subclasses ``StatefulService`` and provides four conversions between its internal
backend and its pydantic ``StateView``; snapshot / restore / merge / notifications are written
once here so that every service keeps the same promises:

* ``restore`` and ``merge`` build a complete new backend from the view *before* touching state;
  any error raises ``StateViewError`` and the scope is exactly as it was.
* The merge rule, for every resource of every service: a resource in the view whose key
  already exists replaces that resource's attributes (its child resources merge by the same
  rule); a resource that does not exist is added; nothing is ever removed. It is written once,
  in ``core.kit.records`` (``merge_keyed``, ``RecordView.merge``).
* Notifications cost one truth test when nobody listens; the view a listener asks for is
  built at most once per change.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, TypeVar, cast

import pydantic
from pydantic import BaseModel, ConfigDict

from hoarfrost.core.backend import BackendState, Scope
from hoarfrost.core.http import HttpRequest, HttpResponse

if TYPE_CHECKING:
    from hoarfrost.core.emulator import Emulator
    from hoarfrost.core.operations import OperationHandler, OperationRegistry

log = logging.getLogger("hoarfrost.views")

B = TypeVar("B")
V = TypeVar("V", bound="StateView")

StateViewErrorKind = Literal["serialize", "invalid", "blob"]


class StateViewError(Exception):
    """A view could not be produced, was invalid or inconsistent, or a blob operation failed."""

    def __init__(self, kind: StateViewErrorKind, message: str) -> None:
        super().__init__(message)
        self.kind: StateViewErrorKind = kind
        self.message = message

    def to_dict(self) -> dict[str, str]:
        return {"error": "StateViewError", "kind": self.kind, "message": self.message}


class ViewModel(BaseModel):
    """Base of every model inside a view: strict field names, bytes as base64 in JSON."""

    model_config = ConfigDict(extra="forbid", ser_json_bytes="base64", val_json_bytes="base64")


class StateView(ViewModel):
    """One account/region of one service. Subclasses add resource fields with defaults, so a
    partial view (for merge) is valid."""

    # Bumped when the view's shape changes; ``upgrade`` rewrites older documents.
    SCHEMA_VERSION: ClassVar[int] = 1

    schema_version: int = 1
    account: str | None = None
    region: str | None = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """A view built in code is written at its class's version, not at 1."""
        super().__pydantic_init_subclass__(**kwargs)
        if cls.model_fields["schema_version"].default != cls.SCHEMA_VERSION:
            cls.model_fields["schema_version"].default = cls.SCHEMA_VERSION
            cls.model_rebuild(force=True)

    @classmethod
    def upgrade(cls, document: dict[str, Any], version: int) -> dict[str, Any]:
        """``document``, written at ``version``, rewritten in the shape of ``version + 1``. A
        view written by one release restores on the next: a service that changes its view's
        shape bumps ``SCHEMA_VERSION`` and adds the step here."""
        raise ValueError(f"{cls.__name__} has no upgrade from schema_version {version}")


# The state key of the generic engine's part of a partly hand-written service: ``ssm.engine``.
ENGINE_PART = ".engine"


class StateChange:
    """What a listener receives: which scope changed, by which operation (and request: its
    ``request_id`` is the one the caller's response carries, empty for a change no request
    made, such as a delivery from another service or an admin restore), and the view on demand."""

    __slots__ = ("service", "account", "region", "operation", "request_id", "_owner", "_view", "_view_lock")

    def __init__(self, owner: StatefulService[Any, Any], account: str, region: str, operation: str,
                 request_id: str = "") -> None:
        self.service = owner.state_key
        self.account = account
        self.region = region
        self.operation = operation
        self.request_id = request_id
        self._owner = owner
        self._view: StateView | None = None
        self._view_lock = threading.Lock()

    def view(self) -> StateView:
        """The scope's view, built on first request and shared by every listener of this change."""
        if self._view is None:
            with self._view_lock:
                if self._view is None:
                    self._view = self._owner.snapshot(self.account, self.region)
        return self._view

    def __repr__(self) -> str:
        return f"StateChange({self.service}, {self.account}, {self.region}, {self.operation})"


Listener = Callable[[StateChange], None]


class Subscription:
    """Returned by ``subscribe``: call it (or ``unsubscribe()``) to stop listening."""

    __slots__ = ("_notifier", "_listener")

    def __init__(self, notifier: StateChangeNotifier, listener: Listener) -> None:
        self._notifier = notifier
        self._listener = listener

    def unsubscribe(self) -> None:
        self._notifier._remove(self._listener)

    __call__ = unsubscribe

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *exc: object) -> None:
        self.unsubscribe()


class StateChangeNotifier:
    """Fan-out of state changes. Listener errors are logged, never returned to the caller."""

    def __init__(self) -> None:
        self.listeners: tuple[Listener, ...] = ()
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Subscription:
        with self._lock:
            self.listeners = (*self.listeners, listener)
        return Subscription(self, listener)

    def unsubscribe(self, listener: Listener) -> None:
        """Stop calling ``listener`` (a no-op when it is not subscribed)."""
        self._remove(listener)

    def _remove(self, listener: Listener) -> None:
        with self._lock:
            listeners = list(self.listeners)
            if listener in listeners:
                listeners.remove(listener)
            self.listeners = tuple(listeners)

    def __bool__(self) -> bool:
        return bool(self.listeners)

    def publish(self, change: StateChange) -> None:
        for listener in self.listeners:
            try:
                listener(change)
            except Exception:  # a listener's bug must not fail the request that changed state
                log.exception("state change listener %r failed", listener)


def _json_default(value: Any) -> Any:
    """JSON for what a Python-mode view dict holds: bytes as base64 (as views write them),
    timestamps as ISO 8601, anything else as its text."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


class StatefulService(Generic[B, V]):
    """Base of every service: its handlers, its backends and its half of the view contract.

    Subclasses set ``name`` (botocore's service name), ``view_type`` and ``operations``, and
    implement ``new_backend``, ``to_view``, ``from_view`` and ``merge_backend``.
    """

    name: ClassVar[str]
    view_type: ClassVar[type[StateView]]
    operations: ClassVar[OperationRegistry]
    # Error code for a request that fails input validation; None means the protocol's default.
    validation_error_code: ClassVar[str | None] = None
    # False for services (S3) that do not run the model's generic constraint checks.
    validates_input: ClassVar[bool] = True

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.clock = emulator.clock
        self.backends: BackendState[B] = BackendState(self.new_backend)
        self.notifier = StateChangeNotifier()

    # -- what a service implements ------------------------------------------------------
    def scope_for(self, operation: str, request: dict[str, Any], account: str, region: str) -> tuple[str, str]:
        """The one (account, region) the request works in, which the pipeline locks. The
        caller's by default; a service whose resources name their home (a bucket's region, a
        queue URL's account, a topic ARN) answers that. Raise the service's not-found error
        when the request names something that cannot exist anywhere."""
        return account, region

    @property
    def state_key(self) -> str:
        """Where the admin API, exports and notifications name this service's state: its
        name (the engine's part of a partly hand-written service says ``<name>.engine``)."""
        return self.name

    def holds(self, operation: str, request: dict[str, Any], account: str, region: str) -> bool | None:
        """Whether the resource ``request`` names exists here (None: the service cannot tell
        cheaply). Asked only when several services read a request the same way over HTTP
        (``Route.candidates``); it must be a lock-free look-up."""
        return None

    def admin_routes(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """GET routes this service serves under ``/_hoarfrost/<service>/`` (path rest -> handler),
        such as SNS's signing certificate."""
        return {}

    def admin_trees(self) -> dict[str, Callable[[HttpRequest], HttpResponse]]:
        """Path trees this service serves under ``/_hoarfrost/<service>/<name>/...``, every
        method and every path below (Lambda's function URLs); the handler reads the path."""
        return {}

    def wake_all(self) -> None:
        """Wake every waiter of every scope (the clock moved: deadlines must be re-checked)."""
        for scope in self.backends:
            with scope.lock:
                scope.wake()

    def new_backend(self, account: str, region: str) -> B:
        raise NotImplementedError

    def to_view(self, backend: B, account: str, region: str) -> V:
        """A deep, consistent copy of ``backend`` as a view; called with the scope's lock held."""
        raise NotImplementedError

    def from_view(self, view: V, account: str, region: str) -> B:
        """A brand-new backend from ``view``. Raise ``StateViewError('invalid', ...)`` (or
        ValueError) for any inconsistency; it must not touch existing state."""
        raise NotImplementedError

    def merge_backend(self, target: B, source: B) -> None:
        """Add ``source``'s resources to ``target`` by the merge rule. Runs under the lock
        after ``source`` was fully built from a valid view, so it must not fail."""
        raise NotImplementedError

    def handler(self, operation: str) -> OperationHandler | None:
        """The handler of ``operation``, None when this service has none (the pipeline then
        answers NotImplemented). The generic engine answers from its catalog instead."""
        return self.operations.resolve().get(operation)

    # -- the contract ---------------------------------------------------------------------
    def scope(self, account: str, region: str) -> Scope[B]:
        return self.backends.scope(account, region)

    def snapshot(self, account: str, region: str, *, secrets: bool = False) -> V:
        """A consistent copy of the scope. ``secrets=False`` (the default) leaves out what
        ``redact`` says a view shares only on request (IAM's secret access keys)."""
        scope = self.backends.scope(account, region)
        try:
            with scope.lock:
                view = self.to_view(scope.backend, account, region)
        except StateViewError:
            raise
        except Exception as exc:
            raise StateViewError("serialize", f"{self.name}: could not snapshot {account}/{region}: {exc}") from exc
        if not secrets:
            self.redact(view)
        view.schema_version = self.view_type.SCHEMA_VERSION
        view.account = account
        view.region = region
        return view

    def redact(self, view: V) -> None:
        """Remove from a fresh snapshot, in place, what leaves the emulator only when the
        snapshot is asked for with ``secrets=True``. Most services keep nothing back (a secret's
        value or a key's material is state a restore needs); IAM keeps access keys' secrets
        back, leaving their hash."""

    def snapshot_json(self, account: str, region: str, *, secrets: bool = False) -> str:
        return self.snapshot(account, region, secrets=secrets).model_dump_json()

    def parse_view(self, view: StateView | Mapping[str, Any] | str | bytes) -> V:
        """Accept a view object, a dict or JSON text; anything malformed is ``invalid``. A
        document written at an older ``schema_version`` is upgraded first (``StateView.upgrade``);
        one without ``schema_version`` is taken as current."""
        view_type = self.view_type
        try:
            if isinstance(view, view_type):
                parsed = view_type.model_validate(view.model_dump())
            elif isinstance(view, StateView):
                raise StateViewError(
                    "invalid", f"{self.name}: expected a {view_type.__name__}, got a {type(view).__name__}"
                )
            elif isinstance(view, (str, bytes, Mapping)):
                parsed = view_type.model_validate_json(self._current_json(view))
            else:
                raise StateViewError("invalid", f"{self.name}: a view must be a {view_type.__name__}, dict or JSON")
        except pydantic.ValidationError as exc:
            raise StateViewError("invalid", f"{self.name}: invalid {view_type.__name__}: {exc}") from exc
        parsed.schema_version = view_type.SCHEMA_VERSION
        return cast(V, parsed)

    def _current_json(self, view: Mapping[str, Any] | str | bytes) -> str | bytes:
        """The view's JSON in today's schema: upgraded when written at an older version."""
        view_type = self.view_type
        if isinstance(view, Mapping):
            document: Any = json.loads(json.dumps(view, default=_json_default))
        else:
            try:
                document = json.loads(view)
            except ValueError as exc:
                raise StateViewError("invalid", f"{self.name}: a view must be JSON: {exc}") from exc
        version = document.get("schema_version", view_type.SCHEMA_VERSION) if isinstance(document, dict) else None
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise StateViewError("invalid", f"{self.name}: schema_version must be a positive integer, not {version!r}")
        if version > view_type.SCHEMA_VERSION:
            raise StateViewError(
                "invalid",
                f"{self.name}: view schema_version {version} is newer than this release understands "
                f"({view_type.SCHEMA_VERSION}); upgrade hoarfrost",
            )
        if version == view_type.SCHEMA_VERSION:
            return view if not isinstance(view, Mapping) else json.dumps(document)
        while version < view_type.SCHEMA_VERSION:
            try:
                document = view_type.upgrade(document, version)
            except (KeyError, TypeError, ValueError) as exc:
                raise StateViewError("invalid", f"{self.name}: cannot upgrade a schema_version {version} view: "
                                                f"{exc}") from exc
            version += 1
        document["schema_version"] = version
        return json.dumps(document)

    def _build(self, view: StateView | Mapping[str, Any] | str | bytes, account: str, region: str) -> B:
        parsed = self.parse_view(view)
        try:
            return self.from_view(parsed, account, region)
        except StateViewError:
            raise
        except (ValueError, KeyError, TypeError) as exc:
            raise StateViewError("invalid", f"{self.name}: inconsistent view for {account}/{region}: {exc}") from exc

    def restore(self, account: str, region: str, view: StateView | Mapping[str, Any] | str | bytes) -> None:
        """Replace the scope's state with ``view``; on any error nothing changes."""
        backend = self._build(view, account, region)
        scope = self.backends.scope(account, region)
        with scope.lock:
            old = scope.backend
            scope.backend = backend
            self.backend_replaced(account, region, old, backend)
            scope.wake()
        self.notify_state_changed(account, region, "restore")

    def merge(self, account: str, region: str, view: StateView | Mapping[str, Any] | str | bytes) -> None:
        """Add the view's resources to the scope (see the module's merge rule)."""
        source = self._build(view, account, region)
        scope = self.backends.scope(account, region)
        with scope.lock:
            self.merge_backend(scope.backend, source)
            self.backend_replaced(account, region, scope.backend, scope.backend)
            scope.wake()
        self.notify_state_changed(account, region, "merge")

    def reset(self, account: str | None = None, region: str | None = None) -> None:
        for scope_account, scope_region in self.backends.reset(account, region):
            self.backend_replaced(scope_account, scope_region, None, None)
            self.notify_state_changed(scope_account, scope_region, "reset")

    def close(self) -> None:
        """Stop background work this service runs for its Emulator (worker processes, threads);
        called by ``Emulator.close``. Most services run none."""

    def backend_replaced(self, account: str, region: str, old: B | None, new: B | None) -> None:
        """Hook for indexes kept outside the backend (issued access keys); called under the lock
        after restore and merge, and after reset with ``new`` None."""

    def notify_state_changed(self, account: str, region: str, operation: str = "", request_id: str = "") -> None:
        if self.notifier.listeners:
            self.notifier.publish(StateChange(self, account, region, operation, request_id))

    def snapshot_with_blobs(self, account: str, region: str, sink: Any = None, *, secrets: bool = False) -> V:
        """Snapshot plus the blobs the view names; services without blobs have none."""
        return self.snapshot(account, region, secrets=secrets)

    def restore_with_blobs(self, account: str, region: str, view: Any, source: Any = None) -> None:
        self.restore(account, region, view)

    def merge_with_blobs(self, account: str, region: str, view: Any, source: Any = None) -> None:
        """Merge, first copying the blobs the view names from ``source``."""
        self.merge(account, region, view)

    @classmethod
    def json_schema(cls) -> dict[str, Any]:
        return cls.view_type.model_json_schema()

    def scopes_with_state(self) -> Iterable[tuple[str, str]]:
        return self.backends.scopes()
